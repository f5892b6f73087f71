import Foundation

/// Short plain renderings of numbers for one-sentence messages: three significant digits,
/// scientific notation without padding for very small or large magnitudes (`2e-4`, `1.5e6`).
enum NumberText {
    /// `2.31`, `48.2`, `0.0312`, `1e-3`, `2e-4`, `nan`.
    static func short(_ x: Double, digits: Int = 3) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude < 1e-2 || magnitude >= 1e6 {
            let exponent = Int(floor(log10(magnitude)))
            var mantissa = x / pow(10, Double(exponent))
            var e = exponent
            // Rounding can carry the mantissa to 10.
            let rounded = (mantissa * pow(10, Double(digits - 1))).rounded() / pow(10, Double(digits - 1))
            mantissa = rounded
            if abs(mantissa) >= 10 { mantissa /= 10; e += 1 }
            return trimZeros(String(format: "%.\(digits - 1)f", mantissa)) + "e\(e)"
        }
        let exponent = Int(floor(log10(magnitude)))
        let decimals = max(0, digits - 1 - exponent)
        return trimZeros(String(format: "%.\(decimals)f", x))
    }

    /// A fraction as a percentage with one decimal: `0.734` → `73.4%`.
    static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", fraction * 100)
    }

    /// Bytes in decimal units (1 GB = 10⁹ bytes), three significant digits: `26.9 GB`.
    static func bytes(_ count: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = count
        var index = 0
        while abs(value) >= 1000 && index < units.count - 1 {
            value /= 1000
            index += 1
        }
        return short(value) + " " + units[index]
    }

    /// Seconds as `850 ms`, `12.3 s`, `4.2 min`, `3.1 h`.
    static func duration(_ seconds: Double) -> String {
        if !seconds.isFinite { return "unknown" }
        if seconds < 1 { return short(seconds * 1000) + " ms" }
        if seconds < 120 { return short(seconds) + " s" }
        if seconds < 7200 { return short(seconds / 60) + " min" }
        return short(seconds / 3600) + " h"
    }

    private static func trimZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = text
        while result.hasSuffix("0") { result.removeLast() }
        if result.hasSuffix(".") { result.removeLast() }
        return result
    }
}
