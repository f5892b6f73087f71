"""Dump the tokenizer.* metadata of a GGUF file to JSON (for the Python fixture scripts).

Usage: python dump_gguf_tokenizer.py MODEL.gguf OUT.json   (needs `pip install gguf`)
"""
import os
import json, sys
from gguf import GGUFReader
r = GGUFReader(sys.argv[1])
out = {}
for name, f in r.fields.items():
    if not name.startswith("tokenizer."): continue
    v = f.contents()
    out[name] = v
for k, v in out.items():
    if isinstance(v, list): print(k, len(v), v[:5])
    else: print(k, repr(v)[:3000])
json.dump(out, open(sys.argv[2], "w"), ensure_ascii=False)
