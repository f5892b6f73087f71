"""Reads the GGUF Attune wrote with gguf-py and compares it with what Attune expects.

Usage: gguf_crosscheck.py DIR   (DIR holds attune.gguf and expected.json from GGUFCrosscheckExport)
Exit status 0 only if every check passes.
"""
import json
import sys

import numpy as np
import gguf
from gguf import GGUFReader, GGUFValueType, GGMLQuantizationType
from gguf.quants import dequantize, quantize

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


SCALAR_NP = {
    GGUFValueType.UINT8: "UINT8", GGUFValueType.INT8: "INT8", GGUFValueType.UINT16: "UINT16",
    GGUFValueType.INT16: "INT16", GGUFValueType.UINT32: "UINT32", GGUFValueType.INT32: "INT32",
    GGUFValueType.UINT64: "UINT64", GGUFValueType.INT64: "INT64", GGUFValueType.FLOAT32: "FLOAT32",
    GGUFValueType.FLOAT64: "FLOAT64", GGUFValueType.BOOL: "BOOL",
}


def walk(parts, i, vtype):
    """Decodes one value from gguf-py's flat `parts` list (which nests arrays recursively),
    returning (json-like value, next index)."""
    if vtype == GGUFValueType.STRING:
        return {"type": "STRING", "value": bytes(parts[i + 1]).decode("utf-8")}, i + 2
    if vtype == GGUFValueType.ARRAY:
        itype = GGUFValueType(int(parts[i][0]))
        n = int(parts[i + 1][0])
        i += 2
        values = []
        for _ in range(n):
            v, i = walk(parts, i, itype)
            values.append(v["value"] if itype != GGUFValueType.ARRAY else v["value"])
        return {"type": "ARRAY", "value": {"element_type": itype.name, "values": values}}, i
    x = parts[i][0]
    name = SCALAR_NP[vtype]
    if vtype == GGUFValueType.BOOL:
        return {"type": name, "value": bool(x)}, i + 1
    if vtype in (GGUFValueType.FLOAT32, GGUFValueType.FLOAT64):
        return {"type": name, "value": float(x)}, i + 1
    return {"type": name, "value": str(int(x))}, i + 1


def normalise(v):
    """Expected JSON (from Swift) → the same shape `walk` produces (scalars in arrays bare)."""
    if v["type"] == "ARRAY":
        a = v["value"]
        vals = [normalise({"type": "ARRAY", "value": x})["value"] if a["element_type"] == "ARRAY" else x
                for x in a["values"]]
        return {"type": "ARRAY", "value": {"element_type": a["element_type"], "values": vals}}
    return v


def same(a, b, ftype=None):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], a.get("type") or a.get("element_type")) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, ftype) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        if ftype == "FLOAT32":
            return np.float32(a) == np.float32(b)
        return float(a) == float(b)
    return a == b


def main(d):
    exp = json.load(open(f"{d}/expected.json"))
    r = GGUFReader(f"{d}/attune.gguf")
    print(f"gguf-py read {d}/attune.gguf: {len(r.fields)} fields, {len(r.tensors)} tensors")
    check(int(r.fields["GGUF.version"].parts[-1][0]) == 3, "version 3")

    fields = {k: f for k, f in r.fields.items() if not k.startswith("GGUF.")}
    check(list(fields) == list(exp["metadata"]) or set(fields) == set(exp["metadata"]),
          f"metadata keys ({len(fields)}) match")
    for key, want in exp["metadata"].items():
        f = fields.get(key)
        if f is None:
            check(False, f"metadata {key} present")
            continue
        got, _ = walk(f.parts, 3, GGUFValueType(int(f.parts[2][0])))
        check(same(normalise(want), got), f"metadata {key} ({want['type']})")

    tensors = {t.name: t for t in r.tensors}
    check([t.name for t in r.tensors] == exp["tensor_order"], "tensor names and order")
    for name, want in exp["tensors"].items():
        t = tensors[name]
        qtype = GGMLQuantizationType[want["type"]]
        check(t.tensor_type == qtype, f"{name}: type {t.tensor_type.name}")
        check(list(map(int, t.shape)) == want["dims"], f"{name}: dims {list(map(int, t.shape))} (fastest first)")
        if qtype in (GGMLQuantizationType.F32,):
            values = np.asarray(t.data, dtype=np.float32).reshape(-1)
        elif qtype == GGMLQuantizationType.F16:
            values = np.asarray(t.data, dtype=np.float16).astype(np.float32).reshape(-1)
        else:
            values = dequantize(np.asarray(t.data), qtype).astype(np.float32).reshape(-1)
        ours = np.array(want["dequantized"], dtype=np.float32)
        diff = float(np.max(np.abs(values - ours)))
        check(diff == 0.0, f"{name}: gguf-py dequantization equals Attune's (max |diff| {diff})")
        if "source" in want and qtype not in (GGMLQuantizationType.F32, GGMLQuantizationType.F16):
            src = np.array(want["source"], dtype=np.float32).reshape(want["dims"][::-1])
            try:
                theirs = quantize(src, qtype).reshape(-1)
                mine = np.asarray(t.data).view(np.uint8).reshape(-1)
                n = int(np.sum(theirs != mine))
                check(n == 0, f"{name}: Attune's quantized bytes equal gguf-py's quantize ({n} bytes differ)")
            except Exception as e:  # noqa: BLE001
                print(f"note {name}: gguf-py cannot quantize {want['type']} ({e})")

    real = exp.get("smollm2")
    if real:
        rr = GGUFReader(real["path"])
        check(len(rr.tensors) == real["tensor_count"], f"SmolLM2: {len(rr.tensors)} tensors")
        merges = rr.fields["tokenizer.ggml.merges"]
        check(len(merges.data) == real["merges"], f"SmolLM2: {len(merges.data)} merges")
        rt = {t.name: t for t in rr.tensors}
        for name, rows in real["rows"].items():
            t = rt[name]
            full = t.data if t.tensor_type == GGMLQuantizationType.F32 else dequantize(np.asarray(t.data), t.tensor_type)
            full = np.asarray(full, dtype=np.float32).reshape(-1, int(t.shape[0]))
            for row, vals in rows.items():
                diff = float(np.max(np.abs(full[int(row)] - np.array(vals, dtype=np.float32))))
                check(diff == 0.0, f"SmolLM2 {name} ({t.tensor_type.name}) row {row}: max |diff| {diff}")
    else:
        print("note: SmolLM2 file not cached; real-model comparison skipped")

    print(f"\n{'PASS' if not failures else 'FAIL'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
