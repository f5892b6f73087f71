import Essentials
import Foundation

extension JSONValue {
    /// Parses a request body, a log line or a rollout file (UTF-8 bytes).
    static func parse(_ data: Data) throws(JSONParseError) -> JSONValue {
        try parse([UInt8](data))
    }

    /// One-line JSON without spaces, as the OpenAI API writes it (`{"a":1,"b":[1,2]}`).
    var text: String { text(.minimal) }
}
