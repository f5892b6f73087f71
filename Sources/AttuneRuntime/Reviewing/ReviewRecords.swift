import AttuneNotebook
import Essentials
import Evaluation

/// The lines a review records in its cell's `metrics` output, one JSON object each, in blinded
/// terms until the key line:
///
///     {"review":"r1a2b3c4","item":3,"id":"val:12","rater":"you","preference":"a","scores_a":[4,3,5],"scores_b":[2,3,3]}
///     {"review":"r1a2b3c4","item":4,"id":"val:9","skipped":true}
///     {"review":"r1a2b3c4","key_seed":"1234…","a_is":["tuned","base",…]}      (only when the review ends)
///
/// Items are numbered from 1. A replay answers the review from these lines instead of asking
/// (see `Session.recordedOutputs`), and reads the key from the line that ends the review.
enum ReviewRecords {
    /// What one line says.
    enum Entry: Equatable {
        case rating(BlindRating)
        case skip(item: Int)
        case key(seed: UInt64, aIs: [String])
    }

    static func line(for rating: BlindRating, review: OpenReview) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("review", .string(review.id)), ("item", .number(Double(rating.item + 1))), ("id", .string(review.items[rating.item].id)),
            ("rater", .string(rating.rater)), ("preference", .string(rating.preference.rawValue)),
        ]
        if !rating.scoresA.isEmpty {
            fields.append(("scores_a", .array(rating.scoresA.map { .number(Double($0)) })))
            fields.append(("scores_b", .array(rating.scoresB.map { .number(Double($0)) })))
        }
        return .object(fields)
    }

    static func skipLine(item: Int, review: OpenReview) -> JSONValue {
        .object([("review", .string(review.id)), ("item", .number(Double(item + 1))), ("id", .string(review.items[item].id)),
                 ("skipped", .bool(true))])
    }

    /// The review lines of `outputs` that belong to review `id`, in order; lines of other reviews
    /// and other metrics are left out.
    static func entries(in outputs: [CellOutput], review id: String) -> [Entry] {
        var entries: [Entry] = []
        for output in outputs where output.kind == .metrics {
            for case .success(let record) in output.metricsRecords() where record["review"]?.stringValue == id {
                if let entry = entry(record) { entries.append(entry) }
            }
        }
        return entries
    }

    /// Reads one line (nil when it is not a review line).
    static func entry(_ record: JSONValue) -> Entry? {
        if let seedText = record["key_seed"]?.stringValue, let seed = UInt64(seedText) {
            return .key(seed: seed, aIs: record["a_is"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        guard let item = record["item"]?.intValue, item >= 1 else { return nil }
        if record["skipped"]?.boolValue == true { return .skip(item: item - 1) }
        guard let rater = record["rater"]?.stringValue, let preference = record["preference"]?.stringValue.flatMap({ Preference(rawValue: $0) }) else { return nil }
        let scores = { (key: String) in record[key]?.arrayValue?.compactMap(\.intValue) ?? [] }
        return .rating(BlindRating(rater: rater, item: item - 1, preference: preference, scoresA: scores("scores_a"), scoresB: scores("scores_b")))
    }

    /// The key seed of every review that ended in `document`, by review id: a replay knows the
    /// key from the start (it is in the notebook), so `review export` before the end writes the
    /// same page again.
    static func keys(in document: NotebookDocument) -> [String: UInt64] {
        var keys: [String: UInt64] = [:]
        for cell in document.cells {
            for output in cell.outputs where output.kind == .metrics {
                for case .success(let record) in output.metricsRecords() {
                    if let id = record["review"]?.stringValue, case .key(let seed, _)? = entry(record) { keys[id] = seed }
                }
            }
        }
        return keys
    }
}
