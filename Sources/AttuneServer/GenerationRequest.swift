import Essentials
import Evaluation
import Foundation
import Tokenization

/// What a `/v1/chat/completions` or `/v1/completions` body asks for, checked field by field:
/// each wrong field is a 400 naming the field and what it takes.
public struct GenerationRequest: Sendable {
    public enum Input: Sendable, Equatable {
        /// Rendered with the model's chat template and a generation prompt.
        case chat([ChatMessage])
        /// Continued as raw text (no template).
        case text(String)
    }

    /// `base` (or the model's own name) or an adapter name.
    public var model: String
    public var input: Input
    /// nil: the server's default, cut to what the context still holds.
    public var maxTokens: Int?
    /// OpenAI's default is 1; 0 is greedy (the same tokens as `generate … temperature=0`).
    public var temperature: Double = 1
    public var topP: Double = 1
    /// Texts that end the reply (not included in it); at most 4.
    public var stop: [String] = []
    public var seed: UInt64?
    public var stream = false
    /// `stream_options.include_usage`: a last chunk with the token counts.
    public var streamUsage = false
    /// OpenAI's `user`: who asked (a canary keeps one user on one side by it).
    public var user: String?
    /// `response_format`: nil or `text` for free text; JSON kinds are enforced while decoding.
    public var responseFormat: ResponseFormat?

    /// What shape the reply must have (`response_format`).
    public enum ResponseFormat: Sendable, Equatable {
        /// `{"type": "json_object"}`: one JSON object.
        case jsonObject
        /// `{"type": "json_schema", "json_schema": {"name", "schema"}}`: JSON matching the schema.
        case jsonSchema(name: String, schema: JSONSchema)

        /// The schema replies are decoded against (`json_object`: any object).
        public var schema: JSONSchema {
            switch self {
            case .jsonObject: return JSONSchema(types: [.object])
            case .jsonSchema(_, let schema): return schema
            }
        }
    }

    /// Roles the chat template takes; OpenAI's `developer` is read as `system`.
    static let roles = ["system", "user", "assistant"]

    /// Reads a chat completion body.
    public static func chat(_ body: JSONValue) throws -> GenerationRequest {
        let fields = try RequestFields(body)
        guard let messagesValue = fields["messages"] else {
            throw APIError.invalid("'messages' is missing: send an array such as [{\"role\": \"user\", \"content\": \"Hello\"}]",
                                   param: "messages", code: "missing_required_parameter")
        }
        guard case .array(let items) = messagesValue, !items.isEmpty else {
            throw APIError.invalid("'messages' must be a non-empty array of {\"role\", \"content\"} objects, not \(messagesValue.typeDescription)",
                                   param: "messages")
        }
        var messages = [ChatMessage]()
        for (index, item) in items.enumerated() {
            let name = "messages[\(index)]"
            guard case .object = item else {
                throw APIError.invalid("\(name) must be an object {\"role\", \"content\"}, not \(item.typeDescription)", param: name)
            }
            guard case .string(var role)? = item["role"] else {
                throw APIError.invalid("\(name).role must be a string (system, user or assistant)", param: "\(name).role")
            }
            if role == "developer" { role = "system" }
            guard roles.contains(role) else {
                throw APIError.invalid("\(name).role '\(role)' is not supported; roles are system, user and assistant (tools are not supported)",
                                       param: "\(name).role")
            }
            messages.append(ChatMessage(role: role, content: try content(item["content"], name: name)))
        }
        var request = GenerationRequest(model: try fields.string("model") ?? "base", input: .chat(messages))
        try request.readSampling(fields, completion: false)
        return request
    }

    /// Reads a (legacy) completion body: `prompt` is a string or an array holding one string.
    public static func completion(_ body: JSONValue) throws -> GenerationRequest {
        let fields = try RequestFields(body)
        let prompt: String
        switch fields["prompt"] {
        case .string(let text)?: prompt = text
        case .array(let items)? where items.count == 1:
            guard case .string(let text) = items[0] else {
                throw APIError.invalid("'prompt' must be a string or an array of one string (token arrays are not supported)", param: "prompt")
            }
            prompt = text
        case nil:
            throw APIError.invalid("'prompt' is missing: send the text to continue", param: "prompt", code: "missing_required_parameter")
        case let other?:
            throw APIError.invalid("'prompt' must be a string or an array of one string, not \(other.typeDescription)"
                                   + (other.typeDescription == "an array" ? " of several (n=1: one prompt per request)" : ""), param: "prompt")
        }
        if prompt.isEmpty { throw APIError.invalid("'prompt' is empty: send the text to continue", param: "prompt") }
        var request = GenerationRequest(model: try fields.string("model") ?? "base", input: .text(prompt))
        try request.readSampling(fields, completion: true)
        if try fields.bool("echo") == true { throw APIError.invalid("'echo' is not supported", param: "echo", code: "unsupported_parameter") }
        if let bestOf = try fields.integer("best_of"), bestOf != 1 {
            throw APIError.invalid("'best_of' must be 1 (got \(bestOf))", param: "best_of", code: "unsupported_parameter")
        }
        if case .string(let suffix)? = fields["suffix"], !suffix.isEmpty {
            throw APIError.invalid("'suffix' is not supported", param: "suffix", code: "unsupported_parameter")
        }
        return request
    }

    /// Message content: a string, or text parts `[{"type": "text", "text": …}]` joined.
    static func content(_ value: JSONValue?, name: String) throws -> String {
        switch value {
        case .string(let text)?: return text
        case .array(let parts)?:
            var text = ""
            for (i, part) in parts.enumerated() {
                guard case .string("text")? = part["type"], case .string(let piece)? = part["text"] else {
                    throw APIError.invalid("\(name).content[\(i)] must be {\"type\": \"text\", \"text\": …}; only text parts are supported",
                                           param: "\(name).content")
                }
                text += piece
            }
            return text
        case nil, .null?:
            throw APIError.invalid("\(name).content is missing: give the message text", param: "\(name).content")
        case let other?:
            throw APIError.invalid("\(name).content must be a string, not \(other.typeDescription)", param: "\(name).content")
        }
    }

    /// The sampling fields both routes share.
    mutating func readSampling(_ fields: RequestFields, completion: Bool) throws {
        let maxKey = fields["max_completion_tokens"] != nil && !completion ? "max_completion_tokens" : "max_tokens"
        if let max = try fields.integer(maxKey) {
            guard max >= 1 else {
                throw APIError.invalid("'\(maxKey)' must be at least 1 (got \(max))", param: maxKey)
            }
            maxTokens = max
        }
        if let t = try fields.number("temperature") {
            guard (0...2).contains(t) else { throw APIError.invalid("'temperature' must be between 0 and 2 (got \(JSONValue.numberText(t)))", param: "temperature") }
            temperature = t
        }
        if let p = try fields.number("top_p") {
            guard p > 0, p <= 1 else { throw APIError.invalid("'top_p' must be above 0 and at most 1 (got \(JSONValue.numberText(p)))", param: "top_p") }
            topP = p
        }
        switch fields["stop"] {
        case nil, .null?: break
        case .string(let s)?: stop = [s]
        case .array(let items)?:
            stop = try items.map { item in
                guard case .string(let s) = item else { throw APIError.invalid("'stop' must hold strings, not \(item.typeDescription)", param: "stop") }
                return s
            }
        case let other?: throw APIError.invalid("'stop' must be a string or an array of strings, not \(other.typeDescription)", param: "stop")
        }
        if stop.count > 4 { throw APIError.invalid("'stop' takes at most 4 sequences (got \(stop.count))", param: "stop") }
        if stop.contains("") { throw APIError.invalid("'stop' sequences must not be empty", param: "stop") }
        if let seed = try fields.integer("seed") { self.seed = UInt64(bitPattern: Int64(seed)) }
        if let n = try fields.integer("n"), n != 1 {
            throw APIError.invalid("'n' must be 1 (got \(n)): one choice per request", param: "n", code: "unsupported_parameter")
        }
        stream = try fields.bool("stream") ?? false
        user = try fields.string("user")
        responseFormat = try Self.responseFormat(fields["response_format"])
        if let options = fields["stream_options"], options != .null {
            guard case .object = options else { throw APIError.invalid("'stream_options' must be an object", param: "stream_options") }
            if case .bool(let include)? = options["include_usage"] { streamUsage = include }
        }
        for key in ["presence_penalty", "frequency_penalty"] {
            if let x = try fields.number(key), x != 0 {
                throw APIError.invalid("'\(key)' is not supported (only 0)", param: key, code: "unsupported_parameter")
            }
        }
        for key in ["tools", "functions"] {
            if case .array(let items)? = fields[key], !items.isEmpty {
                throw APIError.invalid("'\(key)' is not supported: this server answers with text only", param: key, code: "unsupported_parameter")
            }
        }
        if let logprobs = fields["logprobs"], logprobs != .null, logprobs != .bool(false) {
            throw APIError.invalid("'logprobs' is not supported", param: "logprobs", code: "unsupported_parameter")
        }
    }
}

extension GenerationRequest {
    /// Reads `response_format`: `{"type": "text"}`, `{"type": "json_object"}` or
    /// `{"type": "json_schema", "json_schema": {"name": …, "schema": {…}}}` (the schema in the
    /// subset `eval` checks: type, required, properties, enum, items, additionalProperties).
    static func responseFormat(_ value: JSONValue?) throws -> ResponseFormat? {
        let param = "response_format"
        guard let value, value != .null else { return nil }
        guard case .object = value, case .string(let type)? = value["type"] else {
            throw APIError.invalid("'response_format' must be an object with a 'type': text, json_object or json_schema", param: param)
        }
        switch type {
        case "text": return nil
        case "json_object": return .jsonObject
        case "json_schema":
            guard let spec = value["json_schema"], case .object = spec else {
                throw APIError.invalid("'response_format.json_schema' is missing: give {\"name\": …, \"schema\": {…}}", param: "\(param).json_schema")
            }
            var name = "schema"
            if case .string(let n)? = spec["name"] { name = n }
            guard let schemaValue = spec["schema"], case .object = schemaValue else {
                throw APIError.invalid("'response_format.json_schema.schema' must be a JSON Schema object", param: "\(param).json_schema.schema")
            }
            do { return .jsonSchema(name: name, schema: try JSONSchema(json: schemaValue.text)) } catch {
                throw APIError.invalid("'response_format.json_schema.schema': \(error)", param: "\(param).json_schema.schema",
                                       code: "invalid_schema")
            }
        default:
            throw APIError.invalid("'response_format.type' is '\(type)'; it is text, json_object or json_schema", param: "\(param).type")
        }
    }
}

/// The top-level fields of a request body, read with the type each takes.
struct RequestFields {
    let body: JSONValue

    init(_ body: JSONValue) throws {
        guard case .object = body else {
            throw APIError.invalid("The request body must be a JSON object, not \(body.typeDescription)", code: "invalid_json")
        }
        self.body = body
    }

    subscript(key: String) -> JSONValue? { body[key] }

    func string(_ key: String) throws -> String? {
        switch body[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw APIError.invalid("'\(key)' must be a string, not \(other.typeDescription)", param: key)
        }
    }

    func number(_ key: String) throws -> Double? {
        switch body[key] {
        case nil, .null?: return nil
        case .number(let x, _)?: return x
        case let other?: throw APIError.invalid("'\(key)' must be a number, not \(other.typeDescription)", param: key)
        }
    }

    func integer(_ key: String) throws -> Int? {
        guard let x = try number(key) else { return nil }
        guard x == x.rounded(), abs(x) <= 9_007_199_254_740_992 else {
            throw APIError.invalid("'\(key)' must be a whole number (got \(JSONValue.numberText(x)))", param: key)
        }
        return Int(x)
    }

    func bool(_ key: String) throws -> Bool? {
        switch body[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let other?: throw APIError.invalid("'\(key)' must be true or false, not \(other.typeDescription)", param: key)
        }
    }
}
