import Datasets
import Evaluation

/// The examples a review can rate: the prompt and both sides' replies per example, with its
/// category, gathered from two named evaluations (their stored replies), or from the live model
/// without and with its adapter (`base`, `tuned`) answering `on=` greedily now, as `compare` does.
struct ReviewItems {
    var items: [BlindItem]
    var labels: [String]
    var setName: String

    static func gather(_ first: String, _ second: String, on: String?, by field: String, context: CommandContext) throws -> ReviewItems {
        let compare = CompareCommand()
        let sides = [try compare.side(first, argument: "a", context), try compare.side(second, argument: "b", context)]
        let stored = sides.compactMap { side -> EvaluationResult? in
            if case .stored(_, let result) = side { return result }
            return nil
        }
        for (index, result) in stored.enumerated() where result.groupField != field {
            throw CommandError("InvalidValue", "\(sides[index].name) was evaluated with its categories from \(result.groupField), not \(field): "
                               + "review by=\(result.groupField), or evaluate again with by=\(field)", at: context.range(of: "by"))
        }
        var ids: [String], prompts: [String], categories: [String?]
        var setName: String
        var live: EvaluationSet?
        if stored.count == 2, on == nil {
            let shared = stored[0].ids.indices.filter { stored[0].replies[stored[0].ids[$0]] != nil && stored[1].replies[stored[0].ids[$0]] != nil }
            guard !shared.isEmpty else {
                throw CommandError("NoCommonExamples", "\(first) (\(stored[0].setName)) and \(second) (\(stored[1].setName)) share no answered example: "
                                   + "evaluate both on the same set (eval on=val answers every example)")
            }
            ids = shared.map { stored[0].ids[$0] }
            // The rater reads the whole prompt: the evaluation's own copy, else the loaded data's
            // example with that id, else the one-line prompt every evaluation keeps.
            let whole = stored[0].fullPrompts.count == stored[0].ids.count ? stored[0].fullPrompts : []
            prompts = shared.map { whole.isEmpty ? stored[0].prompts[$0] : whole[$0] }
            if whole.isEmpty, let dataset = context.session.dataset {
                let byID = Dictionary(dataset.examples.map { ("\(dataset.fileName):\($0.line)", $0) }, uniquingKeysWith: { a, _ in a })
                prompts = zip(ids, prompts).map { id, short in byID[id].map(Self.prompt) ?? short }
            }
            categories = shared.map { stored[0].categories.indices.contains($0) ? stored[0].categories[$0] : nil }
            setName = ids == stored[0].ids ? stored[0].setName : "the \(ids.count) examples both answered"
        } else {
            let set = try EvaluationSet.resolve(on ?? "val", context: context, argument: "on")
            ids = set.ids
            prompts = set.examples.map(Self.prompt)
            categories = set.values(of: field)
            setName = set.name
            live = set
        }
        var replies: [[String]] = []
        var labels: [String] = []
        for (index, side) in sides.enumerated() {
            switch side {
            case .stored(let name, let result):
                replies.append(try ids.map { id in
                    guard let reply = result.replies[id] else {
                        throw CommandError("NoReply", "\(name) has no reply for \(id): it was evaluated on \(result.setName); "
                                           + "review on examples it answered, or run \(name) = eval on= this set", at: context.range(of: index == 0 ? "a" : "b"))
                    }
                    return reply
                })
                labels.append(result.modelLabel)
                let cut = ids.filter(result.cut.contains).count
                if cut > 0 {
                    context.warn("\(name)'s replies to \(cut) of the \(ids.count) examples were cut at their first words (eval stops a reply once it "
                                 + "cannot become JSON, past its samples=): raters would judge the cut text; evaluate with samples=\(ids.count) to keep "
                                 + "every reply whole, or review base tuned on=FILE to generate whole replies")
                }
            case .live(_, let adapterOn):
                guard let set = live else { preconditionFailure("a live side always has a set") }
                let runner = try EvaluationRunner(context)
                let result = try runner.evaluate(set, adapterOn: adapterOn, checks: .none, maxTokens: runner.defaultMaxTokens(set),
                                                 samples: set.count, measureLoss: false)
                replies.append(ids.map { result.replies[$0] ?? "" })
                labels.append(result.modelLabel)
            }
        }
        let items = ids.indices.map { BlindItem(id: ids[$0], prompt: prompts[$0], outputs: [replies[0][$0], replies[1][$0]], category: categories[$0]) }
        return ReviewItems(items: items, labels: labels, setName: setName)
    }

    /// What the rater reads as the prompt: the last user turn, the instruction and its input, or
    /// the completion prompt, whole.
    static func prompt(_ example: Example) -> String {
        switch example.content {
        case .chat(let messages): return messages.last { $0.role == "user" }?.content ?? ""
        case .instruction(let instruction, let input, _): return input.isEmpty ? instruction : instruction + "\n\n" + input
        case .completion(let prompt, _): return prompt
        case .text(let text): return text
        }
    }
}
