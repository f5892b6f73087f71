import AttuneNotebook
import Essentials
import Evaluation
import Foundation

/// A rater's ratings as the review page saves them (`review import` reads them):
///
///     {"format": "attune-review-ratings/1", "review": "r1a2b3c4", "rater": "ann",
///      "rubric": ["accuracy", "tone", "completeness"],
///      "ratings": [{"item": 1, "id": "val:12", "digest": "9f2c…", "preference": "a", "scores_a": [4, 3, 5], "scores_b": [2, 3, 3]}, …]}
///
/// Items are numbered from 1 as on the page; `preference` is `a`, `b` or `tie` in the page's
/// blinded terms; scores are optional (both or neither), one per criterion. Skipped items are
/// simply absent. `digest` (pages written since the 16th session; optional) fingerprints the two
/// replies the rater saw (`digest(of:)`), so an import can tell when they have changed since.
enum ReviewRatingFile {
    static let format = "attune-review-ratings/1"

    /// The rater and ratings of `data` (the file `name`), checked against `review`; the error
    /// names the file, the place in it and the fix.
    /// The fingerprint of an item's two replies, whichever side each was shown on: 16 hex digits
    /// of the SHA-256 of the two texts in code-point order, joined by a NUL.
    static func digest(of outputs: [String]) -> String {
        String(ContentHash.sha256Hex(Data(outputs.sorted().joined(separator: "\u{0}").utf8)).prefix(16))
    }

    /// The rater, the ratings, and the numbers (from 1) of the items whose rating carries a
    /// `digest` that the review's current replies no longer match.
    static func read(_ data: Data, name: String, review: OpenReview) throws -> (rater: String, ratings: [BlindRating], changed: [Int]) {
        func bad(_ message: String) -> CommandError { CommandError("InvalidRatings", "\(name): \(message)") }
        let root: JSONValue
        do { root = try JSONValue.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw bad("not JSON (\(error)); save the ratings again from the review page")
        }
        guard root.objectValue != nil else { throw bad("expected a JSON object saved by the review page, found \(root.typeDescription)") }
        guard root["format"]?.stringValue == format else {
            throw bad("format must be \"\(format)\" (found \(root["format"].map { $0.text() } ?? "none")): save it from the page `review export` wrote")
        }
        guard let reviewID = root["review"]?.stringValue, reviewID == review.id else {
            throw bad("these ratings belong to review \(root["review"]?.stringValue ?? "(none)"), the open review is \(review.id): "
                      + "import files saved from this review's page")
        }
        guard let rater = root["rater"]?.stringValue?.trimmingCharacters(in: .whitespaces), !rater.isEmpty else {
            throw bad("\"rater\" must name the rater (a non-empty text)")
        }
        guard let rubric = root["rubric"]?.arrayValue?.compactMap(\.stringValue), rubric == review.rubric.names else {
            throw bad("the rubric must be [\(review.rubric.names.joined(separator: ", "))] as on the page, found \(root["rubric"].map { $0.text() } ?? "none")")
        }
        guard let list = root["ratings"]?.arrayValue else { throw bad("\"ratings\" must be a list of ratings") }
        var ratings: [BlindRating] = []
        var seen = Set<Int>()
        var changed: [Int] = []
        for (index, entry) in list.enumerated() {
            let place = "ratings[\(index)]"
            guard let item = entry["item"]?.intValue, review.items.indices.contains(item - 1) else {
                throw bad("\(place).item must be an item number 1…\(review.items.count), found \(entry["item"].map { $0.text() } ?? "none")")
            }
            if let id = entry["id"]?.stringValue, id != review.items[item - 1].id {
                throw bad("\(place): item \(item) is \(review.items[item - 1].id) in this review, the file says \(id)")
            }
            guard seen.insert(item).inserted else { throw bad("\(place): item \(item) is rated twice; keep one rating per item") }
            if let digest = entry["digest"]?.stringValue, digest != Self.digest(of: review.items[item - 1].outputs) { changed.append(item) }
            guard let text = entry["preference"]?.stringValue, let preference = Preference(rawValue: text) else {
                throw bad("\(place).preference must be \"a\", \"b\" or \"tie\", found \(entry["preference"].map { $0.text() } ?? "none")")
            }
            func scores(_ key: String) throws -> [Int] {
                guard let value = entry[key], value != .null else { return [] }
                guard let array = value.arrayValue else { throw bad("\(place).\(key) must be a list of scores") }
                return try array.map { score in
                    guard let number = score.intValue else { throw bad("\(place).\(key) must hold whole numbers 1–5, found \(score.text())") }
                    return number
                }
            }
            let rating = BlindRating(rater: rater, item: item - 1, preference: preference, scoresA: try scores("scores_a"), scoresB: try scores("scores_b"))
            var check = review
            do { try check.record(rating) } catch { throw bad("\(place): \(error)") }
            ratings.append(rating)
        }
        return (rater, ratings, changed)
    }

    /// The items as the page shows them, one JSON object a line:
    /// `{"item": 1, "id": "val:12", "category": "billing", "prompt": "…", "a": "…", "b": "…", "digest": "…"}`.
    static func itemLines(_ review: OpenReview, assignment: BlindAssignment) -> [JSONValue] {
        review.items.enumerated().map { index, item in
            .object([
                ("item", .number(Double(index + 1))), ("id", .string(item.id)),
                ("category", item.category.map(JSONValue.string) ?? .null), ("prompt", .string(item.prompt)),
                ("a", .string(item.outputs[assignment.modelIndex(item: index, label: .a)])),
                ("b", .string(item.outputs[assignment.modelIndex(item: index, label: .b)])),
                ("digest", .string(digest(of: item.outputs))),
            ])
        }
    }
}
