/// The span of the y axis.
public enum YRange: Sendable, Equatable, Codable {
    /// From the smallest to the largest drawn value, widened by `padding` × the span on each side
    /// (in the axis space, so a log axis is padded by a ratio).
    case auto(padding: Double)
    /// Exactly `lower…upper` (values outside are clipped at the plot's edge).
    case fixed(lower: Double, upper: Double)

    /// Auto with 5% padding each side.
    public static let automatic = YRange.auto(padding: 0.05)
}
