/// `eval`, `compare`, `generate`, `plot`, `estimate`, `advise`: planned until their engine parts land.
enum EvaluationCommands {
    static let all: [any RuntimeCommand] = [
        PlannedCommand("eval", help: CommandHelp("""
            Evaluates on the validation set: loss, perplexity, token accuracy and a few sample generations. \
            Name the result to compare later: base = eval.
            """, examples: ["eval", "base = eval"]),
            missing: "evaluation needs the Datasets and Training modules, which have not landed yet"),
        PlannedCommand("compare", schema: ArgumentSchema([
            .positional("a", .tensorPath, "a named result or model (base)"),
            .positional("b", .tensorPath, "another (tuned)"),
            .keyed("on", .tensorPath, default: "val[0:5]", "which examples to compare on"),
        ]), help: CommandHelp("Compares two named results or the model with and without its adapter on the same prompts, side by side.",
                              examples: ["compare base tuned on=val[0:5]"]),
            missing: "comparison needs evaluation (Datasets and Training modules), which has not landed yet"),
        GenerateCommand(),
        PlotCommand(),
        EstimateCommand(),
        AdviseCommand(),
    ]
}
