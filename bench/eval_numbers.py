"""Precision and recall of arquote.numbers.find_claims against the NUM spans of a gold file.

Reads the gold by path (never copied into the repository) and prints exact-span and overlap
precision/recall/F1, and value and unit accuracy on the gold spans a prediction overlaps.

Usage:
    python bench/eval_numbers.py --gold ../shared/gold/dev.jsonl [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from arquote.numbers import find_claims  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "gold" / "dev.jsonl"


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT, help="a gold .jsonl file")
    ap.add_argument("--errors", action="store_true", help="print misses, false alarms and wrong values")
    args = ap.parse_args(argv)
    if not args.gold.exists():
        print(f"gold file not found: {args.gold} (pass --gold PATH)", file=sys.stderr)
        return 2
    n_gold = n_pred = exact = pred_overlap = gold_overlap = value_ok = unit_ok = 0
    for line in args.gold.open(encoding="utf-8"):
        doc = json.loads(line)
        text = doc["text"]
        gold = [s for s in doc["spans"] if s["label"] == "NUM"]
        pred = find_claims(text)
        n_gold += len(gold)
        n_pred += len(pred)
        exact += len({(g["start"], g["end"]) for g in gold} & {(p.span.start, p.span.end) for p in pred})
        for p in pred:
            if any(p.span.start < g["end"] and g["start"] < p.span.end for g in gold):
                pred_overlap += 1
            elif args.errors:
                print(f"FALSE  {doc['id']}: {p.text!r} value={p.value}")
        for g in gold:
            hit = [p for p in pred if p.span.start < g["end"] and g["start"] < p.span.end]
            if not hit:
                if args.errors:
                    print(f"MISS   {doc['id']}: {g['text']!r}")
                continue
            gold_overlap += 1
            value_ok += hit[0].value == g.get("value")
            unit_ok += hit[0].unit == g.get("unit")
            if args.errors and hit[0].value != g.get("value"):
                print(f"VALUE  {doc['id']}: {g['text']!r} gold={g.get('value')} pred={hit[0].value}")
    pe, re_ = exact / max(n_pred, 1), exact / max(n_gold, 1)
    po, ro = pred_overlap / max(n_pred, 1), gold_overlap / max(n_gold, 1)
    print(f"gold NUM spans: {n_gold}, predicted: {n_pred}")
    print(f"exact:   P={pe:.3f} R={re_:.3f} F1={_f1(pe, re_):.3f}")
    print(f"overlap: P={po:.3f} R={ro:.3f} F1={_f1(po, ro):.3f}")
    print(f"on overlapping gold spans: value accuracy {value_ok / max(gold_overlap, 1):.3f}, "
          f"unit accuracy {unit_ok / max(gold_overlap, 1):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
