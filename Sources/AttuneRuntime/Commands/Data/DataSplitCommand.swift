import AttuneLanguage
import Datasets

/// `data split train= val= [test=] [seed=]`: a seeded split of the loaded set.
struct DataSplitCommand: RuntimeCommand {
    let spec = StandardSpec.named("data split")
    let schema = ArgumentSchema([
        .keyed("train", .fraction, required: true, "share for training"),
        .keyed("val", .fraction, required: true, "share for validation"),
        .keyed("test", .fraction, default: "0", "share held out for the final test"),
        .keyed("seed", .integer(.nonNegative), default: "the session seed", "seed for the shuffle"),
    ])
    let help = CommandHelp("""
        Shuffles and splits the dataset; the guide suggests 90/10 or 80/20. The shares must add up to 1. \
        The same seed gives the same split. Exact and near duplicates stay together in one part, so \
        validation never scores a memorised copy; when the examples have labels (a category or label \
        field, a label in a JSON output, or short outputs), each label is split in the same \
        proportions. Shows the size of each part, the labels per part and any duplicate group that \
        crosses parts. train trains on the train part and measures the validation loss on the val \
        part (the test part is left alone); a new split ends the current run, so the next train starts \
        over with new batches. After data mix, each file of the mixture is split on its own with the same \
        shares and seed: the loaded file's parts are exactly those it gets without the mixture, so its \
        validation examples stay the same, and the mixed-in file keeps its share in every part.
        """, examples: ["data split train=0.9 val=0.1 seed=42", "data split train=80% val=10% test=10%"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let train = a.number("train") ?? 0, validation = a.number("val") ?? 0, test = a.number("test") ?? 0
        let sum = train + validation + test
        if abs(sum - 1) > 1e-9 {
            throw CommandError.invalidValue("the shares add up to \(NumberText.short((sum * 1e6).rounded() / 1e6)), not 1", at: context.command.range)
        }
        guard train > 0 else { throw CommandError.invalidValue("train must be more than 0: nothing would be left to train on", at: context.range(of: "train")) }
        let dataset = try DataCommands.dataset(context)
        let seed = a.integer("seed").map { UInt64($0) } ?? context.session.seed
        let split: DatasetSplit
        var bySource = [DatasetSplit]()
        do {
            let ratios = try SplitRatios(train: train, validation: validation, test: test)
            let splitter = DatasetSplitter(ratios: ratios, seed: seed, stratify: false, keepDuplicatesTogether: true)
            let labelled = { (part: Dataset) in LabelExtraction.labels(for: part.examples).source != .none }
            if dataset.sourceCount > 1 {
                let perSource = try splitter.splitPerSource(dataset, stratify: labelled)
                split = perSource.split
                bySource = perSource.bySource
            } else {
                var stratified = splitter
                stratified.stratify = labelled(dataset)
                split = try stratified.split(dataset)
            }
        } catch {
            throw DataCommands.commandError(error, context: context, at: context.command.range)
        }
        let parts = [("train", split.train.count), ("validation", split.validation.count), ("test", split.test.count)]
        var lines = [String]()
        if bySource.isEmpty {
            lines.append("\(dataset.fileName): " + split.summary)
        } else {
            // A mixture: each file split on its own, so the loaded file's parts are the unmixed split's.
            lines.append("mixture: " + split.summary + ", each file split on its own")
            let names = (0..<dataset.sourceCount).map { dataset.path(ofSource: $0).split(separator: "/").last.map(String.init) ?? "" }
            let width = names.map(\.count).max() ?? 0
            for (name, part) in zip(names, bySource) {
                lines.append("  " + name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + part.summary)
            }
        }
        if !split.labelCounts.isEmpty {
            for (name, count) in parts where count > 0 {
                guard let labels = split.labelCounts[name] else { continue }
                let text = labels.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                lines.append("  " + name.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + text)
            }
        }
        if validation > 0, split.validation.isEmpty {
            context.warn("the validation part is empty: \(dataset.count) examples are too few for val=\(NumberText.short(validation))")
        }
        if test > 0, split.test.isEmpty {
            context.warn("the test part is empty: \(dataset.count) examples are too few for test=\(NumberText.short(test))")
        }
        context.session.split = split
        DataCommands.dropTraining(context.session)
        context.result(lines.joined(separator: "\n"))
    }
}
