extension CommandRegistry {
    /// Every command of this build. A new command goes here, in `CommandTable` (its words, for
    /// parsing and completion) and in its help text; CommandSurfaceTests and HelpTests check they agree.
    public static let standard = CommandRegistry([
        ModelLoadCommand(), ModelNewCommand(), ModelInfoCommand(),
    ] + DataCommands.all + [
        MethodCommand(), SetCommand(),
    ] + TrainingCommands.all + EvaluationCommands.all + NoveltyCommands.all + ReviewCommands.all + [
        TokenizeCommand(), LogitsCommand(), ActivationsCommand(), ShowCommand(), ListCommand(), HelpCommand(),
    ] + ExportCommands.all)
}
