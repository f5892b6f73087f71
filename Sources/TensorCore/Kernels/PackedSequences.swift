/// Rows that each hold several sequences back to back (packing), described by a segment id per
/// token: `ids [B·T]`, row-major, `0, 1, …` per sequence within a row and `−1` for padding.
///
/// A segment is a run of consecutive tokens of one row with the same id. A token attends only to
/// earlier tokens of its own segment (block-diagonal causal attention) and its rotary position
/// counts from its segment's first token: `positions[b·T + t] = t − start(segment of t)`. Padding
/// belongs to no segment: its attention output is 0 and no token attends to it.
///
/// `AttentionKernel` runs each segment as a sequence of its own, so a packed row computes the
/// same values as its examples in separate rows.
public struct PackedSequences: Sendable, Hashable {
    /// Tokens `start ..< start + count` of row `row`.
    public struct Segment: Sendable, Hashable {
        public let row: Int, start: Int, count: Int
    }

    /// Rows `B` and tokens per row `T`.
    public let rows: Int, tokens: Int
    /// The segments in row order, then token order; padding is in none.
    public let segments: [Segment]
    /// `[B·T]` position of each token within its segment (0 for padding).
    public let positions: [Int]

    /// Cuts `B = rows` rows of `ids.count / rows` tokens into segments. Each non-negative id must
    /// form one run of consecutive tokens in its row (a programmer error otherwise: the batch
    /// builder writes them so).
    public init(segmentIDs ids: [Int], rows: Int) {
        precondition(rows > 0 && ids.count % rows == 0, "PackedSequences: \(ids.count) segment ids do not form \(rows) equal rows")
        let tokens = ids.count / rows
        var segments = [Segment](), positions = [Int](repeating: 0, count: ids.count)
        for row in 0..<rows {
            var seen = Set<Int>()
            var t = 0
            while t < tokens {
                let id = ids[row * tokens + t]
                var end = t + 1
                while end < tokens && ids[row * tokens + end] == id { end += 1 }
                if id >= 0 {
                    precondition(seen.insert(id).inserted, "PackedSequences: segment \(id) of row \(row) is not one run of consecutive tokens")
                    segments.append(Segment(row: row, start: t, count: end - t))
                    for i in t..<end { positions[row * tokens + i] = i - t }
                }
                t = end
            }
        }
        self.rows = rows
        self.tokens = tokens
        self.segments = segments
        self.positions = positions
    }

    /// The layout of row `row` alone (a batch of one row).
    public func row(_ row: Int) -> PackedSequences {
        precondition(row >= 0 && row < rows, "PackedSequences: row \(row) of \(rows)")
        var ids = [Int](repeating: -1, count: tokens)
        for (index, segment) in segments.enumerated() where segment.row == row {
            for t in segment.start..<(segment.start + segment.count) { ids[t] = index }
        }
        return PackedSequences(segmentIDs: ids, rows: 1)
    }

    /// Whether the token at `query` may attend to the token at `key` of row `row`: same segment,
    /// not later, not padding.
    public func attends(row: Int, query: Int, key: Int) -> Bool {
        segments.contains { $0.row == row && $0.start <= key && key <= query && query < $0.start + $0.count }
    }
}
