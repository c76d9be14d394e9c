"""Tests for arquote.evaluate: hand-made predictions with hand-computed figures."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest

from arquote.document import Document, NumericClaim, Quote, Span, Speaker
from arquote.evaluate import (
    ROWS,
    Counts,
    Evaluation,
    bio_tags,
    evaluate,
    match_spans,
    names_match,
    tokenize,
)

GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "gold" / "dev.jsonl"


# -- helpers -----------------------------------------------------------------------------


def at(text: str, piece: str, label: str, after: str | None = None) -> Span:
    """The span of ``piece`` in ``text`` (searched after ``after`` when given)."""
    start = text.index(piece, text.index(after) + len(after) if after else 0)
    return Span.of(text, start, start + len(piece), label)


def doc(text, quotes=(), speakers=(), cues=(), claims=(), id=None):
    return Document(text, tuple(quotes), tuple(speakers), tuple(claims), tuple(cues), id=id)


def num(span: Span, value, unit) -> NumericClaim:
    return NumericClaim(span, value, unit)


def close(x: float, y: Fraction | float) -> bool:
    return math.isclose(x, float(y), rel_tol=1e-12)


# -- three small documents ---------------------------------------------------------------

A = "قال الكولونيل ديف وليامز إن «التحالف نفذ 133 ضربة خلال شهر». وأضاف وليامز أن القوات دمرت 61 وكراً."
B = ("وأكدت وزارة الدفاع أن الهجمات أسفرت عن مقتل 9 أشخاص، بينما قال محللون إن التنظيم "
     "فقد نحو 3 مليون دولار.")
C = "وتابع: «عشرات الأوكار دمرت بالكامل في المنطقة». ويرى مراقبون أن الوضع تحسن كثيراً."


def gold_docs() -> list[Document]:
    w = Speaker("ديف وليامز", (at(A, "ديف وليامز", "SPEAKER"), at(A, "وليامز", "SPEAKER", "وأضاف")),
                key="W", aliases=("وليامز",))
    a = doc(
        A,
        quotes=[Quote(at(A, "التحالف نفذ 133 ضربة خلال شهر", "QUOTE"), "direct", w),
                Quote(at(A, "القوات دمرت 61 وكراً", "QUOTE"), "indirect", w)],
        speakers=[w],
        cues=[at(A, "قال", "CUE"), at(A, "وأضاف", "CUE")],
        claims=[num(at(A, "133 ضربة", "NUM"), 133, "ضربة"), num(at(A, "61 وكراً", "NUM"), 61, "وكر")],
    )
    d = Speaker("وزارة الدفاع", (at(B, "وزارة الدفاع", "SPEAKER"),), key="D")
    m = Speaker("محللون", (at(B, "محللون", "SPEAKER"),), key="M")
    b = doc(
        B,
        quotes=[Quote(at(B, "الهجمات أسفرت عن مقتل 9 أشخاص", "QUOTE"), "indirect", d),
                Quote(at(B, "التنظيم فقد نحو 3 مليون دولار", "QUOTE"), "indirect", m)],
        speakers=[d, m],
        cues=[at(B, "وأكدت", "CUE"), at(B, "قال", "CUE")],
        claims=[num(at(B, "9 أشخاص", "NUM"), 9, "شخص"), num(at(B, "3 مليون دولار", "NUM"), 3e6, "دولار")],
    )
    o = Speaker("مراقبون", (at(C, "مراقبون", "SPEAKER"),), key="O")
    c = doc(
        C,
        quotes=[Quote(at(C, "عشرات الأوكار دمرت بالكامل في المنطقة", "QUOTE"), "direct", None),
                Quote(at(C, "الوضع تحسن كثيراً", "QUOTE"), "indirect", o)],
        speakers=[o],
        cues=[at(C, "وتابع", "CUE"), at(C, "ويرى", "CUE")],
        claims=[num(at(C, "عشرات الأوكار", "NUM"), None, "وكر")],
    )
    return [a, b, c]


def pred_docs() -> list[Document]:
    # A: first speaker mention cut to the surname, indirect quote with the full stop.
    w = Speaker("وليامز", (at(A, "وليامز", "SPEAKER"), at(A, "وليامز", "SPEAKER", "وأضاف")))
    a = doc(
        A,
        quotes=[Quote(at(A, "التحالف نفذ 133 ضربة خلال شهر", "QUOTE"), "direct", w),
                Quote(at(A, "القوات دمرت 61 وكراً.", "QUOTE"), "indirect", w)],
        speakers=[w],
        cues=[at(A, "قال", "CUE"), at(A, "وأضاف", "CUE")],
        claims=[num(at(A, "133 ضربة", "NUM"), 133.0, "ضربة"), num(at(A, "61 وكراً", "NUM"), 16, "وكر")],
    )
    # B: the first gold quote split in two (both attributed to the wrong speaker), the
    # second found with no speaker; a wrong cue; a plural unit; a number span with نحو.
    m = Speaker("محللون", (at(B, "محللون", "SPEAKER"),))
    b = doc(
        B,
        quotes=[Quote(at(B, "الهجمات أسفرت", "QUOTE"), "indirect", m),
                Quote(at(B, "عن مقتل 9 أشخاص", "QUOTE"), "indirect", m),
                Quote(at(B, "التنظيم فقد نحو 3 مليون دولار", "QUOTE"), "indirect", None)],
        speakers=[m],
        cues=[at(B, "وأكدت", "CUE"), at(B, "بينما", "CUE")],
        claims=[num(at(B, "9 أشخاص", "NUM"), 9, "أشخاص"),
                num(at(B, "نحو 3 مليون دولار", "NUM"), 3e6 * (1 + 1e-9), "دولار")],
    )
    # C: the direct quote predicted as indirect; the speaker named with the article.
    o = Speaker("المراقبون", (at(C, "مراقبون", "SPEAKER"),))
    c = doc(
        C,
        quotes=[Quote(at(C, "عشرات الأوكار دمرت بالكامل في المنطقة", "QUOTE"), "indirect", o),
                Quote(at(C, "الوضع تحسن كثيراً", "QUOTE"), "indirect", o)],
        speakers=[o],
        cues=[at(C, "وتابع", "CUE"), at(C, "ويرى", "CUE")],
        claims=[num(at(C, "عشرات الأوكار", "NUM"), None, "وكر")],
    )
    return [a, b, c]


@pytest.fixture(scope="module")
def result() -> Evaluation:
    return evaluate(gold_docs(), pred_docs())


# Hand-computed (tp, fp, fn) per row, see the comments in pred_docs().
EXPECTED = {
    "exact": {
        "QUOTE": (4, 3, 2), "QUOTE:direct": (1, 0, 1), "QUOTE:indirect": (2, 4, 2),
        "SPEAKER": (3, 1, 2), "CUE": (5, 1, 1), "NUM": (4, 1, 1), "micro": (16, 6, 6),
    },
    "overlap": {
        "QUOTE": (6, 1, 0), "QUOTE:direct": (1, 0, 1), "QUOTE:indirect": (4, 2, 0),
        "SPEAKER": (4, 0, 1), "CUE": (5, 1, 1), "NUM": (5, 0, 0), "micro": (20, 2, 2),
    },
}


@pytest.mark.parametrize("mode", ["exact", "overlap"])
@pytest.mark.parametrize("row", ROWS)
def test_span_counts_are_hand_computed(result, mode, row):
    c = result.spans(mode)[row]
    assert (c.tp, c.fp, c.fn) == EXPECTED[mode][row]


def test_exact_and_overlap_scores_differ_as_computed(result):
    e, o = result.exact["QUOTE"], result.overlap["QUOTE"]
    assert close(e.precision, Fraction(4, 7)) and close(e.recall, Fraction(4, 6))
    assert close(e.f1, Fraction(8, 13))
    assert close(o.precision, Fraction(6, 7)) and o.recall == 1.0
    assert close(o.f1, Fraction(12, 13))
    assert (e.support, e.predicted) == (6, 7)


def test_quote_split_by_kind(result):
    # The direct quote of C predicted as indirect: a miss for direct, a false positive for
    # indirect, although the QUOTE row matches it exactly.
    d, i = result.exact["QUOTE:direct"], result.exact["QUOTE:indirect"]
    assert (d.precision, d.recall) == (1.0, 0.5)
    assert (i.precision, i.recall) == (2 / 6, 2 / 4)


def test_attribution_surname_wrong_speaker_none_and_skipped(result):
    # A: 2 right (وليامز names ديف وليامز); B: wrong speaker, speaker None;
    # C: المراقبون names مراقبون, and the gold quote without a speaker is skipped.
    assert (result.attribution.correct, result.attribution.total) == (3, 5)
    assert result.attribution.accuracy == 0.6
    assert result.attribution_skipped == 1


def test_number_value_and_unit(result):
    # Values: 61 predicted as 16 is wrong; None == None and 3e6 within 1e-6 are right.
    assert (result.number_value.correct, result.number_value.total) == (4, 5)
    # Units: أشخاص is not شخص.
    assert (result.number_unit.correct, result.number_unit.total) == (4, 5)


def test_number_value_tolerance_is_relative():
    t = "خسر التنظيم 3 مليون دولار"
    g = doc(t, claims=[num(at(t, "3 مليون دولار", "NUM"), 3e6, "دولار")])
    for value, right in ((3e6 + 2.0, True), (3e6 + 10.0, False), (None, False)):
        p = doc(t, claims=[num(at(t, "3 مليون دولار", "NUM"), value, "دولار")])
        assert evaluate([g], [p]).number_value.correct == int(right), value


def test_unit_compared_folded():
    t = "قتل 9 أشخاص"
    g = doc(t, claims=[num(at(t, "9 أشخاص", "NUM"), 9, "شخص")])
    p = doc(t, claims=[num(at(t, "9 أشخاص", "NUM"), 9, "شخْص")])
    q = doc(t, claims=[num(at(t, "9 أشخاص", "NUM"), 9, None)])
    assert evaluate([g], [p]).number_unit.accuracy == 1.0
    assert evaluate([g], [q]).number_unit.accuracy == 0.0


# -- one-to-one matching -----------------------------------------------------------------


def test_two_predictions_on_one_gold_match_once_the_larger_overlap():
    g = [at(B, "الهجمات أسفرت عن مقتل 9 أشخاص", "QUOTE")]
    p = [at(B, "الهجمات أسفرت", "QUOTE"), at(B, "عن مقتل 9 أشخاص", "QUOTE")]
    assert len(p[1]) > len(p[0])
    assert match_spans(g, p, "overlap") == [(0, 1)]


def test_overlap_matching_maximizes_the_number_of_matches():
    # Greedy by largest overlap would pair the long prediction with the first gold span
    # and leave the second unmatched; a maximum matching pairs both.
    t = "قال الوزير إن الوضع مستقر تماماً"
    g1, g2 = at(t, "قال الوزير", "QUOTE"), at(t, "الوضع مستقر", "QUOTE")
    long = Span.of(t, g1.start + 2, g2.start + 3, "QUOTE")
    short = Span.of(t, g1.start, g1.start + 3, "QUOTE")
    assert min(long.end, g1.end) - max(long.start, g1.start) > len(short)
    assert match_spans([g1, g2], [long, short], "overlap") == [(0, 1), (1, 0)]


def test_exact_matching_counts_duplicates_once():
    s = at(A, "قال", "CUE")
    assert match_spans([s], [s, s], "exact") == [(0, 0)]
    with pytest.raises(ValueError, match="mode"):
        match_spans([s], [s], "fuzzy")


# -- names -------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, same", [
    ("وليامز", "ديف وليامز", True),
    ("“ديف وليامز”", "ديف وليامز", True),
    ("#واين_ماروتو", "واين ماروتو", True),
    ("ماروتو", "#واين_ماروتو", True),
    ("الخلية", "خلية", True),
    ("إبراهيم", "عباس ابراهيم", True),
    ("ديف", "ديف وليامز", False),
    ("كاتسي", "ديف وليامز", False),
    ("العراق", "قيادة القوات الأميركية في العراق", False),
    ("وليامز", "ليامز", False),
    ("", "ديف وليامز", False),
])
def test_names_match(a, b, same):
    assert names_match(a, b) is same
    assert names_match(b, a) is same


# -- seqeval cross-check -----------------------------------------------------------------


def test_tokenize_keeps_diacritics_and_splits_marks():
    t = "قالَ #واين_ماروتو: «نعم»"
    assert [t[s:e] for s, e in tokenize(t)] == ["قالَ", "#", "واين", "_", "ماروتو", ":", "«", "نعم", "»"]


def test_bio_tags_of_adjacent_spans():
    t = "قال وليامز ماروتو"
    tags = bio_tags(tokenize(t), [at(t, "وليامز", "SPEAKER"), at(t, "ماروتو", "SPEAKER")], "SPEAKER")
    assert tags == ["O", "B-SPEAKER", "B-SPEAKER"]


def test_seqeval_agrees_with_exact_on_token_boundaries(result):
    for g, p in zip(gold_docs(), pred_docs()):
        bounds = {b for s, e in tokenize(g.text) for b in (s, e)}
        assert all(s.start in bounds and s.end in bounds for s in g.spans + p.spans)
    for label in ("QUOTE", "SPEAKER", "CUE", "NUM", "micro"):
        assert math.isclose(result.seqeval[label].f1, result.exact[label].f1), label
    # The fixture is not trivial: seqeval really scored errors.
    assert result.seqeval["QUOTE"].f1 < 1.0


def test_seqeval_differs_off_token_boundaries():
    # A prediction that stops inside a word is wrong for characters, right for tokens.
    t = "وقال مسؤولون إن القوات انسحبت"
    g = doc(t, cues=[at(t, "وقال", "CUE")])
    p = doc(t, cues=[at(t, "قال", "CUE")])
    r = evaluate([g], [p])
    assert r.exact["CUE"].f1 == 0.0 and r.overlap["CUE"].f1 == 1.0
    assert r.seqeval["CUE"].f1 == 1.0


# -- pairing -----------------------------------------------------------------------------


def with_ids(docs, ids):
    return [Document(d.text, d.quotes, d.speakers, d.claims, d.cues, id=i) for d, i in zip(docs, ids)]


def test_pairs_by_id_in_any_order(result):
    gold = with_ids(gold_docs(), ["a", "b", "c"])
    pred = with_ids(pred_docs(), ["a", "b", "c"])[::-1]
    assert evaluate(gold, pred).to_dict() == result.to_dict()


def test_missing_prediction_is_named():
    gold = with_ids(gold_docs(), ["a", "b", "c"])
    pred = with_ids(pred_docs()[:2], ["a", "b"])
    with pytest.raises(ValueError, match="no prediction for gold document id 'c'"):
        evaluate(gold, pred)


def test_unknown_and_duplicate_ids():
    gold = with_ids(gold_docs()[:2], ["a", "b"])
    with pytest.raises(ValueError, match="'z' is not in the gold"):
        evaluate(gold, with_ids(pred_docs(), ["a", "b", "z"]))
    with pytest.raises(ValueError, match="duplicate ids 'a'"):
        evaluate(gold, with_ids(pred_docs()[:2], ["a", "a"]))


def test_positional_pairing_errors():
    with pytest.raises(ValueError, match="3 gold documents but 2 predicted"):
        evaluate(gold_docs(), pred_docs()[:2])
    with pytest.raises(ValueError, match="different texts.*character 0"):
        evaluate(gold_docs(), pred_docs()[::-1])
    with pytest.raises(TypeError, match="wrap a single"):
        evaluate(gold_docs()[0], pred_docs()[0])
    with pytest.raises(TypeError, match=r"gold\[0\] must be a Document"):
        evaluate([A], [A])


# -- output ------------------------------------------------------------------------------


def test_to_dict_is_json_and_undefined_is_none():
    t = "قال الوزير إن الوضع مستقر"
    r = evaluate([doc(t)], [doc(t)])
    d = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert d["spans"]["exact"]["QUOTE"]["precision"] is None
    assert d["attribution"]["accuracy"] is None and d["seqeval"]["NUM"]["f1"] is None


def test_to_dataframe_layout(result):
    df = result.to_dataframe()
    assert list(df.columns[:6]) == ["label", "mode", "precision", "recall", "f1", "support"]
    row = df[(df.label == "QUOTE") & (df["mode"] == "overlap")].iloc[0]
    assert (row.tp, row.fp, row.fn, row.support) == (6, 1, 0, 6)
    seq = df[(df.label == "NUM") & (df["mode"] == "seqeval")].iloc[0]
    assert seq.f1 == result.seqeval["NUM"].f1
    att = df[df.label == "attribution"].iloc[0]
    assert (att.correct, att.total, att.accuracy) == (3, 5, 0.6)
    assert len(df) == len(ROWS) * 2 + 5 + 3


def test_table_shows_every_figure(result):
    text = result.table()
    for word in ("QUOTE", "direct", "indirect", "SPEAKER", "CUE", "NUM", "micro", "seqeval",
                 "attribution accuracy", "number value accuracy", "number unit accuracy"):
        assert word in text
    assert "0.600  (3/5)" in text and "skipped 1 gold quote(s) with no speaker" in text
    quote = next(line for line in text.splitlines() if line.startswith("QUOTE"))
    assert quote.split()[1:7] == ["0.571", "0.667", "0.615", "0.857", "1.000", "0.923"]


def test_counts_add_up():
    assert Counts(1, 2, 3) + Counts(4, 5, 6) == Counts(5, 7, 9)
    assert math.isnan(Counts().f1) and Counts(0, 0, 2).f1 == 0.0


# -- the gold file -----------------------------------------------------------------------


def test_gold_against_itself_is_perfect():
    if not GOLD.exists():
        pytest.skip("../shared/gold/dev.jsonl not present")
    with GOLD.open(encoding="utf-8") as f:
        docs = [Document.from_json(line) for line in f if line.strip()]
    r = evaluate(docs, docs)
    assert r.documents == len(docs)
    for mode in ("exact", "overlap"):
        for row in ROWS:
            c = r.spans(mode)[row]
            assert c.support > 0 and (c.precision, c.recall, c.f1) == (1.0, 1.0, 1.0), (mode, row)
    for label in ("QUOTE", "SPEAKER", "CUE", "NUM", "micro"):
        assert r.seqeval[label].f1 == 1.0
    assert r.attribution.total > 0 and r.attribution.accuracy == 1.0
    assert r.number_value.accuracy == 1.0 and r.number_unit.accuracy == 1.0
