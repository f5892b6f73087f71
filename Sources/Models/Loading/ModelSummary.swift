import Essentials
import Foundation
import TensorCore
import Tokenization

/// What `model info` shows: architecture, sizes, how the weights are stored, memory, tokenizer.
public struct ModelSummary: Sendable, Codable, Equatable {
    public var name: String
    public var architecture: String
    public var layers: Int, hiddenSize: Int, intermediateSize: Int, heads: Int, kvHeads: Int, headDim: Int
    public var vocabSize: Int, context: Int
    public var ropeTheta: Double
    public var tiedEmbeddings: Bool
    public var parameters: Int
    /// Tensor count per storage type (`F32`, `Q4_1`, …).
    public var storage: [String: Int]
    /// Bytes of weights held in memory.
    public var weightBytes: Int
    public var tokenizer: String
    public var chatTemplate: String?
    public var source: String?

    public init(_ loaded: LoadedModel) {
        let c = loaded.model.config
        name = loaded.name
        architecture = c.attentionBias ? "qwen2 (llama layout with q/k/v bias)" : "llama"
        (layers, hiddenSize, intermediateSize, heads, kvHeads, headDim) = (c.layers, c.hiddenSize, c.intermediateSize, c.heads, c.kvHeads, c.headDim)
        (vocabSize, context, ropeTheta, tiedEmbeddings) = (c.vocabSize, c.maxPositionEmbeddings, c.ropeTheta, c.tieWordEmbeddings)
        parameters = c.parameterCount
        storage = loaded.model.storageCounts
        weightBytes = loaded.model.weightBytes
        tokenizer = "\(loaded.tokenizer)"
        chatTemplate = loaded.chatTemplate?.name
        source = loaded.source?.path
    }

    /// The compact text `model info` prints.
    public var text: String {
        let params = parameters >= 1_000_000 ? String(format: "%.1f M", Double(parameters) / 1e6) : String(format: "%.2f M", Double(parameters) / 1e6)
        let bitsPerWeight = Double(weightBytes * 8) / Double(max(parameters, 1))
        return """
        model \(name) · \(architecture) · \(layers) layers · width \(hiddenSize) · MLP \(intermediateSize) · \(heads) heads (\(kvHeads) kv, head dim \(headDim))
        vocabulary \(vocabSize) · context \(context) · rope θ \(ropeTheta.formatted()) · embeddings \(tiedEmbeddings ? "tied" : "untied")
        parameters \(params) · weights \(NumberText.bytes(weightBytes)) in memory (\(String(format: "%.1f", bitsPerWeight)) bits/weight) · \(storage.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        tokenizer \(tokenizer) · chat template \(chatTemplate ?? "none")\(source.map { "\nsource \($0)" } ?? "")
        """
    }
}

extension Double {
    fileprivate func formatted() -> String { self == rounded() ? String(Int(self)) : String(self) }
}
