import Datasets
import Essentials
import Evaluation
import Foundation

/// `fallback ood threshold=calibrated|X` in a rollout: a request whose novelty score is above the
/// threshold is answered by the base model instead of the primary or candidate adapter (role
/// `fallback` in the log and `/metrics`). The score is `NoveltyCalibration`'s: the larger of the
/// percentiles, on the calibration set, of the base model's perplexity of the request's text and
/// of its MinHash distance to the nearest training example; `calibrated` uses the threshold set
/// for the calibration's false-alarm rate, a number (0…1) another one.
public struct OutOfDistributionFallback: Sendable, Equatable {
    public var calibration: NoveltyCalibration
    /// The written threshold: nil for `calibrated`.
    public var fixedThreshold: Double?
    /// The training examples' signatures, for the distance.
    let index: MinHashIndex

    public init(calibration: NoveltyCalibration, threshold fixed: Double? = nil) throws {
        if let fixed, !(0...1).contains(fixed) {
            throw RolloutError("fallback ood: the threshold is a novelty score between 0 and 1 (or calibrated), got \(fixed)")
        }
        do { index = try MinHashIndex(signatures: calibration.referenceSignatures) } catch {
            throw RolloutError("the novelty calibration's reference_signatures: \(error)")
        }
        self.calibration = calibration
        fixedThreshold = fixed
    }

    /// The threshold in force.
    public var threshold: Double { fixedThreshold ?? calibration.threshold }

    /// Reads `ood`, `ood threshold=calibrated` or `ood threshold=0.99` (nil threshold: calibrated).
    public static func threshold(parsing text: String) throws -> Double? {
        let form = "write the fallback as \"ood threshold=calibrated\" or \"ood threshold=0.99\" (a novelty score between 0 and 1)"
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = words.first, first.lowercased() == "ood", words.count <= 2 else {
            throw RolloutError("fallback '\(text)': \(form)")
        }
        guard words.count == 2 else { return nil }
        let parts = words[1].split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0].lowercased() == "threshold" else { throw RolloutError("fallback '\(text)': \(form)") }
        if parts[1].lowercased() == "calibrated" { return nil }
        guard let value = Double(parts[1]), value.isFinite, (0...1).contains(value) else {
            throw RolloutError("fallback '\(text)': the threshold '\(parts[1])' is not calibrated or a number between 0 and 1")
        }
        return value
    }

    /// Reads a calibration file written by `novelty calibrate … save=PATH`.
    public static func readCalibration(path: String) throws -> NoveltyCalibration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RolloutError("cannot read the novelty calibration \(path): write one with novelty calibrate on=val save=\"\(path)\"")
        }
        do { return try NoveltyCalibration(json: String(decoding: data, as: UTF8.self)) } catch {
            throw RolloutError("novelty calibration \(path): \(error)")
        }
    }

    /// The text scored for a request: its turns without system prompts (`NoveltyText`), or a completion's prompt.
    static func text(of input: GenerationRequest.Input) -> String {
        switch input {
        case .chat(let turns): return NoveltyText.of(messages: turns.map { ($0.role, $0.content) })
        case .text(let prompt): return prompt
        }
    }

    /// The score of a request's text given the base model's perplexity of it.
    func score(text: String, perplexity: Double?) -> Double {
        calibration.score(perplexity: perplexity, distance: index.distance(to: text))
    }

    /// `ood threshold=calibrated (0.95)` / `ood threshold=0.99`.
    public var description: String {
        fixedThreshold.map { "ood threshold=\(JSONValue.numberText($0))" } ?? "ood threshold=calibrated (\(JSONValue.numberText(calibration.threshold)))"
    }

    public static func == (a: Self, b: Self) -> Bool { a.calibration == b.calibration && a.fixedThreshold == b.fixedThreshold }
}
