import Essentials
import Foundation
import TensorCore

/// A safetensors file: an 8-byte little-endian header length `n`, `n` bytes of JSON
/// (`{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`),
/// then the data section; offsets are relative to the data section.
///
/// Every header field is checked against the file before use: the header length against the file
/// size, each tensor's byte range against the data section and against `shape × dtype size`
/// (with overflow checks), so a truncated or corrupted file throws instead of crashing.
public struct SafetensorsFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let dtype: SafetensorsDType
        public let shape: [Int]
        /// Byte range inside the data section.
        public let range: Range<Int>
        public var count: Int { shape.reduce(1, *) }
    }

    /// Largest header accepted (the format's own limit is 100 MB).
    public static let maxHeaderBytes = 100_000_000

    public let path: String
    public let metadata: [String: String]
    /// Entries in data-offset order.
    public let entries: [Entry]
    private let index: [String: Int]
    private let data: Data
    private let dataStart: Int

    /// Opens (memory-maps) the file at `url`.
    public init(url: URL) throws {
        // Only a regular file is mapped: a FIFO or device would block or never end.
        do { _ = try RegularFile.size(of: url.path, limit: .max) } catch {
            throw ModelFileError(file: url.path, error.reason)
        }
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw ModelFileError(file: url.path, "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, path: url.path)
    }

    /// Parses a safetensors image held in memory; `path` names it in errors.
    public init(data: Data, path: String = "<memory>") throws {
        self.path = path
        self.data = data
        guard data.count >= 8 else { throw ModelFileError(file: path, "file is \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.withUnsafeBytes { raw in UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) }
        guard headerLength <= UInt64(Self.maxHeaderBytes), Int(headerLength) <= data.count - 8 else {
            throw ModelFileError(file: path, "header length \(headerLength) exceeds the file size \(data.count) (truncated or not a safetensors file)")
        }
        dataStart = 8 + Int(headerLength)
        let dataSize = data.count - dataStart
        let header: [(key: String, value: JSONValue)]
        do {
            let json = try JSONValue.parse([UInt8](data.subdata(in: 8..<(8 + Int(headerLength)))))
            guard let pairs = json.objectValue else { throw ModelFileError(file: path, "header is \(json.typeDescription), not a JSON object") }
            header = pairs
        } catch let error as JSONParseError {
            throw ModelFileError(file: path, "header is not valid JSON: \(error.message) at byte \(8 + error.offset)")
        }
        var metadata = [String: String]()
        var entries = [Entry]()
        var seen = Set<String>()
        for (name, value) in header {
            guard seen.insert(name).inserted else { throw ModelFileError(file: path, entry: name, "appears twice in the header") }
            if name == "__metadata__" {
                guard let meta = value.objectValue else { throw ModelFileError(file: path, entry: name, "metadata is not an object") }
                for (k, v) in meta {
                    guard let s = v.stringValue else { throw ModelFileError(file: path, entry: "__metadata__.\(k)", "metadata values must be strings") }
                    metadata[k] = s
                }
                continue
            }
            entries.append(try Self.parseEntry(name: name, value: value, dataSize: dataSize, path: path))
        }
        entries.sort { ($0.range.lowerBound, $0.name) < ($1.range.lowerBound, $1.name) }
        self.metadata = metadata
        self.entries = entries
        self.index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($0.element.name, $0.offset) })
    }

    private static func parseEntry(name: String, value: JSONValue, dataSize: Int, path: String) throws -> Entry {
        guard value.objectValue != nil else { throw ModelFileError(file: path, entry: name, "entry is not an object") }
        guard let dtypeName = value["dtype"]?.stringValue else { throw ModelFileError(file: path, entry: name, "missing dtype") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw ModelFileError(file: path, entry: name, "unsupported dtype \(dtypeName) (supported: \(SafetensorsDType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let shapeValues = value["shape"]?.arrayValue else { throw ModelFileError(file: path, entry: name, "missing shape") }
        var shape = [Int]()
        var count = 1
        for dim in shapeValues {
            guard let d = dim.doubleValue, d >= 0, d.rounded() == d else {
                throw ModelFileError(file: path, entry: name, "shape \(JSONValue.array(shapeValues).text()) has an invalid dimension")
            }
            let (product, overflow) = dim.intValue.map { count.multipliedReportingOverflow(by: $0) } ?? (0, true)
            guard !overflow, let n = dim.intValue else { throw ModelFileError(file: path, entry: name, "shape \(JSONValue.array(shapeValues).text()) is too large") }
            shape.append(n)
            count = product
        }
        guard let offsets = value["data_offsets"]?.arrayValue, offsets.count == 2,
              let begin = offsets[0].intValue, let end = offsets[1].intValue else {
            throw ModelFileError(file: path, entry: name, "data_offsets must be [begin, end]")
        }
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw ModelFileError(file: path, entry: name, "data_offsets [\(begin), \(end)] fall outside the \(dataSize)-byte data section (truncated file?)")
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, bytes == end - begin else {
            throw ModelFileError(file: path, entry: name, "shape \(shape) of \(dtype.rawValue) needs \(overflow ? "too many" : "\(bytes)") bytes, data_offsets give \(end - begin)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, range: begin..<end)
    }

    /// Tensor names in data order.
    public var names: [String] { entries.map(\.name) }

    /// The entry for `name`, or an error naming the nearest names.
    public func entry(_ name: String) throws -> Entry {
        guard let i = index[name] else { throw ModelFileError(file: path, entry: name, "no such tensor in the file") }
        return entries[i]
    }

    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// The raw little-endian bytes of a tensor.
    public func bytes(_ name: String) throws -> Data {
        let e = try entry(name)
        return data.subdata(in: (dataStart + e.range.lowerBound)..<(dataStart + e.range.upperBound))
    }

    /// A floating-point tensor's values converted to float32 (F64, F32, F16, BF16).
    public func floats(_ name: String) throws -> [Float] {
        let e = try entry(name)
        guard e.dtype.isFloatingPoint else { throw ModelFileError(file: path, entry: name, "is \(e.dtype.rawValue), expected a floating-point tensor") }
        var out = [Float](repeating: 0, count: e.count)
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart + e.range.lowerBound
            out.withUnsafeMutableBufferPointer { dst in
                NumericConversion.toFloat32(from: UnsafeRawPointer(base), dtype: e.dtype, count: e.count, into: dst.baseAddress!)
            }
        }
        return out
    }

    /// An integer tensor's values as Int32 (I32, I64 within range, I16, I8, U8).
    public func int32s(_ name: String) throws -> [Int32] {
        let e = try entry(name)
        var out = [Int32](repeating: 0, count: e.count)
        try data.withUnsafeBytes { raw in
            let base = UnsafeRawPointer(raw.baseAddress! + dataStart + e.range.lowerBound)
            for i in 0..<e.count {
                switch e.dtype {
                case .i32: out[i] = Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
                case .i64:
                    let v = Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
                    guard let narrowed = Int32(exactly: v) else { throw ModelFileError(file: path, entry: name, "value \(v) does not fit in Int32") }
                    out[i] = narrowed
                case .i16: out[i] = Int32(Int16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                case .i8: out[i] = Int32(base.load(fromByteOffset: i, as: Int8.self))
                case .u8, .bool: out[i] = Int32(base.load(fromByteOffset: i, as: UInt8.self))
                default: throw ModelFileError(file: path, entry: name, "is \(e.dtype.rawValue), expected an integer tensor")
                }
            }
        }
        return out
    }

    /// A floating-point tensor as a new float32 `Tensor` of the stored shape.
    public func tensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        return try Tensor(shape: e.shape, values: floats(name), name: name)
    }
}
