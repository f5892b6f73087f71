"""SmolLM2 ids from Hugging Face `tokenizers` for random strings -> ../smollm2-random-ids.json.

Usage: python smollm2_random_ids.py DUMP.json  (DUMP from dump_gguf_tokenizer.py)
"""
import os
import json, random, sys
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, AddedToken
d = json.load(open(sys.argv[1]))
toks = d['tokenizer.ggml.tokens']; merges = d['tokenizer.ggml.merges']
vocab = {t: i for i, t in enumerate(toks)}
tk = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m.split(' ',1)) for m in merges]))
tk.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
tk.add_special_tokens([AddedToken(t, special=True, normalized=False) for t, ty in zip(toks, d['tokenizer.ggml.token_type']) if ty == 3])
rng = random.Random(99)
pools = [list(range(0x61,0x7B))+list(range(0x41,0x5B)), list(range(0x30,0x3A))+[0x661,0xBD],
 list(range(0x21,0x30))+list(range(0x3A,0x41))+[0x27]*6, [0x20]*4+[0x0A,0x0A,0x0D,0x09,0xA0,0x85,0x3000,0x1B, 0x04],
 [0xE9,0xFC,0x301,0x308,0x130,0x17F], [0x4F60,0x597D,0x3068,0xAC00], [0x1F44B,0x1F3FD,0x200D,0x1F1EB,0xFE0F], [0x5D0,0x627,0xFFFD,0xFEFF]]
frags = ["'s","'re"," the"," of","ing","<|im_start|>","<|im_end|>","<|endoftext|>","\n\n","    ","2024", " Paris", "<|im_", "```python\n"]
texts = []
for _ in range(300):
    n = rng.randint(0, 40); s = ""
    for _ in range(n):
        s += rng.choice(frags) if rng.random() < 0.2 else chr(rng.choice(rng.choice(pools)))
    texts.append(s)
ids = [tk.encode(t, add_special_tokens=False).ids for t in texts]
json.dump({"note": "SmolLM2 ids from Hugging Face tokenizers 0.23.3 (BPE from the GGUF vocab/merges, Digits(individual)+ByteLevel, control tokens as specials)", "texts": texts, "ids": ids}, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'smollm2-random-ids.json'),'w'), ensure_ascii=True)
print(sum(map(len, ids)), [t for t in texts if '\x04' in t][:1], [i for t,i in zip(texts,ids) if '\x04' in t][:1])
