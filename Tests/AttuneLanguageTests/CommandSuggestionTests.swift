import AttuneLanguage
import Essentials
import XCTest

/// The command table's words go through the one suggestion rule (`Essentials.suggest`).
final class CommandSuggestionTests: XCTestCase {
    func testCommandSuggestions() {
        let words = CommandTable.standard.leadingWords
        XCTAssertEqual(suggest("trian", from: words), "train")
        XCTAssertEqual(suggest("evl", from: words), "eval")
        XCTAssertEqual(suggest("gnerate", from: words), "generate")
        XCTAssertEqual(suggest("modle", from: words), "model")
        XCTAssertEqual(suggest("lod", from: CommandTable.standard.verbs(of: "model")), "load")
    }
}
