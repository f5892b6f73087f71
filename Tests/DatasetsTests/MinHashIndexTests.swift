@testable import Datasets
import Tokenization
import XCTest

/// The nearest-training distance of the novelty score, on signatures and texts worked by hand.
final class MinHashIndexTests: XCTestCase {
    /// A 128-entry signature equal to `query` in its first `agreeing` entries and different after.
    private func signature(agreeingWith query: [UInt32], in agreeing: Int) -> [UInt32] {
        query.enumerated().map { $0.offset < agreeing ? $0.element : $0.element &+ 1 }
    }

    func testDistanceIsOneMinusTheLargestShareOfAgreeingEntries() throws {
        let query = (0..<128).map { UInt32($0 * 7 + 3) }
        // References agreeing in 32, 96 and 64 of 128 entries: the nearest agrees in 96 → 1 − 96/128.
        let index = try MinHashIndex(signatures: [signature(agreeingWith: query, in: 32), signature(agreeingWith: query, in: 96),
                                                  signature(agreeingWith: query, in: 64)])
        XCTAssertEqual(index.distance(signature: query), 0.25)
        XCTAssertEqual(try MinHashIndex(signatures: [signature(agreeingWith: query, in: 0)]).distance(signature: query), 1)
        XCTAssertEqual(try MinHashIndex(signatures: []).distance(signature: query), 1, "no reference: nothing is near")
        XCTAssertEqual(MinHash.similarity([1, 2, 3, 4], [1, 2, 5, 6]), 0.5)
    }

    func testTextsAtKnownJaccardDistances() {
        let index = MinHashIndex(texts: ["the printer on floor two jams every morning", "refund my second invoice please"])
        XCTAssertEqual(index.distance(to: "The printer on floor two JAMS every morning."), 0, "case and punctuation do not count")
        XCTAssertEqual(index.distance(to: "quarterly compliance audit of archived ledgers"), 1, "no shared shingle")
        // Shingles {a b c, b c d, c d e} vs {a b c, b c d, c d x}: Jaccard 2/4, so distance 0.5; the
        // 128-entry estimate has standard deviation √(0.25/128) ≈ 0.044.
        let estimate = MinHashIndex(texts: ["alpha beta gamma delta epsilon"]).distance(to: "alpha beta gamma delta omega")
        XCTAssertEqual(estimate, 0.5, accuracy: 0.15)
    }

    func testStoredSignaturesMustHaveTheSignatureLength() {
        XCTAssertThrowsError(try MinHashIndex(signatures: [[1, 2, 3]])) { error in
            XCTAssertEqual("\(error)", "signature 0 has 3 entries, not 128")
        }
    }

    func testNoveltyTextIsTheInputSide() {
        let chat = Example(line: 1, content: .chat([ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi"),
                                                    ChatMessage(role: "assistant", content: "Hello"), ChatMessage(role: "user", content: "Refund?"),
                                                    ChatMessage(role: "assistant", content: "Sure")]))
        XCTAssertEqual(NoveltyText.of(chat), "Hi\nHello\nRefund?")
        XCTAssertEqual(NoveltyText.of(messages: [("user", "Hi"), ("assistant", "Hello"), ("user", "Refund?")]), "Hi\nHello\nRefund?",
                       "a request ends with the user's turn, which stays")
        XCTAssertEqual(NoveltyText.of(Example(line: 1, content: .instruction(instruction: "Triage.", input: "It broke.", output: "{}"))), "Triage.\nIt broke.")
        XCTAssertEqual(NoveltyText.of(Example(line: 1, content: .instruction(instruction: "Say hi.", input: "", output: "hi"))), "Say hi.")
        XCTAssertEqual(NoveltyText.of(Example(line: 1, content: .completion(prompt: "Review: ok\nSentiment:", completion: " positive"))), "Review: ok\nSentiment:")
    }
}
