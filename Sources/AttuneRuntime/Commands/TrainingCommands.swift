/// `train`, `sweep`, `checkpoint save` and `resume`.
enum TrainingCommands {
    static let all: [any RuntimeCommand] = [
        TrainCommand(),
        SweepCommand(),
        CheckpointSaveCommand(),
        CheckpointKeepCommand(),
        ResumeCommand(),
    ]
}
