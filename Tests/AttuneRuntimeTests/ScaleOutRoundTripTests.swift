import Foundation
import Training
import XCTest
@testable import AttuneRuntime

/// The return half of `Scripts/check-scale-out`: loads the PEFT adapter a TRL run of an
/// `export trl` folder wrote onto the exported base, with Training's PEFT reader, and measures
/// the validation loss before and after. Skipped unless the script sets ATTUNE_SCALE_OUT_DIR
/// (it needs torch for the TRL run).
final class ScaleOutRoundTripTests: XCTestCase {
    func testTheAdapterTRLTrainedLoadsAndEvaluates() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let dir = environment["ATTUNE_SCALE_OUT_DIR"] else { throw XCTSkip("set by Scripts/check-scale-out") }
        let export = URL(fileURLWithPath: dir)
        let adapterFolder = export.appendingPathComponent("out/adapter")
        let setup = try String(contentsOf: export.appendingPathComponent("attune-setup.attune"), encoding: .utf8)

        let interpreter = makeInterpreter()
        ok(interpreter, "model load \"\(export.appendingPathComponent("base").path)\"")
        for line in setup.split(separator: "\n") where !line.hasPrefix("model ") && !line.hasPrefix("#") { ok(interpreter, String(line)) }
        let session = interpreter.session
        // A training state on the exported base with a fresh adapter (B = 0: the base's loss).
        let state = try TrainingState.make(session: session, plannedSteps: 1)
        let base = try XCTUnwrap(state.validationLoss())
        state.adapter?.remove(from: state.trainer.model)

        let loaded = try PEFTAdapter.load(folder: adapterFolder, into: state.trainer.model)
        loaded.setTraining(false)
        let tuned = try XCTUnwrap(state.validationLoss())
        let c = loaded.configuration
        let line = "attune: loaded the TRL adapter (r=\(c.rank) alpha=\(NumberText.short(Double(c.alpha))) · \(loaded.layers.count) modules) "
            + "· validation loss base \(String(format: "%.4f", base)) → with the TRL adapter \(String(format: "%.4f", tuned))"
        print(line)
        try Data((line + "\n").utf8).write(to: export.appendingPathComponent("attune-eval.txt"))
        XCTAssertTrue(tuned.isFinite)
        XCTAssertLessThan(tuned, base, "the TRL adapter should lower the validation loss")
    }
}
