/// Prints numbers the way a user would type them: whole numbers without a fraction.
enum NumberFormatting {
    static func text(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return "\(value)"
    }
}
