/// Where a parsed value and each of its parts begin: UTF-8 byte offsets into the parsed text, in
/// the value's own shape (a tree beside the `JSONValue` tree). `data load` uses them to point at
/// the column of a wrong key or value.
public struct JSONLocations: Sendable, Equatable {
    /// Offset of the value's first byte.
    public var offset: Int
    /// Objects: the offset of each member's opening key quote, in member order. Empty otherwise.
    public var keyOffsets: [Int] = []
    /// Arrays: each element's locations; objects: each member value's, in order. Empty otherwise.
    public var children: [JSONLocations] = []

    public init(offset: Int, keyOffsets: [Int] = [], children: [JSONLocations] = []) {
        self.offset = offset
        self.keyOffsets = keyOffsets
        self.children = children
    }
}

/// A parsed value with its locations, walked together: `elements` and `members` hand out located
/// children, so a checker can report the exact column of any part.
public struct JSONLocated: Sendable {
    public var value: JSONValue
    public var locations: JSONLocations

    public init(value: JSONValue, locations: JSONLocations) {
        self.value = value
        self.locations = locations
    }

    /// Offset of the value's first byte.
    public var offset: Int { locations.offset }

    /// The elements with their locations, if this is an array.
    public var elements: [JSONLocated]? {
        guard case .array(let items) = value else { return nil }
        return zip(items, locations.children).map { JSONLocated(value: $0, locations: $1) }
    }

    /// The members with their locations, if this is an object.
    public var members: [Member]? {
        guard case .object(let pairs) = value else { return nil }
        return pairs.indices.map {
            Member(key: pairs[$0].key, keyOffset: locations.keyOffsets[$0],
                   node: JSONLocated(value: pairs[$0].value, locations: locations.children[$0]))
        }
    }

    /// One `"key": value` member of an object.
    public struct Member: Sendable {
        public var key: String
        /// Offset of the key's opening quote.
        public var keyOffset: Int
        public var node: JSONLocated
    }
}

extension Array where Element == JSONLocated.Member {
    /// The first member called `key`.
    public func member(_ key: String) -> JSONLocated.Member? { first { $0.key == key } }
}
