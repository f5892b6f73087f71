import Foundation
import XCTest
@testable import Models

/// `LlamaModel.activations` against the float64 reference of `Scripts/activation-reference`
/// (whose logits match PyTorch's for the tiny reference Llama): the residual stream after each
/// block, the attention probabilities per head, the attention output and the MLP output, each
/// within 1e-5.
final class ActivationReferenceTests: XCTestCase {
    func testActivationsMatchTheReference() throws {
        let model = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
        let fixtureURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tiny-llama-activations.json")
        let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtureURL)) as! [String: Any]
        let ids = (fixture["token_ids"] as! [NSNumber]).map { Int32(truncating: $0) }
        let expected = fixture["layers"] as! [[String: Any]]
        let blocks = model.activations(tokens: ids, layers: [0, 1])
        XCTAssertEqual(blocks.map(\.layer), [0, 1])
        for (block, reference) in zip(blocks, expected) {
            let fields: [(String, [Float])] = [("residual", block.residual), ("attention", block.attention),
                                                ("attn_output", block.attentionOutput), ("mlp", block.mlpOutput)]
            for (name, values) in fields {
                let want = (reference[name] as! [NSNumber]).map(\.doubleValue)
                XCTAssertEqual(values.count, want.count, "layer \(block.layer) \(name)")
                let error = zip(values, want).map { abs(Double($0) - $1) }.max() ?? .infinity
                XCTAssertLessThanOrEqual(error, 1e-5, "layer \(block.layer) \(name): max |ours − reference|")
            }
        }
        // Only the layers asked for are kept; the residual of layer 1 is the input to the final norm.
        XCTAssertEqual(model.activations(tokens: ids, layers: [1]).map(\.layer), [1])
    }
}
