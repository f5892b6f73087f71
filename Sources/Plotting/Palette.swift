/// How series are told apart: by position in the chart, a colour from the Okabe–Ito palette
/// (distinguishable with the common forms of colour blindness), an ANSI colour for terminals
/// and a glyph for terminals without colour.
public enum Palette {
    /// Okabe–Ito colours in the order series use them (yellow last: weak on white).
    public static let colors: [RGBColor] = [
        RGBColor(0x00, 0x72, 0xB2),  // blue
        RGBColor(0xD5, 0x5E, 0x00),  // vermillion
        RGBColor(0x00, 0x9E, 0x73),  // bluish green
        RGBColor(0xCC, 0x79, 0xA7),  // reddish purple
        RGBColor(0xE6, 0x9F, 0x00),  // orange
        RGBColor(0x56, 0xB4, 0xE9),  // sky blue
        RGBColor(0x00, 0x00, 0x00),  // black
        RGBColor(0xF0, 0xE4, 0x42),  // yellow
    ]

    /// ANSI SGR foreground codes matching ``colors`` as closely as 16 colours allow.
    public static let ansiCodes: [Int] = [34, 31, 32, 35, 33, 36, 37, 93]

    /// Glyphs marking each series' line end in the terminal and its legend entry.
    public static let glyphs: [Character] = ["●", "■", "▲", "◆", "○", "□", "△", "◇"]

    public static func color(_ index: Int) -> RGBColor { colors[index % colors.count] }
    public static func ansi(_ index: Int) -> Int { ansiCodes[index % ansiCodes.count] }
    public static func glyph(_ index: Int) -> Character { glyphs[index % glyphs.count] }
}
