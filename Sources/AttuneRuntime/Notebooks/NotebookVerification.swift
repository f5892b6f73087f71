import AttuneNotebook
import Foundation

/// `attune verify`: replay a notebook in a fresh session and compare every recorded output with
/// the replay's, using the notebook's tolerances and sanitizers.
public enum NotebookVerification {
    public struct Outcome {
        public var report: VerificationReport
        public var replayed: NotebookDocument
        /// The recording with mismatched cells' outputs replaced (`--fix`).
        public var fixed: NotebookDocument
    }

    /// `warn` hears about data files that changed since the recording (see `NotebookReplayer.warn`).
    public static func verify(_ recorded: NotebookDocument, folder: URL, allowedPaths: [URL] = [],
                              warn: ((String) -> Void)? = nil) -> Outcome {
        var replayer = NotebookReplayer(folder: folder, allowedPaths: allowedPaths)
        replayer.warn = warn
        let replayed = replayer.replay(recorded).document
        let verifier = NotebookVerifier(recorded: recorded, recordedFolder: folder, replayedFolder: folder)
        let report = verifier.verify(recorded: recorded, replayed: replayed)
        return Outcome(report: report, replayed: replayed, fixed: verifier.fixing(recorded: recorded, replayed: replayed, report: report))
    }
}
