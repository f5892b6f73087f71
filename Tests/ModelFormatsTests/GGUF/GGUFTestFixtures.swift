import Foundation
@testable import ModelFormats
import TensorCore

/// A small GGUF with one key of every metadata type and one tensor of every writable type.
enum GGUFTestFixtures {
    static let metadata: [(String, GGUFValue)] = [
        ("general.architecture", .string("llama")),
        ("general.name", .string("tiny ✓ ünïcode")),
        ("test.u8", .uint8(200)), ("test.i8", .int8(-100)),
        ("test.u16", .uint16(60_000)), ("test.i16", .int16(-30_000)),
        ("test.u32", .uint32(4_000_000_000)), ("test.i32", .int32(-2_000_000_000)),
        ("test.u64", .uint64(18_000_000_000_000_000_000)), ("test.i64", .int64(-9_000_000_000_000_000_000)),
        ("test.f32", .float32(3.25)), ("test.f64", .float64(-1e300)),
        ("test.bool.true", .bool(true)), ("test.bool.false", .bool(false)),
        ("test.empty_string", .string("")),
        ("test.arr.u8", .array(.uint8([1, 2, 255]))), ("test.arr.i8", .array(.int8([-1, 0, 1]))),
        ("test.arr.u16", .array(.uint16([1, 65535]))), ("test.arr.i16", .array(.int16([-2, 2]))),
        ("test.arr.u32", .array(.uint32([7]))), ("test.arr.i32", .array(.int32([-7, 7]))),
        ("test.arr.u64", .array(.uint64([1 << 40]))), ("test.arr.i64", .array(.int64([-(1 << 40)]))),
        ("test.arr.f32", .array(.float32([0.5, -0.25]))), ("test.arr.f64", .array(.float64([1e-300]))),
        ("test.arr.bool", .array(.bool([true, false, true]))),
        ("test.arr.string", .array(.string(["a", "", "Ġworld", "<|im_end|>"]))),
        ("test.arr.empty", .array(.int32([]))),
        ("test.arr.nested", .array(.array([.int32([1, 2]), .string(["x"]), .array([.uint8([9])])]))),
        ("llama.block_count", .uint32(2)), ("llama.embedding_length", .uint32(64)),
        ("llama.feed_forward_length", .uint32(176)), ("llama.attention.head_count", .uint32(4)),
        ("llama.attention.head_count_kv", .uint32(2)), ("llama.rope.freq_base", .float32(10_000)),
        ("llama.attention.layer_norm_rms_epsilon", .float32(1e-5)), ("llama.context_length", .uint32(256)),
        ("tokenizer.ggml.model", .string("gpt2")),
        ("tokenizer.ggml.tokens", .array(.string(["<unk>", "<|im_start|>", "<|im_end|>", "a", "b", "ab"]))),
        ("tokenizer.ggml.merges", .array(.string(["a b"]))),
        ("tokenizer.ggml.bos_token_id", .uint32(1)), ("tokenizer.ggml.eos_token_id", .uint32(2)),
    ]

    /// Seeded values (rows × cols, row-major).
    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return (Float(s >> 40) / Float(1 << 24) * 2 - 1) * 0.1
        }
    }

    static let tensorTypes: [GGMLType] = [.f32, .f16, .bf16, .q8_0, .q4_0, .q4_1]

    static func writer(alignment: Int = 32) throws -> GGUFWriter {
        var w = GGUFWriter(alignment: alignment)
        for (k, v) in metadata { w.set(k, v) }
        for (i, t) in tensorTypes.enumerated() {
            try w.addTensor(name: "t.\(t)", dims: [64, 3], type: t, values: values(192, seed: UInt64(i)))
        }
        try w.addTensor(name: "t.vector", dims: [32], type: .f32, values: values(32, seed: 99))
        try w.addTensor(name: "t.3d", dims: [32, 2, 2], type: .q8_0, values: values(128, seed: 7))
        return w
    }

    static func bytes() throws -> [UInt8] { try writer().serialized() }
}
