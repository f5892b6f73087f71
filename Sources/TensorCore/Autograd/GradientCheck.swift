/// Finite-difference gradient checking in Float64.
///
/// A kernel is checked through its Float64 instantiation: the scalar `L = Σ rᵢ yᵢ` with fixed random
/// weights `r` is differentiated numerically by central differences
/// `(L(x + h·eⱼ) − L(x − h·eⱼ)) / 2h` for every input element `j`, and compared with the analytic
/// gradient the backward pass gives for `dy = r`.
public enum GradientCheck {
    /// Per-input comparison of analytic and numeric gradients.
    public struct Result: Sendable, CustomStringConvertible {
        /// `max |analytic − numeric| / max(max |numeric|, 1e-12)` for each input.
        public let relativeErrors: [Double]
        /// `max |analytic − numeric|` for each input.
        public let absoluteErrors: [Double]

        public var worstRelativeError: Double { relativeErrors.max() ?? 0 }
        public func passes(tolerance: Double) -> Bool { relativeErrors.allSatisfy { $0 <= tolerance } }
        public var description: String {
            zip(relativeErrors, absoluteErrors).enumerated()
                .map { "input \($0.offset): rel \($0.element.0), abs \($0.element.1)" }.joined(separator: "; ")
        }
    }

    /// Checks `backward` against central differences of `forward`.
    ///
    /// - Parameters:
    ///   - inputs: the differentiable inputs, each flattened.
    ///   - checked: which inputs to differentiate (default all).
    ///   - epsilon: the step `h`.
    ///   - forward: inputs → flattened output.
    ///   - backward: `(dy, inputs)` → one gradient per input (same sizes as the inputs).
    public static func check(inputs: [[Double]], checked: Set<Int>? = nil, seed: UInt64 = 7, epsilon: Double = 1e-6,
                             forward: ([[Double]]) -> [Double],
                             backward: ([Double], [[Double]]) -> [[Double]]) -> Result {
        let y0 = forward(inputs)
        var rng = RandomGenerator(seed: seed)
        let weights = (0..<y0.count).map { _ in 2 * rng.nextDouble() - 1 }
        func objective(_ xs: [[Double]]) -> Double {
            zip(forward(xs), weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let analytic = backward(weights, inputs)
        precondition(analytic.count == inputs.count, "backward returned \(analytic.count) gradients for \(inputs.count) inputs")
        var relative = [Double](), absolute = [Double]()
        for (index, input) in inputs.enumerated() {
            guard checked?.contains(index) ?? true else { relative.append(0); absolute.append(0); continue }
            precondition(analytic[index].count == input.count, "gradient \(index) has \(analytic[index].count) values, input has \(input.count)")
            var xs = inputs
            var maxDiff = 0.0, maxNumeric = 0.0
            for j in 0..<input.count {
                let original = xs[index][j]
                xs[index][j] = original + epsilon
                let plus = objective(xs)
                xs[index][j] = original - epsilon
                let minus = objective(xs)
                xs[index][j] = original
                let numeric = (plus - minus) / (2 * epsilon)
                maxDiff = max(maxDiff, abs(numeric - analytic[index][j]))
                maxNumeric = max(maxNumeric, abs(numeric))
            }
            relative.append(maxDiff / max(maxNumeric, 1e-12))
            absolute.append(maxDiff)
        }
        return Result(relativeErrors: relative, absoluteErrors: absolute)
    }
}
