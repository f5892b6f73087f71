import Essentials
extension NotebookDocument {
    /// The first cell tagged `parameters`.
    public var parametersCell: Cell? { cells.first { $0.hasTag(Cell.Tag.parameters) } }

    /// The parameter names this notebook exposes: keys assigned in its `parameters` cell, then
    /// keys of the front matter's `params` not already listed.
    public var parameterNames: [String] {
        var names: [String] = []
        for line in TextLines.split(parametersCell?.source ?? "") {
            for assignment in ParameterScanner.assignments(in: line) where !names.contains(assignment.key) {
                names.append(assignment.key)
            }
        }
        for (key, _) in frontMatter?.params?.objectValue ?? [] where !names.contains(key) { names.append(key) }
        return names
    }

    /// A copy with each override applied: every `key=…` in the `parameters` cell gets the new
    /// value (`set steps=60` → `set steps=10`), and the front matter's `params` records it.
    /// Keys the notebook does not expose are rejected with a suggestion.
    public func applyingParameters(_ overrides: [ParameterOverride]) throws(ParameterError) -> NotebookDocument {
        let known = parameterNames
        var result = self
        for override in overrides {
            guard known.contains(override.key) else {
                throw .unknownParameter(override.key, known: known, suggestion: Self.nearest(override.key, in: known))
            }
            let target = parametersCell?.n
            result.updateCells { cell in
                guard cell.n == target else { return }
                cell.source = TextLines.split(cell.source)
                    .map { ParameterScanner.replacing(override.key, with: override.value, in: $0) }
                    .joined(separator: "\n")
            }
            if var matter = result.frontMatter {
                matter.params = (matter.params ?? .object([])).setting(override.key, to: override.jsonValue)
                result.frontMatter = matter
            }
        }
        return result
    }

    /// The closest name, when it is close enough to be a likely typo (`Essentials.suggest`).
    static func nearest(_ word: String, in candidates: [String]) -> String? {
        suggest(word, from: candidates)
    }
}

/// Finds `key=value` assignments in one statement line, skipping strings and `#` comments, and
/// `let key = value` (the whole rest of the line up to a comment is the value).
enum ParameterScanner {
    struct Assignment {
        var key: String
        /// Range of the value in the line's scalars.
        var valueRange: Range<Int>
    }

    static func assignments(in line: String) -> [Assignment] {
        let s = Array(line.unicodeScalars)
        if let declaration = letDeclaration(s) { return [declaration] }
        var found: [Assignment] = []
        var i = 0
        func isNameScalar(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "." }
        while i < s.count {
            let c = s[i]
            if c == "#" { break }
            if c == "\"" {
                i = skipString(s, from: i)
                continue
            }
            if isNameScalar(c), i == 0 || !isNameScalar(s[i - 1]) {
                let start = i
                while i < s.count, isNameScalar(s[i]) { i += 1 }
                guard i < s.count, s[i] == "=" else { continue }
                let key = String(String.UnicodeScalarView(s[start..<i]))
                i += 1
                let valueStart = i
                if i < s.count, s[i] == "\"" {
                    i = skipString(s, from: i)
                } else if i < s.count, s[i] == "[" {
                    var depth = 0
                    while i < s.count {
                        if s[i] == "\"" { i = skipString(s, from: i); continue }
                        if s[i] == "[" { depth += 1 }
                        if s[i] == "]" { depth -= 1; if depth == 0 { i += 1; break } }
                        i += 1
                    }
                } else {
                    while i < s.count, s[i] != " ", s[i] != "\t", s[i] != ",", s[i] != ")", s[i] != "#" { i += 1 }
                }
                if i > valueStart { found.append(Assignment(key: key, valueRange: valueStart..<i)) }
                continue
            }
            i += 1
        }
        return found
    }

    /// `let key = value  # comment`: the value runs to the comment (strings skipped) or the end,
    /// trailing blanks excluded.
    static func letDeclaration(_ s: [Unicode.Scalar]) -> Assignment? {
        var i = 0
        func skipBlanks() { while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 } }
        skipBlanks()
        guard i + 4 <= s.count, String(String.UnicodeScalarView(s[i..<i + 3])) == "let", s[i + 3] == " " || s[i + 3] == "\t" else { return nil }
        i += 3
        skipBlanks()
        let nameStart = i
        while i < s.count, s[i].properties.isAlphabetic || ("0"..."9").contains(s[i]) || s[i] == "_" { i += 1 }
        guard i > nameStart else { return nil }
        let key = String(String.UnicodeScalarView(s[nameStart..<i]))
        skipBlanks()
        guard i < s.count, s[i] == "=", i + 1 >= s.count || s[i + 1] != "=" else { return nil }
        i += 1
        skipBlanks()
        let valueStart = i
        var end = i
        while i < s.count, s[i] != "#" {
            if s[i] == "\"" || s[i] == "'" {
                i = skipString(s, from: i)
                end = i
                continue
            }
            if s[i] != " ", s[i] != "\t" { end = i + 1 }
            i += 1
        }
        guard end > valueStart else { return nil }
        return Assignment(key: key, valueRange: valueStart..<end)
    }

    /// `line` with the value of every `key=` assignment replaced by `value`.
    static func replacing(_ key: String, with value: String, in line: String) -> String {
        var s = Array(line.unicodeScalars)
        for assignment in assignments(in: line).reversed() where assignment.key == key {
            s.replaceSubrange(assignment.valueRange, with: Array(value.unicodeScalars))
        }
        return String(String.UnicodeScalarView(s))
    }

    /// Index just past the string literal starting at `start` (or the end of the line).
    static func skipString(_ s: [Unicode.Scalar], from start: Int) -> Int {
        let quote = s[start]
        var i = start + 1
        while i < s.count {
            if s[i] == "\\" { i += 2; continue }
            if s[i] == quote { return i + 1 }
            i += 1
        }
        return s.count
    }
}
