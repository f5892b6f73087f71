/// The small Markdown subset the HTML export renders for prose: ATX headings, paragraphs,
/// `-`/`*` lists, fenced code blocks and inline code. Everything is escaped; other syntax shows
/// as written.
enum MarkdownLite {
    static func render(_ markdown: String) -> String {
        var html = ""
        var paragraph: [String] = []
        var listItems: [String] = []
        func flushParagraph() {
            if !paragraph.isEmpty { html += "<p>" + paragraph.map(inline).joined(separator: "\n") + "</p>\n" }
            paragraph = []
        }
        func flushList() {
            if !listItems.isEmpty { html += "<ul>" + listItems.map { "<li>\(inline($0))</li>" }.joined() + "</ul>\n" }
            listItems = []
        }
        let lines = TextLines.split(markdown)
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if let fence = Fence.opening(line) {
                flushParagraph(); flushList()
                var code: [String] = []
                i += 1
                while i < lines.count, !Fence.closes(lines[i], fence) { code.append(lines[i]); i += 1 }
                i += 1
                html += "<pre><code>\(HTMLExporter.escape(code.joined(separator: "\n")))</code></pre>\n"
                continue
            }
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty {
                flushParagraph(); flushList()
            } else if let level = headingLevel(trimmed) {
                flushParagraph(); flushList()
                let text = String(trimmed.dropFirst(level)).trimmingSpaces()
                html += "<h\(level)>\(inline(text))</h\(level)>\n"
            } else if trimmed.hasPrefix("- ") || trimmed.hasPrefix("* ") {
                flushParagraph()
                listItems.append(String(trimmed.dropFirst(2)))
            } else {
                flushList()
                paragraph.append(trimmed)
            }
            i += 1
        }
        flushParagraph(); flushList()
        return html
    }

    /// 1…6 for `# ` … `###### `, nil otherwise.
    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        return rest.isEmpty || rest.first == " " ? hashes : nil
    }

    /// Escapes text and turns `code` spans into `<code>`.
    static func inline(_ text: String) -> String {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return HTMLExporter.escape(text) }
        var out = ""
        for (index, part) in parts.enumerated() {
            let escaped = HTMLExporter.escape(String(part))
            if index % 2 == 1, index < parts.count - 1 || parts.count % 2 == 1 {
                out += "<code>\(escaped)</code>"
            } else {
                out += (index % 2 == 1 ? "`" : "") + escaped
            }
        }
        return out
    }
}
