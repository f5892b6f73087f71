import Foundation
import TensorCore

/// The `numerics` key's help (`set numerics=reproducible|fast|bf16`): the session's value is the
/// process-wide `Numerics.mode`, switched the moment the value changes (see `Session.hyperparameters`).
enum NumericsSetting {

    /// What `?numerics` prints after the key's sentence: each mode, and where a session's mode
    /// comes from (the same text on every machine, so a recorded `?numerics` verifies anywhere).
    static let helpLines: [String] =
        NumericsMode.allCases.map { $0.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + $0.summary } + [
        "bf16 rounds  the products with frozen weights (forward and input gradient) and attention's products, as PyTorch's autocast does; trainable weights, gradients, optimizer and loss stay fp32",
        "bf16 runs    AVX512_BF16 where the CPU has it, else a portable emulation with the same bits, several times slower",
        "bf16 keeps   a GGUF-block base's weights packed in bfloat16 after their first product (4 bytes per weight, the same bits); NF4 bases are not kept",
        "starts as    the mode in \(Numerics.environmentVariable) when the process started (reproducible when unset or invalid)",
        "notebooks    record the mode they start in; replay and verify run in it (fast when a notebook does not say)",
        "doctor       `attune doctor` shows this machine's kernels, threads, both GEMMs' speed and its bf16 path",
    ]

    /// How much longer a LoRA r=16 q,v training step of SmolLM2 (batch 4 × 256) takes in `bf16`
    /// numerics on the portable emulation than in `reproducible` numerics, both on AVX2 kernels
    /// (`ATTUNE_KERNEL_PATH=avx2`): 34.2 against 9.1 CPU seconds per step with one thread
    /// (`attune bench train lora-qv`), on an AMD EPYC Zen 5 shared with other work (CPU time, as the
    /// wall clock of a loaded machine says little).
    static let portableSlowdown = 3.8
    /// The same step with AVX512_BF16 against `reproducible` on AVX-512 kernels, same machine and
    /// method: 3.93–4.02 against 5.47–5.84 CPU seconds per step (two interleaved pairs).
    static let hardwareSpeedup = 1.4

    /// What `attune doctor` says of the bf16 paths: the path `numerics=bf16` takes and why.
    static func bf16Paths(path: Numerics.BF16Path, best: Numerics.BF16Path, amx: Bool) -> String {
        let amxText = amx ? "AMX yes (no bf16 path uses it yet)" : "AMX no"
        switch (path, best) {
        case (.avx512bf16, _):
            return "AVX512_BF16 yes: numerics=bf16 runs vdpbf16ps (path avx512bf16); \(amxText)"
        case (.portable, .avx512bf16):
            return "AVX512_BF16 yes, but the kernel path (ATTUNE_KERNEL_PATH) is below AVX-512: numerics=bf16 runs the portable"
                + " emulation (path portable, the same bits); \(amxText)"
        case (.portable, .portable):
            return "AVX512_BF16 no: numerics=bf16 runs the portable emulation (path portable, the same bits, slower); \(amxText)"
        }
    }

    /// The note `set numerics=bf16` prints live (never recorded: it depends on the machine) when
    /// the bf16 products will run the portable emulation; nil for other modes or AVX512_BF16.
    static func portableNote(mode: NumericsMode, path: Numerics.BF16Path = Numerics.bf16Path, best: Numerics.BF16Path = .best) -> String? {
        guard mode == .bf16, path == .portable else { return nil }
        let why = best == .avx512bf16
            ? "the kernel path (ATTUNE_KERNEL_PATH=\(Numerics.kernelPath)) is below AVX-512, so"
            : "this CPU has no AVX512_BF16, so"
        return "note: \(why) numerics=bf16 runs the portable emulation of vdpbf16ps: the same bits as on an AVX512_BF16 CPU, "
            + "but a LoRA training step takes about \(format(portableSlowdown))× as long as with numerics=reproducible "
            + "(measured on an AMD EPYC Zen 5 with AVX2 kernels; with AVX512_BF16 a step takes 1/\(format(hardwareSpeedup)) of the fp32 time)"
    }

    private static func format(_ x: Double) -> String {
        x.rounded() == x ? String(Int(x)) : String(format: "%.1f", x)
    }
}
