import AttuneLanguage
import Foundation

/// `export trl DIR [base=auto|include]`: the notebook's run as a TRL/PEFT folder a GPU machine
/// runs with accelerate or torchrun (data, config, script, requirements, README).
struct ExportTRLCommand: RuntimeCommand {
    let spec = StandardSpec.named("export trl")
    let schema = ArgumentSchema([
        .positional("path", .path, "a folder to write"),
        .keyed("base", .choice(["auto", "include"]), default: "auto",
               "include: write the base into DIR/base as a Hugging Face folder; auto: reference the loaded Hugging Face folder or the published SmolLM2, include otherwise"),
    ])
    let help = CommandHelp("""
        Writes the current run as a TRL folder: data/train.jsonl and data/validation.jsonl (after Attune's cleaning \
        and split), config.json with every setting in TRL's and PEFT's names, train.py (SFTTrainer with a PEFT \
        LoraConfig, BitsAndBytes 4-bit for qlora, Attune's chat template with {% generation %} markers for \
        assistant-only loss), accelerate and DeepSpeed ZeRO-2 configs, requirements.txt, and a README with the \
        launch commands and the settings TRL lacks. The PEFT adapter it trains comes back with `adapter load`.
        """, examples: ["export trl \"out/trl\"", "export trl \"out/trl\" base=include"])

    func run(_ context: CommandContext) throws {
        let export = try ScaleOutExport(context, command: "export trl", includeBase: context.arguments.word("base") == "include")
        try export.write("config.json", TRLFiles.json(TRLFiles.config(export)))
        try export.write("train.py", TRLTrainScript.text)
        try export.write("requirements.txt", TRLFiles.requirements)
        try export.write("accelerate_config.yaml", TRLFiles.accelerateConfig)
        try export.write("accelerate_deepspeed.yaml", TRLFiles.deepspeedAccelerateConfig)
        try export.write("deepspeed_zero2.json", TRLFiles.deepspeedZero2)
        try export.write("README.md", ScaleOutReadme.trl(export))
        var text = "wrote \(export.written): train.py, config.json, README.md, requirements.txt, accelerate_config.yaml, "
            + "accelerate_deepspeed.yaml, deepspeed_zero2.json, data (train \(export.counts.train)"
        if export.counts.validation > 0 { text += ", validation \(export.counts.validation)" }
        text += ")"
        if !export.includedBaseFiles.isEmpty { text += ", base (\(export.includedBaseFiles.count) files)" }
        text += " · base: \(export.baseReference) · \(export.method.summary)"
        text += "\nlaunch: cd \(export.written) && accelerate launch --num_processes 2 train.py"
        context.result(text)
    }
}
