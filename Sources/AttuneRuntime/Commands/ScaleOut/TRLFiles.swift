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
    static func config(_ e: ScaleOutExport) -> [String: Any] {
        let h = e.hyperparameters
        let lr = h.lr, minLR = h.minLR
        let evalEvery = h.evalEvery
        let hasValidation = e.counts.validation > 0
        let patience = h.patience
        let steps = h.steps
        var sft: [String: Any] = [
            "output_dir": "out",
            "learning_rate": lr,
            "per_device_train_batch_size": h.batch,
            "per_device_eval_batch_size": h.batch,
            "gradient_accumulation_steps": h.accum,
            "max_length": h.seq,
            "num_train_epochs": h.epochs,
            "max_steps": steps > 0 ? steps : -1,
            "lr_scheduler_type": ScaleOutMapping.trlScheduler(h.schedule, minLR: minLR),
            "weight_decay": h.weightDecay,
            "max_grad_norm": h.gradClip,
            "seed": Int(h.seed),
            "data_seed": Int(h.seed),
            "logging_steps": h.logEvery,
            "optim": ScaleOutMapping.trlOptimizer(h.optimizer),
            "adam_beta1": h.beta1,
            "adam_beta2": h.beta2,
            "gradient_checkpointing": h.checkpointing,
            "packing": h.pack,
            "load_best_model_at_end": h.restoreBest && patience > 0 && evalEvery > 0 && hasValidation,
            "report_to": "none",
            "save_strategy": "no",
            "dataset_num_proc": 1,
        ]
        let warmup = e.warmup
        if let steps = warmup.steps { sft["warmup_steps"] = steps }
        if let ratio = warmup.ratio { sft["warmup_ratio"] = ratio }
        if sft["lr_scheduler_type"] as? String == "cosine_with_min_lr" { sft["lr_scheduler_kwargs"] = ["min_lr": minLR] }
        if evalEvery > 0 && hasValidation {
            sft["eval_strategy"] = "steps"
            sft["eval_steps"] = evalEvery
        } else {
            sft["eval_strategy"] = "no"
        }
        if sft["load_best_model_at_end"] as? Bool == true {
            sft["save_strategy"] = "steps"
            sft["save_steps"] = evalEvery
            sft["metric_for_best_model"] = "eval_loss"
            sft["greater_is_better"] = false
        }
        let completionsOnly = h.trainOn == .completions
        sft["assistant_only_loss"] = completionsOnly && e.dataFormat == "messages"
        sft["completion_only_loss"] = completionsOnly && e.dataFormat == "prompt/completion"

        var config: [String: Any] = [
            "model": e.baseReference,
            "attune_model": ["name": e.modelName, "origin": e.modelOrigin],
            "method": e.method.method.rawValue,
            "data": ["train": "data/train.jsonl", "validation": e.counts.validation > 0 ? "data/validation.jsonl" as Any : NSNull(),
                     "format": e.dataFormat, "split_seed": e.split.map { Int($0.seed) as Any } ?? NSNull()] as [String: Any],
            "sft": sft,
            "early_stopping": patience > 0 && evalEvery > 0 && hasValidation
                ? ["early_stopping_patience": patience, "early_stopping_threshold": h.minDelta] as [String: Any] as Any : NSNull(),
            "chat_template": e.chatTemplate.map { $0 as Any } ?? NSNull(),
            "settings": settings(e),
        ]
        if e.isAdapter {
            var lora: [String: Any] = [
                "r": e.method.rank, "lora_alpha": e.method.alpha, "lora_dropout": h.dropout,
                "target_modules": e.isAllLinear ? "all-linear" as Any : e.targets as Any,
                "use_rslora": e.method.rsLoRA, "bias": "none", "task_type": "CAUSAL_LM",
            ]
            if e.method.method == .qlora { lora["init_lora_weights"] = true }
            config["lora"] = lora
        } else {
            config["lora"] = NSNull()
        }
        config["quantization"] = e.method.method == .qlora
            ? ["load_in_4bit": true, "bnb_4bit_quant_type": "nf4", "bnb_4bit_use_double_quant": true, "bnb_4bit_compute_dtype": "bfloat16"] as [String: Any] as Any
            : NSNull()
        return config
    }

    /// Every Attune setting with its value, whether the notebook set it, and where it went.
    static func settings(_ e: ScaleOutExport) -> [String: Any] {
        var out: [String: Any] = [:]
        for line in e.settingLines {
            var entry: [String: Any] = ["value": line.value, "set_in_notebook": line.set]
            if let row = ScaleOutMapping.row(line.key) {
                switch row.trl {
                case .fields(let names): entry["trl"] = names
                case .noEquivalent(let reason): entry["trl_no_equivalent"] = reason
                }
            }
            out[line.key] = entry
        }
        let m = e.method
        out["method"] = ["value": m.summary, "set_in_notebook": m.isChosen, "trl": ["peft_config", "quantization_config"]] as [String: Any]
        return out
    }

    static func json(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
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
