/// Cuts a reply at the first of the request's `stop` texts, as the text streams in.
///
/// Pieces arrive token by token; text that could still be the start of a stop sequence is held
/// back until the next piece decides it, so a stream never sends what the full reply drops.
/// Matching is over Unicode scalars (a stop of `"\n"` also ends `"\r\n"`).
struct StopSequenceMatcher {
    private let stops: [[Unicode.Scalar]]
    /// The reply so far (ending before the stop text once one was found).
    private var scalars: [Unicode.Scalar] = []
    /// How much of `scalars` was handed out.
    private var emitted = 0
    /// Whether a stop text was found (the reply is complete).
    private(set) var stopped = false

    init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }.map { Array($0.unicodeScalars) }
    }

    /// The whole reply so far, without the stop text.
    var text: String { String(String.UnicodeScalarView(scalars)) }

    /// Adds `piece` and returns the text now safe to send (empty while a stop may be starting).
    mutating func push(_ piece: String) -> String {
        guard !stopped else { return "" }
        let before = scalars.count
        scalars.append(contentsOf: piece.unicodeScalars)
        if stops.isEmpty { return take(upTo: scalars.count) }
        var earliest: Int?
        for stop in stops {
            let from = max(0, before - stop.count + 1)
            if let at = Self.firstIndex(of: stop, in: scalars, from: from), at < (earliest ?? .max) { earliest = at }
        }
        if let earliest {
            scalars.removeSubrange(earliest...)
            stopped = true
            return take(upTo: scalars.count)
        }
        var held = 0
        for stop in stops {
            var k = min(stop.count - 1, scalars.count)
            while k > held {
                if scalars[(scalars.count - k)...].elementsEqual(stop[..<k]) { held = k; break }
                k -= 1
            }
        }
        return take(upTo: scalars.count - held)
    }

    /// The held-back text, once generation ended without a stop.
    mutating func finish() -> String { take(upTo: scalars.count) }

    private mutating func take(upTo end: Int) -> String {
        guard end > emitted else { return "" }
        let out = String(String.UnicodeScalarView(scalars[emitted..<end]))
        emitted = end
        return out
    }

    static func firstIndex(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for i in start...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
