import Essentials
import Foundation

/// The metrics of one logged training step (and, every N steps, of one validation pass).
///
/// Every field but `step` is optional: a step logs what it measured. Encoded as one JSON object
/// with snake_case keys — the notebook's `output metrics` lines — in a fixed key order:
/// `step loss smoothed_loss lr grad_norm tokens_per_s trained_tokens token_accuracy rss epoch
/// elapsed val_loss val_ppl val_accuracy`, then `extra` keys sorted. Non-finite numbers are
/// written as the strings `"nan"`, `"inf"`, `"-inf"` (JSON has no NaN) and read back as numbers.
public struct MetricRecord: Sendable, Equatable, Codable {
    /// Optimizer step (1-based for the first update).
    public var step: Int
    /// Training loss of this step (mean token cross-entropy, nats).
    public var loss: Double?
    /// Exponential moving average of `loss` (see `ExponentialMovingAverage`).
    public var smoothedLoss: Double?
    /// Learning rate used for this step.
    public var lr: Double?
    /// Global gradient L2 norm before clipping.
    public var gradNorm: Double?
    /// Training throughput in tokens per second (volatile: skipped by verification).
    public var tokensPerSecond: Double?
    /// Tokens trained on so far (loss-bearing tokens).
    public var trainedTokens: Int?
    /// Fraction of target tokens whose argmax prediction was right, this step.
    public var tokenAccuracy: Double?
    /// Resident set size of the process, bytes.
    public var rss: Int?
    /// Fractional epoch (1.5 = halfway through the second epoch).
    public var epoch: Double?
    /// Seconds since the run started.
    public var elapsed: Double?
    /// Validation loss (mean token cross-entropy over the validation split).
    public var valLoss: Double?
    /// Validation perplexity, `exp(val_loss)`.
    public var valPerplexity: Double?
    /// Validation token accuracy.
    public var valAccuracy: Double?
    /// Further named metrics (custom series).
    public var extra: [String: Double]

    public init(step: Int, loss: Double? = nil, smoothedLoss: Double? = nil, lr: Double? = nil,
                gradNorm: Double? = nil, tokensPerSecond: Double? = nil, trainedTokens: Int? = nil,
                tokenAccuracy: Double? = nil, rss: Int? = nil, epoch: Double? = nil, elapsed: Double? = nil,
                valLoss: Double? = nil, valPerplexity: Double? = nil, valAccuracy: Double? = nil,
                extra: [String: Double] = [:]) {
        self.step = step
        self.loss = loss
        self.smoothedLoss = smoothedLoss
        self.lr = lr
        self.gradNorm = gradNorm
        self.tokensPerSecond = tokensPerSecond
        self.trainedTokens = trainedTokens
        self.tokenAccuracy = tokenAccuracy
        self.rss = rss
        self.epoch = epoch
        self.elapsed = elapsed
        self.valLoss = valLoss
        self.valPerplexity = valPerplexity
        self.valAccuracy = valAccuracy
        self.extra = extra
    }

    /// The standard metric names, in encoding order (`step` first).
    public static let standardNames: [String] = [
        "step", "loss", "smoothed_loss", "lr", "grad_norm", "tokens_per_s", "trained_tokens",
        "token_accuracy", "rss", "epoch", "elapsed", "val_loss", "val_ppl", "val_accuracy",
    ]

    /// Accepted alternative spellings of metric names (as typed in `plot`).
    public static let aliases: [String: String] = [
        "smoothed": "smoothed_loss", "learning_rate": "lr", "gradnorm": "grad_norm",
        "tokens_per_second": "tokens_per_s", "tok_s": "tokens_per_s", "accuracy": "token_accuracy",
        "val_perplexity": "val_ppl", "perplexity": "val_ppl", "ppl": "val_ppl", "val_acc": "val_accuracy",
    ]

    /// True when this record carries a validation measurement.
    public var hasValidation: Bool { valLoss != nil }

    /// The value of a metric by name (standard name, alias, or `extra` key); nil when absent.
    public func value(of name: String) -> Double? {
        let key = Self.aliases[name] ?? name
        switch key {
        case "step": return Double(step)
        case "loss": return loss
        case "smoothed_loss": return smoothedLoss
        case "lr": return lr
        case "grad_norm": return gradNorm
        case "tokens_per_s": return tokensPerSecond
        case "trained_tokens": return trainedTokens.map(Double.init)
        case "token_accuracy": return tokenAccuracy
        case "rss": return rss.map(Double.init)
        case "epoch": return epoch
        case "elapsed": return elapsed
        case "val_loss": return valLoss
        case "val_ppl": return valPerplexity
        case "val_accuracy": return valAccuracy
        default: return extra[key]
        }
    }

    // MARK: Codable

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        func number(_ name: String) throws -> Double? {
            let key = Key(name)
            guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
            if let text = try? container.decode(String.self, forKey: key) {
                switch text.lowercased() {
                case "nan": return .nan
                case "inf", "+inf", "infinity": return .infinity
                case "-inf", "-infinity": return -.infinity
                default:
                    throw DecodingError.dataCorruptedError(forKey: key, in: container,
                                                           debugDescription: "'\(name)' is not a number: \(text)")
                }
            }
            return try container.decode(Double.self, forKey: key)
        }
        func integer(_ name: String) throws -> Int? {
            guard let value = try number(name) else { return nil }
            guard value.isFinite, value == value.rounded() else {
                throw DecodingError.dataCorruptedError(forKey: Key(name), in: container,
                                                       debugDescription: "'\(name)' must be a whole number")
            }
            return Int(value)
        }
        guard let step = try integer("step") else {
            throw DecodingError.keyNotFound(Key("step"), .init(codingPath: decoder.codingPath,
                                                               debugDescription: "a metrics line needs a step"))
        }
        self.step = step
        loss = try number("loss")
        smoothedLoss = try number("smoothed_loss")
        lr = try number("lr")
        gradNorm = try number("grad_norm")
        tokensPerSecond = try number("tokens_per_s")
        trainedTokens = try integer("trained_tokens")
        tokenAccuracy = try number("token_accuracy")
        rss = try integer("rss")
        epoch = try number("epoch")
        elapsed = try number("elapsed")
        valLoss = try number("val_loss")
        valPerplexity = try number("val_ppl")
        valAccuracy = try number("val_accuracy")
        var extra: [String: Double] = [:]
        for key in container.allKeys where !Self.standardNames.contains(key.stringValue) {
            if let value = try? number(key.stringValue) { extra[key.stringValue] = value }
        }
        self.extra = extra
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in orderedFields() {
            switch value {
            case .integer(let n): try container.encode(n, forKey: Key(name))
            case .real(let x):
                if x.isFinite { try container.encode(x, forKey: Key(name)) }
                else { try container.encode(NumberText.significant(x), forKey: Key(name)) }
            }
        }
    }

    enum FieldValue { case integer(Int), real(Double) }

    /// Present fields in encoding order.
    func orderedFields() -> [(String, FieldValue)] {
        var fields: [(String, FieldValue)] = [("step", .integer(step))]
        func add(_ name: String, _ value: Double?) { if let value { fields.append((name, .real(value))) } }
        func add(_ name: String, _ value: Int?) { if let value { fields.append((name, .integer(value))) } }
        add("loss", loss)
        add("smoothed_loss", smoothedLoss)
        add("lr", lr)
        add("grad_norm", gradNorm)
        add("tokens_per_s", tokensPerSecond)
        add("trained_tokens", trainedTokens)
        add("token_accuracy", tokenAccuracy)
        add("rss", rss)
        add("epoch", epoch)
        add("elapsed", elapsed)
        add("val_loss", valLoss)
        add("val_ppl", valPerplexity)
        add("val_accuracy", valAccuracy)
        for key in extra.keys.sorted() where !Self.standardNames.contains(key) { add(key, extra[key]) }
        return fields
    }
}
