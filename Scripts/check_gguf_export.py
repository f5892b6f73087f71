"""Second reader for Attune's exports: reads what ExportCrosscheckWriter wrote with llama.cpp's
gguf-py, safetensors and numpy, and redoes the merge and llama.cpp's Q/K permutation
independently of Attune.

Usage: check_gguf_export.py DIR
Exit status 0 only if every check passes.
"""
import json
import sys
from pathlib import Path

import numpy as np
from gguf import GGUFReader, GGMLQuantizationType as Q
from gguf.quants import dequantize, quantize
from safetensors.numpy import load_file

passed, failed = [], []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    (passed if ok else failed).append(what)


def permute(w, n_head):
    """llama.cpp's converter (LlamaModel.permute): rows of each head regrouped from rotate-half
    pairs (i, i + D/2) to interleaved pairs (2i, 2i + 1)."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def gguf_name(hf):
    table = {
        "model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
        "lm_head.weight": "output.weight",
    }
    if hf in table:
        return table[hf]
    layer = {
        "input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
        "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
        "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
        "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
        "mlp.down_proj.weight": "ffn_down.weight",
    }
    parts = hf.split(".", 3)
    return f"blk.{parts[2]}.{layer[parts[3]]}"


def field(reader, key):
    f = reader.fields.get(key)
    if f is None:
        return None
    v = f.contents()
    return v


def heads_of(name, exp):
    if ".q_proj" in name:
        return exp["heads"]
    if ".k_proj" in name:
        return exp["kv_heads"]
    return None


def main(root):
    exp = json.loads((root / "expected.json").read_text())
    base = load_file(str(root / "base" / "model.safetensors"))
    peft = load_file(str(root / "peft" / "adapter_model.safetensors"))
    lcfg = json.loads((root / "peft" / "adapter_config.json").read_text())
    r, alpha = lcfg["r"], float(lcfg["lora_alpha"])
    scale = alpha / (np.sqrt(r) if lcfg.get("use_rslora") else r)
    print(f"base: {len(base)} tensors · PEFT adapter: {len(peft)} tensors, r={r}, lora_alpha={alpha:g}, scale={scale:g}")

    # The merge, redone in float64 from the PEFT files.
    merged = {}
    modules = sorted({k[len("base_model.model."):-len(".lora_A.weight")] for k in peft if k.endswith(".lora_A.weight")})
    for name, w in base.items():
        merged[name] = w.astype(np.float64)
    for m in modules:
        a = peft[f"base_model.model.{m}.lora_A.weight"].astype(np.float64)
        b = peft[f"base_model.model.{m}.lora_B.weight"].astype(np.float64)
        merged[m + ".weight"] = merged[m + ".weight"] + scale * (b @ a)

    # 1. The llama.cpp adapter.
    ad = GGUFReader(str(root / "adapter.gguf"))
    check(field(ad, "general.type") == "adapter", "adapter: general.type = adapter")
    check(field(ad, "adapter.type") == "lora", "adapter: adapter.type = lora")
    check(field(ad, "general.architecture") == "llama", "adapter: general.architecture = llama")
    ad_alpha = float(field(ad, "adapter.lora.alpha"))
    check(abs(ad_alpha / r - scale) < 1e-6, f"adapter: adapter.lora.alpha {ad_alpha:g} / r = PEFT scale {scale:g}")
    tensors = {t.name: t for t in ad.tensors}
    check(len(tensors) == 2 * len(modules), f"adapter: {len(tensors)} tensors = 2 × {len(modules)} modules")
    worst_a = worst_b = 0.0
    shapes_ok = names_ok = types_ok = True
    for m in modules:
        g = gguf_name(m + ".weight")
        ta, tb = tensors.get(g + ".lora_a"), tensors.get(g + ".lora_b")
        if ta is None or tb is None:
            names_ok = False
            continue
        a = peft[f"base_model.model.{m}.lora_A.weight"]
        b = peft[f"base_model.model.{m}.lora_B.weight"]
        out_f, in_f = base[m + ".weight"].shape
        # llama_adapter_lora_init: model ne0 == a.ne0, model ne1 == b.ne1, a.ne1 == b.ne0.
        shapes_ok &= [int(x) for x in ta.shape] == [in_f, r] and [int(x) for x in tb.shape] == [r, out_f]
        types_ok &= ta.tensor_type == Q.F32 and tb.tensor_type == Q.F32
        n = heads_of(m, exp)
        want_b = permute(b, n) if n else b
        worst_a = max(worst_a, float(np.abs(np.asarray(ta.data).reshape(a.shape) - a).max()))
        worst_b = max(worst_b, float(np.abs(np.asarray(tb.data).reshape(b.shape) - want_b).max()))
    check(names_ok, "adapter: every module has blk.N.<name>.weight.lora_a and .lora_b")
    check(shapes_ok, "adapter: lora_a ne = [in, r], lora_b ne = [r, out] (the shapes llama.cpp checks)")
    check(types_ok, "adapter: F32 tensors")
    check(worst_a == 0.0, f"adapter: lora_a = PEFT A exactly (max |Δ| {worst_a:g})")
    check(worst_b == 0.0, f"adapter: lora_b = PEFT B with llama.cpp's Q/K permutation, exactly (max |Δ| {worst_b:g})")

    # 2. Merged GGUF files.
    for kind, main_type in [("f32", Q.F32), ("f16", Q.F16), ("q8_0", Q.Q8_0), ("q4_0", Q.Q4_0)]:
        rd = GGUFReader(str(root / f"merged-{kind}.gguf"))
        ts = {t.name: t for t in rd.tensors}
        check(len(ts) == len(merged), f"merged-{kind}: {len(ts)} tensors = {len(merged)} in the base")
        check(field(rd, "llama.block_count") == exp["layers"] and field(rd, "llama.attention.head_count_kv") == exp["kv_heads"],
              f"merged-{kind}: llama.block_count, head_count_kv")
        worst, worst_step, same_blocks, blocks, types_ok = 0.0, 0.0, 0, 0, True
        for hf, w in merged.items():
            t = ts.get(gguf_name(hf))
            if t is None:
                types_ok = False
                continue
            n = heads_of(hf, exp)
            want = permute(w, n) if n else w
            want32 = want.astype(np.float32)
            if want.ndim == 1:
                expected_type = Q.F32
            elif want.shape[1] % 32 != 0 and main_type != Q.F32:
                expected_type = Q.F16
            elif kind == "q4_0" and gguf_name(hf) in ("token_embd.weight", "output.weight"):
                expected_type = Q.Q8_0
            else:
                expected_type = main_type
            types_ok &= t.tensor_type == expected_type
            got = dequantize(np.asarray(t.data), t.tensor_type).reshape(want.shape).astype(np.float64)
            if t.tensor_type == Q.F32:
                worst = max(worst, float(np.abs(got - want).max()))
            elif t.tensor_type == Q.F16:
                ref = want32.astype(np.float16).astype(np.float64)
                ulp = np.abs(ref) * 2.0 ** -10 + 2.0 ** -24
                worst_step = max(worst_step, float((np.abs(got - ref) / ulp).max()))
            else:
                # gguf-py's own quantizer on the independently merged weights: same blocks (up to
                # float rounding of the merge itself, at most one step of the block's scale).
                ref_bytes = quantize(want32, t.tensor_type)
                ours = np.asarray(t.data).reshape(ref_bytes.shape)
                per_block = 34 if t.tensor_type == Q.Q8_0 else 18
                rb, ob = ref_bytes.reshape(-1, per_block), ours.reshape(-1, per_block)
                same_blocks += int((rb == ob).all(axis=1).sum())
                blocks += rb.shape[0]
                ref = dequantize(ref_bytes, t.tensor_type).reshape(want.shape).astype(np.float64)
                step = np.abs(want).reshape(-1, 32).max(axis=1) / (127 if t.tensor_type == Q.Q8_0 else 8)
                diff = np.abs(got - ref).reshape(-1, 32).max(axis=1)
                worst_step = max(worst_step, float((diff / np.maximum(step, 1e-30)).max()))
        check(types_ok, f"merged-{kind}: every tensor present, of the expected type (1-D F32, rows of 176 F16, embeddings Q8_0 in q4_0)")
        if kind == "f32":
            check(worst < 1e-6, f"merged-f32: values = independent float64 merge, Q/K permuted (max |Δ| {worst:.2e})")
        else:
            check(worst_step <= 1.0, f"merged-{kind}: values within one rounding step of gguf-py's own encoding of the independent merge (worst {worst_step:.3f} steps)")
        if blocks:
            check(same_blocks / blocks > 0.99, f"merged-{kind}: {same_blocks}/{blocks} blocks byte-identical to gguf-py's quantize()")

    # 3. The merged Hugging Face folder.
    hf = load_file(str(root / "merged-hf" / "model.safetensors"))
    cfg = json.loads((root / "merged-hf" / "config.json").read_text())
    check(sorted(hf) == sorted(base) and all(hf[k].shape == base[k].shape and hf[k].dtype == np.float32 for k in hf),
          f"merged-hf: {len(hf)} tensors with the base's names, shapes, F32")
    worst = max(float(np.abs(hf[k].astype(np.float64) - merged[k]).max()) for k in hf)
    check(worst < 1e-6, f"merged-hf: values = independent merge in Hugging Face Q/K order (max |Δ| {worst:.2e})")
    check(cfg.get("architectures") == ["LlamaForCausalLM"] and cfg.get("model_type") == "llama"
          and cfg.get("num_key_value_heads") == exp["kv_heads"], "merged-hf: config.json names LlamaForCausalLM with the shape")

    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
