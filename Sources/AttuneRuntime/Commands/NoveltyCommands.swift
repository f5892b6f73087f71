import AttuneLanguage
import Datasets
import Essentials
import Evaluation
import Foundation

/// `novelty calibrate`, `novelty score`, `novelty load`: how unusual an input is compared with the
/// training data (issue #23 item 4; `attune serve` falls back to the base model on what it flags).
enum NoveltyCommands {
    static let all: [any RuntimeCommand] = [NoveltyCalibrateCommand(), NoveltyScoreCommand(), NoveltyLoadCommand()]

    /// The score's definition, for help texts.
    static let definition = """
        The score of an input is the larger of two percentiles on the calibration set: of the base \
        model's perplexity of the input (its text: a conversation's turns without the system prompt and \
        the final answer, an instruction and its input, a prompt; at most 256 tokens), and of its \
        MinHash distance to the nearest training example (1 − the estimated Jaccard similarity of word \
        3-shingles, as data check and data compare find near copies). A percentile is the share of \
        calibration examples strictly below, so the score runs from 0 to 1 and anything beyond every \
        calibration example on either measure scores 1. An input is novel (out of distribution) when \
        its score exceeds the threshold.
        """

    /// The session's calibration, or an error saying how to make one.
    static func calibration(_ context: CommandContext) throws -> NoveltyCalibration {
        guard let calibration = context.session.novelty else {
            throw CommandError("NoCalibration", "no novelty calibration yet: run `novelty calibrate on=val` (after data split) or `novelty load \"FILE\"`")
        }
        return calibration
    }

    /// `2.2 (range 1.1–9.5)`: the median and range of ascending values.
    static func spread(_ sorted: [Double]) -> String {
        guard let first = sorted.first, let last = sorted.last else { return "none" }
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return "median \(NumberText.significant(median)) (range \(NumberText.significant(first))–\(NumberText.significant(last)))"
    }
}

/// `novelty calibrate [on=val] [reference=train] [rate=5%] [save="PATH"]`.
struct NoveltyCalibrateCommand: RuntimeCommand {
    let spec = CommandSpec(["novelty", "calibrate"], usage: "novelty calibrate [on=val] [reference=train] [rate=5%] [save=\"PATH\"]",
                           summary: "Calibrate the novelty score on held-out data to a stated false-alarm rate.")
    let schema = ArgumentSchema([
        .keyed("on", .path, default: "val", "the held-out calibration examples, from the training distribution: val, test, a slice, or a JSONL file"),
        .keyed("reference", .path, default: "train (all without a split)", "the training examples the distance is measured to: train, all, or a JSONL file"),
        .keyed("rate", .fraction, default: "5%", "the false-alarm rate: the share of in-distribution inputs one accepts to flag"),
        .keyed("save", .path, default: "not saved", "a JSON file to write the calibration to (what attune serve --rollout reads for fallback ood)"),
    ])
    let help = CommandHelp("""
        Calibrates the novelty score: measures the base model's perplexity and the nearest-training \
        distance of every calibration example, and sets the threshold so that at most rate= of them \
        (5% by default) score above it. \(NoveltyCommands.definition) The report gives the threshold, \
        how many calibration examples it flags and that rate's 95% Wilson interval — what to expect of \
        the false-alarm rate on new in-distribution data. The calibration stays in the session for \
        novelty score and eval (which then adds a novelty column), and save= writes it as JSON for \
        attune serve (a rollout's "fallback": "ood threshold=calibrated"). Fields: threshold, flagged, \
        count, rate, lower, upper, target.
        """, examples: ["novelty calibrate on=val", "novelty calibrate on=val rate=10% save=\"out/novelty.json\"",
                        "novelty calibrate on=\"data/heldout.jsonl\" reference=\"data/train.jsonl\""])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let set = try EvaluationSet.resolve(a.word("on") ?? "val", context: context, argument: "on")
        let referenceText = a.word("reference") ?? (context.session.split != nil ? "train" : "all")
        let reference = try EvaluationSet.resolve(referenceText, context: context, argument: "reference")
        let rate = a.number("rate") ?? 0.05
        guard rate > 0, rate < 1 else {
            throw CommandError.invalidValue("rate must be above 0 and below 100%, such as 5% (got \(NumberText.percent(rate)))", at: context.range(of: "rate"))
        }
        let saveURL = try a.word("save").map { try context.resolvePath($0, argument: "save") }
        let index = MinHashIndex(texts: reference.examples.map(NoveltyText.of))
        let measured = try NoveltyMeasurement.measure(set.examples.map(NoveltyText.of), index: index, context: context, label: "calibrating")
        // An example with no text (no perplexity) cannot be calibrated on; leave it out, say so.
        let kept = measured.perplexities.indices.filter { measured.perplexities[$0] != nil }
        guard !kept.isEmpty else {
            throw CommandError.invalidValue("\(set.name) has no example with text to measure", at: context.range(of: "on"))
        }
        let modelName = context.session.model?.name ?? ""
        let calibration: NoveltyCalibration
        do {
            calibration = try NoveltyCalibration(perplexities: kept.map { measured.perplexities[$0]! }, distances: kept.map { measured.distances[$0] },
                                                 falseAlarmTarget: rate, setName: set.name, referenceName: reference.name,
                                                 modelName: modelName, referenceSignatures: index.signatures)
        } catch {
            throw CommandError.invalidValue("\(error)", at: context.command.range)
        }
        if let saveURL, let written = a.word("save") {
            var text = calibration.json.text(.minimal)
            text += "\n"
            do { try AtomicFile.replace(saveURL.path, with: Data(text.utf8)) } catch {
                throw CommandError("WriteError", "cannot write the calibration to \(written): \(error)", at: context.range(of: "save"))
            }
        }
        context.session.novelty = calibration
        var lines = ["novelty calibrated on \(set.name) (\(calibration.count) examples) against \(reference.name) (\(reference.count) examples), \(modelName) without adapter",
                     "  perplexity                  \(NoveltyCommands.spread(calibration.perplexity.sorted))",
                     "  nearest-training distance   \(NoveltyCommands.spread(calibration.distance.sorted))",
                     "  score = max of the two percentiles on \(set.name); novel when score > \(NumberText.significant(calibration.threshold))",
                     "  \(calibration.summary)"]
        if kept.count < set.count { lines.append("  \(set.count - kept.count) example(s) without text left out") }
        if let written = a.word("save") { lines.append("saved to \(written)") }
        context.result(lines.joined(separator: "\n"))
        if calibration.count < 20 {
            context.warn("\(calibration.count) calibration examples are few: the threshold can only flag whole examples (steps of \(NumberText.percent(1 / Double(calibration.count)))), and the interval is wide; calibrate on 100 or more")
        }
        let interval = calibration.interval
        context.returns("novelty calibration", [
            ("threshold", .number(calibration.threshold)), ("flagged", .number(Double(calibration.flagged))),
            ("count", .number(Double(calibration.count))), ("rate", .number(calibration.calibrationRate)),
            ("lower", interval.map { .number($0.lower) } ?? .none), ("upper", interval.map { .number($0.upper) } ?? .none),
            ("target", .number(calibration.falseAlarmTarget)),
        ])
    }
}

/// `novelty score "TEXT"` or `novelty score on=SET [threshold=X]`.
struct NoveltyScoreCommand: RuntimeCommand {
    let spec = CommandSpec(["novelty", "score"], usage: "novelty score \"TEXT\" | on=SET [threshold=X]",
                           summary: "Score how unusual a text or each example of a set is against the calibration.")
    let schema = ArgumentSchema([
        .positional("text", .text, default: "none", required: false, "a text to score, as a user would send it"),
        .keyed("on", .path, default: "none", "a set to score instead: val, test, train, a slice, or a JSONL file"),
        .keyed("threshold", .fraction, default: "the calibrated one", "the score above which an input counts as novel"),
    ])
    let help = CommandHelp("""
        Scores a text, or every example of a set, with the session's novelty calibration (novelty \
        calibrate or novelty load). \(NoveltyCommands.definition) A text gives a record with score, \
        novel, perplexity and distance; a set gives scores (one per example, in order), flagged, count, \
        rate with its 95% Wilson interval (lower, upper) and the most novel examples.
        """, examples: ["novelty score \"What is the capital of France?\"", "n = novelty score on=test",
                        "novelty score on=\"data/serve-log.jsonl\" threshold=0.99"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        let calibration = try NoveltyCommands.calibration(context)
        let threshold = a.number("threshold") ?? calibration.threshold
        let index: MinHashIndex
        do { index = try MinHashIndex(signatures: calibration.referenceSignatures) } catch {
            throw CommandError.invalidValue("the calibration's reference: \(error)", at: context.command.range)
        }
        switch (a.word("text"), a.word("on")) {
        case (let text?, nil):
            let measured = try NoveltyMeasurement.measure([text], index: index, context: context)
            let score = measured.scores(calibration)[0]
            let novel = calibration.isNovel(score, threshold: threshold)
            let perplexity = measured.perplexities[0]
            context.result("novelty \(NumberText.significant(score)) (\(novel ? "novel: above" : "within") threshold \(NumberText.significant(threshold))) · "
                           + "perplexity \(perplexity.map { NumberText.significant($0) } ?? "none") · nearest-training distance \(NumberText.significant(measured.distances[0]))")
            context.returns("novelty score", [
                ("score", .number(score)), ("novel", .bool(novel)), ("perplexity", perplexity.map { .number($0) } ?? .none),
                ("distance", .number(measured.distances[0])), ("threshold", .number(threshold)),
            ])
        case (nil, let on?):
            let set = try EvaluationSet.resolve(on, context: context, argument: "on")
            let column = try NoveltyColumn(set, calibration: calibration, index: index, threshold: threshold, context: context)
            context.result(column.text)
            context.returns("novelty scores", column.fields)
        case (_?, _?):
            throw CommandError.invalidValue("give a text or on=SET, not both", at: context.range(of: "on"))
        case (nil, nil):
            throw CommandError.invalidValue("give a text to score (novelty score \"How do I reset my password?\") or a set (novelty score on=test)",
                                            at: context.command.range)
        }
    }
}

/// `novelty load "PATH"`: a calibration saved by `novelty calibrate … save=`.
struct NoveltyLoadCommand: RuntimeCommand {
    let spec = CommandSpec(["novelty", "load"], usage: "novelty load PATH",
                           summary: "Use a novelty calibration saved by novelty calibrate save=.")
    let schema = ArgumentSchema([.positional("path", .path, "a calibration JSON file written by novelty calibrate … save=")])
    let help = CommandHelp("""
        Makes a calibration saved with novelty calibrate … save= the session's, for novelty score and \
        eval. The file holds the calibration set's perplexities and distances, the threshold and the \
        training set's MinHash signatures; its perplexities are only comparable when the same base \
        model is loaded (a different one is warned about).
        """, examples: ["novelty load \"out/novelty.json\""])

    func run(_ context: CommandContext) throws {
        guard let written = context.arguments.word("path") else { return }
        let url = try context.resolvePath(written, argument: "path")
        let data: Data
        do { data = try RegularFile.read(url.path, limit: 256 << 20) } catch {
            throw CommandError.notFound("cannot read \(written): \(error)", at: context.range(of: "path"))
        }
        let calibration: NoveltyCalibration
        do { calibration = try NoveltyCalibration(json: String(decoding: data, as: UTF8.self)) } catch {
            throw CommandError.invalidValue("\(written): \(error)", at: context.range(of: "path"))
        }
        do { _ = try MinHashIndex(signatures: calibration.referenceSignatures) } catch {
            throw CommandError.invalidValue("\(written): 'reference_signatures': \(error)", at: context.range(of: "path"))
        }
        context.session.novelty = calibration
        context.result("novelty calibration from \(written): \(calibration.setName) against \(calibration.referenceName) "
                       + "(\(calibration.referenceSignatures.count) reference examples), \(calibration.modelName) · \(calibration.summary)")
        if let model = context.session.model?.name, model != calibration.modelName {
            context.warn("the calibration was measured with \(calibration.modelName), but \(model) is loaded: its perplexities are not comparable; calibrate again")
        }
    }
}
