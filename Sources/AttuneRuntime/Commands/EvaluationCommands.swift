/// `eval`, `compare`, `generate`, `plot`, `estimate`, `advise` (still planned).
enum EvaluationCommands {
    static let all: [any RuntimeCommand] = [
        EvalCommand(),
        CompareCommand(),
        GenerateCommand(),
        PlotCommand(),
        EstimateCommand(),
        AdviseCommand(),
    ]
}
