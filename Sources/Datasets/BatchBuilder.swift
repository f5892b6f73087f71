import Essentials
/// Groups rendered examples into batches: by similar length (little padding), or packed
/// several to a row (no padding beyond the last example of a row), in a seeded order.
public struct BatchBuilder: Sendable {
    public var batchSize: Int
    /// Row length when packing; rows are never longer than this.
    public var sequenceLength: Int
    public var packing: Bool
    public var seed: UInt64
    /// Id used for padding.
    public var padID: Int

    public init(batchSize: Int, sequenceLength: Int, packing: Bool = false, seed: UInt64 = 0, padID: Int = 0) {
        self.batchSize = batchSize; self.sequenceLength = sequenceLength; self.packing = packing
        self.seed = seed; self.padID = padID
    }

    /// The batches of one epoch. Examples longer than the sequence length are cut.
    public func batches(_ examples: [RenderedExample]) throws -> [TokenBatch] {
        guard batchSize > 0, sequenceLength > 1 else {
            throw DatasetError.invalidArgument("batch size must be ≥ 1 and sequence length ≥ 2 (got batch=\(batchSize), seq=\(sequenceLength))")
        }
        let items = examples.map { example -> RenderedExample in
            guard example.count > sequenceLength else { return example }
            var cut = example
            cut.ids.removeLast(example.count - sequenceLength)
            cut.trainable.removeLast(example.count - sequenceLength)
            return cut
        }
        var rows: [[Int]]   // indices into items, per row
        if packing {
            rows = Self.pack(items.map(\.count), capacity: sequenceLength)
        } else {
            let byLength = items.indices.sorted { (items[$0].count, $0) < (items[$1].count, $1) }
            rows = byLength.map { [$0] }
        }
        // Rows of similar length go together (they already are, sorted); shuffle whole batches.
        var groups = stride(from: 0, to: rows.count, by: batchSize).map { Array(rows[$0..<min($0 + batchSize, rows.count)]) }
        var generator = SplitMix64(seed: seed)
        generator.shuffle(&groups)
        return groups.map { makeBatch($0, items) }
    }

    /// First-fit decreasing: each length goes into the first row with room for it.
    static func pack(_ lengths: [Int], capacity: Int) -> [[Int]] {
        let order = lengths.indices.sorted { (lengths[$0], $1) > (lengths[$1], $0) }
        var bins = [[Int]](), room = [Int]()
        for index in order {
            if let bin = room.firstIndex(where: { $0 >= lengths[index] }) {
                bins[bin].append(index); room[bin] -= lengths[index]
            } else {
                bins.append([index]); room.append(capacity - lengths[index])
            }
        }
        return bins
    }

    private func makeBatch(_ rows: [[Int]], _ items: [RenderedExample]) -> TokenBatch {
        let columns = packing ? sequenceLength : rows.map { $0.reduce(0) { $0 + items[$1].count } }.max() ?? 1
        let size = rows.count * columns
        var batch = TokenBatch(rows: rows.count, columns: columns,
                                  inputs: [Int](repeating: padID, count: size),
                                  targets: [Int](repeating: TokenBatch.ignored, count: size),
                                  positions: [Int](repeating: 0, count: size),
                                  segments: [Int](repeating: -1, count: size), lines: [])
        for (row, members) in rows.enumerated() {
            var column = 0
            for (segment, index) in members.enumerated() {
                let item = items[index]
                for t in 0..<item.count {
                    let at = row * columns + column + t
                    batch.inputs[at] = item.ids[t]
                    batch.positions[at] = t
                    batch.segments[at] = segment
                    if t + 1 < item.count && item.trainable[t + 1] { batch.targets[at] = item.ids[t + 1] }
                }
                column += item.count
            }
            batch.lines.append(members.map { items[$0].line })
        }
        return batch
    }
}
