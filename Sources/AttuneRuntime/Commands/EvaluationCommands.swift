/// `eval`, `eval general`, `compare`, `generate`, `plot`, `estimate`, `advise`.
enum EvaluationCommands {
    static let all: [any RuntimeCommand] = [
        EvalCommand(),
        EvalGeneralCommand(),
        CompareCommand(),
        GenerateCommand(),
        PlotCommand(),
        EstimateCommand(),
        AdviseCommand(),
    ]
}
