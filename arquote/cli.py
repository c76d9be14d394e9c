"""The ``arquote`` command line: ``extract``, ``evaluate``, ``silver`` and ``train``.

Exit codes: 0 success; 1 some inputs could not be read or processed (the others were,
and the skipped ones are listed on stderr at the end); 2 bad usage or unreadable required
files; 3 the model could not be loaded; 130 interrupted.

Offsets index each input exactly as it is: ``.txt`` files and stdin are read as UTF-8
with their line ends kept (``\r\n`` stays two characters), so ``start``/``end`` point
into the user's file.

Example::

    arquote extract --model rules article.txt
    cat article.txt | arquote extract --format table
    arquote evaluate --gold dev.jsonl --model rules
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from pathlib import Path
from typing import Iterator, Sequence, TextIO

from . import __version__

__all__ = ["main"]

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_MODEL = 0, 1, 2, 3
_TEXT_SUFFIXES = (".txt",)
_JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json")


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


def _read_path(path: Path) -> Iterator[tuple[str, str | None, str | None]]:
    """Yields ``(doc_id, text, None)`` per document of a file, or ``(where, None, error)``.

    A ``.txt`` file is one document; a ``.jsonl(.gz)`` file holds one ``{"text": …}`` object
    a line. A bad line is reported and skipped; the rest of its file is still read.

    A ``.txt`` file is read with its line ends as they are (``newline=""``): with universal
    newlines a ``\r\n`` file would become a ``\n`` copy and every offset written would
    drift from the user's file by one per line break before it.
    """
    from .document import AnnotationError
    from .io import iter_texts

    try:
        if _is_jsonl(path):
            for rec in iter_texts(path):
                where = rec.id if rec.id is not None else f"{path.stem}:{rec.line}"
                yield where, rec.text, rec.error
        else:
            with open(path, encoding="utf-8", newline="") as handle:
                text = handle.read()
            yield path.stem, text, None
    except FileNotFoundError:
        yield str(path), None, f"{path}: no such file"
    except UnicodeDecodeError as err:
        yield str(path), None, f"{path}: not UTF-8 text ({err.reason} at byte {err.start})"
    except AnnotationError as err:
        yield str(path), None, str(err)
    except OSError as err:
        yield str(path), None, f"{path}: cannot read ({err.strerror or err})"


def _read_stdin() -> tuple[str | None, str | None]:
    """``(text, None)`` for the whole of stdin, or ``(None, error)`` when it is not UTF-8.

    The bytes are decoded here, not through ``sys.stdin``'s text layer, whose universal
    newlines would turn ``\r\n`` into ``\n`` and shift every offset after a line break.
    """
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # stdin replaced by a text-only stream: its text is all there is
        return sys.stdin.read(), None
    data = stream.read()
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return None, (
            f"stdin: not UTF-8 text ({err.reason} at byte {err.start}); "
            "convert the input to UTF-8 first (e.g. iconv -f cp1256 -t utf-8)"
        )


def _load(name: str | None, device: str | None = None, args: argparse.Namespace | None = None):
    from .extractor import ModelNotAvailableError, load

    kwargs: dict = {} if device is None or name == "rules" else {"device": device}
    if name != "rules" and args is not None:
        if getattr(args, "quantize", None):
            kwargs["quantize"] = args.quantize
        if getattr(args, "rules_weight", None) is not None:
            kwargs["rules_weight"] = args.rules_weight
        if getattr(args, "rules_outside_weight", None) is not None:
            kwargs["rules_outside_weight"] = args.rules_outside_weight
        if getattr(args, "dtype", None):
            kwargs["dtype"] = args.dtype
    try:
        return load(name, **kwargs)
    except (ModelNotAvailableError, OSError, ValueError) as err:
        raise SystemExit(_fail(f"cannot load model {name or '(default)'}: {err}", EXIT_MODEL))


def _model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quantize", choices=["int8"], default=None,
                   help="for a model on CPU: dynamic int8 Linear layers (faster)")
    p.add_argument("--rules-weight", type=float, default=None,
                   help="for a model: weight of the rule engine's labels in decoding, 0 to <1 "
                        "(default: the model's own setting)")
    p.add_argument("--rules-outside-weight", type=float, default=None,
                   help="for a model: the same weight on words the rules leave outside every "
                        "span (default: the model's own setting, else --rules-weight)")
    p.add_argument("--dtype", choices=["auto", "float32", "bfloat16", "float16"], default=None,
                   help="for a model: precision of the forward pass (default auto: bfloat16 "
                        "where the CPU or GPU runs it natively, else float32)")


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


def _extract_safely(ext, batch: list[tuple[str, str]], errors: list[str]) -> list[tuple[str, object]]:
    """Extracts a batch; if it fails, each text alone, so one bad text loses only itself."""
    try:
        docs = list(ext.pipe([t for _, t in batch], batch_size=len(batch)))
        return list(zip([i for i, _ in batch], docs))
    except Exception:  # isolate the failing text below
        pass
    out = []
    for doc_id, text in batch:
        try:
            out.append((doc_id, ext(text)))
        except Exception as err:  # reported at the end; the batch goes on
            errors.append(f"{doc_id}: extraction failed ({type(err).__name__}: {err})")
    return out


def _cmd_extract(args: argparse.Namespace) -> int:
    import contextlib

    from tqdm.auto import tqdm

    from .frames import COLUMNS, rows
    from .io import atomic_write

    inputs = [i for i in args.inputs if i != "-"]
    ext = _load(args.model, device=args.device, args=args)
    paths = _expand(inputs) if inputs else []
    if inputs and not paths:
        return _fail("no .txt or .jsonl files found in the inputs given", EXIT_USAGE)
    errors: list[str] = []

    def items() -> Iterator[tuple[str, str]]:
        if not paths or "-" in args.inputs:
            text, error = _read_stdin()
            if error is not None:
                errors.append(error)
            else:
                yield "stdin", text
        for path in paths:
            for doc_id, text, error in _read_path(path):
                if error is not None:
                    errors.append(error)
                else:
                    yield doc_id, text

    bar = tqdm(desc="arquote", unit="doc", file=sys.stderr,
               disable=args.quiet or (len(paths) < 2 and not any(_is_jsonl(p) for p in paths)))
    with contextlib.ExitStack() as stack:
        # An output file is written whole or not at all (temporary file, then rename).
        # newline="" for CSV (as the csv module asks): a "\r\n" inside a quoted field is
        # written as it is in the text, not translated on Windows.
        newline = "" if args.format == "csv" else None
        out: TextIO = (
            stack.enter_context(atomic_write(args.output, "w", newline=newline))
            if args.output else sys.stdout
        )
        writer = None
        if args.format == "csv":
            writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
            writer.writeheader()
        rendered = []
        pending = items()
        while True:
            batch = list(itertools.islice(pending, args.batch_size))
            if not batch:
                break
            for doc_id, doc in _extract_safely(ext, batch, errors):
                if args.format == "jsonl":
                    record = doc.to_dict()
                    record = {"id": doc_id, **{k: v for k, v in record.items() if k != "id"}}
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                elif args.format == "csv":
                    writer.writerows(rows(doc, doc_id))
                elif args.format == "html":
                    rendered.append(type(doc)(doc.text, doc.quotes, doc.speakers, doc.claims, doc.cues, id=doc_id))
                else:
                    _write_table(out, doc_id, doc)
            bar.update(len(batch))
        if args.format == "html":
            from .display import render

            out.write(str(render(rendered, max_docs=None)))
        out.flush()
    bar.close()
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
            ext = _load(args.model, args=args)
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
    p.add_argument("inputs", nargs="*", help=".txt files, .jsonl(.gz) files with a 'text' field, or directories; none or '-': stdin")
    p.add_argument("--model", "--engine", dest="model", default=None,
                   help="'rules', a model directory, or nothing for the default model")
    p.add_argument("--format", choices=["jsonl", "csv", "table", "html"], default="jsonl")
    p.add_argument("-o", "--output", help="write here (atomically) instead of stdout")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--device", default=None, help="for a model: cpu, cuda, cuda:1 …")
    _model_options(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser("evaluate", help="score predictions against gold annotations")
    p.add_argument("--gold", required=True, help="gold annotations (JSONL)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--pred", help="predicted annotations (JSONL)")
    group.add_argument("--model", "--engine", dest="model", help="'rules' or a model directory to run on the gold texts")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    _model_options(p)
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
    except KeyboardInterrupt:
        print("arquote: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
