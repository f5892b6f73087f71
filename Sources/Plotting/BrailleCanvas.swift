/// A grid of braille cells (U+2800…U+28FF), each a 2 × 4 block of dots, so a terminal of
/// `columns × rows` characters draws `2·columns × 4·rows` dots. Each cell remembers which
/// series set a dot last (for colour), and a cell can hold a glyph instead of dots (line ends,
/// ✕ markers).
public struct BrailleCanvas: Sendable {
    public let columns: Int
    public let rows: Int
    private var bits: [UInt8]
    private var owners: [Int]
    private var glyphs: [Character?]

    public init(columns: Int, rows: Int) {
        precondition(columns > 0 && rows > 0, "canvas needs at least one cell (got \(columns) × \(rows))")
        self.columns = columns
        self.rows = rows
        bits = Array(repeating: 0, count: columns * rows)
        owners = Array(repeating: -1, count: columns * rows)
        glyphs = Array(repeating: nil, count: columns * rows)
    }

    /// Dots across.
    public var dotWidth: Int { columns * 2 }
    /// Dots down.
    public var dotHeight: Int { rows * 4 }

    /// The bit of dot `(dx, dy)` inside a cell (dx 0…1, dy 0…3): dots 1-2-3-7 down the left,
    /// 4-5-6-8 down the right, as Unicode numbers them.
    static func bit(dx: Int, dy: Int) -> UInt8 {
        let table: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        return table[dx][dy]
    }

    /// Sets the dot at `(x, y)` (y = 0 at the top); dots outside the canvas are ignored.
    public mutating func set(x: Int, y: Int, owner: Int = 0) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let i = (y / 4) * columns + x / 2
        bits[i] |= BrailleCanvas.bit(dx: x % 2, dy: y % 4)
        owners[i] = owner
    }

    /// Sets the dots of a straight line between two dots, ends included (Bresenham); the parts
    /// outside the canvas are clipped.
    public mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), owner: Int = 0) {
        var x = a.x, y = a.y
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var err = dx + dy
        while true {
            set(x: x, y: y, owner: owner)
            if x == b.x && y == b.y { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    /// Puts `glyph` in cell `(column, row)` in place of its dots.
    public mutating func stamp(_ glyph: Character, column: Int, row: Int, owner: Int = 0) {
        guard column >= 0, row >= 0, column < columns, row < rows else { return }
        glyphs[row * columns + column] = glyph
        owners[row * columns + column] = owner
    }

    /// Whether cell `(column, row)` holds a glyph.
    public func hasGlyph(column: Int, row: Int) -> Bool {
        guard column >= 0, row >= 0, column < columns, row < rows else { return false }
        return glyphs[row * columns + column] != nil
    }

    /// The character of a cell (a space when empty) and the series that drew it last (-1: none).
    public func cell(column: Int, row: Int) -> (character: Character, owner: Int) {
        let i = row * columns + column
        if let g = glyphs[i] { return (g, owners[i]) }
        if bits[i] == 0 { return (" ", -1) }
        return (Character(Unicode.Scalar(0x2800 + UInt32(bits[i]))!), owners[i])
    }

    /// One row as plain text (no colour), trailing spaces kept.
    public func text(row: Int) -> String {
        String((0..<columns).map { cell(column: $0, row: row).character })
    }
}
