/// `adapter save|load` and `export gguf|merged|trl|axolotl` (bound ones live in their own files).
enum ExportCommands {
    static let missing = "writing trained adapters and models lands with the Training module (PEFT adapters, merging)"

    static func pathCheck(_ context: CommandContext) throws {
        if let path = context.arguments.word("path") { _ = try context.resolvePath(path, argument: "path") }
    }

    static let all: [any RuntimeCommand] = [
        AdapterSaveCommand(),
        AdapterLoadCommand(),
        ExportGGUFCommand(),
        ExportMergedCommand(),
        PlannedCommand("export trl", schema: ArgumentSchema([.positional("path", .path, "a folder to write")]),
                       help: CommandHelp("Writes an equivalent TRL training script and config, to train the same thing on a GPU.",
                                         examples: ["export trl \"out/trl\""]), missing: missing, check: pathCheck),
        PlannedCommand("export axolotl", schema: ArgumentSchema([.positional("path", .path, "a folder to write")]),
                       help: CommandHelp("Writes an equivalent Axolotl config.",
                                         examples: ["export axolotl \"out/axolotl\""]), missing: missing, check: pathCheck),
    ]
}
