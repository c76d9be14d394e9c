"""Scores predicted documents against gold annotations (the guideline's "Evaluation").

:func:`evaluate` pairs gold and predicted :class:`~arquote.document.Document` objects and
measures, as ``docs/annotation.md`` asks:

* **spans**: precision, recall and F1 per label (``QUOTE``, ``SPEAKER``, ``CUE``, ``NUM``)
  and micro-averaged over the four, in two modes: ``exact`` (same label, same start and
  end) and ``overlap`` (a one-to-one matching of overlapping spans of one label, of maximum
  size). Quotes are also split by kind (``QUOTE:direct``, ``QUOTE:indirect``), the kind
  being part of the label.
* **attribution**: of the gold quotes that a predicted quote overlaps, the share whose
  predicted speaker names the gold speaker (see :func:`names_match`).
* **numbers**: of the gold NUM spans that a predicted NUM overlaps, the share with the
  right ``value``, and separately the right ``unit``.
* **seqeval**: a token-level cross-check: spans turned into BIO tags over the same tokens
  and scored by ``seqeval.metrics`` in its default (conlleval) mode.

``docs/evaluation.md`` explains each figure with a worked example.

Example:
    >>> from arquote.document import Document, Quote, Span, Speaker
    >>> t = "وقال وليامز إن الهجمات مستمرة"
    >>> w = Speaker("ديف وليامز", (Span.of(t, 5, 11, "SPEAKER"),))
    >>> gold = Document(t, (Quote(Span.of(t, 15, len(t), "QUOTE"), "indirect", w),), (w,))
    >>> s = Speaker("وليامز", (Span.of(t, 5, 11, "SPEAKER"),))
    >>> pred = Document(t, (Quote(Span.of(t, 15, 23, "QUOTE"), "indirect", s),), (s,))
    >>> result = evaluate([gold], [pred])
    >>> result.exact["QUOTE"].f1, result.overlap["QUOTE"].f1, result.attribution.accuracy
    (0.0, 1.0, 1.0)
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .document import LABELS, QUOTE_KINDS, Document, Quote, Span, Speaker
from .normalize import fold

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "MODES",
    "ROWS",
    "Counts",
    "Accuracy",
    "TokenScore",
    "Evaluation",
    "evaluate",
    "match_spans",
    "names_match",
    "tokenize",
    "bio_tags",
]

#: The two span-matching modes.
MODES: tuple[str, ...] = ("exact", "overlap")
#: The rows of the span scores: the labels, the quote split by kind, and the micro average.
ROWS: tuple[str, ...] = (
    "QUOTE", "QUOTE:direct", "QUOTE:indirect", "SPEAKER", "CUE", "NUM", "micro",
)

_NAN = float("nan")


def _ratio(num: int, den: int) -> float:
    return num / den if den else _NAN


def _clean(value: float) -> float | None:
    """NaN (undefined) becomes ``None`` for JSON."""
    return None if isinstance(value, float) and math.isnan(value) else value


# -- result objects ----------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives of one row, with P/R/F1.

    Counts add up across documents and data sets (``a + b``), so users can aggregate;
    the ratios are recomputed from the sums. A ratio whose denominator is zero is ``nan``
    (undefined): precision with no prediction, recall with no gold span, F1 with neither.

    Example:
        >>> c = Counts(tp=3, fp=1, fn=2)
        >>> (c.precision, c.recall, round(c.f1, 3), c.support, c.predicted)
        (0.75, 0.6, 0.667, 5, 4)
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        """The number of gold spans."""
        return self.tp + self.fn

    @property
    def predicted(self) -> int:
        """The number of predicted spans."""
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        # 2tp / (2tp + fp + fn) is the harmonic mean of P and R where both are defined,
        # and 0 (as in seqeval) where only one side has spans.
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def __add__(self, other: "Counts") -> "Counts":
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, Any]:
        """``tp, fp, fn, support, predicted, precision, recall, f1`` (``None`` if undefined)."""
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "support": self.support, "predicted": self.predicted,
            "precision": _clean(self.precision), "recall": _clean(self.recall),
            "f1": _clean(self.f1),
        }


@dataclass(frozen=True)
class Accuracy:
    """``correct`` out of ``total`` items; ``accuracy`` is ``nan`` when ``total`` is 0.

    Example:
        >>> Accuracy(3, 4).accuracy
        0.75
    """

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return _ratio(self.correct, self.total)

    def __add__(self, other: "Accuracy") -> "Accuracy":
        if not isinstance(other, Accuracy):
            return NotImplemented
        return Accuracy(self.correct + other.correct, self.total + other.total)

    def to_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "total": self.total, "accuracy": _clean(self.accuracy)}


@dataclass(frozen=True)
class TokenScore:
    """seqeval's token-level entity scores for one label (``nan`` where it has none)."""

    precision: float
    recall: float
    f1: float
    support: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": _clean(self.precision), "recall": _clean(self.recall),
            "f1": _clean(self.f1), "support": self.support,
        }


@dataclass(frozen=True)
class Evaluation:
    """Everything :func:`evaluate` measures. Treat the mappings as read-only.

    Attributes:
        documents: How many document pairs were scored.
        exact: :class:`Counts` per row of :data:`ROWS` for exact span matching.
        overlap: :class:`Counts` per row of :data:`ROWS` for one-to-one overlap matching.
        attribution: Of the gold quotes (with a gold speaker) that a predicted quote
            overlaps, how many have a predicted speaker that names the gold speaker.
        attribution_skipped: Matched gold quotes left out because they have no speaker.
        number_value: Of the gold NUM spans that a predicted NUM overlaps, how many have
            the right ``value``.
        number_unit: The same pairs, scored on ``unit``.
        seqeval: seqeval's token-level scores per label, plus ``micro``.
    """

    documents: int
    exact: Mapping[str, Counts]
    overlap: Mapping[str, Counts]
    attribution: Accuracy
    attribution_skipped: int
    number_value: Accuracy
    number_unit: Accuracy
    seqeval: Mapping[str, TokenScore] = field(default_factory=dict)

    def spans(self, mode: str) -> Mapping[str, Counts]:
        """The span counts of one mode (``"exact"`` or ``"overlap"``)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        return self.exact if mode == "exact" else self.overlap

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (undefined ratios are ``None``).

        Layout: ``{"documents", "spans": {mode: {row: counts}}, "seqeval": {label: scores},
        "attribution": {correct, total, accuracy, skipped}, "numbers": {"value": {...},
        "unit": {...}}}``.
        """
        return {
            "documents": self.documents,
            "spans": {
                mode: {row: c.to_dict() for row, c in self.spans(mode).items()} for mode in MODES
            },
            "seqeval": {label: s.to_dict() for label, s in self.seqeval.items()},
            "attribution": {**self.attribution.to_dict(), "skipped": self.attribution_skipped},
            "numbers": {"value": self.number_value.to_dict(), "unit": self.number_unit.to_dict()},
        }

    def to_dataframe(self) -> "pd.DataFrame":
        """A tidy table: one row per (``label``, ``mode``).

        Span rows have ``mode`` ``exact``, ``overlap`` or ``seqeval`` and fill
        ``precision, recall, f1, support`` (and ``tp, fp, fn, predicted`` except for
        seqeval). The three accuracy rows (``label`` ``attribution``, ``number_value``,
        ``number_unit``, ``mode`` ``overlap``) fill ``accuracy, correct, total``. Cells that
        do not apply are missing (``NaN``/``<NA>``).
        """
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for row in ROWS:
            for mode in MODES:
                c = self.spans(mode)[row]
                rows.append({
                    "label": row, "mode": mode, "precision": c.precision, "recall": c.recall,
                    "f1": c.f1, "support": c.support, "predicted": c.predicted,
                    "tp": c.tp, "fp": c.fp, "fn": c.fn,
                })
            if row in self.seqeval:
                s = self.seqeval[row]
                rows.append({
                    "label": row, "mode": "seqeval", "precision": s.precision,
                    "recall": s.recall, "f1": s.f1, "support": s.support,
                })
        extra = (("attribution", self.attribution), ("number_value", self.number_value),
                 ("number_unit", self.number_unit))
        for name, acc in extra:
            rows.append({"label": name, "mode": "overlap", "accuracy": acc.accuracy,
                         "correct": acc.correct, "total": acc.total})
        columns = ["label", "mode", "precision", "recall", "f1", "support", "predicted",
                   "tp", "fp", "fn", "accuracy", "correct", "total"]
        frame = pd.DataFrame(rows, columns=columns)
        for name in ("support", "predicted", "tp", "fp", "fn", "correct", "total"):
            frame[name] = frame[name].astype("Int64")
        return frame

    def table(self) -> str:
        """A fixed-width text table of every figure (what ``arquote evaluate`` prints).

        Example:
            >>> print(Evaluation(0, {r: Counts() for r in ROWS}, {r: Counts() for r in ROWS},
            ...       Accuracy(), 0, Accuracy(), Accuracy()).table().splitlines()[0])
            arquote evaluation: 0 documents
        """

        def num(x: float) -> str:
            return "    -" if math.isnan(x) else f"{x:5.3f}"

        head = (f"{'':16} {'exact':^17}   {'overlap':^17}   {'spans':^11}   "
                f"{'seqeval':>8}")
        sub = (f"{'label':16} {'P':>5} {'R':>5} {'F1':>5}   {'P':>5} {'R':>5} {'F1':>5}   "
               f"{'gold':>5} {'pred':>5}   {'token F1':>8}")
        lines = [f"arquote evaluation: {self.documents} documents", "", head, sub,
                 "-" * len(sub)]
        for row in ROWS:
            e, o = self.exact[row], self.overlap[row]
            name = "  " + row.split(":")[1] if ":" in row else row
            tok = self.seqeval.get(row)
            tok_f1 = "       -" if tok is None else f"   {num(tok.f1)}"
            if row == "micro":
                lines.append("-" * len(sub))
            lines.append(
                f"{name:16} {num(e.precision)} {num(e.recall)} {num(e.f1)}   "
                f"{num(o.precision)} {num(o.recall)} {num(o.f1)}   "
                f"{e.support:>5} {e.predicted:>5}   {tok_f1}"
            )
        lines.append("")
        width = 24

        def acc_line(title: str, acc: Accuracy, note: str = "") -> str:
            return f"{title:{width}} {num(acc.accuracy)}  ({acc.correct}/{acc.total}){note}"

        skipped = (f"; skipped {self.attribution_skipped} gold quote(s) with no speaker"
                   if self.attribution_skipped else "")
        lines.append(acc_line("attribution accuracy", self.attribution, skipped))
        lines.append(acc_line("number value accuracy", self.number_value))
        lines.append(acc_line("number unit accuracy", self.number_unit))
        return "\n".join(lines)


# -- matching ----------------------------------------------------------------------------


def match_spans(gold: Sequence[Span], pred: Sequence[Span], mode: str) -> list[tuple[int, int]]:
    """One-to-one matching of gold to predicted spans (labels are not looked at).

    ``exact``: pairs with the same start and end (each span used once, so duplicates
    count once). ``overlap``: pairs that share at least one character, chosen as a
    maximum-cardinality bipartite matching; among those of maximum size, the one with the
    largest total number of shared characters (solved exactly with
    ``scipy.optimize.linear_sum_assignment``).

    Args:
        gold: Gold spans.
        pred: Predicted spans.
        mode: ``"exact"`` or ``"overlap"``.

    Returns:
        ``(gold_index, pred_index)`` pairs, sorted by gold index.

    Example:
        >>> t = "قال الوزير إن الهجمات مستمرة منذ أيام"
        >>> g = [Span.of(t, 14, 28, "QUOTE")]
        >>> p = [Span.of(t, 14, 21, "QUOTE"), Span.of(t, 22, 37, "QUOTE")]
        >>> match_spans(g, p, "overlap")
        [(0, 0)]
    """
    if mode == "exact":
        free: dict[tuple[int, int], list[int]] = {}
        for j, p in enumerate(pred):
            free.setdefault((p.start, p.end), []).append(j)
        pairs = []
        for i, g in enumerate(gold):
            slot = free.get((g.start, g.end))
            if slot:
                pairs.append((i, slot.pop(0)))
        return pairs
    if mode != "overlap":
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    edges = [
        (i, j, min(g.end, p.end) - max(g.start, p.start))
        for i, g in enumerate(gold)
        for j, p in enumerate(pred)
        if g.overlaps(p)
    ]
    if not edges:
        return []
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    # Every edge weighs more than all overlaps together, so the best assignment first
    # maximizes the number of matches, then the characters they share.
    big = 1 + sum(w for _, _, w in edges)
    weights = np.zeros((len(gold), len(pred)), dtype=np.int64)
    for i, j, w in edges:
        weights[i, j] = big + w
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return sorted((int(i), int(j)) for i, j in zip(rows, cols) if weights[i, j] > 0)


def _counts(gold: Sequence[Span], pred: Sequence[Span], mode: str) -> Counts:
    tp = len(match_spans(gold, pred, mode))
    return Counts(tp, len(pred) - tp, len(gold) - tp)


# -- names -------------------------------------------------------------------------------

_MARKS = set("«»“”„‟\"'‘’‚‛‹›#_")
# A proper name never follows these words inside a longer name: "العراق" is not the
# surname of "قيادة القوات الأميركية في العراق".
_LINKS = frozenset(fold(w) for w in (
    "في", "من", "عن", "على", "إلى", "الى", "لدى", "عند", "مع", "ب", "ل", "و", "باسم", "برتبة",
))
# The article and its proclitics. A bare و/ل/ب is not stripped: it starts many names
# (وليامز، لازاريديس، بومبيو), while "ال" at the start of a name is nearly always the
# article; "الله" and other short words are protected by a minimum remaining length.
_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")


def _name_tokens(name: str) -> tuple[str, ...]:
    folded = fold(name)
    chars = []
    for ch in folded:
        if ch in _MARKS or unicodedata.category(ch)[0] in "PS":
            chars.append(" ")
        else:
            chars.append(ch)
    return tuple("".join(chars).split())


def _token_key(token: str) -> str:
    for article in _ARTICLES:
        if token.startswith(article) and len(token) - len(article) >= 3:
            return token[len(article):]
    return token


def names_match(a: str, b: str) -> bool:
    """True when two speaker names name the same source.

    Both names are folded (:func:`arquote.normalize.fold`), quotation marks, ``#`` and
    other punctuation become spaces (``#واين_ماروتو`` → ``واين ماروتو``), and words are
    compared without the definite article (``الخلية`` = ``خلية``). The names match when
    their words are equal, or when the shorter one is the tail of the longer one (a
    surname alone matches the full name), unless the tail starts after a linking word
    such as ``في`` or ``من``.

    Example:
        >>> names_match("وليامز", "ديف وليامز"), names_match("“ديف وليامز”", "ديف وليامز")
        (True, True)
        >>> names_match("ديف", "ديف وليامز"), names_match("العراق", "القوات في العراق")
        (False, False)
    """
    ta = tuple(_token_key(t) for t in _name_tokens(a))
    tb = tuple(_token_key(t) for t in _name_tokens(b))
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    short, long = (ta, tb) if len(ta) < len(tb) else (tb, ta)
    if long[len(long) - len(short):] != short:
        return False
    return long[len(long) - len(short) - 1] not in {_token_key(w) for w in _LINKS}


def _gold_names(speaker: Speaker) -> list[str]:
    return [speaker.name, *speaker.aliases]


def _pred_names(speaker: Speaker) -> list[str]:
    return [speaker.name, *speaker.aliases, *(m.text for m in speaker.mentions)]


def _speaker_right(gold: Speaker, pred: Speaker | None) -> bool:
    if pred is None:
        return False
    return any(names_match(g, p) for g in _gold_names(gold) for p in _pred_names(pred))


def _value_right(gold: float | None, pred: float | None) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return math.isclose(gold, pred, rel_tol=1e-6)


def _unit_key(unit: str | None) -> str | None:
    return None if unit is None else " ".join(fold(unit).split())


# -- seqeval cross-check -----------------------------------------------------------------


def tokenize(text: str) -> list[tuple[int, int]]:
    """The tokens of the seqeval cross-check, as ``(start, end)`` offsets.

    A token is a run of characters that are neither whitespace nor punctuation/symbols
    (diacritics and tatweel stay inside their word), or one punctuation or symbol
    character (``«``, ``#``, ``_``, ``،`` …).

    Example:
        >>> t = "قالَ «نعم»، 48 هجوماً"
        >>> [t[s:e] for s, e in tokenize(t)]
        ['قالَ', '«', 'نعم', '»', '،', '48', 'هجوماً']
    """
    tokens: list[tuple[int, int]] = []
    start = None
    for i, ch in enumerate(text):
        if ch.isspace() or unicodedata.category(ch)[0] in "PS":
            if start is not None:
                tokens.append((start, i))
                start = None
            if not ch.isspace():
                tokens.append((i, i + 1))
        elif start is None:
            start = i
    if start is not None:
        tokens.append((start, len(text)))
    return tokens


def bio_tags(tokens: Sequence[tuple[int, int]], spans: Iterable[Span], label: str) -> list[str]:
    """IOB2 tags of ``spans`` over ``tokens``: a token inside or touched by a span is tagged.

    Example:
        >>> t = "قال وليامز إن"
        >>> bio_tags(tokenize(t), [Span.of(t, 4, 10, "SPEAKER")], "SPEAKER")
        ['O', 'B-SPEAKER', 'O']
    """
    tags = ["O"] * len(tokens)
    owner: list[int | None] = [None] * len(tokens)
    for n, span in enumerate(sorted(spans, key=lambda s: (s.start, s.end))):
        first = True
        for k, (ts, te) in enumerate(tokens):
            if ts < span.end and span.start < te and owner[k] is None:
                owner[k] = n
                tags[k] = ("B-" if first else "I-") + label
                first = False
    return tags


def _seqeval_scores(y_true: list[list[str]], y_pred: list[list[str]]) -> dict[str, TokenScore]:
    from seqeval.metrics.sequence_labeling import precision_recall_fscore_support

    found = sorted({t[2:] for seq in y_true + y_pred for t in seq if t != "O"})
    out: dict[str, TokenScore] = {}
    if found:
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, average=None, zero_division=0)
        # seqeval reports the entity types it found, in sorted order.
        for label, pi, ri, fi, si in zip(found, p, r, f, s):
            out[label] = TokenScore(float(pi), float(ri), float(fi), int(si))
        p, r, f, s = precision_recall_fscore_support(
            y_true, y_pred, average="micro", zero_division=0
        )
        out["micro"] = TokenScore(float(p), float(r), float(f), int(s))
    nan = TokenScore(_NAN, _NAN, _NAN, 0)
    return {label: out.get(label, nan) for label in (*LABELS, "micro")}


# -- pairing -----------------------------------------------------------------------------


def _as_documents(docs: Any, side: str) -> list[Document]:
    if isinstance(docs, Document):
        raise TypeError(f"evaluate() takes sequences of documents; wrap a single {side} "
                        f"document in a list: evaluate([gold], [pred])")
    if isinstance(docs, (str, bytes)) or not isinstance(docs, Iterable):
        raise TypeError(f"{side} must be a sequence of Document, got {type(docs).__name__}")
    out = list(docs)
    for i, d in enumerate(out):
        if not isinstance(d, Document):
            raise TypeError(f"{side}[{i}] must be a Document, got {type(d).__name__} "
                            f"(read records with Document.from_dict or Document.from_json)")
    return out


def _names(ids: Iterable[str], limit: int = 10) -> str:
    ids = sorted(ids)
    more = f" and {len(ids) - limit} more" if len(ids) > limit else ""
    return ", ".join(map(repr, ids[:limit])) + more


def _pair(gold: list[Document], pred: list[Document]) -> list[tuple[str, Document, Document]]:
    by_id = all(d.id is not None for d in gold) and all(d.id is not None for d in pred)
    if by_id and gold:
        for side, docs in (("gold", gold), ("pred", pred)):
            dup = [k for k, n in Counter(d.id for d in docs).items() if n > 1]
            if dup:
                raise ValueError(f"{side} documents have duplicate ids {_names(dup)}: ids must "
                                 f"be unique to pair gold and predicted documents")
        pred_at = {d.id: d for d in pred}
        missing = [d.id for d in gold if d.id not in pred_at]
        if missing:
            raise ValueError(f"no prediction for gold document id {_names(missing)} "
                             f"({len(missing)} of {len(gold)} gold ids have no predicted "
                             f"document with that id)")
        gold_ids = {d.id for d in gold}
        extra = [d.id for d in pred if d.id not in gold_ids]
        if extra:
            raise ValueError(f"predicted document id {_names(extra)} is not in the gold "
                             f"documents: evaluate the predictions of the gold texts only")
        pairs = [(f"id {d.id!r}", d, pred_at[d.id]) for d in gold]
    else:
        if len(gold) != len(pred):
            raise ValueError(
                f"{len(gold)} gold documents but {len(pred)} predicted: documents without "
                f"ids are paired by position, so give both the same length (or give every "
                f"document an id)")
        pairs = [(f"position {i}" + (f" (id {g.id!r})" if g.id is not None else ""), g, p)
                 for i, (g, p) in enumerate(zip(gold, pred))]
    for where, g, p in pairs:
        if g.text != p.text:
            at = next((i for i, (a, b) in enumerate(zip(g.text, p.text)) if a != b),
                      min(len(g.text), len(p.text)))
            raise ValueError(
                f"gold and predicted documents at {where} have different texts "
                f"({len(g.text)} and {len(p.text)} characters, first difference at "
                f"character {at}): predict on the exact gold text so offsets agree")
    return pairs


# -- evaluate ----------------------------------------------------------------------------


def _label_spans(doc: Document) -> dict[str, list[Span]]:
    spans: dict[str, list[Span]] = {
        "QUOTE": [q.content for q in doc.quotes],
        "SPEAKER": [m for s in doc.speakers for m in s.mentions],
        "CUE": list(doc.cues),
        "NUM": [c.span for c in doc.claims],
    }
    for kind in QUOTE_KINDS:
        spans[f"QUOTE:{kind}"] = [q.content for q in doc.quotes if q.kind == kind]
    return spans


def evaluate(gold: Sequence[Document], pred: Sequence[Document]) -> Evaluation:
    """Scores predicted documents against gold ones.

    Documents are paired by ``id`` when every document on both sides has one, else by
    position. Paired documents must have the same text.

    Args:
        gold: The gold documents (for instance ``Document.from_json`` of each line of a
            gold file).
        pred: The predicted documents, one per gold document.

    Returns:
        An :class:`Evaluation` with every figure and the counts behind it.

    Raises:
        TypeError: when an argument is not a sequence of :class:`Document`.
        ValueError: when the documents cannot be paired: a gold id without a prediction,
            a predicted id not in gold, duplicate ids, different lengths (paired by
            position) or different texts.

    Example:
        >>> t = "قال الوزير إن 48 هجوماً وقعت"
        >>> g = Document.from_dict({"text": t, "spans": [{"label": "NUM", "start": 14,
        ...     "end": 23, "value": 48, "unit": "هجوم", "approx": False}]})
        >>> evaluate([g], [g]).overlap["NUM"].f1
        1.0
    """
    pairs = _pair(_as_documents(gold, "gold"), _as_documents(pred, "pred"))
    span_rows = [r for r in ROWS if r != "micro"]
    totals = {mode: {row: Counts() for row in span_rows} for mode in MODES}
    attribution, skipped = Accuracy(), 0
    value, unit = Accuracy(), Accuracy()
    y_true: list[list[str]] = []
    y_pred: list[list[str]] = []
    for _, g, p in pairs:
        gs, ps = _label_spans(g), _label_spans(p)
        for mode in MODES:
            for row in span_rows:
                totals[mode][row] = totals[mode][row] + _counts(gs[row], ps[row], mode)

        for i, j in match_spans(gs["QUOTE"], ps["QUOTE"], "overlap"):
            gq: Quote = g.quotes[i]
            if gq.speaker is None:
                skipped += 1
                continue
            right = _speaker_right(gq.speaker, p.quotes[j].speaker)
            attribution = attribution + Accuracy(int(right), 1)

        for i, j in match_spans(gs["NUM"], ps["NUM"], "overlap"):
            gc, pc = g.claims[i], p.claims[j]
            value = value + Accuracy(int(_value_right(gc.value, pc.value)), 1)
            unit = unit + Accuracy(int(_unit_key(gc.unit) == _unit_key(pc.unit)), 1)

        tokens = tokenize(g.text)
        for label in LABELS:
            y_true.append(bio_tags(tokens, gs[label], label))
            y_pred.append(bio_tags(tokens, ps[label], label))

    exact, overlap = ({**totals[mode]} for mode in MODES)
    for table in (exact, overlap):
        micro = Counts()
        for label in LABELS:
            micro = micro + table[label]
        table["micro"] = micro
    return Evaluation(
        documents=len(pairs),
        exact={row: exact[row] for row in ROWS},
        overlap={row: overlap[row] for row in ROWS},
        attribution=attribution,
        attribution_skipped=skipped,
        number_value=value,
        number_unit=unit,
        seqeval=_seqeval_scores(y_true, y_pred),
    )
