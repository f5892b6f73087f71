/// Mistakes in how the public tensor API is called with user-supplied data. Each message names the
/// shapes or values involved.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(operation: String, lhs: [Int], rhs: [Int])
    case valueCount(expected: Int, got: Int, shape: [Int])
    case invalidShape([Int])
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, lhs, rhs): "\(op): shapes \(lhs) and \(rhs) do not match"
        case let .valueCount(expected, got, shape): "shape \(shape) holds \(expected) values, got \(got)"
        case let .invalidShape(shape): "invalid shape \(shape): every dimension must be positive"
        case let .invalidArgument(message): message
        }
    }
}
