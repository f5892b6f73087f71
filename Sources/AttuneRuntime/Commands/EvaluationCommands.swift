/// `eval`, `compare`, `generate`, `plot`, `estimate`, `advise`.
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
