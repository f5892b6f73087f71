import AttuneLanguage
import Foundation

/// Tab completion for the REPL, from the text before the cursor: command words, a noun's verbs,
/// argument names (`layers=`), hyperparameter keys after `set` and `?`, choice values after
/// `key=`, tensor names after `show` and `list`, and file paths in quotes or for path arguments.
public struct Completer {
    public let registry: CommandRegistry
    public let session: Session

    public init(registry: CommandRegistry, session: Session) {
        self.registry = registry
        self.session = session
    }

    /// What to complete: the word being typed starts `wordLength` characters before the cursor,
    /// and each candidate replaces it (sorted, without duplicates).
    public struct Completion: Equatable, Sendable {
        public var word: String
        public var candidates: [String]

        /// The longest prefix all candidates share (what Tab inserts when there are several).
        public var commonPrefix: String {
            guard var prefix = candidates.first else { return word }
            for candidate in candidates.dropFirst() {
                while !candidate.hasPrefix(prefix) { prefix.removeLast() }
            }
            return prefix
        }
    }

    /// Candidates for the text of the current line before the cursor.
    public func complete(_ textBeforeCursor: String) -> Completion {
        let (words, current) = Self.split(textBeforeCursor)
        func result(_ options: [String]) -> Completion {
            let matching = Array(Set(options.filter { $0.hasPrefix(current) && $0 != "" })).sorted()
            return Completion(word: current, candidates: matching)
        }
        // File paths: a word that opens a string.
        if current.hasPrefix("\"") || current.hasPrefix("'") {
            let quote = String(current.first!)
            return Completion(word: current, candidates: files(matching: String(current.dropFirst())).map { quote + $0 })
        }
        // `r.va` → the fields of the value bound to r.
        if let dot = current.lastIndex(of: "."), let fields = fieldNames(of: String(current[..<dot])) {
            let prefix = String(current[...dot])
            return result(fields.map { prefix + $0 })
        }
        if words.isEmpty {
            if current.hasPrefix("?") {
                return result(topics().map { "?" + $0 })
            }
            return result(registry.table.leadingWords + Array(Keyword.statements) + session.variables.visibleNames)
        }
        let first = words[0]
        // In an expression statement: variables, builtins and keywords.
        if Keyword.statements.contains(first) {
            return result(session.variables.visibleNames + Builtin.names + ["and", "or", "not", "in", "none", "true", "false"])
        }
        if first.hasPrefix("?") { return result(topics()) }
        if words.count == 1, registry.table.nouns.contains(first) {
            // A noun that is also a command of its own (`eval`, `eval general`): its verbs and its keys.
            let keys = registry.command(named: first).map { $0.schema.arguments.filter { !$0.isPositional }.map { $0.name + "=" } } ?? []
            return result(registry.table.verbs(of: first) + keys)
        }
        let verb = words.count >= 2 && registry.table.command([first, words[1]]) != nil
        let commandName = registry.table.nouns.contains(first) && (verb || registry.command(named: first) == nil) && words.count >= 2
            ? "\(first) \(words[1])" : first
        if commandName == "help" { return result(topics()) }
        guard let command = registry.command(named: commandName) else { return Completion(word: current, candidates: []) }
        // key=value: complete the value.
        if let equals = current.firstIndex(of: "=") {
            let key = String(current[..<equals])
            let prefix = key + "="
            let value = String(current[current.index(after: equals)...])
            var options: [String] = []
            if command.spec.name == "set", let spec = HyperparameterTable.spec(key) {
                switch spec.kind {
                case .choice(let words): options = words
                case .bool: options = ["true", "false"]
                default: options = [spec.example]
                }
            } else if let spec = command.schema.spec(named: key) {
                switch spec.kind {
                case .choice(let words): options = words
                case .bool: options = ["true", "false"]
                case .names: options = ["[" + MethodSettings.targetNames.dropLast().prefix(2).joined(separator: ", ") + "]", "all-linear"]
                case .path: options = files(matching: value)
                default: options = []
                }
            }
            return Completion(word: current, candidates: Array(Set(options.filter { $0.hasPrefix(value) }.map { prefix + $0 })).sorted())
        }
        var options: [String] = []
        if command.spec.name == "set" || command.spec.name == "sweep" {
            options += HyperparameterTable.names.map { $0 + "=" }
        }
        let given = Set(words.compactMap { $0.split(separator: "=").first.map(String.init) })
        options += command.schema.arguments.filter { !$0.isPositional && !given.contains($0.name) }.map { $0.name + "=" }
        let positionalIndex = words.count - command.spec.words.count
        let positional = command.schema.positional
        let expected = positionalIndex < positional.count ? positional[positionalIndex] : nil
        switch expected?.kind {
        case .tensorPath?:
            options += tensorNames()
            if command.spec.name == "show" { options += session.results.keys }
        case .path?:
            options += files(matching: current)
        case .choice(let words)?:
            options += words
        default:
            break
        }
        return result(options)
    }

    /// Help topics: commands (first words), nouns, hyperparameters, extra topics, variables.
    func topics() -> [String] {
        registry.table.leadingWords + HyperparameterTable.names + HelpCommand.extraTopics + session.variables.visibleNames
    }

    /// The fields of the value `path` names (`r`, `s.best`), if it is a record.
    func fieldNames(of path: String) -> [String]? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let head = parts.first, var value = session.variables.lookup(head) else { return nil }
        for part in parts.dropFirst() {
            guard case .record(let record) = value, let next = record[part] else { return nil }
            value = next
        }
        switch value {
        case .record(let record): return record.names
        case .opaque(let object): return object.fieldNames
        default: return nil
        }
    }

    /// Short tensor names of the model, plus `layers.N` prefixes.
    func tensorNames() -> [String] {
        guard let model = session.model else { return [] }
        var names = model.catalog.entries.map(\.short)
        for layer in 0..<model.model.config.layers { names.append("layers.\(layer)") }
        return names
    }

    /// Entries of the folder named by `partial` (relative to the session's base folder) whose names
    /// start with its last part; folders end in `/`.
    func files(matching partial: String) -> [String] {
        let slash = partial.lastIndex(of: "/")
        let folderPart = slash.map { String(partial[...$0]) } ?? ""
        let namePrefix = slash.map { String(partial[partial.index(after: $0)...]) } ?? partial
        let expanded = folderPart.hasPrefix("~/") ? NSString(string: folderPart).expandingTildeInPath + "/" : folderPart
        let folder = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : session.paths.base.appendingPathComponent(expanded)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return entries.filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().prefix(200).map { entry in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder.appendingPathComponent(entry).path, isDirectory: &isDirectory)
            return folderPart + entry + (isDirectory.boolValue ? "/" : "")
        }
    }

    /// The complete words before the cursor and the word being typed. Words split at spaces
    /// outside quotes and brackets.
    static func split(_ text: String) -> (words: [String], current: String) {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var depth = 0
        for character in text {
            if let q = quote {
                current.append(character)
                if character == q { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character; current.append(character)
            case "[", "(": depth += 1; current.append(character)
            case "]", ")": depth = max(0, depth - 1); current.append(character)
            case " ", "\t":
                if depth > 0 { current.append(character) } else if !current.isEmpty { words.append(current); current = "" }
            default: current.append(character)
            }
        }
        // A binding `name = command` is not part of the command.
        if words.count >= 2, words[1] == "=" { words.removeFirst(2) }
        return (words, current)
    }
}
