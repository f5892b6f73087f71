import Datasets
import Evaluation
import Foundation
import Tokenization

/// `serve send`'s evaluation: every example of a set answered by a server instead of the
/// session's model, checked as `eval` checks its replies, and kept as an evaluation value (so
/// `compare`, `e.json_rate` and `e.field_rates.KEY` work on a server's replies as on `eval`'s).
///
/// The HTTP side lives in the executable (it links the server library; this module does not):
/// it passes `send`, which answers one prompt.
public enum RemoteEvaluation {
    /// One request: a conversation up to its last assistant turn (chat; instruction data as one
    /// user turn), or a raw completion prompt.
    public enum Prompt: Sendable, Equatable {
        case chat([ChatMessage])
        case completion(String)
    }

    /// The examples of the set named by argument `setArgument` (as `eval on=` names it: a JSONL
    /// file, optionally sliced, or a part of the split), each sent with `send(prompt, id,
    /// maxTokens)`; the result is the command's value and, with `name = serve send …`, a stored
    /// evaluation. The set's checks come from the `schema=` and `check=` arguments (as `eval`'s).
    /// One reply, and what answered it when the server says (`base` or an adapter's name; a
    /// rollout may route a request away from the model it asked for).
    public struct Reply: Sendable {
        public var text: String
        public var servedBy: String?
        public init(text: String, servedBy: String? = nil) {
            self.text = text
            self.servedBy = servedBy
        }
    }

    /// `label` names what was asked (`tuned at http://127.0.0.1:8080`); when the server says that
    /// others answered some requests, the label adds who answered how many
    /// (`· answered by bad 4, base 8`).
    public static func run(_ context: CommandContext, setArgument: String, label: String, requested: String, maxTokens given: Int?,
                           send: (Prompt, String, Int) throws -> Reply) throws {
        let set = try EvaluationSet.resolve(context.arguments.word(setArgument) ?? "val", context: context, argument: setArgument)
        guard set.examples.contains(where: ModelEvaluator.hasPrompt) else {
            throw CommandError.invalidValue("\(set.name) has no prompts to send: its examples are plain text; give chat, instruction or completion data",
                                            at: context.range(of: setArgument))
        }
        let checks = try EvalCommand.checks(for: set, context: context)
        let maxTokens = given ?? defaultMaxTokens(set, context: context)
        var replies = [String: String]()
        var answered = [String: Int]()
        for (index, example) in set.examples.enumerated() {
            guard let prompt = prompt(of: example) else { continue }
            if context.shouldStop { throw CommandError("Stopped", "stopped by Ctrl-C after \(index) of \(set.count) requests; nothing was kept") }
            let id = set.ids[index]
            let reply = try send(prompt, id, maxTokens)
            replies[id] = reply.text
            answered[reply.servedBy ?? requested, default: 0] += 1
            context.progress("  reply \(index + 1)/\(set.count): \(EvaluationText.clip(reply.text, 60))")
        }
        let label = answered.keys.allSatisfy({ $0 == requested }) ? label : label + " · answered by "
            + answered.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var report: EvalReport?
        if !checks.isEmpty {
            report = EvalReport(results: set.ids.indices.map { i in
                EvalCase(id: set.ids[i], prompt: ModelEvaluator.shortPrompt(set.examples[i]), checks: checks.checks)
                    .evaluate(reply: replies[set.ids[i]] ?? "")
            })
        }
        var result = EvaluationResult(setName: set.count == 1 ? "\(set.name) (1 example)" : "\(set.name) (\(set.count) examples)",
                                      modelLabel: label, ids: set.ids, prompts: set.examples.map { ModelEvaluator.shortPrompt($0) },
                                      expected: set.examples.map(ModelEvaluator.expected), metrics: nil, checks: checks,
                                      replies: replies, report: report, cut: [], tooLong: [], maxTokens: maxTokens,
                                      samples: min(3, set.count))
        result.fullPrompts = set.examples.map(ReviewItems.prompt)
        if let name = context.binding { context.session.evaluations[name.text] = result }
        context.result(result.text)
        context.evaluation = result
        context.value = EvalCommand.value(of: result)
    }

    /// What is sent for `example`: nil for plain text (nothing to answer).
    static func prompt(of example: Example) -> Prompt? {
        switch example.content {
        case .chat(let messages):
            guard let last = messages.lastIndex(where: { $0.role == "assistant" }) else { return nil }
            return .chat(Array(messages[..<last]))
        case .instruction(let instruction, let input, _):
            return .chat([ChatMessage(role: "user", content: input.isEmpty ? instruction : instruction + "\n\n" + input)])
        case .completion(let prompt, _):
            return .completion(prompt)
        case .text:
            return nil
        }
    }

    /// As `eval`'s default with the session's model (the longest expected reply + 25%, 16…256);
    /// 256 when the session has no model to count tokens with.
    static func defaultMaxTokens(_ set: EvaluationSet, context: CommandContext) -> Int {
        guard let runner = try? EvaluationRunner(context) else { return 256 }
        return runner.defaultMaxTokens(set)
    }
}
