import Essentials
import XCTest

final class SuggestionTests: XCTestCase {
    func testEditDistance() {
        let cases: [(String, String, Int)] = [
            ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("train", "train", 0), ("trian", "train", 1),
            ("lod", "load", 1), ("kitten", "sitting", 3), ("ca", "abc", 3), ("lerning_rate", "learning_rate", 1),
            ("Train", "train", 1), ("ab", "ba", 1),
        ]
        for (a, b, expected) in cases {
            XCTAssertEqual(editDistance(a, b), expected, "\(a) / \(b)")
            XCTAssertEqual(editDistance(b, a), expected, "\(b) / \(a)")
        }
    }

    func testSuggestions() {
        let hyperparameters = ["lr", "learning_rate", "batch", "accum", "seq", "schedule", "warmup", "epochs",
                               "weight_decay", "temperature", "max_grad_norm"]
        let cases: [(String, String?)] = [
            ("lerning_rate", "learning_rate"), ("LR", "lr"), ("lt", "lr"), ("bacth", "batch"), ("epoch", "epochs"),
            ("shedule", "schedule"), ("warmpu", "warmup"), ("temp", "temperature"), ("weightdecay", "weight_decay"),
            ("max_grad", "max_grad_norm"), ("x", nil), ("zzzzzz", nil), ("", nil), ("banana", nil),
        ]
        for (typed, expected) in cases {
            XCTAssertEqual(suggest(typed, from: hyperparameters), expected, typed)
        }
    }

    func testSuggestionsThroughAliases() {
        let aliases = ["lr": "lr", "learning_rate": "lr", "batch": "batch", "batch_size": "batch"]
        XCTAssertEqual(suggest("lerning_rate", aliases: aliases), "lr")
        XCTAssertEqual(suggest("batch_szie", aliases: aliases), "batch")
        XCTAssertEqual(suggest("nothing", aliases: aliases), nil)
    }

    func testTiesGoToTheNearestLengthThenTheFirstCandidate() {
        XCTAssertEqual(suggest("lad", from: ["load", "lady"]), "load")
        XCTAssertEqual(suggest("lad", from: ["lady", "load"]), "lady")
        XCTAssertEqual(suggest("saev", from: ["save", "saves"]), "save")
    }
}
