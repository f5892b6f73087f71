/// How a BPE vocabulary spells text before merging.
public enum BPEVariant: Sendable, Hashable {
    /// GPT-2 byte-level: UTF-8 bytes in `ByteLevelAlphabet` (`Ġ` for space), pieces from a
    /// `PreTokenizer` (SmolLM2, Llama 3, Qwen2, GPT-2).
    case byteLevel
    /// SentencePiece-style (Llama 2, TinyLlama): spaces become `▁`, a `▁` is prepended as
    /// `spacePrefix` says, characters missing from the vocabulary fall back to `<0xNN>` byte
    /// tokens (or the unknown token when there are none).
    case sentencePiece(spacePrefix: SpacePrefix)
}
