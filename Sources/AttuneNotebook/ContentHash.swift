import Crypto
import Foundation

/// SHA-256 digests as lowercase hex, for asset names and the front matter's `sha256` fields.
public enum ContentHash {
    /// The full 64-character hex digest of `data`.
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The digest of the file at `url`.
    public static func sha256Hex(contentsOf url: URL) throws -> String {
        sha256Hex(try Data(contentsOf: url))
    }
}
