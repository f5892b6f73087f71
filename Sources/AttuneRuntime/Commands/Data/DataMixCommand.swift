import AttuneLanguage
import Datasets
import Essentials
import Foundation

/// `data mix PATH share=15% [seed=]`: a second data set mixed into the loaded one for training
/// (see ``DataMixture``): general data against catastrophic forgetting.
struct DataMixCommand: RuntimeCommand {
    let spec = StandardSpec.named("data mix")
    let schema = ArgumentSchema([
        .positional("path", .path, "a JSONL file to mix in (e.g. general instructions)"),
        .keyed("share", .fraction, required: true, "the share of the mixture the mixed-in examples make up (15% or 0.15), more than 0 and less than 100%"),
        .keyed("seed", .integer(.nonNegative), default: "the session seed", "seed for choosing the mixed-in examples"),
    ])
    let help = CommandHelp("""
        Mixes examples of a second JSONL file into the loaded data, so that they make up share= of the \
        training mixture: with n loaded examples, round(n·share/(1−share)) examples of the file, chosen by a \
        seeded shuffle (the same seed picks the same ones). The guide's remedy for catastrophic forgetting is \
        to mix 10–20% general data back in. The result lists both files with their counts, shares and the \
        first 12 hex digits of their SHA-256; a recorded session notes both files and their hashes in the \
        notebook's front matter. data check then checks each file on its own, data split splits each file \
        with the same shares (the loaded file's parts stay those it gets unmixed), and train trains on the \
        mixture. A second data mix replaces the first; data load starts over without one. Mixing ends the \
        current run and drops the split, like data load.
        """, examples: ["data mix \"data/general-mix.jsonl\" share=15%", "data mix \"data/general.jsonl\" share=0.1 seed=7"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        guard let path = a.word("path"), let share = a.number("share") else { return }
        guard share > 0, share < 1 else {
            throw CommandError.invalidValue("share must be more than 0% and less than 100% of the mixture (got \(NumberText.percent(share))); the guide mixes in 10–20%",
                                            at: context.range(of: "share"))
        }
        let session = context.session
        guard let loaded = session.dataset, let loadedURL = session.dataPath else {
            throw CommandError("NoData", "`data mix` adds a second data set to the loaded one, and none is loaded: load the main data first with `data load \"PATH\"`, then mix")
        }
        let url = try context.resolvePath(path, argument: "path")
        if url.standardizedFileURL.resolvingSymlinksInPath() == loadedURL.standardizedFileURL.resolvingSymlinksInPath() {
            throw CommandError.invalidValue("\(DataCommands.displayPath(url, context)) is the loaded data itself: mix in a different file", at: context.range(of: "path"))
        }
        let added = try DataCommands.read(url, format: nil, mode: .strict, command: "data mix", context: context, at: context.range(of: "path"))
        let seed = a.integer("seed").map { UInt64($0) } ?? session.seed
        let mixture: Dataset
        do { mixture = try DataMixture.mix(loaded, with: added, share: share, seed: seed) } catch {
            throw DataCommands.commandError(error, context: context, at: context.range(of: "share"))
        }
        let replaced = loaded.mixedPaths.first.map { Dataset.sourceFileName($0) }
        let own = mixture.indices(ofSource: 0).count, mixed = mixture.count - own
        let hashes = [DataCommands.sha256(loadedURL), DataCommands.sha256(url)]
        let names = [DataCommands.displayPath(loadedURL, context), DataCommands.displayPath(url, context)]
        let width = names.map(\.count).max() ?? 0
        let countWidth = String(mixture.count).count
        var lines = ["mixture of \(mixture.count) examples (seed \(seed)):"]
        for (index, name) in names.enumerated() {
            let count = index == 0 ? own : mixed
            var line = "  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + String(repeating: " ", count: max(0, countWidth - String(count).count)) + "\(count)  "
                + NumberText.percent(DataMixture.actualShare(loaded: index == 0 ? mixed : own, added: count))
            if let hash = hashes[index] { line += "  sha256 \(hash.prefix(12))" }
            if index == 1 { line += "  (\(mixed) of its \(added.count) \(added.format) examples)" }
            lines.append(line)
        }
        if let replaced { lines.append("(replaces the mix of \(replaced))") }
        let copies = DatasetComparison.findLeaks(mixture.examples.filter { $0.source == 0 }, mixture.examples.filter { $0.source == 1 },
                                                 nearThreshold: TrainingOverlap.nearThreshold)
        session.dataset = mixture
        session.split = nil
        DataCommands.dropTraining(session)
        context.result(lines.joined(separator: "\n"))
        if !copies.isEmpty {
            context.warn("\(copies.count) of the \(mixed) mixed-in examples copy a loaded example (exact, same prompt or near): they weigh that example twice")
        }
        for (index, hash) in hashes.enumerated() {
            if let hash { session.dataFileObserver?(index == 0 ? loadedURL : url, hash) }
        }
        context.returns("data mix result", [
            ("examples", .number(Double(mixture.count))), ("loaded", .number(Double(own))), ("mixed", .number(Double(mixed))),
            ("share", .number(DataMixture.actualShare(loaded: own, added: mixed))), ("seed", .number(Double(seed))),
        ])
    }
}
