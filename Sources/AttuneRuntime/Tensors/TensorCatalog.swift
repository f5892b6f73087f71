import Models
import TensorCore
import AttuneLanguage

/// The tensors `show` and `list` can name: the model's parameters under short and Hugging Face
/// names (see `ParameterNames`). Adapters and optimizer moments join it as the trainer lands.
public final class TensorCatalog {
    public struct Entry {
        public let short: String
        public let huggingFace: String
        public let tensor: Tensor
    }

    public private(set) var entries: [Entry]
    private var index: [String: Int]

    init(model: LlamaModel) {
        entries = model.parameters.tensors.map { Entry(short: ParameterNames.short($0.name), huggingFace: $0.name, tensor: $0) }
        index = [:]
        rebuildIndex()
    }

    /// Adds tensors (adapter matrices, optimizer moments) by Hugging Face name.
    public func add(_ tensors: [Tensor]) {
        for tensor in tensors where index[tensor.name] == nil {
            entries.append(Entry(short: ParameterNames.short(tensor.name), huggingFace: tensor.name, tensor: tensor))
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
