import Essentials
import Foundation
import TensorCore

/// Writes safetensors files: entries in the order given, header padded with spaces to a multiple
/// of 8 bytes (as the reference implementation does), optional `__metadata__` strings.
public struct SafetensorsWriter {
    public struct Item: Sendable {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        public let bytes: Data

        public init(name: String, dtype: SafetensorsDType, shape: [Int], bytes: Data) {
            self.name = name; self.dtype = dtype; self.shape = shape; self.bytes = bytes
        }

        /// A float32 tensor, stored as `dtype` (F32, F16 or BF16).
        public init(name: String, shape: [Int], values: [Float], dtype: SafetensorsDType = .f32) {
            precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) does not hold \(values.count) values")
            var data = Data(capacity: values.count * dtype.size)
            switch dtype {
            case .f32: for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            case .f16: for v in values { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            case .bf16: for v in values { withUnsafeBytes(of: HalfFloat.bf16FromFloat(v).littleEndian) { data.append(contentsOf: $0) } }
            default: preconditionFailure("float values cannot be stored as \(dtype.rawValue)")
            }
            self.init(name: name, dtype: dtype, shape: shape, bytes: data)
        }

        /// An int32 tensor.
        public init(name: String, shape: [Int], int32s: [Int32]) {
            var data = Data(capacity: int32s.count * 4)
            for v in int32s { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
            self.init(name: name, dtype: .i32, shape: shape, bytes: data)
        }
    }

    /// The complete file image.
    public static func encode(_ items: [Item], metadata: [String: String] = [:]) throws -> Data {
        var header = [(String, String)]()
        if !metadata.isEmpty {
            header.append(("__metadata__", jsonText(metadata.sorted { $0.key < $1.key }.map { "\(jsonText($0.key)):\(jsonText($0.value))" })))
        }
        var offset = 0
        for item in items {
            precondition(item.bytes.count == item.shape.reduce(1, *) * item.dtype.size, "\(item.name): byte count does not match shape \(item.shape)")
            let entry = "{\"dtype\":\"\(item.dtype.rawValue)\",\"shape\":[\(item.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + item.bytes.count)]}"
            header.append((item.name, entry))
            offset += item.bytes.count
        }
        var json = "{" + header.map { "\(jsonText($0.0)):\($0.1)" }.joined(separator: ",") + "}"
        while (8 + json.utf8.count) % 8 != 0 { json += " " }
        var data = Data()
        withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(json.utf8))
        for item in items { data.append(item.bytes) }
        return data
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    public static func write(_ items: [Item], metadata: [String: String] = [:], to url: URL) throws {
        try AtomicFile.write(encode(items, metadata: metadata), to: url)
    }

    private static func jsonText(_ string: String) -> String { JSONValue.quoted(string) }

    private static func jsonText(_ members: [String]) -> String { "{" + members.joined(separator: ",") + "}" }
}
