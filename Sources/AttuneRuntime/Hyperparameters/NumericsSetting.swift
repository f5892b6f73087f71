import TensorCore

/// The `numerics` key's help (`set numerics=reproducible|fast`): the session's value is the process-wide
/// `Numerics.mode`, switched the moment the value changes (see `Session.hyperparameters`).
enum NumericsSetting {

    /// What `?numerics` prints after the key's sentence: each mode, and where a session's mode
    /// comes from (the same text on every machine, so a recorded `?numerics` verifies anywhere).
    static let helpLines: [String] =
        NumericsMode.allCases.map { $0.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + $0.summary } + [
        "starts as    the mode in \(Numerics.environmentVariable) when the process started (reproducible when unset or invalid)",
        "notebooks    record the mode they start in; replay and verify run in it (fast when a notebook does not say)",
        "doctor       `attune doctor` shows this machine's kernels, threads and both GEMMs' speed",
    ]
}
