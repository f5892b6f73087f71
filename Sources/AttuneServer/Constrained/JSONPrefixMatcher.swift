/// Reads a JSON text byte by byte and accepts a byte only when the text so far stays a prefix
/// of some compact JSON document matching a schema (`SchemaNode`): enums spelled exactly, only
/// declared keys unless `additionalProperties`, required keys before `}`, each value of its
/// type. Whitespace between tokens is not accepted (the document is compact); strings take the
/// escapes `\" \\ \/ \b \f \n \r \t` but not `\u`.
///
/// `closingDistance` is the fewest bytes that finish the document from here, exactly for every
/// state but a free key that repeats a used one; some next byte always lowers it by one, so a
/// decoder that keeps `closingDistance ≤ tokens left` can always finish in time.
struct JSONPrefixMatcher {
    enum ObjectPhase: Equatable { case open, comma, member, next }
    enum ArrayPhase: Equatable { case open, comma, item, next }
    /// Where a number is: after `-`, after a leading `0`, in the integer digits (how many), after
    /// `.`, in the fraction, after `e`, after the exponent's sign, in the exponent (how many digits).
    /// At most 15 integer digits and 2 exponent digits, so every number reads back as a finite
    /// double (and an integer exactly).
    enum NumberPhase: Equatable {
        case sign, zero, digits(Int), dot, fraction, exponent, exponentSign, exponentDigits(Int)
        var isComplete: Bool {
            switch self {
            case .zero, .digits, .fraction, .exponentDigits: return true
            default: return false
            }
        }
    }

    enum Frame {
        /// A value of this schema starts with the next byte.
        case value(SchemaNode)
        case object(SchemaNode, ObjectPhase, used: [Bool])
        /// Inside a key (after its opening quote) of the object below.
        case key(typed: [UInt8], escape: Bool)
        /// After a key's closing quote: `:` and then a value of this schema.
        case colon(SchemaNode)
        case array(SchemaNode, ArrayPhase)
        /// Inside a free string (after its opening quote).
        case string(escape: Bool)
        case number(integer: Bool, NumberPhase)
        /// One of these exact texts, `typed` bytes in (enums, `true`, `false`, `null`).
        case literal([[UInt8]], typed: Int)
    }

    private(set) var stack: [Frame]

    init(_ root: SchemaNode) { stack = [.value(root)] }

    /// The whole document is written and nothing can follow.
    var isClosed: Bool { stack.isEmpty }

    /// Feeds one byte; false (and the matcher unchanged in meaning: discard it) when the byte
    /// cannot continue a matching document.
    mutating func feed(_ byte: UInt8) -> Bool {
        while let top = stack.last {
            switch top {
            case .value(let node):
                return start(node, byte)
            case .string(let escape):
                if escape {
                    guard Self.escapes.contains(byte) else { return false }
                    stack[stack.count - 1] = .string(escape: false)
                } else if byte == UInt8(ascii: "\"") {
                    stack.removeLast(); childDone()
                } else if byte == UInt8(ascii: "\\") {
                    stack[stack.count - 1] = .string(escape: true)
                } else if byte < 0x20 {
                    return false
                }
                return true
            case .number(let integer, let phase):
                if let next = Self.numberStep(phase, byte, integer: integer) {
                    stack[stack.count - 1] = .number(integer: integer, next)
                    return true
                }
                guard phase.isComplete, !stack.dropLast().isEmpty else { return false }
                stack.removeLast(); childDone()
                continue  // the byte belongs to the enclosing object or array
            case .literal(let candidates, let typed):
                let next = candidates.filter { $0.count > typed && $0[typed] == byte }
                if !next.isEmpty {
                    stack[stack.count - 1] = .literal(next, typed: typed + 1)
                    if next.allSatisfy({ $0.count == typed + 1 }) { stack.removeLast(); childDone() }
                    return true
                }
                guard candidates.contains(where: { $0.count == typed }), !stack.dropLast().isEmpty else { return false }
                stack.removeLast(); childDone()
                continue
            case .key(let typed, let escape):
                return keyByte(typed: typed, escape: escape, byte)
            case .colon(let schema):
                guard byte == UInt8(ascii: ":") else { return false }
                stack[stack.count - 1] = .value(schema)
                return true
            case .object(let node, let phase, let used):
                switch (phase, byte) {
                case (.open, UInt8(ascii: "\"")), (.comma, UInt8(ascii: "\"")):
                    guard Self.keyAvailable(node, used) else { return false }
                    stack[stack.count - 1] = .object(node, .member, used: used)
                    stack.append(.key(typed: [], escape: false))
                    return true
                case (.open, UInt8(ascii: "}")), (.next, UInt8(ascii: "}")):
                    guard Self.missing(node, used).isEmpty else { return false }
                    stack.removeLast(); childDone()
                    return true
                case (.next, UInt8(ascii: ",")):
                    guard Self.keyAvailable(node, used) else { return false }
                    stack[stack.count - 1] = .object(node, .comma, used: used)
                    return true
                default:
                    return false
                }
            case .array(let items, let phase):
                switch (phase, byte) {
                case (.open, UInt8(ascii: "]")), (.next, UInt8(ascii: "]")):
                    stack.removeLast(); childDone()
                    return true
                case (.next, UInt8(ascii: ",")):
                    stack[stack.count - 1] = .array(items, .comma)
                    return true
                case (.open, _), (.comma, _):
                    stack[stack.count - 1] = .array(items, .item)
                    stack.append(.value(items))
                    continue
                default:
                    return false
                }
            }
        }
        return false
    }

    static let escapes: Set<UInt8> = Set("\"\\/bfnrt".utf8)

    /// The first byte of a value of `node`.
    private mutating func start(_ node: SchemaNode, _ byte: UInt8) -> Bool {
        if let texts = node.enumTexts {
            let candidates = texts.filter { $0.first == byte }
            guard !candidates.isEmpty else { return false }
            stack[stack.count - 1] = .literal(candidates, typed: 1)
            if candidates.allSatisfy({ $0.count == 1 }) { stack.removeLast(); childDone() }
            return true
        }
        let kinds = node.kinds
        switch byte {
        case UInt8(ascii: "{") where kinds.contains(.object):
            stack[stack.count - 1] = .object(node, .open, used: [Bool](repeating: false, count: node.members.count))
        case UInt8(ascii: "[") where kinds.contains(.array):
            stack[stack.count - 1] = .array(node.items ?? .any, .open)
        case UInt8(ascii: "\"") where kinds.contains(.string):
            stack[stack.count - 1] = .string(escape: false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            guard !kinds.isDisjoint(with: [.number, .integer]) else { return false }
            stack[stack.count - 1] = .number(integer: !kinds.contains(.number),
                                             byte == UInt8(ascii: "-") ? .sign : byte == UInt8(ascii: "0") ? .zero : .digits(1))
        case UInt8(ascii: "t") where kinds.contains(.boolean):
            stack[stack.count - 1] = .literal([Array("true".utf8)], typed: 1)
        case UInt8(ascii: "f") where kinds.contains(.boolean):
            stack[stack.count - 1] = .literal([Array("false".utf8)], typed: 1)
        case UInt8(ascii: "n") where kinds.contains(.null):
            stack[stack.count - 1] = .literal([Array("null".utf8)], typed: 1)
        default:
            return false
        }
        return true
    }

    /// A value (or the document) finished: its parent moves on.
    private mutating func childDone() {
        guard let parent = stack.last else { return }
        switch parent {
        case .object(let node, .member, let used): stack[stack.count - 1] = .object(node, .next, used: used)
        case .array(let items, .item): stack[stack.count - 1] = .array(items, .next)
        default: break
        }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// The phase after `byte`, or nil when the byte does not continue the number.
    static func numberStep(_ phase: NumberPhase, _ byte: UInt8, integer: Bool) -> NumberPhase? {
        let digit = isDigit(byte)
        let exponentMark = byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        switch phase {
        case .sign: return byte == UInt8(ascii: "0") ? .zero : digit ? .digits(1) : nil
        case .zero, .digits:
            if case .digits(let n) = phase, digit { return n < 15 ? .digits(n + 1) : nil }
            if integer { return nil }
            if byte == UInt8(ascii: ".") { return .dot }
            return exponentMark ? .exponent : nil
        case .dot: return digit ? .fraction : nil
        case .fraction:
            if digit { return .fraction }
            return exponentMark ? .exponent : nil
        case .exponent:
            if digit { return .exponentDigits(1) }
            return byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") ? .exponentSign : nil
        case .exponentSign: return digit ? .exponentDigits(1) : nil
        case .exponentDigits(let n): return digit && n < 2 ? .exponentDigits(n + 1) : nil
        }
    }

    // MARK: Keys

    /// The object just below the key on the stack.
    private var keyObject: (node: SchemaNode, used: [Bool]) {
        guard case .object(let node, _, let used) = stack[stack.count - 2] else { preconditionFailure("a key outside an object") }
        return (node, used)
    }

    private mutating func keyByte(typed: [UInt8], escape: Bool, _ byte: UInt8) -> Bool {
        let (node, used) = keyObject
        if !escape, byte == UInt8(ascii: "\"") {
            // The key ends: a declared member not used yet, or any other key when allowed.
            if let index = node.members.indices.first(where: { node.members[$0].key == typed }) {
                guard !used[index] else { return false }
                var marked = used
                marked[index] = true
                stack[stack.count - 2] = .object(node, .member, used: marked)
                stack[stack.count - 1] = .colon(node.members[index].schema)
                return true
            }
            guard node.additionalProperties else { return false }
            stack[stack.count - 1] = .colon(.any)
            return true
        }
        if escape { guard Self.escapes.contains(byte) else { return false } }
        else if byte < 0x20 { return false }
        let next = typed + [byte]
        if !node.additionalProperties {
            guard node.members.indices.contains(where: { !used[$0] && node.members[$0].key.starts(with: next) }) else { return false }
        }
        stack[stack.count - 1] = .key(typed: next, escape: !escape && byte == UInt8(ascii: "\\"))
        return true
    }

    static func keyAvailable(_ node: SchemaNode, _ used: [Bool]) -> Bool {
        node.additionalProperties || used.contains(false)
    }

    static func missing(_ node: SchemaNode, _ used: [Bool]) -> [Int] {
        node.members.indices.filter { node.members[$0].required && !used[$0] }
    }

    // MARK: Distance

    /// The fewest bytes that complete the document (0: it may end here).
    var closingDistance: Int {
        var total = 0
        var i = stack.count - 1
        while i >= 0 {
            switch stack[i] {
            case .value(let node): total += node.minLength
            case .string(let escape): total += escape ? 2 : 1
            case .number(_, let phase): total += phase.isComplete ? 0 : 1
            case .literal(let candidates, let typed): total += candidates.map { $0.count - typed }.min() ?? 0
            case .colon(let schema): total += 1 + schema.minLength
            case .array(let items, let phase):
                switch phase {
                case .open, .item, .next: total += 1
                case .comma: total += items.minLength + 1
                }
            case .object(let node, let phase, let used):
                total += Self.objectRemainder(node, phase, used)
            case .key(let typed, let escape):
                // The key, its value and the rest of the object below, together.
                guard case .object(let node, _, let used) = stack[i - 1] else { preconditionFailure("a key outside an object") }
                total += Self.keyRemainder(node, used, typed: typed, escape: escape)
                i -= 1  // the object is counted
            }
            i -= 1
        }
        return total
    }

    /// Bytes that close an object in `phase` (the member in progress, if any, counted by its frames).
    static func objectRemainder(_ node: SchemaNode, _ phase: ObjectPhase, _ used: [Bool]) -> Int {
        let missing = Self.missing(node, used).map { node.members[$0].minLength }
        switch phase {
        case .open:
            return missing.isEmpty ? 1 : missing.reduce(0, +) + missing.count - 1 + 1
        case .comma:
            if !missing.isEmpty { return missing.reduce(0, +) + missing.count - 1 + 1 }
            var cheapest = node.additionalProperties ? 2 + 1 + SchemaNode.any.minLength : Int.max / 4
            for index in node.members.indices where !used[index] { cheapest = min(cheapest, node.members[index].minLength) }
            return cheapest + 1
        case .member, .next:
            return missing.reduce(0) { $0 + 1 + $1 } + 1
        }
    }

    /// Bytes that finish a key typed so far, its `:` and value, and the object around it.
    static func keyRemainder(_ node: SchemaNode, _ used: [Bool], typed: [UInt8], escape: Bool) -> Int {
        let missing = Self.missing(node, used)
        func rest(excluding index: Int?) -> Int {
            missing.filter { $0 != index }.reduce(0) { $0 + 1 + node.members[$1].minLength } + 1
        }
        var best = Int.max / 4
        // A declared key is matched on its escaped bytes, so a pending escape is part of `typed`.
        for index in node.members.indices where !used[index] && node.members[index].key.starts(with: typed) {
            let member = node.members[index]
            best = min(best, member.key.count - typed.count + 1 + 1 + member.schema.minLength + rest(excluding: index))
        }
        if node.additionalProperties {
            let clash = !escape && node.members.indices.contains { used[$0] && node.members[$0].key == typed }
            best = min(best, (escape || clash ? 1 : 0) + 1 + 1 + SchemaNode.any.minLength + rest(excluding: nil))
        }
        return best
    }
}
