import Essentials
import Foundation

/// The files of `export trl`: `config.json` (every setting, in TRL's and PEFT's names),
/// `train.py`, `accelerate_config.yaml`, `deepspeed_zero2.json`, `requirements.txt`, `README.md`.
enum TRLFiles {
    /// Versions the check script ran with (`Scripts/check-scale-out`).
    static let requirements = """
        # Versions Scripts/check-scale-out ran the exported folder with (CPU, two processes).
        # On GPUs install the CUDA build of torch for your driver, and bitsandbytes for QLoRA.
        torch==2.13.0
        transformers==5.24.0
        trl==1.16.0
        peft==0.21.2
        accelerate==1.15.0
        datasets==5.2.0
        safetensors>=0.4
        # bitsandbytes>=0.45   # QLoRA (method qlora), CUDA only

        """

    /// `config.json`: what `train.py` reads.
    static func config(_ e: ScaleOutExport) -> JSONValue {
        let h = e.hyperparameters
        let lr = h.lr, minLR = h.minLR
        let evalEvery = h.evalEvery
        let hasValidation = e.counts.validation > 0
        let patience = h.patience
        let steps = h.steps
        let scheduler = ScaleOutMapping.trlScheduler(h.schedule, minLR: minLR)
        let loadBest = h.restoreBest && patience > 0 && evalEvery > 0 && hasValidation
        var sft: JSONValue = [
            "output_dir": "out",
            "learning_rate": .number(lr),
            "per_device_train_batch_size": .int(h.batch),
            "per_device_eval_batch_size": .int(h.batch),
            "gradient_accumulation_steps": .int(h.accum),
            "max_length": .int(h.seq),
            "num_train_epochs": .number(h.epochs),
            "max_steps": .int(steps > 0 ? steps : -1),
            "lr_scheduler_type": .string(scheduler),
            "weight_decay": .number(h.weightDecay),
            "max_grad_norm": .number(h.gradClip),
            "seed": .number(Double(h.seed), text: String(h.seed)),
            "data_seed": .number(Double(h.seed), text: String(h.seed)),
            "logging_steps": .int(h.logEvery),
            "optim": .string(ScaleOutMapping.trlOptimizer(h.optimizer)),
            "adam_beta1": .number(h.beta1),
            "adam_beta2": .number(h.beta2),
            "gradient_checkpointing": .bool(h.checkpointing),
            "packing": .bool(h.pack),
            "load_best_model_at_end": .bool(loadBest),
            "report_to": "none",
            "save_strategy": "no",
            "dataset_num_proc": 1,
        ]
        let warmup = e.warmup
        if let steps = warmup.steps { sft = sft.setting("warmup_steps", to: .int(steps)) }
        if let ratio = warmup.ratio { sft = sft.setting("warmup_ratio", to: .number(ratio)) }
        if scheduler == "cosine_with_min_lr" { sft = sft.setting("lr_scheduler_kwargs", to: ["min_lr": .number(minLR)]) }
        if evalEvery > 0 && hasValidation {
            sft = sft.setting("eval_strategy", to: "steps").setting("eval_steps", to: .int(evalEvery))
        } else {
            sft = sft.setting("eval_strategy", to: "no")
        }
        if loadBest {
            sft = sft.setting("save_strategy", to: "steps").setting("save_steps", to: .int(evalEvery))
                .setting("metric_for_best_model", to: "eval_loss").setting("greater_is_better", to: false)
        }
        let completionsOnly = h.trainOn == .completions
        sft = sft.setting("assistant_only_loss", to: .bool(completionsOnly && e.dataFormat == "messages"))
            .setting("completion_only_loss", to: .bool(completionsOnly && e.dataFormat == "prompt/completion"))

        var config: JSONValue = [
            "model": .string(e.baseReference),
            "attune_model": ["name": .string(e.modelName), "origin": .string(e.modelOrigin)],
            "method": .string(e.method.method.rawValue),
            "data": ["train": "data/train.jsonl", "validation": e.counts.validation > 0 ? "data/validation.jsonl" : .null,
                     "format": .string(e.dataFormat), "split_seed": e.split.map { .number(Double($0.seed), text: String($0.seed)) } ?? .null],
            "sft": sft,
            "early_stopping": patience > 0 && evalEvery > 0 && hasValidation
                ? ["early_stopping_patience": .int(patience), "early_stopping_threshold": .number(h.minDelta)] : .null,
            "chat_template": .optional(e.chatTemplate),
            "settings": settings(e),
        ]
        if e.isAdapter {
            var lora: JSONValue = [
                "r": .int(e.method.rank), "lora_alpha": .number(e.method.alpha), "lora_dropout": .number(h.dropout),
                "target_modules": e.isAllLinear ? "all-linear" : .array(e.targets.map { .string($0) }),
                "use_rslora": .bool(e.method.rsLoRA), "bias": "none", "task_type": "CAUSAL_LM",
            ]
            if e.method.method == .qlora { lora = lora.setting("init_lora_weights", to: true) }
            config = config.setting("lora", to: lora)
        } else {
            config = config.setting("lora", to: .null)
        }
        config = config.setting("quantization", to: e.method.method == .qlora
            ? ["load_in_4bit": true, "bnb_4bit_quant_type": "nf4", "bnb_4bit_use_double_quant": true, "bnb_4bit_compute_dtype": "bfloat16"]
            : .null)
        return config
    }

    /// Every Attune setting with its value, whether the notebook set it, and where it went.
    static func settings(_ e: ScaleOutExport) -> JSONValue {
        var out: [(key: String, value: JSONValue)] = []
        for line in e.settingLines {
            var entry: JSONValue = ["value": .string(line.value), "set_in_notebook": .bool(line.set)]
            if let row = ScaleOutMapping.row(line.key) {
                switch row.trl {
                case .fields(let names): entry = entry.setting("trl", to: .array(names.map { .string($0) }))
                case .noEquivalent(let reason): entry = entry.setting("trl_no_equivalent", to: .string(reason))
                }
            }
            out.append((line.key, entry))
        }
        let m = e.method
        out.append(("method", ["value": .string(m.summary), "set_in_notebook": .bool(m.isChosen), "trl": ["peft_config", "quantization_config"]]))
        return .object(out)
    }

    /// Pretty JSON with sorted keys and a final newline.
    static func json(_ object: JSONValue) -> String {
        object.text(.pretty(indent: 2, sortedKeys: true)) + "\n"
    }

    static let accelerateConfig = """
        # accelerate launch --config_file accelerate_config.yaml train.py
        # One machine, data parallel over its GPUs; set num_processes to the GPU count.
        # Several nodes: set num_machines, machine_rank (0..N-1 per node), main_process_ip/port.
        compute_environment: LOCAL_MACHINE
        distributed_type: MULTI_GPU
        mixed_precision: bf16
        num_machines: 1
        machine_rank: 0
        num_processes: 2
        main_process_port: 29500
        rdzv_backend: static
        same_network: true
        use_cpu: false

        """

    static let deepspeedAccelerateConfig = """
        # accelerate launch --config_file accelerate_deepspeed.yaml train.py  (DeepSpeed ZeRO-2: sharded optimizer state and gradients)
        compute_environment: LOCAL_MACHINE
        distributed_type: DEEPSPEED
        deepspeed_config:
          deepspeed_config_file: deepspeed_zero2.json
          zero3_init_flag: false
        mixed_precision: bf16
        num_machines: 1
        machine_rank: 0
        num_processes: 2
        main_process_port: 29500

        """

    static let deepspeedZero2 = """
        {
          "zero_optimization": {"stage": 2, "overlap_comm": true, "contiguous_gradients": true, "reduce_bucket_size": "auto"},
          "bf16": {"enabled": "auto"},
          "gradient_accumulation_steps": "auto",
          "gradient_clipping": "auto",
          "train_batch_size": "auto",
          "train_micro_batch_size_per_gpu": "auto"
        }

        """
}
