/// `adapter save|load` and `export gguf|merged|trl|axolotl`: planned until training lands.
enum ExportCommands {
    static let missing = "writing trained adapters and models lands with the Training module (PEFT adapters, merging)"

    static func pathCheck(_ context: CommandContext) throws {
        if let path = context.arguments.word("path") { _ = try context.resolvePath(path, argument: "path") }
    }

    static let all: [any RuntimeCommand] = [
        AdapterSaveCommand(),
        AdapterLoadCommand(),
        PlannedCommand("export gguf", schema: ArgumentSchema([
            .positional("path", .path, "the .gguf file to write"),
            .keyed("merge", .bool, default: "false", "fold the adapter into the weights first"),
        ]), help: CommandHelp("Writes the model as a GGUF file for llama.cpp and friends, optionally with the adapter merged.",
                              examples: ["export gguf \"out/support.gguf\" merge=true"]), missing: missing, check: pathCheck),
        PlannedCommand("export merged", schema: ArgumentSchema([.positional("path", .path, "a folder to write")]),
                       help: CommandHelp("Writes a Hugging Face folder with the adapter merged into the weights.",
                                         examples: ["export merged \"out/merged\""]), missing: missing, check: pathCheck),
        PlannedCommand("export trl", schema: ArgumentSchema([.positional("path", .path, "a folder to write")]),
                       help: CommandHelp("Writes an equivalent TRL training script and config, to train the same thing on a GPU.",
                                         examples: ["export trl \"out/trl\""]), missing: missing, check: pathCheck),
        PlannedCommand("export axolotl", schema: ArgumentSchema([.positional("path", .path, "a folder to write")]),
                       help: CommandHelp("Writes an equivalent Axolotl config.",
                                         examples: ["export axolotl \"out/axolotl\""]), missing: missing, check: pathCheck),
    ]
}
