"""Attribution linking: from QUOTE, SPEAKER and CUE spans to quotes with speakers.

This is the one implementation of attribution shared by the rule engine and the model
pipeline. Both produce bare spans (the rules from patterns, the model from token tags) and
call :func:`link`, which decides:

* each quote's **kind**: ``direct`` when quotation marks bound it, else ``indirect``;
* each quote's **cue**: the nearest cue before it in the same sentence with no other quote
  in between, else a post-posed cue right after it («…»، أوضحَ “كاتسي”);
* each quote's **speaker**: the mention right after its cue (قال الوزير …), or right
  before it (المحمود أشار …), or after a post-posed cue, or the source before the colon
  of a headline; otherwise (pro-drop: وأضاف، مُردفاً، وأوضحوا) the most recent speaker that
  agrees with the cue verb in number and gender, looking forward when none came before;
* **speaker clusters and canonical names**: mentions of one entity are merged (a surname
  with the full name, «البيان» with «بيان للخلية», «الوزير» with the minister named
  earlier) and named by the fullest name the document gives.

Everything here is a pure function of the text and the spans.

Example:
    >>> t = "وقال الوزير “أحمد سالم” إن: «الوضع مستقر». وأضاف أن «الحدود آمنة تماماً»."
    >>> def sp(s, label): return Span.of(t, t.index(s), t.index(s) + len(s), label)
    >>> r = link(t, [sp("وقال", "CUE"), sp("أحمد سالم", "SPEAKER"), sp("الوضع مستقر", "QUOTE"),
    ...              sp("وأضاف", "CUE"), sp("الحدود آمنة تماماً", "QUOTE")])
    >>> [(q.kind, q.cue.text, q.speaker.name) for q in r.quotes]
    [('direct', 'وقال', 'أحمد سالم'), ('direct', 'وأضاف', 'أحمد سالم')]
    >>> r.speakers[0].role
    'الوزير'
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterable, Sequence

from .cues import CueForm, cue_form, data_or_outlet, definite, strip_clitic, tokenize, word_list
from .document import NumericClaim, Quote, Span, Speaker
from .normalize import INVISIBLE, fold, normalize

__all__ = [
    "LinkResult",
    "link",
    "quote_kind",
    "find_cue",
    "speaker_features",
    "agrees",
    "cluster_mentions",
    "canonical_name",
    "role_of",
    "outlet_name",
    "speaker_mention",
    "attach_claims",
    "pair_same_marks",
    "OPEN_MARKS",
    "CLOSE_MARKS",
    "SENTENCE_END",
    "sentence_end",
]

#: Characters that open a quotation (straight and reversed styles included).
OPEN_MARKS = "«“\"”‘'’„″‹"
#: Characters that close a quotation.
CLOSE_MARKS = "»”\"“’'‘″›"

_LETTER = "\u0621-\u064a"  # the Arabic letters (ء … ي)
_HARAKAT = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"  # harakat, tanwin, shadda …: part of a word
#: Where a sentence ends, shared with the rule engine (``arquote.rules.engine``) so the
#: patterns and the linker agree. ``! ? ؟`` and a line break end a sentence, and so does:
#:
#: * a full stop, except between digits (``1.5``) and after a one-letter abbreviation
#:   («د. أحمد», «م. خالد», «أ. سامي»; «2014 م.» after a number still ends it);
#: * an ellipsis (``..``, ``...``, ``…``), unless the sentence goes on after it: a
#:   complementizer («وقال الوزير... إن …»), a colon, a comma, a quotation mark or a bracket
#:   after it, or a bracket before it (the elision «(...)»).
SENTENCE_END = re.compile(
    r"[!?؟\n]"
    r"|(?<![.…(])(?:\.{2,}|…+)(?![.…])"
    r"(?!\s*(?:[:،,؛;)«»“”\"'‘’„″‹›]"
    rf"|ب?[إأاٱ]ن[\u064b-\u0652]*(?:ه|ها|هم|هما|هن|نا|ني|ك|كم)?(?![{_LETTER}])))"
    rf"|(?<![.…])(?:(?<![^\w{_HARAKAT}][{_LETTER}])(?<!^[{_LETTER}])|(?<=\d\s[{_LETTER}]))"
    r"\.(?![.…])(?!(?<=\d\.)\d)"
)
#: How far past a range :func:`sentence_end` lets the pattern look (the words after an
#: ellipsis decide whether it ends the sentence).
_LOOKAHEAD = 40
_END_CHARS = re.compile(r"[!?؟\n.…]")


def sentence_end(text: str, start: int, end: int) -> re.Match[str] | None:
    """The first sentence end that starts in ``text[start:end]``, judged with the text after
    ``end`` in view (``re.search`` with ``endpos=end`` would hide it).

    Example:
        >>> t = "وقال د. أحمد سالم... إن الوضع مستقر... وأضاف أن الحدود آمنة"
        >>> sentence_end(t, 0, len(t)).start() == t.index("... وأضاف")
        True
        >>> sentence_end(t, 0, t.index("إن")) is None
        True
    """
    first = _END_CHARS.search(text, start, end)  # cheap: most ranges hold no candidate
    if first is None:
        return None
    m = SENTENCE_END.search(text, first.start(), min(len(text), end + _LOOKAHEAD))
    return m if m is not None and m.start() < end else None


_WORD_BREAK = re.compile(r"[!?؟\n.،,:؛;()«»“”\"]")
_HEADLINE_GAP = re.compile(r"^[\s:：|\-–—]*$")
_POSTPOSED_GAP = re.compile(r"^[ \t\u00a0»”\"“’'‘″›،,\-–—)(]*$")
_LINKS = frozenset(fold(w) for w in ("في", "من", "ل", "الى", "على", "عن", "ب", "مع", "و"))


@dataclass(frozen=True)
class LinkResult:
    """What :func:`link` decided.

    Attributes:
        quotes: One :class:`Quote` per QUOTE span, in text order, with kind, cue, speaker.
        speakers: The clustered speakers (canonical name, mentions, aliases, role).
        cues: Every CUE span, in text order.
    """

    quotes: tuple[Quote, ...]
    speakers: tuple[Speaker, ...]
    cues: tuple[Span, ...]


# -- quotation marks ---------------------------------------------------------------------


_AFTER_CLOSE = ".،,;؛!?؟)"


def pair_same_marks(text: str, marks: Sequence[int], first: bool) -> dict[int, int]:
    """Pairs the double marks of one paragraph (``"`` opens and closes alike).

    Each mark's role comes from what touches it: one followed by end punctuation closes
    (``كذلك ".``), one after a colon opens, one glued to the next word only opens and one
    glued to the word before only closes (``قال "نحن مستعدون" و``), and a mark that shows
    nothing closes the open quote if there is one, else opens. Openers and closers pair by
    nesting, so a title quoted inside a quote keeps the outer pair (``قائلا: "… أغنيتي "مدرسة
    الحب"، …"``). Some sources glue every mark the other way round (``للصحفيين" لقد … انتهى
    "في``); the paragraph is read both ways and the reading that leaves fewer marks unpaired
    wins, the usual one on a tie. A closer before any opener in the text's first paragraph
    costs nothing: the text starts inside a quote (ruling 39).

    Args:
        text: The whole text.
        marks: Positions of the marks of one paragraph, in order.
        first: Whether the paragraph is the text's first.

    Returns:
        Each paired mark's partner, both ways.

    Example:
        >>> t = 'قال: "أغنيتي "مدرسة الحب" نجحت".'
        >>> p = pair_same_marks(t, [i for i, c in enumerate(t) if c == '"'], True)
        >>> [t[a + 1:b] for a, b in sorted(p.items()) if a < b]
        ['أغنيتي "مدرسة الحب" نجحت', 'مدرسة الحب']
    """
    if len(marks) < 2:
        return {}
    best: tuple[int, dict[int, int]] | None = None
    for reversed_glue in (False, True):
        partners: dict[int, int] = {}
        stack: list[int] = []
        cost = 0
        for n, i in enumerate(marks):
            before = text[i - 1] if i > 0 else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            left, right = not _blank_char(before), not _blank_char(after)
            if after in _AFTER_CLOSE and text[i + 1:i + 3] != "..":  # not «"..ولكن»
                closing = True
            elif _after_colon(text, i):
                closing = False
            elif left != right:
                closing = left != reversed_glue
            elif left and _proclitic_before(text, i):
                closing = False  # «تسمى بـ"درب التبانة"»
            else:
                closing = bool(stack)
            if not closing:
                stack.append(i)
            elif stack:
                j = stack.pop()
                partners[i], partners[j] = j, i
            elif not (first and n == 0):
                cost += 1
        cost += len(stack)
        if best is None or cost < best[0]:
            best = (cost, partners)
    return best[1]


def _proclitic_before(text: str, i: int) -> bool:
    """A one-letter proclitic (ب، ل، ك، و، ف; a tatweel may follow it) glued to the mark."""
    k = i - 1
    while k >= 0 and text[k] == "\u0640":
        k -= 1
    return k >= 0 and text[k] in "بلكوف" and (k == 0 or not text[k - 1].isalnum())


def _after_colon(text: str, i: int) -> bool:
    k = i - 1
    while k >= 0 and _blank_char(text[k]):
        k -= 1
    return k >= 0 and text[k] == ":"


def _blank_char(ch: str) -> bool:
    return ch.isspace() or ch in INVISIBLE


# -- quote kind and cue -----------------------------------------------------------------


def quote_kind(text: str, span: Span) -> str:
    """``"direct"`` when quotation marks bound the span (spaces between allowed), else ``"indirect"``.

    At an edge of the text one mark is enough: a quote that starts the text and stops at a
    closing mark, or ends it right after an opening mark, is direct (ruling 39).

    Example:
        >>> t = "قال: «نحن مستعدون»"
        >>> quote_kind(t, Span.of(t, 6, 17, "QUOTE"))
        'direct'
    """
    i = span.start - 1
    while i >= 0 and (text[i].isspace() or text[i] in INVISIBLE):  # RLM, ZWNJ … are blank too
        i -= 1
    j = span.end
    while j < len(text) and (text[j].isspace() or text[j] in INVISIBLE):
        j += 1
    # a text cut inside a quote (a sentence chunk, a truncated article) lost one of its
    # marks with the text around it; the other still shows a direct quote (ruling 39)
    opened = i < 0 or text[i] in OPEN_MARKS
    closed = j >= len(text) or text[j] in CLOSE_MARKS
    return "direct" if opened and closed and (i >= 0 or j < len(text)) else "indirect"


_GAP_WORDS = frozenset(fold(w) for w in ("بحسب", "حسب", "وفق", "وفقا", "وفقاً", "كما", "ما", "لما", "وبحسب"))


def _postposed_gap(gap: str) -> bool:
    """«…»، أوضح / «…»، بحسب ما أكد / «…»، كما يشير: only marks, commas and these words."""
    words = re.sub(r"[ \t\u00a0»”\"“’'‘″›،,\-–—)(]+", " ", gap).split()
    if "\n" in gap or len(words) > 2:
        return False
    return all(fold(w) in _GAP_WORDS for w in words)


def _crosses_boundary(text: str, start: int, end: int) -> bool:
    return start < end and sentence_end(text, start, end) is not None


def _between(spans: Sequence[Span], start: int, end: int) -> bool:
    return any(start <= s.start and s.end <= end for s in spans)


def find_cue(text: str, quote: Span, cues: Sequence[Span], quotes: Sequence[Span] = ()) -> Span | None:
    """The cue that governs a quote: the nearest one before it in the same sentence, with
    no other quote in between; else a post-posed cue right after it.

    Example:
        >>> t = "«القرار نهائي ولا رجعة فيه»، أوضح المتحدث."
        >>> q = Span.of(t, 1, 26, "QUOTE"); c = Span.of(t, 29, 33, "CUE")
        >>> find_cue(t, q, [c]).text
        'أوضح'
    """
    before = [c for c in cues
              if c.end <= quote.start and quote.start - c.end <= 400
              and not _crosses_boundary(text, c.end, quote.start)
              and not _between(quotes, c.end, quote.start)]
    if before:
        return max(before, key=lambda c: c.end)
    after = [c for c in cues
             if c.start >= quote.end and c.start - quote.end <= 25
             and _postposed_gap(text[quote.end:c.start])]
    return min(after, key=lambda c: c.start) if after else None


# -- agreement ----------------------------------------------------------------------------


def _head(mention: str) -> str:
    words = [strip_clitic(t.norm.lstrip("#")) if t.norm.startswith("وال") else t.norm.lstrip("#")
             for t in tokenize(mention)]
    return words[0].split("_")[0] if words else ""


def _bare(word: str) -> str:
    for article in ("وال", "بال", "لل", "ال"):
        if word.startswith(article) and len(word) - len(article) >= 2:
            return word[len(article):] if article != "لل" else word[2:]
    return word


def speaker_features(mention: str) -> tuple[str | None, str | None, bool]:
    """Gender, number and "non-human plural" of a speaker phrase, from its head word.

    Returns:
        ``(gender, number, nonhuman)``: gender ``m``/``f``/``None``, number
        ``sg``/``du``/``pl``/``None``; ``nonhuman`` is True for plurals such as مصادر and
        تقارير that also take feminine singular verbs.

    Example:
        >>> speaker_features("مسؤولون عراقيون"), speaker_features("الخارجية الإيرانية")
        (('m', 'pl', False), ('f', 'sg', False))
    """
    head = _head(mention)
    if not head:
        return None, None, False
    bare = _bare(head)
    candidates = {head, bare, "ال" + bare}
    if candidates & word_list("broken_plural_nonhuman"):
        return "f", "pl", True
    if candidates & word_list("plural"):
        return "m", "pl", False
    if candidates & word_list("dual"):
        return "m", "du", False
    tokens = [t.norm for t in tokenize(mention)]
    if any(t.startswith("و") and i > 0 and t[1:].startswith("ال") is False and len(t) > 3
           and tokens[i - 1].startswith("ال") is False for i, t in enumerate(tokens)) and len(tokens) in (2, 3):
        # «الولايات المتحدة وتركيا»-like coordinations are left unknown.
        return None, None, False
    if candidates & word_list("masculine"):
        return "m", "sg", False
    if bare.endswith("ه") or bare.endswith("ات"):
        return ("f", "pl", True) if bare.endswith("ات") else ("f", "sg", False)
    if definite(head) or candidates & (word_list("title", "rank")):
        return "m", "sg", False
    return None, "sg", False  # a proper name: gender unknown


def agrees(cue: CueForm | None, features: tuple[str | None, str | None, bool]) -> bool:
    """Whether a dropped subject with these features can be the subject of the cue verb.

    Example:
        >>> agrees(cue_form("وأوضحوا"), speaker_features("محللون"))
        True
        >>> agrees(cue_form("وقالت"), speaker_features("مسؤولون عراقيون"))
        False
    """
    if cue is None or cue.number is None:
        return True
    gender, number, nonhuman = features
    if cue.number in ("pl", "du"):
        return number in ("pl", "du", None) and not (nonhuman and cue.gender == "m" and False)
    # singular verb
    if number in ("pl", "du") and not (nonhuman and cue.gender == "f"):
        return False
    if cue.gender == "m" and gender == "f":
        return False
    if cue.gender == "f" and gender == "m":
        return False
    return True


# -- speakers -----------------------------------------------------------------------------


def _same_sentence(text: str, a: int, b: int) -> bool:
    return not _crosses_boundary(text, min(a, b), max(a, b))


def _find_speaker(text: str, quote: Span, cue: Span | None, mentions: Sequence[Span],
                  cues: Sequence[Span], quotes: Sequence[Span]) -> Span | None:
    if cue is not None and cue.end <= quote.start:
        after = sorted((m for m in mentions if cue.end <= m.start and m.end <= quote.start
                        and _same_sentence(text, cue.end, m.start)
                        and not _between(cues, cue.end, m.start)), key=lambda m: m.start)
        if after:
            return _name_in_phrase(text, after)
        before = [m for m in mentions if m.end <= cue.start and cue.start - m.end <= 160
                  and _same_sentence(text, m.end, cue.start)
                  and not _between(cues, m.end, cue.start)
                  and not _between(quotes, m.end, cue.start)]
        if before:
            return max(before, key=lambda m: m.end)
        return None
    if cue is not None:  # post-posed
        after = [m for m in mentions if m.start >= cue.end and m.start - cue.end <= 80
                 and _same_sentence(text, cue.end, m.start)
                 and not _between(quotes, cue.end, m.start)]
        return min(after, key=lambda m: m.start) if after else None
    # no cue: a headline «Source: statement» or a source before the quote on its line
    before = [m for m in mentions if m.end <= quote.start and quote.start - m.end <= 80
              and "\n" not in text[m.end:quote.start]
              and not _between(quotes, m.end, quote.start)
              and not _between(cues, m.end, quote.start)]
    if before:
        return max(before, key=lambda m: m.end)
    after = [m for m in mentions if m.start >= quote.end and m.start - quote.end <= 40
             and _same_sentence(text, quote.end, m.start)
             and not _between(quotes, quote.end, m.start)]
    return min(after, key=lambda m: m.start) if after else None


_PHRASE_GAP = re.compile(r"[.!?؟،,:;؛()\n]")
#: Words before a medium, not a name: «عبر موقع "فيسبوك"», «على صفحته».
_VIA = frozenset(fold(w) for w in ("عبر", "موقع", "صفحة", "صفحته", "صفحتها", "حساب", "حسابه", "حسابها"))
#: Words before the person spoken to, not the speaker: «قال الوزير لنظيره الفرنسي جان إيف لودريان».
_ADDRESSEE = frozenset(fold(w) for w in ("لنظيره", "لنظيرته", "لنظرائه", "لنظيريه", "مخاطبا", "مخاطبة",
                                         "مخاطبين", "له", "لها", "لهم"))


def _name_in_phrase(text: str, mentions: Sequence[Span]) -> Span:
    """The first of ``mentions`` (in text order), or the proper name that follows it in the
    same source phrase when the first only describes (the guideline's name alone):
    «رأى زعيم اليمين الحاكم في بولندا ياروسلاف كاتشينسكي أن» → ``ياروسلاف كاتشينسكي``
    when «زعيم اليمين» and the name were found as two mentions."""
    first = mentions[0]
    if not _is_common(_clean_name(first.text)):
        return first
    adverbial = word_list("adverbial")
    for m in mentions[1:]:
        gap = text[first.end:m.start]
        core = gap.rstrip(" " + OPEN_MARKS)  # «العقيد “ديف وليامز”»: a mark right before the name
        words = [t.norm for t in tokenize(core)]
        if _PHRASE_GAP.search(gap) or len(words) > 6 or any(c in core for c in OPEN_MARKS) \
                or core.endswith(("ـ", " ل")) or any(w in adverbial or w[1:] in adverbial or w in _VIA
                                                   or w in _ADDRESSEE for w in words):
            # «أحد الأطباء لـ"إيمان"» (an addressee), «الفنان في تغريدة على موقع "تويتر"»
            break
        if not _is_common(_clean_name(m.text)):
            return m
    return first


# -- clustering and canonical names -------------------------------------------------------


#: Outlet nouns that stand before an outlet's own name («صحيفة سبورت», «وكالة أنباء الأناضول»).
_OUTLET_HEADS = frozenset(fold(w) for w in (
    "صحيفة", "الصحيفة", "جريدة", "الجريدة", "مجلة", "المجلة", "وكالة", "الوكالة",
    "قناة", "القناة", "إذاعة", "الإذاعة", "تلفزيون", "التلفزيون"))
#: Words between the outlet noun and the name («وكالة أنباء X», «وكالة التصنيف الائتماني X»).
_OUTLET_FILLERS = frozenset(fold(w) for w in ("أنباء", "التصنيف", "الائتماني"))
#: Definite common nouns after an outlet noun: the phrase is then a description with no
#: name of its own («وكالة الأنباء السعودية», «وكالة الصحافة الفرنسية»), left whole.
_OUTLET_COMMON = frozenset(fold(w) for w in (
    "الأنباء", "الصحافة", "الإعلام", "الأخبار", "الدولة", "الحكومة", "التواصل", "الرسمية",
    "المحلية", "الإخبارية", "الإلكترونية", "الناطقة", "التابعة", "المقربة", "الخاصة",
    "الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السابعة", "العاشرة", "نفسها", "ذاتها"))
#: Pronoun suffixes: a word with one is not a name («حديثها», «ذاتها»).
_SUFFIXES = ("ها", "هم", "هما", "هن", "ذات", "نفس")
_NAME_STOPS = frozenset(fold(w) for w in ("في", "عن", "من", "على", "إلى", "مع", "التي", "الذي", "و"))


def _nisba(norm: str) -> bool:
    """A folded word that reads as a relative adjective (الأمريكية، الكتالونية، إلكتروني)."""
    return len(norm) > 3 and (norm.endswith("يه") or norm.endswith("ي"))


def outlet_name(text: str, mention: Span) -> Span:
    """The outlet's own name inside a SPEAKER mention that starts with an outlet noun.

    The guideline's rule for a source phrase with a proper name (the span is the name
    alone) applied to newspapers, agencies and channels: the outlet noun before the name,
    the words that only say what kind of outlet it is, and the relative adjectives after
    the name are left out (ruling 32). A phrase with no name of its own («وكالة الأنباء
    السعودية», «الصحيفة الأمريكية») is returned unchanged, and so is any other mention.

    Example:
        >>> t = "وذكرت وكالة أنباء الأناضول الحكومية التركية أن المتهم اعترف"
        >>> m = Span.of(t, t.index("وكالة"), t.index(" أن المتهم"), "SPEAKER")
        >>> outlet_name(t, m).text
        'الأناضول'
        >>> t = "وقالت وكالة الأنباء السعودية إن الاجتماع انتهى"
        >>> outlet_name(t, Span.of(t, 6, t.index(" إن"), "SPEAKER")).text
        'وكالة الأنباء السعودية'
    """
    words = tokenize(mention.text)
    if len(words) < 2 or words[0].norm not in _OUTLET_HEADS:
        return mention
    # a definite outlet noun takes adjectives before the name («الصحيفة البريطانية الغارديان»);
    # after an indefinite one a definite word is the name («صحيفة المصري اليوم»)
    adjectives = definite(words[0].norm)
    i = 1
    while i < len(words) and (words[i].norm in _OUTLET_FILLERS
                              or adjectives and definite(words[i].norm) and _nisba(words[i].norm)):
        i += 1
    if i == len(words):
        return mention
    gap = mention.text[words[i - 1].end:words[i].start]
    if any(ch in OPEN_MARKS for ch in gap):  # a quoted name: «صحيفة "ديارو دي إيبيزا"»
        close = next((k for k in range(i, len(words))
                      if any(ch in CLOSE_MARKS for ch in mention.text[words[k].end:][:2])), None)
        if close is None:  # «مجلة “فوربيس»: the mention ends before the closing mark
            close = len(words) - 1
        return _sub_span(text, mention, words[i].start, words[close].end)
    if gap.strip():
        return mention  # punctuation between the outlet noun and what follows
    first = words[i].norm
    if first in _NAME_STOPS or first.startswith(("لل", "بال")) or first.endswith(_SUFFIXES) \
            or first in word_list("title", "rank", "speaker_head", "time", "pronoun_source"):
        return mention  # «الصحيفة ذاتها», «الوكالة الوطنية للتنسيق»: no name follows
    if definite(first):
        if _nisba(first) or first in _OUTLET_COMMON:
            return mention
    elif adjectives or first.endswith(("ه", "ي")) or first.isdigit():
        return mention  # «الصحيفة تصريحات …», «موقع شركته»: not a name
    j = i + 1
    while j < len(words):
        w = words[j].norm
        if w in _NAME_STOPS or w.startswith(("لل", "بال")) or w in word_list("time") \
                or w.startswith("و") and strip_clitic(w).endswith("ه") \
                or definite(w) and (_nisba(w) or w in _OUTLET_COMMON) \
                or mention.text[words[j - 1].end:words[j].start].strip():
            break
        j += 1
    return _sub_span(text, mention, words[i].start, words[j - 1].end)


def _with_conjunctions(words: str) -> frozenset[str]:
    forms = [fold(w) for w in words.split()]
    return frozenset(forms + ["و" + w for w in forms] + ["ف" + w for w in forms])


#: First words a subject never has: pronouns («وهو يجيب …، يرى أن»), prepositions and
#: pronoun-suffixed ones («وعن دوره في المسلسل، قال إن», «قالت لنا»), subordinators,
#: negations and modals («وبينما لم يتحدث كاميرون», «ولم يؤيد …»), complementizers and «قد»
#: before a verb. A mention that starts with one is not a source. Words that fold into a
#: name are left out (على and علي; «لي», «هنا», «بين» are also names), and a bare «هو»,
#: «هي», «لي» or «هنا» counts only alone («هو جينتاو», «لي هسين لونغ» are names).
_NOT_SUBJECT = _with_conjunctions(
    "هم هما هن أنا نحن أنت أنتم "
    "عن في من إلى مع منذ خلال حول لدى عبر نحو ضد "
    "لنا له لها لهم لهما لكم بنا به بها بهم عنه عنها عنهم منه منها منهم فيه فيها فيهم "
    "عليه عليها عليهم إليه إليها إليهم معه معها معهم "
    "عندما بعدما حينما بينما فيما لما إذا إذ لو كلما طالما ريثما "
    "لم لن لا ليس ليست يمكن يجب ينبغي "
    "لكي حتى قد لقد هناك ثمة هل حيث لذا لذلك ربما لعل يا") | _with_conjunctions("هو هي") - {
    fold("هو"), fold("هي")}
_PRONOUN_ALONE = frozenset(fold(w) for w in ("هو", "هي", "لي", "هنا"))  # «قال لي إن»
_PREPOSITION_WRITTEN = frozenset(("على", "وعلى", "فعلى"))
#: Particles and auxiliaries that may stand before a subject: «لكن روسيا», «وكانت فرنسا»,
#: «أما الوزير»; the mention is the words after them.
_BEFORE_SUBJECT = _with_conjunctions("كان كانت لكن بل ثم أما")
#: أنّ and إنّ fold alike, and a bare «ان»/«فان» may be a name («فان بيرسي»): they are told
#: apart as written. «أن أماندا …» is a complement clause, «فإن لافروف» a subject.
_COMPLEMENT_WRITTEN = frozenset(("أن", "وأن", "لأن", "ولأن", "بأن", "وبأن"))
_EMPHASIS_WRITTEN = frozenset(("إن", "فإن", "وإن", "ان", "وان"))  # not «آن» (Anne)
_DIACRITICS = re.compile(f"[{_HARAKAT}\u0640]")


def _conjoined_verb(norm: str) -> bool:
    """«ونشرت», «وساندت»: و and a past verb with the feminine ت, which no name has (names
    that start with و end in ة, not ت: وفاء، ولاء، وهبة). A plural in ات is a noun
    («وحدات حماية الشعب», «وكالات الأنباء»)."""
    return len(norm) >= 5 and norm[0] == "و" and norm[-1] == "ت" and not norm.endswith("ات")


#: «جماعة تطلق على نفسها "سرايا أولياء الدم"», «رجل يدعى أبو محمد»: the name that follows
#: is the source's own (the guideline's name alone).
_NAMING = frozenset(fold(w) for w in (
    "تطلق", "يطلق", "تسمي", "يسمي", "تدعى", "يدعى", "تسمى", "يسمى", "تدعي", "يدعي"))
_SELF = frozenset(fold(w) for w in ("على", "نفسها", "نفسه", "أنفسهم", "انفسهم", "نفسهم", "اسم", "باسم"))


def _named_as(text: str, mention: Span) -> Span | None:
    """The name a naming clause gives the mention: in it («رجل يُدعى أبو محمد» → أبو محمد)
    or in the quotation marks right after it («جماعة تُطلق» + « على نفسها “سرايا أولياء
    الدم”» → سرايا أولياء الدم)."""
    words = tokenize(mention.text)
    verb = next((k for k in range(1, len(words)) if words[k].norm in _NAMING), None)
    if verb is None:
        return None
    rest = verb + 1
    while rest < len(words) and words[rest].norm in _SELF:
        rest += 1
    if rest < len(words):
        a, b = words[rest].start, words[-1].end
        while a < b and mention.text[a] in OPEN_MARKS:
            a += 1
        while b > a and mention.text[b - 1] in CLOSE_MARKS:
            b -= 1
        return _sub_span(text, mention, a, b) if b > a else None
    after = tokenize(text[mention.end:mention.end + 200])
    k = 0
    while k < len(after) and after[k].norm in _SELF:
        k += 1
    gap_end = mention.end + (after[k].start if k < len(after) else 0)
    gap = text[mention.end + (after[k - 1].end if k else 0):gap_end]
    if k == len(after) or not any(ch in OPEN_MARKS for ch in gap) or gap.strip(" " + OPEN_MARKS):
        return None
    def closed(j: int) -> bool:
        end = mention.end + after[j].end
        return end < len(text) and text[end] in CLOSE_MARKS

    close = next((j for j in range(k, min(len(after), k + 8)) if closed(j)), None)
    if close is None:
        return None
    return Span.of(text, mention.end + after[k].start, mention.end + after[close].end,
                   mention.label, mention.score)


def speaker_mention(text: str, mention: Span) -> Span | None:
    """The source phrase a SPEAKER mention names, or ``None`` when it names none.

    A decoded or rule-found mention sometimes starts a word too early: at a particle before
    the subject («لكن روسيا», «وكانت فرنسا»: the words after it are the mention) or at a
    word no subject starts with, a pronoun or a preposition («وهو»، «وعن دوره»، «لنا»:
    no source is named there, so the quote goes to the speaker named before, as
    pro-drop does). Outlet names are then cut to the name alone (:func:`outlet_name`).

    Example:
        >>> t = "وعن دوره في المسلسل، قال إن الشخصية استفزته"
        >>> speaker_mention(t, Span.of(t, 0, t.index(" في"), "SPEAKER")) is None
        True
        >>> t = "لكن روسيا قالت إن الاتفاق انتهى"
        >>> speaker_mention(t, Span.of(t, 0, t.index(" قالت"), "SPEAKER")).text
        'روسيا'
    """
    words = tokenize(mention.text)

    def written(k: int) -> str:
        return _DIACRITICS.sub("", words[k].text)

    i = 0
    while i < len(words) - 1 and (words[i].norm in _BEFORE_SUBJECT or written(i) in _EMPHASIS_WRITTEN
                                  or _conjoined_verb(words[i].norm)):
        i += 1
    if not words or words[i].norm in _NOT_SUBJECT or words[i].norm in _BEFORE_SUBJECT \
            or written(i) in _COMPLEMENT_WRITTEN | _EMPHASIS_WRITTEN | _PREPOSITION_WRITTEN \
            or words[i].norm in _PRONOUN_ALONE and i == len(words) - 1:
        return None
    if i:
        mention = _sub_span(text, mention, words[i].start, words[-1].end)
    return _named_as(text, mention) or outlet_name(text, mention)


def _sub_span(text: str, mention: Span, start: int, end: int) -> Span:
    return Span.of(text, mention.start + start, mention.start + end, mention.label, mention.score)



#: First names that read as «ل» + a lexicon word (لامين = ل + أمين).
_LAM_NAMES = frozenset(fold(w) for w in ("لامين", "لمين"))


def _clean_name(mention: str) -> str:
    """The name of a mention: no marks, ``#`` or ``_``, no leading و on «وال…/وو…»."""
    words = []
    for i, w in enumerate(re.sub(r"[«»“”\"‘’'″#]", " ", mention).replace("_", " ").split()):
        if i == 0 and (w.startswith("وال") or w.startswith("وو")) and len(w) > 4 \
                and not fold(w).startswith("والد"):  # «والدتها» is a word, not «و» + «الدتها»
            w = w[1:]
        elif i == 0 and fold(w).startswith("ل") and len(fold(w)) > 3 and fold(w) not in _LAM_NAMES:
            # «وفقاً لمصدر مطلع», «بحسب للمتحدث»: the preposition glued to a speaker word
            f, lex = fold(w), word_list("speaker_head", "title", "rank", "plural")
            if f.startswith("لل") and "ال" + f[2:] in lex:
                w = "ال" + _drop_folded(w, 2)
            elif f.startswith("لل") and "ال" + f[1:] in lex:
                w = "ال" + _drop_folded(w, 1)  # «للواء» is ل + «اللواء»
            elif not f.startswith("لل") and f[1:] in lex:
                w = _drop_folded(w, 1)
        words.append(w)
    return " ".join(words)


def _key(name: str) -> tuple[str, ...]:
    return tuple(_bare(t.norm.lstrip("#")) for t in tokenize(name.replace("_", " ")))


def _is_common(name: str) -> bool:
    """True for a describing phrase (مسؤول عسكري، المحكمة) rather than a proper name."""
    head = _head(name)
    lexicon = word_list("speaker_head", "title", "rank", "plural", "masculine")
    return bool({head, _bare(head), "ال" + _bare(head)} & lexicon) or definite(head)


def _statement_source(name: str) -> str | None:
    """«بيان للخلية» → «الخلية»; «بيان لقيادة القوات» → «قيادة القوات»; «بيانات وزارة
    الصناعة» → «وزارة الصناعة» (ruling 44); else None."""
    words = name.split()
    if len(words) >= 2 and (_bare(fold(words[0])) in ("بيان", "تصريح", "تقرير", "رساله")
                            or fold(words[0]) in word_list("data_source")) \
            and not fold(words[0]).startswith("ال"):
        second = fold(words[1])
        if fold(words[0]) in word_list("data_source") and not (
                second in word_list("speaker_head", "title") or _bare(second) in word_list("speaker_head")):
            return None  # «حصيلة الضحايا»: data that name no body stay as written (ruling 44)
        construct = len(words) > 2 and definite(fold(words[2]))
        if not (second.startswith("ل") or second in ("من", "عن") or construct
                or definite(second) and not second.endswith(("ي", "يه"))):
            return None  # «تقرير أميركي»: a report described, not a body's statement
        rest = words[1:]
        first = rest[0]
        f = fold(first)
        if f.startswith("لل"):
            rest[0] = "ال" + _drop_folded(first, 2)
        elif f.startswith("ل") and len(f) > 3 and f not in word_list("speaker_head", "title"):
            rest[0] = _drop_folded(first, 1)  # (not «لجنة»: «تقرير لجنة برلمانية»)
        elif f in ("من", "عن") and len(rest) > 1:
            rest = rest[1:]
        return " ".join(rest)
    return None


def _drop_folded(word: str, n: int) -> str:
    """``word`` less the characters that fold to its first ``n`` folded ones (and the
    diacritics and tatweel after them): «لِلخلية» less «لل» is «خلية»."""
    return word[normalize(word).start(n):]


@lru_cache(maxsize=2)  # one document's words, asked for by each speaker; no more kept
def _text_words(text: str) -> tuple[tuple[str, str], ...]:
    """(folded, original) words of the text, hashtags split at ``_``, with sentence breaks."""
    out: list[tuple[str, str]] = []
    last = 0
    for tok in tokenize(text):
        if _WORD_BREAK.search(text, last, tok.start):
            out.append(("|", "|"))
        last = tok.end
        norm, orig = tok.norm.lstrip("#"), tok.text.lstrip("#")
        if "_" in norm:
            out.extend(zip(norm.split("_"), orig.split("_")))
        else:
            out.append((norm, orig))
    return tuple(out)


def _expand_org(words: Sequence[tuple[str, str]], name: str) -> str:
    """The longest «head + ال-words» sequence of the text that starts with ``name``."""
    key = [fold(w) for w in name.split()]
    if not key:
        return name
    best = name
    bare0 = _bare(key[0])
    folded = [w for w, _ in words]
    for i, w in enumerate(folded):
        # _bare only strips a prefix: a word not ending in bare0 cannot match (and this
        # check keeps a long text's scan cheap)
        if not w.endswith(bare0) or _bare(w) != bare0 or folded[i + 1:i + len(key)] != key[1:]:
            continue
        j = i + len(key)
        while j < len(folded) and definite(folded[j]) and j - i < 7 \
                and folded[j] not in word_list("time"):
            j += 1
        if j - i > len(best.split()):
            best = " ".join(o for _, o in words[i:j])
    return best


#: First names that start with و, which a sentence-initial conjoined verb (ورفض) does not.
_WAW_NAMES = frozenset(fold(w) for w in (
    "وليد وائل وفاء وسام وسيم وجدي وحيد وديع وهبي ولاء وداد وصفي وهيب وجيه وضاح وليام ويليام وارن "
    "والتر ويلسون وفيق وحيدة وصال وعد وئام وجدان "
    "فلاديمير فاطمة فيصل فهد فريد فؤاد فرانسوا فادي فتحي فايز فراس فرج فاروق فوزي فواز فيروز فرح "
    "فرناندو فيليب فيكتور فرانك فريدريك فالح فاضل فخري فكري فهمي فوزية فايزة فدوى فولكر فابيو "
    "فيديريكا فيرا فانيسا").split())


def _expand_person(words: Sequence[tuple[str, str]], name: str) -> str:
    """«وليامز» → «ديف وليامز» when the text writes a first name before the surname
    after a title, a mark, a hashtag or at a line start."""
    key = [fold(w) for w in name.split()]
    if len(key) != 1:
        return name
    stop = word_list("title", "rank", "time", "not_speaker", "speaker_head") | _LINKS
    folded = [w for w, _ in words]
    for i in range(1, len(folded)):
        if folded[i] != key[0]:
            continue
        first = folded[i - 1]
        if first == "|" or definite(first) or first in stop or cue_form(first) or len(first) < 2 \
                or first.isascii() or first in word_list("headline_stop"):
            continue
        if first in _NOT_SUBJECT or first in _BEFORE_SUBJECT \
                or _DIACRITICS.sub("", words[i - 1][1]) in _COMPLEMENT_WRITTEN | _EMPHASIS_WRITTEN:
            continue  # «وكانت حورية», «أن أحلام»: a particle, not a first name
        if first.isdigit() or first[0] == "ت" and first[-1] == "ت" and len(first) >= 5:
            continue  # «تطرقت نانسي»: a verb of the تفعّلت form before the name, no first name
        prev = folded[i - 2] if i >= 2 else "|"
        if prev == "|" and first[0] in "وف" and len(first) >= 4 and first not in _WAW_NAMES:
            continue  # «ورفض بولتون» opening a sentence: a conjoined verb, not a first name
        if prev == "|" or definite(prev) or prev in word_list("title", "rank"):
            return f"{words[i - 1][1]} {words[i][1]}"
    return name


def canonical_name(text: str, names: Sequence[str]) -> str:
    """The fullest name among a cluster's names, completed from the text when it gives more.

    Example:
        >>> t = "قال العقيد “ديف وليامز” إن الوضع هادئ. وأضاف وليامز أن القوات جاهزة."
        >>> canonical_name(t, ["وليامز"])
        'ديف وليامز'
    """
    words = _text_words(text)
    candidates = []
    # a cluster repeats its names (every «الوزير»): each distinct one is expanded once, or
    # a long document costs mentions x words
    for raw in dict.fromkeys(names):
        name = _clean_name(raw)
        source = _statement_source(name)
        if source:
            name = source
        if _is_common(name):
            name = _expand_org(words, name) if _bare(_head(name)) in {
                _bare(w) for w in word_list("speaker_head")} else name
        else:
            name = _expand_person(words, name)
        candidates.append(name)
    if not candidates:
        return ""
    proper = [c for c in candidates if not _is_common(c)]
    pool = proper or candidates
    return max(pool, key=lambda c: (len(c.split()), -pool.index(c)))


def role_of(text: str, mention: Span) -> str | None:
    """The title or role written next to a named mention (الكولونيل، رئيس شركة سيمنز).

    Example:
        >>> t = "وقال رئيس المحكمة مدحت المحمود إن القرار نهائي"
        >>> role_of(t, Span.of(t, 18, 30, "SPEAKER"))
        'رئيس المحكمة'
    """
    titles = word_list("title", "rank")
    toks = tokenize(text[max(0, mention.start - 120):mention.start])
    offset = max(0, mention.start - 120)
    chunk = []
    for tok in reversed(toks):
        gap = text[offset + tok.end:mention.start if not chunk else chunk[0][0]]
        if any(c in gap for c in "،,.:؛\n") and chunk:
            break
        if any(c in gap for c in "،,.:؛\n") and not chunk and gap.strip(" “”\"«»#") not in ("",):
            break
        if cue_form(tok.norm) is not None:
            break
        chunk.insert(0, (offset + tok.start, offset + tok.end, tok.norm))
        if len(chunk) > 8:
            break
    # the role starts at the first title word of the chunk
    for k, (s, _, norm) in enumerate(chunk):
        if strip_clitic(norm) in titles or norm in titles:
            role = text[s:chunk[-1][1]].strip()
            return _clean_name(role) or None
    after = re.match(r"\s*[،,]\s*([^،,.:\n]{3,80}?)\s*[،,]", text[mention.end:])
    if after:
        words = tokenize(after.group(1))
        if words and (words[0].norm in titles or strip_clitic(words[0].norm) in titles):
            return after.group(1).strip()
    return None


def cluster_mentions(text: str, mentions: Sequence[Span]) -> list[list[Span]]:
    """Groups speaker mentions that name one entity, in order of first mention.

    Rules: equal names; a surname and the full name (وليامز، ديف وليامز); a shorter and a
    longer name of one body (المحكمة الاتحادية، المحكمة الاتحادية العليا); a definite
    description and the latest entity it describes (الوزير after «وزير المالية … فلان»,
    البيان after «بيان للخلية», المسؤول after «مصدر مسؤول …»).

    Example:
        >>> t = "وذكر بيان للخلية أن العمل مستمر. وأضاف البيان أن الدعم متواصل."
        >>> a = Span.of(t, 5, 16, "SPEAKER"); b = Span.of(t, t.index("البيان"), t.index("البيان") + 6, "SPEAKER")
        >>> [[m.text for m in c] for c in cluster_mentions(t, [a, b])]
        [['بيان للخلية', 'البيان']]
    """
    clusters: list[list[Span]] = []
    info: list[dict] = []  # per cluster: keys, heads (for anaphora), last position
    heads_lexicon = word_list("speaker_head", "title", "rank")
    for m in sorted(mentions, key=lambda s: s.start):
        name = _clean_name(m.text)
        source = _statement_source(name)
        key = _key(source or name)
        role = role_of(text, m)
        common = _is_common(name)
        target = None
        if key:
            for ci, c in enumerate(info):
                for other in c["keys"]:
                    if key == other:
                        target = ci
                    elif len(key) < len(other) and other[-len(key):] == key and not c["common"] \
                            and other[-len(key) - 1] not in _LINKS:
                        target = ci
                    elif len(other) < len(key) and key[-len(other):] == other and not c["common"] \
                            and not common and key[-len(other) - 1] not in _LINKS:
                        target = ci
                    elif c["common"] and common and key[0] == other[0] and (
                            key == other[:len(key)] or other == key[:len(other)]):
                        target = ci
            if target is None and common:
                tokens = [t.norm for t in tokenize(name)]
                definite = all(t.startswith("ال") or t.startswith("وال") for t in tokens)
                head = _bare(strip_clitic(tokens[0])) if tokens else ""
                if definite and ("ال" + head in heads_lexicon or head in heads_lexicon):
                    for ci in sorted(range(len(info)), key=lambda i: -info[i]["last"]):
                        if head in info[ci]["heads"]:
                            target = ci
                            break
        heads = {_bare(fold(w)) for w in (source or name).split()} | {_bare(fold(w)) for w in (role or "").split()}
        if name.split() and fold(name.split()[0]).startswith("بيان") or source:
            heads.add("بيان")
        if target is None:
            clusters.append([m])
            info.append({"keys": [key], "heads": heads, "last": m.start,
                         "common": _is_common(source or name)})
        else:
            clusters[target].append(m)
            if key not in info[target]["keys"]:  # repeated keys only slow the next lookups
                info[target]["keys"].append(key)
            info[target]["heads"] |= heads
            info[target]["last"] = m.start
    return clusters


def _speakers(text: str, mentions: Sequence[Span]) -> tuple[list[Speaker], dict[Span, Speaker]]:
    speakers = []
    by_mention: dict[Span, Speaker] = {}
    for n, cluster in enumerate(cluster_mentions(text, mentions), 1):
        name = canonical_name(text, [m.text for m in cluster])
        aliases = []
        for m in cluster:
            for a in (m.text, _clean_name(m.text), _statement_source(_clean_name(m.text))):
                if a and a != name and a not in aliases:
                    aliases.append(a)
        role = next((r for r in (role_of(text, m) for m in cluster) if r), None)
        speaker = Speaker(name or _clean_name(cluster[0].text), tuple(cluster), key=f"S{n}",
                          aliases=tuple([name] + aliases) if name else tuple(aliases), role=role)
        speakers.append(speaker)
        for m in cluster:
            by_mention[m] = speaker
    return speakers, by_mention


# -- link ---------------------------------------------------------------------------------


def link(text: str, spans: Iterable[Span], fallback: Iterable[Span] = ()) -> LinkResult:
    """Links QUOTE, SPEAKER and CUE spans into quotes, speakers and cues.

    Args:
        text: The document text the spans index.
        spans: Spans labelled ``QUOTE``, ``SPEAKER`` and ``CUE`` (others are ignored),
            with no attributes: as decoded from a token classifier or found by rules.
        fallback: SPEAKER spans found another way (the rule engine's, under a model). A
            quote whose cue has no speaker of its own and whose verb agrees with none of
            the earlier speakers («أوضح كاتسي … نفت الخارجية علاقتها، وقالت: «…»») takes the
            agreeing one of these that stands before its cue in the same sentence; it then
            counts as a SPEAKER span like the others. So does the one right after a source
            cue («…»، وفق بيان لقيادة القوات) that has no speaker: such a cue never drops
            its source; and the indefinite document right before a present-tense cue with
            no speaker («رابط مقال يصف منافسه بأنه …», ruling 36), even where an earlier
            speaker agrees: the clause describes the document. Such a document speaks in
            its own sentence only; a pro-drop quote of a later sentence takes it only when
            nobody else spoke before.

    Returns:
        A :class:`LinkResult`.

    Raises:
        AnnotationError: when a span does not match ``text`` at its offsets.

    Example:
        >>> t = "وأوضحوا أن «الخطر قائم ولم ينته بعد»"
        >>> r = link(t, [Span.of(t, 0, 7, "CUE"), Span.of(t, 12, 35, "QUOTE")])
        >>> r.quotes[0].kind, r.quotes[0].cue.text, r.quotes[0].speaker
        ('direct', 'وأوضحوا', None)
    """
    spans = list(spans)
    for s in spans:
        s.check(text)
    fallback = [m for m in (speaker_mention(text, s) for s in fallback if s.label == "SPEAKER")
                if m is not None]
    for m in fallback:
        m.check(text)
    quotes = sorted((s for s in spans if s.label == "QUOTE"), key=lambda s: s.start)
    # what each mention names: no pronoun or preposition phrase (ruling 33), the name
    # alone and not the outlet noun around it (ruling 32)
    named: dict[tuple[int, int], Span] = {}
    for s in spans:
        m = speaker_mention(text, s) if s.label == "SPEAKER" else None
        if m is not None and ((m.start, m.end) not in named or (m.score or 0) > (named[m.start, m.end].score or 0)):
            named[m.start, m.end] = m  # two mentions cut to the same words are one
    mentions = sorted(named.values(), key=lambda s: s.start)
    cues = sorted((s for s in spans if s.label == "CUE"), key=lambda s: s.start)
    speakers, by_mention = _speakers(text, mentions)

    # cue and explicit speaker of each quote
    assigned: list[tuple[Span, Span | None, Speaker | None]] = []
    near = _Near(quotes, mentions, cues)
    for q in quotes:
        w_quotes, w_mentions, w_cues = near(q)
        cue = find_cue(text, q, w_cues, w_quotes)
        mention = _find_speaker(text, q, cue, w_mentions, w_cues, w_quotes)
        assigned.append((q, cue, by_mention.get(mention) if mention is not None else None))

    # a named speaker's gender is what the verb of its own attribution shows (قال/قالت)
    # keyed by identity: hashing a Speaker hashes all its mentions, and a long document's
    # speaker has thousands (the speakers here are the distinct objects made above)
    shown: dict[int, str] = {}
    for q, cue, who in assigned:
        form = cue_form(cue.text) if cue is not None else None
        if who is not None and form is not None and form.gender and form.kind in ("past", "present"):
            shown.setdefault(id(who), form.gender)

    def features(speaker: Speaker, mention: str) -> tuple[str | None, str | None, bool]:
        gender, number, nonhuman = speaker_features(mention)
        if gender is None and id(speaker) in shown:
            gender = shown[id(speaker)]
        return gender, number, nonhuman

    # a document an adjectival clause describes («مقال يصف …») speaks in its own sentence
    # only («تقرير يقول إن …، ويضيف أن …»): a pro-drop verb in a later sentence continues the
    # article's speaker, not the document. Speakers named only so («local») stay out of the
    # history below and are looked up by sentence, so that skipping them costs no walk.
    cue_at = {c.start: c for c in cues}
    described = {m for m in mentions if _describes(text, m, cue_at.get(_SPACE.match(text, m.end).end()))}
    local = {id(by_mention[m]) for m in described} - {id(by_mention[m]) for m in mentions if m not in described}
    local_entries = sorted(((m.end, by_mention[m], m.text) for m in mentions if id(by_mention[m]) in local),
                           key=lambda e: e[0])
    local_keys = [e[0] for e in local_entries]
    ends = [m.start() for m in SENTENCE_END.finditer(text)] if local else []

    # pro-drop: the most recent agreeing speaker before the quote, else the next one.
    # History runs newest first (mentions before earlier quotes at equal positions) and is
    # walked lazily: sorting it anew for every quote made long documents quadratic.
    events: list[tuple[int, Speaker, str]] = [(m.end, by_mention[m], m.text) for m in mentions
                                              if id(by_mention[m]) not in local]
    newest_first = sorted(events, key=lambda e: -e[0])
    newest_keys = [-e[0] for e in newest_first]
    oldest_first = sorted(events, key=lambda e: e[0])
    oldest_keys = [e[0] for e in oldest_first]
    attributed: list[tuple[int, Speaker, str]] = []  # earlier quotes' speakers, newest first
    attributed_keys: list[int] = []
    result: list[Quote] = []
    borrowed: list[Span] = []
    for q, cue, who in assigned:
        if who is None:
            form = cue_form(cue.text) if cue is not None else None
            near: list[tuple[int, Speaker, str]] = []  # local speakers of the quote's sentence
            if local_entries:
                i = bisect.bisect_left(ends, q.start)
                a = bisect.bisect_right(local_keys, ends[i - 1] if i else -1)
                near = local_entries[a:bisect.bisect_right(local_keys, q.start)][::-1]
            history = heapq.merge(newest_first[bisect.bisect_left(newest_keys, -q.start):], attributed, near,
                                  key=lambda e: -e[0])
            first = None
            for entry in history:
                first = first or entry
                if agrees(form, features(entry[1], entry[2])):
                    who = entry[1]
                    break
            if fallback and cue is not None and form is not None:
                found = None
                if form.cls == "source":  # «وفق»/«بحسب» name their source right after them
                    found = _source_after(text, cue, fallback, cues, quotes)
                else:
                    found = _described_document(text, cue, fallback)
                    earlier = first is not None or bool(local_keys) and local_keys[0] <= q.start
                    if found is None and who is None and earlier and form.gender:
                        found = _agreeing_before(text, cue, form, fallback, cues, quotes)
                if found is not None:
                    borrowed.append(found)
            if who is None and first is not None:
                who = first[1]
            if who is None and local_keys and local_keys[0] <= q.start:
                # nobody else spoke before: the document of an earlier sentence is the best guess
                who = local_entries[bisect.bisect_right(local_keys, q.start) - 1][1]
            if who is None:
                k = bisect.bisect_right(oldest_keys, q.end)
                after = oldest_first[k] if k < len(oldest_first) else None
                a = bisect.bisect_right(local_keys, q.end)
                if a < len(local_keys) and (after is None or local_keys[a] < after[0]):
                    j = bisect.bisect_left(ends, q.end)
                    if j == len(ends) or local_keys[a] <= ends[j]:  # in the quote's sentence
                        after = local_entries[a]
                who = after[1] if after is not None else None
        if who is not None:
            entry = (q.end, who, who.name)
            if id(who) in local:
                k = bisect.bisect_right(local_keys, q.end)
                local_entries.insert(k, entry)
                local_keys.insert(k, q.end)
            else:
                k = bisect.bisect_right(attributed_keys, -q.end)
                attributed.insert(k, entry)
                attributed_keys.insert(k, -q.end)
        result.append(Quote(q, quote_kind(text, q), who, cue, q.score))
    if borrowed:
        # linked again with the borrowed mentions as SPEAKER spans: they join (or start)
        # their speaker's cluster and name it as any other mention would
        return link(text, spans + [replace(m, label="SPEAKER") for m in borrowed])
    return LinkResult(tuple(result), tuple(speakers), tuple(cues))


def _overlaps_any(m: Span, spans: Sequence[Span]) -> bool:
    return any(s.start < m.end and m.start < s.end for s in spans)


def _source_after(text: str, cue: Span, candidates: Sequence[Span], cues: Sequence[Span],
                  quotes: Sequence[Span]) -> Span | None:
    """The candidate that follows a source cue («وفق بيان لقيادة القوات») in its sentence."""
    after = [m for m in candidates if m.start >= cue.end and m.start - cue.end <= 40
             and _same_sentence(text, cue.end, m.start)
             and not _between(quotes, cue.end, m.start)
             and not _overlaps_any(m, quotes) and not _overlaps_any(m, cues)
             and not data_or_outlet(fold(m.text.split()[0].lstrip("#")))]  # ruling 3
    return min(after, key=lambda m: m.start) if after else None


_SPACE = re.compile(r"[^\S\n]*")  # (a line break ends the sentence)
_RESUMPTIVE = re.compile(rf"\s*(?:فيه|فيها|خلاله|خلالها)(?![{_LETTER}{_HARAKAT}])")


def _describes(text: str, mention: Span, cue: Span | None) -> bool:
    """True when ``mention`` is an indefinite document noun right before a present-tense
    ``cue`` that agrees with it (ruling 36: «رابط مقال يصف منافس بومبيو بأنه …», «تقرير
    أميركي يقول إن …»): the cue's adjectival clause describes the document, which is its
    subject. The ``[document]`` list holds bare nouns, so «المقال» never matches; nor does a
    cue with a pronoun pointing back to the document («نشر الوزير تغريدة يقول فيها»: ruling
    34, the document is the verb's object)."""
    if cue is None or _SPACE.match(text, mention.end).end() != cue.start or _RESUMPTIVE.match(text, cue.end):
        return False
    form = cue_form(cue.text)
    return form is not None and form.kind == "present" and _head(mention.text) in word_list("document") \
        and agrees(form, speaker_features(mention.text))


def _described_document(text: str, cue: Span, candidates: Sequence[Span]) -> Span | None:
    """The candidate the cue's adjectival clause describes (:func:`_describes`): the quote is
    the document's, not the pro-drop speaker's."""
    return next((m for m in candidates if _describes(text, m, cue)), None)


def _agreeing_before(text: str, cue: Span, form: CueForm, candidates: Sequence[Span],
                     cues: Sequence[Span], quotes: Sequence[Span]) -> Span | None:
    """The nearest candidate before ``cue`` in its sentence that its verb agrees with."""
    before = [m for m in candidates if m.end <= cue.start and cue.start - m.end <= 160
              and _same_sentence(text, m.end, cue.start)
              and not _between(cues, m.end, cue.start)
              and not _between(quotes, m.end, cue.start)
              and not _overlaps_any(m, quotes) and not _overlaps_any(m, cues)
              and speaker_features(m.text)[0] is not None
              and agrees(form, speaker_features(m.text))]
    return max(before, key=lambda m: m.end) if before else None


class _Near:
    """The quotes, mentions and cues close enough to a quote to matter for its cue and
    speaker: :func:`find_cue` and :func:`_find_speaker` look at most this far (400
    characters back to a cue, 160 more to a mention before it, 25 + 80 forward), so
    windowing gives the same answers in time linear in the document."""

    def __init__(self, quotes: Sequence[Span], mentions: Sequence[Span], cues: Sequence[Span]) -> None:
        groups = (quotes, mentions, cues)  # each sorted by start
        self.groups = groups
        self.starts = [[s.start for s in g] for g in groups]
        # a mention or cue counts from its far edge; quotes are measured from the quote
        longest = max((len(s) for g in groups[1:] for s in g), default=0)
        self.back = 400 + 160 + 2 * longest
        self.ahead = 25 + 80 + 40 + 2 * longest

    def __call__(self, quote: Span) -> list[list[Span]]:
        lo, hi = quote.start - self.back, quote.end + self.ahead
        return [list(g[bisect.bisect_left(st, lo):bisect.bisect_right(st, hi)])
                for g, st in zip(self.groups, self.starts)]


def attach_claims(claims: Sequence[NumericClaim], quotes: Sequence[Quote]) -> tuple[NumericClaim, ...]:
    """Sets each claim's ``quote`` and ``claimant`` from the quote that contains it.

    A claim outside every quote is the publication's own voice: its claimant and quote are
    ``None``.

    Example:
        >>> t = "قال الوزير إن 48 هجوماً وقعت"
        >>> s = Speaker("الوزير", (Span.of(t, 4, 10, "SPEAKER"),))
        >>> q = Quote(Span.of(t, 14, len(t), "QUOTE"), "indirect", s)
        >>> c = NumericClaim(Span.of(t, 14, 23, "NUM"), 48.0, "هجوم")
        >>> attach_claims([c], [q])[0].claimant.name
        'الوزير'
    """
    quotes = list(quotes)
    starts = [q.content.start for q in quotes]
    if starts != sorted(starts):  # not in text order: the plain scan
        return tuple(_attach(c, next((q for q in quotes if q.content.contains(c.span)), None))
                     for c in claims)
    # reach[j]: the furthest end among quotes[:j + 1]; the first quote containing a claim is
    # the first one reaching past the claim's end, if it starts before the claim does
    reach = list(itertools.accumulate((q.content.end for q in quotes), max))
    out = []
    for claim in claims:
        j = bisect.bisect_left(reach, claim.span.end)
        inside = quotes[j] if j < bisect.bisect_right(starts, claim.span.start) else None
        out.append(_attach(claim, inside))
    return tuple(out)


def _attach(claim: NumericClaim, quote: Quote | None) -> NumericClaim:
    return replace(claim, quote=quote, claimant=quote.speaker if quote else None)
