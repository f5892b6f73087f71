import Foundation
import ModelFormats
import Models
import TensorCore
import XCTest
@testable import Training

/// LoRA training in `bf16` numerics: the frozen base's products in bfloat16, the adapter in fp32.
/// The losses track fp32's closely, and they are the same bits on the portable and the
/// AVX512_BF16 path.
final class BF16TrainingTests: XCTestCase {
    override func tearDown() { Numerics.forceKernelPath(nil) }

    /// Twelve steps of LoRA on every linear layer of the tiny model in `mode`: losses and the trained adapter.
    func train(_ mode: NumericsMode) throws -> (losses: [Double], adapter: [Float]) {
        let model = try LlamaModel.loadHuggingFace(folder: ReferenceFixtures.url("tiny-llama/model"))
        let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8, targets: .allLinear, seed: 3), to: model)
        let batch = try SafetensorsFile(url: ReferenceFixtures.url("tiny-llama/expected/full_forward_backward.safetensors"))
        let micro = TrainingBatch(tokens: try batch.int32s("input_ids"), labels: try batch.int32s("labels"), batch: 2)
        let trainer = Trainer(model: model, parameters: adapter.parameters, optimizer: AdamW(learningRate: 5e-3),
                              schedule: LearningRateSchedule(kind: .constant, baseLearningRate: 5e-3, warmupSteps: 0, totalSteps: 12))
        _ = Numerics.with(mode) { trainer.run(steps: 12, batches: [micro]) }
        return (trainer.losses, adapter.parameters.snapshot())
    }

    func testLossesTrackFP32AndTheRunIsItsOwnBits() throws {
        let fp32 = try train(.reproducible), bf16 = try train(.bf16)
        XCTAssertEqual(bf16.losses.count, 12)
        for (step, (a, b)) in zip(fp32.losses, bf16.losses).enumerated() {
            XCTAssertEqual(b, a, accuracy: 0.01 * a, "step \(step): bf16 \(b) vs fp32 \(a)")
        }
        XCTAssertNotEqual(fp32.losses.map(\.bitPattern), bf16.losses.map(\.bitPattern), "bf16 numerics changed no product")
        XCTAssertLessThan(bf16.losses.suffix(3).reduce(0, +), bf16.losses.prefix(3).reduce(0, +), "bf16 training lowers the loss")
        // The same bits again, and on the other bf16 path: the portable emulation where this run
        // took AVX512_BF16 (on a CPU without it both runs take the portable path; the GEMM's golden
        // test, skipped there, names the missing feature).
        if Numerics.bf16Path == .avx512bf16 { Numerics.forceKernelPath(.portable) }
        let again = try train(.bf16)
        XCTAssertEqual(again.losses.map(\.bitPattern), bf16.losses.map(\.bitPattern))
        XCTAssertEqual(again.adapter.map(\.bitPattern), bf16.adapter.map(\.bitPattern))
    }
}
