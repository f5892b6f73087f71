import Foundation
import TensorCore

/// Builds a GGUF version 3 file: metadata of every value type, tensors in any type whose bytes
/// are given (F32, F16, BF16, Q8_0, Q4_0, Q4_1 can be quantized from floats here), each tensor's
/// data aligned to `alignment` and padded with zeros.
public struct GGUFWriter: Sendable {
    public private(set) var metadata: [(key: String, value: GGUFValue)] = []
    public private(set) var tensors: [(info: GGUFTensorInfo, bytes: [UInt8])] = []
    /// Data alignment; when not 32 the writer also stores `general.alignment` (uint32).
    public var alignment: Int

    public init(alignment: Int = GGUFFile.defaultAlignment) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two, got \(alignment)")
        self.alignment = alignment
    }

    /// Sets a metadata value (replacing an earlier value of the same key, keeping its position).
    public mutating func set(_ key: String, _ value: GGUFValue) {
        if let i = metadata.firstIndex(where: { $0.key == key }) {
            metadata[i].value = value
        } else {
            metadata.append((key, value))
        }
    }

    /// Adds a tensor from already-encoded bytes. `dims` are fastest-first (GGUF order).
    public mutating func addTensor(name: String, dims: [Int], type: GGMLType, bytes: [UInt8]) throws {
        let fail = { (reason: String) in GGUFError(file: "<writer>", .invalidDimensions(tensor: name, dims: dims.map { UInt64(max(0, $0)) }, reason: reason)) }
        guard !tensors.contains(where: { $0.info.name == name }) else { throw GGUFError(file: "<writer>", .duplicateTensor(name)) }
        guard (1...4).contains(dims.count), dims.allSatisfy({ $0 >= 0 }) else { throw fail("must be 1 to 4 non-negative sizes") }
        guard let rowBytes = type.byteCount(forValues: dims[0]) else { throw fail("do not fit whole \(type) blocks") }
        let size = rowBytes * dims.dropFirst().reduce(1, *)
        guard size == bytes.count else { throw fail("need \(size) bytes of \(type), got \(bytes.count)") }
        let offset = tensors.last.map { Self.align($0.info.offset + $0.info.byteCount, alignment) } ?? 0
        tensors.append((GGUFTensorInfo(name: name, dims: dims, type: type, offset: offset, byteCount: size), bytes))
    }

    /// Adds a tensor from row-major floats, quantized to `type` (F32, F16, BF16, Q8_0, Q4_0, Q4_1).
    public mutating func addTensor(name: String, dims: [Int], type: GGMLType, values: [Float]) throws {
        guard type.canQuantize else { throw GGUFError(file: "<writer>", .unsupportedTensorType(tensor: name, type: "\(type)")) }
        guard dims.reduce(1, *) == values.count, let bs = type.blockSize, (dims.first ?? 0) % bs == 0 else {
            throw GGUFError(file: "<writer>", .invalidDimensions(tensor: name, dims: dims.map { UInt64(max(0, $0)) },
                                                               reason: "do not match \(values.count) values in whole \(type) blocks"))
        }
        try addTensor(name: name, dims: dims, type: type, bytes: Quantize.bytes(type, values))
    }

    /// Adds a quantized matrix as-is (`rows × cols` → GGUF dims `[cols, rows]`).
    public mutating func addTensor(name: String, matrix: QuantizedMatrix) throws {
        try addTensor(name: name, dims: [matrix.cols, matrix.rows], type: matrix.type, bytes: [UInt8](matrix.rawBytes))
    }

    static func align(_ n: Int, _ a: Int) -> Int { (n + a - 1) / a * a }

    /// The complete file.
    public func serialized() -> [UInt8] {
        var out = ByteSink()
        var meta = metadata
        if alignment != GGUFFile.defaultAlignment && !meta.contains(where: { $0.key == "general.alignment" }) {
            meta.insert(("general.alignment", .uint32(UInt32(alignment))), at: 0)
        }
        out.u32(GGUFParser.magic)
        out.u32(3)
        out.u64(UInt64(tensors.count))
        out.u64(UInt64(meta.count))
        for (key, value) in meta {
            out.string(key)
            out.u32(value.type.rawValue)
            out.value(value)
        }
        for (info, _) in tensors {
            out.string(info.name)
            out.u32(UInt32(info.dims.count))
            for d in info.dims { out.u64(UInt64(d)) }
            out.u32(info.type.rawValue)
            out.u64(UInt64(info.offset))
        }
        out.pad(to: alignment)
        let dataStart = out.bytes.count
        for (info, bytes) in tensors {
            out.pad(to: alignment)
            precondition(out.bytes.count - dataStart == info.offset, "writer offset bookkeeping")
            out.bytes += bytes
        }
        out.pad(to: alignment)
        return out.bytes
    }

    /// Writes the file atomically (a temporary file beside it, then rename).
    public func write(to url: URL) throws {
        do {
            try Data(serialized()).write(to: url, options: .atomic)
        } catch {
            throw GGUFError(file: url.lastPathComponent, .io("cannot write \(url.path): \(error.localizedDescription)"))
        }
    }
}

/// Little-endian byte accumulation for the writer.
struct ByteSink {
    var bytes: [UInt8] = []

    mutating func int<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u32(_ v: UInt32) { int(v) }
    mutating func u64(_ v: UInt64) { int(v) }
    mutating func string(_ s: String) {
        let utf8 = Array(s.utf8)
        u64(UInt64(utf8.count))
        bytes += utf8
    }
    mutating func pad(to a: Int) {
        let n = GGUFWriter.align(bytes.count, a) - bytes.count
        bytes += [UInt8](repeating: 0, count: n)
    }

    mutating func value(_ v: GGUFValue) {
        switch v {
        case .uint8(let x): int(x)
        case .int8(let x): int(x)
        case .uint16(let x): int(x)
        case .int16(let x): int(x)
        case .uint32(let x): int(x)
        case .int32(let x): int(x)
        case .uint64(let x): int(x)
        case .int64(let x): int(x)
        case .float32(let x): int(x.bitPattern)
        case .float64(let x): int(x.bitPattern)
        case .bool(let x): int(UInt8(x ? 1 : 0))
        case .string(let s): string(s)
        case .array(let a): array(a)
        }
    }

    mutating func array(_ a: GGUFArray) {
        u32(a.elementType.rawValue)
        u64(UInt64(a.count))
        switch a {
        case .uint8(let xs): bytes += xs
        case .int8(let xs): for x in xs { int(x) }
        case .uint16(let xs): for x in xs { int(x) }
        case .int16(let xs): for x in xs { int(x) }
        case .uint32(let xs): for x in xs { int(x) }
        case .int32(let xs): for x in xs { int(x) }
        case .uint64(let xs): for x in xs { int(x) }
        case .int64(let xs): for x in xs { int(x) }
        case .float32(let xs): for x in xs { int(x.bitPattern) }
        case .float64(let xs): for x in xs { int(x.bitPattern) }
        case .bool(let xs): for x in xs { int(UInt8(x ? 1 : 0)) }
        case .string(let xs): for x in xs { string(x) }
        case .array(let xs): for x in xs { array(x) }
        }
    }
}
