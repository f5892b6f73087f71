import XCTest
@testable import TensorCore

/// A Float64/Float32/Int32 buffer so tests can hand kernels raw pointers. Its memory is never
/// freed: under -O an object may be released right after its last use (the `.pointer` read),
/// before the kernel that received the pointer runs; test buffers are small, so they simply live on.
final class Buffer<T> {
    let pointer: UnsafeMutablePointer<T>
    let count: Int
    init(_ values: [T]) {
        count = values.count
        pointer = .allocate(capacity: max(count, 1))
        values.withUnsafeBufferPointer { if count > 0 { pointer.initialize(from: $0.baseAddress!, count: count) } }
    }
    convenience init(repeating value: T, count: Int) { self.init([T](repeating: value, count: count)) }
    var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

func randomDoubles(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
    var rng = RandomGenerator(seed: seed)
    return (0..<count).map { _ in scale * (2 * rng.nextDouble() - 1) }
}

func assertClose<T: BinaryFloatingPoint>(_ a: [T], _ b: [T], atol: Double, rtol: Double = 0, _ message: String = "",
                                         file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "count \(message)", file: file, line: line)
    var worst = 0.0, worstIndex = -1
    for i in 0..<min(a.count, b.count) {
        let diff = abs(Double(a[i]) - Double(b[i])) - rtol * abs(Double(b[i]))
        if diff > worst { worst = diff; worstIndex = i }
    }
    XCTAssertLessThanOrEqual(worst, atol, "\(message): worst at \(worstIndex): \(worstIndex >= 0 ? "\(a[worstIndex]) vs \(b[worstIndex])" : "")",
                             file: file, line: line)
}

/// Checks a Float64 kernel's backward against central differences; tolerance 1e-6 relative.
func assertGradients(_ inputs: [[Double]], checked: Set<Int>? = nil, tolerance: Double = 1e-6,
                     file: StaticString = #filePath, line: UInt = #line,
                     forward: ([[Double]]) -> [Double], backward: ([Double], [[Double]]) -> [[Double]]) {
    let result = GradientCheck.check(inputs: inputs, checked: checked, forward: forward, backward: backward)
    XCTAssertTrue(result.passes(tolerance: tolerance), "gradient check failed: \(result)", file: file, line: line)
}
