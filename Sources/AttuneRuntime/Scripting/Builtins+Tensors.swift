import AttuneLanguage

/// The builtins that take tensors: `tensor`, `matmul`, `cosine`, `topk`.
extension Builtin {
    static let tensorList: [Builtin] = [
        Builtin(name: "tensor", usage: "tensor(name)", summary: "the model tensor of that name (with .grad for its gradient), for names made in a loop: tensor(\"layers.{i}.attn.q_proj.lora_B\")") { args, at throws(CommandError) in
            try at.count(args, 1...1)
            guard case .string(let written) = args[0] else {
                throw at.error("tensor takes a name in quotes, e.g. tensor(\"layers.0.attn.q_proj\"), not \(args[0].typeDescription)", argument: 0)
            }
            guard let session = at.session, session.model != nil else {
                throw CommandError("NoModel", "tensor needs a model: create one with model new tiny or load one with model load PATH", at: at.range)
            }
            let gradient = written.hasSuffix(".grad") && session.tensorEntry(written) == nil
            let name = gradient ? String(written.dropLast(".grad".count)) : written
            guard let entry = session.tensorEntry(name) else {
                let (message, guess) = session.unknownTensorMessage(name)
                throw CommandError("NameError", message, at: at.argumentRanges.first ?? at.range, suggestion: guess.map { "\"\($0)\"" })
            }
            do throws(CommandError) { return .opaque(try TensorValue.parameter(entry, gradient: gradient)) } catch { throw error.located(default: at.range) }
        },
        Builtin(name: "matmul", usage: "matmul(a, b)", summary: "the matrix product of two tensors ([m, k] · [k, n] → [m, n]; a vector on either side)") { args, at throws(CommandError) in
            try at.count(args, 2...2)
            let a = try at.tensor(args, 0), b = try at.tensor(args, 1)
            do throws(CommandError) { return .opaque(try TensorOperations.matmul(a, b)) } catch { throw error.located(default: at.range) }
        },
        Builtin(name: "cosine", usage: "cosine(a, b)", summary: "the cosine similarity of two tensors of one shape (1 same direction, 0 unrelated, -1 opposite)") { args, at throws(CommandError) in
            try at.count(args, 2...2)
            let a = try at.tensor(args, 0), b = try at.tensor(args, 1)
            do throws(CommandError) { return .number(try TensorOperations.cosine(a, b)) } catch { throw error.located(default: at.range) }
        },
        Builtin(name: "topk", usage: "topk(w, k)", summary: "the k largest values of a tensor with their indices and positions (and labels)") { args, at throws(CommandError) in
            try at.count(args, 2...2)
            let tensor = try at.tensor(args, 0)
            let k = try at.integer(args, 1)
            do throws(CommandError) { return .record(try TensorOperations.topk(tensor, k)) } catch { throw error.located(default: at.range, argument: at.argumentRanges.count > 1 ? at.argumentRanges[1] : nil) }
        },
    ]
}

extension BuiltinCall {
    /// Argument `index` as a tensor.
    func tensor(_ args: [ScriptValue], _ index: Int) throws(CommandError) -> TensorValue {
        guard case .opaque(let object) = args[index], let tensor = object as? TensorValue else {
            throw error("\(name) needs a tensor, not \(args[index].typeDescription); name one, e.g. layers.0.attn.q_proj", argument: index)
        }
        return tensor
    }
}

extension CommandError {
    /// Located at `argument` when given, else at `range`, unless it already points somewhere.
    func located(default range: SourceRange, argument: SourceRange?) -> CommandError {
        located(default: argument ?? range)
    }
}
