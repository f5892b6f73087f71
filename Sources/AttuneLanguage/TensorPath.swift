/// One item between the brackets after a path: an index or a `start:end:step` slice.
///
/// Bounds may be negative (counted from the end) and any of them may be left out:
/// `[0:4, :8]`, `[-1]`, `[::2]`, `[:]`.
public enum SliceItem: Sendable, Hashable, CustomStringConvertible {
    case index(Int)
    case range(start: Int?, end: Int?, step: Int?)

    public var description: String {
        switch self {
        case .index(let index):
            return String(index)
        case .range(let start, let end, let step):
            let bounds = (start.map(String.init) ?? "") + ":" + (end.map(String.init) ?? "")
            return step.map { bounds + ":\($0)" } ?? bounds
        }
    }
}

/// One part of a tensor path.
public enum PathComponent: Sendable, Hashable {
    /// A name such as `layers`, `lora_B` or `grad`; it may hold `*` wildcards (`*`, `q_*`).
    case name(String)
    /// A numeric part written after a dot, as the `0` of `layers.0`.
    case index(Int)
    /// A bracketed index or slice list: `[0:4, :8]`.
    case indexing([SliceItem])
}

/// A dotted name with optional indexing and slicing, such as
/// `layers.0.attn.q_proj.lora_B[0:4, :8]`, `layers.*.attn.*`, `lora_A.grad` or `val[0:5]`.
public struct TensorPath: Sendable, Hashable, CustomStringConvertible {
    public let components: [PathComponent]

    public init(_ components: [PathComponent]) {
        self.components = components
    }

    /// True when any name holds a `*` wildcard: the path is a pattern for `list`.
    public var isPattern: Bool {
        components.contains { component in
            if case .name(let name) = component { return name.contains("*") }
            return false
        }
    }

    /// True when the path ends with `.grad` (before any indexing): it names a gradient.
    public var isGradient: Bool {
        lastNameOrIndex == .name("grad")
    }

    /// The dotted name without indexing and without a trailing `.grad`:
    /// `layers.0.attn.q_proj.lora_B` for `layers.0.attn.q_proj.lora_B.grad[0:4]`.
    public var tensorName: String {
        var parts = components.compactMap { component -> String? in
            switch component {
            case .name(let name): return name
            case .index(let index): return String(index)
            case .indexing: return nil
            }
        }
        if isGradient { parts.removeLast() }
        return parts.joined(separator: ".")
    }

    /// The items of every indexing, in order (`[0:4, :8]` gives two items).
    public var slices: [SliceItem] {
        components.flatMap { component -> [SliceItem] in
            if case .indexing(let items) = component { return items }
            return []
        }
    }

    private var lastNameOrIndex: PathComponent? {
        components.last { component in
            if case .indexing = component { return false }
            return true
        }
    }

    /// The path written in canonical form: `layers.0.attn[0:4, :8]`.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .name(let name):
                text += text.isEmpty ? name : "." + name
            case .index(let index):
                text += text.isEmpty ? String(index) : "." + String(index)
            case .indexing(let items):
                text += "[" + items.map(\.description).joined(separator: ", ") + "]"
            }
        }
        return text
    }
}
