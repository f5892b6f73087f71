import Foundation
import TensorCore
import Tokenization

extension LoadedModel {
    /// The model's perplexity of `text` as it stands (with whatever adapter is on it):
    ///
    ///     exp( −(1/N) Σ_t log p(x_t | x_<t) )
    ///
    /// over the text's tokens (no special tokens parsed), each predicted from a start token (BOS,
    /// else EOS, else the text's first token is context only) and the tokens before it. Only the
    /// first `maxTokens` tokens count (fewer when the context is shorter), which bounds the cost of long inputs. Nil when no token is
    /// predicted (an empty text). One forward pass without a cache; logits in fp32, sums in Double.
    public func perplexity(of text: String, maxTokens: Int = 256) -> Double? {
        var ids = tokenizer.encode(text, options: EncodingOptions(parseSpecialTokens: false, addBOS: false)).ids
        let limit = max(1, min(maxTokens, model.config.maxPositionEmbeddings - 1))
        if ids.count > limit { ids.removeLast(ids.count - limit) }
        if let start = tokenizer.specialTokens.bos ?? tokenizer.specialTokens.eos { ids.insert(start, at: 0) }
        guard ids.count >= 2 else { return nil }
        let tape = Tape(recording: false)
        let logits = model.logits(tokens: ids.dropLast().map(Int32.init), batch: 1, tape: tape)   // [T−1, V]
        let vocab = logits.columns
        var total = 0.0
        withExtendedLifetime(logits) {
            let p = logits.pointer
            for row in 0..<(ids.count - 1) {
                let values = UnsafeBufferPointer(start: p + row * vocab, count: vocab)
                var peak = values[0]
                for v in values where v > peak { peak = v }
                var sum = 0.0
                for v in values { sum += Foundation.exp(Double(v - peak)) }
                total += Double(peak) + Foundation.log(sum) - Double(values[ids[row + 1]])
            }
        }
        return Foundation.exp(total / Double(ids.count - 1))
    }
}
