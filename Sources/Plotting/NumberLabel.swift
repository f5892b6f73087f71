import Foundation

/// Short numbers for axes and notes: `0`, `2.5`, `30`, `0.01`, `3e-4`, `2e5`.
public enum NumberLabel {
    /// A tick on a linear axis whose ticks are `step` apart: as many decimals as the step needs,
    /// exponent form for very small or very large magnitudes.
    public static func tick(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        let stepExp = Int(floor(log10(abs(step)) + 1e-9))
        let magnitude = max(abs(value), abs(step))
        if magnitude >= 1e5 || magnitude < 1e-3 {
            let e = Int(floor(log10(abs(value)) + 1e-9))
            return exponent(value, exp: e, decimals: max(0, e - stepExp))
        }
        return fixed(value, decimals: max(0, -stepExp))
    }

    /// A tick on a log axis (a power of ten or 2×/5× one): plain between 0.01 and 9999,
    /// exponent form outside (`1e-3`, `5e4`).
    public static func logTick(_ value: Double) -> String {
        let e = Int(floor(log10(value) + 1e-9))
        if e >= -2 && e <= 3 { return plain(value) }
        return trimmed(exponent(value, exp: e, decimals: 2))
    }

    /// A value in running text: integers without a fraction (`17`), others in their shortest
    /// form with at most 4 significant digits, exponent form when tiny or huge.
    public static func plain(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let e = Int(floor(log10(abs(value)) + 1e-9))
        if e < -3 || e >= 6 { return trimmed(exponent(value, exp: e, decimals: 3)) }
        return trimmed(fixed(value, decimals: max(0, 3 - e)))
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        let s = String(format: "%.\(decimals)f", value)
        return s == "-0" ? "0" : s
    }

    static func exponent(_ value: Double, exp e: Int, decimals: Int) -> String {
        var mantissa = value / AxisTicks.power10(e)
        var e = e
        // Rounding can carry into the next decade (9.99 → 10.0).
        if abs((mantissa * AxisTicks.power10(decimals)).rounded()) >= 10 * AxisTicks.power10(decimals) {
            mantissa /= 10
            e += 1
        }
        return fixed(mantissa, decimals: decimals) + "e\(e)"
    }

    /// Drops trailing zeros of a fraction (`2.500` → `2.5`, `3.000e-4` → `3e-4`).
    static func trimmed(_ s: String) -> String {
        let parts = s.split(separator: "e", maxSplits: 1).map(String.init)
        var m = parts[0]
        if m.contains(".") {
            while m.hasSuffix("0") { m.removeLast() }
            if m.hasSuffix(".") { m.removeLast() }
        }
        return parts.count == 2 ? m + "e" + parts[1] : m
    }
}
