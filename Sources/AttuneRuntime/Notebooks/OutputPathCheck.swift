import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks, before any cell runs, that a notebook can be written at a path (`replay -o OUT`,
/// `run --notebook OUT`), so a long replay is not lost to a missing folder at the end.
public enum OutputPathCheck {
    /// Nil when `path` can be written: its folder exists, is a folder and is writable, and the path
    /// is not itself a folder. Otherwise the problem and the fix, naming the path.
    public static func problem(writing path: String) -> String? {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "\(path) is a folder; give a file name such as \(url.appendingPathComponent("out.attune.md").path)"
        }
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            return "the folder \(folder) does not exist; create it first (mkdir -p \(folder)) or choose another path"
        }
        guard isDirectory.boolValue else { return "\(folder) is not a folder, so \(path) cannot be written" }
        guard access(folder, W_OK) == 0 else { return "the folder \(folder) is not writable, so \(path) cannot be written" }
        return nil
    }
}
