import AttuneLanguage
import AttuneNotebook
import Datasets
import Evaluation
import Foundation
import TensorCore
import Training

/// Everything an Attune session knows: the seed and hyperparameters, the model, the fine-tuning
/// method, named results, runs, and where files may be read. The interpreter changes it only
/// through commands that have passed every check, so an error never loses state.
///
/// Not thread-safe: one session belongs to one interpreter on one thread. The stop flag is the
/// only part another thread (a signal handler) touches.
public final class Session {
    /// Every `set` key with its current value (the seed is the `seed` key). The `numerics` key is
    /// the process-wide `Numerics.mode`: any change here (`set`, a sweep, putting values back)
    /// switches it at once.
    public var hyperparameters: HyperparameterValues {
        didSet { if Numerics.mode != hyperparameters.numerics { Numerics.mode = hyperparameters.numerics } }
    }
    /// `method full|lora|qlora` and its settings.
    public var method: MethodSettings
    /// The model created or loaded, if any.
    public var model: SessionModel?
    /// Results named with `name = command` (`base = eval`).
    public var results: [String: NamedResult] = [:]
    /// Engine values (tensors, charts) that expression arguments of the running statement gave,
    /// by the argument's span: `plot hist(w)` reads its chart here.
    public var argumentValues: [SourceRange: ScriptValue] = [:]
    /// The variables and functions of the session (`let`, `fn`, `name = command`), shared by
    /// every cell.
    public let variables = Scope()
    /// Training runs, in order (filled by `train` and `sweep` once the trainer lands).
    public var runs: [RunRecord] = []
    /// The data file loaded with `data load`.
    public var dataPath: URL?
    /// The examples loaded with `data load`.
    public var dataset: Dataset?
    /// The split made with `data split` (indices into `dataset.examples`); nil: everything trains.
    public var split: DatasetSplit?
    /// The training state of the current method (adapter, optimizer, trainer, history); made by the
    /// first `train` after `method`/`model`/`data` changed, and dropped when they change.
    public var training: TrainingState?
    /// `checkpoint keep DIR`: where `train` keeps the last and the best checkpoint, if anywhere.
    public var keptCheckpoints: KeptCheckpoints?
    /// An adapter put on the model with `adapter load` (replaced by the next training run's).
    public var loadedAdapter: LoadedAdapter?
    /// Evaluations named with `name = eval` (what `compare name other` reads).
    public var evaluations: [String: EvaluationResult] = [:]
    /// The novelty calibration (`novelty calibrate`, `novelty load`): what `novelty score` and `eval` score with.
    public var novelty: NoveltyCalibration?
    /// The latest `eval general` of each state of the model, by `EvaluationRunner.probeKey`
    /// (`tiny, no adapter`; `tiny with adapter run1 (…) after step 40`): `compare`'s forgetting row.
    var generalProbes: [String: EvaluationResult] = [:]
    /// Metrics of every training run of the session, by run name (what `plot` draws).
    public var metrics = RunHistory()
    /// What relative paths mean and which files commands may touch.
    public var paths: PathPolicy
    /// Set by Ctrl-C; long commands stop at their next step boundary.
    public let stop: StopFlag
    /// Safe points reached in the current cell, where a stop happened, and where a replay stops.
    public var safePoints = SafePoints()
    /// Prints a stream line as soon as a command emits it (the REPL and `run` set it).
    public var liveStream: ((String) -> Void)?
    /// Told about every data file a command reads (`data load`), with the file's SHA-256 as hex:
    /// a recorder notes it in the notebook's front matter, so a replay can tell when the data
    /// changed. Called after the file loaded, before the command's result is recorded.
    public var dataFileObserver: ((_ url: URL, _ sha256: String) -> Void)?
    /// Told when a command makes or loads the model (`model new`, `model load`), after it
    /// succeeded: a recorder notes it in the front matter's `model` key.
    public var modelObserver: ((ModelProvenance) -> Void)?

    /// The blind review open or last finished (`review`), if any.
    public var review: OpenReview?
    /// Asks the person at the keyboard: shows the question, returns the answer line, nil at the
    /// end of input (the REPL reads it with its line editor, or from standard input; tests give
    /// canned answers). Nil: nobody to ask, so `review` cannot take ratings.
    public var ask: ((String) -> String?)?
    /// The notebook this session records to, if any (a review keeps its key beside it).
    public var notebookURL: URL?
    /// While a notebook replays, the recorded outputs of the running cell: a review takes the
    /// ratings recorded there instead of asking. Nil when live.
    public var recordedOutputs: [CellOutput]?
    /// Key seeds of the reviews that ended in the notebook being replayed, by review id.
    public var recordedReviewKeys: [String: UInt64] = [:]
    /// Draws the seed of a review's hidden A/B order: at random, so no rater can compute it from
    /// the notebook's seed (tests replace it).
    public var drawReviewKey: () -> UInt64 = { UInt64.random(in: .min ... .max) }

    /// The default seed when none is given (recorded in every notebook).
    public static let defaultSeed: UInt64 = 42

    /// A fresh session; it puts the process in `numerics` mode (the mode the process started in,
    /// or a replayed notebook's).
    public init(seed: UInt64 = Session.defaultSeed, numerics: NumericsMode = Numerics.initialMode,
                paths: PathPolicy = .unrestricted(), stop: StopFlag = StopFlag()) {
        hyperparameters = HyperparameterValues(seed: seed, numerics: numerics)
        method = MethodSettings()
        self.paths = paths
        self.stop = stop
        Numerics.mode = numerics
    }

    /// Forgets the current training run (the next `train` starts a new one), taking its adapter
    /// off the model so the base is as loaded.
    public func endTraining() {
        if let training {
            training.adapter?.remove(from: training.trainer.model)
            for (module, layer) in training.layersBeforeQuantization { training.trainer.model.linears[module] = layer }
        }
        training = nil
    }

    /// The adapter on the current model: the training run's, else one loaded with `adapter load`
    /// onto this very model (nil after another `model load`).
    public var adapter: LoRAAdapter? {
        if let trained = training?.adapter { return trained }
        guard let loaded = loadedAdapter, let model = model?.model, loaded.model === model else { return nil }
        return loaded.adapter
    }

    /// The session seed (`set seed=N`); every random stream derives from it by purpose.
    public var seed: UInt64 { hyperparameters.seed }
}

/// A result kept under a name: the statement that made it and what it printed.
public struct NamedResult: Sendable, Equatable {
    public var statement: String
    public var output: CommandOutput
}

/// One training run (written by the trainer once it lands; `compare` and `plot` read them).
public struct RunRecord: Sendable, Equatable {
    public var name: String
    public var settings: [String: String]
    public init(name: String, settings: [String: String]) {
        self.name = name
        self.settings = settings
    }
}
