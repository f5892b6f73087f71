/// Element-wise kernels: sums, products and scaling, with the one broadcast a transformer needs
/// (a vector `[C]` repeated over the rows of `[N, C]`).
public enum ElementwiseKernel {
    /// `y[i] = a[i] + b[i % bCount]` (bCount = count for same shape, C for a row broadcast).
    @inlinable
    public static func addForward<T: KernelScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                   count: Int, bCount: Int) {
        precondition(bCount > 0 && count % bCount == 0, "add: \(count) elements do not repeat a \(bCount)-element operand")
        if bCount == count {
            for i in 0..<count { y[i] = a[i] + b[i] }
            return
        }
        for row in stride(from: 0, to: count, by: bCount) {
            for j in 0..<bCount { y[row + j] = a[row + j] + b[j] }
        }
    }

    /// `da[i] += dy[i]`, `db[i % bCount] += dy[i]`.
    @inlinable
    public static func addBackward<T: KernelScalar>(_ dy: UnsafePointer<T>, da: UnsafeMutablePointer<T>?, db: UnsafeMutablePointer<T>?,
                                                    count: Int, bCount: Int) {
        if let da { for i in 0..<count { da[i] += dy[i] } }
        if let db {
            for row in stride(from: 0, to: count, by: bCount) {
                for j in 0..<bCount { db[j] += dy[row + j] }
            }
        }
    }

    /// `y[i] = a[i] · b[i % bCount]`.
    @inlinable
    public static func mulForward<T: KernelScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                   count: Int, bCount: Int) {
        precondition(bCount > 0 && count % bCount == 0, "mul: \(count) elements do not repeat a \(bCount)-element operand")
        for i in 0..<count { y[i] = a[i] * b[i % bCount] }
    }

    /// `da[i] += dy[i]·b[i % bCount]`, `db[i % bCount] += dy[i]·a[i]`.
    @inlinable
    public static func mulBackward<T: KernelScalar>(_ dy: UnsafePointer<T>, a: UnsafePointer<T>, b: UnsafePointer<T>,
                                                    da: UnsafeMutablePointer<T>?, db: UnsafeMutablePointer<T>?,
                                                    count: Int, bCount: Int) {
        if let da { for i in 0..<count { da[i] += dy[i] * b[i % bCount] } }
        if let db { for i in 0..<count { db[i % bCount] += dy[i] * a[i] } }
    }

    /// `y[i] = s · x[i]`.
    @inlinable
    public static func scaleForward<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int, scale s: T) {
        for i in 0..<count { y[i] = s * x[i] }
    }

    /// `dx[i] += s · dy[i]`.
    @inlinable
    public static func scaleBackward<T: KernelScalar>(_ dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, count: Int, scale s: T) {
        for i in 0..<count { dx[i] += s * dy[i] }
    }
}
