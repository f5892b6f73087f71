/// `train.py` of `export trl`: reads `config.json` beside it; TRL's SFTTrainer with a PEFT
/// LoraConfig (BitsAndBytes 4-bit for QLoRA). Version differences of TRL/transformers are met by
/// passing only the SFTConfig fields the installed TRL knows (the rest are printed, not lost).
enum TRLTrainScript {
    static let text = #"""
        #!/usr/bin/env python3
        """Trains what an Attune notebook trained, with TRL's SFTTrainer (written by `export trl`).

        One process:   python train.py
        Several GPUs:  accelerate launch --config_file accelerate_config.yaml train.py
        torchrun:      torchrun --nproc_per_node 2 train.py
        CPU, 2 procs:  torchrun --nproc_per_node 2 train.py  (gloo; accelerate's multi-CPU launch needs mpirun)

        Options: --model PATH_OR_ID (overrides config.json's model), --output DIR, --max-steps N, --batch N.
        Every setting is in config.json; README.md lists what Attune set and what TRL lacks.
        """
        import argparse
        import dataclasses
        import json
        import os
        import sys

        import torch
        from datasets import load_dataset
        from transformers import AutoModelForCausalLM, AutoTokenizer, EarlyStoppingCallback, TrainerCallback, set_seed
        from trl import SFTConfig, SFTTrainer

        HERE = os.path.dirname(os.path.abspath(__file__))


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model")
            parser.add_argument("--output")
            parser.add_argument("--max-steps", type=int)
            parser.add_argument("--batch", type=int, help="per-process batch (divide Attune's by the process count to keep its effective batch)")
            args = parser.parse_args()
            with open(os.path.join(HERE, "config.json")) as f:
                config = json.load(f)
            rank = int(os.environ.get("RANK", "0"))

            model_ref = args.model or config["model"]
            if not os.path.isabs(model_ref) and os.path.isdir(os.path.join(HERE, model_ref)):
                model_ref = os.path.join(HERE, model_ref)
            sft = dict(config["sft"])
            sft["output_dir"] = args.output or os.path.join(HERE, sft["output_dir"])
            if args.max_steps is not None:
                sft["max_steps"] = args.max_steps
            if args.batch is not None:
                sft["per_device_train_batch_size"] = sft["per_device_eval_batch_size"] = args.batch
            set_seed(sft["seed"])

            tokenizer = AutoTokenizer.from_pretrained(model_ref)
            if config.get("chat_template"):
                # Renders exactly as Attune did, with {% generation %} around the trained tokens.
                tokenizer.chat_template = config["chat_template"]
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token

            cuda = torch.cuda.is_available()
            model_kwargs = {}
            if config.get("quantization"):
                if cuda:
                    from transformers import BitsAndBytesConfig
                    q = dict(config["quantization"])
                    q["bnb_4bit_compute_dtype"] = getattr(torch, q["bnb_4bit_compute_dtype"])
                    model_kwargs["quantization_config"] = BitsAndBytesConfig(**q)
                elif rank == 0:
                    print("attune: QLoRA needs CUDA for bitsandbytes; training LoRA on a full-precision base instead", flush=True)
            bf16 = cuda and torch.cuda.is_bf16_supported()
            if bf16:
                model_kwargs["dtype"] = torch.bfloat16
            sft["bf16"] = bf16  # recent TRL defaults to bf16, which a CPU cannot do
            if not cuda:
                sft["use_cpu"] = True  # under torchrun, WORLD_SIZE > 1 makes this a multi-CPU (gloo) data-parallel run
            model = AutoModelForCausalLM.from_pretrained(model_ref, **model_kwargs)

            peft_config = None
            if config.get("lora"):
                from peft import LoraConfig
                peft_config = LoraConfig(**config["lora"])

            files = {"train": os.path.join(HERE, config["data"]["train"])}
            if config["data"].get("validation"):
                files["validation"] = os.path.join(HERE, config["data"]["validation"])
            data = load_dataset("json", data_files=files)

            known = {f.name for f in dataclasses.fields(SFTConfig)}
            if "max_length" not in known and "max_seq_length" in known:
                sft["max_seq_length"] = sft.pop("max_length")
            if "warmup_ratio" in sft and "warmup_ratio" not in known:
                sft["warmup_steps"] = sft.pop("warmup_ratio")  # newer transformers: a float below 1 is a share
            if "eval_strategy" not in known and "evaluation_strategy" in known:
                sft["evaluation_strategy"] = sft.pop("eval_strategy")
            dropped = {k: v for k, v in sft.items() if k not in known}
            if dropped and rank == 0:
                print(f"attune: this TRL has no {sorted(dropped)}; they are not applied", flush=True)
            training_args = SFTConfig(**{k: v for k, v in sft.items() if k in known})

            callbacks = [LossLog(os.path.join(training_args.output_dir, "losses.jsonl"))] if rank == 0 else []
            if config.get("early_stopping"):
                callbacks.append(EarlyStoppingCallback(**config["early_stopping"]))

            trainer = SFTTrainer(
                model=model,
                args=training_args,
                train_dataset=data["train"],
                eval_dataset=data.get("validation"),
                processing_class=tokenizer,
                peft_config=peft_config,
                callbacks=callbacks,
            )
            trainer.train()
            if "validation" in data:
                metrics = trainer.evaluate()
                if rank == 0:
                    print(f"attune: validation loss {metrics.get('eval_loss')}", flush=True)
            adapter_dir = os.path.join(training_args.output_dir, "adapter" if peft_config else "model")
            trainer.save_model(adapter_dir)
            if trainer.is_world_process_zero():
                tokenizer.save_pretrained(adapter_dir)
                print(f"attune: saved {adapter_dir}", flush=True)


        class LossLog(TrainerCallback):
            """Writes one JSON line per logged step (step, loss, lr, grad_norm), like Attune's metrics."""

            def __init__(self, path):
                self.path = path
                os.makedirs(os.path.dirname(path), exist_ok=True)
                open(path, "w").close()

            def on_log(self, args, state, control, logs=None, **kwargs):
                if not logs or "loss" not in logs:
                    return
                row = {"step": state.global_step, "loss": logs["loss"], "lr": logs.get("learning_rate"), "grad_norm": logs.get("grad_norm")}
                with open(self.path, "a") as f:
                    f.write(json.dumps(row) + "\n")


        if __name__ == "__main__":
            sys.exit(main())

        """#
}
