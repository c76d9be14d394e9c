"""Throughput of the rule engine on one core: documents per second on real corpus texts.

Reads ``../shared/corpus/*.jsonl.gz`` by path (nothing is copied into the repository) and
prints documents/s and characters/s for the whole engine (patterns, linking, numbers).

Usage:
    python bench/bench_rules.py [--corpus PATH ...] [--docs N] [--no-numbers]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from arquote.link import link  # noqa: E402
from arquote.rules import engine  # noqa: E402


def read_texts(paths: list[Path], per_file: int) -> list[str]:
    texts = []
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in itertools.islice(f, per_file)]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="*", type=Path,
                        default=sorted((ROOT.parent / "shared" / "corpus").glob("*.jsonl.gz")))
    parser.add_argument("--docs", type=int, default=2000, help="documents in all (spread over files)")
    parser.add_argument("--no-numbers", action="store_true", help="time quotes and speakers only")
    args = parser.parse_args()
    if not args.corpus:
        sys.exit("no corpus files: pass --corpus PATH (../shared/corpus/*.jsonl.gz)")
    texts = read_texts(args.corpus, max(1, args.docs // len(args.corpus)))
    def spans_and_links(text: str):
        found = engine.find_spans(text)
        return link(text, found.quotes + found.speakers + found.cues)

    run = spans_and_links if args.no_numbers else engine.extract
    run(texts[0])  # load the lexicons before timing
    start = time.perf_counter()
    quotes = 0
    for text in texts:
        result = run(text)
        quotes += len(result.quotes)
    elapsed = time.perf_counter() - start
    chars = sum(map(len, texts))
    what = "patterns + linking, no numbers" if args.no_numbers else "extract (full engine)"
    print(f"rule engine, {what}, one core")
    print(f"documents     {len(texts)} from {len(args.corpus)} files")
    print(f"quotes found  {quotes}")
    print(f"time          {elapsed:.2f} s")
    print(f"throughput    {len(texts) / elapsed:.1f} documents/s, {chars / elapsed / 1000:.0f}k chars/s")
    print(f"mean length   {chars / len(texts):.0f} chars")


if __name__ == "__main__":
    main()
