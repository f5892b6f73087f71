"""PyTorch + PEFT anchor on this machine, as DESIGN.md §7 measures: SmolLM2-135M, LoRA r=16 on
q_proj and v_proj, fp32, batch 4 x 256 full-length rows, forward + backward + AdamW per step,
median of the timed steps after one warm-up; peak RSS from VmHWM.
Usage: python Scripts/torch_lora_bench.py HF_FOLDER [STEPS]   (HF_FOLDER from `export merged`)."""
import statistics, sys, time
import torch
from transformers import AutoModelForCausalLM
from peft import LoraConfig, get_peft_model

folder, steps = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
torch.manual_seed(1)
torch.set_num_threads(2)
model = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=torch.float32)
model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-4)
ids = torch.randint(0, model.config.vocab_size, (4, 256))
times = []
for i in range(steps + 1):
    start = time.perf_counter()
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if i > 0:
        times.append(time.perf_counter() - start)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
median = statistics.median(times)
print(f"| PyTorch {torch.__version__} + PEFT, LoRA r=16 q,v fp32 | {4 * 256 / median:.0f} | {median:.2f} | {peak:.0f} MiB |")
