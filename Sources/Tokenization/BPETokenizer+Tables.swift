/// Building the lookup tables of a `BPETokenizer`.
extension BPETokenizer {
    /// Token kinds from GGUF token types; unknown numbers are an error.
    static func kinds(from types: [Int]?, count: Int) throws -> [TokenKind] {
        guard let types else { return [TokenKind](repeating: .normal, count: count) }
        guard types.count == count else {
            throw TokenizationError.invalidTokenizer("\(types.count) token types for \(count) tokens")
        }
        return try types.enumerated().map { index, raw in
            guard let kind = TokenKind(rawValue: raw) else {
                throw TokenizationError.invalidTokenizer("token \(index) has unknown type \(raw)")
            }
            return kind
        }
    }

    /// The ids of a `"left right"` merge rule and of its result. A rule with several spaces is
    /// split at the first space where both halves are vocabulary entries.
    static func resolve(_ rule: String, _ ids: [ByteKey: Int32]) -> (Int32, Int32, Int32)? {
        let bytes = Array(rule.utf8)
        for (index, byte) in bytes.enumerated() where byte == 0x20 {
            let left = Array(bytes[..<index]), right = Array(bytes[(index + 1)...])
            if let l = ids[ByteKey(left)], let r = ids[ByteKey(right)], let m = ids[ByteKey(left + right)] {
                return (l, r, m)
            }
        }
        return nil
    }

    /// The ids of a merge given as two tokens (newer `tokenizer.json` files).
    static func resolve(_ left: String, _ right: String, _ ids: [ByteKey: Int32]) -> (Int32, Int32, Int32)? {
        guard let l = ids[ByteKey(left)], let r = ids[ByteKey(right)], let m = ids[ByteKey(left + right)] else { return nil }
        return (l, r, m)
    }

    /// `NN` of a `<0xNN>` byte-fallback token.
    static func byteFallbackValue(_ token: String) -> UInt8? {
        let utf8 = Array(token.utf8)
        guard utf8.count == 6, utf8[0] == 0x3C, utf8[1] == 0x30, utf8[2] == 0x78, utf8[5] == 0x3E else { return nil }
        return UInt8(String(decoding: utf8[3...4], as: UTF8.self), radix: 16)
    }

    /// The bytes a token decodes to.
    static func bytes(ofToken token: String, kind: TokenKind, variant: BPEVariant) -> [UInt8] {
        if kind.isMatchedInText { return Array(token.utf8) }
        switch variant {
        case .byteLevel:
            return ByteLevelAlphabet.decode(token) ?? Array(token.utf8)
        case .sentencePiece:
            if let byte = byteFallbackValue(token) { return [byte] }
            var bytes = [UInt8]()
            for scalar in token.unicodeScalars {
                if scalar.value == 0x2581 { bytes.append(0x20) } else { bytes += Array(String(scalar).utf8) }
            }
            return bytes
        }
    }

    /// SentencePiece merges derived from token scores (GGUF `llama` tokenizers carry scores,
    /// not merges): every split of a token into two vocabulary entries is a rule, ranked by the
    /// merged token's score, highest first.
    static func mergesFromScores(vocabulary: [String], kinds: [TokenKind], scores: [Float],
                                 ids: [ByteKey: Int32]) -> BPEMergeTable {
        let order = vocabulary.indices.filter { kinds[$0] == .normal }.sorted {
            scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1
        }
        var table = BPEMergeTable()
        for (rank, id) in order.enumerated() {
            let scalars = Array(vocabulary[id].unicodeScalars)
            guard scalars.count > 1 else { continue }
            for cut in 1..<scalars.count {
                var left = String.UnicodeScalarView(), right = String.UnicodeScalarView()
                left.append(contentsOf: scalars[..<cut]); right.append(contentsOf: scalars[cut...])
                if let l = ids[ByteKey(String(left))], let r = ids[ByteKey(String(right))] {
                    table.add(left: l, right: r, merged: Int32(id), rank: UInt32(rank))
                }
            }
        }
        return table
    }
}
