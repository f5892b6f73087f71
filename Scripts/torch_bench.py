"""PyTorch + PEFT side of Scripts/bench, measured as DESIGN.md §7 says, one configuration per process
so each peak RSS is its own.

Training: SmolLM2-135M, batch 4 x 256 full-length rows of random tokens, forward + backward + AdamW
per step, median of STEPS timed steps after one warm-up; peak RSS from VmHWM.
  lora-qv       LoRA r=16 alpha=32 on q_proj, v_proj, fp32
  lora-qv-bf16  the same under torch.autocast("cpu", dtype=torch.bfloat16)
  lora-all      LoRA r=16 on all seven linear projections, fp32
  full          every parameter trainable, fp32
Inference (fp32, batch 1, one thread per core):
  inference     prefill of 256 tokens (only the last position's logits, as generation needs) and
                greedy decode of 32 tokens with the KV cache after it; median of 3

Usage: python Scripts/torch_bench.py HF_FOLDER CONFIG [STEPS]   (HF_FOLDER from `export merged`)
Prints one JSON object per measured figure on stdout."""
import contextlib, json, statistics, sys, time
import torch
from transformers import AutoModelForCausalLM


def peak_mib():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024


def train(folder, config, steps):
    from peft import LoraConfig, get_peft_model
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    if config != "full":
        targets = ["q_proj", "v_proj"] if config.startswith("lora-qv") else \
            ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0,
                                                 target_modules=targets, task_type="CAUSAL_LM"))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-4)
    ids = torch.randint(0, model.config.vocab_size, (4, 256))
    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if config.endswith("bf16") else contextlib.nullcontext()
    times, losses = [], []
    for i in range(steps + 1):
        start = time.perf_counter()
        with autocast:
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if i > 0:
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(json.dumps({"config": config, "tokens_per_s": 4 * 256 / median, "step_s": median,
                      "peak_mib": peak_mib(), "steps": steps, "torch": torch.__version__}))


@torch.no_grad()
def inference(folder):
    """As Attune's InferenceBenchmark: a prompt of 256 random ids, prefill it, then 32 greedy tokens
    with the KV cache; 3 runs, medians."""
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    generator = torch.Generator().manual_seed(5)
    ids = torch.randint(100, model.config.vocab_size, (1, 256), generator=generator)
    model(input_ids=ids[:, :16])  # warm-up
    prefill, decode = [], []
    for _ in range(3):
        start = time.perf_counter()
        out = model(input_ids=ids, use_cache=True, logits_to_keep=1)
        prefill.append(time.perf_counter() - start)
        past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        start = time.perf_counter()
        for _ in range(32):
            out = model(input_ids=token, past_key_values=past, use_cache=True)
            past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        decode.append(32 / (time.perf_counter() - start))
    print(json.dumps({"config": "prefill", "tokens_per_s": 256 / statistics.median(prefill),
                      "peak_mib": peak_mib(), "torch": torch.__version__}))
    print(json.dumps({"config": "decode", "tokens_per_s": statistics.median(decode),
                      "peak_mib": peak_mib(), "torch": torch.__version__}))


if __name__ == "__main__":
    folder, config = sys.argv[1], sys.argv[2]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    torch.manual_seed(1)
    torch.set_num_threads(2)
    if config == "inference":
        inference(folder)
    elif config in ("lora-qv", "lora-qv-bf16", "lora-all", "full"):
        train(folder, config, steps)
    else:
        sys.exit(f"torch_bench.py: unknown configuration {config!r} "
                 "(lora-qv, lora-qv-bf16, lora-all, full, inference)")
