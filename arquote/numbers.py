"""Numeric claims: find and normalize Arabic quantities (rules only, no model).

Arabic news writes quantities as digits (``48``, ``٤٨``, ``۴۸``), words in every case and
gender (``ثلاثة``، ``ألفاً``، ``مئتا``), mixtures (``3 مليون``، ``١٫٥ مليار``، ``مليون و200
ألف``), indefinite duals (``هجومين`` = 2), and vague round quantities (``عشرات الأوكار``).
This module reads all of them into a value, the counted noun in the singular, a kind and a
bound, and tells a claim from a date, a year, a time, an age, a name or a back-reference,
following ``docs/annotation.md`` (NUM, rulings 7-11).

Everything runs on the normalized copy of the text (:func:`arquote.normalize.normalize`)
and offsets are mapped back, so spans index the user's exact string.

Example:
    >>> [c.text for c in find_claims("نفذ التنظيم 48 هجوماً منذ عام 2014")]
    ['48 هجوماً']
    >>> q = parse_quantity("نحو ١٫٥ مليار دولار")
    >>> (q.value, q.unit, q.kind, q.currency, q.bound)
    (1500000000.0, 'دولار', 'money', 'USD', '~')
"""

from __future__ import annotations

import bisect
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from arquote._resources import read_data
from arquote.document import NumericClaim, Span
from arquote.normalize import INVISIBLE, Normalized, fold, normalize

__all__ = ["Quantity", "parse_quantity", "find_claims", "claim_from_span", "singular"]


@dataclass(frozen=True)
class Quantity:
    """One quantity read from a phrase.

    Attributes:
        value: The number (``3000000.0``); ``None`` when vague or a range.
        unit: The counted noun or unit, singular (``دولار``; ``%`` for percentages).
        kind: ``count``, ``money``, ``percent``, ``measure`` or ``duration``.
        currency: ISO 4217 code for money when known (``USD``).
        approx: True when an approximator or a bound qualifies the number.
        vague: True for vague round quantities (``عشرات``، ``مئات``).
        bound: ``=``, ``~``, ``>``, ``>=``, ``<``, ``<=``; ``None`` for vague and ranges
            without a bound word.
        start: Offset of the number itself in the phrase.
        end: End offset of the number itself in the phrase.
        claim_start: Offset of the whole claim (number and counted noun) in the phrase.
        claim_end: End offset of the whole claim in the phrase.

    Example:
        >>> q = parse_quantity("أكثر من 50 بلدا")
        >>> (q.value, q.unit, q.bound, q.approx, q.start)
        (50.0, 'بلد', '>', True, 8)
    """

    value: float | None
    unit: str | None
    kind: str | None
    currency: str | None
    approx: bool
    vague: bool
    bound: str | None
    start: int
    end: int
    claim_start: int
    claim_end: int


# --------------------------------------------------------------------------------------
# Lexicons (arquote/data/numbers_*.{tsv,json}), folded once.


class _Lex:
    """All word lists, folded for matching on normalized text."""

    def __init__(self) -> None:
        raw = json.loads(read_data("numbers_lexicon.json"))
        f = fold
        self.months = frozenset(f(w) for w in raw["months"])
        self.year_words = frozenset(f(w) for w in raw["year_words"])
        self.year_suffixes = frozenset(f(w) for w in raw["year_suffixes"])
        self.time_words = frozenset(f(w) for w in raw["time_words"])
        self.time_after = frozenset(f(w) for w in raw["time_after"])
        self.name_heads = frozenset(f(w) for w in raw["name_heads"])
        self.anchors = frozenset(f(w) for w in raw["anchors"])
        self.window_after = frozenset(f(w) for w in raw["window_after"])
        self.age_words = frozenset(f(w) for w in raw["age_words"])
        self.time_units = {f(k): v for k, v in raw["time_units"].items()}
        self.measure_units = {f(k): v for k, v in raw["measure_units"].items()}
        self.area_suffixes = frozenset(f(w) for w in raw["area_suffixes"])
        self.currencies: dict[str, tuple[str | None, dict[str, str]]] = {}
        for word, (code, adjectives) in raw["currencies"].items():
            adj = {}
            for a, c in adjectives.items():
                adj[f(a)] = c
                adj["ال" + f(a)] = c
            self.currencies[f(word)] = (code, adj)
        self.currency_symbols = dict(raw["currency_symbols"])
        self.stopwords = frozenset(f(w) for w in raw["stopwords"])
        self.dual_stop = frozenset(f(w) for w in raw["dual_stoplist"])
        pct = [f(w) for w in raw["percent_words"]]
        self.percent_one = frozenset(w for w in pct if " " not in w)
        self.percent_two = frozenset(tuple(w.split()) for w in pct if " " in w)

        # Nouns: folded plural or singular -> singular as written in the lexicon.
        self.noun_index: dict[str, str] = {}
        self.plurals: set[str] = set()
        self.singulars: set[str] = set()
        self.human: set[str] = set()
        for line in read_data("numbers_nouns.tsv").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            sing = cols[0].strip()
            plurals = [p.strip() for p in cols[1].split(",")] if len(cols) > 1 else []
            flags = cols[2].strip() if len(cols) > 2 else ""
            key = f(sing)
            self.noun_index.setdefault(key, sing)
            self.singulars.add(key)
            if "h" in flags:
                self.human.add(key)
            for p in plurals:
                if p:
                    self.noun_index.setdefault(f(p), sing)
                    self.plurals.add(f(p))
        for table in (self.time_units, self.measure_units):
            for k, v in table.items():
                self.noun_index.setdefault(k, v)

        self.approx_re = _approx_regex(raw["approx"], before=True)
        self.approx_after_re = _approx_regex(raw["approx_after"], before=False)
        self.approx_bound = {f(w): b for b, w in raw["approx"]}
        self.approx_bound.update({f(w): b for b, w in raw["approx_after"]})


def _approx_regex(pairs: list[list[str]], before: bool) -> re.Pattern[str]:
    words = sorted({fold(w) for _, w in pairs}, key=len, reverse=True)
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    if before:
        # The approximator may carry a clitic (لنحو، بأكثر من، ولما يقارب).
        return re.compile(r"(?:^|(?<=[\s(«\"“'،,:]))(?:[وف]?[بلك]?)(" + alts + r")\s*$")
    return re.compile(r"^\s*[،,]?\s*(" + alts + r")(?![^\W\d_])")


@lru_cache(maxsize=1)
def _lex() -> _Lex:
    return _Lex()


# Number words.  Kinds: U (1-10), X (tens), H (hundreds), S (scale), SD (dual scale),
# SA (scale with final alef: accusative after a number, dual construct alone),
# SP (plural scale: after 3-10, vague alone), F (fraction), T (the -عشر of a teen).
def _number_words() -> dict[str, tuple[str, float]]:
    w: dict[str, tuple[str, float]] = {}

    def add(kind: str, value: float, *forms: str) -> None:
        for form in forms:
            w[fold(form)] = (kind, value)

    add("U", 0, "صفر")
    add("U", 1, "واحد", "واحدة", "واحدا", "واحداً")
    add("U", 2, "اثنان", "اثنين", "اثنا", "اثني", "اثنتان", "اثنتين", "اثنتا", "اثنتي", "إثنان", "إثنين")
    units = {3: ("ثلاث", "ثلاثة"), 4: ("أربع", "أربعة"), 5: ("خمس", "خمسة"), 6: ("ست", "ستة"),
             7: ("سبع", "سبعة"), 8: ("ثمان", "ثماني", "ثمانية", "ثمانى"), 9: ("تسع", "تسعة")}
    for v, forms in units.items():
        add("U", v, *forms)
    add("U", 10, "عشر", "عشرة")
    add("U1", 1, "أحد", "إحدى", "احدى")
    tens = {20: "عشر", 30: "ثلاث", 40: "أربع", 50: "خمس", 60: "ست", 70: "سبع", 80: "ثمان", 90: "تسع"}
    for v, stem in tens.items():
        add("X", v, stem + "ون", stem + "ين")
    add("H", 100, "مئة", "مائة", "مئه", "مائه", "ميه")
    add("H", 200, "مئتان", "مئتين", "مئتا", "مئتي", "مائتان", "مائتين", "مائتا", "مائتي")
    for v, stems in units.items():
        for stem in stems[:1] + (("ثماني",) if v == 8 else ()):
            add("H", v * 100, stem + "مئة", stem + "مائة", stem + "مئه", stem + "مائه")
    for v, base, dual, acc, dual_c, plural in (
        (1e3, ("ألف",), ("ألفان", "ألفين"), ("ألفا", "ألفاً"), ("ألفي",), ("آلاف", "ألاف")),
        (1e6, ("مليون",), ("مليونان", "مليونين"), ("مليونا", "مليوناً"), ("مليوني",), ("ملايين",)),
        (1e9, ("مليار", "بليون"), ("ملياران", "مليارين", "بليونان", "بليونين"), ("مليارا", "ملياراً", "بليونا"),
         ("ملياري", "بليوني"), ("مليارات", "بلايين")),
        (1e12, ("تريليون", "ترليون"), ("تريليونان", "تريليونين"), ("تريليونا",), ("تريليوني",), ("تريليونات",)),
    ):
        add("S", v, *base)
        add("SD", v, *dual, *dual_c)
        add("SA", v, *acc)
        add("SP", v, *plural)
    add("F", 0.5, "نصف")
    add("F", 1 / 3, "ثلث")
    add("F", 0.25, "ربع")
    return w


_WORDS = _number_words()
_TEEN_TAIL = frozenset({fold("عشر"), fold("عشرة")})
_VAGUE = {fold(k): v for k, v in {"عشرات": 10, "مئات": 100, "آلاف": 1e3, "ألوف": 1e3, "ملايين": 1e6,
                                 "مليارات": 1e9, "بلايين": 1e9}.items()}
_VAGUE_DEF = {"ال" + k: v for k, v in _VAGUE.items()}
_ORDINAL_BEFORE_TEEN = frozenset(fold(w) for w in (
    "الحادي", "حادي", "الثاني", "ثاني", "الثالث", "ثالث", "الرابع", "رابع", "الخامس", "خامس",
    "السادس", "سادس", "السابع", "سابع", "الثامن", "ثامن", "التاسع", "تاسع", "الحادية", "الثانية",
    "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة", "الثامنة", "التاسعة"))
_WINDOW_MARKERS = frozenset(fold(w) for w in (
    "أعلى", "أدنى", "أقل", "أكبر", "أسوأ", "أفضل", "أول", "لأول", "مستوى", "مستويات", "أطول", "أقصر",
    "أسرع", "أبطأ", "أكثر"))
_ONE_AFTER = frozenset(fold(w) for w in ("واحد", "واحدة", "واحدا", "واحداً"))
_TWO_AFTER = frozenset(fold(w) for w in ("اثنين", "اثنان", "اثنتين", "اثنتان"))
_CLITICS = ("وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")
_RANGE_SEPS = frozenset({"-", "ـ", "–", "—", "/", "ـ-"})
_PCT_SIGNS = frozenset({"%", "٪"})
_RANGE_TO = frozenset(fold(w) for w in ("إلى", "الى", "حتى", "لغاية"))
# «ارتفع/زيادة … من 10 إلى 11%» is a change between two values, not a range.
_CHANGE_STEMS = tuple(fold(w) for w in (
    "رتفع", "رتفاع", "زياد", "زداد", "رفع", "خفض", "خفاض", "خفيض", "تراجع", "هبط", "هبوط", "قفز",
    "صعد", "صعود", "قلص", "تضاعف", "ضاعف", "تحسن", "تحول", "انتقل", "تغير", "تعديل"))
# Whole words only: «زاد» is also in «مزاد», «نما» in «بينما».
_CHANGE_WORDS = frozenset(fold(w) for w in ("زاد", "زادت", "يزيد", "تزيد", "نما", "نمت", "ينمو", "تنمو"))

_TOKEN_RE = re.compile(
    r"\d+ر\d+(?![^\W\d_])"
    r"|\d+،\d{1,2}(?!\d)"
    r"|\d{1,3}\. \d{1,2}(?=\s*(?:[-–—/]|\d|مليو|مليا|بليو|الف|الاف|بالم|في الم|[%٪]))"
    r"|\d+(?:[.,]\d+)*"
    r"|[^\W\d_]+"
    r"|\S"
)
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_LATIN = re.compile(r"[A-Za-z]")
_HAS_TRIGGER = re.compile(
    r"\d|عشر|ثلاث|اربع|خمس|ست|سبع|ثمان|تسع|اثن|واحد|مي|ماي|الف|الاف|مليو|ملاي|مليا|بليو|بلاي|نصف|ثلث|ربع"
    r"|ين\b|ان\b|[%٪$€£]"
)


# --------------------------------------------------------------------------------------
# Candidates


@dataclass
class _Cand:
    """A claim found on the normalized text (normalized offsets)."""

    start: int
    end: int
    num_start: int
    num_end: int
    value: float | None
    unit: str | None
    kind: str
    currency: str | None
    vague: bool
    bound: str | None


class _Scanner:
    """Reads the quantities of one normalized text."""

    def __init__(self, norm: Normalized, strict: bool, bare: bool = False) -> None:
        self.lex = _lex()
        self.norm = norm
        self.text = norm.text
        self.strict = strict
        self.bare = bare  # strict, but a number without a noun is still read
        self.toks = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(self.text)]
        self.n = len(self.toks)

    # -- token helpers -------------------------------------------------------------------

    def tok(self, i: int) -> str:
        return self.toks[i][2] if 0 <= i < self.n else ""

    def is_word(self, i: int) -> bool:
        return 0 <= i < self.n and self.toks[i][2][0].isalpha()

    def glued(self, i: int, j: int) -> bool:
        """True when tokens i and j touch (no space between)."""
        return 0 <= i < self.n and 0 <= j < self.n and self.toks[i][1] == self.toks[j][0]

    def orig(self, a: int, b: int) -> str:
        s, e = self.norm.span(a, b)
        return self.norm.original[s:e]

    def gap(self, i: int, j: int) -> str:
        """The original text between tokens i and j (characters normalization dropped, too)."""
        s = self.norm.end(self.toks[i][1])
        e = self.norm.start(self.toks[j][0])
        return self.norm.original[s:e]

    @staticmethod
    def variants(word: str) -> list[str]:
        out = [word]
        for c in _CLITICS:
            if word.startswith(c) and len(word) > len(c) + 1:
                out.append(word[len(c):])
        return out

    # -- number grammar ------------------------------------------------------------------

    def digits(self, i: int) -> tuple[float, float | None] | None:
        """Value of the digit token i, and the thousands reading of ``20.000`` if ambiguous."""
        s, e, t = self.toks[i]
        raw = self.norm.original[self.norm.start(s):self.norm.end(e)]
        t = t.replace(" ", "")
        if "،" in t:
            # «2،8 بالمائة»: the Arabic comma written as the decimal separator (Maghreb).
            a, b = t.split("،")
            return float(a + "." + b), None
        if "ر" in t:
            # «5ر32» is 32.5: some outlets write the decimal with ر, halves in display order.
            whole, frac = t.split("ر")[1], t.split("ر")[0]
            return float(whole + "." + frac), None
        if "." in t and "," in t:
            # Both marks: the one written last is the decimal mark when the groups before it
            # are thousands (three digits): «1,234.5» = 1234.5, «1.234,5» = 1234.5 (Maghreb).
            last = "," if t.rfind(",") > t.rfind(".") else "."
            other = "." if last == "," else ","
            head, _, frac = t.rpartition(last)
            groups = head.split(other)
            if last not in head and frac and all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
                return float("".join(groups) + "." + frac), None
            try:
                return float(t.replace(",", "")), None
            except ValueError:
                return None
        if "," in t:
            parts = t.split(",")
            if all(len(p) == 3 for p in parts[1:]):
                return float("".join(parts)), None
            if len(parts) == 2:
                return float(parts[0] + "." + parts[1]), None
            return None
        if "." in t:
            parts = t.split(".")
            if len(parts) > 2:
                if all(len(p) == 3 for p in parts[1:]):
                    return float("".join(parts)), None
                return None
            if any(ch in INVISIBLE for ch in raw):
                # A right-to-left mark inside the number reordered its halves on display
                # («2.‏1» is read 1.2 in the source): put them back.
                return float(parts[1] + "." + parts[0]), None
            value = float(t)
            if len(parts[1]) == 3 and "٫" not in raw:
                return value, float(parts[0] + parts[1])
            return value, None
        return float(t), None

    def atom(self, form: str, i: int) -> tuple[str, float] | None:
        if form[0].isdecimal():
            d = self.digits(i)
            return None if d is None else ("D", d[0])
        return _WORDS.get(form)

    def parse_number(self, i: int, first_form: str) -> dict[str, Any] | None:
        """Parses the number starting at token i. Returns its value and extent."""
        first = self.atom(first_form, i)
        if first is None:
            return None
        kind, val = first
        total = 0.0
        group: float | None = None
        glast = ""
        last_scale = math.inf
        after_scale = False
        alt: float | None = None
        words = kind != "D"
        has_scale = False
        pos = i + 1
        if kind == "D":
            group, glast = val, "D"
            alt = self.digits(i)[1]  # type: ignore[index]
        elif kind in ("U", "X", "H"):
            group, glast = val, kind
        elif kind == "U1":
            if self.tok(pos) not in _TEEN_TAIL:
                return None
            group, glast = 11.0, "T"
            pos += 1
        elif kind in ("S", "SD", "SA"):
            mult = 2 if kind == "SD" else 1
            if kind == "SA":
                tail = self.orig(self.toks[i][0], self.toks[i][1])
                mult = 1 if "\u064b" in tail else 2
            total, last_scale, after_scale, has_scale = mult * val, val, True, True
            glast = "S"
        elif kind == "F":
            nxt = _WORDS.get(self.tok(pos))
            if nxt is None or nxt[0] not in ("S", "SA"):
                return None
            total, last_scale, after_scale, has_scale = val * nxt[1], nxt[1], True, True
            glast = "S"
            pos += 1
        else:
            return None
        end = pos
        rollback: int | None = None  # where the number ends if the group after «و» is cut off
        while pos < self.n:
            t = self.tok(pos)
            conn = False
            step = 1
            if t == "و" and pos + 1 < self.n:
                form, conn, step = self.tok(pos + 1), True, 2
            elif len(t) > 2 and t[0] == "و" and t[1:] in _WORDS:
                form, conn = t[1:], True
            else:
                form = t
            if not form:
                break
            if not conn:
                if glast == "U" and group is not None and 1 <= group % 100 <= 9 and form in _TEEN_TAIL:
                    group += 10
                    glast = "T"
                elif glast == "U" and group is not None and 3 <= group <= 9 and _WORDS.get(form) == ("H", 100):
                    group *= 100
                    glast = "H"
                else:
                    a = _WORDS.get(form)
                    if a is None or a[0] not in ("S", "SA", "SP") or group is None or after_scale:
                        break
                    s = a[1]
                    if s >= last_scale:
                        if rollback is not None:
                            # «5 ملايين و6 ملايين»: two numbers, not 5,000,006; stop before «و».
                            end, group = rollback, None
                        break
                    if a[0] == "SP" and not (3 <= group <= 10):
                        break
                    total += group * s
                    group, glast, last_scale, after_scale, has_scale = None, "S", s, True, True
                    alt = None
                    rollback = None
                pos += step
                end = pos
                continue
            a = self.atom(form, pos + step - 1) if form[0].isdecimal() or form in _WORDS else None
            if a is None:
                break
            k, v = a
            if after_scale:
                if k == "F":
                    total += v * last_scale
                    pos += step
                    end = pos
                    nxt = _WORDS.get(self.tok(pos))
                    if nxt is not None and nxt[0] in ("S", "SA") and nxt[1] == last_scale:
                        pos += 1
                        end = pos
                    break
                if k in ("S", "SD", "SA") and v < last_scale:
                    mult = 2 if k == "SD" else 1
                    total += mult * v
                    last_scale = v
                    alt = None
                elif k in ("D", "U", "X", "H") and v < last_scale:
                    group, glast, after_scale = v, k, False
                    words = words or k != "D"
                    rollback = end
                elif k == "U1" and self.tok(pos + step) in _TEEN_TAIL:
                    group, glast, after_scale = 11.0, "T", False
                    step += 1
                else:
                    break
            elif group is not None:
                if glast == "U" and k == "X" and 1 <= group % 100 <= 9:
                    group += v
                    glast = "X"
                elif glast == "H" and k in ("U", "X") and group % 100 == 0:
                    group += v
                    glast = k
                elif glast == "H" and k == "U1" and self.tok(pos + step) in _TEEN_TAIL:
                    group += 11
                    glast = "T"
                    step += 1
                else:
                    break
            else:
                break
            pos += step
            end = pos
        value = total + (group or 0.0)
        return {
            "value": value, "end": end, "has_scale": has_scale, "words": words,
            "alt": alt if not has_scale and end == i + 1 else None,
            "first": kind, "first_value": val, "single": end == i + 1,
        }

    # -- context -------------------------------------------------------------------------

    def bound_before(self, start: int) -> tuple[str | None, int]:
        """The bound an approximator before normalized offset ``start`` gives, and where it starts."""
        window = self.text[max(0, start - 40):start]
        m = self.lex.approx_re.search(window)
        if not m:
            return None, start
        word = re.sub(r"\s+", " ", m.group(1))
        return self.lex.approx_bound.get(word, "~"), start - len(window) + m.start()

    def bound_after(self, end: int) -> str | None:
        m = self.lex.approx_after_re.search(self.text[end:end + 30])
        if not m:
            return None
        return self.lex.approx_bound.get(re.sub(r"\s+", " ", m.group(1)), "~")

    def tok_before(self, offset: int) -> int:
        """Index of the last token that ends at or before normalized ``offset``."""
        lo, hi = 0, self.n
        while lo < hi:
            mid = (lo + hi) // 2
            if self.toks[mid][1] <= offset:
                lo = mid + 1
            else:
                hi = mid
        return lo - 1

    def percent_at(self, j: int) -> int | None:
        """Token index after a percent expression starting at j, else None."""
        t = self.tok(j)
        if t in _PCT_SIGNS and self.sign_goes_after(j):
            return None
        if t in self.lex.percent_one:
            return j + 1
        if (t, self.tok(j + 1)) in self.lex.percent_two:
            return j + 2
        return None

    def sign_goes_after(self, p: int) -> bool:
        """True when the percent sign token p belongs to the number after it.

        Typed right to left, the sign comes first and touches its number («٪40»); a sign
        that touches the number after it and not a number before it is that number's
        (the number before, «خمسة آلاف ٪40», gets no unit from it).
        """
        return self.glued(p, p + 1) and self.tok(p + 1)[:1].isdecimal() and not (
            self.glued(p - 1, p) and self.tok(p - 1)[:1].isdecimal())

    def noun_ok(self, j: int, definite_ok: bool = False) -> bool:
        if not self.is_word(j):
            return False
        t = self.tok(j)
        if len(t) < 2 or t in self.lex.stopwords or t in self.lex.months:
            return False
        if any(v in _WORDS for v in self.variants(t)):
            return False
        # A future verb (ستقوم، سيتم) after a number is not what it counts.
        if t[:2] in ("ست", "سي", "سن") and len(t) >= 5 and not t.endswith(("ا", "ه", "ات")) \
                and not self.known_noun(j):
            return False
        if not _ARABIC_LETTER.match(t):
            return False
        if t.startswith("ال") and len(t) > 3 and not definite_ok:
            return False
        # A preposition glued to an article (للمهرجان، بالمدينة) starts a new phrase.
        if t.startswith(("لل", "بال", "وال", "فال", "كال")) and len(t) > 4:
            return False
        return True

    def known_noun(self, j: int) -> bool:
        t = self.tok(j)
        return t in self.lex.noun_index or t[:-1] in self.lex.noun_index or self.plural_like(t)

    def plural_like(self, t: str) -> bool:
        lx = self.lex
        if t.startswith("ال"):
            t = t[2:]
        if t in lx.plurals or t in lx.measure_units or t in lx.currencies:
            return True
        if t in lx.singulars:
            return False
        return len(t) >= 5 and t.endswith(("ات", "ين", "ون"))

    # -- unit ----------------------------------------------------------------------------

    def unit_of(self, j: int, value: float | None, dual: bool = False) -> tuple[str | None, str, str | None, int]:
        """Singular unit, kind, currency and the token index after the unit phrase."""
        lx = self.lex
        t = self.tok(j)
        key = t[2:] if t.startswith("ال") and len(t) > 3 else t
        end = j + 1
        orig = self.orig(self.toks[j][0], self.toks[j][1])
        acc = value is not None and 11 <= value % 100 <= 99
        unit = singular(orig, accusative=acc, dual=dual)
        ukey = fold(unit)
        for table_key in (key, key[:-1] if key.endswith("ا") else None):
            if table_key and table_key in lx.currencies:
                code, adjs = lx.currencies[table_key]
                adj = self.tok(j + 1)
                if adj in adjs:
                    code = adjs[adj]
                return unit, "money", code, end
        if key in lx.measure_units or (key.endswith("ا") and key[:-1] in lx.measure_units) or ukey in lx.measure_units:
            if self.tok(end) in lx.area_suffixes:
                unit = unit + " " + singular(self.orig(self.toks[end][0], self.toks[end][1]), accusative=True)
                end += 1
            return unit, "measure", None, end
        if ukey in lx.time_units or key in lx.time_units:
            return unit, "duration", None, end
        return unit, "count", None, end

    # -- scanning ------------------------------------------------------------------------

    def scan(self) -> list[_Cand]:
        out: list[_Cand] = []
        i = 0
        while i < self.n:
            res = self.try_at(i)
            if res is None:
                i += 1
                continue
            cand, nxt = res
            # Claims never overlap: a candidate that reaches back into the previous claim
            # (a sign or a symbol already used by it) is dropped.
            if cand is not None and not (out and cand.start < out[-1].end):
                out.append(cand)
            i = max(nxt, i + 1)
        return out

    def try_at(self, i: int) -> tuple[_Cand | None, int] | None:
        t = self.tok(i)
        c = t[0]
        if c.isdecimal():
            return self.number_claim(i, t)
        if c in "$€£":
            if i + 1 < self.n and self.tok(i + 1)[0].isdecimal() and self.glued(i, i + 1):
                return self.number_claim(i + 1, self.tok(i + 1), symbol=i)
            return None
        if not c.isalpha():
            return None
        for v in self.variants(t):
            if v in _WORDS and _WORDS[v][0] != "SP":
                return self.number_claim(i, v)
        for v in self.variants(t):
            if v in _VAGUE or v in _VAGUE_DEF:
                return self.vague_claim(i, v)
        res = self.dual_claim(i, t)
        if res is not None:
            return res
        if self.tok(i + 1) in _ONE_AFTER and self.noun_ok(i) and (
                not t.endswith("ي") or t in self.lex.noun_index) and self.tok(i - 1) not in self.lex.currencies:
            return self.one_claim(i)
        return None

    def context_ok(self, i: int, j_end: int, kind: str, unit: str | None, num_start_tok: int,
                   value: float | None, single_digits: bool, noun: int | None,
                   after_num: int | None = None) -> bool:
        """Applies the guideline's exclusions (dates, years, times, ages, anchors, names)."""
        if not self.strict:
            return True
        lx = self.lex
        s0 = self.toks[num_start_tok][0]
        bound, bstart = self.bound_before(s0)
        p = self.tok_before(bstart if bound else s0)
        prev = self.tok(p)
        prev_v = self.variants(prev)
        prev_stripped = prev_v[-1] if len(prev_v) > 1 else prev
        near = {v for k in range(max(0, p - 3), p + 1) for v in self.variants(self.tok(k))}
        # Definite numbers refer back (الـ20 عاما، بالـ3).
        if p >= 0 and self.glued(p, num_start_tok) and prev.endswith("ال"):
            return False
        an = j_end if after_num is None else after_num
        if prev in lx.time_words or self.tok(an) in lx.time_after:
            return False
        if self.tok(an) == ":" and self.tok(an + 1)[:1].isdecimal():
            return False
        if p >= 0 and self.tok(p) in _ORDINAL_BEFORE_TEEN:
            return False
        # «أول حفلين», «آخر 100 يوم» name a window, not a quantity.
        if prev in ("اول", "اخر", "لاول", "باول", "لاخر"):
            return False
        if kind == "duration":
            if prev in lx.anchors or prev_stripped in lx.anchors:
                return False
            # «أعلى مستوى في 4 أشهر», «لأول مرة في ست سنوات»: a window, not a duration.
            if prev in ("في", "وفي") and {self.tok(k) for k in range(max(0, p - 3), p)} & _WINDOW_MARKERS:
                return False
            if self.tok(j_end) in lx.window_after:
                return False
            if unit is not None and fold(unit) in ("سنه", "عام", "شهر", "سنوات"):
                if near & lx.age_words or prev in ("عن",):
                    return False
                if prev == "(" and self.tok(j_end) == ")":
                    return False
        if single_digits:
            s, e, t = self.toks[num_start_tok]
            # Numbers glued to Latin letters, hyphens or plus signs are names (F-16، تو-95، 5+1).
            before = self.text[max(0, s - 2):s]
            after = self.text[e:e + 2]
            if (len(before) == 2 and ((before[1] == "-" and before[0].isalpha()) or (before[1] == "+" and before[0].isdecimal()))) \
                    or (len(after) == 2 and ((after[0] == "-" and after[1].isalpha()) or (after[0] == "+" and after[1].isdecimal()))) \
                    or (before[-1:] and _LATIN.match(before[-1:])) or (after[:1] and _LATIN.match(after[:1])):
                return False
            if "." not in t and "," not in t and value is not None and value.is_integer():
                v = int(value)
                is_year_range = 1900 <= v <= 2100 or (1300 <= v <= 1500 and self.tok(j_end) in lx.year_suffixes)
                if is_year_range:
                    if noun is None or not self.known_noun(noun) or prev in lx.year_words \
                            or prev_stripped in lx.year_words or (prev == "و" and self.tok(p - 1)[:1].isdecimal()) \
                            or prev in lx.months or prev == "في" or self.tok(j_end) in lx.year_suffixes:
                        return False
                if kind not in ("money", "percent", "measure") and prev in lx.name_heads and (
                        noun is None or not self.known_noun(noun)):
                    return False
        return True

    def range_intro(self, k: int) -> str | None:
        """``بين`` or ``من`` when the word before token k opens a range of two numbers.

        «من … إلى» after a word of change («ارتفع من 10 إلى 11%») gives two values, the
        old and the new, not a range: ``None`` then.
        """
        if k < 1:
            return None
        variants = self.variants(self.tok(k - 1))
        if "بين" in variants:
            return "بين"
        if "من" not in variants:
            return None
        for b in range(k - 2, max(-1, k - 12), -1):
            t = self.tok(b)
            if not (self.is_word(b) or t[:1].isdecimal()):
                break  # the clause ends at a punctuation mark
            if any(stem in t for stem in _CHANGE_STEMS) or any(v in _CHANGE_WORDS for v in self.variants(t)):
                return None
        return "من"

    def year_like(self, k: int, value: float | None) -> bool:
        """True when token k is a plain integer that reads as a year (1900-2100)."""
        t = self.tok(k)
        return t.isdecimal() and value is not None and 1900 <= value <= 2100

    def date_after(self, j: int) -> bool:
        t = self.tok(j)
        if t in self.lex.months:
            return True
        if t == "من" and self.tok(j + 1) in self.lex.months:
            return True
        if t == "/" and self.tok(j + 1)[:1].isdecimal():
            return True
        return False

    def number_claim(self, i: int, form: str, symbol: int | None = None) -> tuple[_Cand | None, int] | None:
        num = self.parse_number(i, form)
        if num is None:
            return None
        lx = self.lex
        j = num["end"]
        value = num["value"]
        first = num["first"]
        start_tok = symbol if symbol is not None else i
        vague = False
        is_range = False
        # «بين 20 و30 شخصا», «من 20 إلى 30 شخصا»: a range opened by a word before the number.
        intro = self.range_intro(start_tok)
        intro_range = False
        years = [self.year_like(i, value)]
        alone = (num, j)  # the first number alone, if the range turns out not to be one
        # Ranges and lists: «1.6 ـ 1.8 مليون دولار», «ثلاثة أو أربعة أيام», «32/64/128».
        while j < self.n:
            t = self.tok(j)
            nxt: int | None = None
            f2 = ""
            if not num["has_scale"]:
                sep = self.gap(j - 1, j).strip()
                if t == "او" and j + 1 < self.n:
                    nxt = j + 1
                elif t in ("/", "-") or (sep in _RANGE_SEPS and t[:1].isdecimal()):
                    nxt = j + 1 if t in ("/", "-") else j
            if nxt is None and intro is not None and not is_range:
                if (t in _RANGE_TO or (intro == "بين" and t == "و")) and j + 1 < self.n:
                    nxt = j + 1
                elif intro == "بين" and len(t) > 2 and t[0] == "و" and t[1:] in _WORDS:
                    nxt, f2 = j, t[1:]
                intro_range = nxt is not None
            if nxt is None:
                break
            f2 = f2 or self.tok(nxt)
            if not f2 or not (f2[0].isdecimal() or f2 in _WORDS) or (f2[0].isdecimal() != form[0].isdecimal()):
                break
            second = self.parse_number(nxt, f2)
            if second is None:
                break
            if t == "/" and (value <= 31 and second["value"] <= 12 or value >= 1900 or second["value"] >= 1900):
                return None, second["end"]
            if intro_range:
                years.append(self.year_like(nxt, second["value"]))
            num = second
            j = second["end"]
            is_range = True
        intro_range = intro_range and is_range
        if intro_range and years[0] != years[-1]:
            # «من 2016 إلى 1.4 مليار دولار»: a year, then the quantity; not a range.
            (num, j), is_range, intro_range = alone, False, False
        if is_range:
            value = None
        if self.strict and self.date_after(j):
            return None, j
        has_scale = num["has_scale"]
        num_start = self.toks[i][0]
        num_end = self.toks[j - 1][1]
        start = self.toks[start_tok][0]
        end = num_end
        unit: str | None = None
        kind = "count"
        currency: str | None = None
        noun: int | None = None
        pct_end = self.percent_at(j)
        pct_before = i > 0 and self.tok(i - 1) in _PCT_SIGNS and self.sign_goes_after(i - 1)
        if pct_end is not None or pct_before:
            unit, kind = "%", "percent"
            if pct_end is not None:
                end = self.toks[pct_end - 1][1]
                jj = pct_end
            else:
                start = self.toks[i - 1][0]
                jj = j
        elif symbol is not None or self.tok(j) in lx.currency_symbols:
            sym = self.tok(symbol) if symbol is not None else self.tok(j)
            unit, kind, currency = sym, "money", lx.currency_symbols[sym]
            jj = j if symbol is not None else j + 1
            end = self.toks[jj - 1][1]
        else:
            jn = j
            if self.tok(j) == "من" and self.is_word(j + 1) \
                    and not (first == "U" and num["first_value"] in (0, 1) and num["single"]) \
                    and self.plural_like(self.tok(j + 1)):
                jn = j + 1
                noun_ok = self.noun_ok(jn, definite_ok=True)
            else:
                noun_ok = self.noun_ok(jn)
            if noun_ok and num["words"] and not has_scale and value is not None and 2 <= value <= 10 \
                    and not self.plural_like(self.tok(jn)):
                noun_ok = False
            if noun_ok and first == "U" and num["first_value"] in (0, 1) and num["single"]:
                noun_ok = False
            # «مليونا عام 2013»: the year phrase is not the counted noun.
            if noun_ok and self.tok(jn) in ("عام", "سنه") and self.tok(jn + 1)[:1].isdecimal():
                noun_ok = False
            # «ألفا» alone is a dual construct («ألفا جندي») only before a known noun.
            if noun_ok and first == "SA" and num["single"] and not self.known_noun(jn):
                noun_ok = False
            if noun_ok:
                noun = jn
                unit, kind, currency, jj = self.unit_of(jn, value)
                end = self.toks[jj - 1][1]
            else:
                jj = j
                if not has_scale and self.strict and not self.bare:
                    return None, j
        if value is not None and num["alt"] is not None and kind == "count":
            value = num["alt"]
        # «من 2010 إلى 2015», «بين 2006 و2017»: a span of years is not a claim.
        if intro_range and self.strict and (any(years) and (noun is None or not self.known_noun(noun))
                                            or self.tok(j) in lx.year_suffixes):
            return None, jj
        ok = self.context_ok(i, jj, kind, unit, i, value, num["single"] and first == "D" and not is_range,
                             noun, j)
        if not ok:
            return None, jj
        bound, _ = self.bound_before(start)
        after = self.bound_after(end)
        if bound is None and after is not None:
            bound = after
        if bound is None and not is_range:
            bound = "="
        return _Cand(start, end, num_start, num_end, value, unit, kind, currency, vague, bound), jj

    def vague_claim(self, i: int, form: str) -> tuple[_Cand | None, int] | None:
        definite = form in _VAGUE_DEF
        j = i + 1
        has_scale = False
        if self.tok(j) in _VAGUE_DEF or self.tok(j) in _VAGUE:
            j += 1
            has_scale = True
        if self.tok(j) == "من":
            if not self.noun_ok(j + 1, definite_ok=True):
                return None, j
            noun = j + 1
        elif definite:
            return None, j
        elif self.noun_ok(j, definite_ok=True):
            noun = j
        elif has_scale:
            noun = None
        else:
            return None, j
        start, num_end = self.toks[i][0], self.toks[j - 1][1]
        if noun is not None:
            unit, kind, currency, jj = self.unit_of(noun, None)
        else:
            unit, kind, currency, jj = None, "count", None, j
        end = self.toks[jj - 1][1]
        bound, _ = self.bound_before(start)
        return _Cand(start, end, start, num_end, None, unit, kind, currency, True, bound), jj

    def dual_claim(self, i: int, t: str) -> tuple[_Cand | None, int] | None:
        lx = self.lex
        if t.startswith("ال") or t in lx.dual_stop or len(t) < 4:
            return None
        unit: str | None = None
        variants = self.variants(t)
        if any(v.startswith("ال") for v in variants):
            return None
        for v in variants:
            if v in lx.dual_stop or len(v) < 4 or v in _WORDS:
                continue
            if v in lx.plurals:
                return None
            if v.endswith(("تين", "تان")) and v[:-3] + "ه" in lx.singulars:
                unit = lx.noun_index[v[:-3] + "ه"]
            elif v.endswith("ان") and len(v) >= 5 and v[:-2] in lx.singulars:
                unit = lx.noun_index[v[:-2]]
            elif v.endswith("ين") and len(v) >= 5 and v[:-2] in lx.singulars and v[:-2] not in lx.human:
                # -ين is also the sound masculine plural of human nouns (مسلحين).
                unit = lx.noun_index[v[:-2]]
            if unit is not None:
                break
        if unit is None:
            # Any feminine dual in -تين/-تان (ممرضتين); the clitic-stripped reading first.
            for v in reversed(variants):
                # Foreign names end like duals (جوستين، فالنتين، بروتين): leave those stems out.
                if len(v) >= 5 and v.endswith(("تين", "تان")) and v not in lx.dual_stop \
                        and not v.endswith(("ستين", "نتين", "وتين")) \
                        and not v.endswith("ستان") and not v[:-3].endswith(("ي", "ا", "و")) and v not in _WORDS:
                    o = self.orig(self.toks[i][0] + len(t) - len(v), self.toks[i][1])
                    unit = fold(o, letters=False)[:-3] + "ة"
                    break
        if unit is None:
            return None
        j = i + 1
        # A dual adjective (قاعدتين عسكريتين) or «اثنين» stays in the claim.
        nxt = self.tok(j)
        if nxt in _TWO_AFTER:
            j += 1
        elif self.is_word(j) and not nxt.startswith("ال") and len(nxt) >= 5 and nxt not in lx.stopwords \
                and nxt not in lx.dual_stop and nxt not in _WORDS and (
                    nxt.endswith(("تين", "تان", "يين", "يان"))
                    or (nxt.endswith(("ين", "ان")) and nxt[0] not in "يت")):
            j += 1
        ukey = fold(unit)
        kind = "duration" if ukey in lx.time_units else ("measure" if ukey in lx.measure_units else "count")
        currency = None
        if ukey in lx.currencies:
            kind = "money"
            code, adjs = lx.currencies[ukey]
            currency = code
        if not self.context_ok(i, j, kind, unit, i, 2.0, False, i):
            return None, j
        start, end = self.toks[i][0], self.toks[j - 1][1]
        bound, _ = self.bound_before(start)
        return _Cand(start, end, start, self.toks[i][1], 2.0, unit, kind, currency, False, bound or "="), j

    def one_claim(self, i: int) -> tuple[_Cand | None, int] | None:
        unit, kind, currency, jj = self.unit_of(i, 1.0)
        if jj != i + 1:
            return None
        if not self.context_ok(i, i + 2, kind, unit, i, 1.0, False, i):
            return None, i + 2
        start, end = self.toks[i][0], self.toks[i + 1][1]
        bound, _ = self.bound_before(start)
        return _Cand(start, end, self.toks[i + 1][0], end, 1.0, unit, kind, currency, False, bound or "="), i + 2


# --------------------------------------------------------------------------------------
# Singular of the counted noun


def singular(word: str, accusative: bool = False, dual: bool = False) -> str:
    """The singular of a counted noun, as a word (``صواريخ`` → ``صاروخ``).

    Uses the lexicon of common news nouns (``arquote/data/numbers_nouns.tsv``), then falls
    back on stripping the article, a glued clitic of a dual, the accusative alef and the
    sound plural endings.

    Args:
        word: The noun as written in the text (diacritics allowed).
        accusative: The noun follows 11-99, so a final alef is the accusative ending.
        dual: The word is a dual (``طفلين``).

    Example:
        >>> singular("الأوكار"), singular("هجوماً", accusative=True), singular("أميركيين")
        ('وكر', 'هجوم', 'أميركي')
    """
    lx = _lex()
    w = fold(word, letters=False)
    tanwin = "\u064b" in word
    key = fold(w)
    if len(w) != len(key):
        w = key
    if w.startswith("ال") and len(w) > 3:
        w, key = w[2:], key[2:]
    hit = lx.noun_index.get(key)
    if hit:
        return hit
    if key.endswith("ا") and len(key) > 2:
        hit = lx.noun_index.get(key[:-1])
        if hit:
            return hit
        if accusative or tanwin:
            return w[:-1]
    if key.endswith("ات") and len(key) > 4:
        return w[:-2] + "ة"
    if key.endswith(("ين", "ون")) and len(key) > 4:
        if key[:-2] in lx.singulars:
            return lx.noun_index[key[:-2]]
        if _sound_masculine_plural(key):
            return w[:-2]
    # No singular known: the word as written, never an invented stem (رهائن, not رها).
    return w


def _sound_masculine_plural(key: str) -> bool:
    """True when the folded ``key`` in -ين/-ون is a regular sound masculine plural.

    Broken plurals end the same way (سكاكين، ميادين، رهائن، قوانين) and so do singulars
    (قانون، مخزون، تلفزيون); only the regular shapes are cut: a relative adjective in
    -يين (فلسطينيين), a participle in م- (مهندسين، متطوعون), an active participle
    فاعلين (ناخبين).
    """
    stem = key[:-2]
    if len(stem) < 4:
        return False  # رهائن، زبائن، قانون، مخزون
    if key.endswith("ين") and len(key) == 6 and key[2] == "ا":
        return False  # فعاليل / مفاعيل: سكاكين، ميادين، مساكين، براكين
    if key.endswith("يين"):
        return True
    if stem[0] == "م" and stem[1] != "ا":
        return True
    return key.endswith("ين") and len(stem) == 4 and stem[1] == "ا"


# --------------------------------------------------------------------------------------
# Public API


def _check_text(text: Any, name: str = "text") -> None:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str (Arabic text), got {type(text).__name__}")


def _claim(norm: Normalized, c: _Cand, score: float | None = None) -> NumericClaim:
    text = norm.original
    s, e = norm.span(c.start, c.end)
    ns, ne = norm.span(c.num_start, c.num_end)
    approx = c.bound not in (None, "=")
    return NumericClaim(
        Span.of(text, s, e, "NUM", score), c.value, c.unit, approx, c.vague, c.kind, c.currency,
        None, None, c.bound, Span.of(text, ns, ne, "NUM"),
    )


def find_claims(text: str) -> list[NumericClaim]:
    """Finds the numeric claims of a running text with rules (no model).

    Follows the NUM part of ``docs/annotation.md``: a cardinal quantity and what it counts;
    dates, years, times, ages, ordinals, numbers in names, definite back-references and
    time anchors are left out. ``claimant`` and ``quote`` stay ``None`` (the linker sets
    them).

    Args:
        text: The user's text (not modified).

    Returns:
        The claims in text order; spans index ``text`` exactly.

    Raises:
        TypeError: ``text`` is not a ``str``.

    Example:
        >>> [(c.text, c.value, c.unit) for c in find_claims("وأصيب 9 أشخاص بينهم 5 أميركيين")]
        [('9 أشخاص', 9.0, 'شخص'), ('5 أميركيين', 5.0, 'أميركي')]
    """
    _check_text(text)
    if not text:
        return []
    norm = normalize(text)
    if not _HAS_TRIGGER.search(norm.text):
        return []
    return [_claim(norm, c) for c in _Scanner(norm, strict=True).scan()]


def parse_quantity(phrase: str) -> Quantity | None:
    """Reads the first quantity of one phrase (no guideline exclusions applied).

    Args:
        phrase: A short phrase such as ``«نحو 3 ملايين دولار»`` or ``«هجومين»``.

    Returns:
        The :class:`Quantity`, or ``None`` when the phrase holds no number.

    Raises:
        TypeError: ``phrase`` is not a ``str``.

    Example:
        >>> q = parse_quantity("مئتا ألف برميل")
        >>> (q.value, q.unit, q.kind)
        (200000.0, 'برميل', 'measure')
    """
    _check_text(phrase, "phrase")
    norm = normalize(phrase)
    cands = _Scanner(norm, strict=False).scan()
    if not cands:
        return None
    c = cands[0]
    s, e = norm.span(c.start, c.end)
    ns, ne = norm.span(c.num_start, c.num_end)
    return Quantity(c.value, c.unit, c.kind, c.currency, c.bound not in (None, "="), c.vague, c.bound,
                    ns, ne, s, e)


#: Characters read on each side of a NUM span for «نحو»/«على الأقل»-style bounds: enough for
#: the 40 normalized characters :meth:`_Scanner.bound_before` looks at, diacritics included.
_CLAIM_CONTEXT = 256
#: Characters read on each side of a span for the exclusions of :func:`excluded_number`. 64
#: gave the same answers as 256 on 19,912 spans of 2,000 corpus articles (6,032 of them
#: excluded), in a quarter of the time; 96 keeps a margin over that.
_EXCL_CONTEXT = 96


def excluded_number(text: str, start: int, end: int) -> bool:
    """True when a NUM span found by someone else (a model) holds a number that the guideline
    leaves out where it stands: a date, a year, a time, an age, a time anchor.

    The rule scanner reads a number in the span but drops it for its context (``قبل سنتين``
    anchors a moment; ``في العشرين من عمره`` is an age). A span holding no number the scanner
    can read is not judged here (``False``), and neither is a number without a noun (the
    model may read ``ستة من قياداتهم`` where the scanner wants a noun).

    Example:
        >>> t = "اشترياه قبل سنتين بقيمة 1.2 مليون دولار"
        >>> excluded_number(t, t.index("سنتين"), t.index("سنتين") + 5)
        True
        >>> excluded_number(t, t.index("1.2"), len(t))
        False
    """
    _check_text(text)
    Span.of(text, start, end, "NUM")  # checks the range
    lo = max(0, start - _EXCL_CONTEXT)
    norm = normalize(text[lo:min(len(text), end + _EXCL_CONTEXT)])
    ns = bisect.bisect_left(norm.offsets, start - lo)
    ne = bisect.bisect_left(norm.offsets, end - lo)

    def overlapping(strict: bool) -> bool:
        return any(c.start < ne and ns < c.end for c in _Scanner(norm, strict=strict, bare=True).scan())

    return overlapping(False) and not overlapping(True)


def claim_from_span(text: str, start: int, end: int, score: float | None = None) -> NumericClaim:
    """Normalizes a NUM span found by someone else (a model) without moving it.

    The value, unit, kind and bound are read from the span; an approximator just before
    it (``نحو``، ``أكثر من``) or «على الأقل» just after it still sets the bound.

    Args:
        text: The user's text.
        start: Span start (``str`` index into ``text``).
        end: Span end (exclusive).
        score: The finder's confidence, kept on the span.

    Returns:
        A :class:`NumericClaim` whose span is exactly ``text[start:end]``; its value, unit
        and kind are ``None`` when the span holds no readable number.

    Raises:
        TypeError: ``text`` is not a ``str``.
        arquote.document.AnnotationError: ``[start, end)`` is not a range of ``text``.

    Example:
        >>> t = "تراجع المؤشر نحو 30 في المائة"
        >>> c = claim_from_span(t, t.index("30"), len(t))
        >>> (c.value, c.unit, c.approx, c.bound)
        (30.0, '%', True, '~')
    """
    _check_text(text)
    span = Span.of(text, start, end, "NUM", score)
    # Only the span and a margin around it are read (the bound words sit within 40
    # normalized characters of it): normalizing the whole text for each span made a
    # document with many numbers quadratic. Normalization is per character, so a slice
    # normalizes to the matching slice of the whole.
    lo = max(0, start - _CLAIM_CONTEXT)
    norm = normalize(text[lo:min(len(text), end + _CLAIM_CONTEXT)])
    offs = norm.offsets
    ns = bisect.bisect_left(offs, start - lo)
    ne = bisect.bisect_left(offs, end - lo)
    sub = Normalized(norm.text[ns:ne], tuple(o - (start - lo) for o in offs[ns:ne]) + (end - start,),
                     text[start:end])
    cands = _Scanner(sub, strict=False).scan()
    if not cands:
        return NumericClaim(span)
    c = cands[0]
    bound = c.bound
    if bound in (None, "="):
        near = _Scanner(norm, strict=False)
        before, _ = near.bound_before(ns + c.num_start if c.num_start == c.start else ns)
        after = near.bound_after(ne)
        bound = before or after or bound
    a, b = sub.span(c.num_start, c.num_end)
    number = Span.of(text, start + a, start + b, "NUM")
    return NumericClaim(span, c.value, c.unit, bound not in (None, "="), c.vague, c.kind, c.currency,
                        None, None, bound, number)
