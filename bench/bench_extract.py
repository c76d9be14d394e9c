"""Benchmark: arquote's model pipeline against the naive transformers pipeline.

    python bench/bench_extract.py --corpus ../shared/corpus/ant_multisource.jsonl.gz --docs 200
    python bench/bench_extract.py --corpus ... --model runs/e5small_cpu/model --device cpu
    python bench/bench_extract.py --corpus ... --docs 2000 --device cuda --batch-size 64 --workers 6

Measures, in one run, on N real articles:
- arquote (the default model, or --model): documents/s, words/s, peak RSS, cold ``load()``
  time (base model already cached) and first-call latency;
- the naive way on the same model: ``transformers.pipeline("token-classification",
  aggregation_strategy="first")``, one text at a time. It truncates at the model's maximum
  length, so only the words it actually reads are counted. The speedup is timed in
  interleaved blocks of documents (arquote on a block, then the pipeline on the same block),
  so that a change in the machine's load hits both sides alike;
- scaling: seconds per document for one text repeated 1x, 4x and 16x, and the fitted exponent;
- the rule engine's and ``find_claims``'s throughput.

Prints a table, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workers_peak_rss_mb(pid: int) -> float | None:
    # VmHWM, not RUSAGE_CHILDREN: on Linux a spawned child's ru_maxrss keeps the high-water
    # mark of the forked copy of this process that exec replaced
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def read_texts(path: str, n: int, min_chars: int = 200) -> list[str]:
    out = []
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line).get("text", "")
            if len(text) >= min_chars:
                out.append(text)
            if len(out) >= n:
                break
    return out


def count_words(text: str) -> int:
    return len(text.split())


def fit_exponent(sizes: list[float], seconds: list[float]) -> float:
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-9)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model", default=None, help="model directory (default: the embedded model)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--block", type=int, default=20,
                        help="documents per interleaved block when timing arquote against the pipeline")
    parser.add_argument("--quantize", choices=["int8"], default=None, help="load the model with int8 Linear layers")
    parser.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16", "float16"],
                        help="precision of arquote's forward pass (the naive baseline runs float32)")
    parser.add_argument("--baseline-dtype", default="float32", choices=["float32", "bfloat16"],
                        help="the naive pipeline's dtype (default float32, as pipeline() loads it)")
    parser.add_argument("--rules-weight", type=float, default=None, help="override the model's rules weight")
    parser.add_argument("--rules-outside-weight", type=float, default=None,
                        help="override the model's rules weight outside the rules' spans")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--workers", type=int, default=0,
                        help="worker processes that decode, link and parse numbers (pipe(workers=N)); "
                             "arquote is then timed in one pass, not in blocks interleaved with the pipeline")
    parser.add_argument("--gold", default=None, help="also evaluate on this gold JSONL (quality of the same settings)")
    parser.add_argument("--held-out", action="store_true",
                        help="evaluate only on the model's held-out split (eval_ids of its training_config.json)")
    args = parser.parse_args(argv)

    import torch

    import arquote
    from arquote.numbers import find_claims

    if args.threads:
        torch.set_num_threads(args.threads)
    options = {"device": args.device, "batch_size": args.batch_size, "dtype": args.dtype}
    if args.quantize:
        options["quantize"] = args.quantize
    if args.rules_weight is not None:
        options["rules_weight"] = args.rules_weight
    if args.rules_outside_weight is not None:
        options["rules_outside_weight"] = args.rules_outside_weight
    texts = read_texts(args.corpus, args.docs)
    words = sum(count_words(t) for t in texts)
    rows: list[tuple[str, str]] = []

    # Make sure the base is converted and cached: load() is timed warm, as users see it.
    from arquote.base import ensure_base

    ensure_base()
    started = time.perf_counter()
    ext = arquote.load(args.model, **options)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    ext(texts[0])
    first_call_s = time.perf_counter() - started

    # First pass: what arquote alone needs (peak RSS before anything else is loaded).
    started = time.perf_counter()
    docs, worker_rss = [], None
    for doc in ext.pipe(texts, batch_size=args.batch_size, workers=args.workers):
        docs.append(doc)
        if args.workers and len(docs) == max(1, len(texts) - 1):  # the pool is still up
            worker_rss = max((workers_peak_rss_mb(p.pid) for p in multiprocessing.active_children()), default=None)
    seconds = time.perf_counter() - started
    rss = peak_rss_mb()
    rows += [
        ("documents", f"{len(texts)} ({words} words)"),
        ("arquote precision", ext.dtype if hasattr(ext, "dtype") else "-"),
        ("arquote load() s (base cached)", f"{load_s:.2f}"),
        ("arquote first call s", f"{first_call_s:.2f}"),
        ("arquote words/s, first pass alone", f"{words / seconds:.0f}"),
        ("arquote docs/minute, first pass alone", f"{60 * len(texts) / seconds:.0f}"),
        ("peak RSS MB (load + extraction)", f"{rss:.0f}"),
        *([("worker processes, peak RSS MB of the largest", f"{args.workers}, {worker_rss or 0:.0f}")]
          if args.workers else []),
        ("quotes / claims found", f"{sum(len(d.quotes) for d in docs)} / {sum(len(d.claims) for d in docs)}"),
    ]

    # Scaling: the same text repeated; seconds per document.
    base_text = max(texts[:20], key=len)
    sizes, times = [1, 4, 16], []
    for k in sizes:
        long_text = "\n\n".join([base_text] * k)
        started = time.perf_counter()
        ext(long_text)
        times.append(time.perf_counter() - started)
    exponent = fit_exponent(sizes, times)
    rows.append(("scaling s for 1x/4x/16x", " / ".join(f"{t:.2f}" for t in times)))
    rows.append(("scaling exponent", f"{exponent:.2f}"))

    baseline_words_per_s = None
    if args.skip_baseline:
        docs_per_s, words_per_s = len(texts) / seconds, words / seconds
    else:
        from transformers import pipeline

        with tempfile.TemporaryDirectory() as tmp:
            # The naive pipeline needs a plain Hugging Face directory: write the full model
            # as loaded without arquote's options (no quantization).
            plain = arquote.load(args.model)
            plain.model.save_pretrained(tmp)
            plain.tokenizer.save_pretrained(tmp)
            del plain
            device = 0 if args.device.startswith("cuda") else -1
            nlp = pipeline("token-classification", model=tmp, tokenizer=tmp,
                           aggregation_strategy="first", device=device,
                           dtype=getattr(torch, args.baseline_dtype))
            limit = nlp.tokenizer.model_max_length
            limit = min(limit if limit and limit < 10**6 else 512, ext.model.config.max_position_embeddings)
            read_words = 0
            for t in texts:
                enc = nlp.tokenizer(t, truncation=True, max_length=limit, return_offsets_mapping=True)
                last = max((e for _, e in enc["offset_mapping"]), default=0)
                read_words += count_words(t[:last])
            nlp(texts[0])
            ours = theirs = 0.0
            for k in range(0, len(texts), args.block):
                block = texts[k:k + args.block]
                if not args.workers:  # with workers, a pool per block would time their start
                    started = time.perf_counter()
                    list(ext.pipe(block, batch_size=args.batch_size))
                    ours += time.perf_counter() - started
                started = time.perf_counter()
                for t in block:
                    nlp(t)
                theirs += time.perf_counter() - started
        if args.workers:
            ours = seconds
        docs_per_s, words_per_s = len(texts) / ours, words / ours
        baseline_words_per_s = read_words / theirs
    rows += [("arquote docs/s", f"{docs_per_s:.2f}"), ("arquote words/s", f"{words_per_s:.0f}")]
    if baseline_words_per_s is not None:
        rows.append((f"naive pipeline ({args.baseline_dtype}) words/s (words read)",
                     f"{baseline_words_per_s:.0f} ({read_words} of {words} words)"))
        rows.append((f"speedup ({'first pass' if args.workers else 'interleaved blocks'})",
                     f"{words_per_s / baseline_words_per_s:.2f}x"))

    rules = arquote.load("rules")
    started = time.perf_counter()
    for t in texts:
        rules(t)
    rules_docs_per_s = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    for t in texts:
        find_claims(t)
    claims_docs_per_s = len(texts) / (time.perf_counter() - started)
    rows += [("rules docs/s", f"{rules_docs_per_s:.1f}"), ("find_claims docs/s", f"{claims_docs_per_s:.1f}")]

    quality = {}
    if args.gold:
        from arquote.evaluate import evaluate
        from arquote.io import read_jsonl

        gold = read_jsonl(args.gold)
        if args.held_out:
            from arquote.extractor import _DEFAULT_DIR

            with open(os.path.join(args.model or _DEFAULT_DIR, "training_config.json"), encoding="utf-8") as handle:
                held = set(json.load(handle)["eval_ids"])
            gold = [d for d in gold if d.id in held]
        pred = list(ext.pipe([d.text for d in gold], batch_size=args.batch_size))
        result = evaluate(gold, pred).to_dict()
        quality = {"gold_quote_overlap_f1": result["spans"]["overlap"]["QUOTE"]["f1"],
                   "gold_micro_overlap_f1": result["spans"]["overlap"]["micro"]["f1"],
                   "gold_attribution": result["attribution"]["accuracy"]}
        rows.append((f"quality on {os.path.basename(args.gold)}{' (held-out split)' if args.held_out else ''}",
                     " ".join(f"{k[5:]}={v:.3f}" for k, v in quality.items())))

    width = max(len(k) for k, _ in rows)
    settings = ", ".join(f"{k}={v}" for k, v in options.items())
    print(f"arquote benchmark: {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, {settings}")
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print(json.dumps({
        "docs": len(texts),
        "dtype": getattr(ext, "dtype", None),
        "docs_per_s": round(docs_per_s, 3),
        "docs_per_min": round(60 * docs_per_s, 1),
        "workers": args.workers,
        "worker_peak_rss_mb": None if worker_rss is None else round(worker_rss, 1),
        "words_per_s": round(words_per_s, 1),
        "baseline_words_per_s": None if baseline_words_per_s is None else round(baseline_words_per_s, 1),
        "speedup": None if baseline_words_per_s is None else round(words_per_s / baseline_words_per_s, 3),
        "peak_rss_mb": round(rss, 1),
        "load_s": round(load_s, 3),
        "first_call_s": round(first_call_s, 3),
        "scaling_exponent": round(exponent, 3),
        "rules_docs_per_s": round(rules_docs_per_s, 1),
        "find_claims_docs_per_s": round(claims_docs_per_s, 1),
        **{k: round(v, 4) for k, v in quality.items()},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
