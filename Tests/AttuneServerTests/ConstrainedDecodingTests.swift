import Essentials
import Evaluation
import Foundation
import Models
import Tokenization
import XCTest
@testable import AttuneServer

/// `response_format` by constrained decoding: the byte matcher on hand-made documents, 200 random
/// schemas decoded by the tiny model at temperature 1 (never a reply that is not matching JSON),
/// and the request field through HTTP.
final class ConstrainedDecodingTests: XCTestCase {
    func schema(_ text: String) throws -> SchemaNode { try SchemaNode(try JSONSchema(json: text)) }

    /// Whether every byte of `text` is accepted, and the matcher afterwards.
    func feed(_ node: SchemaNode, _ text: String) -> (accepted: Bool, matcher: JSONPrefixMatcher) {
        var matcher = JSONPrefixMatcher(node)
        for byte in text.utf8 where !matcher.feed(byte) { return (false, matcher) }
        return (true, matcher)
    }

    let triage = #"{"type": "object", "required": ["category", "urgent"], "additionalProperties": false, "properties": {"category": {"enum": ["billing", "bug", "bugfix"]}, "urgent": {"type": "boolean"}, "score": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}}}"#

    func testTheMatcherAcceptsMatchingDocumentsAndNothingElse() throws {
        let node = try schema(triage)
        XCTAssertEqual(node.minLength, #"{"category":"bug","urgent":true}"#.utf8.count)
        for good in [#"{"category":"bug","urgent":true}"#, #"{"urgent":false,"category":"bugfix","score":-12,"tags":["a\"b",""]}"#,
                     #"{"tags":[],"category":"billing","urgent":true}"#] {
            let (accepted, matcher) = feed(node, good)
            XCTAssertTrue(accepted, good)
            XCTAssertTrue(matcher.isClosed, good)
            XCTAssertEqual(matcher.closingDistance, 0, good)
        }
        for (bad, why) in [(#"{"category":"bug"}"#, "a required key is missing at }"), (#"{"category":"bugs""#, "not an enum value"),
                           (#"{"colour":"#, "an undeclared key"), (#"{"score":1.5"#, "an integer with a fraction"),
                           (#"{"category":"bug","category""#, "a key twice"), (#"{ "#, "whitespace"), (#"{"urgent":tru,"#, "a cut literal"),
                           (#"{"category":"bug","urgent":true,}"#, "a trailing comma"), (#"{"category":"bug","urgent":true}}"#, "after the end"),
                           (#"{"score":0123"#, "a leading zero"), (#"{"tags":["\u0041"]"#, "a \\u escape")] {
            XCTAssertFalse(feed(node, bad).accepted, "\(why): \(bad)")
        }
        // The closing distance is exact: the shortest finish of a prefix has that many bytes.
        let prefix = feed(node, #"{"tags":["x"#)
        XCTAssertEqual(prefix.matcher.closingDistance, #""],"category":"bug","urgent":true}"#.utf8.count)
        XCTAssertEqual(feed(node, #"{"category":"b"#).matcher.closingDistance, #"ug","urgent":true}"#.utf8.count)
        XCTAssertEqual(feed(node, #"{"u"#).matcher.closingDistance, #"rgent":true,"category":"bug"}"#.utf8.count)
        // A key with escapes is matched on its escaped bytes, a pending escape included.
        let escapedKey = try schema(#"{"type": "object", "required": ["q\"t"], "additionalProperties": false, "properties": {"q\"t": {"type": "null"}}}"#)
        XCTAssertEqual(feed(escapedKey, #"{"q\"#).matcher.closingDistance, #""t":null}"#.utf8.count)  // `{"q\` typed: an escape pending
        XCTAssertTrue(feed(escapedKey, #"{"q\"t":null}"#).matcher.isClosed)
        // Enums may share prefixes, and a number ends where the enclosing value goes on.
        let numbers = try schema(#"{"type": "array", "items": {"enum": [1, 10, 2.5]}}"#)
        XCTAssertTrue(feed(numbers, "[1,10,2.5,1]").matcher.isClosed)
        XCTAssertFalse(feed(numbers, "[11").accepted)
        XCTAssertThrowsError(try schema(#"{"type": "integer", "enum": ["a"]}"#)) {
            XCTAssertTrue("\($0)".contains("no value of 'enum' has an allowed type"), "\($0)")
        }
        XCTAssertThrowsError(try schema(#"{"type": "object", "required": ["x"], "additionalProperties": false}"#)) {
            XCTAssertTrue("\($0)".contains("'x' is required but 'additionalProperties' is false"), "\($0)")
        }
    }

    // MARK: Random schemas

    struct Generator {
        var rng: SplitMixForTests
        mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        mutating func coin(_ p: Double = 0.5) -> Bool { Double(rng.next() >> 11) / Double(1 << 53) < p }

        static let names = ["a", "b", "ab", "id", "name", "category", "x y", "ünï", "q\"t", "n\\m"]
        static let words: [JSONValue] = ["billing", "bug", "bugfix", "a", "", "ünï", "tab\there"].map { .string($0) }
        static let numbers: [JSONValue] = [.number(1), .number(10), .number(2.5), .number(-3), .number(0)]

        mutating func schema(depth: Int) -> JSONSchema {
            switch below(depth > 0 ? 11 : 8) {
            case 0: return JSONSchema(types: [.string])
            case 1: return JSONSchema(types: [.integer])
            case 2: return JSONSchema(types: [.number])
            case 3: return JSONSchema(types: [.boolean])
            case 4: return JSONSchema(types: [.null, .string])
            case 5: return JSONSchema(enumValues: pick(Self.words, 1 + below(4)))
            case 6: return JSONSchema(types: coin() ? [.number] : [], enumValues: pick(Self.numbers, 1 + below(3)))
            case 7: return JSONSchema()  // any value
            case 8: return JSONSchema(types: [.array], items: coin(0.8) ? schema(depth: depth - 1) : nil)
            default: return object(depth: depth)
            }
        }

        mutating func object(depth: Int) -> JSONSchema {
            var properties = [String: JSONSchema]()
            for name in pick(Self.names.map { JSONValue.string($0) }, below(5)) {
                if case .string(let n) = name { properties[n] = schema(depth: depth - 1) }
            }
            let required = properties.keys.sorted().filter { _ in coin(0.6) }
            return JSONSchema(types: [.object], required: required, properties: properties, additionalProperties: coin(0.3))
        }

        mutating func pick(_ items: [JSONValue], _ count: Int) -> [JSONValue] {
            var pool = items, out = [JSONValue]()
            for _ in 0..<min(count, pool.count) { out.append(pool.remove(at: below(pool.count))) }
            return out
        }
    }

    func testTwoHundredRandomSchemasNeverGiveInvalidJSON() throws {
        let loaded = try tinyModel()
        let renderer = PromptRenderer(loaded)
        let table = TokenByteTable(tokenizer: loaded.tokenizer, vocabularySize: loaded.model.config.vocabSize)
        let prompt = try renderer.ids(for: .chat([ChatMessage(role: "user", content: "Classify: my card was charged twice")]))
        var generator = Generator(rng: SplitMixForTests(seed: 2026))
        var tokens = 0, maskSeconds = 0.0, closedByDocument = 0
        for run in 0..<200 {
            let schema = generator.coin(0.7) ? generator.object(depth: 2) : generator.schema(depth: 2)
            let node = try SchemaNode(schema)
            // A budget from exactly the shortest document to 40 tokens more.
            let budget = node.minLength + generator.below(41)
            let temperature: Float = run % 5 == 0 ? 0 : 1
            let outcome = try ConstrainedDecoding.generate(model: loaded.model, prompt: prompt, maxTokens: budget,
                                                           sampling: SamplingOptions(temperature: temperature, seed: UInt64(run)),
                                                           stopTokens: renderer.stopTokens, schema: node, table: table, onToken: { _ in true })
            let text = loaded.tokenizer.decode(outcome.tokens, skipSpecialTokens: true)
            let described = "run \(run), budget \(budget), schema \(try JSONEncoder().encode(schema).count) bytes: \(text)"
            XCTAssertLessThanOrEqual(outcome.tokens.count, budget, described)
            guard let value = try? JSONValue.parse(text) else { XCTFail("not JSON: \(described)"); continue }
            XCTAssertEqual(schema.violations(of: value), [], described)
            tokens += outcome.tokens.count
            maskSeconds += outcome.maskSeconds
            if outcome.stopReason == .stopToken { closedByDocument += 1 }
        }
        XCTAssertGreaterThan(closedByDocument, 100, "most replies end with their document, not at max_tokens")
        print("constrained decoding: \(tokens) tokens over 200 schemas; masks cost \(String(format: "%.1f", maskSeconds / Double(max(tokens, 1)) * 1e6)) µs per token (tiny model, \(loaded.model.config.vocabSize) tokens)")
    }

    // MARK: Through HTTP

    func testResponseFormatThroughHTTP() async throws {
        let server = try await startServer()
        let format = #""response_format": {"type": "json_schema", "json_schema": {"name": "triage", "schema": \#(triage)}}"#
        let expected = try JSONSchema(json: triage)
        for (temperature, stream) in [(0.0, false), (1.0, false), (1.0, true)] {
            let body = chatBody("Classify: my card was charged twice", maxTokens: 60, temperature: temperature,
                                extra: format + (stream ? ", \"stream\": true" : "") + ", \"seed\": 5")
            let reply = try await server.post("/v1/chat/completions", body)
            XCTAssertEqual(reply.status, 200, reply.body)
            let text: String
            if stream {
                text = ServerHarness.events(reply.body).dropLast().compactMap {
                    (try? JSONValue.parse(Data($0.utf8)))?["choices"]?[0]?["delta"]?["content"]?.stringValue
                }.joined()
            } else {
                text = try XCTUnwrap(try reply.json["choices"]?[0]?["message"]?["content"]?.stringValue)
                XCTAssertEqual(try reply.json["choices"]?[0]?["finish_reason"], "stop", "the document's end stops the reply")
            }
            XCTAssertEqual(expected.violations(of: try JSONValue.parse(text)), [], text)
        }
        let object = try await server.post("/v1/chat/completions", chatBody("Hi", maxTokens: 30, temperature: 1, extra: #""response_format": {"type": "json_object"}"#))
        XCTAssertEqual(object.status, 200, object.body)
        guard case .object? = try? JSONValue.parse(try XCTUnwrap(try object.json["choices"]?[0]?["message"]?["content"]?.stringValue)) else {
            return XCTFail("json_object gives an object: \(object.body)")
        }
        let constrainedTokens = try await server.metric("attune_constrained_tokens_total")
        XCTAssertGreaterThan(constrainedTokens ?? 0, 0, "/metrics counts the tokens decoded under response_format")
        let impossible = try await server.post("/v1/chat/completions", chatBody("Hi", extra: #""response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "integer", "enum": ["a"]}}}"#))
        XCTAssertEqual(impossible.status, 400)
        XCTAssertEqual(impossible.errorCode, "invalid_schema")
        XCTAssertTrue(impossible.errorMessage.contains("no value of 'enum' has an allowed type"), impossible.errorMessage)
        let unknownKeyword = try await server.post("/v1/chat/completions", chatBody("Hi", extra: #""response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "string", "pattern": "^a"}}}"#))
        XCTAssertEqual(unknownKeyword.status, 400, "a keyword that is not enforced is refused, not ignored")
        let short = try await server.post("/v1/chat/completions", chatBody("Hi", maxTokens: 10, extra: format))
        XCTAssertEqual(short.status, 400)
        XCTAssertTrue(short.errorMessage.contains("max_tokens is 10, but the shortest JSON matching the response_format schema takes 32 tokens"), short.errorMessage)
        let badType = try await server.post("/v1/chat/completions", chatBody("Hi", extra: #""response_format": {"type": "yaml"}"#))
        XCTAssertEqual(badType.status, 400)
        XCTAssertTrue(badType.errorMessage.contains("'response_format.type' is 'yaml'; it is text, json_object or json_schema"), badType.errorMessage)
    }
}
