/// The format example of DESIGN.md §4 (`shared/examples/format-example.attune.md`), verbatim,
/// so tests do not depend on files outside the package. (The empty line before the closing
/// delimiter keeps the file's final newline.)
enum Fixtures {
    static let formatExample = #"""
---
format: "attune-notebook/1"
title: "Learning rate on the tiny model"
created: "2026-11-29T10:14:03Z"
engine: {"name": "attune", "version": "0.1.0"}
seed: 1234
model: {"name": "tiny", "config": {"layers": 2, "dim": 64, "heads": 4}}
data: [{"path": "data/support.jsonl", "sha256": "9f2c0000000000000000000000000000000000000000000000000000000000aa"}]
params: {"steps": 60}
verify: {"floats": {"rtol": 1e-4, "atol": 1e-6}, "volatile": ["tokens_per_s", "elapsed_s", "rss_mb"], "sanitize": [{"regex": "\\d+\\.\\d+ s\\b", "replace": "<TIME>"}]}
---

# What does the learning rate do?

This file only illustrates the notebook format (DESIGN.md §4); its numbers are invented.

```attune n=1 id="c1"
model new tiny layers=2 dim=64 heads=4
```
```output result
model tiny · llama · 2 layers · width 64 · 4 heads · vocab 261 (bytes) · 0.11 M parameters
```

```attune n=2 id="c2" tags=["parameters"]
set steps=60 batch=8 seq=128
```
```output result
steps=60 batch=8 seq=128 (seed 1234)
```

```attune n=3 id="c3"
sweep lr=[3e-4, 3e-3, 3e-2]
```
```output stream
run lr=3e-4   step 60  loss 4.912  val 4.950  (<TIME>)
run lr=3e-3   step 60  loss 2.431  val 2.602  (<TIME>)
run lr=3e-2   diverged at step 17 (loss nan) — learning rate too high
```
```output metrics
{"run": "lr=3e-4", "step": 60, "loss": 4.912, "val_loss": 4.950, "tokens_per_s": 21044}
{"run": "lr=3e-3", "step": 60, "loss": 2.431, "val_loss": 2.602, "tokens_per_s": 20987}
{"run": "lr=3e-2", "step": 17, "loss": null, "diverged": true}
```

The middle learning rate learns fastest; the largest one diverges, which the monitor names.

```attune n=4 id="c4"
plot loss by=run
```
```output plot id="p1" src="format-example.assets/p1-3b9c.png" series="format-example.assets/p1-3b9c.json"
 5.5 ┤⠉⠒⠤⣀⡀
     │     ⠈⠉⠒⠢⠤⢄⣀⣀⡀              lr=3e-4
     │ ⠑⢄         ⠈⠉⠉⠒⠒⠒⠤⠤⠤⣀⣀⣀⣀
     │   ⠑⠤⣀                       lr=3e-3
 2.4 ┤      ⠉⠒⠒⠢⠤⠤⠤⠤⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀
     └┬─────────┬─────────┬──────
      0        30        60   step     lr=3e-2 ✕ diverged at 17
```
![training loss by learning rate](format-example.assets/p1-3b9c.png)

```attune n=5 id="c5" tags=["raises"]
set lr=-1
```
```output error name="InvalidValue"
line 1, column 8: lr must be greater than 0 (got -1); the guide recommends 1e-4 … 3e-4 for LoRA
```

"""#
}
