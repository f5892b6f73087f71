"""SmolLM2 ids from Hugging Face `tokenizers` for a text file (ATTUNE_TOKENIZER_BENCH_IDS).

Usage: python smollm2_hf_ids.py DUMP.json TEXT.txt OUT.json
"""
import os
import json, sys
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, AddedToken
d = json.load(open(sys.argv[1]))
toks = d['tokenizer.ggml.tokens']; merges = d['tokenizer.ggml.merges']
vocab = {t: i for i, t in enumerate(toks)}
tk = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m.split(' ',1)) for m in merges]))
tk.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
tk.decoder = decoders.ByteLevel()
tk.add_special_tokens([AddedToken(t, special=True, normalized=False) for t, ty in zip(toks, d['tokenizer.ggml.token_type']) if ty == 3])
text = open(sys.argv[2]).read()
ids = tk.encode(text).ids
json.dump(ids, open(sys.argv[3], 'w'))
print(len(ids))
