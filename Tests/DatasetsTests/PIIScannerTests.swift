import XCTest
@testable import Datasets

/// Each detector on positive and negative examples; the negatives are things a normal support
/// data set contains (versions, dates, order numbers, prices, times, request ids).
final class PIIScannerTests: XCTestCase {
    let scanner = PIIScanner()

    func kinds(_ text: String) -> [PIIKind] { scanner.scan(text).map(\.kind) }

    func testPositives() {
        let cases: [(String, PIIKind, String)] = [
            ("write to maria.lopez+billing@example.co.uk today", .email, "maria.lopez+billing@example.co.uk"),
            ("call me at +1 415-555-0132 tomorrow", .phone, "+1 415-555-0132"),
            ("my number is (415) 555-0199.", .phone, "(415) 555-0199"),
            ("office: 020 7946 0958 ext", .phone, "020 7946 0958"),
            ("mobile 415-555-0173", .phone, "415-555-0173"),
            ("card 4111 1111 1111 1111 expires", .creditCard, "4111 1111 1111 1111"),
            ("card 5500-0000-0000-0004.", .creditCard, "5500-0000-0000-0004"),
            ("amex 378282246310005", .creditCard, "378282246310005"),
            ("SSN 536-22-8471 on file", .ssn, "536-22-8471"),
            ("IBAN DE89 3704 0044 0532 0130 00 please", .iban, "DE89 3704 0044 0532 0130 00"),
            ("iban GB82WEST12345698765432", .iban, "GB82WEST12345698765432"),
            ("from 203.0.113.54 at noon", .ipv4, "203.0.113.54"),
            ("host 2001:db8:85a3::8a2e:370:7334 down", .ipv6, "2001:db8:85a3::8a2e:370:7334"),
            ("key sk-proj-4fG7hK2LmN9pQ1rS5tU8vW3xY6zA0bC", .apiKey, "sk-proj-4fG7hK2LmN9pQ1rS5tU8vW3xY6zA0bC"),
            ("token ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R", .apiKey, "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R"),
            ("AWS AKIAIOSFODNN7EXAMPLE here", .apiKey, "AKIAIOSFODNN7EXAMPLE"),
            ("slack xoxb-2048-1234567890-abcdefGHIJ", .apiKey, "xoxb-2048-1234567890-abcdefGHIJ"),
            ("secret aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5 ok", .highEntropySecret, "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5"),
            ("db postgres://admin:hunter2@db.internal.example.com:5432/prod now", .urlWithCredentials,
             "postgres://admin:hunter2@db.internal.example.com:5432/prod"),
        ]
        for (text, kind, match) in cases {
            let found = scanner.scan(text)
            XCTAssertEqual(found.map(\.kind), [kind], text)
            XCTAssertEqual(found.first?.text, match, text)
        }
    }

    func testNegatives() {
        let clean = [
            "Upgrade to version 2.14.3 or 10.0.19041.1 and retry.",
            "Your invoice INV-2024-00312 from 2024-03-15 is attached.",
            "Order #1234567890 shipped; tracking 1Z999AA10123456784.",
            "The plan costs $1,299.00 per year, or 129.99 monthly.",
            "The job ran from 10:30:00 to 11:45:30 UTC.",
            "Request id req_8f3a2b1c9d4e failed with HTTP 429 Too Many Requests.",
            "Call GET /api/v2/exports/4812/status every 30 seconds.",
            "Use std::vector and a::b in C++; see RFC 3339.",
            "Error 500: Internal Server Error at line 42, column 7.",
            "Contact support via the in-app chat or @support on Twitter.",
            "Set the header Authorization: Bearer <your token>.",
            "The ratio 3.14159 and 2.71828 and ticket 48213 are unrelated.",
            "Enable SSO in Settings → Security → Single sign-on (SAML 2.0).",
            "Numbers 123-45-6789? No: 000-12-3456 is not valid, nor 666-12-3456.",
            "Card 4111 1111 1111 1112 fails Luhn.",
            "https://example.com/docs/webhooks#retries and http://localhost:8080/health",
            "getUserAccountSettingsForOrganizationAndRegion is a function name.",
            "sk-learn-compatible-estimators-for-everyone is not a key",
        ]
        for text in clean {
            XCTAssertEqual(kinds(text), [], text)
        }
    }

    func testRedactionPlaceholders() {
        let (text, matches) = scanner.redact("Mail bob@example.com or call +44 20 7946 0958; card 4111111111111111.")
        XCTAssertEqual(text, "Mail [EMAIL] or call [PHONE]; card [CREDIT_CARD].")
        XCTAssertEqual(matches.map(\.kind), [.email, .phone, .creditCard])
    }

    func testChecksums() {
        XCTAssertTrue(Scan.luhnForTesting([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
        XCTAssertFalse(Scan.luhnForTesting([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]))
        XCTAssertTrue(scanner.scan("GB82 WEST 1234 5698 7654 32").map(\.kind) == [.iban])
        XCTAssertTrue(scanner.scan("GB82 WEST 1234 5698 7654 33").isEmpty)
    }
}
