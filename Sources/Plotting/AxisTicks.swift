import Foundation

/// "Nice" tick values: multiples of 1, 2 or 5 × 10^k on a linear axis, powers of ten (then 2×
/// and 5× them) on a log axis.
public enum AxisTicks {
    /// Tick values inside `lower…upper`, as close to `target` in number as nice steps allow
    /// (ties go to the wider step).
    public static func linear(lower: Double, upper: Double, target: Int) -> [Double] {
        linearWithStep(lower: lower, upper: upper, target: target).values
    }

    /// Linear ticks and the step between them (the step decides how many decimals a label needs).
    public static func linearWithStep(lower: Double, upper: Double, target: Int) -> (values: [Double], step: Double) {
        guard lower.isFinite, upper.isFinite, upper > lower, (upper - lower).isFinite else {
            return lower.isFinite ? ([lower], 1) : ([], 1)
        }
        let target = max(target, 2)
        let k0 = Int(floor(log10((upper - lower) / Double(target))))
        var best: (count: Int, k: Int, m: Int)? = nil
        for k in (k0 - 1)...(k0 + 2) {
            for m in [1, 2, 5] {
                let step = Double(m) * power10(k)
                // Tick indices must stay small integers.
                guard max(abs(lower), abs(upper)) / step < 1e12 else { continue }
                let count = Int(floor(upper / step + 1e-9)) - Int(ceil(lower / step - 1e-9)) + 1
                guard count >= 1 else { continue }
                if let b = best {
                    let d = abs(count - target), bd = abs(b.count - target)
                    // Candidates come in increasing step order: a tie goes to the wider step.
                    if d <= bd { best = (count, k, m) }
                } else {
                    best = (count, k, m)
                }
            }
        }
        guard let b = best else { return ([], 1) }
        let step = Double(b.m) * power10(b.k)
        let first = Int(ceil(lower / step - 1e-9))
        let last = Int(floor(upper / step + 1e-9))
        // i·m·10^k computed as one rounding (i·m is exact), so 3 × 0.1 reads 0.3.
        let values = (first...last).map { i -> Double in
            let n = Double(i * b.m)
            return b.k >= 0 ? n * power10(b.k) : n / power10(-b.k)
        }
        return (values, step)
    }

    /// Ticks for a log axis spanning `lower…upper` (values, both > 0): the powers of ten inside,
    /// thinned to about `target`; with fewer than two decades inside, 2× and 5× too; with still
    /// fewer than two, linear ticks.
    public static func log(lower: Double, upper: Double, target: Int) -> [Double] {
        guard lower > 0, upper > lower, lower.isFinite, upper.isFinite else { return [] }
        let a = log10(lower), b = log10(upper)
        let eps = 1e-9
        let firstDecade = Int(ceil(a - eps))
        let lastDecade = Int(floor(b + eps))
        let decades: [Int] = firstDecade <= lastDecade ? Array(firstDecade...lastDecade) : []
        if decades.count >= 2 {
            let every = max(1, Int(ceil(Double(decades.count) / Double(max(target, 2)))))
            return decades.filter { $0 % every == 0 }.map(power10)
        }
        var values: [Double] = []
        for k in Int(floor(a))...Int(ceil(b)) {
            for m in [1.0, 2.0, 5.0] {
                let v = m * power10(k)
                if log10(v) >= a - eps && log10(v) <= b + eps { values.append(v) }
            }
        }
        if values.count >= 2 { return values }
        return linear(lower: lower, upper: upper, target: target).filter { $0 > 0 }
    }

    /// 10^k exactly as the decimal literal `1ek` reads.
    static func power10(_ k: Int) -> Double { Double("1e\(k)") ?? pow(10, Double(k)) }
}
