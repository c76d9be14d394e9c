"""Tests of arquote.link: the attribution linker shared by the rules and the model."""

from __future__ import annotations

import pytest

from arquote.cues import cue_form
from arquote.document import AnnotationError, NumericClaim, Quote, Span, Speaker
from arquote.link import (
    agrees,
    attach_claims,
    canonical_name,
    cluster_mentions,
    find_cue,
    link,
    outlet_name,
    pair_same_marks,
    quote_kind,
    role_of,
    speaker_features,
    speaker_mention,
)


def sp(text: str, piece: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return Span.of(text, start, start + len(piece), label)


def assert_cut_to(sentence: str, got: Span | None, name: str) -> None:
    """``got`` is ``name`` where the sentence writes it, with offsets into the sentence."""
    assert got is not None
    assert (got.text, got.start) == (name, sentence.index(name))
    assert got.text == sentence[got.start:got.end]


def test_kind_follows_the_marks():
    t = "قال الوزير: «الوضع مستقر تماماً» وأضاف أن الحدود آمنة"
    assert quote_kind(t, sp(t, "الوضع مستقر تماماً", "QUOTE")) == "direct"
    assert quote_kind(t, sp(t, "الحدود آمنة", "QUOTE")) == "indirect"
    t2 = 'وقال إن بلاده "دولة محبة للسلام"'
    assert quote_kind(t2, sp(t2, 'بلاده "دولة محبة للسلام"', "QUOTE")) == "indirect"


def test_a_quote_cut_by_the_edge_of_the_text_keeps_the_mark_it_has():
    # ruling 39: a sentence chunk that starts inside a quote lost its opening mark
    t = 'إيران لن تتراجع عن حقوقها. "كما قال إن الرد الإيراني جاهز'
    assert quote_kind(t, sp(t, "إيران لن تتراجع عن حقوقها.", "QUOTE")) == "direct"
    assert quote_kind(t, sp(t, "الرد الإيراني جاهز", "QUOTE")) == "indirect"  # no mark before it
    cut = "وقال الرئيس في كلمته: «نحن مستعدون للحوار"
    assert quote_kind(cut, sp(cut, "نحن مستعدون للحوار", "QUOTE")) == "direct"
    plain = "الحكومة ستواصل دعم القوات، قال الوزير"
    assert quote_kind(plain, sp(plain, "الحكومة ستواصل دعم القوات", "QUOTE")) == "indirect"
    whole = "الحكومة ستواصل دعم القوات"
    assert quote_kind(whole, sp(whole, whole, "QUOTE")) == "indirect"  # marks on neither side


def test_cue_is_the_nearest_before_in_the_sentence():
    t = "وقال الوزير إن «الطريق مفتوح». وأكد أن «الحركة عادت إلى طبيعتها»."
    cues = [sp(t, "وقال", "CUE"), sp(t, "وأكد", "CUE")]
    quotes = [sp(t, "الطريق مفتوح", "QUOTE"), sp(t, "الحركة عادت إلى طبيعتها", "QUOTE")]
    assert find_cue(t, quotes[0], cues, quotes).text == "وقال"
    assert find_cue(t, quotes[1], cues, quotes).text == "وأكد"


def test_postposed_cue_and_speaker():
    t = "«نحن ملتزمون بدعم القوات في التصدي للهجمات»، أوضحَ “كاتسي”."
    r = link(t, [sp(t, "نحن ملتزمون بدعم القوات في التصدي للهجمات", "QUOTE"),
                 sp(t, "أوضحَ", "CUE"), sp(t, "كاتسي", "SPEAKER")])
    q = r.quotes[0]
    assert (q.kind, q.cue.text, q.speaker.name) == ("direct", "أوضحَ", "كاتسي")


def test_postposed_cue_does_not_cross_a_paragraph():
    t = "تقرير أميركي: التنظيم بدأ يستعيد نشاطه\n\nأفادت مصادر عسكرية أن الهجمات زادت"
    r = link(t, [sp(t, "تقرير أميركي", "SPEAKER"), sp(t, "التنظيم بدأ يستعيد نشاطه", "QUOTE"),
                 sp(t, "أفادت", "CUE"), sp(t, "مصادر عسكرية", "SPEAKER"),
                 sp(t, "الهجمات زادت", "QUOTE")])
    assert r.quotes[0].cue is None
    assert r.quotes[0].speaker.name == "تقرير أميركي"
    assert r.quotes[1].speaker.name == "مصادر عسكرية"


def test_speaker_before_its_cue():
    t = "لكن المحمود أشار إلى أن النتائج المطعون فيها ستعلن لاحقاً"
    r = link(t, [sp(t, "المحمود", "SPEAKER"), sp(t, "أشار", "CUE"),
                 sp(t, "النتائج المطعون فيها ستعلن لاحقاً", "QUOTE")])
    assert r.quotes[0].speaker.name == "المحمود"


def test_pro_drop_uses_plural_agreement():
    t = ("وقال الوزير “سالم حداد” إن «الوضع هادئ في المدينة». وأكد محللون أن «التنظيم ضعف كثيراً». "
         "وأوضحوا أن «هجماته أصبحت نادرة ومحدودة».")
    spans = [sp(t, "وقال", "CUE"), sp(t, "سالم حداد", "SPEAKER"), sp(t, "الوضع هادئ في المدينة", "QUOTE"),
             sp(t, "وأكد", "CUE"), sp(t, "محللون", "SPEAKER"), sp(t, "التنظيم ضعف كثيراً", "QUOTE"),
             sp(t, "وأوضحوا", "CUE"), sp(t, "هجماته أصبحت نادرة ومحدودة", "QUOTE")]
    r = link(t, spans)
    assert r.quotes[2].speaker.name == "محللون"


def test_pro_drop_skips_a_speaker_of_the_wrong_gender():
    t = ("قالت وزارة الصحة إن «عدد الإصابات تراجع هذا الأسبوع». وقال المتحدث “عمر نصار” إن «المستشفيات جاهزة». "
         "وأضافت أن «اللقاحات متوفرة في كل المراكز».")
    spans = [sp(t, "قالت", "CUE"), sp(t, "وزارة الصحة", "SPEAKER"),
             sp(t, "عدد الإصابات تراجع هذا الأسبوع", "QUOTE"), sp(t, "وقال", "CUE"),
             sp(t, "عمر نصار", "SPEAKER"), sp(t, "المستشفيات جاهزة", "QUOTE"),
             sp(t, "وأضافت", "CUE"), sp(t, "اللقاحات متوفرة في كل المراكز", "QUOTE")]
    r = link(t, spans)
    assert r.quotes[2].speaker.name == "وزارة الصحة"


def test_fallback_speaker_stands_in_when_no_earlier_speaker_agrees():
    def spans(t: str, verb: str, source: str) -> tuple[list[Span], list[Span]]:
        model = [sp(t, "قلصنا عدد قواتنا بناءً على طلب الحكومة", "QUOTE"), sp(t, "أوضحَ", "CUE"),
                 sp(t, "كاتسي", "SPEAKER"), sp(t, verb, "CUE"),
                 sp(t, "نرفض أي عمل يعرض أمن العراق للخطر", "QUOTE")]
        return model, [sp(t, "كاتسي", "SPEAKER"), sp(t, source, "SPEAKER")]

    t = ("«قلصنا عدد قواتنا بناءً على طلب الحكومة»، أوضحَ “كاتسي”. وبهذا الصدد نفَت الخارجية الإيرانية "
         "علاقتها بالهجوم، وقالت: «نرفض أي عمل يعرض أمن العراق للخطر».")
    model, rules = spans(t, "وقالت", "الخارجية الإيرانية")
    # alone, the feminine «وقالت» falls back on the one speaker there is
    assert link(t, model).quotes[1].speaker.name == "كاتسي"
    r = link(t, model, fallback=rules)
    assert [q.speaker.name for q in r.quotes] == ["كاتسي", "الخارجية الإيرانية"]
    assert r.quotes[1].speaker.mentions[0].start == t.index("الخارجية الإيرانية")
    # a masculine verb agrees with كاتسي (أوضحَ shows his gender): nothing is borrowed
    t2 = t.replace("نفَت الخارجية الإيرانية", "نفى المتحدث الإيراني").replace("وقالت", "وقال")
    model2, rules2 = spans(t2, "وقال", "المتحدث الإيراني")
    r2 = link(t2, model2, fallback=rules2)
    assert r2.quotes[1].speaker.name == "كاتسي"


def test_a_source_cue_takes_the_fallback_source_after_it():
    t = ("«قلصنا عدد قواتنا بناءً على طلب الحكومة»، أوضحَ “كاتسي”.\n\n"
         "«أدى قصف أربيل لمقتل مدني متعاقد مع التحالف»، وفق بيان لقيادة القوات الأميركية في العراق.")
    model = [sp(t, "قلصنا عدد قواتنا بناءً على طلب الحكومة", "QUOTE"), sp(t, "أوضحَ", "CUE"),
             sp(t, "كاتسي", "SPEAKER"), sp(t, "أدى قصف أربيل لمقتل مدني متعاقد مع التحالف", "QUOTE"),
             sp(t, "وفق", "CUE")]
    rules = [sp(t, "كاتسي", "SPEAKER"), sp(t, "بيان لقيادة القوات الأميركية في العراق", "SPEAKER")]
    # «وفق» never drops its source: without one after it, pro-drop would pick كاتسي
    assert link(t, model).quotes[1].speaker.name == "كاتسي"
    r = link(t, model, fallback=rules)
    assert r.quotes[1].speaker.name == "قيادة القوات الأميركية في العراق"
    assert r.quotes[1].cue.start == t.index("وفق")
    assert r.quotes[0].speaker.name == "كاتسي"


def test_a_described_document_is_the_source_of_its_clause_alone():
    # ruling 36: «مقال يصف …» is the article's clause, not Pompeo's words; the «وأضاف» after
    # it continues Pompeo, not the article
    t = ("وقال بومبيو إن صمت القيادات يجعلهم متواطئين. ونشر أحد مساعديه رابط مقال يصف منافسه "
         "بأنه صاحب عمامة. وأضاف بومبيو لاحقاً أن الحملة انتهت. وأكد أن الأرقام تغيرت.")
    model = [sp(t, "وقال", "CUE"), sp(t, "بومبيو", "SPEAKER"), sp(t, "صمت القيادات يجعلهم متواطئين", "QUOTE"),
             sp(t, "يصف", "CUE"), sp(t, "صاحب عمامة", "QUOTE"),
             sp(t, "وأضاف", "CUE"), sp(t, "بومبيو", "SPEAKER", 1), sp(t, "الحملة انتهت", "QUOTE"),
             sp(t, "وأكد", "CUE"), sp(t, "الأرقام تغيرت", "QUOTE")]
    rules = [sp(t, "بومبيو", "SPEAKER"), sp(t, "مقال", "SPEAKER"), sp(t, "بومبيو", "SPEAKER", 1)]
    # the model tagged no source for «يصف»: pro-drop alone gives Pompeo
    assert link(t, model).quotes[1].speaker.name == "بومبيو"
    r = link(t, model, fallback=rules)
    assert [q.speaker.name for q in r.quotes] == ["بومبيو", "مقال", "بومبيو", "بومبيو"]
    assert r.quotes[1].speaker.mentions[0].start == t.index("مقال")
    # with no «وأضاف بومبيو», the «وأكد» after the article continues Pompeo (the article
    # tagged by the model itself here)
    t2 = t.replace("وأضاف بومبيو لاحقاً أن الحملة انتهت. ", "")
    model2 = [s for s in model[:5]] + [sp(t2, "وأكد", "CUE"), sp(t2, "الأرقام تغيرت", "QUOTE")]
    model2 = [sp(t2, s.text, s.label) for s in model2]
    r2 = link(t2, model2 + [sp(t2, "مقال", "SPEAKER")])
    assert [q.speaker.name for q in r2.quotes] == ["بومبيو", "مقال", "بومبيو"]
    # a definite noun opens no such clause («وفي المقال يصف الكاتب …»): nothing is borrowed
    t3 = t.replace("رابط مقال يصف", "رابط المقال يصف")
    model3 = [sp(t3, s.text, s.label, 1 if s.start > t.index("وأضاف") and s.text == "بومبيو" else 0)
              for s in model]
    r3 = link(t3, model3, fallback=[sp(t3, "المقال", "SPEAKER")])
    assert r3.quotes[1].speaker.name == "بومبيو"
    # within its own sentence the document goes on speaking: «…، ويضيف أن …»
    t4 = t2.replace("صاحب عمامة.", "صاحب عمامة، ويضيف أن الحملة انتهت.")
    model4 = [sp(t4, s.text, s.label) for s in model2] + [sp(t4, "ويضيف", "CUE"), sp(t4, "الحملة انتهت", "QUOTE")]
    r4 = link(t4, model4, fallback=[sp(t4, "مقال", "SPEAKER")])
    assert [q.speaker.name for q in r4.quotes] == ["بومبيو", "مقال", "مقال", "بومبيو"]
    # a document the verb does not agree with, or one a pronoun after the verb points back
    # to (ruling 34), is the verb's object: the speaker is the one who posted it
    for t5, cue in (("وقال الوزير إن الحملة بدأت. ونشر تغريدة يقول إن الأمر صعب.", "يقول"),
                    ("وقالت الوزيرة إن الحملة بدأت. ونشرت تغريدة تقول فيها إن الأمر صعب.", "تقول")):
        model5 = [sp(t5, t5.split()[0], "CUE"), sp(t5, t5.split()[1], "SPEAKER"), sp(t5, "الحملة بدأت", "QUOTE"),
                  sp(t5, cue, "CUE"), sp(t5, "الأمر صعب", "QUOTE")]
        r5 = link(t5, model5, fallback=[sp(t5, "تغريدة", "SPEAKER")])
        assert [q.speaker.name for q in r5.quotes] == [t5.split()[1]] * 2, t5


def test_a_described_document_reaches_within_its_sentence_only():
    def spans(t: str, pieces: list[tuple[str, str]]) -> list[Span]:
        return [sp(t, piece, label) for piece, label in pieces]

    # the next sentence's feminine «وقالت» agrees with no one left in reach, so the rule
    # engine's agreeing source is borrowed as before
    t = "صدر تقرير يقول إن الوضع سيئ. نفت الخارجية علاقتها، وقالت إن الأمر مختلق."
    model = spans(t, [("تقرير", "SPEAKER"), ("يقول", "CUE"), ("الوضع سيئ", "QUOTE"), ("وقالت", "CUE"),
                      ("الأمر مختلق", "QUOTE")])
    r = link(t, model, fallback=spans(t, [("تقرير", "SPEAKER"), ("الخارجية", "SPEAKER")]))
    assert [q.speaker.name for q in r.quotes] == ["تقرير", "الخارجية"]
    # looking forward, a full stop inside the quote is no sentence end between it and the article
    t = "وتابع: «الوضع خطير. والحل بعيد»، في مقال يصف الأزمة بأنها الأسوأ."
    r = link(t, spans(t, [("وتابع", "CUE"), ("الوضع خطير. والحل بعيد", "QUOTE"), ("مقال", "SPEAKER"),
                          ("يصف", "CUE"), ("بأنها الأسوأ", "QUOTE")]))
    assert [q.speaker.name for q in r.quotes] == ["مقال", "مقال"]
    # with nobody else before it, the article of an earlier sentence is still the best guess
    t = "صدر تقرير يقول إن الوضع سيئ. ويضيف أن الأمر صعب."
    r = link(t, spans(t, [("تقرير", "SPEAKER"), ("يقول", "CUE"), ("الوضع سيئ", "QUOTE"), ("ويضيف", "CUE"),
                          ("الأمر صعب", "QUOTE")]))
    assert [q.speaker.name for q in r.quotes] == ["تقرير", "تقرير"]
    # a line break ends the sentence: a heading noun is not described by the next line's verb
    t = "وقال بومبيو إن الحملة بدأت.\nمقال\nيقول إن الوضع سيئ."
    r = link(t, spans(t, [("وقال", "CUE"), ("بومبيو", "SPEAKER"), ("الحملة بدأت", "QUOTE"), ("يقول", "CUE"),
                          ("الوضع سيئ", "QUOTE")]), fallback=spans(t, [("مقال", "SPEAKER")]))
    assert [q.speaker.name for q in r.quotes] == ["بومبيو", "بومبيو"]


def test_a_person_spoken_to_is_not_the_speaker():
    # «لنظيره الفرنسي جان إيف لودريان»: the name after the addressee word is not the source
    t = "قال الوزير لنظيره الفرنسي جان إيف لودريان إن العلاقات بين البلدين ممتازة."
    r = link(t, [sp(t, "قال", "CUE"), sp(t, "الوزير", "SPEAKER"), sp(t, "جان إيف لودريان", "SPEAKER"),
                 sp(t, "العلاقات بين البلدين ممتازة", "QUOTE")])
    assert r.quotes[0].speaker.name == "الوزير"


def test_agreement_features():
    assert speaker_features("مسؤولون عراقيون")[1] == "pl"
    assert speaker_features("خلية الإعلام الأمني")[0] == "f"
    assert agrees(cue_form("وأوضحوا"), speaker_features("محللون"))
    assert not agrees(cue_form("وأوضحوا"), speaker_features("الوزير"))
    assert not agrees(cue_form("وقالت"), speaker_features("المرصد"))
    assert agrees(cue_form("وقالت"), speaker_features("مصادر محلية"))  # non-human plural


def test_pro_drop_looks_forward_when_nothing_came_before():
    t = "«سنعيد فتح المعبر خلال أيام قليلة»، قال المحافظ “رامي الخطيب”."
    r = link(t, [sp(t, "سنعيد فتح المعبر خلال أيام قليلة", "QUOTE"), sp(t, "قال", "CUE"),
                 sp(t, "رامي الخطيب", "SPEAKER")])
    assert r.quotes[0].speaker.name == "رامي الخطيب"


def test_surname_clusters_with_full_name_and_canonical_is_fullest():
    t = "قال العقيد “ديف وليامز” إن القوات جاهزة. وأضاف وليامز أن التدريب مستمر."
    mentions = [sp(t, "ديف وليامز", "SPEAKER"), sp(t, "وليامز", "SPEAKER", 1)]
    clusters = cluster_mentions(t, mentions)
    assert len(clusters) == 1
    r = link(t, mentions)
    assert r.speakers[0].name == "ديف وليامز"
    assert "وليامز" in r.speakers[0].aliases


def test_surname_alone_resolves_to_a_full_name_given_later():
    t = "وقال حداد إن الميناء مغلق. ويشغل رجل الأعمال “ماهر حداد” منصب رئيس الغرفة."
    assert canonical_name(t, ["حداد"]) == "ماهر حداد"


def test_statement_resolves_to_the_organisation():
    t = ("أعلنت خلية #الإعلام_الأمني، الاثنين، عن تسلم شحنة أسلحة. وذكر بيان للخلية أن «الدعم مستمر للقوات». "
         "وأضاف البيان أن «الشحنة وصلت إلى بغداد».")
    mentions = [sp(t, "بيان للخلية", "SPEAKER"), sp(t, "البيان", "SPEAKER")]
    r = link(t, mentions)
    assert len(r.speakers) == 1
    assert r.speakers[0].name == "خلية الإعلام الأمني"


def test_definite_description_joins_the_latest_entity():
    t = "قال وزير المالية “نبيل عيسى” إن العجز تراجع. وأضاف الوزير أن الإيرادات ارتفعت."
    r = link(t, [sp(t, "نبيل عيسى", "SPEAKER"), sp(t, "الوزير", "SPEAKER")])
    assert len(r.speakers) == 1
    assert r.speakers[0].name == "نبيل عيسى"


def test_role_is_the_title_next_to_the_name():
    t = "وقال رئيس المحكمة مدحت المحمود إن القرار نهائي"
    assert role_of(t, sp(t, "مدحت المحمود", "SPEAKER")) == "رئيس المحكمة"
    t2 = "وقال جو كايزر، رئيس شركة سيمنز، إن الاستثمار سيتضاعف"
    assert role_of(t2, sp(t2, "جو كايزر", "SPEAKER")) == "رئيس شركة سيمنز"


def test_attach_claims_sets_claimant_inside_quotes_only():
    t = "قال الوزير إن 48 هجوماً وقعت. وسجلت الشرطة 9 حوادث"
    w = Speaker("الوزير", (sp(t, "الوزير", "SPEAKER"),))
    q = Quote(sp(t, "48 هجوماً وقعت", "QUOTE"), "indirect", w)
    inside = NumericClaim(sp(t, "48 هجوماً", "NUM"), 48.0, "هجوم")
    outside = NumericClaim(sp(t, "9 حوادث", "NUM"), 9.0, "حادث")
    a, b = attach_claims([inside, outside], [q])
    assert a.claimant is w and a.quote is q
    assert b.claimant is None and b.quote is None
    assert inside.claimant is None  # the input is not changed


def test_link_rejects_a_span_that_does_not_match_the_text():
    t = "قال الوزير إن الوضع مستقر"
    with pytest.raises(AnnotationError):
        link(t, [Span(0, 3, "CUE", "قول")])


def test_link_ignores_other_labels_and_returns_tuples():
    t = "قال الوزير إن 5 جنود أصيبوا"
    r = link(t, [sp(t, "قال", "CUE"), sp(t, "5 جنود", "NUM")])
    assert r.quotes == () and isinstance(r.cues, tuple) and r.cues[0].text == "قال"


# -- invisible format characters -------------------------------------------------------------


@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\u061c", "\u200c", "\u200d", "\ufeff"],
                         ids=["RLM", "LRM", "ALM", "ZWNJ", "ZWJ", "BOM"])
def test_tidy_spans_trims_a_format_character_like_a_space(mark):
    from arquote.decode import tidy_spans

    t = f"وأضاف أن {mark}«الخطة الجديدة ناجحة»."
    (s,) = tidy_spans(t, [Span.of(t, t.index(mark), t.index("»") + 1, "QUOTE")])
    assert (s.start, s.end, s.text) == (t.index("الخطة"), t.index("»"), "الخطة الجديدة ناجحة")
    t = f"وأضاف أن «{mark}الخطة الجديدة ناجحة.{mark}»{mark}."
    (s,) = tidy_spans(t, [Span.of(t, t.index("«"), len(t), "QUOTE")])
    assert s.text == "الخطة الجديدة ناجحة."
    assert s.start == t.index("الخطة") and t[s.start] not in mark and t[s.end - 1] not in mark


@pytest.mark.parametrize("text, quoted", [
    # in the order they come
    ('قال "نحن مستعدون للحوار" ثم أضاف "لن نتراجع عن مطالبنا".',
     ["نحن مستعدون للحوار", "لن نتراجع عن مطالبنا"]),
    # a title inside a quote nests in it
    ('وقال المطرب: "كنت أعمل على ألحان أغنيتي "مدرسة الحب" أثناء القصف".',
     ['كنت أعمل على ألحان أغنيتي "مدرسة الحب" أثناء القصف', "مدرسة الحب"]),
    # a title glued to a proclitic opens: «بـ"درب التبانة"»
    ('وقال الباحث " إن المجرة التي تسمى بـ"درب التبانة" تضم مئة مليار نجم ".',
     ['إن المجرة التي تسمى بـ"درب التبانة" تضم مئة مليار نجم', "درب التبانة"]),
    # marks glued the other way round, in a text that starts inside a quote (ruling 39)
    ('ولا أحد يستطيع أن يمنعها. "كما أضاف أنه" من غير المرجح "أن يتدخل المجلس. '
     'وأوضح للصحفيين" لقد قلنا كل شيء "في إشارة إلى الرد.',
     ["من غير المرجح", "لقد قلنا كل شيء"]),
    # a mark before an ellipsis opens
    ('وقال إن الناس يحكمون بالمظهر "..ولكن الطفل يحكم بالحنان".',
     ["..ولكن الطفل يحكم بالحنان"]),
])
def test_pair_same_marks_reads_what_touches_each_mark(text, quoted):
    pairs = pair_same_marks(text, [i for i, c in enumerate(text) if c == '"'], True)
    assert all(pairs[pairs[i]] == i for i in pairs)
    assert [text[a + 1:b].strip() for a, b in sorted(pairs.items()) if a < b] == quoted


def test_pair_same_marks_leaves_a_stray_mark_unpaired():
    text = 'قال "نحن مستعدون للحوار" ثم غادر القاعة" مسرعا.'
    pairs = pair_same_marks(text, [i for i, c in enumerate(text) if c == '"'], True)
    assert [text[a + 1:b] for a, b in sorted(pairs.items()) if a < b] == ["نحن مستعدون للحوار"]
    assert text.rindex('"') not in pairs


def test_quote_kind_sees_marks_past_format_characters():
    t = "وأضاف أن:\u200f «\u200fالخطة الجديدة ناجحة\u200f»\u200f."
    assert quote_kind(t, sp(t, "الخطة الجديدة ناجحة", "QUOTE")) == "direct"


# -- sentence ends -----------------------------------------------------------------------------


def test_sentence_end_agrees_with_the_rule_engine():
    from arquote.link import sentence_end
    from arquote.rules.engine import _View

    t = "وقال د. أحمد سالم... إن الوضع مستقر... وأضاف أن الحدود آمنة بنسبة 1.5 ضعف."
    v = _View(t)
    for a, b in zip(v.toks, v.toks[1:]):
        assert v.sentence_break(a.end, b.start) == (sentence_end(t, a.end, b.start) is not None)
    ends = [i for i in range(len(t)) if sentence_end(t, i, i + 1)]
    assert ends == [t.index("... وأضاف"), len(t) - 1]


def test_cue_before_an_ellipsis_and_an_abbreviation_is_found():
    t = "وقال الوزير أحمد سالم... إن الوضع الأمني مستقر تماما."
    q = sp(t, "الوضع الأمني مستقر تماما", "QUOTE")
    assert find_cue(t, q, [sp(t, "وقال", "CUE")]).text == "وقال"
    t = "وقال د. أحمد سالم إن الوضع الصحي مستقر."
    r = link(t, [sp(t, "وقال", "CUE"), sp(t, "أحمد سالم", "SPEAKER"), sp(t, "الوضع الصحي مستقر", "QUOTE")])
    assert (r.quotes[0].cue.text, r.quotes[0].speaker.name) == ("وقال", "أحمد سالم")


def test_cue_does_not_reach_past_an_ellipsis_that_ends_a_sentence():
    t = "وقال الوزير إن الحدود مغلقة... الوضع الأمني مستقر تماما في المدينة."
    q = sp(t, "الوضع الأمني مستقر تماما في المدينة", "QUOTE")
    assert find_cue(t, q, [sp(t, "وقال", "CUE")]) is None


# -- statement sources -------------------------------------------------------------------------


@pytest.mark.parametrize("mention,source", [
    ("بيان لِلخلية", "الخلية"),
    ("بيان لِقيادة القوات", "قيادة القوات"),
    ("بيان لـقيادة القوات", "قيادة القوات"),
    ("بيانٍ لِلْخلية", "الخلية"),
], ids=["kasra-lil", "kasra-li", "tatweel", "tanwin-sukun"])
def test_statement_source_with_diacritics_and_tatweel(mention, source):
    from arquote.link import _statement_source

    assert _statement_source(mention) == source
    t = f"وذكر {mention} أن العمل مستمر في جميع المحاور."
    assert canonical_name(t, [mention]) == source


@pytest.mark.parametrize(("sentence", "mention", "name"), [
    ("وذكرت وكالة أنباء الأناضول الحكومية التركية أن المتهم اعترف", "وكالة أنباء الأناضول الحكومية التركية", "الأناضول"),
    ("واكدت صحيفة سبورت الكتالونية على ان برشلونة سيستأنف", "صحيفة سبورت الكتالونية", "سبورت"),
    ('وكانت صحيفة "ديارو دي إيبيزا" أشارت إلى أن المهاجم أصيب', 'صحيفة "ديارو دي إيبيزا"', "ديارو دي إيبيزا"),
    ("وقالت وكالة التصنيف الائتماني ستاندرد آند بورز إنها خفضت التصنيف", "وكالة التصنيف الائتماني ستاندرد آند بورز", "ستاندرد آند بورز"),
    ("وقالت الصحيفة البريطانية الغارديان إن الحكومة تدرس القرار", "الصحيفة البريطانية الغارديان", "الغارديان"),
    ("وقالت صحيفة الشرق الأوسط اللندنية إن المفاوضات توقفت", "صحيفة الشرق الأوسط اللندنية", "الشرق الأوسط"),
    ("وقالت وكالة رويترز للأنباء إن الشحنة وصلت", "وكالة رويترز للأنباء", "رويترز"),
    ("وقالت صحيفة واشنطن بوست ومحطة تلفزيون محلية إن الحادث وقع", "صحيفة واشنطن بوست ومحطة تلفزيون محلية", "واشنطن بوست"),
    # a mention that ends before the name's closing mark
    ("وقالت مجلة “فوربيس” الأمريكية إن الثروة زادت", "مجلة “فوربيس", "فوربيس"),
])
def test_an_outlet_speaker_is_its_name_alone(sentence, mention, name):
    assert_cut_to(sentence, outlet_name(sentence, sp(sentence, mention, "SPEAKER")), name)


@pytest.mark.parametrize(("sentence", "mention"), [
    ("وقالت وكالة الأنباء السعودية إن الاجتماع انتهى", "وكالة الأنباء السعودية"),
    ("وقالت وكالة الصحافة الفرنسية إن الاجتماع انتهى", "وكالة الصحافة الفرنسية"),
    ("وقالت صحيفة المصري اليوم إن الوزير استقال", "صحيفة المصري اليوم"),
    ("وأضافت الصحيفة الأمريكية أن الوزير استقال", "الصحيفة الأمريكية"),
    ("ونقلت الصحيفة ذاتها أن الوزير استقال", "الصحيفة ذاتها"),
    ("وقالت الوكالة الوطنية للتنسيق في الكوارث إن الحصيلة ارتفعت", "الوكالة الوطنية للتنسيق في الكوارث"),
    ("التي وصفها موقع شركته على الانترنت بأنها الأفخم", "موقع شركته على الانترنت"),
    ("وقال مسؤولون عراقيون إن الهجوم فشل", "مسؤولون عراقيون"),
])
def test_an_outlet_phrase_with_no_name_of_its_own_stays_whole(sentence, mention):
    span = sp(sentence, mention, "SPEAKER")
    assert outlet_name(sentence, span) == span


def test_link_names_an_outlet_speaker_by_its_name_and_clusters_it():
    t = ("وذكرت صحيفة سبورت الكتالونية أن برشلونة سيستأنف القرار. "
         "وأضافت سبورت أن الإدارة غاضبة.")
    r = link(t, [sp(t, "وذكرت", "CUE"), sp(t, "صحيفة سبورت الكتالونية", "SPEAKER"),
                 sp(t, "برشلونة سيستأنف القرار", "QUOTE"), sp(t, "وأضافت", "CUE"),
                 sp(t, "سبورت", "SPEAKER", nth=1), sp(t, "الإدارة غاضبة", "QUOTE")])
    assert [q.speaker.name for q in r.quotes] == ["سبورت", "سبورت"]
    assert len(r.speakers) == 1
    assert [(m.start, m.text) for m in r.speakers[0].mentions] == [
        (t.index("سبورت"), "سبورت"), (t.index("سبورت", t.index("وأضافت")), "سبورت")]


@pytest.mark.parametrize(("sentence", "mention", "name"), [
    ("لكن روسيا وصفت هذا الإجراء بأنه سابق لأوانه", "لكن روسيا", "روسيا"),
    ("وكانت فرنسا قالت إن القرار نهائي", "وكانت فرنسا", "فرنسا"),
    ("ومع ذلك، فإن لافروف أكد أن المحادثات مستمرة", "فإن لافروف", "لافروف"),
    ("أما الوزير فقال إن الميزانية لا تكفي", "أما الوزير", "الوزير"),
    ("ولكن مسؤولا قال إن أحدث قتال ليس نابعا من انقسام عرقي", "ولكن مسؤولا", "مسؤولا"),
    ("ونشرت صحيفة الغارديان تقريرا قالت فيه إن الحكومة تدرس القرار", "ونشرت صحيفة الغارديان", "الغارديان"),
], ids=["lakin", "wa-kanat", "fa-inna", "amma", "wa-lakin", "conjoined-verb"])
def test_a_particle_before_the_subject_is_left_out_of_the_mention(sentence, mention, name):
    assert_cut_to(sentence, speaker_mention(sentence, sp(sentence, mention, "SPEAKER")), name)


@pytest.mark.parametrize(("sentence", "mention"), [
    ("وعن دوره في مسلسل عطر الروح، قال إن الشخصية استفزته كثيرا", "وعن دوره"),
    ("وفي شأن متصل، كشف التميمي أن الطلب تراجع", "وفي شأن متصل"),
    ("ويلفت إسماعيل الانتباه، وهو يجيب عن الأسئلة، إلى أن الخطاب الطائفي يساعد داعش", "وهو"),
    ("قالت لنا إنها لم تندم على قراراتها", "لنا"),
    ("وبينما لم يتحدث كاميرون عن التفاصيل، يقول إن الخطة جاهزة", "وبينما لم يتحدث كاميرون"),
    ("ولم يؤيد أويس من يقول إن الدراما التركية ضربت الدراما السورية", "ولم يؤيد أويس"),
    ("أكد أن أماندا غادرت المدينة", "أن أماندا"),
    ("وكانت قد قالت إن الحكومة ستستقيل", "وكانت قد"),
    ("وعلى صعيد آخر، قال الوزير إن الميزانية لا تكفي", "وعلى صعيد آخر"),
    ("وقالت لي إن الوضع صعب", "لي"),
], ids=["wa-an", "wa-fi", "wa-huwa", "lana", "baynama", "wa-lam", "anna", "particles-only", "wa-ala",
        "li-alone"])
def test_a_mention_that_starts_where_no_subject_starts_names_no_source(sentence, mention):
    assert speaker_mention(sentence, sp(sentence, mention, "SPEAKER")) is None


def test_a_mention_that_names_no_source_leaves_the_quote_to_the_speaker_named_before():
    t = ("وأكد الفنان باسم ياخور أن الأعمال التي تعرض حاليا هي حصيلة سنوات. "
         "وعن دوره في المسلسل، قال إن الشخصية استفزته كثيرا.")
    r = link(t, [sp(t, "وأكد", "CUE"), sp(t, "باسم ياخور", "SPEAKER"),
                 sp(t, "الأعمال التي تعرض حاليا هي حصيلة سنوات", "QUOTE"),
                 sp(t, "وعن دوره", "SPEAKER"), sp(t, "قال", "CUE", nth=0),
                 sp(t, "الشخصية استفزته كثيرا", "QUOTE")])
    assert [q.speaker.name for q in r.quotes] == ["باسم ياخور", "باسم ياخور"]
    assert [m.text for m in r.speakers[0].mentions] == ["باسم ياخور"]
    assert len(r.speakers) == 1


def test_a_particle_before_a_name_is_not_taken_for_a_first_name():
    t = "وكانت حورية قد قالت إن العرض تأجل. وأضافت حورية أن الفرقة جاهزة."
    assert canonical_name(t, ["حورية"]) == "حورية"


@pytest.mark.parametrize(("sentence", "mention"), [
    ("وقال علي حسن إن المصنع يعمل بكامل طاقته", "علي حسن"),
    ("وقال هو جينتاو إن بلاده تريد السلام", "هو جينتاو"),
    ("وقال لي هسين لونغ إن الاقتصاد سينمو", "لي هسين لونغ"),
    ("وقالت وحدات حماية الشعب إن قواتها تقدمت", "وحدات حماية الشعب"),
    ("وقال فان بيرسي إن الفريق جاهز", "فان بيرسي"),
], ids=["ali", "hu-jintao", "lee", "plural-in-at", "van"])
def test_a_name_that_folds_like_a_function_word_is_kept(sentence, mention):
    span = sp(sentence, mention, "SPEAKER")
    assert speaker_mention(sentence, span) == span


def test_a_word_that_starts_like_a_conjoined_article_keeps_its_first_letter():
    t = "وقالت والدتها إن الطفلة بخير."
    assert canonical_name(t, ["والدتها"]) == "والدتها"


@pytest.mark.parametrize(("sentence", "mention", "name"), [
    ("وكانت جماعة تُطلق على نفسها “سرايا أولياء الدم”، أعلنت مسؤوليتها عن الهجوم، قائلة إنها "
     "استهدفت القوات.", "جماعة تُطلق", "سرايا أولياء الدم"),
    ("وقالت جماعة تسمي نفسها كتائب حزب الله إنها نفذت الهجوم.", "جماعة تسمي نفسها كتائب حزب الله",
     "كتائب حزب الله"),
    ("وقال رجل يُدعى أبو محمد للصحفيين إن القصف استمر.", "رجل يُدعى أبو محمد", "أبو محمد"),
], ids=["quoted-after-the-mention", "inside-the-mention", "yudaa"])
def test_a_naming_clause_gives_the_speaker_its_name(sentence, mention, name):
    assert_cut_to(sentence, speaker_mention(sentence, sp(sentence, mention, "SPEAKER")), name)


def test_a_naming_verb_with_no_name_after_it_leaves_the_mention_alone():
    t = "وقال رجل يدعى، كما عرف نفسه، إن القصف استمر."
    span = sp(t, "رجل يدعى", "SPEAKER")
    assert speaker_mention(t, span) == span


def test_a_verb_before_a_name_is_no_first_name():
    # «ورفض بولتون» opens a sentence with a conjoined verb; «وليد» is a first name
    t = "وقال بولتون إن القوة غير كافية. ورفض بولتون الاحد تعزيز القوة."
    assert canonical_name(t, ["بولتون"]) == "بولتون"
    t = "وقال جنبلاط إن الحوار ضروري. وليد جنبلاط زعيم الحزب."
    assert canonical_name(t, ["جنبلاط"]) == "وليد جنبلاط"
    t = 'وفي حديث مع "العربية.نت" تطرقت نانسي إلى الأغنية الخليجية.'
    assert canonical_name(t, ["نانسي"]) == "نانسي"
    # first names that open with و or ف are names, not conjunctions
    t = "فلاديمير بوتين يزور الصين. وقال بوتين إن العلاقات ممتازة."
    assert canonical_name(t, ["بوتين"]) == "فلاديمير بوتين"
    t = "وسيم يوسف يتحدث. وقال يوسف إن العلاقات ممتازة."
    assert canonical_name(t, ["يوسف"]) == "وسيم يوسف"


def test_a_bodys_data_are_named_by_the_body():
    t = "وأفادت بيانات وزارة الصناعة بأن عدد السياح ارتفع."
    assert canonical_name(t, ["بيانات وزارة الصناعة"]) == "وزارة الصناعة"
    assert canonical_name(t, ["بيانات رسمية"]) == "بيانات رسمية"
    # data that name no body stay as written: the victims are no source
    t = "وأفادت حصيلة الضحايا بأن عدد القتلى تجاوز المئة شخص."
    assert canonical_name(t, ["حصيلة الضحايا"]) == "حصيلة الضحايا"


def test_a_describing_mention_gives_way_to_the_name_in_its_phrase():
    # the guideline's name alone: a model may tag the title and the name as two mentions
    t = "وقد رأى زعيم اليمين الحاكم في بولندا ياروسلاف كاتشينسكي أن الحرية مرتبطة بالسيادة"
    spans = [sp(t, "رأى", "CUE"), sp(t, "زعيم اليمين", "SPEAKER"), sp(t, "ياروسلاف كاتشينسكي", "SPEAKER"),
             sp(t, "الحرية مرتبطة بالسيادة", "QUOTE")]
    assert link(t, spans).quotes[0].speaker.name == "ياروسلاف كاتشينسكي"
    # an addressee after the source is no source: «أحد الأطباء لـ"إيمان"»
    t = 'وأوضح أحد الأطباء المعالجين لـ"إيمان" أنها لن تقف على قدميها لمدة عام'
    spans = [sp(t, "وأوضح", "CUE"), sp(t, "أحد الأطباء المعالجين", "SPEAKER"), sp(t, "إيمان", "SPEAKER"),
             sp(t, "لن تقف على قدميها لمدة عام", "QUOTE")]
    assert link(t, spans).quotes[0].speaker.name == "أحد الأطباء المعالجين"
    # nor a medium: «في تغريدة على موقع "تويتر"»
    t = 'وقال الفنان في تغريدة على موقع "تويتر" إن الأغنية جاهزة للنشر'
    spans = [sp(t, "وقال", "CUE"), sp(t, "الفنان", "SPEAKER"), sp(t, "تويتر", "SPEAKER"),
             sp(t, "الأغنية جاهزة للنشر", "QUOTE")]
    assert link(t, spans).quotes[0].speaker.name == "الفنان"
