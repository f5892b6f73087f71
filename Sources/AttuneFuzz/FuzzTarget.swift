import AttuneLanguage
import AttuneNotebook
import Datasets
import Essentials
import Foundation
import ModelFormats
import Models
import Tokenization

/// One parser or loader fed arbitrary bytes. Every target must return (a value or an error) for
/// every input: a crash, a hang or an allocation beyond libFuzzer's limit is a bug (issue #26).
enum FuzzTarget: String, CaseIterable {
    /// GGUF header, metadata and tensor infos; then the Llama metadata, the tokenizer and the model built from them.
    case gguf
    /// A safetensors image: header, entries, every tensor read.
    case safetensors
    /// A Hugging Face `config.json`, decoded and validated (the bounds before allocation).
    case hfconfig
    /// JSONL data: loaded strict and lenient, then `data check`.
    case jsonl
    /// A `.attune.md` notebook: read, recovered, written back.
    case notebook
    /// The language front end: lexer and parser over one script.
    case language

    func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .gguf:
            guard let file = try? GGUFFile(bytes: [UInt8](bytes), name: "fuzz.gguf") else { return }
            _ = try? file.llamaMetadata()
            if let metadata = try? file.tokenizerMetadata() { _ = try? BPETokenizer(gguf: metadata) }
            _ = try? LlamaModel.load(gguf: file)
        case .safetensors:
            guard let file = try? SafetensorsFile(data: Data(bytes), path: "fuzz.safetensors") else { return }
            for entry in file.entries {
                if entry.dtype.isFloatingPoint { _ = try? file.floats(entry.name) } else { _ = try? file.int32s(entry.name) }
            }
        case .hfconfig:
            if let config = try? LlamaModel.configuration(fromJSON: Data(bytes), file: "config.json") {
                _ = config.parameterShapes.count
            }
        case .jsonl:
            let path = Self.scratchFile
            guard (try? Data(bytes).write(to: URL(fileURLWithPath: path))) != nil else { return }
            _ = try? DatasetLoader.load(path: path, mode: .strict)
            if let dataset = try? DatasetLoader.load(path: path, mode: .lenient) {
                _ = try? DataChecker().check(dataset)
            }
        case .notebook:
            let text = String(decoding: bytes, as: UTF8.self)
            if let document = try? NotebookReader.read(text) { _ = NotebookWriter.write(document) }
            _ = try? NotebookReader.readRecovering(text)
        case .language:
            let text = String(decoding: bytes, as: UTF8.self)
            let parsed = Parser.parse(source: text)
            _ = parsed.diagnostics.render(source: text)
        }
    }

    /// The file the JSONL target writes each input to (the loader reads files).
    static let scratchFile: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attune-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("input.jsonl").path
    }()
}
