import TensorCore

/// Parses and validates the header, metadata and tensor infos of a GGUF file.
///
/// Nothing is allocated from an unchecked field: every count is bounded by the bytes left
/// (each element needs at least its minimum encoded size), string lengths by the bytes left
/// and a per-kind limit, array nesting by `maxNesting`, and every tensor's data range by the
/// file size, with overflow-checked arithmetic throughout.
enum GGUFParser {
    static let magic: UInt32 = 0x4655_4747            // "GGUF" read as little-endian u32
    static let maxKeyLength = 65_535
    static let maxTensorNameLength = 4096
    static let maxDims = 4                            // GGML_MAX_DIMS
    static let maxNesting = 8

    struct Parsed {
        var version: UInt32 = 0
        var keys: [String] = []
        var metadata: [String: GGUFValue] = [:]
        var tensors: [GGUFTensorInfo] = []
        var alignment = GGUFFile.defaultAlignment
        var dataOffset = 0
    }

    static func parse(base: UnsafeRawPointer, count: Int, file: String) throws -> Parsed {
        var c = GGUFByteCursor(base: base, count: count, file: file)
        var out = Parsed()

        let m = try c.load(UInt32.self, "the magic number")
        guard m == magic else { throw c.fail(.notGGUF(magic: m)) }
        out.version = try c.load(UInt32.self, "the version")
        guard out.version == 2 || out.version == 3 else { throw c.fail(.unsupportedVersion(out.version)) }
        let tensorCount = try c.load(UInt64.self, "the tensor count")
        let kvCount = try c.load(UInt64.self, "the metadata count")
        // minimum sizes: a key-value is ≥ 8 (key length) + 4 (type) + 1 (value) bytes;
        // a tensor info is ≥ 8 (name length) + 4 (n_dims) + 8 (one dim) + 4 (type) + 8 (offset).
        let nKV = try c.elementCount(kvCount, minSize: 13, "metadata count")
        let nTensors = try c.elementCount(tensorCount, minSize: 32, "tensor count")

        out.keys.reserveCapacity(nKV)
        for i in 0..<nKV {
            let key = try c.string("the key of metadata entry \(i)", limit: maxKeyLength)
            let rawType = try c.load(UInt32.self, "the value type of '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else { throw c.fail(.invalidValueType(key: key, id: rawType)) }
            let value = try readValue(type, &c, key: key, depth: 0)
            guard out.metadata.updateValue(value, forKey: key) == nil else { throw c.fail(.duplicateKey(key)) }
            out.keys.append(key)
        }

        if let a = out.metadata["general.alignment"] {
            guard let v = a.int, v > 0, v <= 1 << 20, v & (v - 1) == 0 else {
                let raw: UInt64 = if case .uint64(let u) = a { u } else { UInt64(truncatingIfNeeded: a.int ?? 0) }
                throw c.fail(.invalidAlignment(raw))
            }
            out.alignment = v
        }

        var rawInfos: [(name: String, dims: [Int], type: GGMLType, offset: UInt64)] = []
        rawInfos.reserveCapacity(nTensors)
        var seen = Set<String>()
        for i in 0..<nTensors {
            let name = try c.string("the name of tensor \(i)", limit: maxTensorNameLength)
            guard seen.insert(name).inserted else { throw c.fail(.duplicateTensor(name)) }
            let nDims = try c.load(UInt32.self, "the dimension count of tensor '\(name)'")
            guard nDims >= 1, nDims <= maxDims else {
                throw c.fail(.invalidDimensions(tensor: name, dims: [], reason: "count \(nDims) is not between 1 and \(maxDims)"))
            }
            let rawDims = try c.array(UInt64.self, Int(nDims), "the dimensions of tensor '\(name)'")
            var dims: [Int] = []
            var elements = 1
            for d in rawDims {
                guard d <= UInt64(Int32.max) else {
                    throw c.fail(.invalidDimensions(tensor: name, dims: rawDims, reason: "are too large"))
                }
                let (e, overflow) = elements.multipliedReportingOverflow(by: Int(d))
                guard !overflow, e <= Int(Int32.max) * 64 else {
                    throw c.fail(.invalidDimensions(tensor: name, dims: rawDims, reason: "have too many elements"))
                }
                elements = e
                dims.append(Int(d))
            }
            let typeID = try c.load(UInt32.self, "the type of tensor '\(name)'")
            guard let type = GGMLType(rawValue: typeID) else { throw c.fail(.unknownTensorType(tensor: name, id: typeID)) }
            guard let bs = type.blockSize else { throw c.fail(.unsupportedTensorType(tensor: name, type: "\(type) (id \(typeID))")) }
            guard dims[0] % bs == 0 else {
                throw c.fail(.invalidDimensions(tensor: name, dims: rawDims, reason: "have \(dims[0]) columns, not a multiple of the \(type) block size \(bs)"))
            }
            let offset = try c.load(UInt64.self, "the data offset of tensor '\(name)'")
            rawInfos.append((name, dims, type, offset))
        }

        // The data section starts at the next multiple of the alignment.
        let (padded, overflow) = c.position.addingReportingOverflow(out.alignment - 1)
        guard !overflow else { throw c.fail(.truncated(what: "the data section", offset: count)) }
        out.dataOffset = padded / out.alignment * out.alignment
        if nTensors > 0 && out.dataOffset > count {
            throw c.fail(.truncated(what: "the padding before the tensor data", offset: count))
        }
        let dataSize = UInt64(Swift.max(0, count - out.dataOffset))

        out.tensors.reserveCapacity(nTensors)
        for t in rawInfos {
            guard t.offset % UInt64(out.alignment) == 0 else {
                throw c.fail(.misalignedTensor(tensor: t.name, offset: t.offset, alignment: out.alignment))
            }
            let rows = t.dims.dropFirst().reduce(1, *)
            guard let rowBytes = t.type.byteCount(forValues: t.dims[0]) else {
                throw c.fail(.invalidDimensions(tensor: t.name, dims: t.dims.map(UInt64.init), reason: "do not fit the \(t.type) layout"))
            }
            let (size, o1) = rowBytes.multipliedReportingOverflow(by: rows)
            let (end, o2) = t.offset.addingReportingOverflow(UInt64(size))
            guard !o1, !o2, end <= dataSize else {
                throw c.fail(.tensorOutOfBounds(tensor: t.name, start: UInt64(out.dataOffset) &+ t.offset,
                                                end: UInt64(out.dataOffset) &+ end, fileSize: count))
            }
            out.tensors.append(GGUFTensorInfo(name: t.name, dims: t.dims, type: t.type, offset: Int(t.offset), byteCount: size))
        }
        return out
    }

    static func readValue(_ type: GGUFValueType, _ c: inout GGUFByteCursor, key: String, depth: Int) throws -> GGUFValue {
        let what = "the value of '\(key)'"
        switch type {
        case .uint8: return .uint8(try c.load(UInt8.self, what))
        case .int8: return .int8(try c.load(Int8.self, what))
        case .uint16: return .uint16(try c.load(UInt16.self, what))
        case .int16: return .int16(try c.load(Int16.self, what))
        case .uint32: return .uint32(try c.load(UInt32.self, what))
        case .int32: return .int32(try c.load(Int32.self, what))
        case .uint64: return .uint64(try c.load(UInt64.self, what))
        case .int64: return .int64(try c.load(Int64.self, what))
        case .float32: return .float32(try c.float32(what))
        case .float64: return .float64(try c.float64(what))
        case .bool: return .bool(try c.load(UInt8.self, what) != 0)
        case .string: return .string(try c.string(what))
        case .array: return .array(try readArray(&c, key: key, depth: depth + 1))
        }
    }

    static func readArray(_ c: inout GGUFByteCursor, key: String, depth: Int) throws -> GGUFArray {
        guard depth <= maxNesting else { throw c.fail(.nestingTooDeep(key: key)) }
        let what = "an array in '\(key)'"
        let rawType = try c.load(UInt32.self, what)
        guard let type = GGUFValueType(rawValue: rawType) else { throw c.fail(.invalidValueType(key: key, id: rawType)) }
        let n = try c.elementCount(try c.load(UInt64.self, what), minSize: type.minimumEncodedSize, "the length of \(what)")
        switch type {
        case .uint8: return .uint8(try c.array(UInt8.self, n, what))
        case .int8: return .int8(try c.array(Int8.self, n, what))
        case .uint16: return .uint16(try c.array(UInt16.self, n, what))
        case .int16: return .int16(try c.array(Int16.self, n, what))
        case .uint32: return .uint32(try c.array(UInt32.self, n, what))
        case .int32: return .int32(try c.array(Int32.self, n, what))
        case .uint64: return .uint64(try c.array(UInt64.self, n, what))
        case .int64: return .int64(try c.array(Int64.self, n, what))
        case .float32: return .float32(try c.array(UInt32.self, n, what).map(Float.init(bitPattern:)))
        case .float64: return .float64(try c.array(UInt64.self, n, what).map(Double.init(bitPattern:)))
        case .bool: return .bool(try c.array(UInt8.self, n, what).map { $0 != 0 })
        case .string:
            var a: [String] = []
            a.reserveCapacity(n)
            for i in 0..<n { a.append(try c.string("element \(i) of \(what)")) }
            return .string(a)
        case .array:
            var a: [GGUFArray] = []
            a.reserveCapacity(n)
            for _ in 0..<n { a.append(try readArray(&c, key: key, depth: depth + 1)) }
            return .array(a)
        }
    }
}
