import AttuneNotebook
import Foundation
import TensorCore

/// `attune verify`: replay a notebook in a fresh session and compare every recorded output with
/// the replay's, using the notebook's tolerances and sanitizers. The replay runs in the numerics
/// mode the notebook was recorded in (or `numerics`); when a notebook recorded in `fast` numerics
/// fails, the report says why its bits may differ here and how to make it verify everywhere.
public enum NotebookVerification {
    public struct Outcome {
        public var report: VerificationReport
        public var replayed: NotebookDocument
        /// The recording with mismatched cells' outputs replaced and the `numerics` key of the
        /// replay (`--fix`).
        public var fixed: NotebookDocument
        /// The numerics mode the replay ran in.
        public var numerics: NumericsMode
        /// True when the recording's `numerics` key does not name that mode (missing, or another
        /// mode given with `--numerics`): `--fix` then rewrites the front matter even when every
        /// output matched.
        public var numericsChanged: Bool
    }

    /// `registry` holds the commands cells may use (see `NotebookReplayer.registry`); `warn` hears about data files that changed since the recording (see `NotebookReplayer.warn`);
    /// `numerics` overrides the recorded mode; `allowsNetwork` lets cells use the network (`--allow-network`); `notebook` names the file in the report's notes.
    public static func verify(_ recorded: NotebookDocument, folder: URL, allowedPaths: [URL] = [],
                              numerics: NumericsMode? = nil, notebook: String = "NB",
                              registry: CommandRegistry = .standard, allowsNetwork: Bool = false,
                              warn: ((String) -> Void)? = nil) -> Outcome {
        var replayer = NotebookReplayer(folder: folder, allowedPaths: allowedPaths, registry: registry)
        replayer.allowsNetwork = allowsNetwork
        replayer.warn = warn
        replayer.numerics = numerics
        let mode = numerics ?? NumericsProvenance.recordedMode(recorded)
        let replayed = replayer.replay(recorded).document
        let verifier = NotebookVerifier(recorded: recorded, recordedFolder: folder, replayedFolder: folder)
        var report = verifier.verify(recorded: recorded, replayed: replayed)
        if !report.passed, let note = NumericsProvenance.verifyNote(recorded: recorded.frontMatter?.numerics, ran: mode, notebook: notebook) {
            report.notes.append(note)
        }
        var fixed = verifier.fixing(recorded: recorded, replayed: replayed, report: report)
        if fixed.frontMatter != nil { fixed.frontMatter?.numerics = replayed.frontMatter?.numerics ?? NumericsProvenance.current(mode: mode) }
        return Outcome(report: report, replayed: replayed, fixed: fixed, numerics: mode,
                       numericsChanged: recorded.frontMatter.map { $0.numerics?.mode != mode.rawValue } ?? false)
    }
}
