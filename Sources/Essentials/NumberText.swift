import Foundation

/// Numbers as Attune prints them to people. One unit convention: byte counts in binary units
/// (1 KiB = 1024 bytes, MiB, GiB, TiB) with one decimal, everywhere (`estimate`, the `train` plan,
/// model summaries). Exact machine-readable numbers are `JSONValue.numberText`'s job.
public enum NumberText {
    /// A number as a person writes it, exact to six significant digits: whole numbers plain
    /// (`64`, `1000000`), small and huge ones in short scientific form (`2e-4`, `1.5e15`), others
    /// as their shortest round trip (`0.05`); `nan`, `inf`, `-inf`.
    public static func short(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let magnitude = abs(value)
        if magnitude < 1e-3 || magnitude >= 1e15 {
            // Scientific with the shortest mantissa: 0.0002 → 2e-4.
            var exponent = Int(floor(log10(magnitude)))
            var mantissa = value / pow(10, Double(exponent))
            if abs(mantissa) >= 10 { mantissa /= 10; exponent += 1 }
            var rounded = (mantissa * 1e6).rounded() / 1e6
            if abs(rounded) >= 10 { rounded /= 10; exponent += 1 }
            var text = "\(rounded)"
            if text.hasSuffix(".0") { text.removeLast(2) }
            return "\(text)e\(exponent)"
        }
        return "\(value)"
    }

    /// `digits` significant digits for one-sentence messages, trailing zeros dropped, scientific
    /// below 0.01 and from 10⁶ on: `2.31`, `48.2`, `0.0312`, `1e-3`, `2e-4`, `1.5e6`, `nan`.
    public static func significant(_ x: Double, digits: Int = 3) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude < 1e-2 || magnitude >= 1e6 {
            var exponent = Int(floor(log10(magnitude)))
            var mantissa = (x / pow(10, Double(exponent)) * pow(10, Double(digits - 1))).rounded() / pow(10, Double(digits - 1))
            // Rounding can carry the mantissa to 10.
            if abs(mantissa) >= 10 { mantissa /= 10; exponent += 1 }
            return trimZeros(String(format: "%.\(digits - 1)f", mantissa)) + "e\(exponent)"
        }
        let exponent = Int(floor(log10(magnitude)))
        let decimals = max(0, digits - 1 - exponent)
        return trimZeros(String(format: "%.\(decimals)f", x))
    }

    /// Five significant digits for statistics and values (`0.019984`, `-0.079123`, `1`).
    public static func stat(_ value: Double, digits: Int = 5) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        return String(format: "%.\(digits)g", value)
    }

    /// `109,056`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A byte count in binary units with one decimal: `512 bytes`, `426.0 KiB`, `513.4 MiB`,
    /// `25.1 GiB`.
    public static func bytes(_ count: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while abs(value) >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) bytes" : String(format: "%.1f %@", value, units[unit])
    }

    /// A byte count estimated as a real number, rounded to whole bytes, in binary units (`bytes(_:)`).
    public static func bytes(_ count: Double) -> String {
        guard count.isFinite, abs(count) < 9e18 else { return "\(short(count)) bytes" }
        return bytes(Int(count.rounded()))
    }

    /// A fraction as a percentage with one decimal: `0.734` → `73.4%`.
    public static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", fraction * 100)
    }

    /// Seconds as `850 ms`, `12.3 s`, `4.2 min`, `3.1 h` (three significant digits).
    public static func duration(_ seconds: Double) -> String {
        if !seconds.isFinite { return "unknown" }
        if seconds < 1 { return significant(seconds * 1000) + " ms" }
        if seconds < 120 { return significant(seconds) + " s" }
        if seconds < 7200 { return significant(seconds / 60) + " min" }
        return significant(seconds / 3600) + " h"
    }

    private static func trimZeros(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = text
        while result.hasSuffix("0") { result.removeLast() }
        if result.hasSuffix(".") { result.removeLast() }
        return result
    }
}
