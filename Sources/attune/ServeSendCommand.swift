import AttuneLanguage
import AttuneRuntime
import AttuneServer
import Foundation

/// `serve send "FILE" [to="http://HOST:PORT"] [model=NAME] [user=ID|each] [max=N] [schema="FILE"] [check=…] [api_key="KEY"]`:
/// each example posted to a server as a chat request, the replies checked as `eval` checks them and
/// returned as an evaluation value (`compare`, `e.json_rate`, `e.field_rates.KEY`).
struct ServeSendCommand: RuntimeCommand {
    let spec = CommandSpec(["serve", "send"], usage: "serve send FILE [to=\"URL\" model=NAME user=ID|each max=N schema=\"FILE\" check=auto|json|schema|none api_key=\"KEY\"]",
                           summary: "post each example to a server and evaluate its replies")
    let schema = ArgumentSchema([
        .positional("file", .path, "the examples: a JSONL file (sliced as \"data/heldout.jsonl[0:20]\") or a part of the split (val, test, all)"),
        .keyed("to", .text, default: "the session's server", "the server's address, http://HOST:PORT"),
        .keyed("model", .text, default: "base", "what each request puts in `model`: base or an adapter name"),
        .keyed("user", .text, default: "none", "each request's OpenAI `user`, which a canary routes by: one id for all, or `each` for one user per example (its id, file:line)"),
        .keyed("max", .integer(.closed(1, 4096)), default: "the longest expected reply + 25% (256 without a model)", "max_tokens of each request"),
        .keyed("schema", .path, default: "inferred", "a JSON Schema file the replies must match"),
        .keyed("check", .choice(["auto", "json", "schema", "none"]), default: "auto", "which replies count as passing (as eval's check=)"),
        .keyed("api_key", .text, "sent as 'Authorization: Bearer KEY'"),
    ])
    let help = CommandHelp("""
        Sends every example of a file (or a part of the split) to a running OpenAI-compatible server — the \
        session's own `serve start`, an `attune serve`, or any other — as a chat request at temperature 0 \
        (a conversation up to its last assistant turn; instruction data as one user turn; completion data to \
        /v1/completions), then checks the replies as `eval` does: valid JSON matching the schema (given or \
        inferred) with its 95% Wilson interval, and closed-set fields against the expected values. The value \
        is an evaluation: name it (live = serve send …) to `compare` it with an `eval`, or read live.json_rate. \
        The server's request log records the same traffic for `data load`. user= sets each request's OpenAI `user`: \
        a canary (`serve rollout canary share=…`) routes by its hash, so `user=each` (every example its own user, \
        named by its id such as triage_heldout.jsonl:21) makes the split repeatable. When the session's own server \
        answers, the label says which model answered how many requests (a canary or fallback may route some away from \
        model=), and the command returns after the shadow replies it caused are logged.
        """, examples: ["serve send \"data/triage_heldout.jsonl\"",
                        "canary = serve send \"data/triage_heldout.jsonl[20:40]\" user=each",
                        "live = serve send \"data/triage_heldout.jsonl[0:20]\" to=\"http://127.0.0.1:8080\" model=tuned",
                        "serve send val model=base max=32"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let address: String
        if let given = a.word("to") {
            address = given
        } else if let running = ServeREPLCommands.current.withLock({ $0?.running }) {
            address = running.baseURL
        } else {
            throw CommandError("NotServing", "no server to send to: start one with `serve start`, or give its address as to=\"http://HOST:PORT\"")
        }
        var client: ChatClient
        do { client = try ChatClient(url: address, apiKey: a.word("api_key")) } catch {
            throw CommandError("InvalidValue", "\(error)", at: context.range(of: "to"))
        }
        if client.apiKey == nil, a.word("to") == nil { client.apiKey = ServeREPLCommands.current.withLock { $0?.options.apiKey } }
        let model = a.word("model") ?? "base"
        let user = a.word("user")
        if let user, user.isEmpty || user.count > 256 {
            throw CommandError("InvalidValue", "user= must be 1…256 characters: an id such as \"alice\", or each", at: context.range(of: "user"))
        }
        let sender = client
        try RemoteEvaluation.run(context, setArgument: "file", label: "\(model) at \(client.baseURL)", requested: model,
                                 maxTokens: a.integer("max")) { prompt, id, maxTokens in
            let requestUser = user == "each" ? id : user
            do {
                let reply = try ServeREPLCommands.blocking {
                    switch prompt {
                    case .chat(let messages): return try await sender.chat(model: model, messages: messages, maxTokens: maxTokens, user: requestUser)
                    case .completion(let text): return try await sender.complete(model: model, prompt: text, maxTokens: maxTokens, user: requestUser)
                    }
                }
                return RemoteEvaluation.Reply(text: reply.text, servedBy: reply.servedBy)
            } catch let error as CommandError {
                throw CommandError("ServeError", "\(id): \(error.message)", at: context.range(of: a.word("to") == nil ? "file" : "to"))
            }
        }
        if a.word("to") == nil { ServeREPLCommands.waitForShadows() }
    }
}
