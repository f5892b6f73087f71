import Foundation
import XCTest
@testable import Evaluation

final class AdvisorTests: XCTestCase {
    func recommendation(_ keys: [String], file: StaticString = #filePath, line: UInt = #line) -> Recommendation? {
        guard case .recommendation(let result)? = try? Advisor.run(keys) else {
            XCTFail("no recommendation for \(keys)", file: file, line: line)
            return nil
        }
        return result
    }

    func testStartsWithPrompting() {
        guard case .question(let question) = Advisor().step else { return XCTFail("expected a question") }
        XCTAssertEqual(question.id, .prompting)
        XCTAssertEqual(question.choices.map(\.key), ["no", "yes"])
    }

    func testEveryPath() {
        let paths: [([String], AdviceVerdict, FineTuningMethod?)] = [
            (["no"], .tryPromptingFirst, nil),
            (["yes", "knowledge"], .useRAG, nil),
            (["yes", "behaviour", "<100"], .collectMoreData, nil),
            (["yes", "both", "100-500", "no"], .waitUntilStable, nil),
            (["yes", "behaviour", "500-2000", "yes", "limited"], .fineTune, .qlora),
            (["yes", "behaviour", "2000-10000", "yes", "gpu"], .fineTune, .lora),
            (["yes", "behaviour", "500-2000", "yes", "cluster"], .fineTune, .lora),
            (["yes", "behaviour", "10000+", "yes", "cluster"], .fineTune, .full),
        ]
        for (keys, verdict, method) in paths {
            let result = recommendation(keys)
            XCTAssertEqual(result?.verdict, verdict, "\(keys)")
            XCTAssertEqual(result?.method, method, "\(keys)")
            XCTAssertEqual(result?.answers.map(\.choice), keys)
        }
    }

    func testRecommendationNamesReasonsAndRange() {
        let result = recommendation(["yes", "both", "500-2000", "yes", "limited"])!
        XCTAssertEqual(result.text, """
        Fine-tune with QLoRA: learning rate 2e-4 to 5e-4, 1-3 epochs, warmup then cosine.
          - Prompting alone was not enough.
          - Use RAG for the facts and fine-tune the behaviour.
          - 500-2,000 examples suit specialising on a task.
          - The task is stable, so a tuned model stays useful.
          - Limited memory: QLoRA's 4-bit base needs about a quarter of LoRA's memory.
        """)
        let smallCluster = recommendation(["yes", "behaviour", "100-500", "yes", "cluster"])!
        XCTAssertEqual(smallCluster.reasons.last,
                       "With fewer than 10,000 examples full fine-tuning rarely beats LoRA and forgets more, so LoRA it is.")
    }

    func testStepByStepAndErrors() throws {
        var advisor = Advisor()
        guard case .question(let next) = try advisor.answer("YES") else { return XCTFail("expected a question") }
        XCTAssertEqual(next.id, .problem)
        XCTAssertThrowsError(try advisor.answer("maybe")) { error in
            XCTAssertEqual((error as? Advisor.AnswerError)?.description,
                           "'maybe' is not an answer to the problem question (choose knowledge, behaviour, both)")
        }
        try advisor.answer("knowledge")
        XCTAssertThrowsError(try advisor.answer("yes")) { error in
            XCTAssertEqual(error as? Advisor.AnswerError, .alreadyFinished)
        }
        let data = try JSONEncoder().encode(advisor)
        XCTAssertEqual(try JSONDecoder().decode(Advisor.self, from: data), advisor)
    }

    func testEveryQuestionIsReachableAndEveryChoiceLeadsSomewhere() {
        for id in DecisionFramework.QuestionID.allCases {
            let question = DecisionFramework.questions[id]
            XCTAssertNotNil(question, "\(id)")
            for choice in question?.choices ?? [] {
                if case .ask(let next) = choice.next { XCTAssertNotNil(DecisionFramework.questions[next]) }
            }
        }
    }
}
