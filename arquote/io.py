"""Reading and writing annotated documents: JSONL records, doccano, CoNLL BIO, Label Studio.

The native format is JSON Lines: one annotation record (:meth:`Document.to_dict`, the
format of the gold files, described in ``docs/format.md``) a line. Converters go to and
from the tools annotators use. Every writer goes through :func:`atomic_write`, so an
interrupted write never leaves a half-written file behind, and every reader names the
file and the line of each problem it finds.

Offsets are Python ``str`` indices (Unicode code points) in every format, as in
:class:`Document`.

Example:
    >>> from arquote.document import Document
    >>> t = "وقال الوزير إن «الوضع الأمني مستقر في المحافظة»."
    >>> doc = Document.from_dict({"text": t, "spans": [
    ...     {"label": "QUOTE", "type": "direct", "start": t.index("الوضع"),
    ...      "end": t.index("»")}]})
    >>> write_jsonl("out.jsonl", [doc])                      # doctest: +SKIP
    1
    >>> read_jsonl("out.jsonl")[0].quotes[0].text            # doctest: +SKIP
    'الوضع الأمني مستقر في المحافظة'
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import secrets
import stat
import unicodedata
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Mapping, Sequence, Union

from .document import LABELS, AnnotationError, Document, Span, fresh_keys

__all__ = [
    "atomic_write",
    "atomic_dir",
    "iter_jsonl",
    "iter_texts",
    "TextRecord",
    "read_jsonl",
    "write_jsonl",
    "read_doccano",
    "write_doccano",
    "doccano_record",
    "record_from_doccano",
    "tokenize",
    "read_conll",
    "write_conll",
    "ConllReport",
    "SpanAlignmentWarning",
    "CONLL_LABELS",
    "write_label_studio",
    "label_studio_task",
    "LABEL_STUDIO_CONFIG",
    "DOCCANO_LABELS",
    "DOCCANO_OFFSETS",
    "RELATIONS",
]

PathLike = Union[str, "os.PathLike[str]"]

# ---------------------------------------------------------------------------------------
# atomic writes
# ---------------------------------------------------------------------------------------

_WRITE_MODES = ("w", "wt", "wb")


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[str]:
    """Builds a directory in a temporary sibling and moves it to ``path`` at the end.

    On success the old directory (if any) is replaced with renames only; on an exception
    the temporary directory is removed and the old one is untouched.

    Example:
        >>> with atomic_dir("out/model") as tmp:           # doctest: +SKIP
        ...     Path(tmp, "config.json").write_text("{}")
    """
    import shutil
    import uuid

    target = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    # mkdir with 0o777 lets the umask decide, as for any directory the user makes, and
    # reading the mode back gives the umask without os.umask(), which would change it for
    # every thread of the process for a moment
    while True:
        tmp = os.path.join(parent, ".arquote-save-" + uuid.uuid4().hex[:12])
        try:
            os.mkdir(tmp, 0o777)
            break
        except FileExistsError:  # pragma: no cover - a 48-bit collision
            continue
    umask = 0o777 & ~os.stat(tmp).st_mode
    try:
        yield tmp
        for name in os.listdir(tmp):
            if os.path.isfile(os.path.join(tmp, name)):
                os.chmod(os.path.join(tmp, name), 0o666 & ~umask)
        old = None
        if os.path.exists(target):
            old = target + ".old-" + os.path.basename(tmp)
            os.rename(target, old)
        try:
            os.rename(tmp, target)
        except BaseException:
            if old is not None:
                os.rename(old, target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def atomic_write(
    path: PathLike,
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Opens ``path`` for writing so that it is replaced all at once, or not at all.

    The data go to a temporary file in the same directory (so the final rename never
    crosses a file system), which is flushed, ``fsync``-ed and then moved over ``path``
    with :func:`os.replace`. If the ``with`` block raises, the temporary file is removed
    and an existing ``path`` is left exactly as it was. A replaced file keeps its
    permission bits; a new one gets the usual ones (``0o666`` less the umask).

    Args:
        path: The file to write. Its directory must exist.
        mode: ``"w"`` or ``"wt"`` for text, ``"wb"`` for bytes.
        encoding: The text encoding (ignored in binary mode).
        newline: As for :func:`open`; ``"\\n"`` writes ``\\n`` on every platform.

    Yields:
        The open file object.

    Raises:
        ValueError: for a mode other than ``"w"``, ``"wt"`` or ``"wb"``.
        FileNotFoundError: when the directory of ``path`` does not exist.

    Example:
        >>> with atomic_write("speakers.txt") as f:           # doctest: +SKIP
        ...     f.write("ديف وليامز\\n")
    """
    if mode not in _WRITE_MODES:
        raise ValueError(f"atomic_write mode must be one of {_WRITE_MODES}, got {mode!r}")
    path = Path(os.fspath(path))
    directory = path.parent
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cannot write {str(path)!r}: its directory {str(directory)!r} does not exist "
            "(create it first, e.g. Path(...).parent.mkdir(parents=True))"
        )
    # os.open with 0o666 lets the process umask decide the permissions, as open() does;
    # tempfile.mkstemp would leave every written file at 0o600.
    while True:
        tmp = directory / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        if "b" in mode:
            f: IO[Any] = os.fdopen(fd, "wb")
        else:
            f = os.fdopen(fd, "w", encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    try:
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform (Windows), where the
    # rename is still atomic, so a failure here is not an error.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------
# reading lines
# ---------------------------------------------------------------------------------------

_GZIP_MAGIC = b"\x1f\x8b"


def _check_exists(path: Path, what: str) -> None:
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {str(path)!r}")
    if path.is_dir():
        raise IsADirectoryError(f"{what} expected, got a directory: {str(path)!r}")


def _lines(path: Path, what: str) -> Iterator[tuple[int, str]]:
    """Yields ``(line number, line without its line break)``; gzip is detected by content."""
    _check_exists(path, what)
    with open(path, "rb") as raw:
        gz = raw.read(2) == _GZIP_MAGIC
    try:
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as f:
            for lineno, data in enumerate(f, 1):
                if lineno == 1 and data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]
                try:
                    line = data.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise AnnotationError(
                        f"{path}:{lineno}: not UTF-8 text (byte {err.start + 1} of the line); "
                        "save the file as UTF-8"
                    ) from None
                yield lineno, line.rstrip("\r\n")
    except (gzip.BadGzipFile, EOFError, zlib.error) as err:
        raise AnnotationError(f"{path}: corrupt gzip file ({err}); re-create or re-download it") from None


def _record_at(path: Path, lineno: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as err:
        raise AnnotationError(
            f"{path}:{lineno}: not valid JSON: {err.msg} at column {err.colno}"
        ) from None


def _document_at(path: Path, lineno: int, record: Any) -> Document:
    try:
        return Document.from_dict(record)
    except (AnnotationError, TypeError, ValueError) as err:
        # TypeError/ValueError too: a record with, say, a list where a key is expected is
        # bad data, and the caller needs its line, not a traceback into the model.
        raise AnnotationError(f"{path}:{lineno}: {err}") from None


# ---------------------------------------------------------------------------------------
# JSONL (the native format)
# ---------------------------------------------------------------------------------------


def iter_jsonl(path: PathLike) -> Iterator[Document]:
    """Reads annotation records one at a time (a lazy iterator: constant memory).

    Blank lines are skipped; a gzip-compressed file (``dev.jsonl.gz``) is read
    transparently.

    Args:
        path: A JSONL file of annotation records (``docs/format.md``).

    Yields:
        One validated :class:`Document` per record.

    Raises:
        AnnotationError: ``"path:line: message"`` for the first bad line: invalid JSON,
            offsets out of range, span text that does not match the text, an unknown
            label, a quote whose speaker key is not in ``speakers``, overlapping spans of
            one label.
        FileNotFoundError: when ``path`` does not exist (raised by the call itself; the
            other errors come when the iterator reaches the bad line).

    Example:
        >>> for doc in iter_jsonl("gold/dev.jsonl"):          # doctest: +SKIP
        ...     print(doc.id, len(doc.quotes))
    """
    path = Path(os.fspath(path))
    # Checked here, not on the first next(): a wrong path fails where it is given.
    _check_exists(path, "annotation file")
    return _iter_jsonl(path)


def _iter_jsonl(path: Path) -> Iterator[Document]:
    for lineno, line in _lines(path, "annotation file"):
        if not line.strip():
            continue
        yield _document_at(path, lineno, _record_at(path, lineno, line))


@dataclass(frozen=True)
class TextRecord:
    """One line of a JSONL file of raw texts (``{"text": ..., "id": ...}``).

    Attributes:
        line: The line number.
        id: The record's ``id`` as a string, ``None`` when it has none.
        text: The text; ``None`` for a bad line.
        error: ``"path:line: what is wrong"`` for a bad line, else ``None``.
    """

    line: int
    id: str | None
    text: str | None
    error: str | None = None


def iter_texts(path: PathLike) -> Iterator[TextRecord]:
    """Reads a JSONL file of raw texts (a corpus, or input to extract) lazily.

    Blank lines are skipped and gzip is detected by content. A bad line (invalid JSON, no
    string ``text``) is yielded with its ``error`` set, so the caller decides whether to
    skip it or stop; a file that is not UTF-8 or a corrupt gzip raises.

    Raises:
        FileNotFoundError: when ``path`` does not exist (at the call).
        AnnotationError: ``"path:line: ..."`` for a line that is not UTF-8, or a corrupt gzip.

    Example:
        >>> for rec in iter_texts("corpus/saudinewsnet.jsonl.gz"):   # doctest: +SKIP
        ...     print(rec.id, len(rec.text or ""))
    """
    path = Path(os.fspath(path))
    _check_exists(path, "text file")
    return _iter_texts(path)


def _iter_texts(path: Path) -> Iterator[TextRecord]:
    for lineno, line in _lines(path, "text file"):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            yield TextRecord(lineno, None, None, f"{path}:{lineno}: not valid JSON ({err.msg})")
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            yield TextRecord(lineno, None, None,
                             f"{path}:{lineno}: expected a JSON object with a string 'text' field")
            continue
        ident = record.get("id")
        yield TextRecord(lineno, None if ident is None else str(ident), record["text"])


def read_jsonl(path: PathLike) -> list[Document]:
    """Reads a whole JSONL file of annotation records; see :func:`iter_jsonl`.

    Example:
        >>> docs = read_jsonl("gold/dev.jsonl")               # doctest: +SKIP
        >>> docs[0].quotes[0].speaker.name                    # doctest: +SKIP
        'ديف وليامز'
    """
    return list(iter_jsonl(path))


def _documents(docs: Iterable[Document], caller: str) -> Iterator[Document]:
    if isinstance(docs, Document):
        raise TypeError(f"{caller} takes an iterable of Documents; wrap a single one in a list: [doc]")
    for i, doc in enumerate(docs):
        if not isinstance(doc, Document):
            raise TypeError(
                f"{caller}: item {i} is a {type(doc).__name__}, not a Document "
                "(build one with Document.from_dict(record))"
            )
        yield doc


def write_jsonl(path: PathLike, docs: Iterable[Document]) -> int:
    """Writes documents as JSONL records, one a line, atomically.

    The output is the gold files' exact layout (``ensure_ascii=False``, ``\\n`` line
    ends), so reading a gold file and writing it back gives the same bytes. A path ending
    in ``.gz`` is written gzip-compressed (reproducibly: no timestamp).

    Args:
        path: The file to write.
        docs: Any iterable of :class:`Document` (consumed once).

    Returns:
        The number of documents written.

    Example:
        >>> write_jsonl("pred.jsonl", ext.pipe(texts))       # doctest: +SKIP
        250
    """
    path = Path(os.fspath(path))
    n = 0
    if path.suffix == ".gz":
        with atomic_write(path, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                for doc in _documents(docs, "write_jsonl"):
                    gz.write((doc.to_json() + "\n").encode("utf-8"))
                    n += 1
        return n
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as f:
        for doc in _documents(docs, "write_jsonl"):
            f.write(doc.to_json())
            f.write("\n")
            n += 1
    return n


def _write_json_lines(path: Path, records: Iterable[Mapping[str, Any]]) -> int:
    n = 0
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False))
            f.write("\n")
            n += 1
    return n


# ---------------------------------------------------------------------------------------
# shared helpers for the converters
# ---------------------------------------------------------------------------------------

_LABEL_ORDER = {label: i for i, label in enumerate(LABELS)}


def _guess_kind(text: str, start: int, end: int) -> str:
    """``direct`` when the span sits between quotation marks (spaces aside), else ``indirect``.

    Formats that cannot say which kind a quote is (CoNLL, a plain ``QUOTE`` label) use it:
    the guideline's direct quote is exactly the text between marks. The decision is
    :func:`arquote.link.quote_kind` itself (the marks of ``link.OPEN_MARKS`` and
    ``link.CLOSE_MARKS``), so a quote read back has the kind the extractors gave it.
    """
    from .link import quote_kind

    return quote_kind(text, Span.of(text, start, end, "QUOTE"))


def _span_sort_key(rec: Mapping[str, Any]) -> tuple[int, int, int]:
    # Same order as Document.to_dict, so rebuilt documents list their quotes identically.
    return (rec["start"], -rec["end"], _LABEL_ORDER.get(rec["label"], len(LABELS)))


def _new_speaker_keys(names: Iterable[str], used: set[str]) -> dict[str, str]:
    """Keys ``S1``, ``S2``… for mention texts that belong to no known speaker."""
    new = fresh_keys(used)
    keys: dict[str, str] = {}
    for name in names:
        if name not in keys:
            keys[name] = next(new)
    return keys


def _nearest(mentions: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The mention closest to ``[start, end)``, preferring one before it on ties."""
    if not mentions:
        return None

    def distance(m: tuple[int, int]) -> tuple[int, int]:
        if m[1] <= start:
            return (start - m[1], 0)
        if m[0] >= end:
            return (m[0] - end, 1)
        return (0, 0)

    return min(mentions, key=distance)


# ---------------------------------------------------------------------------------------
# doccano
# ---------------------------------------------------------------------------------------

#: Entity labels of the doccano and Label Studio exports.
DOCCANO_LABELS: tuple[str, ...] = ("QUOTE_DIRECT", "QUOTE_INDIRECT", "SPEAKER", "CUE", "NUM")
#: Relation types: a quote is ``said_by`` a SPEAKER mention and ``cued_by`` a CUE.
RELATIONS: tuple[str, ...] = ("said_by", "cued_by")

_KIND_LABEL = {"direct": "QUOTE_DIRECT", "indirect": "QUOTE_INDIRECT"}
_LABEL_KIND = {v: k for k, v in _KIND_LABEL.items()}
# Fields of a span record that the doccano entity and relations carry themselves; the rest
# (NUM value/unit/approx/..., scores) go to the "attributes" meta field.
_CARRIED = {"label", "start", "end", "text", "type", "speaker", "cue"}


#: Units of doccano's entity offsets: ``"codepoints"`` (Python ``str`` indices, arquote's
#: own) or ``"utf-16"`` (UTF-16 code units, JavaScript string indices, which doccano's
#: sequence labelling uses unless "Count grapheme clusters as one character" is set;
#: doccano issue #2290). The two differ only in texts with characters outside the Basic
#: Multilingual Plane (emoji and the like), each of which is two UTF-16 code units.
DOCCANO_OFFSETS: tuple[str, ...] = ("codepoints", "utf-16")


def _check_offsets_option(offsets: str) -> None:
    if offsets not in DOCCANO_OFFSETS:
        raise ValueError(f"offsets must be one of {DOCCANO_OFFSETS}, got {offsets!r}")


def _has_astral(text: str) -> bool:
    return bool(text) and max(text) > "\uffff"


def _utf16_offsets(text: str) -> list[int]:
    """``u[i]``: the UTF-16 offset of code point ``i``, for ``i`` in ``0 … len(text)``."""
    out = [0] * (len(text) + 1)
    u = 0
    for i, ch in enumerate(text):
        out[i] = u
        u += 2 if ch > "\uffff" else 1
    out[len(text)] = u
    return out


def doccano_record(doc: Document, *, offsets: str = "codepoints") -> dict[str, Any]:
    """The doccano (entities + relations) record of a document.

    Quotes are labelled ``QUOTE_DIRECT`` or ``QUOTE_INDIRECT``; a quote is linked to the
    SPEAKER mention of its speaker nearest to it by a ``said_by`` relation and to its CUE
    by ``cued_by``. What doccano cannot show is kept in meta fields so the round trip is
    lossless: ``speakers`` (key → canonical name, aliases, mention offsets, and the quotes
    of a speaker with no mention in the text) and ``attributes`` (a NUM's value, unit…).

    Example:
        >>> t = "قال الوزير إن الوضع مستقر"
        >>> rec = doccano_record(Document.from_dict({"text": t, "spans": [
        ...     {"label": "QUOTE", "type": "indirect", "start": 14, "end": len(t)}]}))
        >>> rec["entities"]
        [{'id': 0, 'label': 'QUOTE_INDIRECT', 'start_offset': 14, 'end_offset': 25}]

    Args:
        doc: The document.
        offsets: The unit of the entities' ``start_offset``/``end_offset``:
            ``"codepoints"`` (default) or ``"utf-16"`` for a doccano that counts UTF-16
            code units (see :data:`DOCCANO_OFFSETS`). The meta fields (``speakers``,
            ``attributes``) are arquote's own and always in code points.
    """
    _check_offsets_option(offsets)
    gold = doc.to_dict()
    spans = gold["spans"]
    entity_at: dict[tuple[str, int, int], int] = {}
    entities = []
    for i, rec in enumerate(spans):
        label = _KIND_LABEL[rec["type"]] if rec["label"] == "QUOTE" else rec["label"]
        entities.append({"id": i, "label": label, "start_offset": rec["start"], "end_offset": rec["end"]})
        entity_at[(rec["label"], rec["start"], rec["end"])] = i

    mentions: dict[str, list[tuple[int, int]]] = {k: [] for k in gold["speakers"]}
    for rec in spans:
        if rec["label"] == "SPEAKER":
            mentions[rec["speaker"]].append((rec["start"], rec["end"]))
    unlinked: dict[str, list[list[int]]] = {k: [] for k in gold["speakers"]}

    relations: list[tuple[int, int, str]] = []
    attributes = []
    for rec in spans:
        here = entity_at[(rec["label"], rec["start"], rec["end"])]
        if rec["label"] == "QUOTE" and rec.get("speaker") is not None:
            target = _nearest(mentions[rec["speaker"]], rec["start"], rec["end"])
            if target is None:
                unlinked[rec["speaker"]].append([rec["start"], rec["end"]])
            else:
                relations.append((here, entity_at[("SPEAKER", *target)], "said_by"))
        if rec["label"] == "QUOTE" and rec.get("cue") is not None:
            relations.append((here, entity_at[("CUE", *rec["cue"])], "cued_by"))
        extra = {k: v for k, v in rec.items() if k not in _CARRIED}
        if extra:
            attributes.append({"label": rec["label"], "start": rec["start"], "end": rec["end"], **extra})

    speakers: dict[str, Any] = {}
    for key, entry in gold["speakers"].items():
        meta = dict(entry)
        meta["mentions"] = [list(m) for m in mentions[key]]
        if unlinked[key]:
            meta["quotes"] = unlinked[key]
        speakers[key] = meta

    out: dict[str, Any] = {}
    if doc.id is not None:
        out["doc_id"] = doc.id
    if doc.source is not None:
        out["source"] = doc.source
    out["text"] = doc.text
    if offsets == "utf-16" and _has_astral(doc.text):
        u16 = _utf16_offsets(doc.text)
        entities = [
            {**ent, "start_offset": u16[ent["start_offset"]], "end_offset": u16[ent["end_offset"]]}
            for ent in entities
        ]
    out["entities"] = entities
    out["relations"] = [
        {"id": i, "from_id": src, "to_id": dst, "type": kind} for i, (src, dst, kind) in enumerate(relations)
    ]
    out["speakers"] = speakers
    out["attributes"] = attributes
    return out


def _int_field(obj: Mapping[str, Any], name: str, where: str) -> int:
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnnotationError(f"{where}: {name!r} must be an integer, got {value!r}")
    return value


def _offsets(value: Any, where: str) -> tuple[int, int]:
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise AnnotationError(f"{where}: expected [start, end], got {value!r}")
    return int(value[0]), int(value[1])


def _doccano_entities(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Entities as ``{"id", "label", "start", "end"}``, from either doccano layout."""
    out = []
    if record.get("entities") is not None:
        if not isinstance(record["entities"], list):
            raise AnnotationError("'entities' must be a list of {id, label, start_offset, end_offset}")
        for i, ent in enumerate(record["entities"]):
            where = f"entity {i}"
            if not isinstance(ent, Mapping):
                raise AnnotationError(f"{where}: must be an object, got {ent!r}")
            out.append({
                "id": ent.get("id", i),
                "label": ent.get("label"),
                "start": _int_field(ent, "start_offset", where),
                "end": _int_field(ent, "end_offset", where),
            })
        return out
    # doccano before 1.x: "label": [[start, end, "LABEL"], ...] ("labels" in some exports).
    old = record.get("label", record.get("labels"))
    if old is None:
        return out
    if not isinstance(old, list):
        raise AnnotationError(f"'label' must be a list of [start, end, label] triples, got {old!r}")
    for i, item in enumerate(old):
        where = f"label {i}"
        if not isinstance(item, (list, tuple)) or len(item) != 3:
            raise AnnotationError(f"{where}: expected [start, end, label], got {item!r}")
        start, end = _offsets(item[:2], where)
        out.append({"id": i, "label": item[2], "start": start, "end": end})
    return out


def _meta(record: Mapping[str, Any], name: str) -> Any:
    # doccano keeps unknown import columns as the example's meta; exports put them either at
    # the top level or under "meta", depending on the version.
    if name in record:
        return record[name]
    meta = record.get("meta")
    return meta.get(name) if isinstance(meta, Mapping) else None


def _token_inner(text: str) -> bytearray:
    """``inner[p]`` is 1 when offset ``p`` falls strictly inside a token of :func:`tokenize`."""
    inner = bytearray(len(text) + 1)
    for s, e in tokenize(text):
        inner[s + 1 : e] = b"\x01" * (e - s - 1)
    return inner


def _misfit(text: str, inner: bytearray, start: int | None, end: int | None) -> str | None:
    """Why ``[start, end)`` (code points; ``None`` for an offset that is no character
    boundary) cannot be an annotated span of ``text``, or ``None`` when it can."""
    if start is None or end is None:
        return "an offset falls between the two halves of a character outside the BMP"
    if not 0 <= start <= end <= len(text):
        return f"it is out of range for a text of {len(text)} characters"
    if inner[start]:
        return f"it starts inside a word ({_short(text[start:end])!r})"
    if inner[end]:
        return f"it ends inside a word ({_short(text[start:end])!r})"
    return None


def _entities_to_code_points(
    text: str, entities: list[dict[str, Any]], offsets: str
) -> None:
    """Turns the entities' offsets into code points, in place.

    Only a text with characters outside the BMP has offsets that differ between the two
    units. There, reading them in the unit asked for must make sense (every entity in
    range, on character boundaries and on token edges); if it does not and the other
    unit does, the file was written in the other unit: an AnnotationError says so and
    how to read it, rather than silently taking spans that cover the wrong words.
    """
    if not entities or not _has_astral(text):
        return
    u16 = _utf16_offsets(text)
    from_u16 = {u: i for i, u in enumerate(u16)}
    inner = _token_inner(text)

    def from16(u: int) -> int | None:
        if u < 0 or u > u16[-1]:  # out of range: stays out of range
            return u if u < 0 else len(text) + u - u16[-1]
        return from_u16.get(u)  # None inside a surrogate pair

    def read(ent: dict[str, Any], unit: str) -> tuple[int | None, int | None]:
        if unit == "codepoints":
            return ent["start"], ent["end"]
        return from16(ent["start"]), from16(ent["end"])

    other = "codepoints" if offsets == "utf-16" else "utf-16"
    bad = next(
        ((ent, why) for ent in entities if (why := _misfit(text, inner, *read(ent, offsets)))),
        None,
    )
    if bad is not None and all(_misfit(text, inner, *read(e, other)) is None for e in entities):
        ent, why = bad
        s, e = read(ent, other)
        unit_name = {"codepoints": "code points (Python str indices)", "utf-16": "UTF-16 code units"}
        n = sum(ch > "\uffff" for ch in text)
        raise AnnotationError(
            f"entity {ent['id']!r} ({ent['label']} [{ent['start']}, {ent['end']})) does not fit "
            f"the text as {unit_name[offsets]}: {why}; read as {unit_name[other]}, every "
            f"entity fits (this one covers {_short(text[s:e])!r}). The text has {n} "
            f"character(s) outside the Basic Multilingual Plane (emoji…), which are 1 code "
            f"point but 2 UTF-16 code units, and doccano's sequence labelling counts UTF-16 "
            f"code units (doccano issue #2290). Read the file with read_doccano(path, offsets={other!r})"
        )
    if offsets == "utf-16":
        for ent in entities:
            for name in ("start", "end"):
                raw = ent[name]
                where = f"entity {ent['id']!r} ({ent['label']}): {name}_offset {raw}"
                if not 0 <= raw <= u16[-1]:
                    raise AnnotationError(
                        f"{where} is out of range for a text of {u16[-1]} UTF-16 code units"
                    )
                if raw not in from_u16:
                    raise AnnotationError(
                        f"{where} falls between the two UTF-16 code units of one character "
                        "outside the BMP; move it to the character's edge"
                    )
            ent["start"], ent["end"] = from_u16[ent["start"]], from_u16[ent["end"]]


def record_from_doccano(record: Mapping[str, Any], *, offsets: str = "codepoints") -> dict[str, Any]:
    """The annotation record (``Document.from_dict`` input) of a doccano record.

    Accepts the entities + relations layout written by :func:`doccano_record` (and by
    doccano's own export, meta fields at the top level or under ``meta``) and the older
    ``"label": [[start, end, "LABEL"], ...]`` layout. A plain ``QUOTE`` label is taken as
    direct when the span sits between quotation marks, else indirect.

    A quote's speaker is, in order: the speaker of the SPEAKER mention its ``said_by``
    relation points to, else the speaker whose ``speakers`` meta entry lists the quote.
    A SPEAKER mention listed in no speaker's ``mentions`` becomes a new speaker (keys
    ``S1``, ``S2``…; mentions with the same text share one).

    ``offsets`` is the unit of the entities' offsets: ``"codepoints"`` (default; what
    :func:`doccano_record` writes) or ``"utf-16"`` (what doccano's sequence labelling
    exports; doccano issue #2290). Meta fields are always in code points. In a text with
    characters outside the BMP (emoji…), offsets that only make sense in the other unit
    are an error that names the unit to use, never read silently.

    Raises:
        AnnotationError: for an unknown label or relation type, a relation to an unknown
            entity or between the wrong labels, a quote with two speakers, or entity
            offsets in the other unit.
        ValueError: for an ``offsets`` other than ``"codepoints"`` or ``"utf-16"``.
    """
    _check_offsets_option(offsets)
    if not isinstance(record, Mapping):
        raise AnnotationError(f"a doccano record must be a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise AnnotationError(f"a doccano record needs a 'text' string, got {text!r}")
    entities = _doccano_entities(record)
    _entities_to_code_points(text, entities, offsets)
    by_id: dict[Any, dict[str, Any]] = {}
    for ent in entities:
        label = ent["label"]
        if label in _LABEL_KIND:
            ent["gold"], ent["type"] = "QUOTE", _LABEL_KIND[label]
        elif label in LABELS:
            ent["gold"] = label
            if label == "QUOTE":
                # An out-of-range span gets a placeholder kind; from_dict reports its offsets.
                in_range = 0 <= ent["start"] <= ent["end"] <= len(text)
                ent["type"] = _guess_kind(text, ent["start"], ent["end"]) if in_range else "indirect"
        else:
            raise AnnotationError(
                f"entity {ent['id']!r}: unknown label {label!r} "
                f"(expected one of {', '.join(DOCCANO_LABELS)} or QUOTE)"
            )
        if ent["id"] in by_id:
            raise AnnotationError(f"two entities have the id {ent['id']!r}")
        by_id[ent["id"]] = ent

    raw_speakers = _meta(record, "speakers") or {}
    if not isinstance(raw_speakers, Mapping):
        raise AnnotationError("'speakers' must be an object of key -> {canonical, aliases, mentions}")
    owner: dict[tuple[int, int], str] = {}
    quote_owner: dict[tuple[int, int], str] = {}
    speakers: dict[str, Any] = {}
    for key, entry in raw_speakers.items():
        if not isinstance(entry, Mapping):
            raise AnnotationError(f"speaker {key!r}: must be an object with 'canonical' and 'aliases'")
        for m in entry.get("mentions") or []:
            owner[_offsets(m, f"speaker {key!r} mention")] = key
        for q in entry.get("quotes") or []:
            quote_owner[_offsets(q, f"speaker {key!r} quote")] = key
        speakers[key] = {k: v for k, v in entry.items() if k not in ("mentions", "quotes")}

    unknown = [e for e in entities if e["gold"] == "SPEAKER" and (e["start"], e["end"]) not in owner]
    for e in unknown:
        if not 0 <= e["start"] <= e["end"] <= len(text):
            raise AnnotationError(
                f"entity {e['id']!r} (SPEAKER [{e['start']}, {e['end']})): offsets out of range "
                f"for a text of {len(text)} characters"
            )
    new_keys = _new_speaker_keys((text[e["start"]:e["end"]] for e in unknown), set(speakers))
    for name, key in new_keys.items():
        speakers[key] = {"canonical": name, "aliases": [name]}
    for e in entities:
        if e["gold"] == "SPEAKER":
            e["speaker"] = owner.get((e["start"], e["end"])) or new_keys[text[e["start"]:e["end"]]]

    relations = record.get("relations") or []
    if not isinstance(relations, list):
        raise AnnotationError("'relations' must be a list of {id, from_id, to_id, type}")
    for i, rel in enumerate(relations):
        where = f"relation {rel.get('id', i) if isinstance(rel, Mapping) else i}"
        if not isinstance(rel, Mapping):
            raise AnnotationError(f"{where}: must be an object, got {rel!r}")
        kind = rel.get("type")
        if kind not in RELATIONS:
            raise AnnotationError(f"{where}: unknown type {kind!r} (expected one of {', '.join(RELATIONS)})")
        src, dst = by_id.get(rel.get("from_id")), by_id.get(rel.get("to_id"))
        if src is None or dst is None:
            missing = rel.get("from_id") if src is None else rel.get("to_id")
            raise AnnotationError(f"{where}: refers to entity {missing!r}, which the record does not have")
        want = "SPEAKER" if kind == "said_by" else "CUE"
        if src["gold"] != "QUOTE" or dst["gold"] != want:
            raise AnnotationError(
                f"{where}: a {kind!r} relation goes from a QUOTE to a {want}, "
                f"not from {src['label']} to {dst['label']}"
            )
        if kind == "said_by":
            if "said_by" in src:
                raise AnnotationError(f"{where}: quote entity {src['id']!r} already has a speaker")
            src["said_by"] = dst["speaker"]
        else:
            if "cue" in src:
                raise AnnotationError(f"{where}: quote entity {src['id']!r} already has a cue")
            src["cue"] = [dst["start"], dst["end"]]

    attributes: dict[tuple[str, int, int], dict[str, Any]] = {}
    for i, attr in enumerate(_meta(record, "attributes") or []):
        if not isinstance(attr, Mapping) or not isinstance(attr.get("label"), str):
            raise AnnotationError(f"attributes {i}: expected an object with label, start, end, got {attr!r}")
        where = f"attributes {i}"
        key = (attr["label"], _int_field(attr, "start", where), _int_field(attr, "end", where))
        attributes[key] = {k: v for k, v in attr.items() if k not in _CARRIED}

    spans = []
    for e in entities:
        rec: dict[str, Any] = {"label": e["gold"]}
        if e["gold"] == "QUOTE":
            rec["type"] = e["type"]
            who = e.get("said_by") or quote_owner.get((e["start"], e["end"]))
            if who is not None:
                rec["speaker"] = who
            if "cue" in e:
                rec["cue"] = e["cue"]
        elif e["gold"] == "SPEAKER":
            rec["speaker"] = e["speaker"]
        elif e["gold"] == "NUM":
            rec.update({"value": None, "unit": None, "approx": None})
        rec.update(attributes.get((e["gold"], e["start"], e["end"]), {}))
        rec["start"], rec["end"] = e["start"], e["end"]
        spans.append(rec)
    spans.sort(key=_span_sort_key)

    out: dict[str, Any] = {}
    doc_id = _meta(record, "doc_id")
    if doc_id is None and isinstance(record.get("id"), str):
        doc_id = record["id"]
    if doc_id is not None:
        if not isinstance(doc_id, str):
            raise AnnotationError(
                f"'doc_id' must be a string, got {type(doc_id).__name__} {doc_id!r} "
                f"(write it in quotes: \"{doc_id}\")"
            )
        out["id"] = doc_id
    source = _meta(record, "source")
    if source is not None:
        if not isinstance(source, str):
            raise AnnotationError(f"'source' must be a string, got {type(source).__name__} {source!r}")
        out["source"] = source
    out["text"] = text
    out["spans"] = spans
    out["speakers"] = speakers
    return out


def read_doccano(path: PathLike, *, offsets: str = "codepoints") -> list[Document]:
    """Reads a doccano JSONL export (entities + relations, or the older ``label`` layout).

    See :func:`record_from_doccano` for how labels, relations and meta fields are read.

    Args:
        path: The doccano JSONL file.
        offsets: The unit of the entity offsets: ``"codepoints"`` (default: files written
            by :func:`write_doccano`) or ``"utf-16"`` (doccano's own export in versions
            that count UTF-16 code units, doccano issue #2290). They differ only in texts
            with characters outside the BMP (emoji…); there, offsets that fit the text only
            in the other unit raise an error naming it.

    Raises:
        AnnotationError: ``"path:line: message"`` for a bad record.
        FileNotFoundError: when ``path`` does not exist.
        ValueError: for an ``offsets`` other than ``"codepoints"`` or ``"utf-16"``.

    Example:
        >>> docs = read_doccano("admin.jsonl")                # doctest: +SKIP
        >>> docs = read_doccano("export.jsonl", offsets="utf-16")   # doctest: +SKIP
    """
    _check_offsets_option(offsets)
    path = Path(os.fspath(path))
    docs = []
    for lineno, line in _lines(path, "doccano file"):
        if not line.strip():
            continue
        raw = _record_at(path, lineno, line)
        try:
            record = record_from_doccano(raw, offsets=offsets)
        except (AnnotationError, TypeError, ValueError) as err:
            raise AnnotationError(f"{path}:{lineno}: {err}") from None
        docs.append(_document_at(path, lineno, record))
    return docs


def write_doccano(path: PathLike, docs: Iterable[Document], *, offsets: str = "codepoints") -> int:
    """Writes documents as doccano JSONL (entities + relations), atomically.

    Import the file into a doccano "Sequence labeling" project with relation labeling
    enabled, with the labels of :data:`DOCCANO_LABELS` and the relation types
    :data:`RELATIONS`. See :func:`doccano_record` for the layout. For a doccano that
    counts UTF-16 code units (doccano issue #2290) and texts with emoji, write with
    ``offsets="utf-16"`` and read its export back with the same option.

    Returns:
        The number of documents written.

    Example:
        >>> write_doccano("to_annotate.jsonl", read_jsonl("gold/dev.jsonl"))  # doctest: +SKIP
        30
    """
    _check_offsets_option(offsets)
    path = Path(os.fspath(path))
    return _write_json_lines(
        path, (doccano_record(d, offsets=offsets) for d in _documents(docs, "write_doccano"))
    )


# ---------------------------------------------------------------------------------------
# CoNLL BIO
# ---------------------------------------------------------------------------------------

#: Labels written by :func:`write_conll` by default: they never nest under the guideline.
#: NUM spans often sit inside QUOTE spans, which BIO cannot express: write them to a
#: second file with ``labels=("NUM",)``.
CONLL_LABELS: tuple[str, ...] = ("QUOTE", "SPEAKER", "CUE")

_SENTENCE_END = {".", "!", "?", "؟", "…"}
_DECIMAL_SEPARATORS = ".,٫٬"
# Characters that would break the one-line "# text = " header, escaped as \uXXXX.
_LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


class SpanAlignmentWarning(UserWarning):
    """Some spans could not be written in BIO (not on token edges, or nested)."""


@dataclass(frozen=True)
class ConllReport:
    """What :func:`write_conll` wrote and what it could not.

    Args:
        documents: Documents written.
        sentences: Sentences (blocks of token lines) written.
        tokens: Token lines written.
        spans: Spans written as BIO tags.
        misaligned: ``(document id, span)`` for each span whose start or end falls inside
            a token (or that is empty): left out, never moved.
        nested: ``(document id, span)`` for each span that overlaps a span of a label
            earlier in ``labels``: left out.
    """

    documents: int
    sentences: int
    tokens: int
    spans: int
    misaligned: tuple[tuple[str | None, Span], ...] = ()
    nested: tuple[tuple[str | None, Span], ...] = ()

    @property
    def dropped(self) -> int:
        """Spans not written (misaligned or nested)."""
        return len(self.misaligned) + len(self.nested)


def _is_word_char(ch: str) -> bool:
    # Letters, digits and combining marks (Arabic diacritics, U+064B…), plus connector
    # punctuation so that hashtags like واين_ماروتو stay one token.
    cat = unicodedata.category(ch)
    return cat[0] in "LNM" or cat == "Pc"


def _is_digit(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "N"


def _is_gap_char(ch: str) -> bool:
    # Whitespace and invisible format characters (RLM, ZWNJ…) separate tokens and belong
    # to none.
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def tokenize(text: str) -> list[tuple[int, int]]:
    """Splits ``text`` at whitespace and punctuation, returning ``[start, end)`` offsets.

    A token is a run of letters (with their combining marks) or a run of digits (a
    decimal number such as ``1.5`` or ``٤٫٥`` stays whole), or one punctuation
    character. Letters and digits part, so a clitic glued to a number is its own token
    (``و24`` → ``و`` ``24``) and a NUM span can start at the number. Whitespace and
    invisible format characters belong to no token. ``text`` is not changed.

    Example:
        >>> t = "قال: «نفذنا 48 هجوماً، و24 كميناً»"
        >>> [t[s:e] for s, e in tokenize(t)]
        ['قال', ':', '«', 'نفذنا', '48', 'هجوماً', '،', 'و', '24', 'كميناً', '»']
    """
    tokens: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if _is_gap_char(ch):
            i += 1
            continue
        if not _is_word_char(ch):
            tokens.append((i, i + 1))
            i += 1
            continue
        j = i + 1
        while j < n:
            if _is_word_char(text[j]) and _is_digit(text[j]) == _is_digit(text[j - 1]):
                j += 1
            elif _is_word_char(text[j]) and unicodedata.category(text[j])[0] == "M":
                j += 1
            elif (
                text[j] in _DECIMAL_SEPARATORS
                and j + 1 < n
                and text[j - 1].isdigit()
                and text[j + 1].isdigit()
            ):
                j += 2
            else:
                break
        tokens.append((i, j))
        i = j
    return tokens


def _escape_header(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch in _LINE_BREAKS:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


_UNESCAPE = re.compile(r"\\(\\|n|r|t|u[0-9a-fA-F]{4})")


def _unescape_header(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] == "u":
            return chr(int(code[1:], 16))
        return {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}[code]

    return _UNESCAPE.sub(sub, text)


def _conll_lines(doc: Document, labels: Sequence[str], report: dict[str, Any]) -> Iterator[str]:
    text = doc.text
    tokens = tokenize(text)
    first = {s: i for i, (s, _) in enumerate(tokens)}
    last = {e: i for i, (_, e) in enumerate(tokens)}
    tags = ["O"] * len(tokens)
    priority = {label: i for i, label in enumerate(labels)}
    chosen = sorted(
        (s for s in doc.spans if s.label in priority),
        key=lambda s: (priority[s.label], s.start, -s.end),
    )
    for span in chosen:
        i, j = first.get(span.start), last.get(span.end)
        if i is None or j is None or j < i:
            report["misaligned"].append((doc.id, span))
            continue
        if any(tag != "O" for tag in tags[i : j + 1]):
            report["nested"].append((doc.id, span))
            continue
        tags[i] = f"B-{span.label}"
        for k in range(i + 1, j + 1):
            tags[k] = f"I-{span.label}"
        report["spans"] += 1

    if doc.id is not None:
        yield f"# id = {_escape_header(doc.id)}"
    if doc.source is not None:
        yield f"# source = {_escape_header(doc.source)}"
    yield f"# text = {_escape_header(text)}"
    for k, (s, e) in enumerate(tokens):
        yield f"{text[s:e]}\t{tags[k]}"
        report["tokens"] += 1
        if k + 1 == len(tokens):
            break
        # A sentence ends after final punctuation or at a line break, but never inside a
        # written span: a span cut by a blank line would read back as two.
        gap = text[e : tokens[k + 1][0]]
        if (text[s:e] in _SENTENCE_END or "\n" in gap) and not tags[k + 1].startswith("I-"):
            yield ""
            report["sentences"] += 1
    if tokens:
        report["sentences"] += 1
    yield ""


def write_conll(
    path: PathLike,
    docs: Iterable[Document],
    *,
    labels: Sequence[str] = CONLL_LABELS,
) -> ConllReport:
    """Writes documents as CoNLL-style BIO, one ``token<TAB>tag`` line a token.

    Each document starts with ``# id = …`` (when it has an id), ``# source = …`` (when it
    has one) and ``# text = …`` (the exact text, with ``\\``, line breaks and tabs
    escaped as ``\\\\``, ``\\n``, ``\\r``, ``\\t``), so :func:`read_conll` can restore
    the offsets. A blank line ends each sentence. Tokens come from :func:`tokenize`.

    BIO cannot nest and carries no attribution. ``labels`` chooses the labels to write,
    in priority order: a span that overlaps a span of an earlier label is left out and
    reported. NUM spans often lie inside QUOTE spans, so the default writes QUOTE,
    SPEAKER and CUE; write NUM to a second file::

        write_conll("spans.conll", docs)                  # QUOTE, SPEAKER, CUE
        write_conll("nums.conll", docs, labels=["NUM"])   # NUM

    A span whose start or end falls inside a token is never moved to token edges: it is
    left out, counted in the report, and a :class:`SpanAlignmentWarning` is issued.

    Returns:
        A :class:`ConllReport` with the counts and the spans left out.

    Example:
        >>> report = write_conll("dev.conll", read_jsonl("gold/dev.jsonl"))  # doctest: +SKIP
        >>> report.spans, report.dropped                                     # doctest: +SKIP
    """
    labels = tuple(labels)
    bad = [label for label in labels if label not in LABELS]
    if bad or not labels:
        raise ValueError(f"labels must be a non-empty subset of {LABELS}, got {labels!r}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels must not repeat, got {labels!r}")
    path = Path(os.fspath(path))
    report: dict[str, Any] = {
        "documents": 0, "sentences": 0, "tokens": 0, "spans": 0, "misaligned": [], "nested": []
    }
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as f:
        for doc in _documents(docs, "write_conll"):
            for line in _conll_lines(doc, labels, report):
                f.write(line)
                f.write("\n")
            report["documents"] += 1
    result = ConllReport(
        report["documents"],
        report["sentences"],
        report["tokens"],
        report["spans"],
        tuple(report["misaligned"]),
        tuple(report["nested"]),
    )
    if result.dropped:
        warnings.warn(
            f"{path}: {result.dropped} span(s) not written: {len(result.misaligned)} do not fall "
            f"on token edges, {len(result.nested)} overlap a span of a label earlier in "
            f"labels={labels!r}; see the returned ConllReport",
            SpanAlignmentWarning,
            stacklevel=2,
        )
    return result


_HEADER = re.compile(r"^# (id|source|text) = ?(.*)$")


class _ConllDoc:
    def __init__(self, lineno: int) -> None:
        self.lineno = lineno
        self.id: str | None = None
        self.source: str | None = None
        self.text: str | None = None
        self.pos = 0
        self.spans: list[dict[str, Any]] = []
        self.open: dict[str, Any] | None = None
        self.has_tokens = False


def _close_conll(path: Path, doc: _ConllDoc) -> Document:
    assert doc.text is not None
    rest = doc.text[doc.pos :]
    if any(not _is_gap_char(ch) for ch in rest):
        raise AnnotationError(
            f"{path}:{doc.lineno}: the token lines end at offset {doc.pos} but the '# text' "
            f"goes on ({_short(rest.strip())!r}); the file is truncated or a token is missing"
        )
    texts = [doc.text[s["start"] : s["end"]] for s in doc.spans if s["label"] == "SPEAKER"]
    keys = _new_speaker_keys(texts, set())
    spans = []
    for s in doc.spans:
        rec: dict[str, Any] = {"label": s["label"]}
        if s["label"] == "QUOTE":
            rec["type"] = _guess_kind(doc.text, s["start"], s["end"])
        elif s["label"] == "SPEAKER":
            rec["speaker"] = keys[doc.text[s["start"] : s["end"]]]
        elif s["label"] == "NUM":
            rec.update({"value": None, "unit": None, "approx": None})
        rec["start"], rec["end"] = s["start"], s["end"]
        spans.append(rec)
    spans.sort(key=_span_sort_key)
    record: dict[str, Any] = {}
    if doc.id is not None:
        record["id"] = doc.id
    if doc.source is not None:
        record["source"] = doc.source
    record["text"] = doc.text
    record["spans"] = spans
    record["speakers"] = {k: {"canonical": name, "aliases": [name]} for name, k in keys.items()}
    return _document_at(path, doc.lineno, record)


def _short(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def read_conll(path: PathLike) -> list[Document]:
    """Reads a file written by :func:`write_conll` back into documents (spans only).

    Offsets come from the ``# text`` header, so the spans are exact. BIO carries no
    attribution and no attributes: quotes have no speaker (their kind is ``direct`` when
    they sit between quotation marks, else ``indirect``), each distinct SPEAKER mention
    text becomes a speaker, and NUM spans have no value or unit. An ``I-`` tag that does
    not continue a span of its label starts one (as conlleval reads it). Columns are
    separated by tabs; the first is the token, the last the tag. Lines starting with
    ``#`` (other than ``#<TAB>…``, a ``#`` token) are comments.

    Raises:
        AnnotationError: ``"path:line: message"`` for a token line before any
            ``# text`` header, a token that does not match the text, a bad tag or an
            unknown label.
        FileNotFoundError: when ``path`` does not exist.

    Example:
        >>> docs = read_conll("dev.conll")                   # doctest: +SKIP
        >>> docs[0].spans_of("QUOTE")[0].text                # doctest: +SKIP
    """
    path = Path(os.fspath(path))
    docs: list[Document] = []
    cur: _ConllDoc | None = None

    def close_span() -> None:
        if cur is not None and cur.open is not None:
            cur.spans.append(cur.open)
            cur.open = None

    for lineno, line in _lines(path, "CoNLL file"):
        header = _HEADER.match(line)
        if header:
            field, value = header.group(1), _unescape_header(header.group(2))
            # Headers come as id, source, text; any header after the text (or a repeated
            # one) opens the next document.
            if cur is None or cur.has_tokens or cur.text is not None or getattr(cur, field) is not None:
                close_span()
                if cur is not None and cur.text is not None:
                    docs.append(_close_conll(path, cur))
                elif cur is not None:
                    raise AnnotationError(f"{path}:{cur.lineno}: document header without a '# text = ' line")
                cur = _ConllDoc(lineno)
            setattr(cur, field, value)
            continue
        if not line.strip():
            close_span()
            continue
        if line.startswith("#") and not line.startswith("#\t"):
            continue  # another comment; "#<TAB>O" is the token of a hashtag
        if cur is None or cur.text is None:
            raise AnnotationError(
                f"{path}:{lineno}: token line before any '# text = ' header; read_conll needs "
                "the header that write_conll writes to restore the offsets"
            )
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0] or not fields[-1]:
            raise AnnotationError(f"{path}:{lineno}: expected 'token<TAB>tag', got {line!r}")
        token, tag = fields[0], fields[-1]
        text = cur.text
        pos = cur.pos
        while pos < len(text) and _is_gap_char(text[pos]):
            pos += 1
        if not text.startswith(token, pos):
            raise AnnotationError(
                f"{path}:{lineno}: token {token!r} does not match the text at offset {pos} "
                f"({text[pos:pos + len(token)]!r}); the token lines must follow the '# text' header"
            )
        start, end = pos, pos + len(token)
        cur.pos = end
        cur.has_tokens = True
        if tag == "O":
            close_span()
            continue
        if len(tag) < 3 or tag[1] != "-" or tag[0] not in "BI":
            raise AnnotationError(f"{path}:{lineno}: bad tag {tag!r} (expected O, B-LABEL or I-LABEL)")
        label = tag[2:]
        if label not in LABELS:
            raise AnnotationError(
                f"{path}:{lineno}: unknown label {label!r} in tag {tag!r} "
                f"(expected one of {', '.join(LABELS)})"
            )
        if tag[0] == "I" and cur.open is not None and cur.open["label"] == label:
            cur.open["end"] = end
        else:
            close_span()
            cur.open = {"label": label, "start": start, "end": end}
    close_span()
    if cur is not None:
        if cur.text is None:
            raise AnnotationError(f"{path}:{cur.lineno}: document header without a '# text = ' line")
        docs.append(_close_conll(path, cur))
    return docs


# ---------------------------------------------------------------------------------------
# Label Studio
# ---------------------------------------------------------------------------------------

#: A Label Studio labeling config matching :func:`write_label_studio`'s default names.
LABEL_STUDIO_CONFIG = """<View>
  <Relations>
    <Relation value="said_by"/>
    <Relation value="cued_by"/>
  </Relations>
  <Labels name="label" toName="text">
    <Label value="QUOTE_DIRECT"/>
    <Label value="QUOTE_INDIRECT"/>
    <Label value="SPEAKER"/>
    <Label value="CUE"/>
    <Label value="NUM"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>
"""


def label_studio_task(
    doc: Document,
    *,
    predictions: bool = False,
    model_version: str | None = None,
    from_name: str = "label",
    to_name: str = "text",
) -> dict[str, Any]:
    """The Label Studio task of one document; see :func:`write_label_studio`.

    Example:
        >>> t = "وقال الوزير إن الوضع مستقر"
        >>> task = label_studio_task(Document.from_dict({"text": t, "spans": [
        ...     {"label": "QUOTE", "type": "indirect", "start": 15, "end": len(t)}]}))
        >>> task["annotations"][0]["result"][0]["value"]["labels"]
        ['QUOTE_INDIRECT']
    """
    data: dict[str, Any] = {"text": doc.text}
    if doc.id is not None:
        data["id"] = doc.id
    if doc.source is not None:
        data["source"] = doc.source
    result: list[dict[str, Any]] = []
    region: dict[tuple[str, int, int], str] = {}
    gold = doc.to_dict()
    for i, rec in enumerate(gold["spans"]):
        rid = f"r{i}"
        region[(rec["label"], rec["start"], rec["end"])] = rid
        label = _KIND_LABEL[rec["type"]] if rec["label"] == "QUOTE" else rec["label"]
        item: dict[str, Any] = {
            "id": rid,
            "from_name": from_name,
            "to_name": to_name,
            "type": "labels",
            "value": {"start": rec["start"], "end": rec["end"], "text": rec["text"], "labels": [label]},
        }
        if predictions and rec.get("score") is not None:
            item["score"] = rec["score"]
        result.append(item)
    mentions: dict[str, list[tuple[int, int]]] = {}
    for rec in gold["spans"]:
        if rec["label"] == "SPEAKER":
            mentions.setdefault(rec["speaker"], []).append((rec["start"], rec["end"]))
    for rec in gold["spans"]:
        if rec["label"] != "QUOTE":
            continue
        here = region[("QUOTE", rec["start"], rec["end"])]
        targets = []
        if rec.get("speaker") is not None:
            m = _nearest(mentions.get(rec["speaker"], []), rec["start"], rec["end"])
            if m is not None:
                targets.append((region[("SPEAKER", *m)], "said_by"))
        if rec.get("cue") is not None:
            targets.append((region[("CUE", *rec["cue"])], "cued_by"))
        for to_id, kind in targets:
            result.append(
                {"from_id": here, "to_id": to_id, "type": "relation", "direction": "right", "labels": [kind]}
            )
    entry: dict[str, Any] = {"result": result}
    if predictions:
        if model_version is not None:
            entry["model_version"] = model_version
    return {"data": data, ("predictions" if predictions else "annotations"): [entry]}


def write_label_studio(
    path: PathLike,
    docs: Iterable[Document],
    *,
    predictions: bool = False,
    model_version: str | None = None,
    from_name: str = "label",
    to_name: str = "text",
) -> int:
    """Exports documents as a Label Studio JSON task list, atomically.

    Each task is ``{"data": {"text", "id", "source"}, "annotations": [{"result": [...]}]}``
    (``"predictions"`` with ``predictions=True``, to pre-annotate with a model's output;
    spans then carry their ``score``). Each span is a ``labels`` result with
    ``value: {start, end, text, labels}`` (labels as in doccano: ``QUOTE_DIRECT``,
    ``QUOTE_INDIRECT``, ``SPEAKER``, ``CUE``, ``NUM``); attribution is a ``relation``
    result ``said_by`` from a quote to the nearest mention of its speaker, and ``cued_by``
    to its cue. Use :data:`LABEL_STUDIO_CONFIG` as the project's labeling config.
    Not exported: a speaker with no mention in the text, canonical names, NUM attributes.
    Offsets are code points (Python ``str`` indices), as Label Studio stores them.

    Returns:
        The number of tasks written.

    Example:
        >>> write_label_studio("tasks.json", docs, predictions=True,
        ...                    model_version="arquote-0.1")   # doctest: +SKIP
    """
    path = Path(os.fspath(path))
    tasks = [
        label_studio_task(d, predictions=predictions, model_version=model_version,
                          from_name=from_name, to_name=to_name)
        for d in _documents(docs, "write_label_studio")
    ]
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(tasks, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return len(tasks)
