"""Tests of arquote.numbers: the case table, number words both ways, the seed articles."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import re
from pathlib import Path

import pytest

from arquote.document import AnnotationError, NumericClaim
from arquote.numbers import Quantity, claim_from_span, excluded_number, find_claims, parse_quantity, singular

HERE = Path(__file__).resolve().parent
CASES = HERE / "data" / "numbers_cases.tsv"
GOLD = HERE.parents[1] / "shared" / "gold" / "dev.jsonl"


def _unescape(s: str) -> str:
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), s)


def _rows() -> list[dict[str, str]]:
    with CASES.open(encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for r in rows:
        r["sentence"] = _unescape(r["sentence"])
        r["span"] = _unescape(r["span"])
    return rows


ROWS = _rows()


def test_case_table_is_big_enough() -> None:
    negatives = [r for r in ROWS if r["kind"] == "-"]
    assert len(ROWS) >= 300
    assert len(negatives) >= 60


@pytest.mark.parametrize("row", ROWS, ids=[f"row{i + 1}" for i in range(len(ROWS))])
def test_case(row: dict[str, str]) -> None:
    text = row["sentence"]
    start = text.index(row["span"])
    end = start + len(row["span"])
    claims = find_claims(text)
    for c in claims:
        assert c.span.text == text[c.span.start:c.span.end]
        assert c.number is not None and c.span.contains(c.number)
    if row["kind"] == "-":
        hits = [c.text for c in claims if c.span.start < end and start < c.span.end]
        assert not hits, f"{row['span']!r} must not be a claim, got {hits}"
        return
    match = [c for c in claims if (c.span.start, c.span.end) == (start, end)]
    assert match, f"no claim {row['span']!r}; found {[c.text for c in claims]}"
    c = match[0]
    if row["value"]:
        assert c.value is not None and math.isclose(c.value, float(row["value"]), rel_tol=1e-9)
    else:
        assert c.value is None
    assert c.unit == (row["unit"] or None)
    assert c.kind == row["kind"]
    assert c.approx is (row["approx"] == "1")
    assert c.vague is (row["vague"] == "1")
    assert c.claimant is None and c.quote is None


# -- number words both ways ---------------------------------------------------------------

num2words = pytest.importorskip("num2words").num2words
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _variants(words: str) -> list[str]:
    """Case, spelling and spacing variants of num2words' Arabic (nominative, «مائة»)."""
    out = [words]
    # Accusative/genitive tens: عشرون -> عشرين.
    gen = re.sub(r"\b(عشر|ثلاث|أربع|خمس|ست|سبع|ثمان|تسع)ون\b", r"\1ين", words)
    gen = gen.replace("اثنان", "اثنين").replace("مئتان", "مئتين").replace("ألفان", "ألفين")
    gen = gen.replace("مليونان", "مليونين").replace("ملياران", "مليارين")
    out.append(gen)
    out.append(words.replace("مائة", "مئة"))
    out.append(words.replace("و ", "و"))  # the conjunction glued to the next word
    out.append(words.replace("ة", "ه").replace("أ", "ا"))  # careless spelling
    return out


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_number_words_parse_back(n: int) -> None:
    words = num2words(n, lang="ar")
    # num2words repeats the scale for some hundreds («مائة و ألف ألف»): not Arabic, skip.
    assume(not re.search(r"(ألف|مليون|مليار) \1", words))
    for phrase in _variants(words):
        q = parse_quantity(phrase)
        assert q is not None, phrase
        assert q.value == n, (phrase, q.value)
        assert (q.claim_start, q.claim_end) == (0, len(phrase)), phrase


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=3, max_value=10**9))
def test_number_words_in_a_sentence(n: int) -> None:
    words = num2words(n, lang="ar")
    assume(not re.search(r"(ألف|مليون|مليار) \1", words))
    text = f"وبلغت قيمة الصفقة {words} دولار بحسب البيان"
    claims = find_claims(text)
    assert len(claims) == 1, (text, claims)
    c = claims[0]
    assert (c.value, c.unit, c.kind, c.currency) == (n, "دولار", "money", "USD")
    assert c.span.text == f"{words} دولار"
    assert c.number is not None and c.number.text == words


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=11, max_value=10**9), st.sampled_from(["ascii", "arabic", "persian"]))
def test_digits_in_any_script(n: int, script: str) -> None:
    digits = str(n)
    if script == "arabic":
        digits = digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    elif script == "persian":
        digits = digits.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    text = f"وأعلنت الوزارة تسجيل {digits} إصابة جديدة"
    claims = find_claims(text)
    assume(not (1900 <= n <= 2100))  # a bare year-like number before a noun is tested elsewhere
    assert [(c.text, c.value) for c in claims] == [(f"{digits} إصابة", n)]


# -- API ----------------------------------------------------------------------------------

def test_parse_quantity_fields() -> None:
    q = parse_quantity("بقيمة تناهز 3 ملايين دولار أميركي")
    assert isinstance(q, Quantity)
    assert (q.value, q.unit, q.kind, q.currency, q.approx, q.vague, q.bound) == (
        3_000_000, "دولار", "money", "USD", True, False, "~")
    phrase = "بقيمة تناهز 3 ملايين دولار أميركي"
    assert phrase[q.start:q.end] == "3 ملايين"
    assert phrase[q.claim_start:q.claim_end] == "3 ملايين دولار"
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.value = 1  # type: ignore[misc]


def test_parse_quantity_none_and_errors() -> None:
    assert parse_quantity("قال الوزير إن الوضع مستقر") is None
    with pytest.raises(TypeError, match="str"):
        parse_quantity(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        find_claims(None)  # type: ignore[arg-type]


def test_bound_words() -> None:
    cases = {
        "نحو 30 شخصا": "~", "أكثر من 30 شخصا": ">", "لا يقل عن 30 شخصا": ">=",
        "أقل من 30 شخصا": "<", "لا يزيد على 30 شخصا": "<=", "30 شخصا على الأقل": ">=",
        "30 شخصا": "=", "بنحو 30 شخصا": "~", "ما يزيد عن 30 شخصا": ">",
    }
    for phrase, bound in cases.items():
        q = parse_quantity(phrase)
        assert q is not None and q.bound == bound, phrase
        assert q.approx is (bound != "=")


def test_thousands_dot_only_for_counts() -> None:
    assert parse_quantity("20.000 متظاهر").value == 20_000
    assert parse_quantity("1.500 مليون دولار").value == 1_500_000
    assert parse_quantity("3.125 كم").value == 3.125


def test_offsets_survive_diacritics_tatweel_and_rlm() -> None:
    text = "وأصابت الضرباتُ ثلاثـةَ مواقعَ، وتراجع المؤشر 2.\u200f16 في المائة"
    claims = find_claims(text)
    assert [c.text for c in claims] == ["ثلاثـةَ مواقعَ", "2.\u200f16 في المائة"]
    assert [c.value for c in claims] == [3, 16.2]
    for c in claims:
        assert text[c.span.start:c.span.end] == c.span.text


def test_clitics_stay_inside_word_spans() -> None:
    text = "وقضى لثلاث سنوات في السجن وأب لطفلين"
    assert [c.text for c in find_claims(text)] == ["لثلاث سنوات", "لطفلين"]


def test_claim_from_span_keeps_the_span() -> None:
    text = "قالت الشرطة إن نحو 6 دول شاركت، وإن 19 شخصا على الأقل قتلوا"
    s = text.index("6 دول")
    c = claim_from_span(text, s, s + len("6 دول"), score=0.9)
    assert isinstance(c, NumericClaim)
    assert (c.span.start, c.span.end, c.span.score) == (s, s + 5, 0.9)
    assert (c.value, c.unit, c.bound, c.approx) == (6, "دولة", "~", True)
    s = text.index("19 شخصا")
    c = claim_from_span(text, s, s + len("19 شخصا"))
    assert (c.value, c.bound) == (19, ">=")
    # A span a model got wrong is kept as is, with what can be read from it.
    s = text.index("قالت")
    c = claim_from_span(text, s, s + 4)
    assert (c.span.text, c.value, c.unit) == ("قالت", None, None)
    with pytest.raises(AnnotationError):
        claim_from_span(text, 5, 500)


def test_claim_from_span_reads_its_bound_in_a_long_document() -> None:
    # Only a margin around the span is read: the bound words must still be found there,
    # with heavy diacritics in between, and far from the start of the text.
    filler = "وتَوَاصَلَتِ الْمُفَاوَضَاتُ بَيْنَ الطَّرَفَيْنِ. " * 400
    sentence = "وقالَ المتحدثُ إنَّ ما يَزِيدُ عَنْ 30 شخصاً قُتِلوا"
    text = filler + sentence + filler
    s = text.index("30 شخصاً")
    c = claim_from_span(text, s, s + len("30 شخصاً"))
    alone = claim_from_span(sentence, sentence.index("30"), sentence.index("30") + len("30 شخصاً"))
    assert (c.value, c.unit, c.bound) == (alone.value, alone.unit, alone.bound) == (30, "شخص", ">")
    assert (c.number.start, c.number.text) == (s, "30")



@pytest.mark.parametrize("text, taken, excluded", [
    ("وكشفت التحقيقات أن الزوجين اشتريا البيت قبل سنتين بقيمة 1.2 مليون دولار", "سنتين", True),   # a time anchor
    ("وكشفت التحقيقات أن الزوجين اشتريا البيت قبل سنتين بقيمة 1.2 مليون دولار", "1.2 مليون دولار", False),
    ("وعلمت إدارة الفندق بقدومه قبل 12 ساعة فقط من وصوله", "12 ساعة", True),
    ("وقالت الشرطة إن الطفل في العاشرة من عمره", "العاشرة", False),  # no number the scanner reads
    ("ولد الكاتب عام 1990 في القاهرة، وقتل 12 شخصا في الهجوم", "1990", True),                  # a year
    ("ولد الكاتب عام 1990 في القاهرة، وقتل 12 شخصا في الهجوم", "12 شخصا", False),
    # a number without a noun is the model's reading, not an exclusion
    ("وقتل عشرات الحوثيين بينهم ستة من قياداتهم الميدانية", "ستة", False),
])
def test_excluded_number_applies_the_guidelines_exclusions_to_a_model_span(text, taken, excluded) -> None:
    s = text.index(taken)
    assert excluded_number(text, s, s + len(taken)) is excluded
    with pytest.raises(AnnotationError):
        excluded_number(text, 5, 5000)


def test_singular() -> None:
    assert singular("صواريخ") == "صاروخ"
    assert singular("أشخاص") == "شخص"
    assert singular("هجوماً", accusative=True) == "هجوم"
    assert singular("القوات") == "قوة"
    assert singular("الأوكار") == "وكر"
    assert singular("ضربات") == "ضربة"  # sound feminine plural, lexicon or not
    assert singular("مهندسين") == "مهندس"  # sound masculine plural fallback



# -- regressions: percent sign before its number, Maghreb decimals, ranges, broken plurals ---

def _claims(text: str) -> list[tuple[int, int, float | None, str | None]]:
    return [(c.span.start, c.span.end, c.value, c.unit) for c in find_claims(text)]


def test_percent_sign_before_its_number_is_used_once() -> None:
    # «٪40» typed right to left: the sign belongs to 40, not to «خمسة آلاف» before it.
    text = "شارك في المسيرة خمسة آلاف ٪40 منهم من النساء"
    a, b = text.index("خمسة آلاف"), text.index("٪40")
    assert _claims(text) == [(a, a + len("خمسة آلاف"), 5000.0, None), (b, b + 3, 40.0, "%")]
    # A sign after its number still goes with it; two signs, two claims.
    text = "وارتفعت الأسعار 40٪ ٪30 منها في العاصمة"
    a, b = text.index("40٪"), text.index("٪30")
    assert _claims(text) == [(a, a + 3, 40.0, "%"), (b, b + 3, 30.0, "%")]


_PIECES = ("خمسة آلاف", "٪40", "40٪", "%", "٪", "20", "و30", "بين", "من", "إلى", "شخصا", "مليون",
           "دولار", "$", "1.234,5", "رهائن", "في المئة", "بالمئة", "5", "-", "ـ", "أو", "ثلاثة",
           "وأربعة", "عاما", "2015", "منهم", "بنسبة", "نحو", "على الأقل", "،", "مليارات", "هجومين")


def _assert_no_overlap(text: str) -> None:
    claims = find_claims(text)
    for c in claims:
        assert c.span.text == text[c.span.start:c.span.end]
    for a, b in zip(claims, claims[1:]):
        assert a.span.end <= b.span.start, (text, a.text, b.text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(["", " "])), min_size=1, max_size=10))
def test_claims_never_overlap(parts: list[tuple[str, str]]) -> None:
    _assert_no_overlap("قال المتحدث إن " + "".join(p + sep for p, sep in parts) + " في المدينة")


def test_case_table_claims_never_overlap() -> None:
    _assert_no_overlap(" ".join(r["sentence"] for r in ROWS))


def test_comma_decimal_with_dot_thousands() -> None:
    text = "بلغت الميزانية 1.234,5 مليون درهم"
    s = text.index("1.234,5")
    assert _claims(text) == [(s, len(text), 1_234_500_000.0, "درهم")]
    assert parse_quantity("12.345.678,25 دولار").value == 12_345_678.25
    # The last mark is the decimal one: the English style is unchanged.
    assert parse_quantity("1,234.5 دولار").value == 1234.5
    assert parse_quantity("1,234,567.5 دولار").value == 1_234_567.5
    assert parse_quantity("1,500 دولار").value == 1500


@pytest.mark.parametrize("text, span, unit", [
    ("قتل ما بين 20 و30 شخصا في الهجوم", "20 و30 شخصا", "شخص"),
    ("قتل من 20 إلى 30 شخصا في الهجوم", "20 إلى 30 شخصا", "شخص"),
    ("وتتراوح أسعار التذاكر ما بين 105 إلى 785 درهما", "105 إلى 785 درهما", "درهم"),
    ("وتستغرق المواقع من 15 حتى 45 يوماً لتوصيل الطلبات", "15 حتى 45 يوماً", "يوم"),
    ("وتوقع أن يبلغ التضخم ما بين 4 و5% في العام", "4 و5%", "%"),
    ("وأصيب بين ثلاثة وأربعة أشخاص", "ثلاثة وأربعة أشخاص", "شخص"),
    ("ويتراوح حجم التبادل بين 5 ملايين و6 ملايين دولار", "5 ملايين و6 ملايين دولار", "دولار"),
])
def test_range_with_bayna_or_min_is_one_claim_without_value(text: str, span: str, unit: str) -> None:
    s = text.index(span)
    claims = find_claims(text)
    assert [(c.span.start, c.span.end, c.value, c.unit) for c in claims] == [(s, s + len(span), None, unit)]
    assert claims[0].approx is False and claims[0].bound is None


def test_range_words_that_do_not_open_a_range() -> None:
    # Years and dates are not claims at all.
    assert find_claims("وشهدت البلاد نموا في الفترة من 2010 إلى 2015 بحسب التقرير") == []
    assert find_claims("وتراجعت المبيعات بين 2006 و2017، نتيجة الأزمة") == []
    assert find_claims("ويقام المهرجان في الفترة من 25 إلى 31 مارس الحالي") == []
    # «بين» before one number is not a range.
    text = "وتوزعت الجوائز بين 3 أشخاص"
    s = text.index("3 أشخاص")
    assert _claims(text) == [(s, len(text), 3.0, "شخص")]
    # A change «من … إلى» gives the new value, not a range.
    text = "وتشمل الخطة زيادة ضريبة القيمة المضافة من 10 إلى 11%، بالإضافة إلى رسوم أخرى"
    s = text.index("11%")
    assert _claims(text) == [(s, s + 3, 11.0, "%")]
    text = "وتقرر رفع سعر لتر بنزين 95 من 6.60 إلى 7.75 جنيه للتر"
    s = text.index("7.75 جنيه")
    assert _claims(text) == [(s, s + len("7.75 جنيه"), 7.75, "جنيه")]
    # A year then a quantity: «من 2016 إلى 1.4 مليار دولار» is no range.
    text = "وارتفعت الإيرادات من 751 مليون دولار في الربع الأخير من 2016 إلى 1.4 مليار دولار"
    a, b = text.index("751 مليون دولار"), text.index("1.4 مليار دولار")
    assert _claims(text) == [(a, a + len("751 مليون دولار"), 751e6, "دولار"),
                             (b, b + len("1.4 مليار دولار"), 1.4e9, "دولار")]


def test_broken_plurals_in_yn_wn_are_not_cut() -> None:
    assert (singular("رهائن"), singular("سكاكين"), singular("ميادين")) == ("رهينة", "سكين", "ميدان")
    text = "أطلق سراح 5 رهائن"
    s = text.index("5 رهائن")
    assert _claims(text) == [(s, len(text), 5.0, "رهينة")]
    # No singular known: the word as written, not an invented stem.
    assert singular("مساكين") == "مساكين"
    assert singular("طباخين") == "طباخين"
    # Singulars that end in -ون stay whole.
    assert (singular("قانون"), singular("مخزون"), singular("تلفزيون")) == ("قانون", "مخزون", "تلفزيون")
    # Regular sound plurals are still cut.
    assert (singular("مستوطنين"), singular("ليبيين"), singular("متطوعون")) == ("مستوطن", "ليبي", "متطوع")

# -- the seed articles ----------------------------------------------------------------------

def _seed_docs() -> list[dict]:
    if not GOLD.exists():
        pytest.skip(f"gold data not found at {GOLD}")
    docs = [json.loads(line) for line in GOLD.open(encoding="utf-8")]
    return [d for d in docs if d["id"] in {f"seed-00{i}" for i in range(5)}]


_DATE = re.compile(r"(?:19|20)\d\d|يناير|فبراير|مارس|ديسمبر|كانون|يونيو")


def test_seed_articles() -> None:
    docs = _seed_docs()
    assert len(docs) == 5
    for d in docs:
        text = d["text"]
        claims = find_claims(text)
        found = {(c.span.start, c.span.end): c for c in claims}
        for g in (s for s in d["spans"] if s["label"] == "NUM"):
            c = found.get((g["start"], g["end"]))
            assert c is not None, f"{d['id']}: missed {g['text']!r}"
            assert c.value == g["value"], f"{d['id']}: {g['text']!r} read {c.value}"
            assert c.approx is g["approx"], f"{d['id']}: {g['text']!r} approx"
        for c in claims:
            assert not _DATE.search(c.text), f"{d['id']}: date or year taken as a claim: {c.text!r}"
