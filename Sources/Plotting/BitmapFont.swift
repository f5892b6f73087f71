/// A small fixed-width pixel font for PNG charts: printable ASCII plus `✕ · — … ×`, each glyph
/// 5 pixels wide and 9 tall (7 above the baseline, 2 for descenders), drawn in a 6 × 11 cell.
/// Characters it lacks are drawn as a hollow box. Glyph data is in `BitmapFont+Glyphs.swift`.
public enum BitmapFont {
    /// Pixels across a glyph.
    public static let glyphWidth = 5
    /// Pixel rows of a glyph (7 body + 2 descender).
    public static let glyphHeight = 9
    /// Horizontal distance from one character to the next.
    public static let advance = 6
    /// Vertical distance from one line to the next.
    public static let lineHeight = 11

    /// Rows of `character`, top first; bit 4 is the leftmost pixel.
    public static func rows(_ character: Character) -> [UInt8] {
        glyphs[character] ?? missing
    }

    /// Whether the font has its own glyph for `character`.
    public static func contains(_ character: Character) -> Bool { glyphs[character] != nil }

    /// Whether pixel `(x, y)` of `character` is ink.
    public static func isInk(_ character: Character, x: Int, y: Int) -> Bool {
        guard x >= 0, x < glyphWidth, y >= 0, y < glyphHeight else { return false }
        return rows(character)[y] & (0x10 >> UInt8(x)) != 0
    }

    static let missing: [UInt8] = parse("##### #...# #...# #...# #...# #...# #####")

    /// Glyph rows from `#`/`.` strings separated by spaces; missing rows are blank.
    static func parse(_ pattern: String) -> [UInt8] {
        var rows = pattern.split(separator: " ").map { row -> UInt8 in
            precondition(row.count == glyphWidth, "glyph row \"\(row)\" is not \(glyphWidth) wide")
            return row.reduce(0) { ($0 << 1) | ($1 == "#" ? 1 : 0) }
        }
        precondition(rows.count <= glyphHeight, "glyph \"\(pattern)\" has more than \(glyphHeight) rows")
        rows += Array(repeating: 0, count: glyphHeight - rows.count)
        return rows
    }

    static let glyphs: [Character: [UInt8]] = {
        var table: [Character: [UInt8]] = [:]
        for (character, pattern) in glyphPatterns {
            precondition(table[character] == nil, "glyph \(character) defined twice")
            table[character] = parse(pattern)
        }
        return table
    }()
}
