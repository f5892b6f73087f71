import CKernels

/// What the processor offers, read with cpuid once per process.
public struct CPUFeatures: Sendable, Codable, Equatable {
    public let vendor: String
    public let family: Int
    public let model: Int
    public let avx2: Bool
    public let fma: Bool
    public let avx512f: Bool
    public let avx512bw: Bool
    public let avx512vl: Bool
    public let avx512bf16: Bool
    public let amxTile: Bool
    public let amxBF16: Bool

    /// The features of the machine this process runs on.
    public static let current: CPUFeatures = {
        var info = attune_cpu_info()
        attune_cpu_query(&info)
        let vendor = withUnsafeBytes(of: info.vendor) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return CPUFeatures(vendor: vendor, family: Int(info.family), model: Int(info.model),
                           avx2: info.avx2 != 0, fma: info.fma != 0, avx512f: info.avx512f != 0,
                           avx512bw: info.avx512bw != 0, avx512vl: info.avx512vl != 0, avx512bf16: info.avx512bf16 != 0,
                           amxTile: info.amx_tile != 0, amxBF16: info.amx_bf16 != 0)
    }()

    /// AVX-512 as OpenBLAS's SkylakeX kernels need it (F, BW, VL).
    public var hasAVX512: Bool { avx512f && avx512bw && avx512vl }
    /// AMX bf16 tiles present.
    public var hasAMX: Bool { amxTile && amxBF16 }
}
