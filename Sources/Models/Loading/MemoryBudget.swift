import Foundation
import ModelFormats
import Essentials

/// The check a loader makes before its large allocations: the bytes it plans to allocate against
/// the memory the system says is available, so a model too large for the machine (or a file that
/// claims absurd sizes) gives a message instead of "failed to allocate" and an abort.
public enum MemoryBudget {
    /// Bytes available to a new allocation: `MemAvailable` from `/proc/meminfo` (Linux), else the
    /// physical memory. `ATTUNE_MEMORY_LIMIT` (bytes) lowers it, for tests and shared machines.
    public static func availableBytes() -> Int {
        var available = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) {
            available = kib.multipliedReportingOverflow(by: 1024).overflow ? available : kib * 1024
        }
        if let limit = ProcessInfo.processInfo.environment["ATTUNE_MEMORY_LIMIT"].flatMap({ Int($0) }), limit > 0 {
            available = min(available, limit)
        }
        return available
    }

    /// Throws when `bytes` (what loading `file` will allocate for `what`) exceeds `available`.
    public static func require(_ bytes: Int, for what: String, file: String, available: Int = availableBytes()) throws {
        guard bytes > available else { return }
        throw ModelFileError(file: file, "loading needs \(NumberText.bytes(bytes)) for \(what), but only \(NumberText.bytes(available)) "
                             + "of memory is available; use a smaller or quantized model, or free memory")
    }
}
