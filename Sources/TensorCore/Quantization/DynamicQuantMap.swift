/// The 256-value signed "dynamic" 8-bit code of bitsandbytes (`create_dynamic_map(signed=True)`,
/// 7 exponent bits), used to quantize NF4 absmax values (double quantization).
///
/// Construction, for i = 0…6 (exponent 10^(i−6)):
/// ```
/// b      = linspace(0.1, 1, 2^i + 1)                       (float32)
/// mean_k = (b[k] + b[k+1]) / 2                             (2^i values, float32)
/// code  += ±Float(10^(i−6)) · mean_k                       (float32 product)
/// ```
/// plus 0 and 1.0: 127 positive, 127 negative, 0, 1 = 256 values, sorted ascending, range
/// [−0.99296874, 1.0]. The float32 `linspace` is PyTorch's CPU kernel: `step = (1 − 0.1f) /
/// (n − 1)` in float32, the first half `0.1f + step·k` and the second half `1 − step·(n−1−k)`,
/// each with a single rounding (as a fused multiply-add computes it). That reproduces the
/// `dq_nested_code` tensor bitsandbytes 0.50 wrote bit for bit; a plain float32 multiply then
/// add differs in the last bit of 22 entries.
public enum DynamicQuantMap {
    /// The signed dynamic map, 256 ascending values.
    public static let signed: [Float] = {
        let scales: [Double] = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]
        var data: [Float] = []
        for i in 0..<7 {
            let b = linspace(0.1, 1, count: (1 << i) + 1)
            let s = Float(scales[i])
            for k in 0..<(b.count - 1) {
                let mean = (b[k] + b[k + 1]) / 2
                data.append(s * mean)
                data.append(-(s * mean))
            }
        }
        data.append(0)
        data.append(1)
        return data.sorted()
    }()

    /// PyTorch's float32 `linspace(start, end, count)` (symmetric halves, one rounding each).
    static func linspace(_ start: Float, _ end: Float, count n: Int) -> [Float] {
        let step = (end - start) / Float(n - 1)
        return (0..<n).map { k in
            k < n / 2 ? start.addingProduct(step, Float(k)) : end.addingProduct(-step, Float(n - 1 - k))
        }
    }
}
