/// One scope of variables: the session's (every cell shares it), a function call's, or a
/// block's (`for`, `if`). Lookups go outwards through `parent`.
public final class Scope {
    public private(set) var values: [String: ScriptValue] = [:]
    /// The names in the order they were first bound (for listings and completion).
    public private(set) var order: [String] = []
    public let parent: Scope?

    public init(parent: Scope? = nil) {
        self.parent = parent
    }

    /// The value of `name` here or in an enclosing scope.
    public func lookup(_ name: String) -> ScriptValue? {
        var scope: Scope? = self
        while let current = scope {
            if let value = current.values[name] { return value }
            scope = current.parent
        }
        return nil
    }

    /// `let name = …`: a variable of this scope (shadowing any outer one).
    public func define(_ name: String, _ value: ScriptValue) {
        if values.updateValue(value, forKey: name) == nil { order.append(name) }
    }

    /// `name = …`: changes the nearest variable of that name, or makes one here.
    public func assign(_ name: String, _ value: ScriptValue) {
        var scope: Scope? = self
        while let current = scope {
            if current.values[name] != nil {
                current.values[name] = value
                return
            }
            scope = current.parent
        }
        define(name, value)
    }

    /// Forgets `name` in this scope (not in enclosing ones).
    public func remove(_ name: String) {
        guard values.removeValue(forKey: name) != nil else { return }
        order.removeAll { $0 == name }
    }

    /// Every name visible from here, innermost first, without repeats.
    public var visibleNames: [String] {
        var seen = Set<String>()
        var names: [String] = []
        var scope: Scope? = self
        while let current = scope {
            for name in current.order where seen.insert(name).inserted { names.append(name) }
            scope = current.parent
        }
        return names
    }
}
