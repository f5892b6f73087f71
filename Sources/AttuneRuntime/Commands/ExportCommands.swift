/// `adapter save|load` and `export gguf|merged|trl|axolotl` (bound ones live in their own files).
enum ExportCommands {
    static let missing = "writing trained adapters and models lands with the Training module (PEFT adapters, merging)"

    static func pathCheck(_ context: CommandContext) throws {
        if let path = context.arguments.word("path") { _ = try context.resolvePath(path, argument: "path") }
    }

    static let all: [any RuntimeCommand] = [
        AdapterSaveCommand(),
        PlannedCommand("adapter load", schema: ArgumentSchema([.positional("path", .path, "a PEFT adapter folder")]),
                       help: CommandHelp("Loads a LoRA adapter in PEFT format onto the current model.",
                                         examples: ["adapter load \"out/support-lora\""]), missing: missing, check: pathCheck),
        ExportGGUFCommand(),
        ExportMergedCommand(),
        ExportTRLCommand(),
        ExportAxolotlCommand(),
    ]
}
