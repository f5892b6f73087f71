import AttuneLanguage
import Foundation
import Training

/// `checkpoint save PATH`: the run's full state in one safetensors file.
struct CheckpointSaveCommand: RuntimeCommand {
    let spec = StandardSpec.named("checkpoint save")
    let schema = ArgumentSchema([.positional("path", .path, "the checkpoint file to write (.safetensors)")])
    let help = CommandHelp("""
        Saves everything the current run needs to continue exactly: trainable weights (adapter or full), \
        optimizer moments and step count, the schedule position, the data cursor, the loss history and \
        the dropout generators, in one safetensors file written atomically. `resume PATH` in a session \
        set up the same way (model, data, split, method, set) continues with identical losses.
        """, examples: ["checkpoint save \"out/step50.safetensors\""])

    func run(_ context: CommandContext) throws {
        guard let written = context.arguments.word("path") else { return }
        let url = try context.resolvePath(written, argument: "path")
        guard let training = context.session.training else {
            throw CommandError("NoRun", "no training run to save: `train` first")
        }
        var checkpoint = try TrainingCheckpoint(trainer: training.trainer, adapter: training.adapter)
        checkpoint.state.plannedSteps = training.plannedSteps
        do { try checkpoint.save(to: url) } catch {
            throw CommandError("WriteError", "cannot write \(written): \(error)")
        }
        context.result("saved \(training.runName) at step \(training.trainer.step) to \(written) (\(NumberText.grouped(training.trainer.parameters.count)) trainable values, optimizer state, data position, generators)")
    }
}

/// `resume PATH`: continues a run from `checkpoint save`.
struct ResumeCommand: RuntimeCommand {
    let spec = StandardSpec.named("resume")
    let schema = ArgumentSchema([.positional("path", .path, "a checkpoint written by checkpoint save")])
    let help = CommandHelp("""
        Continues training from a checkpoint: set the session up as it was (model, data, split, method, \
        hyperparameters), then resume; the next `train` goes on with the same weights, optimizer moments, \
        schedule position and data order, so the losses are those of a run never interrupted.
        """, examples: ["resume \"out/step50.safetensors\""])

    func run(_ context: CommandContext) throws {
        guard let written = context.arguments.word("path") else { return }
        let url = try context.resolvePath(written, argument: "path")
        let session = context.session
        let checkpoint: TrainingCheckpoint
        do { checkpoint = try TrainingCheckpoint.load(from: url) } catch {
            throw CommandError("ReadError", "cannot read the checkpoint \(written): \(error)")
        }
        session.endTraining()
        let planned = checkpoint.state.plannedSteps ?? max(checkpoint.state.step, 1)
        let state = try TrainingState.make(session: session, plannedSteps: planned)
        do { try checkpoint.restore(into: state.trainer, adapter: state.adapter) } catch {
            state.adapter?.remove(from: state.trainer.model)
            throw CommandError("InvalidValue", "\(error)")
        }
        session.training = state
        session.runs.append(RunRecord(name: state.runName, settings: ["method": state.methodSummary, "resumed": written]))
        context.result("resumed \(state.runName) at step \(state.trainer.step) of \(planned) from \(written) (\(state.methodSummary))")
    }
}
