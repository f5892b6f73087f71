import Essentials
import Foundation

/// The sidecar `NAME.review-key.json` beside the notebook `NAME.attune.md`: the key of the open
/// review (which model each item shows as A), kept out of the notebook until the review ends,
/// then deleted. `{"review": "r…", "notebook": "NAME.attune.md", "key_seed": "…", "a_is": […]}`.
enum ReviewKeyFile {
    /// The sidecar's place for a notebook.
    static func url(forNotebook notebook: URL) -> URL {
        var name = notebook.lastPathComponent
        for suffix in [".attune.md", ".md"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
            break
        }
        return notebook.deletingLastPathComponent().appendingPathComponent(name + ".review-key.json")
    }

    static func write(_ review: OpenReview, notebook: URL) throws {
        guard case .object(var fields)? = review.keyRecord() else { return }
        fields.insert(("notebook", .string(notebook.lastPathComponent)), at: 1)
        let text = JSONValue.object(fields).text(.pretty(indent: 2)) + "\n"
        let url = url(forNotebook: notebook)
        do { try AtomicFile.replace(url.path, with: Data(text.utf8)) } catch {
            throw CommandError("CannotWrite", "cannot write the review key \(url.path): \(error); the review did not start")
        }
    }

    /// The key seed of review `id` from the sidecar.
    static func read(review id: String, notebook: URL) throws -> UInt64 {
        let url = url(forNotebook: notebook)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CommandError("NoReviewKey", "the review key \(url.lastPathComponent) is not beside the notebook: without it the ratings "
                               + "cannot be unblinded; put the file back (it was written when the review started)")
        }
        guard let record = try? JSONValue.parse(String(decoding: data, as: UTF8.self)),
              record["review"]?.stringValue == id,
              let seed = record["key_seed"]?.stringValue.flatMap({ UInt64($0) }) else {
            throw CommandError("NoReviewKey", "\(url.lastPathComponent) is not the key of review \(id) (another review's, or damaged): "
                               + "restore the file written when this review started")
        }
        return seed
    }

    static func remove(notebook: URL) {
        try? FileManager.default.removeItem(at: url(forNotebook: notebook))
    }
}
