/// The engine that recorded a notebook.
public struct EngineInfo: Sendable, Equatable {
    public var name: String
    public var version: String
    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
    var json: JSONValue { .object([("name", .string(name)), ("version", .string(version))]) }
}

/// A data file a notebook used, with its content hash.
public struct DataFileInfo: Sendable, Equatable {
    public var path: String
    public var sha256: String
    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
    var json: JSONValue { .object([("path", .string(path)), ("sha256", .string(sha256))]) }
}

/// A text substitution applied to both sides before comparing outputs:
/// every match of `regex` becomes `replace` (`$1`… refer to groups).
public struct Sanitizer: Sendable, Equatable {
    public var regex: String
    public var replace: String
    public init(regex: String, replace: String) {
        self.regex = regex
        self.replace = replace
    }
}

/// The `verify` key: how replayed outputs are compared with recorded ones.
public struct VerifySettings: Sendable, Equatable {
    /// Relative tolerance for numbers: `|a - b| <= atol + rtol * |expected|`.
    public var rtol: Double
    /// Absolute tolerance for numbers.
    public var atol: Double
    /// Metrics fields never compared (timings, throughput, memory).
    public var volatile: [String]
    /// Extra sanitizers, applied after the built-in ones.
    public var sanitize: [Sanitizer]

    /// Defaults when a notebook says nothing: rtol 1e-4, atol 1e-6, the usual volatile fields.
    public static let defaultVolatile = ["tokens_per_s", "elapsed_s", "rss_mb", "eta_s", "step_time_s", "wall_s"]

    public init(rtol: Double = 1e-4, atol: Double = 1e-6, volatile: [String] = VerifySettings.defaultVolatile,
                sanitize: [Sanitizer] = []) {
        self.rtol = rtol
        self.atol = atol
        self.volatile = volatile
        self.sanitize = sanitize
    }

    var json: JSONValue {
        .object([
            ("floats", .object([("rtol", .number(rtol)), ("atol", .number(atol))])),
            ("volatile", .array(volatile.map(JSONValue.string))),
            ("sanitize", .array(sanitize.map { .object([("regex", .string($0.regex)), ("replace", .string($0.replace))]) })),
        ])
    }

    /// Decodes the `verify` object; missing parts take their defaults.
    init(json: JSONValue) {
        self.init()
        if let floats = json["floats"] {
            if let r = floats["rtol"]?.doubleValue { rtol = r }
            if let a = floats["atol"]?.doubleValue { atol = a }
        }
        if let v = json["volatile"]?.arrayValue { volatile = v.compactMap(\.stringValue) }
        if let s = json["sanitize"]?.arrayValue {
            sanitize = s.compactMap { item in
                guard let regex = item["regex"]?.stringValue else { return nil }
                return Sanitizer(regex: regex, replace: item["replace"]?.stringValue ?? "")
            }
        }
    }
}

extension FrontMatter {
    /// The format tag every notebook carries.
    public static let formatTag = "attune-notebook/1"

    /// `format`, e.g. "attune-notebook/1".
    public var format: String? {
        get { self["format"]?.stringValue }
        set { self["format"] = newValue.map(JSONValue.string) }
    }

    /// `title`.
    public var title: String? {
        get { self["title"]?.stringValue }
        set { self["title"] = newValue.map(JSONValue.string) }
    }

    /// `created`, an ISO 8601 timestamp as text.
    public var created: String? {
        get { self["created"]?.stringValue }
        set { self["created"] = newValue.map(JSONValue.string) }
    }

    /// `engine {name, version}`.
    public var engine: EngineInfo? {
        get {
            guard let v = self["engine"], let name = v["name"]?.stringValue else { return nil }
            return EngineInfo(name: name, version: v["version"]?.stringValue ?? "")
        }
        set { self["engine"] = newValue?.json }
    }

    /// `seed`.
    public var seed: UInt64? {
        get {
            guard let d = self["seed"]?.doubleValue, d >= 0, d.rounded() == d, d < 1.8e19 else { return nil }
            return UInt64(d)
        }
        set { self["seed"] = newValue.map { .number(Double($0)) } }
    }

    /// `data [{path, sha256}]`.
    public var data: [DataFileInfo] {
        get {
            (self["data"]?.arrayValue ?? []).compactMap { item in
                guard let path = item["path"]?.stringValue else { return nil }
                return DataFileInfo(path: path, sha256: item["sha256"]?.stringValue ?? "")
            }
        }
        set { self["data"] = .array(newValue.map(\.json)) }
    }

    /// `model {...}`: free-form (name, sha256, config…).
    public var model: JSONValue? {
        get { self["model"] }
        set { self["model"] = newValue }
    }

    /// `params`: the values a parameterized replay may override, as an object.
    public var params: JSONValue? {
        get { self["params"] }
        set { self["params"] = newValue }
    }

    /// `verify`, with defaults for whatever is missing.
    public var verify: VerifySettings {
        get { self["verify"].map(VerifySettings.init(json:)) ?? VerifySettings() }
        set { self["verify"] = newValue.json }
    }

    /// Checks that every known key holds a value of the right shape. Returns a message per
    /// problem, each with the key (the reader adds line numbers).
    func typeProblems(key: String, value: JSONValue) -> String? {
        switch key {
        case "format", "title", "created":
            return value.stringValue == nil ? "'\(key)' must be a string" : nil
        case "seed":
            guard let d = value.doubleValue, d >= 0, d.rounded() == d else { return "'seed' must be a non-negative integer" }
            return nil
        case "engine":
            return value["name"]?.stringValue == nil ? "'engine' must be an object with a string 'name'" : nil
        case "data":
            guard let items = value.arrayValue, items.allSatisfy({ $0["path"]?.stringValue != nil }) else {
                return "'data' must be an array of {\"path\": …, \"sha256\": …} objects"
            }
            return nil
        case "model", "params":
            return value.objectValue == nil ? "'\(key)' must be an object" : nil
        case "numerics":
            guard let mode = value["mode"]?.stringValue, NumericsInfo.modes.contains(mode) else {
                let quoted = NumericsInfo.modes.map { "\"\($0)\"" }
                return "'numerics' must be an object whose 'mode' is " + quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
            }
            return nil
        case "verify":
            guard value.objectValue != nil else { return "'verify' must be an object" }
            if let floats = value["floats"], floats.objectValue == nil { return "'verify.floats' must be an object" }
            if let s = value["sanitize"]?.arrayValue, !s.allSatisfy({ $0["regex"]?.stringValue != nil }) {
                return "'verify.sanitize' items need a string 'regex'"
            }
            return nil
        default:
            return nil
        }
    }
}
