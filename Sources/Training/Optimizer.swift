/// An update rule over a flat trainable buffer and its gradient buffer.
public protocol Optimizer: AnyObject {
    /// The learning rate of the next step (a schedule sets it before every step).
    var learningRate: Double { get set }
    /// Steps taken so far.
    var stepCount: Int { get }
    /// Updates `parameters.values` from `parameters.gradients` in place.
    func step(_ parameters: TrainableParameters)
}
