/// Merge rules of a BPE vocabulary: for a pair of adjacent token ids, the rank of the merge
/// (lower merges first) and the id it produces.
struct BPEMergeTable: Sendable {
    /// `left << 32 | right` → `rank << 32 | merged`.
    private var rules: [UInt64: UInt64] = [:]

    var count: Int { rules.count }

    /// Adds a rule unless the pair already has one (the earlier, lower rank wins).
    mutating func add(left: Int32, right: Int32, merged: Int32, rank: UInt32) {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        if rules[key] == nil { rules[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged)) }
    }

    /// The rule for `left right`, if any.
    @inline(__always)
    func rule(_ left: Int32, _ right: Int32) -> (rank: UInt32, merged: Int32)? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        guard let value = rules[key] else { return nil }
        return (UInt32(value >> 32), Int32(bitPattern: UInt32(truncatingIfNeeded: value)))
    }

    /// Applies merges to `symbols` (token ids, with the byte offset each starts at) until no
    /// adjacent pair has a rule: always the lowest rank first, the leftmost among equals.
    func apply(_ symbols: inout [Int32], _ offsets: inout [Int32]) {
        if symbols.count < 2 { return }
        if symbols.count <= 48 { applyByScanning(&symbols, &offsets) } else { applyWithHeap(&symbols, &offsets) }
    }

    /// Quadratic scan; fastest for the short pieces a pre-tokenizer produces.
    private func applyByScanning(_ symbols: inout [Int32], _ offsets: inout [Int32]) {
        while symbols.count > 1 {
            var bestRank = UInt32.max, bestIndex = -1, bestMerged: Int32 = 0
            for k in 0..<(symbols.count - 1) {
                if let rule = rule(symbols[k], symbols[k + 1]), rule.rank < bestRank {
                    bestRank = rule.rank; bestIndex = k; bestMerged = rule.merged
                }
            }
            if bestIndex < 0 { return }
            symbols[bestIndex] = bestMerged
            symbols.remove(at: bestIndex + 1)
            offsets.remove(at: bestIndex + 1)
        }
    }

    /// Linked list plus a min-heap of candidate pairs keyed by (rank, position): O(n log n) for
    /// long pieces (SentencePiece segments, long runs of one character class).
    private func applyWithHeap(_ symbols: inout [Int32], _ offsets: inout [Int32]) {
        let n = symbols.count
        var next = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = i + 1 < n ? Int32(i + 1) : -1 }
            count = n
        }
        var previous = (0..<n).map { Int32($0) - 1 }
        var alive = [Bool](repeating: true, count: n)
        var heap = MinHeap()
        for i in 0..<(n - 1) {
            if let rule = rule(symbols[i], symbols[i + 1]) { heap.push(UInt64(rule.rank) << 32 | UInt64(i)) }
        }
        while let top = heap.pop() {
            let rank = UInt32(top >> 32), position = Int(UInt32(truncatingIfNeeded: top))
            guard alive[position] else { continue }
            let right = Int(next[position])
            guard right >= 0, let rule = rule(symbols[position], symbols[right]), rule.rank == rank else { continue }
            symbols[position] = rule.merged
            alive[right] = false
            next[position] = next[right]
            if next[right] >= 0 { previous[Int(next[right])] = Int32(position) }
            let before = Int(previous[position])
            if before >= 0, let r = self.rule(symbols[before], symbols[position]) {
                heap.push(UInt64(r.rank) << 32 | UInt64(before))
            }
            let after = Int(next[position])
            if after >= 0, let r = self.rule(symbols[position], symbols[after]) {
                heap.push(UInt64(r.rank) << 32 | UInt64(position))
            }
        }
        var outSymbols = [Int32](), outOffsets = [Int32]()
        var i = 0
        while i >= 0 && i < n {
            outSymbols.append(symbols[i]); outOffsets.append(offsets[i])
            i = Int(next[i])
        }
        symbols = outSymbols; offsets = outOffsets
    }
}

/// A binary min-heap of packed `rank << 32 | position` keys.
private struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ item: UInt64) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if items[parent] <= items[child] { break }
            items.swapAt(parent, child); child = parent
        }
    }

    mutating func pop() -> UInt64? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < items.count && items[left] < items[smallest] { smallest = left }
                if right < items.count && items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest); parent = smallest
            }
        }
        return first
    }
}
