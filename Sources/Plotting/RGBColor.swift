/// An opaque 8-bit sRGB colour.
public struct RGBColor: Sendable, Equatable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// `#rrggbb`, as SVG writes it.
    public var hex: String {
        let digits = Array("0123456789abcdef")
        return "#" + [r, g, b].map { String(digits[Int($0 >> 4)]) + String(digits[Int($0 & 15)]) }.joined()
    }

    public static let white = RGBColor(255, 255, 255)
    public static let black = RGBColor(0, 0, 0)
    /// Axis lines and text.
    public static let ink = RGBColor(0x33, 0x33, 0x33)
    /// Gridlines.
    public static let grid = RGBColor(0xE3, 0xE3, 0xE3)
    /// Secondary text (tick labels).
    public static let muted = RGBColor(0x55, 0x55, 0x55)
}
