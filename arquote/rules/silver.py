"""The silver corpus: unlabelled news labelled by the rule engine, kept when it is confident.

:func:`make_silver` streams ``*.jsonl.gz`` (or ``.jsonl``) files with a ``text`` field,
runs :func:`arquote.rules.extract` on every text on all cores, and writes the documents
that pass :func:`confident` as annotation records (:meth:`Document.to_json` lines).

The confidence filter (see ``docs/rules.md``) keeps a document only when nothing in it
looks like an attribution the rules could not resolve:

1. every quote has a speaker, and a cue unless it is a ``Source: statement`` line;
2. no speech verb is left without a quote while it is followed, in its sentence, by a
   complementizer, a colon or a quotation mark (a pattern the rules half-recognized);
3. the quotation marks balance in every paragraph (« with », and an even number of
   straight and curly double marks), so no direct quote was cut by a stray mark;
4. no quote is longer than 1,500 characters and no speaker mention longer than 12 words;
5. the text has at least 20 characters.

Example:
    >>> from arquote.rules import extract
    >>> confident(extract("وقال الوزير إن «الحدود مغلقة حتى إشعار آخر»."))
    True
    >>> confident(extract("وقال إن «الحدود مغلقة حتى إشعار آخر."))  # an unclosed mark
    False
"""

from __future__ import annotations

import contextlib
import gzip
import io

import itertools
import multiprocessing
import os
import re
import sys
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

from ..cues import cue_lexicon
from ..document import AnnotationError, Document
from ..io import atomic_write, iter_texts
from .engine import _View, extract

__all__ = ["confident", "doubts", "make_silver", "read_corpus"]

_MAX_QUOTE = 1500
_MAX_SPEAKER_WORDS = 12


def doubts(doc: Document) -> list[str]:
    """Why the rule engine may be wrong on ``doc`` (empty when it is confident).

    Example:
        >>> from arquote.rules import extract
        >>> doubts(extract("وقال الوزير إن «الحدود مغلقة حتى إشعار آخر»."))
        []
        >>> len(doubts(extract("وأكد الوزير أن الأمر"))) > 0  # a verb left without a quote
        True
    """
    reasons = []
    text = doc.text
    if len(text.strip()) < 20:
        reasons.append("text shorter than 20 characters")
    for q in doc.quotes:
        if q.speaker is None:
            reasons.append(f"quote at {q.content.start} has no speaker")
        if q.cue is None and q.kind == "direct" and not _line_source(text, q.content.start):
            reasons.append(f"direct quote at {q.content.start} has no cue")
        if len(q.content) > _MAX_QUOTE:
            reasons.append(f"quote at {q.content.start} is longer than {_MAX_QUOTE} characters")
    for s in doc.speakers:
        for m in s.mentions:
            if len(m.text.split()) > _MAX_SPEAKER_WORDS:
                reasons.append(f"speaker mention at {m.start} has more than {_MAX_SPEAKER_WORDS} words")
    for para in text.split("\n"):
        if para.count("«") != para.count("»"):
            reasons.append("unbalanced «» in a paragraph")
            break
        if para.count('"') % 2 or (para.count("“") + para.count("”")) % 2:
            reasons.append("an odd number of double quotation marks in a paragraph")
            break
    reasons += _orphan_cues(doc)
    return reasons


def _line_source(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return ":" in text[line_start:pos]


def _orphan_cues(doc: Document) -> list[str]:
    """Speech verbs that look like attributions but produced no quote."""
    v = _View(doc.text)
    used = {c.start for c in doc.cues}
    inside = [q.content for q in doc.quotes]
    out = []
    lex = cue_lexicon()
    for i, tok in enumerate(v.toks):
        form = lex.get(tok.norm)
        if form is None or form.cls not in ("say", "opinion") or tok.start in used or v.inside[i]:
            continue
        if any(q.start <= tok.start < q.end for q in inside) or v.strong_cue(i) is None:
            continue
        for k in range(i + 1, min(i + 6, len(v.toks))):
            gap = v.gap(k - 1, k)
            if v.sentence_break(v.toks[k - 1].end, v.toks[k].start):
                break
            if v.is_comp(k) or ":" in gap or re.search("[«“]", gap):
                out.append(f"speech verb {tok.text!r} at {tok.start} has no quote")
                break
    return out


def confident(doc: Document) -> bool:
    """True when :func:`doubts` finds nothing: the document may go into the silver corpus."""
    return not doubts(doc)


def _read_file(path: Path) -> Iterator[tuple[str, str, str]]:
    source = path.name.split(".")[0]
    for rec in iter_texts(path):
        if rec.error is not None:
            raise AnnotationError(rec.error)
        yield rec.id if rec.id is not None else f"{source}-{rec.line}", source, rec.text


def read_corpus(paths: Sequence[str | os.PathLike[str]]) -> Iterator[tuple[str, str, str]]:
    """Yields ``(id, source, text)`` from JSON-lines files (gzip or plain), lazily.

    The files are read in turn, one text of each (round robin), so that a ``limit`` takes
    a mix of every source rather than the first file alone.

    Raises:
        FileNotFoundError: for a path that does not exist.
        AnnotationError: (a ``ValueError``) ``path:line: …`` for a line that is not a JSON
            object with a string ``text``.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"corpus file {path} does not exist")
    active = [_read_file(p) for p in paths]
    while active:
        still = []
        for reader in active:
            item = next(reader, None)
            if item is not None:
                yield item
                still.append(reader)
        active = still


def _label(item: tuple[str, str, str]) -> tuple[str | None, str | None]:
    """``(JSON line or None, error or None)`` for one corpus text."""
    doc_id, source, text = item
    try:
        doc = extract(text)
    except Exception as err:  # one text must not end a run over 75k: counted and reported
        return None, f"{doc_id}: {type(err).__name__}: {err}"
    if not confident(doc):
        return None, None
    doc = Document(doc.text, doc.quotes, doc.speakers, doc.claims, doc.cues, id=doc_id,
                   source=source)
    return doc.to_json(), None


def make_silver(
    paths: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str] | IO[str],
    limit: int | None = None,
    workers: int | None = None,
    chunksize: int = 32,
    progress: bool = True,
) -> dict[str, Any]:
    """Labels corpus texts with the rule engine and writes the confident ones.

    Args:
        paths: JSON-lines files (``.jsonl`` or ``.jsonl.gz``) with a ``text`` field.
        out: Output path (``.jsonl``; ``.gz`` compresses), or an open text stream.
        limit: Stop after this many texts read (``None``: all).
        workers: Processes (``None``: all cores; ``1``: no subprocesses).
        chunksize: Texts sent to a worker at a time.
        progress: Show a tqdm bar on stderr.

    Returns:
        Counts: ``{"read": …, "kept": …, "quotes": …, "errors": …, "first_errors": […]}``;
        a text the engine fails on is skipped, counted in ``errors`` and named (first ten).

    Raises:
        FileNotFoundError, ValueError: from :func:`read_corpus`.
    """
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise ValueError(f"limit must be a non-negative int or None, got {limit!r}")
    workers = workers or os.cpu_count() or 1
    items: Iterable[tuple[str, str, str]] = read_corpus(paths)
    if limit is not None:
        items = itertools.islice(items, limit)
    stats: dict[str, Any] = {"read": 0, "kept": 0, "quotes": 0, "errors": 0, "first_errors": []}
    with contextlib.ExitStack() as stack:
        if isinstance(out, (str, os.PathLike)):
            path = Path(out)
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written to a temporary file and renamed at the end: an interrupted run
            # leaves any previous silver file intact, never a half-written one.
            if path.suffix == ".gz":
                raw = stack.enter_context(atomic_write(path, "wb"))
                stream: IO[str] = stack.enter_context(
                    io.TextIOWrapper(gzip.GzipFile(fileobj=raw, mode="wb"), encoding="utf-8"))
            else:
                stream = stack.enter_context(atomic_write(path, "w"))
        else:
            stream = out
        _label_all(items, stream, stats, limit, workers, chunksize, progress)
    return stats


def _label_all(items, stream, stats, limit, workers, chunksize, progress) -> None:
    from tqdm import tqdm

    bar = tqdm(total=limit, unit="doc", file=sys.stderr, disable=not progress,
               desc="silver")
    pool = multiprocessing.Pool(workers) if workers > 1 else None
    try:
        iterator = iter(items)
        while True:
            # bounded batches keep memory constant (Pool.imap would read all input ahead)
            batch = list(itertools.islice(iterator, 64 * chunksize * max(1, workers)))
            if not batch:
                break
            results = pool.imap(_label, batch, chunksize) if pool else map(_label, batch)
            for line, error in results:
                stats["read"] += 1
                if error is not None:
                    stats["errors"] += 1
                    if len(stats["first_errors"]) < 10:
                        stats["first_errors"].append(error)
                if line is not None:
                    stats["kept"] += 1
                    stats["quotes"] += line.count('"label": "QUOTE"')
                    stream.write(line + "\n")
                bar.update(1)
            bar.set_postfix(kept=stats["kept"])
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        bar.close()


def _main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - thin CLI
    import argparse

    parser = argparse.ArgumentParser(description="Label a corpus with the rule engine (silver data).")
    parser.add_argument("--corpus", nargs="+", required=True, help="*.jsonl.gz files")
    parser.add_argument("--out", required=True, help="output .jsonl (or .jsonl.gz)")
    parser.add_argument("--limit", type=int, default=None, help="texts to read at most")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")
    args = parser.parse_args(argv)
    stats = make_silver(args.corpus, args.out, args.limit, args.workers)
    sys.stderr.write(f"read {stats['read']}, kept {stats['kept']} documents "
                     f"({stats['quotes']} quotes) -> {args.out}\n")
    return 0



