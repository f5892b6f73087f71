import Foundation

/// Valid values of a number, with the sentence that explains a violation:
/// "must be greater than 0", "must be at least 1", "must be between 0 and 1".
public struct NumericRange: Sendable, Hashable {
    public var lower: Double?
    public var lowerInclusive: Bool
    public var upper: Double?
    public var upperInclusive: Bool

    public init(lower: Double? = nil, lowerInclusive: Bool = true, upper: Double? = nil, upperInclusive: Bool = true) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.upperInclusive = upperInclusive
    }

    /// Any finite number.
    public static let any = NumericRange()
    /// `> 0`.
    public static let positive = NumericRange(lower: 0, lowerInclusive: false)
    /// `>= 0`.
    public static let nonNegative = NumericRange(lower: 0)
    /// `[low, high]`.
    public static func closed(_ low: Double, _ high: Double) -> NumericRange { NumericRange(lower: low, upper: high) }
    /// `>= low`.
    public static func atLeast(_ low: Double) -> NumericRange { NumericRange(lower: low) }

    public func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        if let lower, lowerInclusive ? value < lower : value <= lower { return false }
        if let upper, upperInclusive ? value > upper : value >= upper { return false }
        return true
    }

    /// "greater than 0", "at least 1", "between 0 and 1", "from 0 up to (not including) 1".
    public var phrase: String {
        let lo = lower.map(NumberText.short), hi = upper.map(NumberText.short)
        switch (lo, hi) {
        case (nil, nil): return "a finite number"
        case let (lo?, nil): return lowerInclusive ? "at least \(lo)" : "greater than \(lo)"
        case let (nil, hi?): return upperInclusive ? "at most \(hi)" : "less than \(hi)"
        case let (lo?, hi?):
            if lowerInclusive && upperInclusive { return "between \(lo) and \(hi)" }
            if lowerInclusive { return "at least \(lo) and less than \(hi)" }
            if upperInclusive { return "greater than \(lo) and at most \(hi)" }
            return "greater than \(lo) and less than \(hi)"
        }
    }

    /// The broken bound only: "lr must be greater than 0 (got -1)", "dropout must be less than 1 (got 1)".
    public func violation(_ value: Double, name: String) -> String {
        let shown = NumberText.short(value)
        if value.isFinite, let lower, lowerInclusive ? value < lower : value <= lower {
            return "\(name) must be \(lowerInclusive ? "at least" : "greater than") \(NumberText.short(lower)) (got \(shown))"
        }
        if value.isFinite, let upper, upperInclusive ? value > upper : value >= upper {
            return "\(name) must be \(upperInclusive ? "at most" : "less than") \(NumberText.short(upper)) (got \(shown))"
        }
        return "\(name) must be \(phrase) (got \(shown))"
    }
}

/// Numbers as a person writes them: `2e-4`, `0.05`, `64`, `1e+06` never; shortest round trip.
public enum NumberText {
    /// `2e-4`, `0.05`, `64`, `1000000`, `nan`.
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

    /// Five significant digits for statistics and values (`0.019984`, `-0.079123`, `1`).
    public static func stat(_ value: Double, digits: Int = 5) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        return String(format: "%.\(digits)g", value)
    }

    /// `109,056`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// `426.0 KiB`, `513.4 MiB`.
    public static func bytes(_ count: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
