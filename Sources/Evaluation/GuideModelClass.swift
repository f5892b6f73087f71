import Essentials

/// The model size the guide's hyperparameter advice is written for, and how a model compares.
///
/// The guide states its learning-rate ranges (``FineTuningMethod/learningRateRange``) for
/// 7B-class models. The rate a model trains well at depends on its width and depth, so for a
/// model far from that size a rate outside the range is a reason to watch the loss, not proof of
/// a problem (the quickstart's 135M model trains cleanly at 1e-3, over three times LoRA's top).
/// "7B-class" here means 3B to 15B parameters: within about a factor of two of 7B.
public enum GuideModelClass {
    /// The parameter counts the guide's ranges are stated for (3e9…15e9).
    public static let parameterRange: ClosedRange<Double> = 3e9...15e9

    /// Whether a model of `parameterCount` parameters is in the class the guide's ranges are for.
    public static func contains(_ parameterCount: Int) -> Bool {
        parameterRange.contains(Double(parameterCount))
    }

    /// The size as people say it: "109K", "135M", "1.7B", "7.2B" (three significant digits at
    /// most, trailing zeros dropped).
    public static func sizeText(_ parameterCount: Int) -> String {
        let n = Double(parameterCount)
        let (value, unit): (Double, String) = n >= 1e9 ? (n / 1e9, "B") : n >= 1e6 ? (n / 1e6, "M") : n >= 1e3 ? (n / 1e3, "K") : (n, "")
        return NumberText.significant(value, digits: 3) + unit
    }
}
