import Foundation

/// The process's resident memory, read from `/proc/self/status` (Linux).
public enum ProcessMemory {
    /// Current resident set (`VmRSS`) in bytes, or nil where unavailable.
    public static var residentBytes: Int? { field("VmRSS:") }
    /// Peak resident set (`VmHWM`) in bytes: what DESIGN §7 calls peak memory.
    public static var peakResidentBytes: Int? { field("VmHWM:") }

    static func field(_ name: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        let number = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
        return number.map { $0 * 1024 }
    }
}
