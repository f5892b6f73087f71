// swift-tools-version:6.0
// Attune: a notebook-style REPL for fine-tuning language models on a CPU.
// Module graph (dependencies point one way, see README "Architecture"):
//   CBLAS, CKernels → TensorCore → ModelFormats → Models → Training → AttuneRuntime → attune
//   Tokenization → Datasets ──────────────────────────────↗
//   Tokenization ────────────────────────────────↗
//   AttuneLanguage, AttuneNotebook (no engine dependency) ─────↗
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

        // Engine.
        .target(name: "TensorCore",
                dependencies: ["CBLAS", "CKernels", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "Tokenization"),
        .target(name: "ModelFormats", dependencies: ["TensorCore", "Tokenization"]),
        .target(name: "Models", dependencies: ["TensorCore", "ModelFormats", "Tokenization",
                                               .product(name: "Crypto", package: "swift-crypto"), "CZlib"]),
        .target(name: "Datasets", dependencies: ["Tokenization"]),
        .target(name: "Training", dependencies: ["Models", "ModelFormats", "TensorCore", "Datasets"]),
        // Pure analysis: metrics, warning signs, generation checks, agreement, estimates (no engine).
        .target(name: "Evaluation"),
        // Charts: terminal (braille), SVG and PNG.
        .target(name: "Plotting", dependencies: ["CZlib"]),

        // Front end (no engine dependency).
        .target(name: "AttuneLanguage"),
        .target(name: "AttuneNotebook", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // Interpreter and executable.
        .target(name: "AttuneRuntime",
                dependencies: ["AttuneLanguage", "AttuneNotebook", "Models", "ModelFormats", "TensorCore", "Tokenization",
                               "Datasets", "Training", "Evaluation", "Plotting"]),
        .executableTarget(name: "attune", dependencies: ["AttuneRuntime", "CEditLine", "TensorCore", "Models", "Training", "Evaluation",
                                                  .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Tests mirror modules.
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore", "CKernels"]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "TensorCore", "Tokenization"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization"], exclude: ["Fixtures"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "ModelFormats", "TensorCore", "Tokenization"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tokenization"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "ModelFormats", "TensorCore"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
        .testTarget(name: "AttuneRuntimeTests", dependencies: ["AttuneRuntime", "AttuneLanguage", "AttuneNotebook", "Models", "TensorCore", "Plotting"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "AttuneLanguageTests", dependencies: ["AttuneLanguage"]),
        .testTarget(name: "AttuneNotebookTests", dependencies: ["AttuneNotebook"]),
    ]
)
