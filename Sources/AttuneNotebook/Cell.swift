/// A command cell: the statements a person typed, numbered and identified, with the outputs
/// they produced.
///
/// Written as ```` ```attune n=3 id="k7p2" tags=["parameters"] ```` followed by its output blocks.
public struct Cell: Sendable, Equatable {
    /// Execution number; strictly increasing through a notebook.
    public var n: Int
    /// Short identifier, unique in the notebook (becomes the Jupyter cell id).
    public var id: String
    /// Tags such as `parameters`, `skip` or `raises`.
    public var tags: [String]
    /// Source lines joined with "\n" (no trailing newline).
    public var source: String
    /// Outputs in the order they were produced.
    public var outputs: [CellOutput]
    /// Attributes Attune does not know, kept for round trips (written after the known ones).
    public var extraAttributes: [FenceAttribute]

    public init(n: Int, id: String, tags: [String] = [], source: String, outputs: [CellOutput] = [],
                extraAttributes: [FenceAttribute] = []) {
        self.n = n
        self.id = id
        self.tags = tags
        self.source = source
        self.outputs = outputs
        self.extraAttributes = extraAttributes
    }

    /// Whether the cell carries `tag`.
    public func hasTag(_ tag: String) -> Bool { tags.contains(tag) }

    /// Well-known tags.
    public enum Tag {
        /// The cell whose `set` statements a parameterized replay rewrites.
        public static let parameters = "parameters"
        /// Not run on replay.
        public static let skip = "skip"
        /// Expected to end with an error.
        public static let raises = "raises"
    }
}
