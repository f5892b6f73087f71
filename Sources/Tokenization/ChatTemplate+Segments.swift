import Foundation

/// Laying out a conversation as template text.
extension ChatTemplate {
    /// The template's text for `messages`, in segments that remember their message and whether
    /// they are training targets.
    ///
    /// - Parameters:
    ///   - addGenerationPrompt: end with the header of a new assistant turn.
    ///   - bosToken: the beginning-of-text spelling (Llama 3 writes it; default `<|begin_of_text|>`).
    ///   - eosToken: the end-of-sequence spelling (Zephyr ends turns with it; default `</s>`).
    public func segments(for messages: [ChatMessage], addGenerationPrompt: Bool = false,
                         bosToken: String? = nil, eosToken: String? = nil) throws -> [ChatSegment] {
        var out = [ChatSegment]()
        func turn(_ index: Int?, _ role: String, header: String, content: String, end: String, after: String, trainable: Bool) {
            out.append(ChatSegment(text: header, messageIndex: index, role: role, isTrainable: false))
            out.append(ChatSegment(text: content, messageIndex: index, role: role, isTrainable: trainable))
            out.append(ChatSegment(text: end, messageIndex: index, role: role, isTrainable: trainable))
            if !after.isEmpty { out.append(ChatSegment(text: after, messageIndex: index, role: role, isTrainable: false)) }
        }
        switch self {
        case .chatML(let defaultSystemPrompt):
            if let prompt = defaultSystemPrompt, let first = messages.first, first.role != "system" {
                turn(nil, "system", header: "<|im_start|>system\n", content: prompt, end: "<|im_end|>", after: "\n", trainable: false)
            }
            for (index, message) in messages.enumerated() {
                turn(index, message.role, header: "<|im_start|>\(message.role)\n", content: message.content,
                     end: "<|im_end|>", after: "\n", trainable: message.isTrainingTarget)
            }
            if addGenerationPrompt {
                out.append(ChatSegment(text: "<|im_start|>assistant\n", messageIndex: nil, role: "assistant", isTrainable: false))
            }
        case .llama3:
            if !messages.isEmpty {
                out.append(ChatSegment(text: bosToken ?? "<|begin_of_text|>", messageIndex: nil, role: nil, isTrainable: false))
            }
            for (index, message) in messages.enumerated() {
                turn(index, message.role, header: "<|start_header_id|>\(message.role)<|end_header_id|>\n\n",
                     content: message.content.trimmingCharacters(in: .whitespacesAndNewlines),
                     end: "<|eot_id|>", after: "", trainable: message.isTrainingTarget)
            }
            if addGenerationPrompt {
                out.append(ChatSegment(text: "<|start_header_id|>assistant<|end_header_id|>\n\n", messageIndex: nil,
                                       role: "assistant", isTrainable: false))
            }
        case .llama31(let date):
            out.append(ChatSegment(text: bosToken ?? "<|begin_of_text|>", messageIndex: nil, role: nil, isTrainable: false))
            let hasSystem = messages.first?.role == "system"
            let system = hasSystem ? messages[0].content.trimmingCharacters(in: .whitespacesAndNewlines) : ""
            turn(hasSystem ? 0 : nil, "system", header: "<|start_header_id|>system<|end_header_id|>\n\n",
                 content: "Cutting Knowledge Date: December 2023\nToday Date: \(date)\n\n" + system,
                 end: "<|eot_id|>", after: "", trainable: false)
            for (index, message) in messages.enumerated() where !(hasSystem && index == 0) {
                turn(index, message.role, header: "<|start_header_id|>\(message.role)<|end_header_id|>\n\n",
                     content: message.content.trimmingCharacters(in: .whitespacesAndNewlines),
                     end: "<|eot_id|>", after: "", trainable: message.isTrainingTarget)
            }
            if addGenerationPrompt {
                out.append(ChatSegment(text: "<|start_header_id|>assistant<|end_header_id|>\n\n", messageIndex: nil,
                                       role: "assistant", isTrainable: false))
            }
        case .zephyr:
            for (index, message) in messages.enumerated() {
                guard ["system", "user", "assistant"].contains(message.role) else {
                    throw TokenizationError.invalidConversation(
                        "message \(index + 1) has role '\(message.role)'; the zephyr template knows system, user, assistant")
                }
                turn(index, message.role, header: "<|\(message.role)|>\n", content: message.content,
                     end: eosToken ?? "</s>", after: "\n", trainable: message.isTrainingTarget)
            }
            if addGenerationPrompt && !messages.isEmpty {
                out.append(ChatSegment(text: "<|assistant|>\n", messageIndex: nil, role: "assistant", isTrainable: false))
            }
        }
        return out
    }

    /// The template's text for `messages` (what the Jinja template renders).
    public func text(for messages: [ChatMessage], addGenerationPrompt: Bool = false,
                     bosToken: String? = nil, eosToken: String? = nil) throws -> String {
        try segments(for: messages, addGenerationPrompt: addGenerationPrompt, bosToken: bosToken, eosToken: eosToken)
            .map(\.text).joined()
    }
}
