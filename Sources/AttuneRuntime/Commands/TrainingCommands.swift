/// `train`, `sweep`, `checkpoint save` and `resume`: planned until the Training module lands.
enum TrainingCommands {
    static let missing = "the REPL binding is still to come (the engine has the trainer and resumable checkpoints); meanwhile run `train` once per setting and `plot loss` overlays the runs"

    static let all: [any RuntimeCommand] = [
        TrainCommand(),
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
        CheckpointSaveCommand(),
        CheckpointKeepCommand(),
        ResumeCommand(),
    ]
}
