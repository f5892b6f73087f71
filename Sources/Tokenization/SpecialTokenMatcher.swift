/// Finds added and control tokens written inside text (`<|im_start|>`), longest match first,
/// so they are split out before pre-tokenization.
struct SpecialTokenMatcher: Sendable {
    /// Candidates grouped by first byte, longest first.
    private let candidates: [[(bytes: [UInt8], id: Int32)]]

    init(tokens: [(text: String, id: Int32)]) {
        var groups = [[(bytes: [UInt8], id: Int32)]](repeating: [], count: 256)
        for (text, id) in tokens where !text.isEmpty {
            let bytes = Array(text.utf8)
            groups[Int(bytes[0])].append((bytes, id))
        }
        candidates = groups.map { $0.sorted { $0.bytes.count > $1.bytes.count } }
    }

    /// A text segment or a matched token, over byte ranges of the input.
    enum Segment: Equatable {
        case text(Range<Int>)
        case token(Int32, Range<Int>)
    }

    /// Splits `bytes` into text segments and matched tokens, in order.
    func segments(of bytes: UnsafeBufferPointer<UInt8>) -> [Segment] {
        var result = [Segment]()
        var textStart = 0, i = 0
        let n = bytes.count
        while i < n {
            let group = candidates[Int(bytes[i])]
            var matched: (length: Int, id: Int32)?
            if !group.isEmpty {
                for candidate in group where candidate.bytes.count <= n - i {
                    var equal = true
                    for k in 1..<candidate.bytes.count where bytes[i + k] != candidate.bytes[k] { equal = false; break }
                    if equal { matched = (candidate.bytes.count, candidate.id); break }
                }
            }
            if let (length, id) = matched {
                if textStart < i { result.append(.text(textStart..<i)) }
                result.append(.token(id, i..<(i + length)))
                i += length; textStart = i
            } else {
                i += 1
            }
        }
        if textStart < n { result.append(.text(textStart..<n)) }
        return result
    }
}
