import Foundation
import XCTest
import Tokenization

/// decode(encode(s)) == s on seeded random strings (emoji, combining marks, CJK, controls, RTL,
/// U+FFFD, noncharacters) for every kind of tokenizer.
final class RoundTripPropertyTests: XCTestCase {
    private func assertRoundTrips(_ tokenizer: any Tokenizer, seed: UInt64, normalize: Bool = false,
                                  file: StaticString = #filePath, line: UInt = #line) {
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<400 {
            let text = RandomText.string(using: &generator, maxLength: 80)
            let expected = normalize ? text.precomposedStringWithCanonicalMapping : text
            for parse in [true, false] {
                let encoding = tokenizer.encode(text, options: EncodingOptions(parseSpecialTokens: parse, addBOS: false))
                XCTAssertEqual(Array(tokenizer.decode(encoding.ids).utf8), Array(expected.utf8), text.debugDescription,
                               file: file, line: line)
                XCTAssertEqual(encoding.offsets, encoding.offsets.sorted(), "offsets increase", file: file, line: line)
                XCTAssertEqual(encoding.ids.count, encoding.offsets.count, file: file, line: line)
            }
        }
    }

    func testByteLevelLlama3Fixture() throws {
        let files = FixtureTokenizers.llama3()
        assertRoundTrips(try BPETokenizer(huggingFaceTokenizerJSON: files.tokenizer, config: files.config), seed: 1)
    }

    func testByteLevelQwen2FixtureUpToNFC() throws {
        let files = FixtureTokenizers.qwen2()
        assertRoundTrips(try BPETokenizer(huggingFaceTokenizerJSON: files.tokenizer, config: files.config), seed: 2, normalize: true)
    }

    func testSentencePieceWithByteFallback() throws {
        let files = FixtureTokenizers.tinyLlama()
        assertRoundTrips(try BPETokenizer(huggingFaceTokenizerJSON: files.tokenizer, config: files.config), seed: 3)
    }

    func testSentencePieceWithBOSAndSpecialTokensInText() throws {
        let files = FixtureTokenizers.tinyLlama()
        let tokenizer = try BPETokenizer(huggingFaceTokenizerJSON: files.tokenizer, config: files.config)
        for text in ["hello</s> world", "</s>x", " lead</s></s> trail ", "<s> the", ""] {
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(text, addBOS: true)), "<s>" + text)
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(text, addBOS: false)), text)
        }
    }

    func testSentencePieceFromGGUFScores() throws {
        assertRoundTrips(try SmallTokenizers.sentencePieceFromScores(), seed: 4)
    }

    func testByteTokenizer() {
        assertRoundTrips(ByteTokenizer(), seed: 5)
    }

    func testWordsWithManySymbolsMergeLikeTheReference() throws {
        // Pieces longer than 48 symbols take the heap path; compare with a naive reference.
        let files = FixtureTokenizers.llama3()
        let tokenizer = try BPETokenizer(huggingFaceTokenizerJSON: files.tokenizer, config: files.config)
        let reference = try NaiveBPE(files.tokenizer)
        var generator = SeededGenerator(seed: 9)
        let letters = Array("theworldHellohelloingapples")
        for _ in 0..<200 {
            let length = Int.random(in: 1...160, using: &generator)
            let word = String((0..<length).map { _ in letters.randomElement(using: &generator)! })
            XCTAssertEqual(tokenizer.encode(word, addBOS: false), reference.encode(word), word)
        }
    }
}

/// Lowest-rank-first, leftmost-first BPE over one piece, written as plainly as possible.
struct NaiveBPE {
    let ranks: [String: Int]
    let vocab: [String: Int]

    init(_ tokenizerJSON: Data) throws {
        let model = (try JSONSerialization.jsonObject(with: tokenizerJSON) as! [String: Any])["model"] as! [String: Any]
        vocab = model["vocab"] as! [String: Int]
        ranks = Dictionary(uniqueKeysWithValues: (model["merges"] as! [String]).enumerated().map { ($0.element, $0.offset) })
    }

    func encode(_ word: String) -> [Int] {
        var symbols = ByteLevelAlphabet.encode(Array(word.utf8)).unicodeScalars.map { String($0) }
        while symbols.count > 1 {
            var best: (rank: Int, index: Int)?
            for i in 0..<(symbols.count - 1) {
                if let rank = ranks[symbols[i] + " " + symbols[i + 1]], best == nil || rank < best!.rank { best = (rank, i) }
            }
            guard let (_, i) = best else { break }
            symbols[i] += symbols[i + 1]; symbols.remove(at: i + 1)
        }
        return symbols.map { vocab[$0]! }
    }
}
