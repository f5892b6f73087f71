import XCTest
@testable import AttuneRuntime

final class AdviseCommandTests: XCTestCase {
    func testAdviseAsksUntilThePathIsAnsweredThenSuggestsSettings() throws {
        let interpreter = makeInterpreter(tiny: true)
        let first = ok(interpreter, "advise")
        XCTAssertTrue(first.hasPrefix("Have you tried prompting first"), first)
        XCTAssertTrue(first.contains("answer: advise prompting=yes"), first)
        XCTAssertTrue(ok(interpreter, "advise prompting=no").hasPrefix("Try prompting first"))
        XCTAssertTrue(ok(interpreter, "advise prompting=yes problem=knowledge").hasPrefix("Use retrieval (RAG)"))
        // Without data the example count is asked for.
        let data = ok(interpreter, "advise prompting=yes problem=behaviour")
        XCTAssertTrue(data.contains("examples=N"), data)
        XCTAssertTrue(data.contains("answer: advise prompting=yes problem=behaviour examples=500"), data)
        let advice = ok(interpreter, "advise prompting=yes problem=behaviour examples=1500 stability=yes compute=limited")
        XCTAssertTrue(advice.hasPrefix("Fine-tune with QLoRA"), advice)
        XCTAssertTrue(advice.contains("method qlora r=16 alpha=32"), advice)
        XCTAssertTrue(advice.contains("set lr=3e-4 epochs=2"), advice)
        XCTAssertTrue(advice.contains("data split train=0.9 val=0.1"), advice)
    }

    func testAdviseTakesTheExampleCountFromTheLoadedData() throws {
        let interpreter = try interpreterWithData()
        let advice = ok(interpreter, "advise prompting=yes problem=behaviour stability=yes compute=gpu")
        XCTAssertTrue(advice.hasPrefix("Collect more data"), advice)
        XCTAssertTrue(failure(interpreter, "advise compute=tpu").message.contains("compute must be one of"))
    }
}
