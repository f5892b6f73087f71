import AttuneLanguage

/// A command's arguments after `ArgumentSchema.bind`: typed values by name, each with its span.
public struct BoundArguments: Sendable, Hashable {
    var values: [String: ArgumentValue] = [:]
    var ranges: [String: SourceRange] = [:]
    /// Positional values past the declared ones (for a schema with `rest`).
    public internal(set) var rest: [ArgumentValue] = []
    var restRanges: [SourceRange] = []
    /// `key=value` arguments a schema that `opensKeys` left for the command to check.
    public internal(set) var extraKeyed: [Argument] = []

    public init() {}

    public func has(_ name: String) -> Bool { values[name] != nil }
    public func range(of name: String) -> SourceRange? { ranges[name] }

    public func integer(_ name: String) -> Int? {
        if case .integer(let v)? = values[name] { return v }
        return nil
    }

    public func number(_ name: String) -> Double? {
        switch values[name] {
        case .number(let v)?: return v
        case .integer(let v)?: return Double(v)
        default: return nil
        }
    }

    public func word(_ name: String) -> String? {
        if case .word(let v)? = values[name] { return v }
        return nil
    }

    public func bool(_ name: String) -> Bool? {
        if case .bool(let v)? = values[name] { return v }
        return nil
    }

    public func words(_ name: String) -> [String]? {
        if case .words(let v)? = values[name] { return v }
        return nil
    }

    public func path(_ name: String) -> TensorPath? {
        if case .path(let v)? = values[name] { return v }
        return nil
    }

    public func list(_ name: String) -> [Value]? {
        if case .list(let v)? = values[name] { return v }
        return nil
    }
}
