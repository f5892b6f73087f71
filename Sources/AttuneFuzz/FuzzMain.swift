import Foundation

/// `attune-fuzz`: the fuzz targets in one binary.
///
/// Built with `-sanitize=fuzzer -D ATTUNE_LIBFUZZER` (`Scripts/fuzz`), libFuzzer drives the target
/// named by `ATTUNE_FUZZ_TARGET` with its own options (`-runs=N -seed=S CORPUS`). Built normally,
/// `attune-fuzz TARGET FILE…` runs each file through the target once: how a crash found by the
/// fuzzer is replayed, and how the regression inputs run in the ordinary test suite.
@main
struct FuzzMain {
    nonisolated(unsafe) static var target = FuzzTarget.gguf

    static func main() {
        #if ATTUNE_LIBFUZZER
        let name = ProcessInfo.processInfo.environment["ATTUNE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("ATTUNE_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        Self.target = target
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzMain.target.run(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        })
        #else
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: attune-fuzz TARGET FILE…  (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("attune-fuzz: cannot read \(path)")
                exit(1)
            }
            data.withUnsafeBytes { target.run($0) }
            count += 1
        }
        print("attune-fuzz \(name): \(count) inputs ran without a crash")
        #endif
    }
}

#if ATTUNE_LIBFUZZER
/// libFuzzer's entry point for a program with its own `main` (compiler-rt `FuzzerInterface.h`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32
#endif
