import Essentials
import Models
import TensorCore
import AttuneLanguage

/// The tensors `show` and `list` can name: the model's parameters under short and Hugging Face
/// names (see `ParameterNames`), float32 arena tensors and weights kept in their file's
/// quantization (a GGUF model's Q4_1/Q8_0 projections and embedding) alike, in the model's
/// parameter order. Adapters and optimizer moments join it as the trainer adds them.
public final class TensorCatalog {
    public struct Entry {
        public let short: String
        public let huggingFace: String
        /// Where the values live.
        public let storage: Storage

        /// A float32 tensor (with a gradient once it trains), or a frozen quantized matrix.
        public enum Storage {
            case float32(Tensor)
            case quantized(QuantizedMatrix)
        }

        init(short: String, huggingFace: String, storage: Storage) {
            self.short = short
            self.huggingFace = huggingFace
            self.storage = storage
        }

        /// The tensor's shape (`[out, in]` for a quantized matrix).
        public var shape: [Int] {
            switch storage {
            case let .float32(tensor): tensor.shape
            case let .quantized(matrix): matrix.shape
            }
        }

        /// Number of values.
        public var count: Int {
            switch storage {
            case let .float32(tensor): tensor.count
            case let .quantized(matrix): matrix.rows * matrix.cols
            }
        }

        /// The quantized matrix, when the values are stored quantized.
        public var quantized: QuantizedMatrix? {
            if case let .quantized(matrix) = storage { return matrix }
            return nil
        }

        /// The values as a float32 tensor: the parameter itself, or for a quantized matrix a
        /// newly dequantized copy (a full float32 matrix: `show` dequantizes only the rows it
        /// prints instead).
        public var tensor: Tensor {
            switch storage {
            case let .float32(tensor):
                return tensor
            case let .quantized(matrix):
                let copy = Tensor(zeros: matrix.shape)
                withExtendedLifetime(copy) {
                    matrix.dequantize(rows: 0..<matrix.rows, into: UnsafeMutableBufferPointer(start: copy.pointer, count: copy.count))
                }
                return copy
            }
        }
    }

    public private(set) var entries: [Entry]
    private var index: [String: Int]

    init(model: LlamaModel) {
        var entries: [Entry] = []
        var seen = Set<String>()
        for (name, _) in model.config.parameterShapes {
            if let tensor = model.parameters[name] {
                entries.append(Entry(short: ParameterNames.short(name), huggingFace: name, storage: .float32(tensor)))
            } else if let matrix = model.quantizedWeights[name] {
                entries.append(Entry(short: ParameterNames.short(name), huggingFace: name, storage: .quantized(matrix)))
            } else {
                continue
            }
            seen.insert(name)
        }
        for tensor in model.parameters.tensors where !seen.contains(tensor.name) {
            entries.append(Entry(short: ParameterNames.short(tensor.name), huggingFace: tensor.name, storage: .float32(tensor)))
        }
        for name in model.quantizedWeights.keys.sorted() where !seen.contains(name) && model.parameters[name] == nil {
            entries.append(Entry(short: ParameterNames.short(name), huggingFace: name, storage: .quantized(model.quantizedWeights[name]!)))
        }
        self.entries = entries
        index = [:]
        rebuildIndex()
    }

    /// Adds tensors (adapter matrices, optimizer moments) by Hugging Face name.
    public func add(_ tensors: [Tensor]) {
        for tensor in tensors where index[tensor.name] == nil {
            entries.append(Entry(short: ParameterNames.short(tensor.name), huggingFace: tensor.name, storage: .float32(tensor)))
        }
        rebuildIndex()
    }

    private func rebuildIndex() {
        index = [:]
        for (i, entry) in entries.enumerated() {
            if index[entry.short] == nil { index[entry.short] = i }
            if index[entry.huggingFace] == nil { index[entry.huggingFace] = i }
        }
    }

    /// The entry named `name` (short or Hugging Face).
    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The short name nearest to `name`, for "did you mean".
    public func suggestion(for name: String) -> String? {
        suggest(name, from: entries.map(\.short))
    }

    /// Entries whose short or Hugging Face name matches `pattern` (see `GlobPattern`).
    public func matching(_ pattern: String) -> [Entry] {
        let glob = GlobPattern(pattern)
        return entries.filter { glob.matches($0.short) || glob.matches($0.huggingFace) }
    }
}

/// A dotted glob: `*` matches any run of characters within one dotted part, and a pattern also
/// matches every name below it (`layers.0` matches `layers.0.attn.q_proj`).
public struct GlobPattern: Sendable, Hashable {
    let parts: [Substring]

    public init(_ pattern: String) {
        parts = pattern.split(separator: ".", omittingEmptySubsequences: false)
    }

    public func matches(_ name: String) -> Bool {
        let nameParts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard nameParts.count >= parts.count else { return false }
        return zip(parts, nameParts).allSatisfy { Self.matchPart(Array($0.0.unicodeScalars), Array($0.1.unicodeScalars)) }
    }

    /// `*` matches any run (iterative, no backtracking blow-up).
    static func matchPart(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
        var p = 0, t = 0, star = -1, mark = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == text[t], pattern[p] != "*" { p += 1; t += 1 }
            else if p < pattern.count, pattern[p] == "*" { star = p; mark = t; p += 1 }
            else if star >= 0 { p = star + 1; mark += 1; t = mark }
            else { return false }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
