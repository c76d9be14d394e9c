"""Speed of arquote.numbers.find_claims on real sentences (one core).

Reads sentences from a corpus file by path (never copied into the repository) and prints
sentences per second; the target is at least 2,000 sentences/s.

Usage:
    python bench/bench_numbers.py --corpus ../shared/corpus/ant_multisource.jsonl.gz --sentences 20000
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arquote.numbers import find_claims  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ant_multisource.jsonl.gz"
_SPLIT = re.compile(r"(?<=[.!?؟])\s+|\n+")


def read_sentences(path: Path, limit: int) -> list[str]:
    """The first ``limit`` non-empty sentences of a ``.jsonl.gz`` corpus (field ``text``)."""
    out: list[str] = []
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            for s in _SPLIT.split(json.loads(line).get("text", "")):
                if s.strip():
                    out.append(s.strip())
                    if len(out) >= limit:
                        return out
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT, help="a .jsonl(.gz) file with a 'text' field")
    ap.add_argument("--sentences", type=int, default=20000, help="how many sentences to time")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus} (pass --corpus PATH)", file=sys.stderr)
        return 2
    sents = read_sentences(args.corpus, args.sentences)
    chars = sum(map(len, sents))
    find_claims(sents[0])  # load the lexicons outside the timing
    best = float("inf")
    claims = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        claims = sum(len(find_claims(s)) for s in sents)
        best = min(best, time.perf_counter() - t0)
    print(f"corpus: {args.corpus.name}")
    print(f"sentences: {len(sents)} ({chars / len(sents):.0f} chars on average), claims found: {claims}")
    print(f"find_claims: {len(sents) / best:,.0f} sentences/s, {chars / best / 1e6:.2f} M chars/s (best of {args.repeat})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
