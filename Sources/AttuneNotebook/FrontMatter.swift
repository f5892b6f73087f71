/// The notebook header: ordered `key: <JSON>` lines between two `---` lines (DESIGN §4).
///
/// Entries keep the exact text of their values, so a file read and written back is unchanged
/// byte for byte; typed accessors (see `FrontMatter+Keys.swift`) decode on demand, and setting one
/// rewrites only that entry. Unknown keys are kept in place.
public struct FrontMatter: Sendable, Equatable {
    /// One line of the header.
    public enum Line: Sendable, Equatable {
        /// `key: <JSON>`, with `rawValue` the exact text after `": "`.
        case entry(key: String, rawValue: String)
        /// A blank line or a `#` comment, kept verbatim.
        case verbatim(String)
    }

    /// Header lines in file order.
    public var lines: [Line]

    /// An empty header.
    public init(lines: [Line] = []) {
        self.lines = lines
    }

    /// The keys of all entries, in order.
    public var keys: [String] {
        lines.compactMap { if case let .entry(key, _) = $0 { return key } else { return nil } }
    }

    /// The raw JSON text of `key`'s value, if present.
    public func rawValue(forKey key: String) -> String? {
        for case let .entry(k, raw) in lines where k == key { return raw }
        return nil
    }

    /// The parsed value of `key` (nil when absent or not valid JSON).
    public subscript(key: String) -> JSONValue? {
        get { rawValue(forKey: key).flatMap { try? JSONValue.parse($0) } }
        set {
            if let newValue { setRawValue(newValue.compactText, forKey: key) } else { removeValue(forKey: key) }
        }
    }

    /// Sets `key`'s raw value text, replacing an existing entry in place or appending a new one.
    public mutating func setRawValue(_ raw: String, forKey key: String) {
        if let index = lines.firstIndex(where: { if case let .entry(k, _) = $0 { return k == key } else { return false } }) {
            lines[index] = .entry(key: key, rawValue: raw)
        } else {
            lines.append(.entry(key: key, rawValue: raw))
        }
    }

    /// Removes every entry for `key`.
    public mutating func removeValue(forKey key: String) {
        lines.removeAll { if case let .entry(k, _) = $0 { return k == key } else { return false } }
    }
}
