/// Kinds of personal data and secrets the data doctor looks for, each with the typed
/// placeholder `data redact` writes in its place.
public enum PIIKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case email
    case phone
    case creditCard = "credit_card"
    case ssn
    case iban
    case ipv4
    case ipv6
    case apiKey = "api_key"
    case privateKey = "private_key"
    case urlWithCredentials = "url_with_credentials"
    case highEntropySecret = "high_entropy_secret"

    /// The text that replaces a match: `[EMAIL]`, `[CREDIT_CARD]`, …
    public var placeholder: String {
        switch self {
        case .email: return "[EMAIL]"
        case .phone: return "[PHONE]"
        case .creditCard: return "[CREDIT_CARD]"
        case .ssn: return "[SSN]"
        case .iban: return "[IBAN]"
        case .ipv4, .ipv6: return "[IP_ADDRESS]"
        case .apiKey: return "[API_KEY]"
        case .privateKey: return "[PRIVATE_KEY]"
        case .urlWithCredentials: return "[URL_WITH_CREDENTIALS]"
        case .highEntropySecret: return "[SECRET]"
        }
    }

    public static func < (a: PIIKind, b: PIIKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One match in a text: its kind and UTF-8 byte range.
public struct PIIMatch: Sendable, Hashable {
    public var kind: PIIKind
    /// Byte offsets into the text's UTF-8.
    public var range: Range<Int>
    /// The matched text.
    public var text: String

    public init(kind: PIIKind, range: Range<Int>, text: String) {
        self.kind = kind; self.range = range; self.text = text
    }
}

extension PIIKind: CodingKeyRepresentable {}
