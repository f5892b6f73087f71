import Foundation
import TensorCore

/// A parsed GGUF file (versions 2 and 3): header, metadata, tensor infos, and the tensor bytes
/// kept where they are (memory-mapped when opened from disk).
///
/// ```
/// "GGUF" | version:u32 | tensor_count:u64 | kv_count:u64
/// kv_count × (key:string | type:u32 | value)          string = len:u64 + UTF-8 bytes
/// tensor_count × (name:string | n_dims:u32 | ne[n_dims]:u64 | type:u32 | offset:u64)
/// padding to general.alignment (default 32) | tensor data (offsets relative to here)
/// ```
public struct GGUFFile: Sendable {
    /// File name used in error messages.
    public let name: String
    public let version: UInt32
    /// Metadata keys in file order.
    public let keys: [String]
    public let metadata: [String: GGUFValue]
    /// Tensor infos in file order.
    public let tensors: [GGUFTensorInfo]
    public let alignment: Int
    /// Absolute byte offset of the data section.
    public let dataOffset: Int
    /// All bytes of the file (mapped or copied); tensors are views into it.
    public let storage: QuantizedStorage
    private let index: [String: Int]

    /// The default `general.alignment`.
    public static let defaultAlignment = 32

    /// Opens and validates a file, memory-mapping it (no tensor bytes are copied).
    public init(contentsOf url: URL) throws {
        let mapped = try MappedFile(url: url)
        try self.init(storage: QuantizedStorage(unsafeBase: mapped.base, count: mapped.count, owner: mapped),
                      name: url.lastPathComponent)
    }

    /// Parses in-memory bytes (copied once).
    public init(bytes: [UInt8], name: String = "<memory>") throws {
        try self.init(storage: QuantizedStorage(copying: bytes), name: name)
    }

    init(storage: QuantizedStorage, name: String) throws {
        let parsed = try GGUFParser.parse(base: storage.base, count: storage.count, file: name)
        self.name = name
        self.storage = storage
        version = parsed.version
        keys = parsed.keys
        metadata = parsed.metadata
        tensors = parsed.tensors
        alignment = parsed.alignment
        dataOffset = parsed.dataOffset
        var index: [String: Int] = [:]
        for (i, t) in tensors.enumerated() { index[t.name] = i }
        self.index = index
    }

    public subscript(key: String) -> GGUFValue? { metadata[key] }

    public func tensorInfo(named tensorName: String) -> GGUFTensorInfo? {
        index[tensorName].map { tensors[$0] }
    }

    /// The tensor as a `rows × cols` quantized view (no copy). Throws if absent or of a type
    /// Attune cannot dequantize.
    public func tensor(named tensorName: String) throws -> QuantizedMatrix {
        guard let info = tensorInfo(named: tensorName) else { throw GGUFError(file: name, .tensorNotFound(tensorName)) }
        do {
            return try QuantizedMatrix(rows: info.rows, cols: info.cols, type: info.type, storage: storage,
                                       byteOffset: dataOffset + info.offset)
        } catch {
            throw GGUFError(file: name, .unsupportedTensorType(tensor: tensorName, type: "\(info.type) (\(error))"))
        }
    }

    /// The encoded bytes of a tensor (valid while this file value is alive).
    public func rawBytes(of info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.base + dataOffset + info.offset, count: info.byteCount)
    }
}
