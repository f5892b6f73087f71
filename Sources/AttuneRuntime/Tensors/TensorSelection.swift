import AttuneLanguage

/// A slice of a row-major tensor chosen by `[…]` items as written after a tensor path:
/// an index picks one position and drops the dimension, `start:end:step` keeps a range
/// (negative bounds count from the end, bounds are clamped as in Python, the step must be
/// positive). Dimensions without an item are kept whole.
public struct TensorSelection: Sendable, Equatable {
    /// Positions kept along each dimension of the source.
    public let positions: [[Int]]
    /// Which source dimensions remain in the result (index items drop theirs).
    public let keptDimensions: [Bool]

    /// The shape of the selected values.
    public var shape: [Int] { zip(positions, keptDimensions).filter(\.1).map(\.0.count) }

    /// Checks `items` against `shape`.
    public init(items: [SliceItem], shape: [Int], name: String) throws(CommandError) {
        guard items.count <= shape.count else {
            throw .invalidValue("\(name) has \(shape.count) dimension\(shape.count == 1 ? "" : "s") \(shape), the slice has \(items.count) items", at: nil)
        }
        var positions: [[Int]] = []
        var kept: [Bool] = []
        for (dimension, size) in shape.enumerated() {
            guard dimension < items.count else {
                positions.append(Array(0..<size))
                kept.append(true)
                continue
            }
            switch items[dimension] {
            case .index(let raw):
                let index = raw < 0 ? size + raw : raw
                guard index >= 0, index < size else {
                    throw .invalidValue("index \(raw) is outside dimension \(dimension) of \(name), which has size \(size)", at: nil)
                }
                positions.append([index])
                kept.append(false)
            case .range(let start, let end, let step):
                let stride = step ?? 1
                guard stride > 0 else {
                    throw .invalidValue("the slice step must be positive (got \(stride))", at: nil)
                }
                func clamp(_ bound: Int?, _ fallback: Int) -> Int {
                    guard let bound else { return fallback }
                    let value = bound < 0 ? size + bound : bound
                    return Swift.min(Swift.max(value, 0), size)
                }
                let low = clamp(start, 0), high = clamp(end, size)
                positions.append(low < high ? Array(Swift.stride(from: low, to: high, by: stride)) : [])
                kept.append(true)
            }
        }
        self.positions = positions
        self.keptDimensions = kept
    }

    /// The selected values in row-major order of the result, read through `value(flatIndex)`.
    public func gather(shape: [Int], limit: Int = .max, _ value: (Int) -> Float) -> [Float] {
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
        var result: [Float] = []
        guard positions.allSatisfy({ !$0.isEmpty }) else { return result }
        var counters = [Int](repeating: 0, count: positions.count)
        while result.count < limit {
            var flat = 0
            for d in 0..<positions.count { flat += positions[d][counters[d]] * strides[d] }
            result.append(value(flat))
            var d = positions.count - 1
            while d >= 0 {
                counters[d] += 1
                if counters[d] < positions[d].count { break }
                counters[d] = 0
                d -= 1
            }
            if d < 0 { break }
        }
        return result
    }

    /// Number of selected values.
    public var count: Int { positions.reduce(1) { $0 * $1.count } }
}
