"""Between characters and tokens: words, the label scheme, windows and label alignment.

The token classifier sees *words* (runs of letters, digits and Arabic marks, or single
punctuation characters) split into word pieces by the model's fast tokenizer with
``is_split_into_words=True``. Labels live on words, as in Hugging Face ``run_ner.py``:
the first piece of a word carries the word's label, the others ``-100``. A word whose
pieces are empty still gets a label at decoding (it inherits from its neighbours), so no
word is ever dropped.

Spans nest in the guideline (a NUM inside a QUOTE), which one BIO sequence cannot hold.
The scheme therefore has two layers, QUOTE and {SPEAKER, CUE, NUM}, and one label per
combination (``I-QUOTE+B-NUM``), so a plain ``AutoModelForTokenClassification`` head with a
real ``id2label`` carries both.

Long documents are cut into overlapping windows of tokens; nothing is ever truncated.

Example:
    >>> text = "وقال إن «48 هجوماً وقعت»"
    >>> [text[s:e] for s, e in split_words(text)]
    ['وقال', 'إن', '«', '48', 'هجوماً', 'وقعت', '»']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from .document import Span
from .normalize import DIACRITICS, INVISIBLE

__all__ = [
    "SCHEME_NAME",
    "LAYERS",
    "LabelScheme",
    "DEFAULT_SCHEME",
    "split_words",
    "word_strings",
    "word_tags",
    "windows",
    "Alignment",
]

SCHEME_NAME = "arquote-bio-2layer-v1"
#: The label layers: spans of one layer never overlap each other.
LAYERS: tuple[tuple[str, ...], ...] = (("QUOTE",), ("SPEAKER", "CUE", "NUM"))

# Letters and digits with the marks Python's \w leaves out (harakat, tatweel, ZWNJ/ZWJ),
# so «هجوماً» stays one word; anything else that is not space is a word of its own.
_WORD_RE = re.compile(
    r"[\w\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200c\u200d]+|[^\s\u200e\u200f]"
)


def split_words(text: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` character ranges of the words of ``text``."""
    return [m.span() for m in _WORD_RE.finditer(text)]


_SURROGATE = re.compile("[\ud800-\udfff]")
# Harakat, tatweel and zero-width or bidi characters do not change a word, but a tokenizer
# that keeps them cuts the word around them: «نفَت» is ▁ نف َ ت where «نفت» is one piece.
_MARKS = {ord(c): None for c in DIACRITICS | INVISIBLE}


def word_strings(text: str, words: Sequence[tuple[int, int]], strip_marks: bool = False) -> list[str]:
    """The words as the tokenizer gets them. Offsets are untouched: words map back by
    position, so nothing here changes what the spans index.

    A lone surrogate (text decoded with ``errors="surrogateescape"`` or cut from UTF-16)
    becomes U+FFFD, since a fast tokenizer rejects what is not valid UTF-8.

    Args:
        text: The user's text.
        words: Its words (:func:`split_words`).
        strip_marks: Remove harakat, tatweel and zero-width or bidi control characters
            from each word (a word made of nothing else keeps them), so that a vowelled
            or stretched word reads as the bare word it is. Models trained with it set
            (``TrainConfig.strip_marks``) record it in ``arquote_config.json``.

    Example:
        >>> word_strings("قال " + chr(0xD800), [(0, 3), (4, 5)])
        ['قال', '�']
        >>> t = "نفَت الخارجيـة"
        >>> word_strings(t, split_words(t), strip_marks=True)
        ['نفت', 'الخارجية']
    """
    out = [_SURROGATE.sub("\ufffd", text[s:e]) for s, e in words]
    if strip_marks:
        out = [w.translate(_MARKS) or w for w in out]
    return out


def _layer_tags(labels: Sequence[str]) -> list[str]:
    return ["O"] + [f"{p}-{lab}" for lab in labels for p in ("B", "I")]


@dataclass(frozen=True)
class LabelScheme:
    """The token labels: every combination of one tag per layer.

    Attributes:
        name: The scheme's name, saved in ``arquote_config.json``.
        layers: The labels of each layer.
    """

    name: str = SCHEME_NAME
    layers: tuple[tuple[str, ...], ...] = LAYERS

    @property
    def layer_tags(self) -> tuple[tuple[str, ...], ...]:
        """Each layer's tags (``O``, ``B-X``, ``I-X`` …)."""
        return tuple(tuple(_layer_tags(layer)) for layer in self.layers)

    @property
    def labels(self) -> tuple[str, ...]:
        """All labels in id order (``id2label``): ``O``, ``B-SPEAKER``, ``I-QUOTE+B-NUM`` …"""
        combos: list[tuple[str, ...]] = [()]
        for tags in self.layer_tags:
            combos = [c + (t,) for c in combos for t in tags]
        return tuple(_combo_name(c) for c in combos)

    @property
    def label2id(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.labels)}

    def combo(self, label_id: int) -> tuple[int, ...]:
        """The per-layer tag indices of a label id."""
        out = []
        for tags in reversed(self.layer_tags):
            out.append(label_id % len(tags))
            label_id //= len(tags)
        return tuple(reversed(out))

    def label_id(self, per_layer: Sequence[int]) -> int:
        """The label id of one tag index per layer."""
        label_id = 0
        for tags, index in zip(self.layer_tags, per_layer):
            label_id = label_id * len(tags) + index
        return label_id

    def layer_of(self, label: str) -> int:
        """The index of the layer that holds span label ``label``."""
        for i, layer in enumerate(self.layers):
            if label in layer:
                return i
        raise ValueError(f"label {label!r} is in no layer of scheme {self.name!r}")

    def check(self, id2label: dict[int, str]) -> None:
        """Raises ``ValueError`` unless a model's ``id2label`` is this scheme's."""
        got = [id2label[i] for i in sorted(id2label)]
        if got != list(self.labels):
            preview = ", ".join(got[:4])
            raise ValueError(
                f"the model's id2label ({len(got)} labels: {preview}, …) is not the label scheme "
                f"{self.name!r} ({len(self.labels)} labels); retrain with arquote.train or fix config.json"
            )


def _combo_name(tags: tuple[str, ...]) -> str:
    named = [t for t in tags if t != "O"]
    return "+".join(named) if named else "O"


DEFAULT_SCHEME = LabelScheme()


@dataclass(frozen=True)
class Alignment:
    """Word labels for a document, and the spans that did not fall on word edges.

    Attributes:
        labels: One label id per word.
        misaligned: Spans whose start or end is inside a word: they are labelled by the
            words they overlap, and counted so training can report them.
    """

    labels: tuple[int, ...]
    misaligned: tuple[Span, ...]


def word_tags(
    words: Sequence[tuple[int, int]], spans: Iterable[Span], scheme: LabelScheme = DEFAULT_SCHEME
) -> Alignment:
    """Labels each word from character spans (training-side alignment).

    A word belongs to a span when they share a character; the first such word is ``B-``.
    Spans of labels outside the scheme are ignored; a span that overlaps no word (only
    spaces) is reported as misaligned.

    Example:
        >>> t = "قال إن 48 هجوماً وقعت"
        >>> w = split_words(t)
        >>> s = Span.of(t, t.index("48"), t.index("48") + 9, "NUM")
        >>> [DEFAULT_SCHEME.labels[i] for i in word_tags(w, [s]).labels]
        ['O', 'O', 'B-NUM', 'I-NUM', 'O']
    """
    starts = [s for s, _ in words]
    ends = [e for _, e in words]
    layer_tag_ids = [[0] * len(words) for _ in scheme.layers]
    misaligned: list[Span] = []
    import bisect

    for span in spans:
        try:
            layer = scheme.layer_of(span.label)
        except ValueError:
            continue
        first = bisect.bisect_right(ends, span.start)
        last = bisect.bisect_left(starts, span.end) - 1
        if first > last:
            misaligned.append(span)
            continue
        if starts[first] != span.start or ends[last] != span.end:
            misaligned.append(span)
        tags = scheme.layer_tags[layer]
        b, i = tags.index(f"B-{span.label}"), tags.index(f"I-{span.label}")
        layer_tag_ids[layer][first] = b
        for k in range(first + 1, last + 1):
            layer_tag_ids[layer][k] = i
    labels = tuple(scheme.label_id(per) for per in zip(*layer_tag_ids)) if words else ()
    return Alignment(labels, tuple(misaligned))


def windows(n: int, size: int, stride: int) -> list[tuple[int, int]]:
    """Overlapping ``[start, end)`` windows covering ``range(n)``, each at most ``size`` long.

    Consecutive windows overlap by ``size - stride`` items; the last window ends at ``n``.

    Example:
        >>> windows(10, 4, 3)
        [(0, 4), (3, 7), (6, 10)]
    """
    if size < 1 or not 0 < stride <= size:
        raise ValueError(f"need size >= 1 and 0 < stride <= size, got size={size}, stride={stride}")
    if n <= size:
        return [(0, n)]
    out = []
    start = 0
    while True:
        end = min(start + size, n)
        out.append((start, end))
        if end == n:
            return out
        start += stride
