/// The `data` commands: planned until the Datasets module lands. Their arguments are checked now.
enum DataCommands {
    static let missing = "the Datasets module (JSONL formats, checks, deduplication, splits) has not landed yet"

    static let all: [any RuntimeCommand] = [
        PlannedCommand("data load", schema: ArgumentSchema([
            .positional("path", .path, "a JSONL file"),
            .keyed("format", .choice(["chat", "instruction", "completion", "text"]), default: "detected", "the record format"),
            .keyed("mode", .choice(["strict", "lenient"]), default: "strict", "strict stops at the first bad line; lenient skips bad lines and reports them"),
        ]), help: CommandHelp("""
            Loads a JSONL dataset: chat ({"messages": [...]}), instruction ({"instruction", "input", "output"}), \
            completion ({"prompt", "completion"}) or text ({"text"}), detected from the first records unless \
            format= says. The file's SHA-256 goes into the notebook's front matter.
            """, examples: ["data load \"data/support.jsonl\"", "data load \"data/notes.jsonl\" format=text mode=lenient"]),
            missing: missing, check: { context in
                if let path = context.arguments.word("path") { _ = try context.resolvePath(path, argument: "path") }
            }),
        PlannedCommand("data check", schema: ArgumentSchema([
            .keyed("goal", .choice(["style", "task", "domain", "behaviour"]), default: "task", "what the fine-tune is for; it decides which checks matter"),
        ]), help: CommandHelp("""
            Runs the guide's data checklist with counts and line numbers: formats, empty or overlong \
            examples, exact and near duplicates, personal data, label and role balance, and the length \
            distribution against seq.
            """, examples: ["data check", "data check goal=style"]), missing: missing),
        PlannedCommand("data split", schema: ArgumentSchema([
            .keyed("train", .fraction, required: true, "share for training"),
            .keyed("val", .fraction, required: true, "share for validation"),
            .keyed("test", .fraction, default: "0", "share held out for the final test"),
            .keyed("seed", .integer(.nonNegative), default: "the session seed", "seed for the shuffle"),
        ]), help: CommandHelp("""
            Shuffles and splits the dataset; the guide suggests 90/10 or 80/20. The shares must add up to 1.
            """, examples: ["data split train=0.9 val=0.1 seed=42", "data split train=80% val=10% test=10%"]),
            missing: missing, check: { context in
                let a = context.arguments
                let sum = (a.number("train") ?? 0) + (a.number("val") ?? 0) + (a.number("test") ?? 0)
                if abs(sum - 1) > 1e-9 {
                    throw CommandError.invalidValue("the shares add up to \(NumberText.short((sum * 1e6).rounded() / 1e6)), not 1", at: context.command.range)
                }
            }),
        PlannedCommand("data show", schema: ArgumentSchema([
            .positional("n", .integer(.nonNegative), "the example's number, from 0"),
        ]), help: CommandHelp("Shows one example rendered with the chat template, with the tokens that count in the loss marked.",
                              examples: ["data show 0"]), missing: missing),
        PlannedCommand("data dedup", help: CommandHelp("Removes exact and near-duplicate examples and says how many went.",
                                                      examples: ["data dedup"]), missing: missing),
        PlannedCommand("data redact", help: CommandHelp("Masks emails, phone numbers, keys and similar personal data in the examples.",
                                                       examples: ["data redact"]), missing: missing),
    ]
}

import Foundation
