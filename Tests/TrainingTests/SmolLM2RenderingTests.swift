import Datasets
import Foundation
import Models
import XCTest

/// Issue 4, done-when 3: a JSONL chat line rendered for training with SmolLM2's own tokenizer
/// (the cached model; CI fetches it) gives the reference `chatml` ids of
/// `shared/reference/smollm2-135m-instruct.json`, with the loss mask on exactly the assistant
/// content and its `<|im_end|>`.
final class SmolLM2RenderingTests: XCTestCase {
    func testChatLineRendersToTheReferenceIdsWithTheAssistantMask() throws {
        guard let url = ModelCache.default.cached(.smollm2) else {
            if ProcessInfo.processInfo.environment["ATTUNE_REQUIRE_FIXTURES"] == "1" { XCTFail("SmolLM2 is not in the cache; run Scripts/fetch-model") }
            throw XCTSkip("SmolLM2 not in the cache; run Scripts/fetch-model")
        }
        let smol = try LoadedModel.load(gguf: url).tokenizer
        let reference = try ReferenceFixtures.json("smollm2-135m-instruct.json")
        let chatml = ((reference["tokenizer"] as! [String: Any])["cases"] as! [String: Any])["chatml"] as! [String: Any]
        let expected = chatml["ids"] as! [Int]

        let line = #"{"messages": [{"role": "system", "content": "You are a concise assistant."}, {"role": "user", "content": "Hi! What's 2+2?"}, {"role": "assistant", "content": "2+2 = 4."}]}"#
        let renderer = ExampleRenderer(tokenizer: smol)
        XCTAssertEqual(renderer.template?.name, "chatml")
        let rendered = try renderer.render(try DatasetLoader.parse(line).examples[0])
        XCTAssertEqual(rendered.ids, expected)
        let trained = zip(rendered.ids, rendered.trainable).filter(\.1).map(\.0)
        XCTAssertEqual(trained, smol.encode("2+2 = 4.") + [2])
        let firstTrained = try XCTUnwrap(rendered.trainable.firstIndex(of: true))
        XCTAssertEqual(Array(rendered.trainable[firstTrained...]), Array(repeating: true, count: expected.count - 1 - firstTrained) + [false])
    }
}
