"""The llama.cpp anchor of Scripts/bench (issue #27 item 3, issue #25's serving bench): llama.cpp on
the same GGUF file Attune loads, and the tables that put the two side by side.

Subcommands (each prints one JSON object on stdout, progress on stderr):

  gguf-bytes GGUF
      Weight bytes decode reads per generated token, from the file's tensor table (standard
      library GGUF reader): every tensor once, except that a separate token-embedding table is read
      one row per token (when `output.weight` is absent the embedding is the tied output matrix
      and is read whole).

  inference GGUF --threads N [--prompt 256] [--decode 32] [--repeats 3]
      llama.cpp (llama-cpp-python, run with Scripts/llama-anchor's venv) as Attune's
      InferenceBenchmark measures: a prompt of N random token ids in [100, vocab), prefilled in one
      batch (logits of the last position only), then `decode` greedy tokens with the KV cache;
      tokens/s of each phase, median of `repeats` runs after a warm-up.

  bandwidth BINARY --threads N
      Runs Scripts/read_bandwidth.c's binary with N threads and with 1: memory read bandwidth (GB/s,
      best pass over a 1 GiB buffer), the denominator of the decode ceiling.

  serve --attune BIN --llama-python PY --gguf GGUF --adapter-peft DIR --adapter-gguf FILE
        --threads N --prompts JSONL --out-dir DIR [--streams 1,4] [--max-tokens 64]
        [--requests-per-stream 2] [--rounds 3]
      Starts `attune serve` and `python -m llama_cpp.server` on free loopback ports (the same GGUF;
      the same LoRA adapter, as a PEFT folder for Attune and as a GGUF adapter for llama.cpp's
      --lora_path; logs in DIR), then `rounds` rounds, each running the client below against one
      server and then the other at every stream count; medians over the rounds.

  client --url URL --model NAME --prompts JSONL [--streams N] [--max-tokens M] [--requests-per-stream R]
      The OpenAI-compatible streaming client alone (http.client + SSE, standard library): N threads,
      each sending R chat completions one after another (temperature 0, stream: true); aggregate
      tokens/s = completion tokens of all requests / wall time from the first send to the last
      [DONE]; time to first token = send to the first chunk with content, p50 over the requests.
      Completion tokens: the server's `usage` when it streams one, else the chunks with content
      (llama-cpp-python sends one chunk per token).

  report DIR
      Markdown section (stdout) for out/bench.md from DIR/llama-*.json and DIR/inference.json;
      bench_report.py calls `sections` directly.
"""
import argparse, http.client, json, os, random, socket, statistics, struct, subprocess, sys, threading, time, urllib.parse


# ---------------------------------------------------------------- GGUF tensor table (stdlib)

def gguf_tensors(path):
    """[(name, offset, bytes)] of a GGUF file's tensors, sorted by offset, and the data start.
    Sizes are the gaps between consecutive offsets (the writer aligns each tensor), the last one
    running to the end of the file."""
    scalar = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
    with open(path, "rb") as f:
        def read(fmt):
            return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]

        def string():
            return f.read(read("<Q")).decode("utf-8", "replace")

        def value(kind):
            if kind in scalar:
                return read(scalar[kind])
            if kind == 8:
                return string()
            if kind == 9:
                inner, count = read("<I"), read("<Q")
                return [value(inner) for _ in range(count)]
            raise ValueError(f"{path}: unknown GGUF metadata type {kind}; is this a GGUF file?")

        if f.read(4) != b"GGUF":
            raise ValueError(f"{path}: not a GGUF file (no GGUF magic); pass the model's .gguf")
        version, n_tensors, n_kv = read("<I"), read("<Q"), read("<Q")
        alignment = 32
        for _ in range(n_kv):
            key, kind = string(), read("<I")
            v = value(kind)
            if key == "general.alignment":
                alignment = v
        infos = []
        for _ in range(n_tensors):
            name, dims = string(), read("<I")
            shape = [read("<Q") for _ in range(dims)]
            _type, offset = read("<I"), read("<Q")
            infos.append((name, offset, shape))
        start = (f.tell() + alignment - 1) // alignment * alignment
    end = os.path.getsize(path) - start
    infos.sort(key=lambda t: t[1])
    return [(name, off, (infos[i + 1][1] if i + 1 < len(infos) else end) - off, shape)
            for i, (name, off, shape) in enumerate(infos)], start


def gguf_bytes(path):
    tensors, start = gguf_tensors(path)
    total = sum(size for _, _, size, _ in tensors)
    names = {name: (size, shape) for name, _, size, shape in tensors}
    per_token, tied = total, "output.weight" not in names
    if not tied and "token_embd.weight" in names:
        size, shape = names["token_embd.weight"]
        per_token = total - size + size // shape[-1]  # one row of the [vocab, hidden] table (ne[1] = vocab)
    return {"file": path, "file_bytes": os.path.getsize(path), "tensor_bytes": total, "tensors": len(tensors),
            "tied_embeddings": tied, "weight_bytes_per_token": per_token}


# ---------------------------------------------------------------- llama.cpp prefill / decode

def inference(args):
    import numpy as np
    import llama_cpp
    llm = llama_cpp.Llama(model_path=args.gguf, n_ctx=args.prompt + args.decode + 16, n_batch=args.prompt,
                          n_ubatch=args.prompt, n_threads=args.threads, n_threads_batch=args.threads,
                          logits_all=False, verbose=False)
    vocab = llm.n_vocab()
    rng = random.Random(5)
    prompt = [100 + rng.randrange(vocab - 100) for _ in range(args.prompt)]

    def last_logits_argmax():
        # eval keeps no logits unless logits_all; the context holds the last position's row.
        return int(np.argmax(np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(vocab,))))

    def run():
        llm.reset()  # n_tokens = 0; eval then drops the KV cache from there on
        t0 = time.perf_counter()
        llm.eval(prompt)
        prefill = time.perf_counter() - t0
        token = last_logits_argmax()
        t0 = time.perf_counter()
        for _ in range(args.decode):
            llm.eval([token])
            token = last_logits_argmax()
        return args.prompt / prefill, args.decode / (time.perf_counter() - t0)

    llm.eval(prompt[:16])  # warm-up
    runs = [run() for _ in range(args.repeats)]
    system = llama_cpp.llama_print_system_info().decode().strip()
    return {"llama_cpp_python": llama_cpp.__version__, "system_info": system, "threads": args.threads,
            "promptTokens": args.prompt, "decodeTokens": args.decode, "repeats": args.repeats,
            "prefillTokensPerSecond": statistics.median(r[0] for r in runs),
            "decodeTokensPerSecond": statistics.median(r[1] for r in runs), "load_average": os.getloadavg()}


def bandwidth(binary, threads):
    def run(n, pages=None):
        env = dict(os.environ, PAGES=pages) if pages else None
        text = subprocess.run([binary, str(n)], check=True, capture_output=True, text=True, env=env).stdout
        return json.loads(text)
    result = run(threads)
    result["one_thread_gb_per_s"] = run(1)["gb_per_s"] if threads != 1 else result["gb_per_s"]
    # The same read in 4 KiB pages (how the probe read before decoding's copies took 2 MiB pages).
    result["small_pages_gb_per_s"] = run(threads, "4k")["gb_per_s"]
    return result


def cpu_description():
    """'AMD EPYC (family 26 model 2), 2 cores, AVX2, AVX-512, VNNI, BF16' from /proc/cpuinfo."""
    fields = {}
    for line in open("/proc/cpuinfo"):
        if ":" in line:
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    flags = set(fields.get("flags", "").split())
    vector = [label for flag, label in (("avx2", "AVX2"), ("avx512f", "AVX-512"), ("avx512_vnni", "AVX512_VNNI"),
                                        ("avx512_bf16", "AVX512_BF16"), ("amx_tile", "AMX")) if flag in flags]
    return (f"{fields.get('model name', 'unknown CPU')} (family {fields.get('cpu family', '?')} model {fields.get('model', '?')}), "
            f"{os.cpu_count()} cores, {', '.join(vector) or 'no AVX2'}")


# ---------------------------------------------------------------- OpenAI-compatible streaming client

def load_prompts(path, count):
    """Chat messages from a JSONL of {instruction, input} (or {prompt}/{messages}) rows."""
    prompts = []
    for line in open(path):
        if not line.strip():
            continue
        row = json.loads(line)
        if "messages" in row:
            messages = [m for m in row["messages"] if m.get("role") != "assistant"]
        else:
            text = row.get("prompt") or "\n\n".join(x for x in (row.get("instruction"), row.get("input")) if x)
            messages = [{"role": "user", "content": text}]
        prompts.append(messages)
        if len(prompts) == count:
            break
    if not prompts:
        raise ValueError(f"{path}: no prompts (rows need instruction/input, prompt or messages)")
    return prompts


def stream_one(url, model, messages, max_tokens, timeout=600):
    """One streaming chat completion: (seconds to first content, seconds in all, completion tokens,
    where that count came from, chunks with content)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    body = json.dumps({"model": model, "messages": messages, "max_tokens": max_tokens, "temperature": 0,
                       "stream": True, "stream_options": {"include_usage": True}})
    start = time.perf_counter()
    connection.request("POST", parts.path.rstrip("/") + "/v1/chat/completions", body,
                       {"Content-Type": "application/json", "Accept": "text/event-stream"})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{url}: HTTP {response.status}: {response.read()[:300]!r}")
    first, chunks, usage = None, 0, None
    for raw in response:  # SSE: "data: {json}" lines, blank lines between events, "data: [DONE]" last
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            break
        event = json.loads(data)
        if event.get("usage"):
            usage = event["usage"].get("completion_tokens")
        for choice in event.get("choices") or []:
            if (choice.get("delta") or {}).get("content"):
                chunks += 1
                if first is None:
                    first = time.perf_counter() - start
    total = time.perf_counter() - start
    connection.close()
    return first if first is not None else total, total, usage if usage is not None else chunks, \
        "usage" if usage is not None else "chunks", chunks


def client(url, model, prompts, streams, max_tokens, per_stream):
    """N concurrent streams, each sending `per_stream` requests in turn (prompts dealt round-robin)."""
    results, errors = [], []
    lock = threading.Lock()

    def worker(index):
        for k in range(per_stream):
            messages = prompts[(index * per_stream + k) % len(prompts)]
            try:
                r = stream_one(url, model, messages, max_tokens)
                with lock:
                    results.append(r)
            except Exception as error:  # reported, not raised: the summary says how many failed
                with lock:
                    errors.append(str(error))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(streams)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    tokens = sum(r[2] for r in results)
    return {"url": url, "model": model, "streams": streams, "requests": len(results), "failed": len(errors),
            "errors": errors[:3], "max_tokens": max_tokens, "completion_tokens": tokens,
            "content_chunks": sum(r[4] for r in results), "wall_s": wall,
            "tokens_per_s": tokens / wall if wall > 0 else 0.0,
            "ttft_p50_s": statistics.median(r[0] for r in results) if results else None, "ttfts": [r[0] for r in results],
            "token_count_source": sorted({r[3] for r in results})}


# ---------------------------------------------------------------- starting and stopping the servers

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, process, log, seconds=300):
    parts = urllib.parse.urlsplit(url)
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode} before answering; its log: {log}")
        try:
            c = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
            c.request("GET", "/v1/models")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer /v1/models within {seconds} s; its log: {log}")


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(args):
    """Both servers up at once (idle, each waits on its socket), then `rounds` rounds that alternate
    them at each stream count, so a change in the machine's load reaches both sides alike; per
    server and stream count: the median round's aggregate tokens/s and TTFT p50 over all requests."""
    prompts = load_prompts(args.prompts, 64)
    streams = [int(s) for s in args.streams.split(",")]
    out = {"threads": args.threads, "max_tokens": args.max_tokens, "requests_per_stream": args.requests_per_stream,
           "rounds": args.rounds, "prompts": args.prompts, "gguf": args.gguf, "adapter_peft": args.adapter_peft,
           "adapter_gguf": args.adapter_gguf, "load_average_before": os.getloadavg()}
    environment = dict(os.environ, ATTUNE_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    commands = {
        "attune": lambda port: [args.attune, "serve", "--model", args.gguf, "--adapter", f"adapter={args.adapter_peft}",
                                "--port", str(port), "--max-tokens", str(max(args.max_tokens, 256))],
        # interrupt_requests False: by default a new request cuts the one streaming off; queue instead,
        # as attune serve does.
        "llama.cpp": lambda port: [args.llama_python, "-m", "llama_cpp.server", "--model", args.gguf,
                                   "--lora_path", args.adapter_gguf, "--n_threads", str(args.threads),
                                   "--n_threads_batch", str(args.threads), "--n_ctx", "2048",
                                   "--interrupt_requests", "False", "--host", "127.0.0.1", "--port", str(port)],
    }
    model = "adapter"  # attune serve's name for the adapter; llama-cpp-python serves its one model under any name
    processes, urls = {}, {}
    try:
        for name, command in commands.items():
            port = free_port()
            urls[name] = f"http://127.0.0.1:{port}"
            log = os.path.join(args.out_dir, f"serve-{name}.log")
            print(f"== {name} server on {urls[name]} (log {log})", file=sys.stderr)
            with open(log, "w") as sink:
                processes[name] = subprocess.Popen(command(port), stdout=sink, stderr=subprocess.STDOUT, env=environment)
            wait_ready(urls[name], processes[name], log)
            stream_one(urls[name], model, prompts[-1], 8)  # warm-up: first-request allocations
        runs = {(name, n): [] for name in commands for n in streams}
        for round_index in range(args.rounds):
            for n in streams:
                for name in commands:
                    r = client(urls[name], model, prompts, n, args.max_tokens, args.requests_per_stream)
                    runs[(name, n)].append(r)
                    print(f"   round {round_index + 1} · {name} · {n} stream(s): {r['tokens_per_s']:.1f} tokens/s aggregate, "
                          f"TTFT p50 {(r['ttft_p50_s'] or 0) * 1000:.0f} ms, {r['completion_tokens']} tokens in {r['requests']} requests"
                          + (f", {r['failed']} failed: {r['errors'][0]}" if r["failed"] else ""), file=sys.stderr)
    finally:
        for process in processes.values():
            stop(process)
    for name in commands:
        out[name] = []
        for n in streams:
            rounds = runs[(name, n)]
            ttfts = [t for r in rounds for t in r["ttfts"]]
            out[name].append({"streams": n, "rounds": len(rounds),
                              "tokens_per_s": statistics.median(r["tokens_per_s"] for r in rounds),
                              "tokens_per_s_each_round": [r["tokens_per_s"] for r in rounds],
                              "ttft_p50_s": statistics.median(ttfts) if ttfts else None,
                              "completion_tokens": sum(r["completion_tokens"] for r in rounds),
                              "content_chunks": sum(r["content_chunks"] for r in rounds),
                              "requests": sum(r["requests"] for r in rounds), "failed": sum(r["failed"] for r in rounds),
                              "errors": [e for r in rounds for e in r["errors"]][:3],
                              "token_count_source": sorted({x for r in rounds for x in r["token_count_source"]})})
    out["load_average_after"] = os.getloadavg()
    return out


# ---------------------------------------------------------------- report

def fmt(x, digits=0):
    return "—" if x is None else f"{x:.{digits}f}"


def ratio(a, b):
    return "—" if a is None or not b else f"{a / b:.2f}×"


def sections(folder, attune_inference):
    """(markdown lines, report dict) of the llama.cpp anchor, from what Scripts/bench wrote in folder."""
    def load(name):
        path = os.path.join(folder, name)
        return json.load(open(path)) if os.path.exists(path) else None

    llama, weights, bandwidth, serving = load("llama-inference.json"), load("llama-gguf.json"), load("llama-bandwidth.json"), load("llama-serve.json")
    cpu = cpu_description()
    lines, report = [], {}
    if llama or bandwidth:
        a = attune_inference or {}
        ceiling = bandwidth["gb_per_s"] * 1e9 / weights["weight_bytes_per_token"] if weights and bandwidth else None
        lines.append(f"\n### SmolLM2-135M inference against llama.cpp, batch 1, {llama['threads'] if llama else '?'} threads, "
                     f"the same Q4_1 GGUF ({cpu})\n")
        if llama:
            lines.append(f"llama.cpp: llama-cpp-python {llama['llama_cpp_python']} built from source by `Scripts/llama-anchor`; "
                         f"its system info: `{llama['system_info']}`. Prompt: 256 random token ids, "
                         f"32 greedy tokens after it, median of {llama['repeats']}. Load average {llama.get('load_average', [0])[0]:.1f} "
                         f"(1 minute) after llama.cpp's run.\n")
        lines.append("| | Attune tokens/s | llama.cpp tokens/s | Attune / llama.cpp | decode ceiling | Attune / ceiling |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        pre_a, pre_l = a.get("prefillTokensPerSecond"), llama and llama["prefillTokensPerSecond"]
        dec_a, dec_l = a.get("decodeTokensPerSecond"), llama and llama["decodeTokensPerSecond"]
        lines.append(f"| prefill, {a.get('promptTokens', 256)} tokens | {fmt(pre_a)} | {fmt(pre_l)} | {ratio(pre_a, pre_l)} | | |")
        lines.append(f"| greedy decode after it | {fmt(dec_a, 1)} | {fmt(dec_l, 1)} | {ratio(dec_a, dec_l)} | {fmt(ceiling)} | {ratio(dec_a, ceiling)} |")
        if weights and bandwidth:
            lines.append(f"\nDecode ceiling = weight bytes read per token ({weights['weight_bytes_per_token'] / 1e6:.1f} MB: "
                         f"{'all tensors, the embedding tied to the output' if weights['tied_embeddings'] else 'all tensors, one embedding row'}) "
                         f"/ measured read bandwidth ({bandwidth['gb_per_s']:.2f} GB/s: {bandwidth['threads']} threads summing a "
                         f"{bandwidth['buffer_mib']} MiB buffer ({bandwidth.get('huge_page_mib', 0)} MiB of it in 2 MiB pages, as "
                         f"decoding's weight copies), best of {bandwidth['passes']}, `Scripts/read_bandwidth.c`; "
                         f"1 thread {bandwidth.get('one_thread_gb_per_s', 0):.2f} GB/s; in 4 KiB pages "
                         f"{bandwidth.get('small_pages_gb_per_s', 0):.2f} GB/s). The KV cache's reads are left out.")
        report["inference"] = {"attune": attune_inference, "llama_cpp": llama, "weights": weights, "bandwidth": bandwidth,
                               "decode_ceiling_tokens_per_s": ceiling,
                               "prefill_ratio": pre_a / pre_l if pre_a and pre_l else None,
                               "decode_ratio": dec_a / dec_l if dec_a and dec_l else None,
                               "decode_fraction_of_ceiling": dec_a / ceiling if dec_a and ceiling else None}
    if serving and serving.get("attune") and serving.get("llama.cpp"):
        lines.append(f"\n### Serving: `attune serve` against llama-cpp-python's server, the same GGUF and LoRA adapter "
                     f"({cpu}, {serving['threads']} threads)\n")
        lines.append(f"Streaming chat completions, temperature 0, max_tokens {serving['max_tokens']}, triage prompts, "
                     f"{serving['requests_per_stream']} requests per stream; aggregate tokens/s = all completion tokens / wall time, "
                     f"median of {serving['rounds']} rounds that alternate the two servers; TTFT p50 over every request of the rounds. "
                     f"Attune decodes concurrent requests together (continuous batching, its default --max-batch 4); llama-cpp-python's "
                     f"server runs one generation at a time (with --interrupt_requests False, so requests queue). "
                     f"Load average {serving['load_average_before'][0]:.1f} before, {serving['load_average_after'][0]:.1f} after.\n")
        lines.append("| streams | Attune tokens/s | llama.cpp tokens/s | ratio | Attune TTFT p50 | llama.cpp TTFT p50 | tokens (Attune / llama.cpp) |")
        lines.append("|---:|---:|---:|---:|---:|---:|---|")
        rows = []
        for a, l in zip(serving["attune"], serving["llama.cpp"]):
            ttft = lambda r: "—" if r["ttft_p50_s"] is None else f"{r['ttft_p50_s'] * 1000:.0f} ms"
            lines.append(f"| {a['streams']} | {a['tokens_per_s']:.1f} | {l['tokens_per_s']:.1f} | {ratio(a['tokens_per_s'], l['tokens_per_s'])} | "
                         f"{ttft(a)} | {ttft(l)} | {a['completion_tokens']} / {l['completion_tokens']}"
                         + (f" ({a['failed']} / {l['failed']} requests failed)" if a["failed"] or l["failed"] else "") + " |")
            rows.append({"streams": a["streams"], "attune": a, "llama_cpp": l,
                         "ratio": a["tokens_per_s"] / l["tokens_per_s"] if l["tokens_per_s"] else None})
        report["serving"] = rows
    return lines, report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("gguf-bytes"); p.add_argument("gguf")
    p = sub.add_parser("inference"); p.add_argument("gguf"); p.add_argument("--threads", type=int, required=True)
    p.add_argument("--prompt", type=int, default=256); p.add_argument("--decode", type=int, default=32)
    p.add_argument("--repeats", type=int, default=3)
    for name in ("serve", "client"):
        p = sub.add_parser(name)
        p.add_argument("--prompts", required=True); p.add_argument("--max-tokens", type=int, default=64)
        p.add_argument("--requests-per-stream", type=int, default=2)
        if name == "client":
            p.add_argument("--url", required=True); p.add_argument("--model", default="base")
            p.add_argument("--streams", type=int, default=1)
        else:
            p.add_argument("--streams", default="1,4")
            for option in ("--attune", "--llama-python", "--gguf", "--adapter-peft", "--adapter-gguf", "--out-dir"):
                p.add_argument(option, required=True)
            p.add_argument("--threads", type=int, required=True)
            p.add_argument("--rounds", type=int, default=3)
    p = sub.add_parser("bandwidth"); p.add_argument("binary"); p.add_argument("--threads", type=int, required=True)
    p = sub.add_parser("report"); p.add_argument("folder")
    args = parser.parse_args()
    try:
        if args.command == "gguf-bytes":
            result = gguf_bytes(args.gguf)
        elif args.command == "inference":
            result = inference(args)
        elif args.command == "bandwidth":
            result = bandwidth(args.binary, args.threads)
        elif args.command == "client":
            result = client(args.url, args.model, load_prompts(args.prompts, 64), args.streams, args.max_tokens, args.requests_per_stream)
        elif args.command == "serve":
            result = serve(args)
        else:
            path = os.path.join(args.folder, "inference.json")
            lines, _ = sections(args.folder, json.load(open(path)) if os.path.exists(path) else None)
            print("\n".join(lines))
            return
    except (OSError, ValueError, RuntimeError, subprocess.CalledProcessError) as error:
        print(f"llama_bench.py {args.command}: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
