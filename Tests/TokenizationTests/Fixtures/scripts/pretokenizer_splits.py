"""Expected pre-tokenizer pieces from Python `regex` with the official patterns.

Writes ../pretokenizer-random-splits.json and /tmp/tokwork/splits.json (the hand-picked cases
pasted into PreTokenizerExpectations.swift). Needs `pip install regex`.
"""
import os, regex, json
GPT2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
LLAMA3 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
QWEN2 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
def split(p, s):
    out = regex.findall(p, s)
    assert "".join(out) == s, (p, s)
    return out
def smollm(s):
    out = []
    for part in regex.split(r"(\p{N})", s):
        if part: out += split(GPT2, part) if not regex.fullmatch(r"\p{N}", part) else [part]
    return out
cases = [
 "Hello world, this is a test.",
 "def f(x):\n    return x**2",
 "I'm can't WE'RE they'll 'S 'Ll",
 "  leading and trailing  ",
 "tabs\tand\n\nnewlines\r\n end\n",
 "numbers 12345 and 3.14159 and \u0661\u0662\u0663\u0664",
 "emoji \U0001F44B\U0001F3FD and \U0001F1EB\U0001F1F7 flags!",
 "CJK \u4f60\u597d\u4e16\u754c \u3068 \u30ab\u30bf\u30ab\u30ca",
 "combining e\u0301 caf\u00e9 a\u0308b",
 "punctuation!!! ...??? --- \"quoted\"",
 "   \n  x",
 "a\u00a0b \u3000c\u2003 d",
 "x\n\n\ny \n\n z",
 "''s ' s !'s",
 "$100.50 (x+y)/2 = \u00bd",
]
res = {"cases": cases}
for name, f in [("gpt2", lambda s: split(GPT2, s)), ("smollm", smollm), ("llama3", lambda s: split(LLAMA3, s)), ("qwen2", lambda s: split(QWEN2, s))]:
    res[name] = [f(c) for c in cases]
json.dump(res, open(os.makedirs("/tmp/tokwork", exist_ok=True) or "/tmp/tokwork/splits.json","w"), ensure_ascii=False, indent=0)
print(regex.match(r"\s", "\x1c"), regex.match(r"\s", "\x85"))

import random
rng = random.Random(1234)
pools = [list(range(0x61,0x7B))+list(range(0x41,0x5B)), list(range(0x30,0x3A))+[0x661,0xBD,0x2163],
 list(range(0x21,0x30))+list(range(0x3A,0x41))+[0x27]*6, [0x20]*4+[0x0A,0x0A,0x0D,0x09,0x0B,0x0C,0xA0,0x85,0x2028,0x3000,0x200B,0x1B],
 [0xE9,0xFC,0x301,0x308,0x130,0x17F], [0x4F60,0x597D,0x3068,0xAC00], [0x1F44B,0x1F3FD,0x200D,0x1F1EB,0xFE0F], [0x5D0,0x627,0xFFFD,0xFEFF]]
# contraction-heavy fragments
frags = ["'s","'S","'re","'RE","'ll","'Ll","'ve","'d","'m","'t"," '"," \n","\r\n","  ","123456"]
texts = []
for _ in range(400):
    n = rng.randint(0, 30); s = ""
    for _ in range(n):
        if rng.random() < 0.15: s += rng.choice(frags)
        else: s += chr(rng.choice(rng.choice(pools)))
    texts.append(s)
fz = {"texts": texts, "gpt2": [split(GPT2,t) for t in texts], "smollm": [smollm(t) for t in texts],
      "llama3": [split(LLAMA3,t) for t in texts], "qwen2": [split(QWEN2,t) for t in texts]}
json.dump(fz, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'pretokenizer-random-splits.json'),"w"), ensure_ascii=True)
