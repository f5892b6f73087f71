import Foundation

/// How y values map to height.
public enum YScale: String, Sendable, Codable, Equatable {
    /// Equal differences, equal distances.
    case linear
    /// Equal ratios, equal distances (base 10). Values ≤ 0 cannot be drawn and are skipped.
    case log

    /// The value in the space where the axis is linear, or `nil` when it cannot be drawn.
    func transform(_ y: Double) -> Double? {
        switch self {
        case .linear: return y.isFinite ? y : nil
        case .log: return y.isFinite && y > 0 ? Foundation.log10(y) : nil
        }
    }

    /// Back from the linear axis space to a value.
    func inverse(_ t: Double) -> Double {
        switch self {
        case .linear: return t
        case .log: return Foundation.pow(10, t)
        }
    }
}
