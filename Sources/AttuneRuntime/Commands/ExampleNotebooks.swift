/// The example notebooks shipped in `Notebooks/`, in course order, for `help notebooks`.
///
/// Kept in sync with the folder by `ExampleNotebooksTests` (every entry exists, every
/// `Notebooks/*.attune.md` is listed) and with `Notebooks/README.md`'s table by hand (the README
/// says more: what each one shows in detail). Minutes are the replay time on 2 cores as quoted there.
enum ExampleNotebooks {
    struct Entry {
        /// File name in `Notebooks/`.
        let file: String
        /// The question it answers.
        let question: String
        /// "tiny" (built in, seconds, verified in CI) or the real model it loads.
        let model: String
        /// Replay time on 2 cores, as in the README ("<1", "0.5", "5.5").
        let minutes: String
    }

    static let all: [Entry] = [
        Entry(file: "tiny-model.attune.md", question: "How do I build a model, set hyperparameters and look inside?", model: "tiny", minutes: "<1"),
        Entry(file: "quickstart.attune.md", question: "Can LoRA teach SmolLM2-135M to triage tickets as JSON, end to end?", model: "SmolLM2-135M", minutes: "4.4"),
        Entry(file: "data-doctor.attune.md", question: "Is my data fit to train on, and how do I clean it?", model: "tiny", minutes: "<1"),
        Entry(file: "method.attune.md", question: "Full fine-tuning, LoRA or QLoRA: what does each cost in memory and time, and what does it learn?", model: "SmolLM2-135M", minutes: "10.8"),
        Entry(file: "learning-rate.attune.md", question: "Which learning rate suits SmolLM2 with LoRA, below, in and above the guide's range, over three seeds?", model: "SmolLM2-135M", minutes: "9.6"),
        Entry(file: "learning-rate-tiny.attune.md", question: "What shapes do too-low, good and too-high learning rates give the loss (on the toy model)?", model: "tiny", minutes: "0.5"),
        Entry(file: "schedules.attune.md", question: "Constant, linear or cosine, and warmup or not: what does the schedule do to a short LoRA run?", model: "SmolLM2-135M", minutes: "7.5"),
        Entry(file: "batch-size.attune.md", question: "For the same tickets, do small or large batches learn more, and is accumulation the same as a larger batch?", model: "SmolLM2-135M", minutes: "7"),
        Entry(file: "batch-size-tiny.attune.md", question: "What do batch size and gradient accumulation change (on the toy model)?", model: "tiny", minutes: "<1"),
        Entry(file: "lora-rank.attune.md", question: "Does LoRA rank matter once alpha/r is fixed, and what does alpha do?", model: "SmolLM2-135M", minutes: "7.8"),
        Entry(file: "lora-rank-tiny.attune.md", question: "How much LoRA rank does a task need (on the toy model, alpha = 2r)?", model: "tiny", minutes: "<1"),
        Entry(file: "data-quality.attune.md", question: "Do wrong labels, duplicates or fewer examples hurt a short fine-tune, and which of them does data check catch?", model: "SmolLM2-135M", minutes: "8.9"),
        Entry(file: "train-on.attune.md", question: "Should the loss count the prompt, how long must seq be, and does packing help?", model: "SmolLM2-135M", minutes: "12"),
        Entry(file: "regularization.attune.md", question: "After how many epochs does a small set overfit, and do dropout or weight decay prevent it?", model: "SmolLM2-135M", minutes: "10"),
        Entry(file: "overfitting.attune.md", question: "When does training start to overfit, and how does early stopping help?", model: "tiny", minutes: "<1"),
        Entry(file: "bf16-numerics.attune.md", question: "Does the same run in bf16 match fp32?", model: "tiny", minutes: "<1"),
        Entry(file: "scripting.attune.md", question: "How do I loop over settings, write a function and assert a result?", model: "tiny", minutes: "<1"),
        Entry(file: "inspecting-tensors.attune.md", question: "What did training change inside the model?", model: "tiny", minutes: "<1"),
        Entry(file: "attention-smollm2.attune.md", question: "How does the quickstart adapter change SmolLM2's attention?", model: "SmolLM2-135M", minutes: "0.3"),
        Entry(file: "sentiment-eval.attune.md", question: "How good is a classifier, per class and per category?", model: "tiny", minutes: "<1"),
        Entry(file: "review-tiny.attune.md", question: "How do I run a blind human review of base vs tuned?", model: "tiny", minutes: "<1"),
        Entry(file: "review.attune.md", question: "Do human raters prefer the quickstart adapter, and do they agree?", model: "SmolLM2-135M", minutes: "4.2"),
        Entry(file: "forgetting.attune.md", question: "Does fine-tuning make the model forget, and does mixing in general data help?", model: "SmolLM2-135M", minutes: "5.7"),
        Entry(file: "serve.attune.md", question: "How do I roll an adapter out: shadow mode, a canary, a rollback?", model: "SmolLM2-135M", minutes: "2.8"),
        Entry(file: "scale-out.attune.md", question: "How do I hand a run to a GPU trainer and bring the adapter back?", model: "SmolLM2-135M", minutes: "0.2"),
    ]

    /// The `help notebooks` text: one line per notebook (file, model, minutes, question).
    static var helpText: String {
        let fileWidth = all.map(\.file.count).max() ?? 20
        let modelWidth = all.map(\.model.count).max() ?? 4
        var lines = ["Example notebooks in Notebooks/ (a course, in order; attune run Notebooks/FILE replays one,",
                     "Notebooks/README.md says what each shows; minutes on 2 cores; tiny = the built-in toy model, verified in CI):"]
        for entry in all {
            lines.append("  " + entry.file.padding(toLength: fileWidth, withPad: " ", startingAt: 0) + "  "
                         + entry.model.padding(toLength: modelWidth, withPad: " ", startingAt: 0) + "  "
                         + (entry.minutes + " min").padding(toLength: 7, withPad: " ", startingAt: 0) + "  " + entry.question)
        }
        return lines.joined(separator: "\n")
    }
}
