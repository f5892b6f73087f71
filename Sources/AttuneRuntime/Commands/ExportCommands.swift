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
        ExportTRLCommand(),
        ExportAxolotlCommand(),
    ]
}
