/// `adapter save|load` and `export gguf|merged|trl|axolotl` (bound ones live in their own files).
enum ExportCommands {
    static let all: [any RuntimeCommand] = [
        AdapterSaveCommand(),
        AdapterLoadCommand(),
        ExportGGUFCommand(),
        ExportMergedCommand(),
        ExportTRLCommand(),
        ExportAxolotlCommand(),
    ]
}
