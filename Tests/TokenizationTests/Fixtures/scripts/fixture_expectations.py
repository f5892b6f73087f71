"""Expected ids/renderings for FixtureTokenizers.swift (pasted into FixtureExpectations.swift).

First: ATTUNE_FIXTURE_OUT=/tmp/tokwork/fixtures swift test --filter FixtureExport
Needs `pip install tokenizers jinja2`.
"""
import os
import json
from tokenizers import Tokenizer
import jinja2
base = "/tmp/tokwork/fixtures/"
probes = json.load(open(base + "probes.json"))
env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
conv = [{"role": "user", "content": "Hello world"}, {"role": "assistant", "content": "  it's the world! "}, {"role": "user", "content": "I hello"}]
out = {}
for name in ["llama3", "qwen2", "tinyllama"]:
    tk = Tokenizer.from_file(base + name + "/tokenizer.json")
    cfg = json.load(open(base + name + "/tokenizer_config.json"))
    res = {"probes": [tk.encode(p).ids for p in probes],
           "probes_no_special": [tk.encode(p, add_special_tokens=False).ids for p in probes]}
    res["roundtrip"] = [tk.decode(tk.encode(p).ids, skip_special_tokens=False) for p in probes]
    def tokstr(x):
        return x if isinstance(x, str) or x is None else x["content"]
    t = env.from_string(cfg["chat_template"])
    text = t.render(messages=conv, add_generation_prompt=True, bos_token=tokstr(cfg.get("bos_token")), eos_token=tokstr(cfg.get("eos_token")))
    res["chat_text"] = text
    res["chat_ids"] = tk.encode(text, add_special_tokens=False).ids
    res["chat_tokens"] = tk.encode(text, add_special_tokens=False).tokens
    out[name] = res
    print(name)
    for p, ids in zip(probes, res["probes"]): print("  ", repr(p), ids)
    print("  chat", repr(text)); print("  ", res["chat_ids"]); print("  ", res["chat_tokens"])
    print("  roundtrip", res["roundtrip"])
json.dump(out, open("/tmp/tokwork/fixture_expect.json", "w"), ensure_ascii=False)
