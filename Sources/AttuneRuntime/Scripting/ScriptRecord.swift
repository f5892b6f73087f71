import AttuneLanguage

/// A record: named fields in order (`{lr: 2e-4, steps: 20}`, or what a command returned, such as
/// `r = train steps=20` giving `r.loss`, `r.val_loss`, `r.losses`).
///
/// A command's record also keeps where it came from (`origin`): the statement and what it
/// printed (`show r` prints it again) and, for `eval`, the evaluation `compare` reads.
public struct ScriptRecord: Sendable {
    /// The kind of a record written as a literal.
    public static let plainKind = "record"

    /// "record", "train result", "eval result", …
    public var kind: String
    public private(set) var names: [String]
    public private(set) var values: [ScriptValue]
    public var origin: CommandResult?

    public init(kind: String = ScriptRecord.plainKind, fields: [(String, ScriptValue)] = [], origin: CommandResult? = nil) {
        self.kind = kind
        names = fields.map(\.0)
        values = fields.map(\.1)
        self.origin = origin
    }

    public subscript(name: String) -> ScriptValue? {
        names.firstIndex(of: name).map { values[$0] }
    }

    /// Sets a field, adding it at the end when new.
    public mutating func set(_ name: String, _ value: ScriptValue) {
        if let index = names.firstIndex(of: name) {
            values[index] = value
        } else {
            names.append(name)
            values.append(value)
        }
    }
}

/// Where a command's record came from: the statement, what it printed, and what else a later
/// command may need from it (the evaluation of `base = eval`, which `compare base tuned` reads).
public final class CommandResult: @unchecked Sendable {
    /// The statement as written: `base = eval`.
    public let statement: String
    public let output: CommandOutput
    public let evaluation: EvaluationResult?

    init(statement: String, output: CommandOutput, evaluation: EvaluationResult?) {
        self.statement = statement
        self.output = output
        self.evaluation = evaluation
    }
}
