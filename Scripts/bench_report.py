"""Assembles Scripts/bench's measurements into out/bench.md (printed) and DIR/report.json.
Usage: python3 Scripts/bench_report.py DIR [--steps N]   (DIR holds train-*.json, inference.json,
kernels.md and, when PyTorch ran, torch.jsonl; llama-*.json when the llama.cpp anchor ran: its
sections come from Scripts/llama_bench.py). Standard library only."""
import json, os, sys
import llama_bench

folder = sys.argv[1]
steps = sys.argv[sys.argv.index("--steps") + 1] if "--steps" in sys.argv else "?"
# DESIGN.md §7 anchors (an Intel Xeon with AMX; PyTorch 2.x + PEFT), used when torch is absent.
ANCHORS = {"lora-qv": (256, 3.7 * 1024), "lora-qv-bf16": (424, None), "lora-all": (180, 5.3 * 1024),
           "full": (205, 4.8 * 1024), "prefill": (645, None), "decode": (24, None)}


LABELS = {"lora-qv": "LoRA r=16 q,v", "lora-all": "LoRA r=16 all linear", "qlora": "QLoRA r=16 q,v (NF4, double quant)",
          "full": "full fine-tuning"}


def load(name):
    path = os.path.join(folder, name)
    return json.load(open(path)) if os.path.exists(path) else None


torch = {}
if os.path.exists(os.path.join(folder, "torch.jsonl")):
    for line in open(os.path.join(folder, "torch.jsonl")):
        if line.strip():
            record = json.loads(line)
            torch[record["config"]] = record
measured = bool(torch)
version = next(iter(torch.values()))["torch"] if measured else None


def other(config):
    """(tokens/s, peak MiB, source) of PyTorch for a configuration: measured, else the anchor."""
    if config in torch:
        return torch[config]["tokens_per_s"], torch[config].get("peak_mib"), "measured"
    if not measured and config in ANCHORS:
        return ANCHORS[config][0], ANCHORS[config][1], "anchor"
    return None, None, None


def fmt(x, digits=0):
    return "—" if x is None else f"{x:.{digits}f}"


def ratio(a, b):
    return "—" if a is None or not b else f"{a / b:.2f}×"


rows, phase_rows, report = [], [], {"steps": steps, "pytorch": version or "anchors (DESIGN.md §7)", "training": [], "inference": {}}
cpu_file = os.path.join(folder, "cpu.txt")
if os.path.exists(cpu_file):
    report["cpu"] = open(cpu_file).read().strip()
    print(f"CPU: {report['cpu']}. PyTorch: {version or 'not found (DESIGN.md §7 anchors)'}.\n")
# Scripts/bench names each file after its arguments without spaces and dashes.
configs = [("train-loraqv.json", "lora-qv"), ("train-loraall.json", "lora-all"), ("train-qlora.json", None),
           ("train-qloracheckpointing.json", None), ("train-full.json", "full")]
for file, torch_config in configs:
    data = load(file)
    if data is None:
        continue
    r = data["result"]
    losses = r["losses"]
    curve = f"{sum(losses[:5]) / 5:.3f} → {sum(losses[-5:]) / 5:.3f}" if len(losses) >= 10 else "—"
    t_speed, t_peak, source = other(torch_config) if torch_config else (None, None, None)
    name = LABELS.get(r["configuration"], r["configuration"]) + (" + gradient checkpointing" if data["checkpointing"] else "")
    of_gemm = data["gflops"] / data["sgemmGFLOPs"] if data.get("sgemmGFLOPs") else None
    rows.append(f"| {name} | {r['tokensPerSecond']:.0f} | {data['gflops']:.0f} | {fmt(data.get('sgemmGFLOPs'))} | "
                f"{'—' if of_gemm is None else f'{of_gemm:.0%}'} | {r['peakResidentMiB']:.0f} MiB | {curve} | "
                f"{fmt(t_speed)} | {fmt(t_peak)}{' MiB' if t_peak else ''} | {ratio(r['tokensPerSecond'], t_speed)} | "
                f"{ratio(r['peakResidentMiB'], t_peak)} |")
    phases = r.get("phases")
    if phases:
        cells = []
        for phase in ("forward", "backward", "optimizer"):
            p = phases[phase]
            cores = p["cpuSeconds"] / p["wallSeconds"] if p["wallSeconds"] > 0 else 0
            cells.append(f"{p['wallSeconds']:.2f} s · {cores:.1f}")
        phase_rows.append(f"| {name} | " + " | ".join(cells) + " |")
    report["training"].append({"configuration": name, "key": r["configuration"], "tokens_per_s": r["tokensPerSecond"], "gflops": data["gflops"],
                               "peak_mib": r["peakResidentMiB"], "losses": losses, "pytorch_tokens_per_s": t_speed,
                               "pytorch_peak_mib": t_peak, "pytorch_source": source, "phases": phases,
                               "sgemm_gflops": data.get("sgemmGFLOPs"), "of_gemm": of_gemm})

if rows:
    print(f"### SmolLM2-135M training, batch 4 × 256, median of {steps} steps after 1 warm-up\n")
    if measured:
        print(f"PyTorch {version} + PEFT measured in the same run (`Scripts/torch_bench.py`, fp32, random tokens, median of its steps).\n")
    else:
        print("PyTorch columns: the DESIGN.md §7 anchors (another machine; torch was not found here).\n")
    print("GFLOP/s: the step's FLOPs (as `estimate` counts what the engine executes) over its median time; sgemm: Attune's "
          "GEMM at `[1024, 576] · [576, 1536]` measured between the timed steps (the median of 5 calls after each step, outside the step's clock); of sgemm: the share of its GEMM's speed the "
          "whole step keeps.\n")
    print("| configuration | tokens/s | GFLOP/s | sgemm | of sgemm | peak RSS | loss first 5 → last 5 | PyTorch tokens/s | PyTorch peak | speed | memory |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    if phase_rows:
        print("\nWhere a step's time goes (mean seconds per step · cores busy = process CPU time / wall time; "
              "threads spinning while they wait for work count as busy):\n")
        print("| configuration | forward | backward | optimizer |")
        print("|---|---:|---:|---:|")
        print("\n".join(phase_rows))

lora = next((t for t in report["training"] if t["key"] == "lora-qv"), None)
qlora = [t for t in report["training"] if t["key"] == "qlora"]
bf16_speed, _, bf16_source = other("lora-qv-bf16")
lora_peak = other("lora-qv")[1]
print()
if lora and bf16_speed:
    print(f"LoRA q,v against PyTorch with bf16 autocast ({bf16_source}): {bf16_speed:.1f} tokens/s, "
          f"Attune fp32 {lora['tokens_per_s']:.0f} = {lora['tokens_per_s'] / bf16_speed:.1f}×.")
    report["lora_vs_bf16"] = lora["tokens_per_s"] / bf16_speed
bf16_run = load("train-loraqv-bf16.json")
if lora and bf16_run:
    r = bf16_run["result"]
    worst = max(abs(b - a) / a for a, b in zip(lora["losses"], r["losses"]))
    line = (f"LoRA q,v in bf16 numerics (path {bf16_run.get('bf16Path', 'see attune doctor')}): {r['tokensPerSecond']:.0f} tokens/s = "
            f"{r['tokensPerSecond'] / lora['tokens_per_s']:.2f}× Attune fp32")
    if bf16_speed:
        line += f", {r['tokensPerSecond'] / bf16_speed:.2f}× PyTorch bf16 autocast ({bf16_source})"
    print(line + f"; losses within {worst:.2%} of the fp32 run's at every one of its {len(r['losses'])} steps.")
    report["bf16"] = {"tokens_per_s": r["tokensPerSecond"], "vs_fp32": r["tokensPerSecond"] / lora["tokens_per_s"],
                      "vs_pytorch_bf16": r["tokensPerSecond"] / bf16_speed if bf16_speed else None,
                      "worst_loss_difference": worst, "losses": r["losses"]}
if qlora and lora_peak:
    best = min(qlora, key=lambda t: t["peak_mib"])
    print(f"QLoRA peak against PyTorch's LoRA fp32 peak ({lora_peak:.0f} MiB): "
          + ", ".join(f"{t['configuration']} {t['peak_mib'] / lora_peak:.0%}" for t in qlora) + ".")
    report["qlora_peak_fraction"] = best["peak_mib"] / lora_peak

# The estimate against the engine: LoRA q,v at batch 4 × 256 and 1 × 2048.
estimate_rows = []
for file in ("train-loraqv.json", "train-loraqv-2048.json"):
    data = load(file)
    if not data or "estimatedMiB" not in data:
        continue
    measured_mib = data["peakTensorMiB"] + data["frozenBlockMiB"]
    estimate_rows.append((f"{data['batch']} × {data['sequence']}", data["medianStepSeconds"], data["estimatedStepSeconds"],
                          measured_mib, data["estimatedMiB"]))
if estimate_rows:
    print("\n### `estimate` against the engine (LoRA r=16 q,v)\n")
    print("Memory: the engine's own tensor peak (`TensorMemory`) plus the frozen base's quantized blocks; time: the "
          "median step against `estimate` at the sgemm speed measured in the same process.\n")
    print("| batch × seq | step | estimated | ratio | memory | estimated | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, step, est_step, mib, est_mib in estimate_rows:
        print(f"| {label} | {step:.2f} s | {est_step:.2f} s | {est_step / step:.2f} | {mib:.0f} MiB | {est_mib:.0f} MiB | {est_mib / mib:.2f} |")
    report["estimate"] = [{"shape": r[0], "step_s": r[1], "estimated_step_s": r[2], "memory_mib": r[3], "estimated_mib": r[4]}
                          for r in estimate_rows]

# The performance issues' goals, each as measured in this run.
goals = []
def goal(text, value, target, higher=True):
    if value is None:
        goals.append(f"| {text} | — | {target} | not measured |")
        return
    met = value >= target if higher else value <= target
    goals.append(f"| {text} | {value:.3f} | {'≥' if higher else '≤'} {target} | {'met' if met else 'not met'} |")
by_key = {t["key"]: t for t in report["training"] if "checkpointing" not in t["configuration"]}
for key, label in (("lora-qv", "LoRA q,v"), ("lora-all", "LoRA all linear"), ("full", "full")):
    t = by_key.get(key)
    goal(f"{label}: step's share of its sgemm speed", t and t["of_gemm"], 0.77)
    goal(f"{label}: speed against PyTorch fp32", t and t["pytorch_tokens_per_s"] and t["tokens_per_s"] / t["pytorch_tokens_per_s"], 1.3)
t = by_key.get("lora-qv")
goal("LoRA q,v: peak RSS against PyTorch LoRA q,v", t and t["pytorch_peak_mib"] and t["peak_mib"] / t["pytorch_peak_mib"], 0.4, higher=False)
q = by_key.get("qlora")
goal("QLoRA q,v (no checkpointing): peak against PyTorch LoRA q,v", q and lora_peak and q["peak_mib"] / lora_peak, 0.4, higher=False)
t = by_key.get("full")
goal("full: peak RSS against PyTorch full", t and t["pytorch_peak_mib"] and t["peak_mib"] / t["pytorch_peak_mib"], 0.75, higher=False)
def within(text, value, tolerance=0.10):
    met = abs(value - 1) <= tolerance
    goals.append(f"| {text} | {value:.3f} | {1 - tolerance:.2f}–{1 + tolerance:.2f} | {'met' if met else 'not met'} |")
for row in report.get("estimate", []):
    within(f"estimate at {row['shape']}: step time, estimated / measured", row["estimated_step_s"] / row["step_s"])
    within(f"estimate at {row['shape']}: memory, estimated / measured", row["estimated_mib"] / row["memory_mib"])
if "bf16" in report:
    goal("bf16 numerics LoRA q,v against Attune fp32", report["bf16"]["vs_fp32"], 1.6)
    goal("bf16 numerics LoRA q,v against PyTorch bf16 autocast", report["bf16"]["vs_pytorch_bf16"], 2.0)
if goals:
    print("\n### Goals of the performance issues, as measured in this run\n")
    print("| goal | measured | target | |")
    print("|---|---:|---:|---|")
    print("\n".join(goals))
    report["goals"] = goals

inference = load("inference.json")
if inference:
    prefill, decode = other("prefill")[0], other("decode")[0]
    print(f"\n### SmolLM2-135M inference, batch 1 (Attune on the Q4_1 file; PyTorch fp32)\n")
    print("| | Attune tokens/s | PyTorch tokens/s | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| prefill, {inference['promptTokens']} tokens | {inference['prefillTokensPerSecond']:.0f} | {fmt(prefill)} | {ratio(inference['prefillTokensPerSecond'], prefill)} |")
    print(f"| greedy decode with the KV cache | {inference['decodeTokensPerSecond']:.1f} | {fmt(decode, 1)} | {ratio(inference['decodeTokensPerSecond'], decode)} |")
    report["inference"] = {"attune": inference, "pytorch_prefill": prefill, "pytorch_decode": decode}

llama_lines, llama_report = llama_bench.sections(folder, inference)
if llama_lines:
    print("\n".join(llama_lines))
    report["llama_cpp"] = llama_report

numerics_rows = []
for path in ("avx2", "avx512"):
    gemm = os.path.join(folder, f"gemm-{path}.md")
    if os.path.exists(gemm):
        text = open(gemm).read()
        table = text[text.index("### GEMM"):].strip() if "### GEMM" in text else text.strip()
        print(f"\n{table}")
        report.setdefault("gemm", {})[path] = load(f"gemm-{path}.json")
    runs = {mode: load(f"numerics-{mode}-{path}.json") for mode in ("reproducible", "fast")}
    if all(runs.values()):
        speeds = {mode: runs[mode]["result"]["tokensPerSecond"] for mode in runs}
        numerics_rows.append(f"| {path} | {speeds['reproducible']:.0f} | {speeds['fast']:.0f} | {speeds['reproducible'] / speeds['fast']:.2f}× |")
        report.setdefault("numerics_training", {})[path] = speeds
if numerics_rows:
    print(f"\n### LoRA r=16 q,v training in both numerics modes (tokens/s, batch 4 × 256, median of {steps} steps)\n")
    print("Reproducible: Attune's GEMM on that path. Fast: OpenBLAS with the core of the same vector width "
          "(Haswell for AVX2, Cooperlake for AVX-512).\n")
    print("| vector width | reproducible | fast | ratio |")
    print("|---|---:|---:|---:|")
    print("\n".join(numerics_rows))

kernels = os.path.join(folder, "kernels.md")
if os.path.exists(kernels):
    print("\n### Kernels (`attune bench`)\n")
    print(open(kernels).read().strip())
json.dump(report, open(os.path.join(folder, "report.json"), "w"), indent=1)
