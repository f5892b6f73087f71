import Foundation
@testable import Plotting

/// Charts the tests share.
enum Fixtures {
    /// Three learning rates over 60 steps, the largest diverging at step 17 (as in the format example).
    static func sweep() -> Chart {
        func curve(_ start: Double, _ end: Double, _ rate: Double, steps: Int = 61) -> [Double?] {
            (0..<steps).map { (s: Int) -> Double? in
                let t = Double(s)
                return end + (start - end) * exp(-rate * t) + 0.05 * sin(t * 1.7)
            }
        }
        var diverging: [Double?] = (0...16).map { (s: Int) -> Double? in
            let t = Double(s)
            return 5.5 - 0.04 * t + 0.004 * t * t
        }
        diverging += [Double.nan, .infinity, nil]
        return Chart(title: "training loss", xLabel: "step", yLabel: "loss", series: [
            Series(name: "lr=3e-4", values: curve(5.5, 4.8, 0.03)),
            Series(name: "lr=3e-3", values: curve(5.5, 2.4, 0.08)),
            Series(name: "lr=3e-2", values: diverging, markers: [.diverged(at: 17)]),
        ])
    }
}
