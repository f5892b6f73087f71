import Essentials
import Tokenization

/// Turns one line of a JSONL file into an `Example`, or the first problem with it.
///
/// Checks, in order: UTF-8, JSON syntax, that the line is an object, which format it is in
/// (with "did you mean" for misspelled keys), that it matches the file's format, value types,
/// roles, conversation shape and empty texts.
struct ExampleParser {
    let file: String
    /// The file's format: named by the caller, or set from the first valid line.
    var format: DataFormat?
    /// Line of the first example, which fixed an auto-detected format.
    var formatLine: Int?
    /// Interned key layouts.
    var schemas: [String] = []
    private var schemaIndex: [String: Int] = [:]

    static let roles = ["system", "user", "assistant"]

    init(file: String, format: DataFormat?) {
        self.file = file; self.format = format
    }

    /// The example on `line`, or the issue that disqualifies it.
    mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) -> Result<Example, DataIssue> {
        func issue(_ kind: DataIssueKind, _ offset: Int?, _ message: String) -> Result<Example, DataIssue> {
            let column = offset.map { SourceLocation.column(ofByte: $0, in: bytes) }
            return .failure(DataIssue(kind: kind, location: SourceLocation(file: file, line: line, column: column), message: message))
        }
        if let bad = UTF8Validation.firstInvalidOffset(bytes) {
            return issue(.invalidUTF8, bad, String(format: "invalid UTF-8 (byte 0x%02X at byte %d); save the file as UTF-8", bytes[bad], bad + 1))
        }
        let root: JSONLocated
        do { root = try JSONValue.parseLocated(bytes) } catch {
            return issue(.invalidJSON, error.offset, "invalid JSON: \(error.message)")
        }
        guard let members = root.members else {
            return issue(.notAnObject, root.offset,
                         "the line is \(root.value.typeDescription), not an object; each line must be one JSON object such as {\"messages\": [...]}")
        }
        do {
            let example = try makeExample(members, line: line, bytes: bytes)
            return .success(example)
        } catch let failure as LineFailure {
            return issue(failure.kind, failure.offset, failure.message)
        } catch {
            return issue(.invalidJSON, nil, "\(error)")
        }
    }

    /// A problem found after the JSON parsed.
    private struct LineFailure: Error {
        var kind: DataIssueKind
        var offset: Int?
        var message: String
        init(_ kind: DataIssueKind, _ offset: Int?, _ message: String) {
            self.kind = kind; self.offset = offset; self.message = message
        }
    }

    private func detectFormat(_ members: [JSONLocated.Member]) -> [DataFormat] {
        let keys = Set(members.map(\.key))
        var found = [DataFormat]()
        if keys.contains("messages") { found.append(.chat) }
        if keys.contains("instruction") || keys.contains("output") { found.append(.instruction) }
        if keys.contains("prompt") || keys.contains("completion") { found.append(.completion) }
        if keys.contains("text") { found.append(.text) }
        return found
    }

    /// For a missing key, the present key that looks like a misspelling of it.
    private func misspelling(of key: String, in members: [JSONLocated.Member]) -> JSONLocated.Member? {
        members.first { !DataFormat.allKnownKeys.contains($0.key) && suggest($0.key, from: [key]) != nil }
    }

    private func missingKeyFailure(_ key: String, format: DataFormat, members: [JSONLocated.Member], objectOffset: Int?) -> LineFailure {
        if let typo = misspelling(of: key, in: members) {
            return LineFailure(.missingKey, typo.keyOffset, "unknown key '\(typo.key)'; did you mean '\(key)'? (the \(format) format needs '\(key)')")
        }
        let shape = format.requiredKeys.map { "\"\($0)\"" }.joined(separator: ", ")
        return LineFailure(.missingKey, objectOffset, "missing key '\(key)'; a \(format) line needs \(shape)")
    }

    private mutating func makeExample(_ members: [JSONLocated.Member], line: Int, bytes: UnsafeBufferPointer<UInt8>) throws -> Example {
        let detected = detectFormat(members)
        let lineFormat: DataFormat
        if detected.count > 1 {
            let keys = detected.map { "'\($0.signatureKey)'" }.joined(separator: " and ")
            throw LineFailure(.mixedFormat, members.first?.keyOffset,
                              "the line mixes formats (\(keys)); use one format per line: \(detected.map(\.rawValue).joined(separator: " or "))")
        } else if let only = detected.first {
            lineFormat = only
        } else if let format {
            // Nothing recognisable: report against the file's format.
            throw missingKeyFailure(format.requiredKeys[0], format: format, members: members, objectOffset: 0)
        } else {
            for member in members where !DataFormat.allKnownKeys.contains(member.key) {
                if let suggestion = suggest(member.key, from: DataFormat.allKnownKeys) {
                    throw LineFailure(.missingKey, member.keyOffset, "unknown key '\(member.key)'; did you mean '\(suggestion)'?")
                }
            }
            let found = members.isEmpty ? "the object is empty" : "found " + members.map { "'\($0.key)'" }.joined(separator: ", ")
            throw LineFailure(.unknownFormat, 0,
                              "no 'messages', 'instruction', 'prompt' or 'text' key (\(found)); see the data formats in `help data`")
        }
        if let format, format != lineFormat {
            let origin = formatLine.map { "from line \($0)" } ?? "as named"
            throw LineFailure(.mixedFormat, members.first { lineFormat.knownKeys.contains($0.key) }?.keyOffset,
                              "the line is in \(lineFormat) format but the file is \(format) (\(origin)); keep one format per file")
        }
        for key in lineFormat.requiredKeys where members.member(key) == nil {
            throw missingKeyFailure(key, format: lineFormat, members: members, objectOffset: 0)
        }

        let content: ExampleContent
        switch lineFormat {
        case .chat: content = .chat(try messages(members.member("messages")!.node))
        case .instruction:
            let input = try members.member("input").map { try string($0, allowEmpty: true, allowNull: true) } ?? ""
            content = .instruction(instruction: try string(members.member("instruction")!),
                                   input: input, output: try string(members.member("output")!))
        case .completion:
            content = .completion(prompt: try string(members.member("prompt")!), completion: try string(members.member("completion")!))
        case .text:
            content = .text(try string(members.member("text")!))
        }

        var label: String?
        for key in Example.labelKeys {
            if let member = members.member(key) {
                switch member.node.value {
                case .string(let text): label = text
                case .number(let value, let text): label = text ?? JSONValue.numberText(value)
                case .bool(let flag): label = flag ? "true" : "false"
                default: break
                }
                break
            }
        }
        var tags = [String]()
        if case .array(let items)? = members.member("tags")?.node.value {
            for case .string(let tag) in items where !tag.isEmpty && !tags.contains(tag) { tags.append(tag) }
        }
        if format == nil { format = lineFormat; formatLine = line }
        return Example(line: line, content: content, label: label, schema: intern(schemaSignature(members)), tags: tags)
    }

    private func string(_ member: JSONLocated.Member, allowEmpty: Bool = false, allowNull: Bool = false) throws -> String {
        switch member.node.value {
        case .string(let text):
            if !allowEmpty && text.allSatisfy(\.isWhitespace) {
                throw LineFailure(.emptyContent, member.node.offset, "'\(member.key)' is empty; give it text or remove the line")
            }
            return text
        case .null where allowNull:
            return ""
        default:
            throw LineFailure(.wrongType, member.node.offset,
                              "'\(member.key)' must be a string, not \(member.node.value.typeDescription)\(quoteHint(member.node.value))")
        }
    }

    private func quoteHint(_ value: JSONValue) -> String {
        switch value {
        case .number(let value, let text): return " (write \"\(text ?? JSONValue.numberText(value))\" in quotes)"
        case .array, .object: return " (join the parts into one string)"
        default: return ""
        }
    }

    private func messages(_ node: JSONLocated) throws -> [ChatMessage] {
        guard let elements = node.elements else {
            throw LineFailure(.wrongType, node.offset,
                              "'messages' must be an array of {\"role\", \"content\"} objects, not \(node.value.typeDescription)")
        }
        guard !elements.isEmpty else {
            throw LineFailure(.emptyConversation, node.offset, "'messages' is empty; a conversation needs at least a user and an assistant message")
        }
        var result = [ChatMessage]()
        result.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let name = "messages[\(index)]"
            guard let fields = element.members else {
                throw LineFailure(.wrongType, element.offset,
                                  "\(name) must be an object {\"role\": …, \"content\": …}, not \(element.value.typeDescription)")
            }
            guard let roleMember = fields.member("role") else {
                if let typo = fields.first(where: { !["content", "weight"].contains($0.key) && suggest($0.key, from: ["role"]) != nil }) {
                    throw LineFailure(.missingKey, typo.keyOffset, "unknown key '\(typo.key)' in \(name); did you mean 'role'?")
                }
                throw LineFailure(.missingKey, element.offset, "\(name) has no 'role'; add \"role\": \"user\" or \"assistant\"")
            }
            guard case .string(let role) = roleMember.node.value else {
                throw LineFailure(.wrongType, roleMember.node.offset,
                                  "\(name).role must be a string (system, user or assistant), not \(roleMember.node.value.typeDescription)")
            }
            guard Self.roles.contains(role) else {
                let suggestion = KeySuggestion.roleAliases[role.lowercased()]
                    ?? (Self.roles.contains(role.lowercased()) ? role.lowercased() : nil)
                    ?? suggest(role, from: Self.roles)
                let hint = suggestion.map { "; did you mean '\($0)'?" } ?? "; roles are system, user and assistant"
                throw LineFailure(.unknownRole, roleMember.node.offset, "unknown role '\(role)' in \(name)\(hint)")
            }
            guard let contentMember = fields.member("content") else {
                if let typo = fields.first(where: { !["role", "weight"].contains($0.key) && suggest($0.key, from: ["content"]) != nil }) {
                    throw LineFailure(.missingKey, typo.keyOffset, "unknown key '\(typo.key)' in \(name); did you mean 'content'?")
                }
                throw LineFailure(.missingKey, element.offset, "\(name) (\(role)) has no 'content'; add the message text as \"content\"")
            }
            guard case .string(let content) = contentMember.node.value else {
                throw LineFailure(.wrongType, contentMember.node.offset,
                                  "\(name).content must be a string, not \(contentMember.node.value.typeDescription)\(quoteHint(contentMember.node.value))")
            }
            if content.allSatisfy(\.isWhitespace) {
                throw LineFailure(.emptyContent, contentMember.node.offset, "\(name) (\(role)) has empty content; write the message or remove it")
            }
            var weight: Double?
            if let weightMember = fields.member("weight") {
                guard case .number(let value, _) = weightMember.node.value, value >= 0, value.isFinite else {
                    let what = weightMember.node.value.typeDescription
                    throw LineFailure(.wrongType, weightMember.node.offset,
                                      "\(name).weight must be a number ≥ 0 (0 excludes the turn from training, 1 trains on it), not \(what == "a number" ? "a negative number" : what)")
                }
                weight = value
            }
            result.append(ChatMessage(role: role, content: content, weight: weight))
        }
        guard result.contains(where: { $0.role == "assistant" }) else {
            throw LineFailure(.noAssistantTurn, node.offset,
                              "the conversation has no assistant message, so there is nothing to train on; add the assistant's reply")
        }
        if let last = result.last, last.role != "assistant" {
            throw LineFailure(.endsWithoutAssistant, elements.last!.offset,
                              "the conversation ends on a \(last.role) turn; end it with the assistant's reply or drop the last message")
        }
        return result
    }

    /// `messages[role,content]` or `instruction,input,output`: the keys in file order (and for
    /// conversations, the distinct key orders of the messages).
    private func schemaSignature(_ members: [JSONLocated.Member]) -> String {
        var parts = [String]()
        for member in members {
            if member.key == "messages", case .array(let elements) = member.node.value {
                var layouts = [String]()
                for element in elements {
                    if case .object(let fields) = element {
                        let layout = fields.map { $0.key }.joined(separator: ",")
                        if !layouts.contains(layout) { layouts.append(layout) }
                    }
                }
                parts.append("messages[" + layouts.joined(separator: "|") + "]")
            } else {
                parts.append(member.key)
            }
        }
        return parts.joined(separator: ",")
    }

    private mutating func intern(_ signature: String) -> Int {
        if let index = schemaIndex[signature] { return index }
        schemas.append(signature)
        schemaIndex[signature] = schemas.count - 1
        return schemas.count - 1
    }
}
