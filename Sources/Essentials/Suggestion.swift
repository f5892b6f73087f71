/// The candidate closest to `word`, for a "did you mean" hint, or nil when none is close.
///
/// Case is ignored. A candidate qualifies when its edit distance is small for the word's length
/// (1 for words of up to 4 characters, 2 up to 8, then 3) and smaller than both lengths, so a
/// short word is never "corrected" into an unrelated one. Failing that, a word of three or more
/// characters that starts exactly one shortest candidate (`temp` → `temperature`) suggests it.
/// Ties go to the candidate whose length is nearest, then to the first in order.
///
/// To suggest canonical names through aliases (`lerning_rate` → `learning_rate` → `lr`), use
/// `suggest(_:aliases:)`.
public func suggest(_ word: String, from candidates: some Sequence<String>) -> String? {
    let typed = Array(word.lowercased())
    guard !typed.isEmpty else { return nil }
    let limit = typed.count <= 4 ? 1 : typed.count <= 8 ? 2 : 3
    var best: (candidate: String, distance: Int, lengthGap: Int)?
    var prefixMatch: String?
    for candidate in candidates {
        let lowered = Array(candidate.lowercased())
        guard !lowered.isEmpty else { continue }
        let distance = editDistance(typed, lowered)
        let lengthGap = abs(lowered.count - typed.count)
        if distance <= limit, distance == 0 || distance < min(typed.count, lowered.count) {
            if best == nil || (distance, lengthGap) < (best!.distance, best!.lengthGap) {
                best = (candidate, distance, lengthGap)
            }
        }
        if typed.count >= 3, lowered.count > typed.count, lowered.starts(with: typed),
           prefixMatch == nil || lowered.count < prefixMatch!.count {
            prefixMatch = candidate
        }
    }
    return best?.candidate ?? prefixMatch
}

/// Like `suggest(_:from:)` over the keys of `aliases`, returning the canonical name the nearest
/// alias stands for: with `["lr": "lr", "learning_rate": "lr"]`, `lerning_rate` gives `lr`.
public func suggest(_ word: String, aliases: [String: String]) -> String? {
    // Sorted so that ties resolve the same way on every run.
    suggest(word, from: aliases.keys.sorted()).flatMap { aliases[$0] }
}
