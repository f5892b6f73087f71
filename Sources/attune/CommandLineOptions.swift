import Essentials
import AttuneLanguage
import Foundation
import TensorCore

/// A usage mistake on the command line (exit status 2).
struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// The options of one subcommand after parsing: positional words, flags, and valued options
/// (which may repeat: `--param a=1 --param b=2`).
struct CommandLineOptions {
    var positionals: [String] = []
    var flags: Set<String> = []
    var values: [String: [String]] = [:]

    func value(_ name: String) -> String? { values[name]?.last }
    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// Folders from every `--allow-paths DIR[,DIR]`, absolute.
    var allowedPaths: [URL] {
        (values["--allow-paths"] ?? []).flatMap { $0.split(separator: ",").map(String.init) }.map { path in
            URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        }
    }

    /// `--numerics reproducible|fast`, if given (replay and verify: instead of the notebook's mode).
    func numerics(command: String) throws(UsageError) -> NumericsMode? {
        guard let text = value("--numerics") else { return nil }
        guard let mode = NumericsMode(rawValue: text.lowercased()) else {
            let modes = NumericsMode.allCases.map(\.rawValue)
            let hint = suggest(text.lowercased(), from: modes).map { " — did you mean \($0)?" } ?? ""
            throw UsageError("\(command): --numerics must be \(modes.joined(separator: " or ")), got '\(text)'\(hint)")
        }
        return mode
    }

    /// Parses `arguments` for `command`, which knows `flags` and options taking a value
    /// (`--to html` or `--to=html`). Unknown options get "did you mean".
    static func parse(_ arguments: [String], command: String, flags: Set<String>, valued: Set<String>) throws(UsageError) -> CommandLineOptions {
        var options = CommandLineOptions()
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            if argument == "--" {
                options.positionals += arguments[(i + 1)...]
                break
            }
            if argument.hasPrefix("-"), argument.count > 1, Double(argument) == nil {
                var name = argument
                var inline: String?
                if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                    name = String(argument[..<equals])
                    inline = String(argument[argument.index(after: equals)...])
                }
                if flags.contains(name), inline == nil {
                    options.flags.insert(name)
                } else if valued.contains(name) {
                    if let inline {
                        options.values[name, default: []].append(inline)
                    } else {
                        guard i + 1 < arguments.count else { throw UsageError("\(command): \(name) needs a value") }
                        options.values[name, default: []].append(arguments[i + 1])
                        i += 1
                    }
                } else {
                    let known = (flags.union(valued)).sorted()
                    let hint = suggest(name, from: known).map { " — did you mean \($0)?" }
                        ?? (known.isEmpty ? " (it takes no options)" : " (options: \(known.joined(separator: ", ")))")
                    throw UsageError("\(command): unknown option \(name)\(hint)")
                }
            } else {
                options.positionals.append(argument)
            }
            i += 1
        }
        return options
    }
}
