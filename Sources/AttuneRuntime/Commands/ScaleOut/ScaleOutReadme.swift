import Foundation

/// README.md of `export trl` and `export axolotl`: where the base comes from, the data, how to
/// launch, every setting (marking those the notebook set) and what the tool lacks.
enum ScaleOutReadme {
    enum Tool { case trl, axolotl }

    static func trl(_ e: ScaleOutExport) -> String {
        var text = """
            # \(e.modelName) · \(e.method.summary) — exported by Attune for TRL

            Written by `export trl`. `train.py` runs TRL's `SFTTrainer`\(e.isAdapter ? " with a PEFT `LoraConfig`" : " (full fine-tuning)")\
            \(e.method.method == .qlora ? " on a 4-bit NF4 base (BitsAndBytes, CUDA only; on CPU it trains LoRA on the full-precision base)" : ""); \
            every setting is in `config.json`.

            ## Base model

            \(e.baseParagraph)

            ## Data

            \(e.splitSentence) TRL reads these files as they are; Attune's chat template is in `config.json` \
            (`chat_template`) with `{% generation %}` markers so TRL trains the same tokens Attune trained.

            ## Launch

            ```sh
            pip install -r requirements.txt
            # one machine, one process
            python train.py
            # one machine, several GPUs (data parallel; set num_processes to the GPU count)
            accelerate launch --config_file accelerate_config.yaml train.py
            # the same with torchrun
            torchrun --nproc_per_node 2 train.py
            # DeepSpeed ZeRO-2 (sharded optimizer state and gradients)
            accelerate launch --config_file accelerate_deepspeed.yaml train.py
            # several nodes: on each node (machine_rank 0..N-1)
            accelerate launch --num_machines 2 --machine_rank 0 --main_process_ip HOST --main_process_port 29500 --num_processes 16 train.py
            # this CPU, two processes (gloo; accelerate's own multi-CPU launch needs mpirun): what Scripts/check-scale-out runs
            torchrun --nproc_per_node 2 train.py --max-steps 8 --batch 1
            ```

            The adapter lands in `out/adapter` (PEFT: `adapter_config.json`, `adapter_model.safetensors`) and the loss of \
            every logged step in `out/losses.jsonl`. Back in Attune: `adapter load "out/adapter"`, then `eval` and `compare`.

            Data parallel with N processes multiplies the effective batch by N (batch × accum × N): to keep Attune's \
            effective batch, divide `gradient_accumulation_steps` (or `per_device_train_batch_size`) by N in `config.json`.

            """
        text += settingsSection(e, tool: .trl)
        text += differences(e, tool: .trl)
        return text
    }

    static func axolotl(_ e: ScaleOutExport) -> String {
        var text = """
            # \(e.modelName) · \(e.method.summary) — exported by Attune for Axolotl

            Written by `export axolotl`: `config.yml` is the same run as an Axolotl config.

            ## Base model

            \(e.baseParagraph)

            ## Data

            \(e.splitSentence) `config.yml` reads them with `type: chat_template` and Attune's chat template \
            (`chat_template_jinja`), training only assistant turns unless the notebook trained on every token.

            ## Launch

            ```sh
            pip install axolotl
            axolotl preprocess config.yml
            accelerate launch --num_processes 2 -m axolotl.cli.train config.yml
            # or, with Axolotl's own launcher
            axolotl train config.yml --launcher torchrun -- --nproc_per_node 2
            ```

            The adapter lands in `out/` (PEFT format). Back in Attune: `adapter load "out"`, then `eval` and `compare`.

            """
        text += settingsSection(e, tool: .axolotl)
        text += differences(e, tool: .axolotl)
        return text
    }

    static func settingsSection(_ e: ScaleOutExport, tool: Tool) -> String {
        var text = """

            ## Settings

            Every Attune setting, its value, and where it went (**set** marks those the notebook set; the rest are Attune's defaults).

            | Attune | value | set | \(tool == .trl ? "TRL / PEFT" : "Axolotl") |
            |---|---|---|---|
            | method | `\(e.method.summary)` | \(e.method.isChosen ? "**set**" : "") | \(tool == .trl ? "`LoraConfig` (r, lora_alpha, target_modules, use_rslora), `quantization`" : "adapter, lora_r, lora_alpha, lora_target_modules, peft_use_rslora, load_in_4bit") |

            """
        for line in e.settingLines {
            let row = ScaleOutMapping.row(line.key)
            let target = tool == .trl ? row?.trl : row?.axolotl
            let cell: String = switch target {
            case .fields(let names)?: names.map { "`\($0)`" }.joined(separator: ", ")
            case .noEquivalent(let reason)?: "no equivalent: \(reason)"
            case nil: "no equivalent"
            }
            text += "| \(line.key) | `\(line.value)` | \(line.set ? "**set**" : "") | \(cell) |\n"
        }
        return text + "\n"
    }

    static func differences(_ e: ScaleOutExport, tool: Tool) -> String {
        var text = "## Where the runs differ\n\n"
        let lacking = ScaleOutMapping.rows.compactMap { row in (tool == .trl ? row.trl : row.axolotl).reason.map { (row.key, $0) } }
        if !lacking.isEmpty {
            text += "Settings \(tool == .trl ? "TRL" : "Axolotl") lacks: "
                + lacking.map { "`\($0.0)` (\($0.1))" }.joined(separator: "; ") + ".\n\n"
        }
        for key in ScaleOutMapping.caveats.keys.sorted() {
            text += "- `\(key)`: \(ScaleOutMapping.caveats[key]!)\n"
        }
        text += """
            - Data order: Attune shuffles with its own seeded generator; transformers' sampler shuffles with `data_seed` \
            (torch's generator), so the same seed gives a different order and the first losses differ by batch.
            - Initialisation: PEFT initialises LoRA A with torch's Kaiming-uniform generator, Attune with its own; B is zero \
            in both, so both runs start from the base model's loss.
            - Dropout masks come from different generators.
            - Distributed data parallel: each process takes its share of every batch, so the effective batch is multiplied \
            by the number of processes.

            """
        if e.chatTemplate == nil {
            text += "- The model's chat template is not ChatML: the tokenizer's own template is used, and assistant-only loss needs "
                + "`{% generation %}` markers in it (TRL raises otherwise).\n"
        }
        return text
    }
}
