"""The document model: frozen dataclasses that carry everything arquote finds.

One :class:`Document` holds the user's text and every result on it. Every span is a
half-open ``[start, end)`` range of Python ``str`` indices into the exact string the user
passed, and ``span.text == doc.text[span.start:span.end]`` is checked when a document is
built, so a wrong offset fails loudly where it is made instead of silently downstream.

The dictionary form (:meth:`Document.to_dict`) is the annotation record of
``docs/annotation.md`` (the format of the gold files), so predictions and gold data share
one reader, writer and validator.

Example:
    >>> text = "وقال وليامز إن «التحالف يعمل على المساعدة»."
    >>> doc = Document.from_dict({"text": text, "spans": [
    ...     {"label": "SPEAKER", "speaker": "W", "start": 5, "end": 11, "text": "وليامز"},
    ...     {"label": "QUOTE", "type": "direct", "speaker": "W", "start": 16, "end": 41,
    ...      "text": "التحالف يعمل على المساعدة"}],
    ...     "speakers": {"W": {"canonical": "وليامز", "aliases": ["وليامز"]}}})
    >>> doc.quotes[0].speaker.name
    'وليامز'
"""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

__all__ = [
    "LABELS",
    "QUOTE_KINDS",
    "CLAIM_KINDS",
    "BOUNDS",
    "AnnotationError",
    "Span",
    "Speaker",
    "Quote",
    "NumericClaim",
    "Document",
]

#: The span labels of the annotation guideline, in their canonical order.
LABELS: tuple[str, ...] = ("QUOTE", "SPEAKER", "CUE", "NUM")
QUOTE_KINDS: tuple[str, ...] = ("direct", "indirect")
CLAIM_KINDS: tuple[str, ...] = ("count", "money", "percent", "measure", "duration")
BOUNDS: tuple[str, ...] = ("=", "~", ">", ">=", "<", "<=")

_LABEL_ORDER = {label: i for i, label in enumerate(LABELS)}


class AnnotationError(ValueError):
    """An annotation record or a result that breaks the guideline's invariants.

    ``arquote.io`` prefixes the message with the file and line it came from.
    """


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Span:
    """A labelled ``[start, end)`` range of the user's text.

    Args:
        start: Index of the first character (Python ``str`` index).
        end: Index one past the last character.
        label: One of ``QUOTE``, ``SPEAKER``, ``CUE``, ``NUM`` (or a caller's own label).
        text: ``text[start:end]`` of the document it belongs to.
        score: Model confidence in ``[0, 1]``; ``None`` for gold data and rules.

    Example:
        >>> t = "قال الوزير إن 48 هجوماً وقعت"
        >>> Span.of(t, t.index("48"), t.index("48") + 9, "NUM").text
        '48 هجوماً'
    """

    start: int
    end: int
    label: str
    text: str
    score: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.start, int) or not isinstance(self.end, int):
            raise AnnotationError(
                f"span offsets must be integers, got start={self.start!r}, end={self.end!r}"
            )
        if not 0 <= self.start <= self.end:
            raise AnnotationError(
                f"span offsets must satisfy 0 <= start <= end, got [{self.start}, {self.end})"
            )
        if not isinstance(self.text, str) or len(self.text) != self.end - self.start:
            raise AnnotationError(
                f"span text {self.text!r} does not have the length of [{self.start}, {self.end})"
            )

    @classmethod
    def of(cls, text: str, start: int, end: int, label: str, score: float | None = None) -> "Span":
        """Builds the span ``[start, end)`` of ``text``, checking the range first."""
        if not 0 <= start <= end <= len(text):
            raise AnnotationError(
                f"span [{start}, {end}) is out of range for a text of {len(text)} characters"
            )
        return cls(start, end, label, text[start:end], score)

    def check(self, text: str) -> None:
        """Raises :class:`AnnotationError` unless this span is exactly ``text[start:end]``."""
        if self.end > len(text):
            raise AnnotationError(
                f"{self.label} span [{self.start}, {self.end}) ends past the text "
                f"({len(text)} characters)"
            )
        if text[self.start : self.end] != self.text:
            raise AnnotationError(
                f"{self.label} span [{self.start}, {self.end}) says {self.text!r} but the text "
                f"there is {text[self.start:self.end]!r}"
            )

    def overlaps(self, other: "Span") -> bool:
        """True when the two ranges share at least one character."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: "Span") -> bool:
        """True when ``other`` lies inside this span."""
        return self.start <= other.start and other.end <= self.end

    def __len__(self) -> int:
        return self.end - self.start

    def __repr__(self) -> str:
        score = "" if self.score is None else f" {self.score:.2f}"
        return f"Span({self.label} {self.start}:{self.end} {_short(self.text)!r}{score})"


@dataclass(frozen=True)
class Speaker:
    """An entity that says something in a document.

    Args:
        name: The canonical name: the fullest name the document gives (``ديف وليامز``
            for a document that also says ``وليامز``).
        mentions: The SPEAKER spans where a quote is attributed to it.
        key: A short identifier, unique in the document (the gold files' speaker key).
        aliases: Other names for it in the document (surname, «البيان», a role).
        role: A title or role kept out of the span (``الكولونيل``), when known.

    Example:
        >>> Speaker("ديف وليامز", (), key="WIL", aliases=("وليامز",)).name
        'ديف وليامز'
    """

    name: str
    mentions: tuple[Span, ...] = ()
    key: str | None = None
    aliases: tuple[str, ...] = ()
    role: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "mentions", tuple(self.mentions))
        object.__setattr__(self, "aliases", tuple(self.aliases))
        if not isinstance(self.name, str):
            raise AnnotationError(f"a speaker name must be a str, got {type(self.name).__name__}")

    def __repr__(self) -> str:
        return f"Speaker({self.name!r}, key={self.key!r}, {len(self.mentions)} mentions)"


@dataclass(frozen=True)
class Quote:
    """Something a source said: the quoted or reported content and who said it.

    Args:
        content: The QUOTE span (marks excluded for a direct quote).
        kind: ``"direct"`` (inside quotation marks) or ``"indirect"`` (a reported clause).
        speaker: Who said it; ``None`` when unknown.
        cue: The CUE span that introduces it (قال، وأضاف، وفق …); ``None`` when unknown.
        score: Model confidence; ``None`` for gold data and rules.

    Example:
        >>> t = "وقال إن الهجمات مستمرة"
        >>> q = Quote(Span.of(t, 8, len(t), "QUOTE"), "indirect", None, Span.of(t, 0, 4, "CUE"))
        >>> (q.kind, q.cue.text, q.content.text)
        ('indirect', 'وقال', 'الهجمات مستمرة')
    """

    content: Span
    kind: str
    speaker: Speaker | None = None
    cue: Span | None = None
    score: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in QUOTE_KINDS:
            raise AnnotationError(
                f"quote kind must be one of {QUOTE_KINDS}, got {self.kind!r}"
            )
        if self.content.label != "QUOTE":
            raise AnnotationError(f"a quote's content must be a QUOTE span, got {self.content.label}")
        if self.cue is not None and self.cue.label != "CUE":
            raise AnnotationError(f"a quote's cue must be a CUE span, got {self.cue.label}")

    @property
    def text(self) -> str:
        """The quote's content text."""
        return self.content.text

    def __repr__(self) -> str:
        who = self.speaker.name if self.speaker else None
        return f"Quote({self.kind} {self.content.start}:{self.content.end} {_short(self.content.text)!r} speaker={who!r})"


@dataclass(frozen=True)
class NumericClaim:
    """A cardinal quantity of something, normalized.

    Args:
        span: The NUM span: the number and what it counts (``48 هجوماً``).
        value: The number (``48.0``); ``None`` when vague or a range.
        unit: What is counted, singular (``هجوم``; ``%`` for percentages); ``None`` if unknown.
        approx: True after an approximator or bound (نحو، أكثر من …); ``None`` if unknown.
        vague: True for round vague quantities (عشرات، مئات); ``None`` if unknown.
        kind: ``count``, ``money``, ``percent``, ``measure`` or ``duration``; ``None`` if unknown.
        currency: ISO 4217 code for money (``USD``); ``None`` otherwise or if unknown.
        claimant: The speaker of the quote the number stands in; ``None`` for the
            publication's own voice.
        quote: The quote that contains the number, if any.
        bound: ``=``, ``~``, ``>``, ``>=``, ``<`` or ``<=``; ``None`` if unknown.
        number: The sub-span of the number itself (``48``), when known.

    Example:
        >>> t = "نفذ التنظيم 48 هجوماً"
        >>> c = NumericClaim(Span.of(t, 12, 21, "NUM"), 48.0, "هجوم", False, False, "count")
        >>> (c.value, c.unit)
        (48.0, 'هجوم')
    """

    span: Span
    value: float | None = None
    unit: str | None = None
    approx: bool | None = None
    vague: bool | None = None
    kind: str | None = None
    currency: str | None = None
    claimant: Speaker | None = None
    quote: Quote | None = None
    bound: str | None = None
    number: Span | None = None

    def __post_init__(self) -> None:
        if self.span.label != "NUM":
            raise AnnotationError(f"a claim's span must be a NUM span, got {self.span.label}")
        if self.value is not None and (
            isinstance(self.value, bool) or not isinstance(self.value, (int, float))
        ):
            raise AnnotationError(f"a claim's value must be a number or None, got {self.value!r}")
        if self.kind is not None and self.kind not in CLAIM_KINDS:
            raise AnnotationError(f"claim kind must be one of {CLAIM_KINDS}, got {self.kind!r}")
        if self.bound is not None and self.bound not in BOUNDS:
            raise AnnotationError(f"claim bound must be one of {BOUNDS}, got {self.bound!r}")
        if self.number is not None and not self.span.contains(self.number):
            raise AnnotationError(
                f"a claim's number span {self.number.start}:{self.number.end} must lie inside "
                f"its span {self.span.start}:{self.span.end}"
            )

    @property
    def text(self) -> str:
        """The claim's text."""
        return self.span.text

    def __repr__(self) -> str:
        return (
            f"NumericClaim({self.span.start}:{self.span.end} {_short(self.span.text)!r} "
            f"value={self.value!r} unit={self.unit!r})"
        )


def _json_number(value: float | int | None) -> float | int | None:
    # Integral values are written as JSON integers so gold files round-trip byte for byte.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _sort_key(span: Span) -> tuple[int, int, int]:
    return (span.start, -span.end, _LABEL_ORDER.get(span.label, len(LABELS)))


@dataclass(frozen=True)
class Document:
    """A text and everything arquote found in it.

    Args:
        text: The exact string the user passed.
        quotes: The quotes, in text order.
        speakers: The speakers, each with its canonical name and mentions.
        claims: The numeric claims, in text order.
        cues: Every CUE span (a quote's ``cue`` is one of them).
        id: The document's identifier, when it has one.
        source: Where the document comes from (an outlet or corpus name), when known.

    Example:
        >>> Document("قال الوزير إن الوضع مستقر").quotes
        ()
    """

    text: str
    quotes: tuple[Quote, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    claims: tuple[NumericClaim, ...] = ()
    cues: tuple[Span, ...] = ()
    id: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Document.text must be a str, got {type(self.text).__name__}")
        for name in ("id", "source"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise TypeError(
                    f"Document.{name} must be a str or None, got {type(value).__name__} "
                    f"{value!r}; pass {name}=str(...)"
                )
        for name in ("quotes", "speakers", "claims", "cues"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for span in self.spans:
            span.check(self.text)
        for quote in self.quotes:
            if quote.cue is not None:
                quote.cue.check(self.text)
        for claim in self.claims:
            if claim.number is not None:
                claim.number.check(self.text)
        # Identity first: hashing a Speaker hashes all its mentions, which is slow in long
        # documents; equality is the fallback for speakers rebuilt by the caller.
        known_ids = {id(s) for s in self.speakers}
        for who in [q.speaker for q in self.quotes] + [c.claimant for c in self.claims]:
            if who is not None and id(who) not in known_ids and who not in self.speakers:
                raise AnnotationError(
                    f"{who!r} is attributed a quote or claim but is not in the document's speakers"
                )

    # -- views -------------------------------------------------------------------------

    @property
    def spans(self) -> list[Span]:
        """All spans (quotes, speaker mentions, cues, claims), sorted by position."""
        spans: list[Span] = [q.content for q in self.quotes]
        spans += [m for s in self.speakers for m in s.mentions]
        spans += list(self.cues)
        spans += [c.span for c in self.claims]
        return sorted(spans, key=_sort_key)

    def spans_of(self, label: str) -> list[Span]:
        """The spans with one label, sorted by position."""
        return [s for s in self.spans if s.label == label]

    def speaker(self, key: str) -> Speaker | None:
        """The speaker with this key, or ``None``."""
        return next((s for s in self.speakers if s.key == key), None)

    def to_dataframe(self):
        """A pandas DataFrame with one row per quote and per claim (see :mod:`arquote.frames`)."""
        from .frames import to_dataframe

        return to_dataframe(self)

    def _repr_html_(self) -> str:
        """The article right to left with quotes, speakers, cues and claims highlighted."""
        from .display import render

        return render(self)

    def __repr__(self) -> str:
        ident = f"id={self.id!r}, " if self.id is not None else ""
        return (
            f"Document({ident}{len(self.text)} chars, {len(self.quotes)} quotes, "
            f"{len(self.speakers)} speakers, {len(self.claims)} claims, {len(self.cues)} cues)"
        )

    # -- serialization -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The annotation record of this document (the gold files' format).

        Spans are sorted by start (longer first on ties). Attributes beyond the gold
        format (``score``, a quote's ``cue``, a claim's ``kind``/``vague``/…) are written
        only when known, so a gold record round-trips unchanged.
        """
        keys = _speaker_keys(self.speakers)
        items: list[tuple[Span, dict[str, Any]]] = []
        for q in self.quotes:
            rec: dict[str, Any] = {"label": "QUOTE", "type": q.kind}
            if q.speaker is not None:
                rec["speaker"] = keys[q.speaker]
            if q.cue is not None:
                rec["cue"] = [q.cue.start, q.cue.end]
            items.append((q.content, _with_offsets(rec, q.content, q.score)))
        for s in self.speakers:
            for m in s.mentions:
                items.append((m, _with_offsets({"label": "SPEAKER", "speaker": keys[s]}, m, m.score)))
        for c in self.cues:
            items.append((c, _with_offsets({"label": "CUE"}, c, c.score)))
        for c in self.claims:
            rec = {"label": "NUM", "value": _json_number(c.value), "unit": c.unit, "approx": c.approx}
            for name in ("vague", "kind", "currency", "bound"):
                if getattr(c, name) is not None:
                    rec[name] = getattr(c, name)
            if c.number is not None:
                rec["number"] = [c.number.start, c.number.end]
            items.append((c.span, _with_offsets(rec, c.span, c.span.score)))
        items.sort(key=lambda item: _sort_key(item[0]))
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        if self.source is not None:
            out["source"] = self.source
        out["text"] = self.text
        out["spans"] = [rec for _, rec in items]
        speakers: dict[str, Any] = {}
        for s in self.speakers:
            entry: dict[str, Any] = {"canonical": s.name, "aliases": list(s.aliases)}
            if s.role is not None:
                entry["role"] = s.role
            speakers[keys[s]] = entry
        out["speakers"] = speakers
        return out

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> "Document":
        """Builds a document from an annotation record, validating it.

        Raises:
            AnnotationError: for a record that breaks the format: offsets out of range,
                span text that does not match, an unknown label or quote type, a quote or
                mention whose speaker key is not in ``speakers``, or two spans of one
                label that overlap.
        """
        return _from_record(record)

    def to_json(self, **kwargs: Any) -> str:
        """One line of JSON (``ensure_ascii=False``): the record of :meth:`to_dict`."""
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_json(cls, line: str) -> "Document":
        """Parses the output of :meth:`to_json`."""
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise AnnotationError(f"not valid JSON: {err.msg} at column {err.colno}") from None
        return cls.from_dict(record)


def _with_offsets(rec: dict[str, Any], span: Span, score: float | None) -> dict[str, Any]:
    rec["start"] = span.start
    rec["end"] = span.end
    rec["text"] = span.text
    if score is not None:
        rec["score"] = score
    return rec


def fresh_keys(used: set[str]) -> Iterator[str]:
    """Speaker keys ``S1``, ``S2``… not in ``used``; each key given is added to ``used``.

    Example:
        >>> keys = fresh_keys({"S1"})
        >>> next(keys), next(keys)
        ('S2', 'S3')
    """
    n = 0
    while True:
        n += 1
        if f"S{n}" not in used:
            used.add(f"S{n}")
            yield f"S{n}"


def _speaker_keys(speakers: Iterable[Speaker]) -> dict[Speaker, str]:
    """Keys for the speakers: their own where set and unique, else ``S1``, ``S2``…"""
    keys: dict[Speaker, str] = {}
    used: set[str] = set()
    pending = []
    for s in speakers:
        if s.key is not None and s.key not in used:
            keys[s] = s.key
            used.add(s.key)
        else:
            pending.append(s)
    new = fresh_keys(used)
    for s in pending:
        keys[s] = next(new)
    return keys


def _require(record: Mapping[str, Any], name: str, types: type, where: str) -> Any:
    if name not in record:
        raise AnnotationError(f"{where}: missing field {name!r}")
    value = record[name]
    if isinstance(value, bool) or not isinstance(value, types):
        raise AnnotationError(f"{where}: field {name!r} must be {types.__name__}, got {value!r}")
    return value


def _pair(value: Any, where: str, name: str) -> tuple[int, int]:
    if (
        not isinstance(value, (list, tuple))
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise AnnotationError(f"{where}: {name!r} must be [start, end], got {value!r}")
    return value[0], value[1]


def _optional(raw: Mapping[str, Any], name: str, where: str, expected: str, ok) -> Any:
    """``raw[name]`` when it is absent, None or passes ``ok``; else an AnnotationError."""
    value = raw.get(name)
    if value is not None and not ok(value):
        raise AnnotationError(
            f"{where}: {name!r} must be {expected} or null, got {type(value).__name__} {value!r}"
        )
    return value


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_number(value: Any) -> bool:
    # numbers.Real takes numpy scalars too; bool is an int but never a score
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _from_record(record: Mapping[str, Any]) -> Document:
    if not isinstance(record, Mapping):
        raise AnnotationError(f"a record must be a JSON object, got {type(record).__name__}")
    text = _require(record, "text", str, "record")
    raw_id = record.get("id")
    hint = f" (write it in quotes: \"{raw_id}\")" if _is_number(raw_id) else ""
    doc_id = _optional(record, "id", "record", f"a string{hint}", _is_str)
    source = _optional(record, "source", "record", "a string", _is_str)
    raw_speakers = record.get("speakers", {}) or {}
    if not isinstance(raw_speakers, Mapping):
        raise AnnotationError("record: 'speakers' must be an object of key -> {canonical, aliases}")
    raw_spans = record.get("spans", []) or []
    if not isinstance(raw_spans, list):
        raise AnnotationError("record: 'spans' must be a list")

    parsed: list[tuple[Span, Mapping[str, Any]]] = []
    for i, raw in enumerate(raw_spans):
        where = f"span {i}"
        if not isinstance(raw, Mapping):
            raise AnnotationError(f"{where}: must be an object, got {raw!r}")
        label = _require(raw, "label", str, where)
        if label not in LABELS:
            raise AnnotationError(f"{where}: unknown label {label!r} (expected one of {', '.join(LABELS)})")
        start = _require(raw, "start", int, where)
        end = _require(raw, "end", int, where)
        where = f"span {i} ({label} [{start}, {end}))"
        if not 0 <= start <= end <= len(text):
            raise AnnotationError(
                f"{where}: offsets out of range for a text of {len(text)} characters"
            )
        actual = text[start:end]
        if "text" in raw and raw["text"] != actual:
            raise AnnotationError(
                f"{where}: span text {raw['text']!r} does not match the text at those offsets {actual!r}"
            )
        score = _optional(raw, "score", where, "a number (the model's confidence)", _is_number)
        if label in ("QUOTE", "SPEAKER"):
            _optional(raw, "speaker", where, "a speaker key (a string from 'speakers')", _is_str)
        parsed.append((Span(start, end, label, actual, score), raw))

    by_label: dict[str, list[Span]] = {}
    for span, _ in parsed:
        by_label.setdefault(span.label, []).append(span)
    for label, spans in by_label.items():
        spans = sorted(spans, key=lambda s: (s.start, s.end))
        for a, b in zip(spans, spans[1:]):
            if a.overlaps(b):
                raise AnnotationError(
                    f"two {label} spans overlap: [{a.start}, {a.end}) {_short(a.text)!r} and "
                    f"[{b.start}, {b.end}) {_short(b.text)!r}"
                )

    mentions: dict[str, list[Span]] = {k: [] for k in raw_speakers}
    for span, raw in parsed:
        if span.label in ("SPEAKER", "QUOTE") and raw.get("speaker") is not None:
            key = raw["speaker"]
            if key not in raw_speakers:
                raise AnnotationError(
                    f"{span.label} span [{span.start}, {span.end}) names speaker {key!r}, which is "
                    f"not in the record's 'speakers' ({', '.join(map(str, raw_speakers)) or 'none'})"
                )
        if span.label == "SPEAKER":
            key = raw.get("speaker")
            if key is None:
                raise AnnotationError(f"SPEAKER span [{span.start}, {span.end}) has no 'speaker' key")
            mentions[key].append(span)

    speakers: dict[str, Speaker] = {}
    for key, entry in raw_speakers.items():
        if not isinstance(key, str):
            raise AnnotationError(
                f"record: the keys of 'speakers' must be strings, got {type(key).__name__} {key!r}"
            )
        if not isinstance(entry, Mapping):
            raise AnnotationError(f"speaker {key!r}: must be an object with 'canonical' and 'aliases'")
        name = _require(entry, "canonical", str, f"speaker {key!r}")
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise AnnotationError(f"speaker {key!r}: 'aliases' must be a list of strings")
        role = _optional(entry, "role", f"speaker {key!r}", "a string (a title such as الوزير)", _is_str)
        speakers[key] = Speaker(name, tuple(mentions[key]), key=key, aliases=tuple(aliases), role=role)

    cues = [span for span, _ in parsed if span.label == "CUE"]
    cue_at = {(c.start, c.end): c for c in cues}
    quotes: list[Quote] = []
    for span, raw in parsed:
        if span.label != "QUOTE":
            continue
        where = f"QUOTE span [{span.start}, {span.end})"
        kind = raw.get("type")
        if kind not in QUOTE_KINDS:
            raise AnnotationError(f"{where}: 'type' must be 'direct' or 'indirect', got {kind!r}")
        cue = None
        if raw.get("cue") is not None:
            cue = cue_at.get(_pair(raw["cue"], where, "cue"))
            if cue is None:
                raise AnnotationError(f"{where}: its 'cue' {raw['cue']!r} is not a CUE span of the record")
        key = raw.get("speaker")
        quotes.append(Quote(span, kind, speakers[key] if key is not None else None, cue, span.score))

    claims: list[NumericClaim] = []
    for span, raw in parsed:
        if span.label != "NUM":
            continue
        where = f"NUM span [{span.start}, {span.end})"
        value = raw.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise AnnotationError(f"{where}: 'value' must be a number or null, got {value!r}")
        unit = raw.get("unit")
        if unit is not None and not isinstance(unit, str):
            raise AnnotationError(f"{where}: 'unit' must be a string or null, got {unit!r}")
        approx = _optional(raw, "approx", where, "true, false", _is_bool)
        vague = _optional(raw, "vague", where, "true, false", _is_bool)
        currency = _optional(raw, "currency", where, "a string (an ISO 4217 code such as USD)", _is_str)
        number = None
        if raw.get("number") is not None:
            ns, ne = _pair(raw["number"], where, "number")
            if not (span.start <= ns <= ne <= span.end):
                raise AnnotationError(f"{where}: its 'number' [{ns}, {ne}) is not inside the span")
            number = Span(ns, ne, "NUM", text[ns:ne])
        inside = next((q for q in quotes if q.content.contains(span)), None)
        try:
            claims.append(
                NumericClaim(
                    span,
                    value,
                    unit,
                    approx,
                    vague,
                    raw.get("kind"),
                    currency,
                    inside.speaker if inside else None,
                    inside,
                    raw.get("bound"),
                    number,
                )
            )
        except AnnotationError as err:
            raise AnnotationError(f"{where}: {err}") from None

    return Document(
        text,
        tuple(quotes),
        tuple(speakers.values()),
        tuple(claims),
        tuple(cues),
        id=doc_id,
        source=source,
    )
