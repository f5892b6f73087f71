import Foundation
import Training

/// `checkpoint keep DIR`: while training, the last checkpoint and the best one by validation loss
/// are kept in `DIR` (`last.safetensors`, `best.safetensors`), each written atomically, so a crash
/// or an overfitting run never costs more than the steps since the last validation.
public final class KeptCheckpoints {
    /// The folder, resolved.
    public let folder: URL
    /// The folder as the user wrote it (shown in messages and notebooks).
    public let written: String
    /// The best validation loss saved so far and its step.
    public private(set) var best: (loss: Double, step: Int)?

    init(folder: URL, written: String) {
        self.folder = folder
        self.written = written
    }

    var lastURL: URL { folder.appendingPathComponent("last.safetensors") }
    var bestURL: URL { folder.appendingPathComponent("best.safetensors") }

    /// Saves `last`, and `best` when `validationLoss` improves on every earlier one. Returns a line
    /// to show when a new best was kept.
    func update(_ training: TrainingState, validationLoss: Double?) throws -> String? {
        var checkpoint = try TrainingCheckpoint(trainer: training.trainer, adapter: training.adapter)
        checkpoint.state.plannedSteps = training.plannedSteps
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try checkpoint.save(to: lastURL)
        } catch {
            throw CommandError("WriteError", "cannot keep checkpoints in \(written): \(error) (choose another folder with checkpoint keep DIR, or checkpoint keep off)")
        }
        guard let loss = validationLoss, loss.isFinite, loss < (best?.loss ?? .infinity) else { return nil }
        do { try checkpoint.save(to: bestURL) } catch {
            throw CommandError("WriteError", "cannot write \(written)/best.safetensors: \(error)")
        }
        best = (loss, training.trainer.step)
        return String(format: "kept best checkpoint: step %d, val loss %.4f → %@/best.safetensors", training.trainer.step, loss, written)
    }
}

/// `checkpoint keep DIR|off`.
struct CheckpointKeepCommand: RuntimeCommand {
    let spec = StandardSpec.named("checkpoint keep")
    let schema = ArgumentSchema([.positional("path", .path, "the folder for last.safetensors and best.safetensors, or off")])
    let help = CommandHelp("""
        From now on, every validation during train (eval_every steps, and the end of each train) writes \
        the run's full checkpoint to DIR/last.safetensors, and to DIR/best.safetensors when the validation \
        loss is the lowest so far. Either file continues the run with resume. checkpoint keep off stops.
        """, examples: ["checkpoint keep \"out/support-run\"", "checkpoint keep off"])

    func run(_ context: CommandContext) throws {
        guard let written = context.arguments.word("path") else { return }
        if written == "off" {
            context.session.keptCheckpoints = nil
            context.result("checkpoints are no longer kept")
            return
        }
        let url = try context.resolvePath(written, argument: "path")
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw CommandError("InvalidValue", "\(written) is a file; checkpoint keep needs a folder (it writes last.safetensors and best.safetensors)",
                               at: context.range(of: "path"))
        }
        context.session.keptCheckpoints = KeptCheckpoints(folder: url, written: written)
        context.result("keeping the last and the best checkpoint (by validation loss) in \(written)"
                       + (context.session.split?.validation.isEmpty ?? true ? "; no validation split yet, so only last (data split makes one)" : ""))
    }
}
