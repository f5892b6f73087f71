import AttuneLanguage
import Datasets
import Essentials
import Foundation
import ModelFormats
import Models
import Tokenization
import Training

/// What `export trl` and `export axolotl` read from the session and write in common: the base
/// model reference, the data after Attune's cleaning and split as JSONL, the chat template with
/// `{% generation %}` markers, and the list of settings.
struct ScaleOutExport {
    /// The published id of the built-in model.
    static let smolLM2ID = "HuggingFaceTB/SmolLM2-135M-Instruct"

    /// Where the exported run finds its base.
    enum Base {
        /// A Hugging Face folder the model was loaded from (absolute path).
        case folder(String)
        /// A published model id (the built-in SmolLM2, loaded from a GGUF file).
        case published(String)
        /// Written by this export into `base/` (`base=include`, or the model has no Hugging Face form).
        case included
    }

    let written: String
    let folder: URL
    let modelName: String
    let modelOrigin: String
    let base: Base
    let hyperparameters: HyperparameterValues
    let method: MethodSettings
    let dataFormat: String
    let counts: (train: Int, validation: Int, test: Int)
    let split: DatasetSplit?
    let dataFile: String
    let chatTemplate: String?
    let includedBaseFiles: [String]

    /// Checks the session and the target, then writes `data/*.jsonl` (and `base/` when included).
    init(_ context: CommandContext, command: String, includeBase: Bool) throws {
        guard let written = context.arguments.word("path") else { throw CommandError("InvalidValue", "\(command) needs DIR") }
        let folder = try context.resolvePath(written, argument: "path")
        let session = context.session
        guard let loaded = session.model else { throw CommandError.noModel(command) }
        guard let dataset = session.dataset else {
            throw CommandError("NoData", "`\(command)` exports the run's data too: load it first with `data load PATH` (and `data split train= val=`)")
        }
        try ExportSource.checkTarget(folder, written: written, folder: true)
        self.written = written
        self.folder = folder
        modelName = loaded.name
        modelOrigin = loaded.origin
        hyperparameters = session.hyperparameters
        method = session.method
        split = session.split
        dataFile = session.dataPath?.lastPathComponent ?? dataset.fileName

        let template = loaded.engine?.chatTemplate
            ?? loaded.tokenizer?.chatTemplateSource.flatMap { try? ChatTemplate(detecting: $0) }
            ?? (loaded.tokenizer.map { _ in ChatTemplate.chatML(defaultSystemPrompt: nil) })
        chatTemplate = template.flatMap(Self.jinja)

        let origin = loaded.engine?.source
        var isDirectory: ObjCBool = false
        let originIsFolder = origin.map { FileManager.default.fileExists(atPath: $0.path, isDirectory: &isDirectory) && isDirectory.boolValue } ?? false
        let isSmolLM2 = loaded.origin.lowercased() == "smollm2" || loaded.name.lowercased().hasPrefix("smollm2-135m-instruct")
        if includeBase || (!originIsFolder && !isSmolLM2) {
            base = .included
        } else if originIsFolder, let origin {
            base = .folder(origin.path)
        } else {
            base = .published(Self.smolLM2ID)
        }

        // The examples as TRL reads them, per part of the split.
        let parts: [(String, [Int])]
        if let split = session.split {
            parts = [("train", split.train), ("validation", split.validation), ("test", split.test)]
        } else {
            parts = [("train", Array(dataset.examples.indices)), ("validation", []), ("test", [])]
        }
        let throughTemplate = template != nil
        dataFormat = switch dataset.format {
        case .chat: "messages"
        case .instruction: throughTemplate ? "messages" : "prompt/completion"
        case .completion: "prompt/completion"
        case .text: "text"
        }
        let data = folder.appendingPathComponent("data")
        var counts = [String: Int]()
        do {
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            for (name, indices) in parts where name == "train" || !indices.isEmpty {
                var text = ""
                for index in indices { text += try Self.jsonLine(dataset.examples[index].content, throughTemplate: throughTemplate) + "\n" }
                try Data(text.utf8).write(to: data.appendingPathComponent("\(name).jsonl"), options: .atomic)
                counts[name] = indices.count
            }
        } catch {
            throw CommandError("WriteError", "cannot write \(written): \(error.localizedDescription)")
        }
        self.counts = (counts["train"] ?? 0, counts["validation"] ?? 0, counts["test"] ?? 0)

        if case .included = base {
            let source = try ExportSource(context, command: command)
            let tokenizerFiles = (try? source.sourceGGUF()?.tokenizerMetadata().huggingFaceFiles()) ?? [:]
            var extra: [String: JSONValue] = [:]
            if let special = loaded.tokenizer?.specialTokens {
                if let bos = special.bos { extra["bos_token_id"] = .number(Double(bos)) }
                if let eos = special.eos { extra["eos_token_id"] = .number(Double(eos)) }
            }
            do {
                // The base as loaded: a LoRA run's adapter is not folded in (TRL trains its own).
                let summary = try MergedHuggingFaceExport.write(MergedWeights(model: source.model, adapter: nil), dtype: .f32,
                                                                tokenizerFolder: source.sourceFolder, extraFiles: tokenizerFiles,
                                                                extraConfig: extra, to: folder.appendingPathComponent("base"))
                includedBaseFiles = summary.files
            } catch {
                throw CommandError("WriteError", "cannot write the base model into \(written)/base: \(error)")
            }
        } else {
            includedBaseFiles = []
        }
    }

    /// What the exported files name as the base (`base`, an absolute folder, or a model id).
    var baseReference: String {
        switch base {
        case .folder(let path): path
        case .published(let id): id
        case .included: "base"
        }
    }

    /// README paragraph: where the base comes from and why.
    var baseParagraph: String {
        switch base {
        case .folder(let path):
            return "The base is the Hugging Face folder the notebook loaded: `\(path)`. Copy it to the training machine and change `model` in the config if the path differs there."
        case .published(let id):
            return """
                The notebook loaded the built-in SmolLM2 from its GGUF file (`\(modelOrigin)`); this export references the \
                published model `\(id)` instead, which the training machine downloads from the Hugging Face Hub. The GGUF file \
                is quantized, so its weights differ slightly from the published ones: for the exact weights Attune trained, run \
                `export merged "DIR/base"` before `train` (or `export trl DIR base=include`) and point `model` at that folder.
                """
        case .included:
            var text = "The base is written into `base/` as a Hugging Face folder (\(includedBaseFiles.joined(separator: ", "))), the weights as the notebook had them "
                + "(a LoRA run's adapter is not folded in; after full fine-tuning, the fine-tuned weights). It is what `export merged \"DIR/base\"` writes."
            if !includedBaseFiles.contains("tokenizer.json") {
                text += " It has no tokenizer.json (the model `\(modelName)` has no Hugging Face tokenizer, e.g. the tiny model's byte vocabulary): "
                    + "transformers cannot load it as is — copy a tokenizer beside it or start from a published model."
            }
            return text
        }
    }

    /// One JSONL line of `content` in TRL's dataset formats.
    static func jsonLine(_ content: ExampleContent, throughTemplate: Bool) throws -> String {
        let object: JSONValue
        func message(_ role: String, _ content: String, weight: Double? = nil) -> JSONValue {
            var out: JSONValue = .object([("role", .string(role)), ("content", .string(content))])
            if let weight { out = out.setting("weight", to: .number(weight)) }
            return out
        }
        switch content {
        case .chat(let messages):
            object = .object([("messages", .array(messages.map { message($0.role, $0.content, weight: $0.weight) }))])
        case .instruction(let instruction, let input, let output):
            let prompt = input.isEmpty ? instruction : instruction + "\n\n" + input
            if throughTemplate {
                object = .object([("messages", .array([message("user", prompt), message("assistant", output)]))])
            } else {
                var plain = ExampleRenderer.instructionHeader + instruction + "\n\n"
                if !input.isEmpty { plain += ExampleRenderer.inputHeader + input + "\n\n" }
                object = .object([("prompt", .string(plain + ExampleRenderer.responseHeader)), ("completion", .string(output))])
            }
        case .completion(let prompt, let completion):
            object = .object([("prompt", .string(prompt)), ("completion", .string(completion))])
        case .text(let text):
            object = .object([("text", .string(text))])
        }
        return object.text(JSONStyle(spaced: false, sortedKeys: true))
    }

    /// A Jinja chat template that renders exactly as Attune's, with `{% generation %}` around
    /// what Attune trains (assistant content and end-of-turn token), which TRL's
    /// `assistant_only_loss` needs. Nil for templates not written here.
    static func jinja(_ template: ChatTemplate) -> String? {
        guard case .chatML(let defaultSystemPrompt) = template else { return nil }
        var text = ""
        if let prompt = defaultSystemPrompt {
            text += "{%- if messages and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\n' + \(JSONValue.quoted(prompt)) + '<|im_end|>\\n' }}{%- endif %}"
        }
        text += "{%- for message in messages %}"
        text += "{%- if message['role'] == 'assistant' %}{{ '<|im_start|>assistant\\n' }}{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}{{ '\\n' }}"
        text += "{%- else %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{%- endif %}"
        text += "{%- endfor %}"
        text += "{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}"
        return text
    }

    /// `key = value` for every setting, marking those the notebook set.
    var settingLines: [(key: String, value: String, set: Bool)] {
        HyperparameterTable.all.map { spec in
            (key: spec.name, value: hyperparameters[spec.key].description, set: hyperparameters.explicitlySet.contains(spec.key))
        }
    }

    /// The split as a sentence.
    var splitSentence: String {
        var text = "`data/train.jsonl` (\(counts.train) examples)"
        if counts.validation > 0 { text += ", `data/validation.jsonl` (\(counts.validation))" }
        if counts.test > 0 { text += ", `data/test.jsonl` (\(counts.test), not used for training)" }
        text += ", from `\(dataFile)` in \(dataFormat) form"
        if let split { text += ", split by Attune: \(split.summary)" } else { text += ", no split (everything trains)" }
        return text + "."
    }

    /// Writes `name` inside the folder.
    func write(_ name: String, _ text: String) throws {
        do { try Data(text.utf8).write(to: folder.appendingPathComponent(name), options: .atomic) } catch {
            throw CommandError("WriteError", "cannot write \(written)/\(name): \(error.localizedDescription)")
        }
    }

    /// Method flags.
    var isAdapter: Bool { method.method != .full }
    var targets: [String] { method.targets }
    var isAllLinear: Bool { method.targets.contains("all-linear") }

    /// Warmup as (steps, ratio).
    var warmup: (steps: Int?, ratio: Double?) {
        switch hyperparameters.warmup {
        case .share(let share): return (nil, share)
        case .steps(let steps): return (steps, nil)
        }
    }
}
