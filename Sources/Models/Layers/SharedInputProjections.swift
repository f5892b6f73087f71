import TensorCore

/// Several projections of one input, `y_l = layer_l(x)` (a block's q, k, v on `RMSNorm(x)`; its
/// gate and up), each with the bits `layer_l.forward(x)` gives it.
///
/// When every layer is a `QuantizedLinear` on its row-by-row path (decoding: a few rows, no
/// gradient) or on generation's integer prefill (`Tape.integerPrefill`), or a `LoRALinear` around
/// one that adds its update without dropout, the quantized products run together
/// (`QuantizedLinear.rowwiseForward`, `integerPrefillForward`): the input is quantized once and
/// one parallel loop covers the output rows of all of them, instead of one loop per projection
/// with the threads meeting after each. Adapters then add `s · (x Aᵀ) Bᵀ` to their base's output as
/// `LoRALinear.forward` does. Anything else runs layer by layer.
public enum SharedInputProjections {
    public static func forward(_ layers: [LinearLayer], _ x: Tensor, tape: Tape) -> [Tensor] {
        guard layers.count > 1, let bases = quantizedBases(layers, x, tape: tape) else {
            return layers.map { $0.forward(x, tape: tape) }
        }
        let products: [Tensor]
        if bases.allSatisfy({ $0.takesRowwisePath(x, tape: tape) }) {
            products = QuantizedLinear.rowwiseForward(bases, x)
        } else if bases.allSatisfy({ !$0.takesRowwisePath(x, tape: tape) && $0.takesIntegerPrefill(x, tape: tape) }) {
            products = QuantizedLinear.integerPrefillForward(bases, x)
        } else {
            return layers.map { $0.forward(x, tape: tape) }
        }
        return zip(layers, products).map { layer, y in
            (layer as? LoRALinear)?.addUpdate(to: y, input: x, tape: tape) ?? y
        }
    }

    /// The quantized products behind `layers`, when each is a `QuantizedLinear` (or a `LoRALinear`
    /// around one, without dropout) on its input width that `x` needs no gradient through.
    private static func quantizedBases(_ layers: [LinearLayer], _ x: Tensor, tape: Tape) -> [QuantizedLinear]? {
        var bases: [QuantizedLinear] = []
        for layer in layers {
            let base: LinearLayer
            if let lora = layer as? LoRALinear {
                guard !lora.usesDropout else { return nil }
                base = lora.base
            } else {
                base = layer
            }
            guard let quantized = base as? QuantizedLinear, quantized.inFeatures == x.columns, !tape.needsGrad(x) else { return nil }
            bases.append(quantized)
        }
        return bases
    }
}
