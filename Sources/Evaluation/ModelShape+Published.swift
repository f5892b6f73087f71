extension ModelShape {
    // Published shapes, from each model's Hugging Face config.json.

    /// HuggingFaceTB/SmolLM2-135M: 134,515,008 parameters.
    public static let smolLM2_135M = ModelShape(name: "SmolLM2-135M", layers: 30, hidden: 576, intermediate: 1536,
                                                heads: 9, kvHeads: 3, vocab: 49152, tiedEmbeddings: true)
    /// HuggingFaceTB/SmolLM2-360M: 361,821,120 parameters.
    public static let smolLM2_360M = ModelShape(name: "SmolLM2-360M", layers: 32, hidden: 960, intermediate: 2560,
                                                heads: 15, kvHeads: 5, vocab: 49152, tiedEmbeddings: true)
    /// meta-llama/Llama-3.2-1B: 1,235,814,400 parameters.
    public static let llama3_2_1B = ModelShape(name: "Llama-3.2-1B", layers: 16, hidden: 2048, intermediate: 8192,
                                               heads: 32, kvHeads: 8, vocab: 128_256, tiedEmbeddings: true)
    /// meta-llama/Llama-2-7b-hf: 6,738,415,616 parameters.
    public static let llama2_7B = ModelShape(name: "Llama-2-7B", layers: 32, hidden: 4096, intermediate: 11008,
                                             heads: 32, kvHeads: 32, vocab: 32000, tiedEmbeddings: false)
    /// meta-llama/Meta-Llama-3-8B: 8,030,261,248 parameters.
    public static let llama3_8B = ModelShape(name: "Llama-3-8B", layers: 32, hidden: 4096, intermediate: 14336,
                                             heads: 32, kvHeads: 8, vocab: 128_256, tiedEmbeddings: false)
    /// meta-llama/Llama-2-13b-hf: 13,015,864,320 parameters.
    public static let llama2_13B = ModelShape(name: "Llama-2-13B", layers: 40, hidden: 5120, intermediate: 13824,
                                              heads: 40, kvHeads: 40, vocab: 32000, tiedEmbeddings: false)
    /// meta-llama/Llama-2-70b-hf: 68,976,648,192 parameters.
    public static let llama2_70B = ModelShape(name: "Llama-2-70B", layers: 80, hidden: 8192, intermediate: 28672,
                                              heads: 64, kvHeads: 8, vocab: 32000, tiedEmbeddings: false)
    /// meta-llama/Meta-Llama-3-70B: 70,553,706,496 parameters.
    public static let llama3_70B = ModelShape(name: "Llama-3-70B", layers: 80, hidden: 8192, intermediate: 28672,
                                              heads: 64, kvHeads: 8, vocab: 128_256, tiedEmbeddings: false)

    public static let published: [ModelShape] = [
        smolLM2_135M, smolLM2_360M, llama3_2_1B, llama2_7B, llama3_8B, llama2_13B, llama2_70B, llama3_70B,
    ]

    /// Short names accepted by `estimate` (case-insensitive), besides the full names.
    public static let aliases: [String: ModelShape] = [
        "smollm2": smolLM2_135M, "smollm2-135m": smolLM2_135M, "135m": smolLM2_135M,
        "smollm2-360m": smolLM2_360M, "360m": smolLM2_360M,
        "llama-3.2-1b": llama3_2_1B, "1b": llama3_2_1B,
        "llama-2-7b": llama2_7B, "7b": llama2_7B,
        "llama-3-8b": llama3_8B, "8b": llama3_8B,
        "llama-2-13b": llama2_13B, "13b": llama2_13B,
        "llama-2-70b": llama2_70B, "70b": llama2_70B, "llama-3-70b": llama3_70B,
    ]

    /// A published shape by name or alias.
    public static func named(_ name: String) -> ModelShape? {
        let key = name.lowercased()
        return aliases[key] ?? published.first { $0.name.lowercased() == key }
    }
}
