extension CommandRegistry {
    /// Every command of this build. Add new commands here (see Commands/README.md).
    public static let standard = CommandRegistry([
        ModelLoadCommand(), ModelNewCommand(), ModelInfoCommand(),
    ] + DataCommands.all + [
        MethodCommand(), SetCommand(),
    ] + TrainingCommands.all + EvaluationCommands.all + NoveltyCommands.all + ReviewCommands.all + [
        TokenizeCommand(), LogitsCommand(), ActivationsCommand(), ShowCommand(), ListCommand(), HelpCommand(),
    ] + ExportCommands.all)
}
