/// The optimal-string-alignment distance between two words: the number of insertions,
/// deletions, substitutions and swaps of adjacent characters that turn one into the other
/// (each substring edited at most once). Compares characters exactly; `suggest` lowercases first.
public func editDistance(_ a: String, _ b: String) -> Int {
    editDistance(Array(a), Array(b))
}

/// The same distance over character arrays (callers that compare many words lowercase once).
/// Dynamic programming over three rows (the swap rule looks two rows back).
public func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var twoBack = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = a[i - 1] == b[j - 1] ? 0 : 1
            var cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                cost = min(cost, twoBack[j - 2] + 1)
            }
            current[j] = cost
        }
        (twoBack, previous, current) = (previous, current, twoBack)
    }
    return previous[b.count]
}
