import Foundation

/// Encoding text to ids.
extension BPETokenizer {
    public func encode(_ text: String, options: EncodingOptions) -> TokenEncoding {
        var text = normalizesToNFC ? text.precomposedStringWithCanonicalMapping : text
        var result = TokenEncoding()
        result.ids.reserveCapacity(text.utf8.count / 3)
        result.offsets.reserveCapacity(text.utf8.count / 3)
        if options.addBOS ?? addsBOSByDefault, let bos = specialTokens.bos {
            result.ids.append(bos); result.offsets.append(0)
        }
        text.withUTF8 { buffer in
            let segments: [SpecialTokenMatcher.Segment] = options.parseSpecialTokens
                ? specialMatcher.segments(of: buffer)
                : (buffer.isEmpty ? [] : [.text(0..<buffer.count)])
            for segment in segments {
                switch segment {
                case .token(let id, let range):
                    result.ids.append(Int(id)); result.offsets.append(range.lowerBound)
                case .text(let range):
                    let prefixed = spacePrefix.applies(atOffset: range.lowerBound, firstByte: buffer[range.lowerBound])
                    switch variant {
                    case .byteLevel: encodeByteLevel(buffer, range, into: &result)
                    case .sentencePiece: encodeSentencePiece(buffer, range, prefixed: prefixed, into: &result)
                    }
                }
            }
        }
        return result
    }

    /// Pre-tokenizes a text segment and merges each piece, reusing cached pieces.
    private func encodeByteLevel(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into result: inout TokenEncoding) {
        var pieces = [Range<Int>]()
        pieces.reserveCapacity(range.count / 4)
        preTokenizer.appendPieces(of: buffer, in: range, to: &pieces)
        cache.withLock { cache in
            for piece in pieces {
                if piece.count == 1 {
                    let id = byteIDs[Int(buffer[piece.lowerBound])]
                    if id >= 0 { result.ids.append(Int(id)); result.offsets.append(piece.lowerBound) }
                    continue
                }
                let bytes = UnsafeBufferPointer(rebasing: buffer[piece])
                let key = ByteKey(bytes)
                let merged: CachedPiece
                if let cached = cache[key] {
                    merged = cached
                } else {
                    merged = mergeByteLevelPiece(bytes)
                    if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
                    cache[key] = merged
                }
                if let offsets = merged.offsets {
                    for (token, offset) in zip(merged.ids, offsets) {
                        result.ids.append(Int(token)); result.offsets.append(piece.lowerBound + Int(offset))
                    }
                } else {
                    var offset = piece.lowerBound
                    for token in merged.ids {
                        result.ids.append(Int(token)); result.offsets.append(offset)
                        offset += decodedBytes[Int(token)].count
                    }
                }
            }
        }
    }

    /// Merges one byte-level piece from single bytes.
    private func mergeByteLevelPiece(_ bytes: UnsafeBufferPointer<UInt8>) -> CachedPiece {
        if ignoresMerges, let id = ids[ByteKey(ByteLevelAlphabet.encode(bytes))], kinds[Int(id)] == .normal {
            return CachedPiece(ids: [id], offsets: nil)
        }
        var symbols = [Int32](), offsets = [Int32]()
        symbols.reserveCapacity(bytes.count); offsets.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() where byteIDs[Int(byte)] >= 0 {
            symbols.append(byteIDs[Int(byte)]); offsets.append(Int32(index))
        }
        let dropped = symbols.count < bytes.count
        merges.apply(&symbols, &offsets)
        return CachedPiece(ids: symbols, offsets: dropped ? offsets : nil)
    }

    /// SentencePiece-style: spaces as `▁`, an optional `▁` first, one symbol per scalar (or its
    /// `<0xNN>` bytes, or the unknown token), then merges over the whole segment.
    private func encodeSentencePiece(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, prefixed: Bool,
                                     into result: inout TokenEncoding) {
        var symbols = [Int32](), offsets = [Int32]()
        symbols.reserveCapacity(range.count + 1); offsets.reserveCapacity(range.count + 1)
        let space = scalarIDs[0x2581]
        if prefixed, let space { symbols.append(space); offsets.append(Int32(range.lowerBound)) }
        var i = range.lowerBound
        while i < range.upperBound {
            let (value, length) = decodeScalar(buffer, i)
            if let id = value == 0x20 ? space : scalarIDs[value] {
                symbols.append(id); offsets.append(Int32(i))
            } else if (i..<(i + length)).allSatisfy({ byteIDs[Int(buffer[$0])] >= 0 }) {
                for k in i..<(i + length) { symbols.append(byteIDs[Int(buffer[k])]); offsets.append(Int32(k)) }
            } else if let unknown = specialTokens.unknown {
                symbols.append(Int32(unknown)); offsets.append(Int32(i))
            }
            i += length
        }
        merges.apply(&symbols, &offsets)
        for (id, offset) in zip(symbols, offsets) {
            result.ids.append(Int(id)); result.offsets.append(Int(offset))
        }
    }
}

/// A merged piece: its ids and, only when some of its bytes had no token, their offsets.
struct CachedPiece: Sendable {
    var ids: [Int32]
    var offsets: [Int32]?
}
