import Foundation
import XCTest
@testable import ModelFormats
import Tokenization

/// `tokenizer.json` built from a GGUF's tokenizer metadata reads back (through Attune's Hugging
/// Face tokenizer reader) as the same tokenizer: same ids for text with digits, spaces, Unicode
/// and special tokens, same special ids and chat template.
final class HuggingFaceTokenizerFilesTests: XCTestCase {
    func testSmolLM2TokenizerSurvivesTheTripToTokenizerJSON() throws {
        guard FileManager.default.fileExists(atPath: SmolLM2FileTests.path) else {
            throw XCTSkip("SmolLM2 GGUF not found at \(SmolLM2FileTests.path) (run `attune fetch smollm2`)")
        }
        let gguf = try GGUFFile(contentsOf: URL(fileURLWithPath: SmolLM2FileTests.path))
        let metadata = try gguf.tokenizerMetadata()
        let files = try XCTUnwrap(try metadata.huggingFaceFiles())
        XCTAssertEqual(Set(files.keys), ["tokenizer.json", "tokenizer_config.json"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attune-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, data) in files { try data.write(to: folder.appendingPathComponent(name)) }

        let original = try BPETokenizer(gguf: metadata)
        let rebuilt = try BPETokenizer.load(huggingFaceDirectory: folder)
        XCTAssertEqual(rebuilt.vocabularySize, original.vocabularySize)
        XCTAssertEqual(rebuilt.preTokenizer, .smollm)
        XCTAssertEqual(rebuilt.specialTokens.bos, original.specialTokens.bos)
        XCTAssertEqual(rebuilt.specialTokens.eos, original.specialTokens.eos)
        XCTAssertEqual(rebuilt.chatTemplateSource, original.chatTemplateSource)
        XCTAssertEqual(rebuilt.addsBOSByDefault, original.addsBOSByDefault)
        for text in ["My API calls return 429 errors since 12:05.", "<|im_start|>user\nHallo, Grüße — ☃️ 2024<|im_end|>\n",
                     "  spaces   and\ttabs\n\nnewlines", "def f(x):\n    return x**2  # 3.14159"] {
            XCTAssertEqual(rebuilt.encode(text), original.encode(text), text)
        }
    }

    func testOtherLayoutsAreDeclined() throws {
        XCTAssertNil(try GGUFTokenizerMetadata(model: "llama", tokens: ["<unk>"]).huggingFaceFiles())
        XCTAssertNil(try GGUFTokenizerMetadata(model: "gpt2", pre: "llama-bpe", tokens: ["a"]).huggingFaceFiles())
    }
}
