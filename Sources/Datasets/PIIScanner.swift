import Foundation

/// Finds personal data and secrets in text with hand-written, checksum-validated detectors
/// (no regular expressions: they are slow on Linux and too loose).
///
/// Tuned for precision: a number is a credit card only if it passes Luhn and has a card
/// prefix, an IBAN only if mod-97 holds, a phone number only when written as one (a leading
/// `+`, an area code in parentheses, or 3-3-4 style groups), an SSN only as `AAA-GG-SSSS` with
/// valid parts, a high-entropy string only when long, mixed-case and random-looking.
public struct PIIScanner: Sendable {
    public init() {}

    /// The matches in `text`, ordered by position, without overlaps (earlier detectors in the
    /// priority order win: private keys, URLs with credentials, API keys, e-mail, IBAN, cards,
    /// SSN, phone, IP addresses, high-entropy strings).
    public func scan(_ text: String) -> [PIIMatch] {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= 6 else { return [] }
            var scan = Scan(bytes: bytes)
            scan.run()
            return scan.matches.sorted { $0.range.lowerBound < $1.range.lowerBound }.map {
                PIIMatch(kind: $0.kind, range: $0.range,
                         text: String(decoding: UnsafeBufferPointer(rebasing: bytes[$0.range]), as: UTF8.self))
            }
        }
    }

    /// `text` with every match replaced by its placeholder, and the matches.
    public func redact(_ text: String) -> (text: String, matches: [PIIMatch]) {
        let matches = scan(text)
        guard !matches.isEmpty else { return (text, []) }
        let bytes = Array(text.utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var cursor = 0
        for match in matches {
            out += bytes[cursor..<match.range.lowerBound]
            out += Array(match.kind.placeholder.utf8)
            cursor = match.range.upperBound
        }
        out += bytes[cursor...]
        return (String(decoding: out, as: UTF8.self), matches)
    }
}

/// One scan over a text's bytes.
struct Scan {
    let bytes: UnsafeBufferPointer<UInt8>
    var matches: [(kind: PIIKind, range: Range<Int>)] = []

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func run() {
        privateKeys()
        urlsWithCredentials()
        tokens()          // API keys by prefix
        emails()
        ibans()
        digitGroups()     // cards, SSNs, phones
        ipv4()
        ipv6()
        highEntropy()
    }

    // MARK: helpers

    func byte(_ i: Int) -> UInt8 { i >= 0 && i < bytes.count ? bytes[i] : 0 }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    static func isAlpha(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
    static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isAlpha(b) }
    static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66) }
    /// Letters, digits and any non-ASCII byte (letters of other scripts) continue a word.
    static func isWord(_ b: UInt8) -> Bool { isAlnum(b) || b >= 0x80 }

    func overlaps(_ range: Range<Int>) -> Bool { matches.contains { $0.range.overlaps(range) } }

    mutating func add(_ kind: PIIKind, _ range: Range<Int>) {
        if !range.isEmpty && !overlaps(range) { matches.append((kind, range)) }
    }

    func hasPrefix(_ prefix: String, at i: Int) -> Bool {
        var k = i
        for b in prefix.utf8 { guard k < bytes.count, bytes[k] == b else { return false }; k += 1 }
        return true
    }

    func find(_ needle: String, from start: Int) -> Int? {
        let first = needle.utf8.first!
        var i = start
        while i < bytes.count {
            if bytes[i] == first && hasPrefix(needle, at: i) { return i }
            i += 1
        }
        return nil
    }

    // MARK: detectors

    mutating func privateKeys() {
        var from = 0
        while let start = find("-----BEGIN ", from: from) {
            guard let headerEnd = find("-----", from: start + 11) else { return }
            let header = String(decoding: UnsafeBufferPointer(rebasing: bytes[(start + 11)..<headerEnd]), as: UTF8.self)
            guard header.hasSuffix("PRIVATE KEY") else { from = headerEnd + 5; continue }
            var end = headerEnd + 5
            if let footer = find("-----END ", from: end), let close = find("-----", from: footer + 9) { end = close + 5 }
            add(.privateKey, start..<end)
            from = end
        }
    }

    mutating func urlsWithCredentials() {
        var from = 0
        while let sep = find("://", from: from) {
            from = sep + 3
            var schemeStart = sep
            while schemeStart > 0 && (Self.isAlnum(bytes[schemeStart - 1]) || bytes[schemeStart - 1] == UInt8(ascii: "+")) { schemeStart -= 1 }
            guard schemeStart < sep else { continue }
            var end = sep + 3, at: Int?, colon: Int?
            while end < bytes.count {
                let b = bytes[end]
                if b <= 0x20 || b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") || b == UInt8(ascii: "\"") { break }
                if b == UInt8(ascii: "@") { at = end }
                if b == UInt8(ascii: ":") && at == nil && colon == nil { colon = end }
                end += 1
            }
            guard let at, let colon, colon > sep + 3, at > colon + 1 else { continue }
            // Extend over the path so the whole URL is replaced.
            while end < bytes.count && bytes[end] > 0x20 && bytes[end] != UInt8(ascii: "\"") && bytes[end] != UInt8(ascii: ")") { end += 1 }
            while end > at && [UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";")].contains(bytes[end - 1]) { end -= 1 }
            add(.urlWithCredentials, schemeStart..<end)
            from = end
        }
    }

    static let keyPrefixes: [(prefix: String, minimumRest: Int, exactRest: Int?)] = [
        ("sk-", 20, nil), ("sk_live_", 16, nil), ("sk_test_", 16, nil), ("rk_live_", 16, nil), ("rk_test_", 16, nil),
        ("ghp_", 30, nil), ("gho_", 30, nil), ("ghu_", 30, nil), ("ghs_", 30, nil), ("ghr_", 30, nil), ("github_pat_", 30, nil),
        ("AKIA", 16, 16), ("ASIA", 16, 16), ("xoxb-", 10, nil), ("xoxp-", 10, nil), ("xoxa-", 10, nil), ("xoxr-", 10, nil),
        ("xoxs-", 10, nil), ("xapp-", 10, nil), ("AIza", 35, 35), ("glpat-", 20, nil), ("hf_", 30, nil), ("npm_", 36, 36),
    ]

    /// First bytes of the key prefixes (a cheap filter before comparing prefixes).
    static let prefixStarts = Set(keyPrefixes.map { $0.prefix.utf8.first! })

    /// Tokens (runs of letters, digits, `_`, `-`) that start with a known key prefix and are long enough.
    mutating func tokens() {
        var i = 0
        while i < bytes.count {
            guard Self.isAlnum(bytes[i]) && (i == 0 || !Self.isTokenByte(bytes[i - 1])) else { i += 1; continue }
            var end = i
            while end < bytes.count && Self.isTokenByte(bytes[end]) { end += 1 }
            let length = end - i
            for rule in Self.keyPrefixes where length >= 14 && Self.prefixStarts.contains(bytes[i]) && hasPrefix(rule.prefix, at: i) {
                let rest = length - rule.prefix.utf8.count
                if rule.exactRest.map({ rest == $0 }) ?? (rest >= rule.minimumRest) {
                    // Keys mix letters and digits; a prose word like "sk-learn-compatible-…" does not.
                    if hasDigit(i..<end) { add(.apiKey, i..<end) }
                    break
                }
            }
            // JSON Web Tokens: header.payload.signature, base64url, header starting {"
            if hasPrefix("eyJ", at: i) {
                var k = i, dots = 0
                while k < bytes.count && (Self.isTokenByte(bytes[k]) || bytes[k] == UInt8(ascii: ".")) {
                    if bytes[k] == UInt8(ascii: ".") { dots += 1 }
                    k += 1
                }
                if dots == 2 && k - i >= 30 { add(.apiKey, i..<k); end = k }
            }
            i = end
        }
    }

    static func isTokenByte(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") }

    func hasDigit(_ range: Range<Int>) -> Bool { range.contains { Self.isDigit(bytes[$0]) } }

    static func isLocalPart(_ b: UInt8) -> Bool {
        isAlnum(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "%") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }

    mutating func emails() {
        for at in 0..<bytes.count where bytes[at] == UInt8(ascii: "@") {
            var start = at
            while start > 0 && Self.isLocalPart(bytes[start - 1]) { start -= 1 }
            while start < at && bytes[start] == UInt8(ascii: ".") { start += 1 }
            guard start < at else { continue }
            var end = at + 1
            while end < bytes.count && (Self.isAlnum(bytes[end]) || bytes[end] == UInt8(ascii: ".") || bytes[end] == UInt8(ascii: "-")) { end += 1 }
            while end > at + 1 && (bytes[end - 1] == UInt8(ascii: ".") || bytes[end - 1] == UInt8(ascii: "-")) { end -= 1 }
            let domain = String(decoding: UnsafeBufferPointer(rebasing: bytes[(at + 1)..<end]), as: UTF8.self)
            let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }),
                  let tld = labels.last, tld.count >= 2, tld.utf8.allSatisfy(Self.isAlpha) else { continue }
            add(.email, start..<end)
        }
    }

    mutating func ibans() {
        var i = 0
        while i + 15 <= bytes.count {
            defer { i += 1 }
            guard Self.isUpper(bytes[i]), Self.isUpper(byte(i + 1)), Self.isDigit(byte(i + 2)), Self.isDigit(byte(i + 3)),
                  i == 0 || !Self.isWord(bytes[i - 1]) else { continue }
            // Collect alphanumerics, allowing single spaces between groups; remember group ends.
            var chars = [UInt8](), ends = [(chars: Int, byteEnd: Int)](), k = i
            while k < bytes.count && chars.count < 34 {
                let b = bytes[k]
                if Self.isDigit(b) || Self.isUpper(b) { chars.append(b); k += 1; continue }
                if b == UInt8(ascii: " ") && k + 1 < bytes.count && (Self.isDigit(bytes[k + 1]) || Self.isUpper(bytes[k + 1])) {
                    ends.append((chars.count, k)); k += 1; continue
                }
                break
            }
            if k >= bytes.count || !Self.isWord(bytes[k]) { ends.append((chars.count, k)) }
            for candidate in ends.reversed() where candidate.chars >= 15 {
                if Self.ibanChecksumHolds(Array(chars[0..<candidate.chars])) {
                    add(.iban, i..<candidate.byteEnd)
                    break
                }
            }
        }
    }

    /// ISO 13616: move the first four characters to the end, letters to 10…35, mod 97 == 1.
    static func ibanChecksumHolds(_ chars: [UInt8]) -> Bool {
        let rotated = chars[4...] + chars[0..<4]
        var remainder = 0
        for c in rotated {
            if isDigit(c) {
                remainder = (remainder * 10 + Int(c - 0x30)) % 97
            } else {
                remainder = (remainder * 100 + Int(c - 0x41 + 10)) % 97
            }
        }
        return remainder == 1
    }

    /// Runs of digits joined by single separators (space, `-`, `.`) and parentheses, checked as
    /// a card number, an SSN, or a phone number.
    mutating func digitGroups() {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let startsRun = Self.isDigit(b) || (b == UInt8(ascii: "+") && Self.isDigit(byte(i + 1)))
                || (b == UInt8(ascii: "(") && Self.isDigit(byte(i + 1)))
            let previous = byte(i - 1)
            guard startsRun, i == 0 || !(Self.isWord(previous) || previous == UInt8(ascii: ".") || previous == UInt8(ascii: "-")
                                         || previous == UInt8(ascii: "/") || previous == UInt8(ascii: ":") || previous == UInt8(ascii: "$")) else {
                if Self.isDigit(b) {
                    while i < bytes.count && Self.isDigit(bytes[i]) { i += 1 }   // digits inside a word
                } else {
                    i += 1
                }
                continue
            }
            var groups = [Int](), separators = [UInt8](), k = i
            var current = 0, plus = false, paren = false
            if bytes[k] == UInt8(ascii: "+") { plus = true; k += 1 }
            while k < bytes.count {
                let c = bytes[k]
                if Self.isDigit(c) { current += 1; k += 1; continue }
                if current > 0 { groups.append(current); current = 0 }
                if c == UInt8(ascii: "(") && Self.isDigit(byte(k + 1)) && (k == i || bytes[k - 1] == UInt8(ascii: " ")) {
                    paren = true; k += 1; continue
                }
                if c == UInt8(ascii: ")") && paren && Self.isDigit(byte(k - 1)) {
                    separators.append(c); k += 1
                    if byte(k) == UInt8(ascii: " ") || byte(k) == UInt8(ascii: "-") { k += 1 }
                    continue
                }
                if (c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")) && Self.isDigit(byte(k + 1)) && Self.isDigit(byte(k - 1)) {
                    separators.append(c); k += 1; continue
                }
                break
            }
            if current > 0 { groups.append(current) }
            let end = k
            let next = byte(end)
            let cleanEnd = end >= bytes.count || !(Self.isWord(next) || next == UInt8(ascii: "-") || next == UInt8(ascii: "@")
                                                    || (next == UInt8(ascii: ".") && Self.isDigit(byte(end + 1))))
            if cleanEnd { classifyNumber(i..<end, groups: groups, separators: separators, plus: plus, paren: paren) }
            i = max(end, i + 1)
        }
    }

    mutating func classifyNumber(_ range: Range<Int>, groups: [Int], separators: [UInt8], plus: Bool, paren: Bool) {
        let digits = range.compactMap { Self.isDigit(bytes[$0]) ? Int(bytes[$0] - 0x30) : nil }
        let count = digits.count
        let uniform = Set(separators).count <= 1
        let separator = separators.first
        // Credit card: 13-19 digits, card prefix, Luhn, groups of 4 (or 4-6-5) if separated.
        if !plus && !paren && (13...19).contains(count) && [3, 4, 5, 6].contains(digits[0]) && uniform
            && separator != UInt8(ascii: ".") && Self.luhn(digits)
            && (groups.count == 1 || groups.dropLast().allSatisfy({ $0 == 4 }) || groups == [4, 6, 5] || groups == [4, 6, 4]) {
            add(.creditCard, range)
            return
        }
        // US SSN: AAA-GG-SSSS, not 000/666/9xx, group not 00, serial not 0000.
        if groups == [3, 2, 4] && separators.allSatisfy({ $0 == UInt8(ascii: "-") }) && !plus && !paren {
            let area = digits[0] * 100 + digits[1] * 10 + digits[2]
            let group = digits[3] * 10 + digits[4]
            let serial = digits[5...].reduce(0) { $0 * 10 + $1 }
            let advertised = [[1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 7, 8, 0, 5, 1, 1, 2, 0]]   // published sample numbers
            if area != 0 && area != 666 && area < 900 && group != 0 && serial != 0 && !advertised.contains(digits) {
                add(.ssn, range)
            }
            return
        }
        // Phone: 10-15 digits written as a phone number.
        guard (10...15).contains(count), groups.count >= 2 || plus else { return }
        if separator == UInt8(ascii: ".") && groups != [3, 3, 4] { return }          // version numbers
        if groups.first == 4 && groups.count == 3 && groups[1] == 2 && groups[2] == 2 { return }   // dates
        let looksLikePhone = plus || paren
            || (groups.count >= 3 && groups.last! >= 3 && groups.allSatisfy { (2...4).contains($0) })
        if looksLikePhone { add(.phone, range) }
    }

    /// Luhn checksum (for tests).
    static func luhnForTesting(_ digits: [Int]) -> Bool { luhn(digits) }

    static func luhn(_ digits: [Int]) -> Bool {
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            if position % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    mutating func ipv4() {
        var i = 0
        while i < bytes.count {
            guard Self.isDigit(bytes[i]), i == 0 || !(Self.isWord(bytes[i - 1]) || bytes[i - 1] == UInt8(ascii: ".")) else { i += 1; continue }
            var k = i, octets = 0, valid = true
            while octets < 4 {
                var value = 0, length = 0
                while k < bytes.count && Self.isDigit(bytes[k]) && length < 4 { value = value * 10 + Int(bytes[k] - 0x30); k += 1; length += 1 }
                if length == 0 || length > 3 || value > 255 || (length > 1 && bytes[k - length] == 0x30) { valid = false; break }
                octets += 1
                if octets < 4 {
                    guard k < bytes.count, bytes[k] == UInt8(ascii: ".") else { valid = false; break }
                    k += 1
                }
            }
            let next = byte(k)
            if valid && octets == 4 && !(Self.isWord(next) || (next == UInt8(ascii: ".") && Self.isDigit(byte(k + 1)))) {
                add(.ipv4, i..<k)
                i = k
            } else {
                while i < bytes.count && Self.isDigit(bytes[i]) { i += 1 }
                i += 1
            }
        }
    }

    mutating func ipv6() {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard Self.isHex(b) || b == UInt8(ascii: ":"),
                  i == 0 || !(Self.isWord(bytes[i - 1]) || bytes[i - 1] == UInt8(ascii: ":")) else { i += 1; continue }
            var k = i
            while k < bytes.count && (Self.isHex(bytes[k]) || bytes[k] == UInt8(ascii: ":")) { k += 1 }
            defer { i = max(k, i + 1) }
            if k < bytes.count && Self.isWord(bytes[k]) { continue }
            var end = k
            while end > i && bytes[end - 1] == UInt8(ascii: ":") && !(end - 2 >= i && bytes[end - 2] == UInt8(ascii: ":")) { end -= 1 }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self)
            if Self.isIPv6(text) { add(.ipv6, i..<end) }
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        let compressed = text.components(separatedBy: "::")
        guard compressed.count <= 2, text.filter({ $0 == ":" }).count >= 2 else { return false }
        let groups = compressed.flatMap { $0.isEmpty ? [] : $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
        guard groups.allSatisfy({ (1...4).contains($0.count) }) else { return false }
        if compressed.count == 1 {
            return groups.count == 8
        }
        // With `::`: fewer than 8 groups, and enough of them to be an address rather than `a::b`.
        return groups.count < 8 && groups.count >= 2 && groups.contains { $0.count >= 3 }
    }

    /// Long random-looking tokens: ≥ 32 characters of base64/url-safe alphabet mixing upper
    /// case, lower case and digits, with Shannon entropy ≥ 4.2 bits per character.
    mutating func highEntropy() {
        var i = 0
        func isSecretByte(_ b: UInt8) -> Bool {
            Self.isAlnum(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
        while i < bytes.count {
            guard isSecretByte(bytes[i]) else { i += 1; continue }
            var end = i
            while end < bytes.count && isSecretByte(bytes[end]) { end += 1 }
            defer { i = end }
            guard end - i >= 32 else { continue }
            var upper = 0, lower = 0, digits = 0
            var counts = [Int](repeating: 0, count: 128)
            for k in i..<end {
                let b = bytes[k]
                if Self.isUpper(b) { upper += 1 } else if Self.isLower(b) { lower += 1 } else if Self.isDigit(b) { digits += 1 }
                counts[Int(b)] += 1
            }
            guard upper >= 2, lower >= 2, digits >= 2 else { continue }
            let n = Double(end - i)
            let entropy = counts.reduce(0.0) { $1 == 0 ? $0 : $0 - Double($1) / n * log2(Double($1) / n) }
            if entropy >= 4.2 { add(.highEntropySecret, i..<end) }
        }
    }
}

