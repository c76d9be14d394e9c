"""The rule engine: quote, speaker and cue spans from patterns, then :func:`arquote.link.link`.

The engine finds candidate spans only; attribution (which cue and speaker a quote gets,
pro-drop, canonical names) is decided by the shared linker, so the rules and the model
agree on it by construction. See ``docs/rules.md`` for every pattern with an example.

Example:
    >>> doc = extract("وقال المتحدث “أحمد سالم” إن: «الوضع في المدينة مستقر تماماً».")
    >>> [(q.kind, q.speaker.name, q.cue.text) for q in doc.quotes]
    [('direct', 'أحمد سالم', 'وقال')]
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from ..cues import (COMPLEMENTIZERS, CueForm, Token, cue_lexicon, data_or_outlet, definite, strip_clitic, tokenize,
                    word_list)
from ..document import Document, Span
from ..extractor import Extractor, check_text
from ..link import attach_claims, link, pair_same_marks, sentence_end
from ..normalize import INVISIBLE, fold

__all__ = ["RuleExtractor", "extract", "find_spans", "mark_pairs", "Candidates"]

_F = lambda words: frozenset(fold(w) for w in words.split())  # noqa: E731

#: A word right before a complementizer that makes it a non-reporting أن (بعد أن، يجب أن).
_BLOCK_BEFORE_COMP = _F(
    "بعد قبل منذ يجب يمكن لابد بد إلا غير رغم برغم كما حيث بما لو مجرد دون حتى ريثما "
    "المتوقع المرجح المقرر المنتظر يبدو ينبغي يتعين عليه يريد تريد أراد أرادت يحاول تحاول "
    "يذكر يشار الجدير بالذكر والجدير يعني تعني معناه لاسيما سيما ولو مع وبما ذلك هو هي "
    "مثل شأنه شأنها المعروف المعلوم الواضح الطبيعي الممكن المفترض يفترض الضروري لأجل أجل "
    "كي لكي لكن ولكن إذ إذا لما فقط كيف حين وقت الوقت لدرجة درجة بدل بدلا علما بحيث "
    "يعتقد_never")
#: Words that may stand between a cue and its complementizer as a preposition (أشار إلى أن).
_COMP_PREPS = _F("إلى على من عن في")
#: Connectors dropped at the start of a speaker phrase found before its cue.
_CONNECTORS = _F("و لكن ولكن كما فيما بينما وقد قد فقد ثم إذ حيث وكان كان وكانت كانت أما "
                 "غير أن إن بل ولفت لذلك كذلك أيضا")
_LINKS = _F("في من إلى على عن مع ب ل و أو حول ضد عبر تجاه لدى")
_REL = _F("الذي التي الذين اللذان اللتان اللواتي اللاتي ممن ما")
#: Words that are never part of a name (pronoun-suffixed prepositions, demonstratives …).
_NOT_NAME = _F("فيه فيها فيهم له لها لهم منه منها عنه عنها عليه عليها إليه إليها به بها معه "
               "معها هذه هذا ذلك تلك هؤلاء باسم نيابة بشأن ضمن لدى بين حول أمام وراء مثل كل "
               "جميع بعض قد وقد لقد كان كانت يكون تكون ليس ليست أكثر أقل نحو حوالي و أو ثم "
               "لكنه لكنها لكنهم ولكنه ولكنها ولكنهم")
#: «لكنه أضاف أن …»: the pronoun is the subject, the speaker was named before (pro-drop).
_PRONOUN_LINKS = _F("لكنه لكنها لكنهم ولكنه ولكنها ولكنهم")
#: Heads after which a proper name may follow a definite chain (وكالة التصنيف … ستاندرد آند بورز).
_ORG_NAME_HEADS = _F("وكالة شركة منظمة صحيفة موقع قناة جماعة حركة مؤسسة مجموعة فرقة نادي حزب "
                     "ائتلاف تحالف جمعية الوكالة الشركة المنظمة الصحيفة الجماعة الحركة المؤسسة")
#: Nouns before quotation marks that make the marked words a name or a title.
_TITLE_NOUNS = _F("صحيفة مجلة موقع قناة برنامج فيلم كتاب مسلسل أغنية اسم عنوان شعار بعنوان "
                  "تحت وسم هاشتاغ حملة عملية مبادرة مشروع مؤتمر منتدى مهرجان ألبوم رواية "
                  "مع لصحيفة لمجلة لموقع لقناة لبرنامج وكالة لوكالة باسم")
_NAME_GLUE = _F("الله الدين الرحمن الرحيم العزيز الحق ابن بن بنت أبو ابو أبي ابي آل ال عبد عبد")
_CLAUSE_END = _F("أي لكن لكنه لكنها لكنهم ولكن غير مشيرا بينما فيما في_محاولة")
# sentence ends: :func:`arquote.link.sentence_end`, shared with the linker so both agree on
# an ellipsis («وقال الوزير... إن» goes on) and an abbreviation («د. أحمد»)
_OPENERS = "«“\"”„″'‘’"
_MARK_CHARS = re.compile("[«»“”„″\"‘’'\n]")
_STRAIGHT = "\"'"


_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def _blank(ch: str) -> bool:
    """Whitespace or an invisible format character (RLM, LRM, ALM, ZWJ, ZWNJ, BOM …): a
    quote span never starts or ends on one."""
    return ch.isspace() or ch in INVISIBLE


@dataclass(frozen=True)
class Candidates:
    """The spans the patterns found, before linking (useful for debugging a rule)."""

    quotes: tuple[Span, ...]
    speakers: tuple[Span, ...]
    cues: tuple[Span, ...]


# -- quotation marks -----------------------------------------------------------------------


def mark_pairs(text: str) -> list[tuple[int, int]]:
    """Outermost quotation-mark pairs ``(open, close)`` (indices of the marks).

    «» nest; curly “” (also reversed ”…“ and ”…”) and straight "…" marks pair within a
    paragraph by what touches each one (:func:`arquote.link.pair_same_marks`: a title quoted
    inside a quote nests, marks glued the other way round pair too); single ‘…’/'…' pair in
    order. A pair inside another is dropped (only the outermost quote is annotated); of two
    crossing pairs the earlier is kept.

    Example:
        >>> t = 'قال: «نرفض “الاحتلال” تماماً» ثم "انتهى"'
        >>> [(t[a], t[b]) for a, b in mark_pairs(t)]
        [('«', '»'), ('"', '"')]
    """
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    families: dict[str, list[int]] = {"curly": [], "straight": [], "single": []}
    first = True

    def pair_paragraph() -> None:
        for fam in ("curly", "straight"):
            partners = pair_same_marks(text, families[fam], first)
            pairs.extend((a, b) for a, b in partners.items() if a < b)
        single = families["single"]
        pairs.extend(zip(single[::2], single[1::2]))

    for m in _MARK_CHARS.finditer(text):
        i, ch = m.start(), m.group()
        if ch == "\n":  # marks pair within a paragraph
            pair_paragraph()
            stack.clear()
            families = {fam: [] for fam in families}
            first = False
            continue
        if ch == "«":
            stack.append(i)
            continue
        if ch == "»":
            if stack:
                pairs.append((stack.pop(), i))
            continue
        if ch in "“”„″":
            fam = "curly"
        elif ch == '"':
            fam = "straight"
        else:
            prev = text[i - 1] if i else " "
            nxt = text[i + 1] if i + 1 < len(text) else " "
            # an apostrophe inside a Latin word is not a mark
            if prev.isascii() and prev.isalpha() and nxt.isascii() and nxt.isalpha():
                continue
            fam = "single"
        families[fam].append(i)
    pair_paragraph()
    pairs.sort(key=lambda p: (p[0], -p[1]))
    kept: list[tuple[int, int]] = []
    for a, b in pairs:
        if b - a < 2:
            continue
        # No mark is in two pairs, so the kept pairs are disjoint and sorted: a pair inside
        # or crossing a kept one is exactly one that opens before the last kept one closes.
        # (Testing every kept pair made a text with thousands of marks quadratic.)
        if kept and a < kept[-1][1]:
            continue
        kept.append((a, b))
    return kept


# -- the document view ------------------------------------------------------------------------


#: Stands for a written hamza alef before «ل» in a folded word: «إلهام» → «ٵلهام», no «ال».
_HAMZA_ALEF = "\u0675"


#: First names that open with «إل»/«أل», as written without the hamza («الهام شاهين»,
#: «الياس الفخفاخ»): read as names, not the article, when a name follows them.
_BARE_ALEF_NAMES = _F("الهام الياس الفت اليسا اليسار الكسندر البرت الفريد اليزابيث اليكس "
                      "الكسي البيرتو الفونسو اليكسي")


def _hamza_alef(tok: Token) -> str:
    """The token's folded form, keeping a written hamza on an initial «أل»/«إل» as no article.

    Folding writes «إلهام», «ألكسندر» and «إلياس» as «الهام», «الكسندر», «الياس», which
    read as the article and a noun; with the hamza written they are names. Words of the
    lexicons keep their folded form («ألقى», «إلى»), so every lookup still finds them.
    """
    n = tok.norm
    body = n[1:] if n[:1] in ("و", "ف") and tok.text[:1] in ("و", "ف") else n
    raw = tok.text[len(n) - len(body):]
    if not definite(body) or raw[:1] not in ("أ", "إ") or body in _known_words() \
            or cue_lexicon().get(body) is not None or _adjective(body):
        return n  # (a nisba is an adjective with a misplaced hamza: «ألمعلوماتي»)
    return n[:len(n) - len(body)] + _HAMZA_ALEF + body[1:]


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    sections = ("title", "rank", "speaker_head", "plural", "broken_plural_nonhuman", "dual", "masculine",
                "outlet", "data_source", "pronoun_source", "time", "adverbial", "not_speaker", "headline_stop")
    return _name_stops() | word_list(*sections) | _ISSUING | _NOT_NAME | _TITLE_NOUNS


class _View:
    """Tokens of one text with the lookups the patterns need."""

    def __init__(self, text: str):
        self.text = text
        self.toks: list[Token] = tokenize(text)
        self.starts = [t.start for t in self.toks]
        self.norms = [_hamza_alef(t) for t in self.toks]
        for k in range(len(self.toks) - 1):
            # «الممثلة الهام شاهين»: a first name written without its hamza, before a surname
            nxt = self.norms[k + 1]
            if self.norms[k] in _BARE_ALEF_NAMES and (_namey(nxt) or definite(nxt) and not _adjective(nxt)
                                                      and nxt not in _known_words()) \
                    and not self.text[self.toks[k].end:self.toks[k + 1].start].strip():
                self.norms[k] = _HAMZA_ALEF + self.norms[k][1:]
        lex = cue_lexicon()
        self.cue: list[CueForm | None] = [lex.get(n) for n in self.norms]
        self.pairs = mark_pairs(text)
        self.pair_starts = [a for a, _ in self.pairs]  # sorted: pairs are disjoint, in order
        self.pair_at_open = {a: b for a, b in self.pairs}
        self.inside = [False] * len(self.toks)  # token inside an outermost mark pair
        for a, b in self.pairs:
            for k in range(self.index_at(a), len(self.toks)):
                if self.toks[k].start >= b:
                    break
                self.inside[k] = True

    def pairs_opening(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The mark pairs whose opening mark is at ``lo <= index < hi``, in order."""
        return self.pairs[bisect.bisect_left(self.pair_starts, lo):bisect.bisect_left(self.pair_starts, hi)]

    def index_at(self, pos: int) -> int:
        """Index of the first token starting at or after ``pos``."""
        return bisect.bisect_left(self.starts, pos)

    def gap(self, i: int, j: int) -> str:
        """Text between token ``i`` and token ``j`` (``j`` may be ``len(toks)``)."""
        start = self.toks[i].end if i >= 0 else 0
        end = self.toks[j].start if j < len(self.toks) else len(self.text)
        return self.text[start:end]

    def sentence_break(self, start: int, end: int) -> bool:
        return sentence_end(self.text, start, end) is not None

    def is_comp(self, i: int) -> bool:
        return self.norms[i] in COMPLEMENTIZERS

    def strong_cue(self, i: int) -> CueForm | None:
        """The cue at token ``i`` when it can introduce a quote here."""
        form = self.cue[i]
        if form is None or form.cls == "source":
            return None
        prev = self.norms[i - 1] if i else ""
        if prev in _REL:  # «الذي أعلن …», «ما قاله»: a relative clause, not an attribution
            return None
        if prev == "عدم":  # «فضّل عدم كشف هويته»: a negated verbal noun, not a verb
            return None
        if self.norms[i] in ("يذكر", "يشار"):
            return None
        if form.weak:
            # a bare homograph (بين، ذكر): only right before a complementizer, colon or mark
            # the subject (a titled name) may stand between: «رأى زعيم الحزب فلان أن»
            for k in range(i + 1, min(i + 11, len(self.toks))):
                g = self.gap(k - 1, k)
                if self.sentence_break(self.toks[k - 1].end, self.toks[k].start) \
                        or self.cue[k] is not None and k > i + 1 \
                        or k > i + 3 and ("،" in g or "," in g):
                    break
                if self.is_comp(k):
                    return form
                g = self.gap(k - 1, k)
                if ":" in g or any(c in g for c in _OPENERS):
                    return form
            g = self.gap(i, i + 1) if i + 1 <= len(self.toks) else ""
            if ":" in g:
                return form
            return None
        return form


# -- speaker phrases ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _name_stops() -> frozenset[str]:
    return word_list("title", "rank", "time", "speaker_head", "not_speaker", "adverbial") \
        | _LINKS | COMPLEMENTIZERS


@lru_cache(maxsize=65536)
def _namey(norm: str) -> bool:
    n = norm.lstrip("#")
    if not n or n[0].isdigit() or n in _NOT_NAME or n.isascii():
        return False  # Latin tokens are handles, links and codes (RT، https), not names
    if n in _NAME_GLUE:
        return True
    if n.startswith(("وال", "بال", "لل", "فال")) and len(n) > 4:
        return False  # a conjoined or prefixed definite noun (والشؤون، بالمنطقة), not a name
    if n.endswith(("ها", "هم", "هما", "كم")) and len(n) > 4:
        return False  # a pronoun suffix: a noun, not a name
    lex = _name_stops()
    acc = n[:-1] if n.endswith("ا") and len(n) > 3 else n  # accusative tanwin: بيانا، عددا
    if n.endswith("ه") and (n[:-1] in lex or "ال" + n[:-1] in lex):
        return False  # a feminine title: ممثلة، مديرة
    return not n.startswith("ال") and n not in lex and strip_clitic(n) not in lex \
        and acc not in lex and cue_lexicon().get(n) is None and len(n) >= 2


def _addressee(v: _View, k: int) -> bool:
    """Token ``k`` starts «لـ"العربي الجديد"», «للجزيرة», «لصحيفة …», «للصحافيين»."""
    n = v.norms[k]
    if not n.startswith("ل") or n.startswith("لل") and n[2:] in ("غايه",):
        return False
    gap = v.gap(k, k + 1) if k + 1 < len(v.toks) else ""
    if n == "ل" or any(c in gap[:3] for c in _OPENERS):
        return True
    rest = n[1:]
    outlets = word_list("outlet")
    return rest in outlets or ("ال" + rest[1:] if rest.startswith("ل") else rest) in outlets \
        or (rest.startswith("ل") and "ال" + rest[1:] in outlets)


_YEAR_TAILS = _F("الماضي المقبل الحالي الجاري القادم المنصرم السابق الفائت الراهن المنقضي")


def _general(v: _View, k: int, phrase_start: int) -> bool:
    """«العام» inside a speaker phrase is «general» (الكاتب العام، المدير العام للأمن العام),
    not «the year», which a time word or a number follows (…العام الماضي، العام 2015)."""
    if v.norms[k] not in ("العام", "العامه") or k <= phrase_start:
        return False
    nxt = v.norms[k + 1] if k + 1 < len(v.toks) else ""
    return not (nxt in _YEAR_TAILS or nxt[:1].isdigit())


def _stop(v: _View, k: int, phrase_start: int) -> bool:
    n = v.norms[k]
    if n in word_list("time") and not _general(v, k, phrase_start) or v.is_comp(k) \
            or v.cue[k] is not None and k > phrase_start:
        return True
    if n in ("في", "خلال", "عبر", "ب", "علي", "الي", "عن") and k + 1 < len(v.toks):
        nxt = strip_clitic(v.norms[k + 1])
        if nxt in word_list("adverbial") or _bare_word(nxt) in word_list("adverbial") \
                or nxt in word_list("time"):
            return True
    if n == "في" and k + 1 < len(v.toks) and v.norms[k + 1].endswith(("ه", "ها", "هم")) \
            and not v.norms[k + 1].startswith("ال") and len(v.norms[k + 1]) > 3:
        return True  # «في كلمته»، «في قرارها»
    if n.startswith("ب") and (n[1:] in word_list("adverbial") or n[1:] in ("تصريح", "تصريحات")):
        return True
    if n in ("علي", "الي", "عن", "حول", "ضد", "مع", "بشان", "امام"):
        return True
    if n in _REL or _anonymity_clause(v, k):
        return True
    return _addressee(v, k)


def _bare_word(n: str) -> str:
    for a in ("ال", "لل", "بال"):
        if n.startswith(a) and len(n) > len(a) + 1:
            return n[len(a):]
    return n


def _name_slot(v: _View, k: int, lo: int) -> bool:
    """A name may start at token ``k``: chunk start, after a title, an adjective or a connector."""
    if k <= lo:
        return True
    prev = v.norms[k - 1]
    titles = word_list("title", "rank")
    return prev in titles or strip_clitic(prev) in titles or definite(prev) \
        or prev in _CONNECTORS or v.cue[k - 1] is not None \
        or prev in _ORG_NAME_HEADS or strip_clitic(prev) in _ORG_NAME_HEADS or prev == "باسم"


def _marked_name(v: _View, lo: int, hi: int) -> tuple[int, int] | None:
    """A name in quotation marks or a ``#name_with_underscores`` inside tokens [lo, hi)."""
    for k in range(lo, hi):
        n = v.norms[k]
        if n.startswith("#") and "_" in n and not n[1:].startswith("ال") and _name_slot(v, k, lo):
            return v.toks[k].start + 1, v.toks[k].end
    # only pairs opening before the last token of the range can hold one of its tokens; a
    # mark right before the first token counts (ruling 37: «بيّنت "بن هنية" ضيفة …», the
    # chunk starts inside the marks), but not after a complementizer («أن "شكلها" هو …»)
    first = (v.toks[lo - 1].end if 0 < lo < len(v.toks) and not v.is_comp(lo - 1)
             else v.toks[lo].start if lo < len(v.toks) else len(v.text))
    for a, b in v.pairs_opening(first, v.toks[hi - 1].start if lo < hi <= len(v.toks) else -1):
        if lo < len(v.toks) and first <= a and (hi >= len(v.toks) or b < v.toks[hi].start
                                                or b <= v.toks[hi - 1].end):
            inner = [k for k in range(lo, hi) if a < v.toks[k].start and v.toks[k].end <= b]
            # marks vouch for a name: only a complementizer or a cue word rules it out
            # up to four words, six after «باسم» or «صحيفة» (a long organization name)
            most = 6 if inner and inner[0] > 0 and v.norms[inner[0] - 1] in _TITLE_NOUNS else 4
            if 1 <= len(inner) <= most and not any(v.is_comp(k) or v.cue[k] is not None for k in inner):
                if not v.norms[inner[0]].startswith("ال") and _name_slot(v, inner[0], lo):
                    return v.toks[inner[0]].start, v.toks[inner[-1]].end
    return None


# «مصدر أمني، فضّل عدم الكشف عن هويته، إن …»: the clause that keeps a source anonymous
# describes the source; it is neither the source nor (كشف) a cue
_ANON_VERBS = _F("فضل فضلت فضلوا طلب طلبت طلبوا رفض رفضت رفضوا اشترط اشترطت اشترطوا مفضلا مفضلة طالبا")
_ANON_OBJECTS = _F("عدم الكشف كشف ذكر نشر الإفصاح الإشارة إعلان الإعلان")


def _anonymity_clause(v: _View, k: int) -> bool:
    """Token ``k`` opens «فضّل عدم الكشف عن اسمه», «طلب عدم ذكر اسمه», «رفض الكشف عن هويته»."""
    return v.norms[k] in _ANON_VERBS and k + 1 < len(v.toks) and v.norms[k + 1] in _ANON_OBJECTS


_SPOKES = _F("المتحدث متحدث الناطق ناطق المتحدثة متحدثة الناطقة ناطقة")
_GENERIC_ADJ = _F("الحكومية الرسمية الحكومي الرسمي")


def _chunk_speaker(v: _View, lo: int, hi: int) -> tuple[tuple[int, int] | None, bool]:
    """The speaker span inside one comma-free chunk [lo, hi) and whether it is a name."""
    while lo < hi and (v.norms[lo] in _CONNECTORS or v.is_comp(lo) or v.norms[lo] in word_list("time")
                       or _verb_like(v, lo, hi)):
        lo += 1
    if lo >= hi or _anonymity_clause(v, lo):
        return None, False
    marked = _marked_name(v, lo, hi)
    if marked:
        return marked, True
    titles = word_list("title", "rank")
    heads = word_list("speaker_head")
    k = lo
    first = strip_clitic(v.norms[k]) if v.norms[k].startswith("وال") else v.norms[k]
    first = first.lstrip("#")
    acc = first[:-1] if first.endswith("ا") and len(first) > 3 else first
    if first in _SPOKES and k + 2 < hi and v.norms[k + 1] == "باسم":
        # «متحدث باسم حكومة باراغواي»: the body the spokesperson speaks for
        span, _ = _chunk_speaker(v, k + 2, hi)
        return span, False
    if first in word_list("data_source") and k + 1 < hi and not v.inside[k + 1]:
        # ruling 44: «وأفادت بيانات وزارة الصناعة بأن …»: a body's data speak for the body
        nxt = v.norms[k + 1]
        if nxt in word_list("speaker_head", "title") or _bare_word(nxt) in word_list("speaker_head"):
            span, named = _chunk_speaker(v, k + 1, hi)
            if span is not None:
                return span, named
    is_title = first in titles
    if _abbreviated_title(v, k, hi):
        return _name_from(v, k + 1, hi), True  # «د. أحمد سالم», «م. خالد», «د. الزهراني»
    if is_title or first in heads or acc in heads or definite(first):
        name_ok = is_title or first in _ORG_NAME_HEADS
        saw_definite = False
        j = k
        while j < hi and not _stop(v, j, lo):
            n = v.norms[j].lstrip("#")
            if j > k and _abbreviated_title(v, j, hi):
                return _name_from(v, j + 1, hi), True  # «الناقد السعودي د. عبد الله الغذامي»
            if j > k and n in word_list("rank") and j + 1 < hi and _namey(v.norms[j + 1]):
                return _name_from(v, j + 1, hi), True
            if j > k and name_ok and saw_definite and _namey(n) and v.norms[j - 1] not in _LINKS \
                    and not n.startswith(("ل", "ب")):
                # «الناطق الإعلامي لشرطة منطقة القصيم الرائد بدر السحيباني»: a place before a
                # rank and its name is not the name
                ranked = next((r for r in range(j + 1, min(hi - 1, j + 6))
                               if v.norms[r] in word_list("rank") and _namey(v.norms[r + 1])
                               and not any(_stop(v, x, lo) for x in range(j + 1, r + 1))), None)
                return _name_from(v, ranked + 1 if ranked is not None else j, hi), True
            if j > k and not name_ok and saw_definite and not definite(n) \
                    and v.norms[j - 1] not in _LINKS and n not in _LINKS and not n.startswith(("ب", "ل")) \
                    and not (n.startswith("و") and not n[1:] in heads) \
                    and not (v.norms[j - 1].startswith(("ب", "ل")) and not v.norms[j - 1].startswith(("بال", "لل"))):
                break  # «السلطات الأمنية العراقية حصيلة …»: the object starts
            if j > k and n.startswith("و") and n[1:] in heads:
                break  # «حكومة باراغواي ووزارة الخارجية»: keep the first body
            if j > k and is_title and definite(first) and definite(n) and definite(v.norms[j - 1]) \
                    and not _adjective(n):
                # (an indefinite title heads a genitive chain: «زعيم اليمين الحاكم في …»)
                break  # «أكد الوزير الاتفاق»: a definite noun after a definite title is the object
            if definite(n) or n.startswith("لل") or n.startswith("بال"):
                saw_definite = True
            j += 1
        end = j
        while end > k and (v.norms[end - 1] in _LINKS or v.norms[end - 1] in _GENERIC_ADJ):
            end -= 1
        if end - k > 12:
            end = k + 12
        return ((v.toks[k].start, v.toks[end - 1].end) if end > k else None), False
    if _namey(v.norms[k]):
        return _name_from(v, k, hi), True
    return None, False


def _abbreviated_title(v: _View, k: int, hi: int) -> bool:
    """Token ``k`` is a one-letter title with its dot («د.», «م.», «أ.») before a name."""
    if len(v.norms[k]) != 1 or v.text[v.toks[k].end:v.toks[k].end + 1] != "." or k + 1 >= hi:
        return False
    nxt = v.norms[k + 1]
    return _namey(nxt) or definite(nxt) and nxt not in word_list("title", "rank", "speaker_head") \
        and not _stop(v, k + 1, k + 1)


_ADJ_WORDS = _F("العام العامة الأول الأولى السابق السابقة الأعلى الأسبق المساعد المساعدة المكلف "
                "الجديد الجديدة الحالي الحالية التنفيذي التنفيذية الدائم الدائمة الخاص الخاصة "
                "الأعلى الأكبر الأصغر الرفيع الرفيعة المتحدة")


def _adjective(n: str) -> bool:
    """A definite word that can modify a title: a nisba (الروسي، الأمريكية) or a common adjective."""
    return n.endswith(("ي", "يه", "يين", "يون", "يان")) or n in _ADJ_WORDS


def _verb_like(v: _View, k: int, hi: int) -> bool:
    """«وأصدرت جماعة …»: a conjoined verb opening a chunk, before its subject."""
    n = v.norms[k]
    if not n.startswith("و") or k + 1 >= hi or len(n) < 4:
        return False
    body = n[1:]
    nxt = v.norms[k + 1]
    titles = word_list("title", "rank", "speaker_head")
    return (body.endswith("ت") or body[0] in "يت" and len(body) >= 4) and (
        definite(nxt) or _namey(nxt) or nxt in titles
        or nxt.endswith("ه") and nxt[:-1] in titles)  # «ونعت وزيرة الثقافة»


def _name_from(v: _View, k: int, hi: int) -> tuple[int, int]:
    j = k + 1
    lex = word_list("title", "rank", "speaker_head")
    while j < hi and j - k < 4 and not _stop(v, j, k):
        n = v.norms[j]
        if _namey(n):
            j += 1
            continue
        if n in _NAME_GLUE:
            j += 1
            continue
        if definite(n) and n not in lex and v.norms[j - 1] in _NAME_GLUE \
                and v.norms[j - 1] not in ("ال",):
            j += 1  # «عبد الصمد», «أبو الفضل»: the glue word takes a definite second part
            continue
        # past the second word, no lexicon word, and no nationality unless a glue word shows a
        # person's name («حسين حسان الغمري», «عبدالله بن عبدالمحسن التركي»; not «ريال مدريد
        # الإسباني», «شبكة فوكس نيوز الأمريكية»)
        later = n not in _known_words() and n not in _ADJ_WORDS and _bare_word(n) not in _known_words() \
            and (not _nationality(n) or any(v.norms[x] in _NAME_GLUE for x in range(k, j)))
        if definite(n) and n not in lex and (j == k + 1 or later):
            # an «ال» surname (مدحت المحمود، العميد حسين حسان الغمري) only when the phrase
            # ends right after it, or a role follows (ثابت السليماني رئيس اللجنة)
            nxt_end = j + 1 >= hi or v.is_comp(j + 1) or v.cue[j + 1] is not None \
                or v.norms[j + 1] in word_list("time") or _addressee(v, j + 1) \
                or v.norms[j + 1] in word_list("title", "rank")
            if nxt_end and j > k + 1 and j + 1 < len(v.norms) and v.norms[j + 1].startswith("ب") \
                    and not n.endswith(("ي", "يه")):
                # «يصف الكاتب أحمد سالم الوضع بأنه …»: the verb's object, then بأن (a nisba
                # surname stays: «وأفاد عماد منسي الزهراني بأن …»)
                nxt_end = False
            if nxt_end:
                j += 1
        break
    return v.toks[k].start, v.toks[j - 1].end


#: Nationality adjectives (folded, masculine) that follow a body's name: «ريال مدريد الإسباني».
_NATIONALITIES = _F(
    "الامريكي الاميركي البريطاني الفرنسي الالماني الروسي الصيني الياباني الهندي الايطالي الاسباني "
    "البرتغالي الهولندي البلجيكي السويسري السويدي النرويجي الدنماركي الفنلندي النمساوي اليوناني "
    "البولندي الاوكراني الكندي الاسترالي البرازيلي الارجنتيني المكسيكي الكوري الباكستاني الافغاني "
    "الايراني التركي الاسرائيلي العراقي السوري اللبناني الاردني الفلسطيني المصري السعودي الاماراتي "
    "القطري الكويتي البحريني العماني اليمني الليبي التونسي الجزائري المغربي الموريتاني السوداني "
    "الاثيوبي النيجيري الاسكتلندي الايرلندي الكاتالوني الكتالوني")  # (not العالمية: «منظمة الصحة العالمية»)


def _nationality(n: str) -> bool:
    """A folded definite word that is a nationality adjective, either gender (الأمريكية)."""
    return n in _NATIONALITIES or n.endswith("يه") and n[:-1] in _NATIONALITIES


def _chunks(v: _View, lo: int, hi: int) -> list[tuple[int, int]]:
    out = []
    start = lo
    for k in range(lo + 1, hi + 1):
        if k == hi or any(c in v.gap(k - 1, k) for c in "،,:;؛()"):
            if k > start:
                out.append((start, k))
            start = k
    return out


def _speaker_after(v: _View, cue_i: int, end_i: int) -> tuple[int, int] | None:
    """The source between a cue and its quote.

    A titled name («…، العقيد #واين_ماروتو») beats a plain name, which beats a describing
    phrase of the first chunk.
    """
    lo = cue_i + 1
    if lo < end_i and v.norms[lo] == "في" and v.cue[cue_i] and v.cue[cue_i].lemma == "جاء":
        lo += 1  # «وجاء في بيان المنظمة أن»
    if lo < end_i and v.norms[lo] in ("عن",) and v.cue[cue_i] and v.cue[cue_i].cls == "relay":
        lo += 1  # «نقلاً عن مسؤولين …»
    if v.cue[cue_i] and v.cue[cue_i].lemma == "نقل":
        # ruling 4: «نقلت الوكالة عن مسؤول أن …»: the source follows «عن», not the outlet
        about = next((k for k in range(lo, min(end_i, lo + 8)) if v.norms[k] == "عن" and not v.inside[k]), None)
        sp = _source_in(v, about + 1, end_i) if about is not None and about + 1 < end_i else None
        if sp is not None:
            return sp
    titles = word_list("title", "rank")
    best = named_first = None
    for n, (a, b) in enumerate(_chunks(v, lo, end_i)[:3]):
        if n == 0 and _stop(v, a, a):
            # «قال لـ"العربي الجديد" …»: an addressee or adverbial first, look on
            a = _skip_adverbial(v, a, b)
        span, named = _chunk_speaker(v, a, b)
        if span and named:
            k = v.index_at(span[0])
            titled = k > a and (v.norms[k - 1] in titles or definite(v.norms[k - 1]))
            if titled or v.text[span[0] - 1:span[0]] in "#“\"«":
                return span
            named_first = named_first or span
        if span and best is None and n == 0:
            best = span
    return named_first or best


def _source_for(v: _View, cue_i: int, end_i: int) -> tuple[int, int] | None:
    """The source phrase of the cue at ``cue_i`` whose quote starts at token ``end_i``."""
    form = v.cue[cue_i]
    if form.kind == "participle":
        # «…، مؤكداً أن»: a participle has no subject of its own; the main verb's is it
        return _main_subject(v, cue_i)
    document, sp = _document_source(v, cue_i)
    if document:
        return sp
    document, sp = _describing_document(v, cue_i) if form.kind == "present" else (False, None)
    if document:
        return sp
    sp = _speaker_after(v, cue_i, end_i) if cue_i + 1 < end_i else None
    if sp is None and form.cls == "relay":
        sp = _relayed_source(v, cue_i)  # ruling 4: «نقلت الوكالة عن X قوله إن …»
    if sp is None and (form.cls == "relay" or form.kind in ("past", "present")
                       and not _conj(v, cue_i)):
        sp = _speaker_before(v, cue_i)
    if sp is None and _conj(v, cue_i):
        sp = _main_subject(v, cue_i)  # «نفت الخارجية علاقتها بالهجوم، وقالت: …»
    return sp


#: «… بيانا قالت فيه إن …»: a pronoun after the cue that points back to a document noun.
_RESUMPTIVE = _F("فيه فيها خلاله خلالها")
#: Documents a cue's relative clause describes; the source issued them.
_DOCUMENTS = word_list("document")
#: Verbs that issue a document («أصدرت الحركة بيانا»): their subject is the source.
_ISSUING = _F("أصدر أصدرت أصدروا نشر نشرت نشروا ألقى ألقت ألقوا وجه وجهت وجهوا بث بثت بثوا "
              "أرسل أرسلت أرسلوا كتب كتبت كتبوا وزع وزعت وزعوا أطلق أطلقت أطلقوا قدم قدمت")


def _document_source(v: _View, cue_i: int) -> tuple[bool, tuple[int, int] | None]:
    """«وأصدرت جماعة زنكي، التي …، بيانا قالت فيه إنها …»: the cue opens a relative clause
    on a document noun (فيه points back to it), so the document is the verb's object, not
    its subject; the source is the subject of the verb that issued it (أصدر، نشر، ألقى …),
    or of the sentence («ونعت الوزيرة الراحل عبر بيان أكدت فيه …»).

    Returns whether the cue is such a clause, and the source span (``None`` when the
    issuing verb is conjoined with no subject of its own, «…، وأصدرت بيانا قالت فيه»: the
    linker then gives the quote the speaker named before).
    """
    if cue_i + 1 >= len(v.toks) or v.norms[cue_i + 1] not in _RESUMPTIVE:
        return False, None
    doc = next((k for k in range(cue_i - 1, max(-1, cue_i - 3), -1)
                if _bare_word(v.norms[k]) in _DOCUMENTS or _bare_word(v.norms[k]).rstrip("ا") in _DOCUMENTS),
               None)
    if doc is None:
        return False, None
    return _issuer(v, doc)


def _issuer(v: _View, doc: int) -> tuple[bool, tuple[int, int] | None]:
    """The source of the document noun at ``doc``: the subject of the verb that issued it,
    else of the sentence (``None``: a conjoined issuing verb with no subject of its own)."""
    lo = doc
    while lo > 0 and doc - lo < 30 and not v.sentence_break(v.toks[lo - 1].end, v.toks[lo].start):
        lo -= 1
    issuing = next((k for k in range(doc - 1, lo - 1, -1) if v.norms[k] in _ISSUING
                    or v.norms[k][:1] in ("و", "ف") and v.norms[k][1:] in _ISSUING), None)
    if issuing is None:
        a, b = lo, doc
    else:
        sp = _source_in(v, issuing + 1, doc) if issuing + 1 < doc else None
        if sp is not None:
            return True, sp  # verb first: «أصدرت قبائل صعدة، الأربعاء، بياناً»
        if v.norms[issuing][:1] in ("و", "ف"):
            return True, None  # «أعلنت الحكومة …، وأصدرت بيانا قالت فيه»: the earlier subject
        a, b = lo, issuing  # subject first: «وكانت الوزارة قد نشرت بيانا»
    return True, (_source_in(v, a, b) if a < b else None)


def _describing_document(v: _View, cue_i: int) -> tuple[bool, tuple[int, int] | None]:
    """Ruling 36: «نشر رابط مقال يصف منافسه بأنه …», «تقرير أميركي يقول إن …»: a present-tense
    cue right after an indefinite document noun (an optional relative adjective between)
    describes that noun, which is its subject: the source is the document phrase, not the
    noun phrase after the verb (here the verb's object).

    Returns whether the cue is such a clause, and the source span, as ``_document_source``.
    """
    hi = cue_i - 1
    if hi < 0 or v.inside[hi] or v.sentence_break(v.toks[hi].end, v.toks[cue_i].start):
        return False, None
    doc = hi
    if (hi > 0 and v.norms[hi].endswith(("ي", "ية")) and not v.norms[hi].startswith("ال")
            and not v.sentence_break(v.toks[hi - 1].end, v.toks[hi].start)):
        doc = hi - 1  # «تقرير أميركي يقول»
    noun = v.norms[doc]
    if v.inside[doc] or noun.startswith("ال"):
        return False, None
    if noun in _DOCUMENTS:
        return True, (v.toks[doc].start, v.toks[hi].end)
    if noun.rstrip("ا") in _DOCUMENTS:
        # accusative «تقريراً»: the object of an issuing verb, whose subject is the source as
        # in ruling 34 («أصدر مكتب المساءلة تقريرا يفيد بأن …»)
        return _issuer(v, doc)
    return False, None


def _relayed_source(v: _View, cue_i: int) -> tuple[int, int] | None:
    """Ruling 4: the source after «عن» before a relay noun: «نقلت الوكالة عن X قوله إن …».

    The relaying outlet (the subject of نقلت، ذكرت …) is not the speaker: the source is the
    phrase between the first «عن» after the verb and the relay noun (قوله، قولها، قولهم).
    """
    about = None
    for m in range(cue_i - 1, max(-1, cue_i - 25), -1):
        if v.sentence_break(v.toks[m].end, v.toks[m + 1].start):
            break
        if v.inside[m]:
            continue
        if v.cue[m] is not None or v.is_comp(m):
            break  # the relaying verb (نقلت، ذكرت) or نقلاً: the source follows it
        if v.norms[m] == "عن":
            about = m  # the first «عن» after the verb («المسؤول عن الملف» keeps its own)
    if about is None or about + 1 >= cue_i:
        return None
    return _source_in(v, about + 1, cue_i)


def _source_in(v: _View, lo: int, hi: int) -> tuple[int, int] | None:
    """The source phrase filling tokens [lo, hi): a name in any chunk, else the first chunk's
    describing phrase («عن المتحدث باسم الجيش، العقيد فلان، قوله» → فلان)."""
    first = None
    for n, (a, b) in enumerate(_chunks(v, lo, hi)[:3]):
        span, named = _chunk_speaker(v, a, b)
        if span and named:
            return span
        if span and first is None and n == 0:
            first = span
    return first


def _conj(v: _View, i: int) -> bool:
    """True when the cue word at ``i`` carries the conjunction و/ف (وقال، فأضاف; not وصف)."""
    n = v.norms[i]
    return n[:1] in ("و", "ف") and cue_lexicon().get(n[1:]) is not None


def _main_subject(v: _View, cue_i: int) -> tuple[int, int] | None:
    """The subject of the nearest finite speech verb before ``cue_i`` in its sentence, else
    of the verb that opens the sentence (``_opening_subject``)."""
    for m in range(cue_i - 1, max(-1, cue_i - 40), -1):
        if v.sentence_break(v.toks[m].end, v.toks[cue_i].start):
            return _opening_subject(v, m + 1, cue_i)
        form = v.cue[m]
        if form is None or v.inside[m] or form.kind not in ("past", "present") or form.cls == "source":
            continue
        if m and v.norms[m - 1] in _REL:
            continue
        if form.weak and v.strong_cue(m) is None and not _clause_opening(v, m):
            continue  # a bare homograph mid-clause is a noun: «بين الطرفين», «في رد»
        sp = _speaker_after(v, m, cue_i)
        if sp is None and not _conj(v, m):
            sp = _speaker_before(v, m)
        return sp
    return _opening_subject(v, 0, cue_i) if cue_i < 40 else None  # (no sentence start in reach)


#: Words that open a clause without being its verb.
_NOT_VERB = _F("من منذ بعد قبل خلال عند عندما حين حينما لدى رغم برغم وفي في وفيما ومن وبعد وقبل "
               "وخلال وعند وعندما وحين وحينما ورغم وبرغم وعلى على وإلى إلى ومع مع وبين بين وذلك ذلك "
               "وهو وهي هو هي وهم هم وهذا هذا وهذه هذه ولم لم ولن لن ولا لا وما ما وإن إن وكان كان "
               "وكانت كانت ويأتي يأتي وتأتي تأتي بحضور برعاية بمشاركة بمناسبة بدعوة بدعم بفضل بسبب أمام "
               "بجانب بخصوص بشأن")


def _opening_subject(v: _View, lo: int, cue_i: int) -> tuple[int, int] | None:
    """Ruling 45: the subject of the verb that opens the sentence, for a participle cue.

    «وقد عبّر زعيم الكتلة جوزف دول عن أمله …، معتبراً أنه …»: the sentence opens with a verb
    that is no cue (عبّر، فنّد، قدّم), and the subject right after it is the source of a
    participle (or of a «وقال» with no subject of its own) later in the same sentence, rather
    than a speaker named sentences before. Tokens [lo, cue_i) are the sentence up to the
    cue; only its first clause is read (or the one after a short opener: «من جانبه، نقل …»).
    Returns ``None`` when no verb with a titled or marked subject opens it, or when the
    verb's gender (a feminine «ت» ending) disagrees with the cue's.
    """
    form = v.cue[cue_i]
    k = lo
    for _ in range(2):  # the sentence's first clause, or the one after a short opener
        while k < cue_i and v.norms[k] in _CONNECTORS:
            k += 1
        if k + 1 >= cue_i:
            return None
        sp = _verb_subject(v, k, cue_i, form)
        if sp is not None:
            return sp
        # «من جانبه، نقل …», «وخلال ساعات رد …»: an opener of up to six words and a comma
        nxt = next((j for j in range(k + 1, min(cue_i, k + 7)) if any(c in v.gap(j - 1, j) for c in "،,")), None)
        if nxt is None:
            return None
        k = nxt
    return None


def _verb_subject(v: _View, k: int, cue_i: int, form: CueForm | None) -> tuple[int, int] | None:
    """The subject after token ``k`` when ``k`` reads as a verb that is no cue."""
    n = v.norms[k]
    body = n[1:] if n[:1] in ("و", "ف") and len(n) > 3 else n
    after_qad = k > 0 and v.norms[k - 1] in ("قد", "وقد", "لقد", "فقد")  # «وقد عبّر»: a verb
    if v.cue[k] is not None or v.inside[k] or not 3 <= len(body) <= 7 or not body.isalpha() \
            or body.isascii() or definite(body):
        return None
    if not after_qad and (n in _NOT_VERB or body in _NOT_VERB or body in _known_words()
                          or n in _known_words() or n in _NOT_NAME):
        return None
    if any(c in v.gap(k, k + 1) for c in "،,:;؛()"):
        return None
    if form is not None and form.gender == "m" and body.endswith("ت") \
            or form is not None and form.gender == "f" and not (body.endswith("ت") or body[0] == "ت"):
        return None  # «دانت الأمانة …، ووصفه»: the verbs disagree
    end = next((j for j in range(k + 1, cue_i) if any(c in v.gap(j - 1, j) for c in "،,:;؛()")
                or v.cue[j] is not None), cue_i)
    nxt = v.norms[k + 1]
    if not (definite(nxt) or nxt in word_list("title", "rank", "speaker_head") or _namey(nxt)
            or v.text[v.toks[k + 1].start - 1:v.toks[k + 1].start] in "\"“«#"):
        return None
    titled = nxt in word_list("title", "rank", "speaker_head") or _bare_word(nxt) in word_list("title", "speaker_head")
    marked = v.text[v.toks[k + 1].start - 1:v.toks[k + 1].start] in "\"“«#" or nxt.startswith("#")
    if not (titled or marked):
        # «ودعت طهران إلى …», «وانتقد بند الاتفاق», «محمد بدأ الفيديو»: a bare name after a
        # verb-shaped word may be its object, or the word a name; a title or a marked name
        # right after a verb is its subject
        return None
    span, named = _chunk_speaker(v, k + 1, end)
    if span is None or not named and not titled:
        return None  # a definite noun after a verb-shaped word is no subject by itself
    if v.index_at(span[0]) != k + 1 and not titled:
        return None  # the subject stands right after its verb
    return span


def _clause_opening(v: _View, k: int) -> bool:
    """Token ``k`` opens its clause: first in its sentence or after a comma («من جانبه، نقل
    …»), or after a connector (وقد، ثم)."""
    return k == 0 or v.sentence_break(v.toks[k - 1].end, v.toks[k].start) or v.norms[k - 1] in _CONNECTORS \
        or any(c in v.gap(k - 1, k) for c in "،,")


def _skip_adverbial(v: _View, a: int, b: int) -> int:
    """Past leading time words; an adverbial or an addressee fills the rest of its chunk."""
    k = a
    while k < b and v.norms[k] in word_list("time"):
        k += 1
    if k < b and _stop(v, k, a):
        return b
    return k


def _speaker_before(v: _View, cue_i: int) -> tuple[int, int] | None:
    """An SVO source: «لكن المحمود أشار إلى أن …», «مصدر مسؤول …، قال إن …»."""
    if cue_i > 0 and v.norms[cue_i - 1] in _PRONOUN_LINKS:
        return None  # «…، لكنه أضاف أن»: no source here; linking gives the one named before
    lo = cue_i
    while lo > 0 and cue_i - lo < 25 and not v.sentence_break(v.toks[lo - 1].end, v.toks[lo].start):
        lo -= 1
    chunks = _chunks(v, lo, cue_i)
    fallback = None
    for a, b in reversed(chunks[-3:]):
        last = (a, b) == chunks[-1]
        comp = max((k for k in range(a, b) if v.is_comp(k) or v.cue[k] is not None), default=None)
        if comp is not None:
            a = comp + 1
        while a < b and v.norms[a] in ("عن", "من"):
            a += 1  # «نقلاً عن مسؤولين …»
        span, named = _chunk_speaker(v, a, b)
        if span and named:
            return span
        if span and fallback is None and last and b - a <= 14:
            fallback = span
    return fallback


# -- clauses ----------------------------------------------------------------------------------


def _clause_end(v: _View, start_pos: int, limit: int | None = None) -> int:
    """End (char index) of a reported clause starting at ``start_pos``."""
    text = v.text
    limit = len(text) if limit is None else limit
    pos = start_pos
    k = v.index_at(start_pos)
    while pos < limit:
        m = sentence_end(text, pos, limit)
        stop = m.start() if m else limit
        inside = next(((a, b) for a, b in v.pairs_opening(start_pos - 1, stop) if stop < b), None)
        if inside:
            if not text[stop + 1:inside[1]].strip(".!?؟ ") and m and m.group() != "\n":
                # «… وكانت تنحني أيضاً.»: a full stop right before the closing mark ends
                # the sentence there (ruling 1 keeps the stop inside the marks)
                return inside[1] + 1
            pos = inside[1] + 1
            continue
        # a comma followed by a new attribution or an author's adjunct ends the clause
        while k < len(v.toks) and v.toks[k].start < stop:
            if k > 0 and v.toks[k].start > start_pos and not v.inside[k]:
                g = v.gap(k - 1, k)
                n = v.norms[k]
                if ("،" in g or "," in g) and (
                        v.cue[k] is not None and (v.cue[k].kind == "participle" or n.startswith("و")
                                                  or v.cue[k].cls == "source")
                        or n in ("علي", "كما") and k + 1 < len(v.toks) and (
                            v.norms[k + 1] in ("حد",) or v.cue[k + 1] is not None)
                        or n in _CLAUSE_END or n in ("في",) and k + 1 < len(v.toks)
                        and v.norms[k + 1] == "محاوله" or n in ("من",) and k + 1 < len(v.toks)
                        and v.norms[k + 1] == "دون"):
                    if n == "كما" and _parenthetical(v, k):
                        k += 1
                        continue
                    cut = v.toks[k - 1].end + max(g.find("،"), g.find(","))
                    return _trim_end(text, cut, start_pos)
                if n in ("بينما", "فيما", "وبينما", "وفيما") and k + 2 < len(v.toks) and (
                        v.cue[k + 1] is not None and v.cue[k + 1].cls in ("say", "opinion")):
                    return _trim_end(text, v.toks[k - 1].end, start_pos)  # a new attribution
                if n in ("لكنه", "لكنها", "لكنهم"):
                    return _trim_end(text, v.toks[k - 1].end, start_pos)
                if _new_attribution(v, k):
                    return _trim_end(text, v.toks[k - 1].end, start_pos)
            k += 1
        return _trim_end(text, stop, start_pos)
    return _trim_end(text, limit, start_pos)


def _new_attribution(v: _View, k: int) -> bool:
    """Token ``k`` starts a new attribution inside a sentence, with no comma before it:
    «… على حد قوله», «… مؤكدة أن …», «… ولكن أكد ضرورة …»."""
    n = v.norms[k]
    nxt = v.norms[k + 1] if k + 1 < len(v.toks) else ""
    if n == "علي" and nxt == "حد" and k + 2 < len(v.toks) \
            and v.norms[k + 2].startswith(("قول", "تعبير")):
        return True
    if n in ("لكن", "ولكن") and k + 1 < len(v.toks) and v.strong_cue(k + 1) is not None \
            and v.cue[k + 1].cls in ("say", "opinion"):
        return True
    form = v.cue[k]
    if form is None or form.cls not in ("say", "opinion") or form.weak:
        return False
    if form.kind == "participle":
        # only when it governs its own clause right away (a complementizer next)
        return k + 1 < len(v.toks) and (v.is_comp(k + 1) or nxt in _COMP_PREPS
                                        and k + 2 < len(v.toks) and v.is_comp(k + 2))
    return False


def _parenthetical(v: _View, k: int) -> bool:
    """«، كما يقول، …»: an aside inside the clause, not its end."""
    return k + 2 < len(v.toks) and v.cue[k + 1] is not None and any(
        c in v.gap(k + 1, k + 2) for c in "،,")


def _trim_end(text: str, end: int, start: int) -> int:
    while end > start and (_blank(text[end - 1]) or text[end - 1] in "،,;؛:-–—"):
        end -= 1
    # keep a closing mark only when its opening mark is inside the clause
    if end > start and text[end - 1] in "»”\"“":
        opener = {"»": "«"}.get(text[end - 1])
        inner = text[start:end - 1]
        if opener and opener not in inner or not opener and inner.count(text[end - 1]) % 2 == 0 \
                and not any(c in inner for c in "“”\"" if c != text[end - 1]):
            end -= 1
            while end > start and _blank(text[end - 1]):
                end -= 1
    return end


# -- the patterns -----------------------------------------------------------------------------


#: What joins two quoted items of a list: «"…" و"…"», «"…"، "…"».
_LIST_GAP = re.compile(r"[\s\u200c-\u200f]*[،,]?[\s\u200c-\u200f]*و?[\s\u200c-\u200f]*")


def _listed(text: str, pairs: Sequence[tuple[int, int]], n: int) -> bool:
    """Whether pair ``n`` is an item of a list of quoted items («"…" و"…" و"…"»)."""
    a, b = pairs[n]
    return (n > 0 and _LIST_GAP.fullmatch(text, pairs[n - 1][1] + 1, a) is not None) or (
        n + 1 < len(pairs) and _LIST_GAP.fullmatch(text, b + 1, pairs[n + 1][0]) is not None)


def _direct_quotes(v: _View, found: "_Found") -> None:
    text = v.text
    for n, (a, b) in enumerate(v.pairs):
        cs, ce = a + 1, b
        while cs < ce and _blank(text[cs]):
            cs += 1
        while ce > cs and _blank(text[ce - 1]):
            ce -= 1
        content = tokenize(text[cs:ce])
        if not content:
            continue
        first = v.index_at(a)
        # the governing cue before: same sentence, at most 35 words back
        cue_i = None
        for k in range(first - 1, max(-1, first - 36), -1):
            if v.sentence_break(v.toks[k].end, a):
                break
            if v.inside[k]:
                continue
            if v.strong_cue(k) is not None:
                cue_i = k
                break
        before = a  # text[:a].rstrip().endswith(":") without copying the text for each pair
        while before > 0 and _blank(text[before - 1]):
            before -= 1
        colon_before = before > 0 and text[before - 1] == ":"
        n_words = len(content)
        if first > 0 and v.norms[first - 1] in _TITLE_NOUNS and not colon_before:
            continue  # «صحيفة "لو جورنال دو ديمانش"»: a name in marks
        if n_words <= 8 and _listed(text, v.pairs, n):
            continue  # «مسألة "الانتقال الديمقراطي" و"الكتاب التونسي راهنا"»: titles
        if cue_i is not None:
            between = range(cue_i + 1, first)
            comps = [k for k in between if v.is_comp(k) and not v.inside[k]
                     and not (k > 0 and v.norms[k - 1] in _BLOCK_BEFORE_COMP)]
            if comps and comps[-1] != first - 1:
                continue  # «قال إن بلاده "دولة محبة للسلام"»: part of an indirect quote
            if comps and not _closes_clause(v, b):
                continue  # «أكد أنه "لا شيء إجرامي" في خلفية …»: the marks open a longer clause
            if any(v.strong_cue(k) for k in between if not v.inside[k]):
                continue
            if n_words < 4 and not (colon_before and n_words >= 2) and not comps:
                continue
            if n_words < 3 and not colon_before:
                continue
            found.add(cs, ce, cue_i, _source_for(v, cue_i, first))
            continue
        if n_words < 4:
            continue
        # a post-posed cue: «…»، أوضحَ “كاتسي” / «…»، وفق بيان لقيادة …
        nxt = v.index_at(b + 1)
        if nxt < len(v.toks) and re.fullmatch(r"[\s.،,»”\"“’'‘-]*", text[b + 1:v.toks[nxt].start]):
            form = v.cue[nxt]
            if form is not None and form.kind != "participle" and not _governs_next(v, nxt):
                if form.cls == "source" and _pronoun_source(v, nxt + 1):
                    continue
                end = _sentence_end_index(v, nxt)
                sp = _postposed_source(v, nxt, end)
                if form.cls == "source" and sp is None:
                    continue
                found.add(cs, ce, nxt, sp)
                continue
        # a source before a colon: «Source: "…"» at a line start
        if colon_before:
            head = _headline_source(v, a)
            if head:
                found.add(cs, ce, speaker=head)


def _closes_clause(v: _View, close: int) -> bool:
    """True when the clause ends at the closing mark ``close`` (sentence end, or a comma and
    a new attribution)."""
    after = v.text[close + 1:close + 40].translate(_DROP_INVISIBLE)
    if re.match(r"\s*([.!?؟\n]|$)", after):
        return True
    m = re.match(r"\s*[،,]?\s*([^\s.،,:؛!?؟]+)", after)
    return bool(m) and _ends_clause_word(fold(m.group(1)))


def _governs_next(v: _View, i: int) -> bool:
    """True when the cue at ``i`` is followed by its own complementizer, colon or quote."""
    for k in range(i + 1, min(i + 10, len(v.toks))):
        g = v.gap(k - 1, k)
        marks = [v.toks[k - 1].end + n for n, c in enumerate(g) if c in "«“\""]
        long_mark = any(len(tokenize(v.text[m + 1:v.pair_at_open.get(m, m)])) > 3 for m in marks)
        if ":" in g or long_mark or v.is_comp(k):
            return True
        if v.sentence_break(v.toks[k - 1].end, v.toks[k].start):
            return False
    return False


def _pronoun_source(v: _View, k: int) -> bool:
    if k >= len(v.toks):
        return True
    n = v.norms[k]
    return n in word_list("pronoun_source") or n in ("ما", "حد")


def _sentence_end_index(v: _View, i: int) -> int:
    k = i + 1
    while k < len(v.toks) and not v.sentence_break(v.toks[k - 1].end, v.toks[k].start) and k - i < 20:
        k += 1
    return k


def _postposed_source(v: _View, cue_i: int, end_i: int) -> tuple[int, int] | None:
    lo = cue_i + 1
    if lo < end_i and v.norms[lo] == "ما" and lo + 1 < end_i and v.cue[lo + 1] is not None:
        lo += 2  # «بحسب ما أفاد مصدر»
    if lo < end_i and v.norms[lo] == "ل":
        lo += 1
    chunks = _chunks(v, lo, end_i)
    if not chunks:
        return None
    a, b = chunks[0]
    if data_or_outlet(v.norms[a]):  # ruling 3: «وفقاً لبيانات …», «حسب الأرقام الرسمية»
        return None
    saved = v.norms[a]
    v.norms[a] = _after_lam(saved)  # «وفقاً للمتحدث باسم الجيش»: read as «المتحدث»
    try:
        span, named = _chunk_speaker(v, a, b)
    finally:
        v.norms[a] = saved
    return span


def _after_lam(n: str) -> str:
    """A folded word less the preposition «ل» glued to a speaker word: «لمصدر» → «مصدر»,
    «للمتحدث» → «المتحدث»; any other word unchanged (لبنان، ليلى)."""
    lex = word_list("speaker_head", "title", "rank", "plural") | _SPOKES
    if n in ("لامين", "لمين"):
        return n  # a first name (لامين يامال), not ل + «أمين»
    if n.startswith("لل") and "ال" + n[2:] in lex:
        return "ال" + n[2:]
    if n.startswith("لل") and "ال" + n[1:] in lex:
        return "ال" + n[1:]  # «للواء» is ل + «اللواء»
    if n.startswith("ل") and len(n) > 3 and n[1:] in lex:
        return n[1:]
    return n


def _indirect_quotes(v: _View, found: "_Found") -> None:
    text = v.text
    for j in range(len(v.toks)):
        if not v.is_comp(j) or v.inside[j] or j + 1 >= len(v.toks):
            continue
        if found.taken.covers(v.toks[j].start):
            continue
        k = j - 1
        if k >= 0 and v.norms[k] in _BLOCK_BEFORE_COMP:
            continue
        if k >= 0 and v.norms[k] in _COMP_PREPS:
            k -= 1
        cue_i = None
        for m in range(k, max(-1, j - 19), -1):
            if m < 0 or v.sentence_break(v.toks[m].end, v.toks[j].start):
                break
            if v.is_comp(m) and not v.inside[m]:
                break
            if v.inside[m]:
                continue
            if v.strong_cue(m) is not None:
                cue_i = m
                break
        if cue_i is None:
            continue
        # start: the first character after the complementizer (a colon and invisible format
        # characters such as RLM skipped: «إن\u200f «…»» is a direct quote)
        start = v.toks[j].end
        while start < len(text) and (_blank(text[start]) or text[start] in ":"):
            start += 1
        if start >= len(text):
            continue
        if text[start] in _OPENERS:
            if found.taken.starts_in(start, start + 2):
                continue  # the marks bound a direct quote already found
            pair_end = v.pair_at_open.get(start)
            if pair_end is not None:
                after = text[pair_end + 1:pair_end + 40].translate(_DROP_INVISIBLE)
                # the marks bound the whole clause: a direct quote (found by _direct_quotes)
                if re.match(r"\s*([.!?؟\n]|$|[،,]?\s*(\S+))", after):
                    mm = re.match(r"\s*[،,]?\s*([^\s.،,:؛!?؟]+)", after)
                    if not mm or _ends_clause_word(fold(mm.group(1))):
                        continue
        end = _clause_end(v, start)
        if end - start < 3 or len(tokenize(text[start:end])) < 2:
            continue
        found.add(start, end, cue_i, _source_for(v, cue_i, j))


def _ends_clause_word(n: str) -> bool:
    form = cue_lexicon().get(n)
    return form is not None or n in _CLAUSE_END or n in ("حسب", "وفق", "بحسب", "علي", "كما", "وذلك")


_LINE_PREFIX = re.compile(r"^\s*(?:RT\s+@\w+\s*:\s*)?(?:(عاجل|خبر عاجل)\s*[|:\-–]\s*)?")


def _headline_source(v: _View, colon_mark_pos: int) -> tuple[int, int] | None:
    """The source before a colon that starts its line («وزير الخارجية: …»)."""
    text = v.text
    line_start = text.rfind("\n", 0, colon_mark_pos) + 1
    colon = text.rfind(":", line_start, colon_mark_pos)
    if colon < 0:
        return None
    m = _LINE_PREFIX.match(text, line_start)
    left_start = m.end() if m else line_start
    res = _headline_left(v, left_start, colon, breaking=bool(m and m.group(1)), right_pos=colon + 1)
    return res


def _headline_left(v: _View, left_start: int, colon: int, breaking: bool, right_pos: int) -> tuple[int, int] | None:
    text = v.text
    lo, hi = v.index_at(left_start), v.index_at(colon)
    if hi - lo < 1 or hi - lo > 12:
        return None
    # «رويترز عن وزير الخارجية: …»: a relaying outlet (ruling 4) before عن is not the source
    relay = next((k for k in range(lo + 1, min(lo + 4, hi - 1)) if v.norms[k] == "عن"), None)
    if relay is not None and all(_namey(n) or n in word_list("outlet") or strip_clitic(n) in word_list("outlet")
                                 for n in v.norms[lo:relay]):
        lo = relay + 1
    left = v.norms[lo:hi]
    stops = word_list("headline_stop")
    if left[0] in stops or " ".join(left[:2]) in stops or any(c.isdigit() for c in "".join(left)):
        return None
    if any(v.cue[k] is not None and v.cue[k].cls in ("say", "opinion") for k in range(lo, hi)):
        return None
    if any(ch in text[left_start:colon] for ch in ".!?؟،,"):
        return None
    # cut an addressee («للجزيرة», «لصحيفة كوريير …») and a relative clause («الذي عمل …»)
    end = hi
    for k in range(lo + 1, hi):
        if _addressee(v, k) or v.norms[k] in _REL:
            end = k
            break
    head = left[0].lstrip("#")
    lex = word_list("speaker_head", "title", "rank")
    right = tokenize(text[right_pos:text.find("\n", right_pos) if "\n" in text[right_pos:] else len(text)])
    if len(right) < 3:
        return None
    if head in lex or strip_clitic(head) in lex or _bare_word(head) in lex or "ال" + head in lex:
        # «المتحدث باسم المجلس العسكري»: the body the spokesperson speaks for
        if head in ("المتحدث", "الناطق", "متحدث", "ناطق") and lo + 2 < end and v.norms[lo + 1] == "باسم":
            return v.toks[lo + 2].start, v.toks[end - 1].end
        span, named = _chunk_speaker(v, lo, end)
        if span and not named:
            return v.toks[lo].start, v.toks[end - 1].end
        return span
    if end - lo <= 3 and all(_namey(n) or n in _NAME_GLUE for n in v.norms[lo:end]):
        if breaking or not right[0].norm.startswith("ال"):
            return v.toks[lo].start, v.toks[end - 1].end
    return None


def _headlines(v: _View, found: "_Found") -> None:
    """«Source: statement» lines (titles and «عاجل | Source: …» posts) with no marks."""
    text = v.text
    pos = 0
    for line in text.split("\n"):
        line_start, pos = pos, pos + len(line) + 1
        m = _LINE_PREFIX.match(line)
        body_start = line_start + (m.end() if m else 0)
        colon = text.find(":", body_start, line_start + len(line))
        if colon < 0 or colon - body_start > 90:
            continue
        right_start = colon + 1
        while right_start < line_start + len(line) and _blank(text[right_start]):
            right_start += 1
        if right_start >= line_start + len(line) or text[right_start] in "«“" and \
                v.pair_at_open.get(right_start, -1) >= line_start + len(line.rstrip()) - 1:
            continue  # a fully marked statement: _direct_quotes handles it
        src = _headline_left(v, body_start, colon, bool(m and m.group(1)), right_start)
        if src is None:
            continue
        end = line_start + len(line)
        while end > right_start and (_blank(text[end - 1]) or text[end - 1] in ".،,"):
            end -= 1
        if found.taken.overlaps(right_start, end):
            continue
        found.add(right_start, end, speaker=src)


def _colon_statements(v: _View, found: "_Found") -> None:
    """«وقال الوزير: الوضع مستقر.» — a cue, its source, a colon and an unmarked clause."""
    text = v.text
    for i in range(len(v.toks)):
        form = v.strong_cue(i)
        if form is None or i in found.used or v.inside[i] or form.cls not in ("say", "opinion"):
            continue
        for k in range(i + 1, min(i + 12, len(v.toks))):
            g = v.gap(k - 1, k)
            if v.sentence_break(v.toks[k - 1].end, v.toks[k].start) or v.is_comp(k - 1):
                break
            if ":" in g:
                start = v.toks[k].start
                if any(c in text[v.toks[k - 1].end:start] for c in _OPENERS):
                    break
                end = _clause_end(v, start)
                if len(tokenize(text[start:end])) < 3 or found.taken.overlaps(start, end):
                    break
                found.add(start, end, i, _source_for(v, i, k))
                break


def _according_to(v: _View, found: "_Found") -> None:
    """Ruling 3: «clause، وفق الدويري.» / «clause، بحسب ما أكد مصدر.» with no marks."""
    text = v.text
    for i in range(1, len(v.toks)):
        form = v.cue[i]
        as_verb = v.norms[i] == "كما" and i + 1 < len(v.toks) and v.cue[i + 1] is not None \
            and v.cue[i + 1].cls in ("say", "opinion") and v.cue[i + 1].kind != "participle"
        if (form is None or form.cls != "source") and not as_verb or i in found.used or v.inside[i]:
            continue
        if not re.search(r"[،,]\s*$", v.gap(i - 1, i)):
            continue
        if not as_verb and _pronoun_source(v, i + 1) and not (
                i + 2 < len(v.toks) and v.norms[i + 1] == "ما" and v.cue[i + 2] is not None):
            continue
        end_i = _sentence_end_index(v, i)
        if end_i - i > 8:
            continue  # the source must end the sentence
        sp = _postposed_source(v, i + 1 if as_verb else i, end_i)
        if sp is None:
            continue
        # the clause: from the sentence start to the comma
        s = i - 1
        while s > 0 and not v.sentence_break(v.toks[s - 1].end, v.toks[s].start):
            s -= 1
        if v.norms[s] in ("وان", "وإن", "ان", "إن"):
            s += 1
        while s < i and v.norms[s] in _CONNECTORS:
            s += 1
        start, end = v.toks[s].start, _trim_end(text, v.toks[i - 1].end, v.toks[s].start)
        if found.taken.overlaps(start, end) or len(tokenize(text[start:end])) < 4:
            continue
        cue_i = i + 2 if v.norms[i + 1] == "ما" and v.cue[i + 2] is not None else i
        if as_verb:
            cue_i = i + 1
        found.add(start, end, cue_i, sp)


#: «وبحسب X، فإن …»: particles after the source before the clause, left out of the quote.
_CLAUSE_LEADS = _F("فإن فان فانه فإنه فانها فإنها فانهم فإنهم فقد")
#: «إن» after a source-first apposition («وبحسب العالم …، جاك هوبلين، إن …»).
_EMPHASIS = _F("إن ان")
#: An outlet's own reporters: what they report is the outlet's voice (ruling 3).
_REPORTERS = _F("مراسل مراسلة مراسلو مراسلي")


def _according_to_first(v: _View, found: "_Found") -> None:
    """Ruling 46: «وبحسب مصادر ليبية، فإن …» / «ووفقاً لمصدر مطلع، …»: a source cue that opens
    its sentence, its source and a comma (or «فإن») make the rest of the sentence an
    indirect quote of that source, as ruling 3 does for a source after the clause. The
    source must be a person, a body that speaks or a document (ruling 36), not an outlet or
    data (ruling 3, 43: «وبحسب وكالة رويترز، …» relays, «وحسب الأرقام، …» counts), nor a
    word that is neither («وحسب الاتفاق، يجب …»).
    """
    text = v.text
    speakers = word_list("speaker_head", "title", "rank", "plural")
    for i in range(len(v.toks)):
        form = v.cue[i]
        if form is None or form.cls != "source" or i in found.used or v.inside[i]:
            continue
        if i and not v.sentence_break(v.toks[i - 1].end, v.toks[i].start) and v.norms[i - 1] not in _CONNECTORS:
            continue
        if i + 2 >= len(v.toks) or _pronoun_source(v, i + 1):
            continue
        end_i = _sentence_end_index(v, i)
        # the source ends at the first comma, or right before «فإن»
        stop = next((j for j in range(i + 2, min(end_i, i + 10))
                     if any(c in v.gap(j - 1, j) for c in "،,") or v.norms[j] in _CLAUSE_LEADS), None)
        if stop is None:
            continue
        sp = _postposed_source(v, i, stop)
        if sp is None:
            continue
        first, last = v.index_at(sp[0]), v.index_at(sp[1])
        words = [v.norms[k] for k in range(first, last)]
        marked = v.text[sp[0] - 1:sp[0]] in "\"“«#"
        # the source phrase's first word, or the title before its name («ووفقا للرئيس
        # الأمريكي جو بايدن»: the phrase is the name alone)
        opener = _after_lam(v.norms[i + 1])
        titled = opener in word_list("title", "rank") or _bare_word(opener) in word_list("title", "rank")
        heads = {_after_lam(v.norms[first])} | ({opener} if titled else set())
        if any(data_or_outlet(w) for w in words[:2]) or any(_bare_word(h) in word_list("outlet") for h in heads) \
                or _bare_word(opener) in _REPORTERS:
            continue  # ruling 43: «وبحسب آخر بيانات المفوضية، …»; «وحسب الوكالة، …» relays;
            # «وبحسب مراسل "الجوهرة أف أم"»: the outlet's own reporting
        if not (marked or any(h in speakers or _bare_word(h) in speakers or strip_clitic(h) in speakers
                              or _bare_word(h) in _DOCUMENTS or h in _DOCUMENTS for h in heads)):
            continue  # «وحسب الاتفاق»، «وحسب دفاتر الحسابات»، «ووفق كلام …»: no source that speaks
        if v.norms[stop] not in _CLAUSE_LEADS:
            # «وبحسب المتحدث باسم الجيش، العقيد أحمد المسماري، فإن …»: an apposition between
            # two commas belongs to the source when «فإن» follows it; after a title its name
            # is the speaker («بيان صحفي، نشر على الموقع …، فقد» keeps the document)
            lead = next((j for j in range(stop + 1, min(end_i, stop + 9))
                         if any(c in v.gap(j - 1, j) for c in "،,:;؛()")), None)
            if lead is not None and v.norms[lead] in _CLAUSE_LEADS | _EMPHASIS:
                span, named = _chunk_speaker(v, stop, lead)
                head = _bare_word(_after_lam(v.norms[first]))
                if span is not None and named and (head in word_list("title", "rank") or titled):
                    sp = span
                stop = lead
        k = stop
        while k < end_i and v.norms[k] in _CLAUSE_LEADS | _EMPHASIS:
            k += 1
        if k >= end_i:
            continue
        start = v.toks[k].start
        end = _trim_end(text, _clause_end(v, start), start)
        if found.taken.overlaps(start, end) or len(tokenize(text[start:end])) < 4:
            continue
        cue_i = i + 2 if v.norms[i + 1] == "ما" and v.cue[i + 2] is not None else i
        found.add(start, end, cue_i, sp)


def find_spans(text: str) -> Candidates:
    """The QUOTE, SPEAKER and CUE spans the patterns find in ``text``.

    Example:
        >>> c = find_spans("وأكد مسؤولون عراقيون أن الهجمات تراجعت خلال الشهر الماضي.")
        >>> [s.text for s in c.quotes], [s.text for s in c.speakers], [s.text for s in c.cues]
        (['الهجمات تراجعت خلال الشهر الماضي'], ['مسؤولون عراقيون'], ['وأكد'])
    """
    v = _View(text)
    found = _Found()
    for pattern in (_direct_quotes, _indirect_quotes, _colon_statements, _according_to, _according_to_first,
                    _headlines):
        pattern(v, found)
    quotes, speakers, cue_idx = found.quotes, found.speakers, found.cues
    q_spans = _dedupe([Span.of(text, s, e, "QUOTE") for s, e in quotes if e > s])
    s_spans = _dedupe([Span.of(text, s, e, "SPEAKER") for s, e in speakers if e > s])
    c_spans = _dedupe([Span.of(text, v.toks[i].start, v.toks[i].end, "CUE") for i in set(cue_idx)])
    # a speaker mention never overlaps a quote (deduped quotes are disjoint and in order, so
    # the last one starting before a mention's end is the only one that can)
    q_starts = [q.start for q in q_spans]
    s_spans = [s for s in s_spans
               if not ((k := bisect.bisect_left(q_starts, s.end) - 1) >= 0 and s.overlaps(q_spans[k]))]
    return Candidates(tuple(q_spans), tuple(s_spans), tuple(c_spans))


class _Found:
    """What the patterns have found so far: each find is recorded once, by :meth:`add`."""

    def __init__(self) -> None:
        self.quotes: list[tuple[int, int]] = []
        self.speakers: list[tuple[int, int]] = []
        self.cues: list[int] = []  # token indices
        self.used: set[int] = set()  # cue tokens that already govern a quote
        self.taken = _Taken()  # the quotes' ranges, for collision checks

    def add(self, start: int, end: int, cue: int | None = None,
            speaker: tuple[int, int] | None = None) -> None:
        self.quotes.append((start, end))
        self.taken.append((start, end))
        if cue is not None:
            self.cues.append(cue)
            self.used.add(cue)
        if speaker:
            self.speakers.append(speaker)


class _Taken:
    """The ``[start, end)`` ranges already claimed by a quote, indexed by start: long texts
    have thousands, and each new candidate asks whether it collides with one."""

    def __init__(self, ranges: Sequence[tuple[int, int]] = ()) -> None:
        self.ranges: list[tuple[int, int]] = []
        self.starts: list[int] = []
        self.longest = 0
        for r in ranges:
            self.append(r)

    def append(self, r: tuple[int, int]) -> None:
        k = bisect.bisect_right(self.starts, r[0])
        self.starts.insert(k, r[0])
        self.ranges.insert(k, r)
        self.longest = max(self.longest, r[1] - r[0])

    def _near(self, lo: int, hi: int) -> list[tuple[int, int]]:
        # a range reaching position lo starts at most `longest` before it
        return self.ranges[bisect.bisect_left(self.starts, lo - self.longest):bisect.bisect_right(self.starts, hi)]

    def covers(self, pos: int) -> bool:
        """Some range has ``start <= pos < end``."""
        return any(s <= pos < e for s, e in self._near(pos, pos))

    def overlaps(self, start: int, end: int) -> bool:
        """Some range shares a character with ``[start, end)`` (``s < end and start < e``)."""
        return any(s < end and start < e for s, e in self._near(start, end))

    def starts_in(self, lo: int, hi: int) -> bool:
        """Some range starts at ``lo < start <= hi``."""
        return bisect.bisect_right(self.starts, hi) > bisect.bisect_right(self.starts, lo)


def _dedupe(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and s.overlaps(out[-1]):
            continue
        out.append(s)
    return out


def extract(text: str) -> Document:
    """Runs the rule engine on one text.

    Numeric claims come from :func:`arquote.numbers.find_claims` (when that module is
    installed) and get their claimant from the quote they stand in.
    """
    text = check_text(text)
    cand = find_spans(text)
    result = link(text, cand.quotes + cand.speakers + cand.cues)
    claims: tuple = ()
    try:
        from .. import numbers
    except ImportError:
        numbers = None  # type: ignore[assignment]
    if numbers is not None and hasattr(numbers, "find_claims"):
        claims = attach_claims(numbers.find_claims(text), result.quotes)
    return Document(text, result.quotes, result.speakers, claims, result.cues)


class RuleExtractor(Extractor):
    """The transparent rule engine (``arquote.load("rules")``): no model, no training.

    Example:
        >>> ext = RuleExtractor()
        >>> doc = ext("قالت الوزارة في بيان إن «الحدود مغلقة حتى إشعار آخر».")
        >>> doc.quotes[0].speaker.name
        'الوزارة'
    """

    name = "rules"

    def _extract_batch(self, texts: Sequence[str]) -> list[Document]:
        return [extract(t) for t in texts]
