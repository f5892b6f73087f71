import Essentials
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

/// Numbers as a person reads them (`2e-4`, `109,056`, `513.4 MiB`): Essentials' `NumberText`,
/// named here so AttuneRuntime's files need no extra import.
public typealias NumberText = Essentials.NumberText
