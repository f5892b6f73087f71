/// A one-line summary for `model info`.
extension BPETokenizer: CustomStringConvertible {
    public var description: String {
        let kind: String
        switch variant {
        case .byteLevel: kind = "byte-level BPE, pre-tokenizer \(preTokenizer.rawValue)"
        case .sentencePiece(let prefix): kind = "SentencePiece-style BPE with byte fallback, space prefix \(prefix.rawValue)"
        }
        let special = kinds.filter { $0 == .control }.count
        return "\(kind), \(vocabularySize) tokens, \(mergeCount) merges, \(special) control tokens"
    }
}
