import XCTest
@testable import Datasets
import Tokenization

final class DistributionShiftTests: XCTestCase {
    func testPSIAndKLMatchHandWorkedValues() {
        // PSI = (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5) = 0.173287 + 0.101366.
        XCTAssertEqual(DistributionShift.psi(expected: [0.5, 0.5], actual: [0.25, 0.75]), 0.274653, accuracy: 1e-6)
        // Symmetric in its two arguments.
        XCTAssertEqual(DistributionShift.psi(expected: [0.25, 0.75], actual: [0.5, 0.5]), 0.274653, accuracy: 1e-6)
        // KL(p‖q) = 0.25·ln(0.5) + 0.75·ln(1.5) = −0.173287 + 0.304099; not symmetric.
        XCTAssertEqual(DistributionShift.klDivergence([0.25, 0.75], from: [0.5, 0.5]), 0.130812, accuracy: 1e-6)
        XCTAssertEqual(DistributionShift.klDivergence([0.5, 0.5], from: [0.25, 0.75]), 0.143841, accuracy: 1e-6)
        XCTAssertEqual(DistributionShift.psi(expected: [0.2, 0.3, 0.5], actual: [0.2, 0.3, 0.5]), 0, accuracy: 1e-12)
    }

    func testAnEmptyBinIsFlooredNotInfinite() {
        // e = [1, 1e-4] / 1.0001, a = [0.5, 0.5].
        let e0 = 1 / 1.0001, e1 = 1e-4 / 1.0001
        let expected = (0.5 - e0) * log(0.5 / e0) + (0.5 - e1) * log(0.5 / e1)
        let psi = DistributionShift.psi(expected: [1, 0], actual: [0.5, 0.5])
        XCTAssertTrue(psi.isFinite)
        XCTAssertEqual(psi, expected, accuracy: 1e-9)
        XCTAssertEqual(DistributionShift.Band(psi: psi), .major)
    }

    func testBandsAndProportions() {
        XCTAssertEqual(DistributionShift.Band(psi: 0.099), .stable)
        XCTAssertEqual(DistributionShift.Band(psi: 0.1), .moderate)
        XCTAssertEqual(DistributionShift.Band(psi: 0.2499), .moderate)
        XCTAssertEqual(DistributionShift.Band(psi: 0.25), .major)
        XCTAssertEqual(DistributionShift.proportions([1, 3]), [0.25, 0.75])
        XCTAssertEqual(DistributionShift.proportions([0, 0]), [0, 0])
    }

    func testDecileBinsHoldATenthOfTheReferenceEach() {
        let values = Array(1...100)
        let edges = DistributionShift.decileEdges(values)
        XCTAssertEqual(edges, [0, 11, 21, 31, 41, 51, 61, 71, 81, 91, 100])
        XCTAssertEqual(DistributionShift.histogram(values, edges: edges), [0, 11, 10, 10, 10, 10, 10, 10, 10, 10, 9, 0])
        // Repeated values give fewer, distinct edges; values outside the reference's range get
        // bins of their own, so a set of one length still tells shorter and longer apart.
        XCTAssertEqual(DistributionShift.decileEdges([5, 5, 5, 5, 9]), [4, 5, 9])
        XCTAssertEqual(DistributionShift.decileEdges([7, 7, 7]), [6, 7])
        XCTAssertEqual(DistributionShift.histogram([1, 7, 30], edges: [6, 7]), [1, 1, 1])
        XCTAssertEqual(DistributionShift.decileEdges([]), [])
    }
}

final class DatasetComparisonTests: XCTestCase {
    static let topics = ["billing", "shipping", "login", "refund", "warranty", "address", "invoice", "password", "delivery", "coupon"]

    /// A completion example about topic `i` with a distinctive long prompt.
    static func example(_ i: Int, line: Int, answer: String? = nil, label: String? = nil, extra: String = "", codes count: Int = 20) -> Example {
        let topic = topics[i % topics.count]
        let codes = (0..<count).map { String(i * 1000 + $0 * 37) }.joined(separator: " ")
        let prompt = "Ticket \(i): customer number \(i * 7919) writes about \(topic) issue \(i) with order \(i * 104729) placed on day \(i % 28 + 1), reference codes \(codes)\(extra)"
        return Example(line: line, content: .completion(prompt: prompt, completion: answer ?? "{\"category\": \"\(topic)\"}"), label: label)
    }

    func testPlantedLeaksAreFoundByKind() {
        let a = (0..<60).map { Self.example($0, line: $0 + 1) }
        var b = (100..<120).map { Self.example($0, line: $0 - 99) }
        b[2] = Self.example(5, line: 3)                                      // exact copy of A's line 6
        b[7] = Self.example(17, line: 8)                                     // exact copy of A's line 18
        b[9] = Self.example(23, line: 10, answer: "{\"category\": \"other\"}") // same prompt, other answer
        b[12] = Self.example(41, line: 13, extra: " again")                  // near copy: one word added (Jaccard about 0.89)
        let comparison = DatasetComparison(reference: a, candidate: b)
        let found = comparison.leaks.map { "\($0.candidate)>\($0.reference) \($0.kind.rawValue)" }
        XCTAssertEqual(found, ["2>5 exact", "7>17 exact", "9>23 same prompt", "12>41 near"])
        guard comparison.leaks.count == 4 else { return }
        XCTAssertGreaterThanOrEqual(comparison.leaks[3].similarity, 0.8)
        XCTAssertLessThan(comparison.leaks[3].similarity, 1)
        // Without the planted copies nothing leaks.
        let clean = DatasetComparison(reference: a, candidate: (100..<120).map { Self.example($0, line: $0) })
        XCTAssertTrue(clean.leaks.isEmpty)
        let text = comparison.text(referenceName: "train.jsonl", candidateName: "held.jsonl", reference: a, candidate: b)
        XCTAssertTrue(text.contains("leakage   4 of 20 (20.0%): 2 exact, 1 same prompt, 1 near"), text)
        XCTAssertTrue(text.contains("line 3 of held.jsonl exact as line 6 of train.jsonl"), text)
        XCTAssertTrue(text.contains("verdict   held.jsonl leaks into train.jsonl: 4 examples to remove"), text)
    }

    func testTheSameDistributionIsStableAndAnotherIsNot() {
        let a = (0..<200).map { Self.example($0, line: $0 + 1, label: Self.topics[$0 % 10], codes: 0) }
        let similar = (200..<300).map { Self.example($0, line: $0, label: Self.topics[$0 % 10], codes: 0) }
        let same = DatasetComparison(reference: a, candidate: similar)
        XCTAssertEqual(same.labels?.psi ?? -1, 0, accuracy: 1e-12, "labels in the same proportions")
        XCTAssertEqual(same.band, .stable, "lengths \(same.lengths.psi), words \(same.words.psi)")

        // Only two labels, long prompts of new words: every shift is major.
        let shifted = (0..<100).map { i in
            Example(line: i + 1, content: .completion(prompt: String(repeating: "zebra quantum umbrella galaxy ", count: 20) + "\(i)",
                                                      completion: "{\"category\": \"\(i % 2 == 0 ? "billing" : "legal")\"}"),
                    label: i % 2 == 0 ? "billing" : "legal")
        }
        let moved = DatasetComparison(reference: a, candidate: shifted)
        XCTAssertEqual(moved.lengths.band, .major)
        XCTAssertEqual(moved.words.band, .major)
        XCTAssertEqual(moved.labels?.band, .major)
        XCTAssertEqual(moved.labels?.bins.contains("legal"), true)
        XCTAssertGreaterThan(moved.wordKL, 1)
        XCTAssertEqual(moved.unusual.first?.index, 1, "the odd examples' label word (legal) is new too; ties keep the earliest")
        XCTAssertGreaterThan(moved.unusual.first?.unseenShare ?? 0, 0.9)
        let text = moved.text(referenceName: "a", candidateName: "b", reference: a, candidate: shifted)
        XCTAssertTrue(text.contains("verdict   b has shifted from a (a PSI of 0.25 or more)"), text)
    }

    func testPromptTextIsTheInputSide() {
        let chat = Example(line: 1, content: .chat([ChatMessage(role: "system", content: "S"), ChatMessage(role: "user", content: "U1"),
                                                    ChatMessage(role: "assistant", content: "A1"), ChatMessage(role: "user", content: "U2"),
                                                    ChatMessage(role: "assistant", content: "A2")]))
        XCTAssertEqual(DatasetComparison.promptText(chat), "user: U1\nassistant: A1\nuser: U2")
        XCTAssertEqual(DatasetComparison.promptText(Example(line: 1, content: .instruction(instruction: "I", input: "X", output: "O"))), "instruction: I\ninput: X")
    }
}
