/// `eval`, `compare`, `generate`, `plot`, `estimate`, `advise` (still planned).
enum EvaluationCommands {
    static let all: [any RuntimeCommand] = [
        EvalCommand(),
        CompareCommand(),
        GenerateCommand(),
        PlotCommand(),
        EstimateCommand(),
        PlannedCommand("advise", help: CommandHelp("Suggests a method and settings from the data, the model and the guide's recommendations.",
                                                  examples: ["advise"]),
                       missing: "advice needs data statistics from the Datasets module, which has not landed yet"),
    ]
}
