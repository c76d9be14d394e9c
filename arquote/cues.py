"""The cue lexicon and the word lists shared by the rule engine and the linker.

The data live in ``arquote/data/cues.tsv`` (speech and opinion verbs, attribution
prepositions, relay nouns) and ``arquote/data/rules_lexicon.txt`` (titles, speaker heads,
outlets, time words …). Entries are folded with :func:`arquote.normalize.fold`, so a
lookup is insensitive to diacritics, tatweel, alef forms, ة/ه and ى/ي.

:func:`cue_form` knows every generated inflection (قالت، وأوضحوا، مؤكدةً، قولهم …) with
its gender and number, which the linker uses for pro-drop agreement.

Example:
    >>> form = cue_form("وأوضحوا")
    >>> (form.lemma, form.gender, form.number)
    ('اوضح', 'm', 'pl')
    >>> [t.text for t in tokenize("وقال “وليامز”: نعم")]
    ['وقال', 'وليامز', 'نعم']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, NamedTuple

from ._resources import read_data
from .normalize import DIACRITICS, INVISIBLE, fold, normalize

__all__ = [
    "CueForm",
    "Token",
    "cue_form",
    "cue_lexicon",
    "word_list",
    "tokenize",
    "strip_clitic",
    "definite",
    "data_or_outlet",
    "COMPLEMENTIZERS",
]

#: Complementizers that open an indirect quote, folded (إن، أنّ، بأن، أنه، إنها …).
COMPLEMENTIZERS: frozenset[str] = frozenset(
    base + suffix
    for base in ("ان", "بان", "لان_never")
    for suffix in ("", "ه", "ها", "هم", "هما", "هن", "ني", "نا", "ك", "كم")
    if not base.endswith("_never")
) - {"انا", "بانا", "انك", "انكم"} | {"انني", "اننا", "بانني", "باننا"}

#: Bare forms that are also common nouns or prepositions (بين "between", ذكر "mention"):
#: they count as cues only right before a complementizer, a colon or a quote mark.
_WEAK = frozenset(fold(w) for w in (
    "بين", "قدر", "ذكر", "كتب", "رد", "نقل", "ختم", "وصف", "أسف", "شرح", "تابع", "جاء",
    "رأى", "حذر", "ظن", "علق", "برر", "فسر", "سجل", "خلص", "نصح", "أورد", "عزا", "دان",
    "أبرز", "ردد", "لمح", "جدد", "نوه", "أبدى", "اتهم", "هدد", "تحدث",
))


@dataclass(frozen=True)
class CueForm:
    """One inflected cue word.

    Attributes:
        lemma: The folded lemma (past 3ms, or the preposition/noun itself).
        cls: ``say``, ``opinion``, ``source`` (وفق، بحسب …) or ``relay`` (قوله، نقلاً).
        gender: ``m``, ``f`` or ``None`` (not marked).
        number: ``sg``, ``du``, ``pl`` or ``None``.
        kind: ``past``, ``present``, ``participle`` or ``other``.
        weak: True for a bare form that is also a common noun (بين، ذكر).
    """

    lemma: str
    cls: str
    gender: str | None
    number: str | None
    kind: str
    weak: bool = False


class Token(NamedTuple):
    """A word of the original text: ``[start, end)`` and its folded form ``norm``.

    A named tuple, not a dataclass: a document has thousands and building them is hot.
    """

    start: int
    end: int
    norm: str
    text: str


def _feat(code: str) -> tuple[str | None, str | None]:
    gender, _, number = code.partition(".")
    return (None if gender in ("-", "") else gender, None if number in ("-", "") else number)


def _past_forms(p: str) -> Iterator[tuple[str, str | None, str | None]]:
    yield p, "m", "sg"
    if p.endswith(("ي", "ا", "و")):  # defective verbs: irregular forms come from `extra`
        return
    yield p + "ت", "f", "sg"
    yield p + "وا", "m", "pl"
    # the dual (قالا) is left to `extra`: generated it collides with other words (أقرا/اقرأ)
    yield p + "تا", "f", "du"
    yield p + "ن", "f", "pl"


def _present_forms(y: str) -> Iterator[tuple[str, str | None, str | None]]:
    yield y, "m", "sg"
    yield "ت" + y[1:], "f", "sg"
    if y.endswith(("ي", "ا", "و")):
        return
    yield y + "ون", "m", "pl"
    yield y + "ان", "m", "du"


def _participle_forms(b: str) -> Iterator[tuple[str, str | None, str | None]]:
    # The bare masculine (مؤكد) is left out: it is mostly an adjective or a noun.
    yield b + "ا", "m", "sg"
    yield b + "ه", "f", "sg"
    yield b + "ين", "m", "pl"
    yield b + "ات", "f", "pl"


@lru_cache(maxsize=1)
def cue_lexicon() -> dict[str, CueForm]:
    """Every cue form (folded, clitics و/ف included) mapped to its :class:`CueForm`.

    Raises:
        ValueError: when ``cues.tsv`` has a malformed line (the message gives the line).
    """
    table: dict[str, CueForm] = {}

    def add(word: str, form: CueForm) -> None:
        # Prepositions and relay nouns win over a homograph verb form (نقلاً is not a dual).
        put = table.__setitem__ if form.cls in ("source", "relay") else table.setdefault
        put(word, form)
        for clitic in ("و", "ف"):
            put(clitic + word, CueForm(form.lemma, form.cls, form.gender, form.number,
                                       form.kind, False))

    for lineno, line in enumerate(read_data("cues.tsv").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 4:
            raise ValueError(f"cues.tsv line {lineno}: expected at least 4 tab-separated "
                             f"columns (past, present, participle, class), got {line!r}")
        past, present, part, cls = (fold(c.strip()) for c in cols[:4])
        lemma = past
        generated: list[tuple[str, str | None, str | None, str]] = []
        if cls in ("say", "opinion"):
            generated += [(w, g, n, "past") for w, g, n in _past_forms(past)]
            if present != "-":
                generated += [(w, g, n, "present") for w, g, n in _present_forms(present)]
            if part != "-":
                generated += [(w, g, n, "participle") for w, g, n in _participle_forms(part)]
        else:
            generated.append((past, None, None, "other"))
        if len(cols) > 4 and cols[4].strip():
            for item in cols[4].split(","):
                word, _, code = item.strip().partition(":")
                gender, number = _feat(code)
                word = fold(word)
                kind = "other"
                if cls in ("say", "opinion"):
                    kind = "participle" if word.startswith("م") else \
                        "present" if word[0] in "يت" and not lemma.startswith(word[0]) else "past"
                generated.append((word, gender, number, kind))
        for word, gender, number, kind in generated:
            add(word, CueForm(lemma, cls, gender, number, kind, word in _WEAK))
    return table


_NOT_ARTICLE = frozenset(fold(w) for w in (
    "إلى", "إلا", "الذي", "التي", "الذين", "اللذين", "اللتين", "اللذان", "اللتان", "الآن", "اللواتي",
    "اللاتي", "الله"))


def definite(norm: str) -> bool:
    """True for a folded word with the article ال (الوزير), not for إلى، الذي، الآن …

    Example:
        >>> definite("الوزير"), definite(fold("إلى"))
        (True, False)
    """
    return norm.startswith("ال") and len(norm) > 3 and norm not in _NOT_ARTICLE


def strip_clitic(norm: str) -> str:
    """The word without a leading و/ف conjunction when what remains is a word (≥ 2 letters)."""
    if len(norm) > 3 and norm[0] in "وف":
        return norm[1:]
    return norm


def cue_form(word: str) -> CueForm | None:
    """The :class:`CueForm` of a word (any spelling), or ``None`` if it is not a cue.

    Example:
        >>> cue_form("مُردفاً").lemma, cue_form("قائلة").gender, cue_form("منزل")
        ('اردف', 'f', None)
    """
    return cue_lexicon().get(fold(word))


@lru_cache(maxsize=None)
def word_list(*sections: str) -> frozenset[str]:
    """The folded entries of ``[section]`` lists of ``rules_lexicon.txt`` (their union).

    Raises:
        KeyError: for a section the file does not have.
    """
    if len(sections) != 1:
        return frozenset().union(*(word_list(s) for s in sections))
    section = sections[0]
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in read_data("rules_lexicon.txt").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
            continue
        if current is not None:
            current.add(fold(line))
    if section not in sections:
        raise KeyError(f"no section [{section}] in rules_lexicon.txt "
                       f"(sections: {', '.join(sorted(sections))})")
    return frozenset(sections[section])


def data_or_outlet(norm: str) -> bool:
    """Whether a folded word names an outlet, a relay or a body of data rather than a
    speaker (ruling 3), with a conjunction, «ل» or the article before it.

    Example:
        >>> data_or_outlet(fold("للأرقام")), data_or_outlet(fold("لحصيلة")), data_or_outlet(fold("لقيادة"))
        (True, True, False)
    """
    forms = {norm, strip_clitic(norm)}
    if norm.startswith("ل"):
        forms.add(norm[1:])
    if forms & word_list("outlet"):
        return True
    # an outlet noun with the article may be a body that speaks («بحسب الوكالة الأميركية
    # لمكافحة المخدرات»); a body of data is none, whatever its form
    for prefix in ("لل", "ال"):
        if norm.startswith(prefix) and len(norm) - len(prefix) >= 3:
            forms.add(norm[len(prefix):])
    return bool(forms & word_list("data_source"))


_WORD = re.compile(r"[#\w]+(?:[.,]\d+)*", re.UNICODE)
_MARKS_IN_WORD = "".join(sorted(DIACRITICS | INVISIBLE))
#: A word of the original text: letters, digits, ``_``, ``#`` and the marks that
#: normalization drops (diacritics, tatweel, zero-width joiners), so offsets need no map.
_RAW_WORD = re.compile(
    "[#\\w" + re.escape(_MARKS_IN_WORD) + "]+(?:[.,٫٬][" + re.escape(_MARKS_IN_WORD) + "]*\\d[\\d"
    + re.escape(_MARKS_IN_WORD) + "]*)*")
_INVISIBLE = "".join(INVISIBLE)
_FOLD_TABLE = str.maketrans({ch: fold(ch) for ch in set(_MARKS_IN_WORD)
                             | set("أإآٱىؤئةکی٫٬")
                             | {chr(0x0660 + i) for i in range(10)}
                             | {chr(0x06F0 + i) for i in range(10)}})


_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


#: Texts up to this length share a large cache (names and snippets recur across documents);
#: longer ones (whole documents, quotes) a cache of two, so that a stream of documents
#: does not keep thousands of tokenized articles alive.
_SHORT_TEXT = 256


def tokenize(text: str) -> tuple[Token, ...]:
    """The words of ``text`` (letters, digits, ``_`` and ``#``), with folded forms.

    Offsets are into ``text`` itself; diacritics inside or after a word stay in it. The
    result is cached: the linker tokenizes the same names and snippets many times.

    Example:
        >>> [(t.text, t.norm) for t in tokenize("قالَ إنّ ٤٨")]
        [('قالَ', 'قال'), ('إنّ', 'ان'), ('٤٨', '48')]
    """
    return _tokenize_short(text) if len(text) <= _SHORT_TEXT else _tokenize_long(text)


def _tokenize(text: str) -> tuple[Token, ...]:
    out = []
    slow = _PRESENTATION.search(text) is not None  # presentation forms need the full fold
    table = _FOLD_TABLE
    marks, invisible = _MARKS_IN_WORD, _INVISIBLE
    for m in _RAW_WORD.finditer(text):
        word = m.group()
        norm = fold(word) if slow else word.translate(table)
        if not norm.strip("#_"):
            continue  # a run of marks alone
        start, end = m.span()
        if word[0] in marks or word[-1] in invisible:
            # marks before the first letter belong to nothing; invisibles after the last neither
            while start < end and text[start] in marks:
                start += 1
            while end > start and text[end - 1] in invisible:
                end -= 1
            word = text[start:end]
        out.append(Token(start, end, norm, word))
    return tuple(out)


_tokenize_short = lru_cache(maxsize=8192)(_tokenize)
_tokenize_long = lru_cache(maxsize=2)(_tokenize)  # the engine and the linker read one text


def _tokenize_reference(text: str) -> tuple[Token, ...]:
    """The normalize-based tokenizer :func:`tokenize` must agree with (used in tests)."""
    n = normalize(text)
    out = []
    for m in _WORD.finditer(n.text):
        start, end = n.span(m.start(), m.end())
        out.append(Token(start, end, m.group(), text[start:end]))
    return tuple(out)
