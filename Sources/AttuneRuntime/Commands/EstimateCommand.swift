import Essentials
import AttuneLanguage
import Evaluation
import Models

/// `estimate [MODEL] [METHOD] [checkpointing=]`: memory and time of a training setup, from real
/// parameter shapes, next to the guide's rules of thumb.
struct EstimateCommand: RuntimeCommand {
    let spec = StandardSpec.named("estimate")
    let schema = ArgumentSchema([
        .positional("model", .text, required: false, "a published model (smollm2, smollm2-360m, llama-3.2-1b, llama-2-7b, llama-3-8b, llama-2-13b, llama-2-70b; sizes such as \"7b\" in quotes) or omit for the loaded model"),
        .positional("method", .choice(["full", "lora", "qlora"]), required: false, "the method; omit for the session's"),
        .keyed("checkpointing", .bool, default: "the checkpointing hyperparameter", "gradient checkpointing: keep only each layer's input, recompute in backward"),
        .keyed("tokens_per_s", .number(.positive), default: "none", "measured training speed, to turn the step into seconds"),
    ])
    let help = CommandHelp("""
        Estimates the memory of a training setup (weights, gradients, optimizer moments, activations) and, \
        given a measured speed, the time per step and per epoch: for the loaded model or a published size \
        (SmolLM2 135M/360M, Llama 3.2 1B, Llama 2 7B, Llama 3 8B, Llama 2 13B, 70B), with the session's \
        method, LoRA rank and targets, batch and seq, next to the guide's rules of thumb (full ≈ 4× the \
        model, LoRA ≈ 1.2×, QLoRA ≈ ¼ of LoRA).
        """, examples: ["estimate", "estimate llama-2-7b qlora", "estimate \"7b\" full checkpointing=true", "estimate tokens_per_s=180"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments, session = context.session
        let shape: ModelShape
        var model: LlamaModel?
        if let name = a.word("model") {
            guard let published = ModelShape.named(name) else {
                let names = ["smollm2", "smollm2-360m", "llama-3.2-1b", "llama-2-7b", "llama-3-8b", "llama-2-13b", "llama-2-70b"]
                let guess = suggest(name, from: names)
                throw CommandError("InvalidValue", "no published shape '\(name)'" + (guess.map { " — did you mean '\($0)'?" } ?? "; sizes: \(names.joined(separator: ", "))"),
                                   at: context.range(of: "model"), suggestion: guess)
            }
            shape = published
        } else if let loaded = session.model {
            shape = TrainingPlan.shape(of: loaded.model, name: loaded.name)
            model = loaded.model
        } else {
            throw CommandError("NoModel", "estimate needs a model: name a size (estimate 7b lora) or load one")
        }
        let methodName = a.word("method") ?? session.method.method.rawValue
        let method: FineTuningMethod = methodName == "full" ? .full : methodName == "qlora" ? .qlora : .lora
        let setup = TrainingPlan.setup(session: session, method: method, model: model, checkpointing: a.bool("checkpointing"))
        let estimate = Estimator.estimate(shape, setup, throughput: a.number("tokens_per_s").map(Throughput.tokensPerSecond))
        context.result(estimate.text)
        if a.number("tokens_per_s") == nil, session.liveStream != nil { context.progress(TrainingPlan.timeLine(estimate)) }
    }
}
