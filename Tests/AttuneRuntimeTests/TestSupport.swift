import AttuneLanguage
import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import XCTest

/// A fresh interpreter, optionally with the tiny model already created.
func makeInterpreter(tiny: Bool = false, seed: UInt64 = 42, paths: PathPolicy = .unrestricted()) -> Interpreter {
    let interpreter = Interpreter(session: Session(seed: seed, paths: paths))
    if tiny { _ = ok(interpreter, "model new tiny") }
    return interpreter
}

/// Runs `source`, fails the test on any error, and returns the printed result text.
@discardableResult
func ok(_ interpreter: Interpreter, _ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    let run = interpreter.run(source: source)
    if let error = run.firstError { XCTFail("\(source): \(error.name): \(error.message)", file: file, line: line) }
    return run.outcomes.compactMap(\.output.resultText).joined(separator: "\n")
}

/// Runs `source`, expecting it to fail, and returns the error (name and `line L, column C: message`).
@discardableResult
func failure(_ interpreter: Interpreter, _ source: String, file: StaticString = #filePath, line: UInt = #line) -> (name: String, message: String) {
    let run = interpreter.run(source: source)
    guard let error = run.firstError else {
        XCTFail("\(source): expected an error, got \(run.outcomes.compactMap(\.output.resultText))", file: file, line: line)
        return ("", "")
    }
    return error
}

/// A new empty temporary folder.
func temporaryFolder() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-rt-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The built `attune` executable beside the test bundle, if it was built.
func attuneBinary() -> URL? {
    let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
    for folder in candidates {
        let url = folder.appendingPathComponent("attune")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
}

/// Runs the binary (with `environment` added to this process's); returns exit status, stdout, stderr.
func runBinary(_ binary: URL, _ arguments: [String], in folder: URL? = nil,
               environment extra: [String: String] = [:], input: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = folder }
    var environment = ProcessInfo.processInfo.environment
    environment["ATTUNE_BLAS_REEXEC"] = "1"
    environment["ATTUNE_HOME"] = (folder ?? temporaryFolder()).appendingPathComponent(".attune-home").path
    environment.merge(extra) { _, new in new }
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    // Small inputs fit in the pipe's buffer; closing it is end of input.
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
