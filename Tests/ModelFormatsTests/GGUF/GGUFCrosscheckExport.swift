import Essentials
import Foundation
import XCTest
@testable import ModelFormats
import TensorCore

/// Used by `Scripts/gguf-crosscheck` (run by hand): writes the fixture GGUF and what Attune
/// expects from it (metadata, source floats and Attune's dequantization, plus rows of the real
/// SmolLM2 file when present) into `$ATTUNE_GGUF_CROSSCHECK_DIR`. Skipped otherwise.
final class GGUFCrosscheckExport: XCTestCase {
    func testExportForPythonCrosscheck() throws {
        guard let dir = ProcessInfo.processInfo.environment["ATTUNE_GGUF_CROSSCHECK_DIR"] else {
            throw XCTSkip("set ATTUNE_GGUF_CROSSCHECK_DIR to export (Scripts/gguf-crosscheck does)")
        }
        let out = URL(fileURLWithPath: dir)
        var w = try GGUFTestFixtures.writer()
        // K-quant tensors from seeded random blocks (sane fp16 scales), so gguf-py's own
        // dequantization checks Attune's reading of the Q4_K/Q5_K/Q6_K layouts.
        var rng = SplitMix64(seed: 42)
        for t in [GGMLType.q4_K, .q5_K, .q6_K] {
            var bytes = (0..<(2 * t.bytesPerBlock!)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            for b in 0..<2 {
                let base = b * t.bytesPerBlock!
                let scaleOffsets = t == .q6_K ? [208] : [0, 2]
                for o in scaleOffsets {
                    let h = HalfFloat.fromFloat(Float(rng.next() % 1000 + 1) * 1e-4)
                    bytes[base + o] = UInt8(h & 0xFF); bytes[base + o + 1] = UInt8(h >> 8)
                }
            }
            try w.addTensor(name: "k.\(t)", dims: [256, 2], type: t, bytes: bytes)
        }
        try w.write(to: out.appendingPathComponent("attune.gguf"))
        let f = try GGUFFile(contentsOf: out.appendingPathComponent("attune.gguf"))

        var metadata: [String: Any] = [:]
        for (k, v) in GGUFTestFixtures.metadata { metadata[k] = Self.json(v) }
        var tensors: [String: Any] = [:]
        for (i, t) in GGUFTestFixtures.tensorTypes.enumerated() {
            let name = "t.\(t)"
            tensors[name] = ["type": "\(t)", "dims": [64, 3], "source": GGUFTestFixtures.values(192, seed: UInt64(i)).map(Double.init),
                             "dequantized": try f.tensor(named: name).dequantized().map(Double.init)]
        }
        for t in [GGMLType.q4_K, .q5_K, .q6_K] {
            tensors["k.\(t)"] = ["type": "\(t)", "dims": [256, 2], "dequantized": try f.tensor(named: "k.\(t)").dequantized().map(Double.init)]
        }
        var expected: [String: Any] = ["metadata": metadata, "tensors": tensors, "tensor_order": w.tensors.map(\.info.name)]

        let real = SmolLM2FileTests.path
        if FileManager.default.fileExists(atPath: real) {
            let g = try GGUFFile(contentsOf: URL(fileURLWithPath: real))
            var rows: [String: Any] = [:]
            for (name, rs) in [("token_embd.weight", [0, 1, 19556, 49151]), ("blk.0.attn_q.weight", [0, 575]),
                               ("blk.29.ffn_down.weight", [3]), ("output_norm.weight", [0])] {
                let m = try g.tensor(named: name)
                rows[name] = Dictionary(uniqueKeysWithValues: rs.map { ("\($0)", m.dequantizeRow($0).map(Double.init)) })
            }
            expected["smollm2"] = ["path": real, "tensor_count": g.tensors.count, "rows": rows,
                                   "merges": try g.tokenizerMetadata().merges.count]
        }
        let data = try JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys])
        try data.write(to: out.appendingPathComponent("expected.json"))
    }

    /// `{type, value}` with integers as decimal strings (64-bit values do not survive JSON numbers).
    static func json(_ v: GGUFValue) -> [String: Any] {
        switch v {
        case .string(let s): ["type": "STRING", "value": s]
        case .bool(let b): ["type": "BOOL", "value": b]
        case .float32(let x): ["type": "FLOAT32", "value": Double(x)]
        case .float64(let x): ["type": "FLOAT64", "value": x]
        case .array(let a): ["type": "ARRAY", "value": jsonArray(a)]
        case .uint64(let u): ["type": "UINT64", "value": String(u)]
        default: ["type": "\(v.type)".uppercased(), "value": String(v.int ?? 0)]
        }
    }

    static func jsonArray(_ a: GGUFArray) -> [String: Any] {
        let values: [Any] = switch a {
        case .string(let s): s
        case .bool(let b): b
        case .float32(let x): x.map { Double($0) }
        case .float64(let x): x
        case .array(let inner): inner.map(jsonArray)
        case .uint64(let x): x.map { String($0) }
        default: a.ints!.map { String($0) }
        }
        return ["element_type": "\(a.elementType)".uppercased(), "values": values]
    }
}
