/// Why a GGUF file could not be read or written. The message names the file, the key or
/// tensor concerned and the problem, e.g.
/// `model.gguf: tensor 'blk.0.attn_q.weight': data [1024, 5632) extends past the end of the file (4096 bytes)`.
public struct GGUFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (its last path component, or the name given for in-memory bytes).
    public let file: String
    public let kind: Kind

    public enum Kind: Equatable, Sendable {
        case io(String)
        case notGGUF(magic: UInt32)
        case unsupportedVersion(UInt32)
        /// The file ended while reading `what` at byte `offset`.
        case truncated(what: String, offset: Int)
        case countTooLarge(what: String, count: UInt64, limit: Int)
        case stringTooLong(what: String, length: UInt64, limit: Int)
        case invalidValueType(key: String, id: UInt32)
        case nestingTooDeep(key: String)
        case duplicateKey(String)
        case invalidAlignment(UInt64)
        case duplicateTensor(String)
        case invalidDimensions(tensor: String, dims: [UInt64], reason: String)
        case unknownTensorType(tensor: String, id: UInt32)
        case unsupportedTensorType(tensor: String, type: String)
        case misalignedTensor(tensor: String, offset: UInt64, alignment: Int)
        case tensorOutOfBounds(tensor: String, start: UInt64, end: UInt64, fileSize: Int)
        case tensorNotFound(String)
        case missingKey(String)
        case wrongKeyType(key: String, expected: String, found: GGUFValueType)
        case invalidValue(key: String, reason: String)
    }

    public init(file: String, _ kind: Kind) {
        self.file = file
        self.kind = kind
    }

    public var description: String { "\(file): \(message)" }

    public var message: String {
        switch kind {
        case .io(let m): m
        case .notGGUF(let magic): "not a GGUF file (magic 0x\(String(magic, radix: 16)), expected 0x46554747 \"GGUF\")"
        case .unsupportedVersion(let v): "GGUF version \(v) is not supported (only 2 and 3)"
        case .truncated(let what, let offset): "file ends at byte \(offset) while reading \(what)"
        case .countTooLarge(let what, let count, let limit): "\(what) \(count) is impossible for this file (at most \(limit))"
        case .stringTooLong(let what, let length, let limit): "\(what): string length \(length) exceeds \(limit) bytes"
        case .invalidValueType(let key, let id): "key '\(key)': unknown value type id \(id)"
        case .nestingTooDeep(let key): "key '\(key)': arrays nested too deeply"
        case .duplicateKey(let key): "key '\(key)' appears twice"
        case .invalidAlignment(let a): "general.alignment \(a) is not a power of two between 1 and 2^20"
        case .duplicateTensor(let t): "tensor '\(t)' appears twice"
        case .invalidDimensions(let t, let dims, let reason): "tensor '\(t)': dimensions \(dims) \(reason)"
        case .unknownTensorType(let t, let id): "tensor '\(t)': unknown tensor type id \(id)"
        case .unsupportedTensorType(let t, let type): "tensor '\(t)': tensor type \(type) is not supported"
        case .misalignedTensor(let t, let offset, let a): "tensor '\(t)': data offset \(offset) is not a multiple of the alignment \(a)"
        case .tensorOutOfBounds(let t, let start, let end, let size):
            "tensor '\(t)': data [\(start), \(end)) extends past the end of the file (\(size) bytes)"
        case .tensorNotFound(let t): "no tensor named '\(t)'"
        case .missingKey(let k): "metadata key '\(k)' is missing"
        case .wrongKeyType(let k, let expected, let found): "metadata key '\(k)' has type \(found), expected \(expected)"
        case .invalidValue(let k, let reason): "metadata key '\(k)': \(reason)"
        }
    }
}
