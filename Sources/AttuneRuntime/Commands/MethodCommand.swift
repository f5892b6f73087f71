import Foundation
import Essentials
import AttuneLanguage
import Models

/// `method full|lora|qlora [r= alpha= dropout= targets=[…] rslora=]`: chooses the fine-tuning
/// method and its adapter settings for the next run. Alone, it shows the current choice.
struct MethodCommand: RuntimeCommand {
    let spec = StandardSpec.named("method")
    let schema = ArgumentSchema([
        .positional("method", .choice(TrainingMethod.allCases.map(\.rawValue)), required: false, "full fine-tuning, LoRA or QLoRA"),
        .keyed("r", .integer(.closed(1, 4096)), default: "16", "LoRA rank R"),
        .keyed("alpha", .number(.positive), default: "32", "LoRA scale numerator: the update is scaled by alpha/r"),
        .keyed("dropout", HyperparameterKey.dropout.spec.argumentKind, default: HyperparameterKey.dropout.spec.defaultValue.description,
               "dropout on the adapter input (the dropout hyperparameter)"),
        .keyed("targets", .names, default: "[q_proj, v_proj]", "modules to adapt: q_proj k_proj v_proj o_proj gate_proj up_proj down_proj, or all-linear"),
        .keyed("rslora", .bool, default: "false", "rank-stabilised scaling alpha/√r"),
        .keyed("base", .choice(MethodSettings.baseNames), default: "loaded", "LoRA's frozen base: as the file stores it, or every matrix in bf16 (half of float32)"),
    ])
    let help = CommandHelp("""
        Chooses how the next run trains. full updates every weight (the guide recommends lr 1e-5 … 5e-5); \
        lora freezes the model and trains low-rank adapters B·A on the target modules (lr 1e-4 … 3e-4); \
        qlora does the same over a 4-bit base (lr 2e-4 … 5e-4). The update is scaled by alpha/r, or \
        alpha/√r with rslora=true. lora base=bf16 keeps the frozen base in bfloat16, half the memory of \
        float32, between LoRA and QLoRA. With a model loaded it reports how many parameters will train.
        """, examples: ["method lora r=16 alpha=32 targets=[q_proj, v_proj] dropout=0.05", "method qlora r=8 targets=all-linear", "method full", "method"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let session = context.session
        guard let word = a.word("method"), let method = TrainingMethod(rawValue: word) else {
            guard a.extraKeyed.isEmpty, !["r", "alpha", "dropout", "targets", "rslora", "base"].contains(where: a.has) else {
                throw CommandError.missingArgument("method needs full, lora or qlora before its settings, e.g. method lora r=16", at: context.command.range)
            }
            context.result("method " + session.method.summary + (session.method.isChosen ? "" : " (the default; not chosen yet)"))
            return
        }
        var settings = session.method
        settings.method = method
        settings.isChosen = true
        if method == .full {
            for key in ["r", "alpha", "targets", "rslora"] where a.has(key) {
                throw CommandError.invalidValue("\(key) applies to LoRA and QLoRA; full fine-tuning trains every weight", at: context.range(of: key))
            }
        }
        if let rank = a.integer("r") { settings.rank = rank }
        if let alpha = a.number("alpha") { settings.alpha = alpha }
        if let rs = a.bool("rslora") { settings.rsLoRA = rs }
        if let base = a.word("base") {
            guard method == .lora else {
                throw CommandError.invalidValue("base= applies to lora: qlora's base is NF4 and full fine-tuning trains float32", at: context.range(of: "base"))
            }
            settings.base = base
        }
        if let targets = a.words("targets") {
            guard !targets.isEmpty else { throw CommandError.invalidValue("targets needs at least one module", at: context.range(of: "targets")) }
            for target in targets where !MethodSettings.targetNames.contains(target) {
                let guess = suggest(target, from: MethodSettings.targetNames)
                throw CommandError("InvalidValue", "unknown target module '\(target)'" + (guess.map { " — did you mean '\($0)'?" }
                                   ?? "; targets are \(MethodSettings.targetNames.joined(separator: ", "))"),
                                   at: Self.itemRange(target, in: context) ?? context.range(of: "targets"), suggestion: guess)
            }
            settings.targets = targets.contains("all-linear") ? ["all-linear"] : targets
        }
        session.method = settings
        session.endTraining()
        if let dropout = a.number("dropout") { session.hyperparameters.set(.dropout, .number(dropout)) }
        var text = "method \(settings.summary)"
        if method != .full { text += " dropout=\(session.hyperparameters[.dropout])" }
        if let model = session.model?.model {
            let trainable = Self.trainableCount(settings, model: model)
            let total = model.config.parameterCount
            text += " · \(NumberText.grouped(trainable)) trainable parameters (\(String(format: "%.2f", 100 * Double(trainable) / Double(max(total, 1))))% of \(NumberText.grouped(total)))"
        }
        context.result(text)
        if let warning = HyperparameterAdvice.rangeWarning(HyperparameterKey.lr.spec, session.hyperparameters[.lr], method: method,
                                                           parameterCount: session.model?.model.config.parameterCount) {
            context.warn(warning)
        }
    }

    /// The span of one item of the `targets` list as written.
    static func itemRange(_ item: String, in context: CommandContext) -> SourceRange? {
        let value = context.command.value(for: "targets")
        return (value?.elements ?? value.map { [$0] })?.first { ($0.identifier ?? $0.string) == item }?.range
    }

    /// Parameters the method trains: every one for full, r·(in+out) per adapted projection otherwise.
    static func trainableCount(_ settings: MethodSettings, model: LlamaModel) -> Int {
        guard settings.method != .full else { return model.config.parameterCount }
        let targets = settings.targets.contains("all-linear") ? LlamaModel.projectionNames : settings.targets
        var count = 0
        for layer in 0..<model.config.layers {
            for projection in targets {
                guard let linear = model.linears[LlamaModel.moduleName(layer: layer, projection: projection)] else { continue }
                count += settings.rank * (linear.inFeatures + linear.outFeatures)
            }
        }
        return count
    }
}
