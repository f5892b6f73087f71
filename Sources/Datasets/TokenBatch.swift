/// A batch ready for a causal language model: `rows × columns` token ids, row-major.
///
/// The loss at position `t` predicts token `t + 1`: `targets[t]` is that token's id when it is
/// trainable and in the same segment, else `TokenBatch.ignored`. With packing, one row holds
/// several examples: positions restart at 0 for each and `segments` numbers them, so attention
/// must be block-diagonal (a token attends only to earlier tokens with the same segment id).
public struct TokenBatch: Sendable, Hashable {
    /// Target value for positions that carry no loss (padding, prompts, segment ends).
    public static let ignored = -1

    public var rows: Int
    public var columns: Int
    /// `[rows × columns]` token ids; padding uses the pad id.
    public var inputs: [Int]
    /// `[rows × columns]` next-token targets or `ignored`.
    public var targets: [Int]
    /// `[rows × columns]` position ids, restarting at 0 for each packed example.
    public var positions: [Int]
    /// `[rows × columns]` segment id of each token within its row (0, 1, … per packed example);
    /// -1 for padding.
    public var segments: [Int]
    /// Source lines of the examples in each row, in order.
    public var lines: [[Int]]

    /// Positions that carry loss.
    public var targetCount: Int { targets.reduce(0) { $0 + ($1 == Self.ignored ? 0 : 1) } }
    /// Non-padding tokens.
    public var tokenCount: Int { segments.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) } }

    /// Whether the token at `query` may attend to the token at `key` in `row` (same segment,
    /// not later, not padding): the block-diagonal causal mask.
    public func attends(row: Int, query: Int, key: Int) -> Bool {
        let base = row * columns
        return key <= query && segments[base + key] >= 0 && segments[base + key] == segments[base + query]
    }
}
