/// `train`, `sweep`, `checkpoint save` and `resume`: planned until the Training module lands.
enum TrainingCommands {
    static let missing = "the trainer (Training module: LoRA, AdamW, schedules, the step loop) has not landed yet; `method` and `set` keep the settings it will use"

    static let all: [any RuntimeCommand] = [
        PlannedCommand("train", schema: ArgumentSchema([
            .keyed("steps", .integer(.closed(1, 10_000_000)), default: "the steps hyperparameter", "optimizer steps to run"),
            .keyed("epochs", .number(NumericRange(lower: 0, lowerInclusive: false, upper: 1000)), default: "the epochs hyperparameter", "passes over the training set"),
        ]), help: CommandHelp("""
            Trains with the current method and hyperparameters, printing a progress line per step \
            (loss, learning rate, gradient norm, tokens/s, ETA) and logging metrics the notebook keeps. \
            The monitor names warning signs as they happen. Ctrl-C stops at the next step boundary and \
            keeps everything consistent.
            """, examples: ["train steps=50", "train epochs=1"]),
            missing: missing, check: { context in
                if context.arguments.has("steps"), context.arguments.has("epochs") {
                    throw CommandError.invalidValue("give steps= or epochs=, not both", at: context.range(of: "epochs"))
                }
            }),
        PlannedCommand("sweep", schema: ArgumentSchema([], opensKeys: true), help: CommandHelp("""
            Trains once per value of a hyperparameter (or per combination) and overlays the loss curves \
            in one chart and one table.
            """, examples: ["sweep lr=[1e-4, 3e-4, 1e-3] steps=40"]),
            missing: missing, check: { context in
                for argument in context.arguments.extraKeyed {
                    guard let key = argument.key else { continue }
                    if key.text == "steps" || key.text == "epochs" { continue }
                    guard let spec = HyperparameterTable.spec(key.text) else { throw SetCommand.unknownKey(key) }
                    let items = argument.value.elements ?? [argument.value]
                    for item in items { _ = try spec.convert(item) }
                }
            }),
        PlannedCommand("checkpoint save", schema: ArgumentSchema([.positional("path", .path, "where to write the checkpoint")]),
                       help: CommandHelp("Saves the trainable weights, optimizer moments, step and random state so `resume` continues exactly.",
                                         examples: ["checkpoint save \"out/step50\""]),
                       missing: missing, check: { context in
                           if let path = context.arguments.word("path") { _ = try context.resolvePath(path, argument: "path") }
                       }),
        PlannedCommand("resume", schema: ArgumentSchema([.positional("path", .path, "a checkpoint written by checkpoint save")]),
                       help: CommandHelp("Continues training from a checkpoint: weights, optimizer state, step and data order.",
                                         examples: ["resume \"out/step50\""]),
                       missing: missing, check: { context in
                           if let path = context.arguments.word("path") { _ = try context.resolvePath(path, argument: "path") }
                       }),
    ]
}
