"""The ``arquote`` command line: ``extract``, ``evaluate``, ``silver`` and ``train``.

Exit codes: 0 success; 1 some inputs could not be read or processed (the others were);
2 bad usage or unreadable required files; 3 the model could not be loaded.

Example::

    arquote extract --model rules article.txt
    cat article.txt | arquote extract --format table
    arquote evaluate --gold dev.jsonl --model rules
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from pathlib import Path
from typing import Iterator, Sequence, TextIO

from . import __version__

__all__ = ["main"]

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_MODEL = 0, 1, 2, 3
_TEXT_SUFFIXES = (".txt",)
_JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json")


class _InputError(Exception):
    """An input that could not be read: reported at the end, the batch goes on."""


def _is_jsonl(path: Path) -> bool:
    return any(path.name.endswith(s) for s in _JSONL_SUFFIXES)


def _expand(inputs: Sequence[str]) -> list[Path]:
    paths: list[Path] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and (p.suffix in _TEXT_SUFFIXES or _is_jsonl(p))
            )
            paths.extend(found)
        else:
            paths.append(path)
    return paths


def _read_path(path: Path) -> Iterator[tuple[str, str]]:
    """Yields ``(doc_id, text)`` for a text file or a JSONL file of ``{"text": ...}``."""
    try:
        if _is_jsonl(path):
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as handle:
                for lineno, line in enumerate(handle, 1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as err:
                        raise _InputError(f"{path}:{lineno}: not valid JSON ({err.msg})") from None
                    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                        raise _InputError(f"{path}:{lineno}: expected an object with a string 'text' field")
                    yield str(record.get("id", f"{path.stem}:{lineno}")), record["text"]
        else:
            yield path.stem, path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as err:
        raise _InputError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    except OSError as err:
        raise _InputError(f"{path}: cannot read ({err.strerror})") from None


def _load(name: str | None):
    from .extractor import ModelNotAvailableError, load

    try:
        return load(name)
    except (ModelNotAvailableError, OSError, ValueError) as err:
        raise SystemExit(_fail(f"cannot load model {name or '(default)'}: {err}", EXIT_MODEL))


def _fail(message: str, code: int) -> int:
    print(f"arquote: error: {message}", file=sys.stderr)
    return code


def _write_table(out: TextIO, doc_id: str, doc) -> None:
    out.write(f"== {doc_id}: {len(doc.quotes)} quotes, {len(doc.claims)} claims\n")
    for q in doc.quotes:
        who = q.speaker.name if q.speaker else "?"
        cue = f" [{q.cue.text}]" if q.cue else ""
        out.write(f"  {q.kind:8} {q.content.start:>6}:{q.content.end:<6} {who}{cue}: {q.content.text}\n")
    for c in doc.claims:
        value = "vague" if c.value is None else f"{c.value:g}"
        who = f" ({c.claimant.name})" if c.claimant else ""
        out.write(f"  {'claim':8} {c.span.start:>6}:{c.span.end:<6} {value} {c.unit or ''}{who}: {c.span.text}\n")


def _cmd_extract(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from .frames import COLUMNS, rows

    ext = _load(args.model)
    if args.inputs:
        paths = _expand(args.inputs)
        if not paths:
            return _fail("no .txt or .jsonl files found in the inputs given", EXIT_USAGE)
    else:
        paths = []
    errors: list[str] = []

    def items() -> Iterator[tuple[str, str]]:
        if not paths:
            yield "stdin", sys.stdin.read()
            return
        for path in tqdm(paths, desc="arquote", unit="file", disable=args.quiet or len(paths) < 2,
                         file=sys.stderr):
            try:
                yield from _read_path(path)
            except _InputError as err:
                errors.append(str(err))

    out = sys.stdout
    writer = None
    if args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
        writer.writeheader()
    pending = items()
    while True:
        batch = []
        for item in pending:
            batch.append(item)
            if len(batch) >= args.batch_size:
                break
        if not batch:
            break
        try:
            docs = list(ext.pipe([t for _, t in batch], batch_size=args.batch_size))
        except Exception as err:  # one bad batch must not lose the others
            errors.append(f"{', '.join(i for i, _ in batch)}: extraction failed ({type(err).__name__}: {err})")
            continue
        for (doc_id, _), doc in zip(batch, docs):
            if args.format == "jsonl":
                record = doc.to_dict()
                record = {"id": doc_id, **{k: v for k, v in record.items() if k != "id"}}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif args.format == "csv":
                writer.writerows(rows(doc, doc_id))
            else:
                _write_table(out, doc_id, doc)
        if len(batch) < args.batch_size:
            break
    out.flush()
    for message in errors:
        print(f"arquote: skipped {message}", file=sys.stderr)
    return EXIT_PARTIAL if errors else EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .document import AnnotationError
    from .evaluate import evaluate
    from .io import read_jsonl

    try:
        gold = read_jsonl(args.gold)
        if args.pred:
            pred = read_jsonl(args.pred)
        else:
            ext = _load(args.model)
            docs = list(ext.pipe([d.text for d in gold], batch_size=args.batch_size))
            pred = [
                type(d)(d.text, d.quotes, d.speakers, d.claims, d.cues, id=g.id, source=g.source)
                for d, g in zip(docs, gold)
            ]
    except (AnnotationError, FileNotFoundError) as err:
        return _fail(str(err), EXIT_USAGE)
    try:
        result = evaluate(gold, pred)
    except (ValueError, TypeError) as err:
        return _fail(f"cannot pair gold and predictions: {err}", EXIT_USAGE)
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        result.to_dataframe().to_csv(sys.stdout, index=False)
    else:
        print(result.table())
    return EXIT_OK


def _cmd_silver(args: argparse.Namespace) -> int:
    from .rules import make_silver

    stats = make_silver(args.corpus, args.out, limit=args.limit, workers=args.workers,
                        progress=not args.quiet)
    print(json.dumps(stats, ensure_ascii=False), file=sys.stderr)
    return EXIT_OK


def _cmd_train(args: argparse.Namespace) -> int:
    try:
        from .train import TrainConfig, train
    except ImportError as err:
        return _fail(f"training is not available: {err}", EXIT_USAGE)
    config = TrainConfig.from_json(args.config)
    overrides = dict(kv.split("=", 1) for kv in args.set or [])
    if overrides:
        config = config.replace(**overrides)
    summary = train(config)
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``arquote`` command."""
    parser = argparse.ArgumentParser(
        prog="arquote", description="Who said what in Arabic news: quotes, speakers, cues, numeric claims."
    )
    parser.add_argument("--version", action="version", version=f"arquote {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract from files, a directory, or stdin")
    p.add_argument("inputs", nargs="*", help=".txt files, .jsonl(.gz) files with a 'text' field, or directories; none: stdin")
    p.add_argument("--model", "--engine", dest="model", default=None,
                   help="'rules', a model directory, or nothing for the default model")
    p.add_argument("--format", choices=["jsonl", "csv", "table"], default="jsonl")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("evaluate", help="score predictions against gold annotations")
    p.add_argument("--gold", required=True, help="gold annotations (JSONL)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--pred", help="predicted annotations (JSONL)")
    group.add_argument("--model", "--engine", dest="model", help="'rules' or a model directory to run on the gold texts")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--batch-size", type=int, default=16)
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("silver", help="label a corpus with the rule engine (silver training data)")
    p.add_argument("--corpus", nargs="+", required=True, help="corpus files (*.jsonl.gz with a 'text' field)")
    p.add_argument("--out", required=True, help="output JSONL")
    p.add_argument("--limit", type=int, default=None, help="stop after this many kept documents")
    p.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=_cmd_silver)

    p = sub.add_parser("train", help="fine-tune a token classifier from a config file")
    p.add_argument("--config", required=True, help="training config JSON (see training/configs)")
    p.add_argument("--set", nargs="*", metavar="KEY=VALUE", help="override config fields")
    p.set_defaults(func=_cmd_train)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "batch_size", 1) < 1:
        parser.error("--batch-size must be at least 1")
    try:
        return args.func(args)
    except SystemExit as stop:
        return int(stop.code or 0)
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
