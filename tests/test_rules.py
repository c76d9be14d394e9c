"""Tests of the rule engine (arquote.rules): one group per pattern of the guideline.

Every sentence here is written for the tests in news style; offsets come from text.index.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import arquote
from arquote.cues import cue_form, cue_lexicon
from arquote.document import Document
from arquote.rules import RuleExtractor, confident, extract, find_spans, make_silver, mark_pairs

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def quotes(text: str) -> list[tuple[str, str, str | None, str | None]]:
    """(kind, content, speaker name, cue) of each quote the engine finds."""
    doc = extract(text)
    return [(q.kind, q.content.text, q.speaker.name if q.speaker else None,
             q.cue.text if q.cue else None) for q in doc.quotes]


# -- quotation marks ------------------------------------------------------------------------


@pytest.mark.parametrize("opening,closing", [("«", "»"), ("“", "”"), ('"', '"'), ("”", "“"), ("‘", "’")])
def test_every_mark_style_gives_a_direct_quote(opening, closing):
    t = f"وقال المتحدث “سامر العلي” إن {opening}الحكومة ستعلن خطة جديدة للإسكان{closing}."
    assert quotes(t) == [("direct", "الحكومة ستعلن خطة جديدة للإسكان", "سامر العلي", "وقال")]


def test_content_offsets_exclude_marks_and_spaces():
    t = "وأضاف الوزير: « الاستثمارات ارتفعت خلال العام الماضي. »"
    doc = extract(t)
    content = doc.quotes[0].content
    assert content.start == t.index("الاستثمارات")
    assert content.text == "الاستثمارات ارتفعت خلال العام الماضي."


def test_straight_marks_pair_within_a_paragraph_only():
    t = 'قال السفير "نحن نرحب بالاتفاق الجديد بين البلدين"\n\nوكتب مراسلنا "غداً'
    pairs = mark_pairs(t)
    assert [(t[a], t[b]) for a, b in pairs] == [('"', '"')]
    assert pairs[0][1] < t.index("\n")


def test_a_title_quoted_inside_a_quote_does_not_cut_it():
    t = 'وقال المطرب في مقابلة تلفزيونية: "كنت أعمل على ألحان أغنيتي "مدرسة الحب" أثناء القصف على بغداد".'
    assert quotes(t) == [("direct", 'كنت أعمل على ألحان أغنيتي "مدرسة الحب" أثناء القصف على بغداد',
                          "المطرب", "وقال")]


def test_a_list_of_quoted_titles_is_not_a_quote():
    t = 'وذكر المنظمون من بين الكتب المشاركة "رحلة في بلاد العجائب الكبرى" و"مذكرات مهاجر في المدينة القديمة".'
    assert quotes(t) == []
    # one of them alone after a colon is a quote
    t = 'وذكر المنظمون في بيانهم: "رحلة المعرض في بلاد العجائب ستبدأ غدا".'
    assert [q[:2] for q in quotes(t)] == [("direct", "رحلة المعرض في بلاد العجائب ستبدأ غدا")]


def test_colon_before_the_quote():
    t = "وقال رئيس البلدية “خالد منصور”: «سنبدأ أعمال الصيانة الأسبوع المقبل»."
    assert quotes(t) == [("direct", "سنبدأ أعمال الصيانة الأسبوع المقبل", "خالد منصور", "وقال")]


def test_quote_over_several_sentences():
    t = "وقال الطبيب “هاني سعيد”: «الوضع الصحي مستقر. نحن نتابع الحالات يومياً. لا داعي للقلق»."
    (kind, content, who, _), = quotes(t)
    assert kind == "direct" and who == "هاني سعيد"
    assert content == "الوضع الصحي مستقر. نحن نتابع الحالات يومياً. لا داعي للقلق"


def test_quote_split_by_its_attribution():
    t = ("وبيّن المدير “علي حسن” أن: «المصنع يعمل بكامل طاقته الإنتاجية»، مؤكّداً: "
         "«عند الطلب، نرفع الإنتاج خلال أيام».")
    found = quotes(t)
    assert [q[1] for q in found] == ["المصنع يعمل بكامل طاقته الإنتاجية", "عند الطلب، نرفع الإنتاج خلال أيام"]
    assert [q[2] for q in found] == ["علي حسن", "علي حسن"]
    assert [q[3] for q in found] == ["وبيّن", "مؤكّداً"]


def test_only_the_outermost_quote_is_kept():
    t = "وقال القائد “مراد فهمي” إن «مقاتلي “التنظيم” انسحبوا من القرى الحدودية»."
    assert quotes(t) == [("direct", "مقاتلي “التنظيم” انسحبوا من القرى الحدودية", "مراد فهمي", "وقال")]


# -- indirect quotes ------------------------------------------------------------------------


@pytest.mark.parametrize("comp", ["أن", "إن", "أنّ", "إنّ", "بأن"])
def test_indirect_quote_after_a_complementizer(comp):
    t = f"وأكد مسؤولون محليون {comp} الطريق الدولي أعيد فتحه أمام الشاحنات."
    assert quotes(t) == [("indirect", "الطريق الدولي أعيد فتحه أمام الشاحنات", "مسؤولون محليون", "وأكد")]


def test_suffixed_complementizer_starts_the_quote_after_it():
    t = "وقالت الشركة إنها ستفتح فرعاً جديداً في المدينة، على حد تعبيرها."
    assert quotes(t) == [("indirect", "ستفتح فرعاً جديداً في المدينة", "الشركة", "وقالت")]


def test_indirect_quote_ends_before_a_trailing_attribution():
    t = "وأوضح النائب “فادي عمر” أن البرلمان سيصوت على القانون الأسبوع المقبل، حسب تعبيره."
    (_, content, _, _), = quotes(t)
    assert content == "البرلمان سيصوت على القانون الأسبوع المقبل"


def test_indirect_quote_keeps_an_embedded_quoted_fragment():
    t = 'وقال الرئيس إن بلاده "لن تقبل أي تدخل خارجي" في شؤونها.'
    assert quotes(t) == [("indirect", 'بلاده "لن تقبل أي تدخل خارجي" في شؤونها', "الرئيس", "وقال")]


def test_preposition_before_the_complementizer():
    t = "وأشار المسؤول إلى أن المساعدات وصلت إلى المخيمات الشمالية."
    assert quotes(t)[0][1] == "المساعدات وصلت إلى المخيمات الشمالية"


# -- headlines and breaking news ------------------------------------------------------------


def test_headline_source_statement():
    t = "وزير الطاقة: أسعار الوقود لن ترتفع هذا العام\n\nنص الخبر هنا."
    assert quotes(t) == [("indirect", "أسعار الوقود لن ترتفع هذا العام", "وزير الطاقة", None)]


def test_breaking_news_post_with_addressee_and_spokesperson():
    t = "RT @News: عاجل | المتحدث باسم الجيش اللبناني للجزيرة: الحدود الجنوبية تشهد هدوءاً حذراً"
    assert quotes(t) == [("indirect", "الحدود الجنوبية تشهد هدوءاً حذراً", "الجيش اللبناني", None)]


def test_a_topic_title_is_not_a_source():
    for t in ("شاهد: الرئيس يزور المعرض الدولي للكتاب", "النزاع في اليمن: هدنة جديدة تبدأ غداً",
              "اقرأ أيضا: خمسة أسباب لارتفاع الأسعار"):
        assert quotes(t) == []


# -- sources after وفق، بحسب، نقلاً عن ------------------------------------------------------


def test_source_after_wafq_with_a_statement():
    t = "«أدى القصف إلى إصابة 9 أشخاص بجروح متفاوتة»، وفق بيان لقيادة الشرطة في المدينة."
    (kind, _, who, cue), = quotes(t)
    assert (kind, cue) == ("direct", "وفق")
    assert who == "قيادة الشرطة في المدينة"


def test_a_body_of_data_after_wafq_is_no_source():
    # ruling 3: figures are no speaker, with the article or «ل» before them
    for source in ("حسب الأرقام الرسمية المعلنة", "وفقاً لحصيلة أعدتها الوكالة", "وفقاً لبيانات وزارة الصحة"):
        t = f"ارتفع عدد الإصابات في صفوف الجيش من 287 إلى 518 جندياً، {source}."
        assert quotes(t) == [], source
    # an agency that speaks is a source
    t = "الحبوب تحتوي على مادة الفنتانيل، بحسب الوكالة الأميركية لمكافحة المخدرات."
    (kind, content, who, cue), = quotes(t)
    assert (kind, content, cue) == ("indirect", "الحبوب تحتوي على مادة الفنتانيل", "بحسب")
    assert who == "الوكالة الأميركية لمكافحة المخدرات"


def test_clause_attributed_by_bihasab_ma():
    t = "السيول ستصل إلى الوادي خلال ساعات، بحسب ما أكد مصدر في الدفاع المدني."
    (kind, content, who, cue), = quotes(t)
    assert (kind, content, cue) == ("indirect", "السيول ستصل إلى الوادي خلال ساعات", "أكد")
    assert who == "مصدر في الدفاع المدني"


def test_relay_speaker_after_naqlan_an():
    t = "وذكر تقرير صحفي، نقلاً عن مسؤولين أمنيين قولهم إن «الخلية كانت تخطط لهجمات جديدة»."
    (_, _, who, cue), = quotes(t)
    assert (who, cue) == ("مسؤولين أمنيين", "قولهم")


def test_outlet_addressee_is_not_the_speaker():
    t = 'وقال ضابط رفيع في الشرطة لـ"العربي الجديد" إن "الحملة الأمنية ستتواصل حتى نهاية الشهر".'
    (_, _, who, _), = quotes(t)
    assert who == "ضابط رفيع في الشرطة"


def test_pronoun_source_is_not_a_new_speaker():
    t = "وقال الوزير إن المشروع سيكتمل قريباً، حسب قوله."
    doc = extract(t)
    assert [s.name for s in doc.speakers] == ["الوزير"]


# -- post-posed attribution and pro-drop ------------------------------------------------------


def test_postposed_attribution():
    t = "«نحن مستعدون للحوار مع جميع الأطراف دون شروط»، أوضحَ “حسين الراوي”."
    assert quotes(t) == [("direct", "نحن مستعدون للحوار مع جميع الأطراف دون شروط", "حسين الراوي", "أوضحَ")]


def test_pro_drop_continuation_goes_to_the_speaker_named_earlier():
    t = ("وقال الوزير “عادل نوري” إن «المفاوضات تسير بشكل جيد».\n\n"
         "وأضاف أن: «الجولة المقبلة ستعقد في القاهرة».\n\nمُردفاً أن «الاتفاق بات قريباً جداً».")
    assert [q[2] for q in quotes(t)] == ["عادل نوري"] * 3


def test_plural_continuation_goes_to_the_plural_source():
    t = ("وقال المحافظ “جمال شاكر” إن «الأمطار سببت أضراراً كبيرة». وأكد خبراء أن «المدينة تحتاج إلى شبكة تصريف». "
         "وأوضحوا أن «الشبكة الحالية قديمة جداً».")
    assert [q[2] for q in quotes(t)] == ["جمال شاكر", "خبراء", "خبراء"]


def test_feminine_continuation_goes_to_the_feminine_source():
    t = ("قالت الوزارة إن «التسجيل يبدأ الأحد المقبل». وقال المدير “سمير زيد” إن «المدارس جاهزة تماماً». "
         "وأضافت أن «الكتب ستوزع مجاناً على الطلاب».")
    assert [q[2] for q in quotes(t)] == ["الوزارة", "سمير زيد", "الوزارة"]


# -- speaker phrases ----------------------------------------------------------------------------


def test_titles_stay_out_of_the_span_and_become_the_role():
    t = "أمس، قال المتحدث باسم القوات، العقيد #كريم_ناصر، إن «المهمة لم تتغير أبداً»."
    doc = extract(t)
    (speaker,) = doc.speakers
    assert [m.text for m in speaker.mentions] == ["كريم_ناصر"]
    assert speaker.name == "كريم ناصر"
    assert speaker.role == "العقيد"


def test_name_after_a_title_chain():
    t = "وقال رئيس المحكمة مدحت المحمود، في مؤتمر صحفي، إن الحكم نهائي وغير قابل للطعن."
    doc = extract(t)
    assert [m.text for m in doc.speakers[0].mentions] == ["مدحت المحمود"]
    assert doc.speakers[0].role == "رئيس المحكمة"


def test_anonymous_source_keeps_the_describing_phrase():
    t = "وأشار مسؤول عسكري أميركي إلى أن «القوات ستبقى في القاعدة حتى نهاية العام»."
    assert quotes(t)[0][2] == "مسؤول عسكري أميركي"


@pytest.mark.parametrize("text,source", [
    ("وقال مصدر أمني، فضّل عدم الكشف عن هويته، إن الحركة توقفت عند المعبر.", "مصدر أمني"),
    ("وقال مصدر أمني فضل عدم كشف هويته إن الحركة توقفت عند المعبر.", "مصدر أمني"),
    ("وقال مسؤول دفاع أميركي بارز طلب عدم نشر اسمه إن إيران ستواصل محاولاتها.", "مسؤول دفاع أميركي بارز"),
    ("وقال ضابط في الجيش مفضلاً عدم ذكر اسمه إن القوات تقدمت نحو المدينة.", "ضابط في الجيش"),
])
def test_the_clause_keeping_a_source_anonymous_is_not_the_source(text, source):
    found = quotes(text)
    assert [(q[1], q[2], q[3]) for q in found] == [(text[text.index(" إن ") + 4:-1], source, "وقال")]


@pytest.mark.parametrize("text", [
    "وقال الرئيس الأمريكي دونالد ترامب إن الاتفاق النووي سيئ، لكنه أضاف أن بلاده ستبقى في المنطقة.",
    # nothing before «لكنه» in its sentence is the source: the one named before is
    "وقال الرئيس الأمريكي دونالد ترامب إن الاتفاق النووي سيئ. ورفض تقديم تفاصيل عن العقوبات الجديدة، "
    "لكنه أضاف أن بلاده ستبقى في المنطقة.",
])
def test_but_with_a_pronoun_is_not_a_source(text):
    assert [(q[2], q[3]) for q in quotes(text)] == [("دونالد ترامب", "وقال"), ("دونالد ترامب", "أضاف")]


def test_statement_of_a_body_resolves_to_the_body():
    t = ("أعلنت خلية #الإعلام_الأمني، الاثنين، عن تسلم شحنة أسلحة.\n\nوذكر بيان للخلية أن: «الدعم مستمر للقوات».\n\n"
         "وأضاف البيان: «الشحنة وصلت إلى بغداد صباح اليوم».")
    doc = extract(t)
    assert len(doc.speakers) == 1
    assert doc.speakers[0].name == "خلية الإعلام الأمني"
    assert [m.text for m in doc.speakers[0].mentions] == ["بيان للخلية", "البيان"]


def test_surname_resolves_to_the_full_name_given_earlier():
    t = ("استقبل الرئيس الكولونيل “ديف وليامز” في مكتبه.\n\n"
         "وقال “وليامز” إن: «التحالف يعمل على تدريب القوات المحلية»." )
    doc = extract(t)
    assert doc.quotes[0].speaker.name == "ديف وليامز"
    assert "وليامز" in doc.quotes[0].speaker.aliases


# -- not quotes ---------------------------------------------------------------------------------


def test_names_and_scare_quotes_are_not_quotes():
    t = ('وتبنت جماعة “سرايا الفجر” الهجوم على القاعدة. وتصف الحكومة الهجمات بأنها “إجرامية”، '
         'فيما تقول الفصائل إن القوات «تحتل» الأرض.')
    found = quotes(t)
    assert all(q[1] not in ("سرايا الفجر", "إجرامية", "تحتل") for q in found)


def test_speech_verb_with_a_noun_complement_is_not_a_quote():
    for t in ("أعلنت الخلية عن استلام شحنة أسلحة جديدة.", "أكد مسؤولون استمرار التنسيق مع التحالف.",
              "نفت الخارجية علاقتها بالهجوم على السفارة."):
        assert quotes(t) == []


def test_authors_voice_is_not_a_quote():
    for t in ("يُذكر أن الهجمات تتكرر منذ مطلع العام.", "يشار إلى أن المعبر أغلق مرتين هذا الشهر.",
              "والجدير بالذكر أن المدينة تضم ثلاثة مستشفيات."):
        assert quotes(t) == []


# -- lexicon, API, claims -----------------------------------------------------------------------


def test_cue_lexicon_has_inflections_and_clitics():
    lemmas = {form.lemma for form in cue_lexicon().values()}
    assert len(lemmas) >= 80
    assert cue_form("وأوضحوا").number == "pl"
    assert cue_form("قالت").gender == "f"
    assert cue_form("فأضاف").lemma == cue_form("أضاف").lemma
    assert cue_form("مُختتماً").kind == "participle"
    assert cue_form("بحسب").cls == "source"


def test_load_rules_and_pipe():
    ext = arquote.load("rules")
    assert isinstance(ext, RuleExtractor) and ext.name == "rules"
    texts = ["وقال الوزير إن الوضع مستقر في المدينة.", "لا اقتباس في هذا النص."]
    docs = list(ext.pipe(texts))
    assert len(docs[0].quotes) == 1 and docs[1].quotes == ()
    assert docs[0].to_dict()["spans"]  # serializable in the annotation format


def test_cues_of_quotes_are_document_cues_and_offsets_hold():
    t = "وقال المتحدث “سامي يوسف” إن «الطريق مفتوح أمام الحركة». وأضاف أن الأعمال ستنتهي غداً."
    doc = extract(t)
    for q in doc.quotes:
        assert q.cue in doc.cues
        assert t[q.content.start:q.content.end] == q.content.text
    Document.from_dict(doc.to_dict())  # the record validates


def test_claims_inside_quotes_get_the_speaker():
    pytest.importorskip("arquote.numbers")
    t = "وقال المحافظ “رامي سالم” إن «الحريق دمر 12 منزلاً». وسجلت الشرطة 3 حوادث أخرى."
    doc = extract(t)
    inside = [c for c in doc.claims if c.quote is not None]
    outside = [c for c in doc.claims if c.quote is None]
    assert inside and all(c.claimant.name == "رامي سالم" for c in inside)
    assert all(c.claimant is None for c in outside)


def test_rejects_non_text():
    with pytest.raises(TypeError):
        RuleExtractor()(b"bytes")


def test_find_spans_returns_candidates_before_linking():
    t = "وأكد مسؤولون عراقيون أن الهجمات تراجعت خلال الشهر الماضي."
    c = find_spans(t)
    assert [s.text for s in c.quotes] == ["الهجمات تراجعت خلال الشهر الماضي"]
    assert [s.text for s in c.cues] == ["وأكد"]


# -- silver corpus ------------------------------------------------------------------------------


def test_confidence_filter():
    assert confident(extract("وقال الوزير إن «الحدود مغلقة حتى إشعار آخر»."))
    assert not confident(extract("وقال الوزير إن «الحدود مغلقة حتى إشعار آخر."))


def test_make_silver_writes_confident_records(tmp_path):
    corpus = tmp_path / "mini.jsonl.gz"
    texts = ["وقال الوزير إن «الحدود مغلقة حتى إشعار آخر».", "وقال الوزير إن «الحدود مغلقة.",
             "افتتح المعرض الدولي للكتاب أبوابه أمس بمشاركة واسعة."]
    with gzip.open(corpus, "wt", encoding="utf-8") as f:
        for n, t in enumerate(texts):
            f.write(json.dumps({"id": f"d{n}", "text": t}, ensure_ascii=False) + "\n")
    out = tmp_path / "silver.jsonl"
    stats = make_silver([corpus], out, limit=10, workers=1, progress=False)
    assert stats["read"] == 3 and stats["kept"] == 2
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["d0", "d2"]
    assert records[0]["source"] == "mini"
    Document.from_dict(records[0])


def test_make_silver_reports_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        make_silver([tmp_path / "nope.jsonl.gz"], tmp_path / "out.jsonl", workers=1, progress=False)


@pytest.mark.skipif(not (SHARED / "gold" / "dev.jsonl").exists(), reason="../shared/gold is absent")
def test_dev_set_targets():
    evaluate = pytest.importorskip("arquote.evaluate").evaluate
    gold = [Document.from_json(line) for line in (SHARED / "gold" / "dev.jsonl").read_text("utf-8").splitlines()]
    pred = []
    for g in gold:
        d = extract(g.text)
        pred.append(Document(d.text, d.quotes, d.speakers, d.claims, d.cues, id=g.id))
    result = evaluate(gold, pred)
    assert result.exact["QUOTE:direct"].f1 >= 0.90
    assert result.overlap["QUOTE:indirect"].f1 >= 0.60
    assert result.attribution.accuracy >= 0.85


def test_fast_tokenizer_agrees_with_normalize():
    from arquote.cues import _tokenize_reference, tokenize

    t = "قالَ المتحدّث\u200c باسم الـوزارة إنّ ٤٨ هجوماً وقعت، و1,500 جندي و3.5 مليون دولار."
    assert tokenize(t) == _tokenize_reference(t)
    assert [tok.norm for tok in tokenize(t)][:3] == ["قال", "المتحدث", "باسم"]


# -- generalization fixes (patterns seen on unseen news, sentences written for the tests) ----


def test_trailing_ala_hadd_qawlihi_is_cut_without_a_comma():
    t = "وأكد الوزير سامي الحداد أن المشروع سيكتمل قبل نهاية العام على حد قوله."
    doc = extract(t)
    assert [q.content.text for q in doc.quotes] == ["المشروع سيكتمل قبل نهاية العام"]
    start = t.index("المشروع")
    assert (doc.quotes[0].content.start, doc.quotes[0].content.end) == (start, start + len("المشروع سيكتمل قبل نهاية العام"))


def test_participle_cue_mid_sentence_starts_a_new_quote():
    t = "وأوضح الوزير سامي الحداد أن الموانئ تعمل بكامل طاقتها مؤكدا أن الصادرات ارتفعت هذا الشهر."
    got = quotes(t)
    assert [(q[1], q[3]) for q in got] == [("الموانئ تعمل بكامل طاقتها", "وأوضح"),
                                           ("الصادرات ارتفعت هذا الشهر", "مؤكدا")]
    assert {q[2] for q in got} == {"سامي الحداد"}


def test_but_plus_speech_verb_ends_the_clause():
    t = "وقال النائب أن القانون الجديد خطوة إلى الأمام ولكن أكد ضرورة مراجعته قريبا."
    assert [q[1] for q in quotes(t)] == ["القانون الجديد خطوة إلى الأمام"]


def test_title_with_genitive_chain_leaves_the_name_alone():
    t = "أكد كاتب الدولة للشؤون الخارجية والتعاون الدولي منير الطرابلسي، أن المفاوضات ستستأنف قريبا."
    doc = extract(t)
    sp = [m for s in doc.speakers for m in s.mentions]
    assert [(m.start, m.text) for m in sp] == [(t.index("منير الطرابلسي"), "منير الطرابلسي")]


def test_indefinite_title_chain_does_not_end_at_a_definite_adjective():
    t = "ورأى زعيم المعارضة الرئيسية في البرلمان حسن الطيب أن الانتخابات يجب أن تؤجل."
    got = quotes(t)
    assert got and got[0][2] == "حسن الطيب" and got[0][3] == "ورأى"


def test_abd_name_keeps_its_definite_second_part():
    t = "وأضافت منى عبد الرحيم أن اللجنة ستنشر تقريرها الأسبوع المقبل."
    doc = extract(t)
    assert [m.text for s in doc.speakers for m in s.mentions] == ["منى عبد الرحيم"]


def test_al_surname_before_a_role_stays_in_the_name():
    t = "وقال خالد المنصوري رئيس بلدية المدينة، إن أعمال الصيانة ستبدأ غدا."
    doc = extract(t)
    m = [m for s in doc.speakers for m in s.mentions]
    assert [(x.start, x.text) for x in m] == [(t.index("خالد المنصوري"), "خالد المنصوري")]


@pytest.mark.parametrize("word", ["متهمين", "مطمئنين", "يعد"])
def test_noun_and_copula_homographs_are_not_cues(word):
    assert cue_form(word) is None


def test_yuadd_is_considered_is_not_an_attribution():
    t = "وقالت الناشطة ليلى حمدان إن قرار الإغلاق يعد خطأ كبيرا بأنه سيضر بالتجار."
    got = quotes(t)
    assert [(q[1][:10], q[3]) for q in got] == [("قرار الإغل", "وقالت")]


def test_verb_with_object_pronoun_wasafahu_is_a_cue():
    t = "وأدانت الوزارة الهجوم، ووصفته بأنه عمل جبان يستهدف المدنيين الأبرياء."
    got = quotes(t)
    assert [(q[1], q[3]) for q in got] == [("عمل جبان يستهدف المدنيين الأبرياء", "ووصفته")]


def test_weak_cue_reaches_past_a_titled_subject():
    t = "واتهم وزير الداخلية في الحكومة المؤقتة فؤاد حميد المعارضة بأنها تعرقل الحوار."
    got = quotes(t)
    assert got and got[0][1] == "تعرقل الحوار" and got[0][3] == "واتهم"


def test_weak_cue_does_not_reach_past_a_comma_far_away():
    t = "تستطيع الشبكة نقل البيانات في المباني الكبيرة، إضافة إلى أنها أرخص من الكابلات."
    assert quotes(t) == []


def test_full_stop_before_a_closing_mark_ends_the_reported_sentence():
    t = 'وذكر الطبيب أن المريض كان "يعاني من صداع شديد منذ أيام." وجاء في بيان المستشفى أن حالته مستقرة.'
    got = quotes(t)
    first = 'المريض كان "يعاني من صداع شديد منذ أيام."'
    assert got[0][1] == first
    doc = extract(t)
    assert doc.quotes[0].content.start == t.index(first)


def test_headline_relay_outlet_is_not_the_speaker():
    t = "عاجل | رويترز عن وزير الخارجية الفرنسي: المفاوضات مع طهران قد تستأنف الشهر المقبل"
    got = quotes(t)
    assert got == [("indirect", "المفاوضات مع طهران قد تستأنف الشهر المقبل", "وزير الخارجية الفرنسي", None)]


def test_marked_organization_name_after_spokesperson_or_paper_is_the_speaker():
    t = 'وقال متحدث باسم "مستشفى سانتا ماريا دي لا باز" إن اللاعب غادر صباح اليوم.'
    assert quotes(t) == [("indirect", "اللاعب غادر صباح اليوم", "مستشفى سانتا ماريا دي لا باز", "وقال")]
    t = 'وكانت صحيفة "دياريو دي مايوركا" أشارت إلى أن المدرب سيرحل في الصيف.'
    doc = extract(t)
    assert [m.text for s in doc.speakers for m in s.mentions] == ["دياريو دي مايوركا"]


# -- ruling 4: relays ------------------------------------------------------------------------


def _mentions(doc: Document) -> list[str]:
    return [m.text for s in doc.speakers for m in s.mentions]


@pytest.mark.parametrize("t,source,cue", [
    ("ونقلت الوكالة عن مسؤول عسكري قوله إن الهجوم فشل في تحقيق أهدافه.", "مسؤول عسكري", "قوله"),
    ("ونقلت رويترز عن مصادر أمنية قولها إن الحدود مع الجارة الشمالية مغلقة تماما.", "مصادر أمنية", "قولها"),
    ("ونقلت صحيفة الغارديان عن دبلوماسيين غربيين قولهم إن المفاوضات متعثرة حاليا.", "دبلوماسيين غربيين", "قولهم"),
    ("ونقلت وكالة الأنباء عن وزير الخارجية سامي العلي قوله إن المحادثات مستمرة.", "سامي العلي", "قوله"),
    ("وذكرت الصحيفة نقلاً عن مسؤولين أمريكيين أن القوات ستنسحب قبل نهاية العام.", "مسؤولين أمريكيين", "نقلاً"),
], ids=["qawluhu", "qawluha", "qawluhum", "titled-name", "naqlan"])
def test_relay_speaker_is_the_relayed_source_not_the_outlet(t, source, cue):
    doc = extract(t)
    (q,) = doc.quotes
    assert q.kind == "indirect" and q.speaker.name == source
    assert [(m.start, m.end) for m in q.speaker.mentions] == [(t.index(source), t.index(source) + len(source))]
    assert (q.cue.start, q.cue.text) == (t.index(cue), cue)
    assert _mentions(doc) == [source]  # the relaying outlet is not annotated


def test_relay_with_a_direct_quote_and_without_a_relay_noun():
    t = "ونقلت الوكالة عن مسؤول عسكري قوله: «الهجوم فشل في تحقيق أهدافه المعلنة»."
    assert quotes(t) == [("direct", "الهجوم فشل في تحقيق أهدافه المعلنة", "مسؤول عسكري", "قوله")]
    t = "ونقلت الوكالة عن مصدر أمني أن الهجوم فشل في تحقيق أهدافه."
    assert quotes(t) == [("indirect", "الهجوم فشل في تحقيق أهدافه", "مصدر أمني", "ونقلت")]


# -- invisible format characters -------------------------------------------------------------


@pytest.mark.parametrize("mark", ["\u200f", "\u200e", "\u061c", "\u200c", "\u200d", "\ufeff"],
                         ids=["RLM", "LRM", "ALM", "ZWNJ", "ZWJ", "BOM"])
def test_format_character_before_the_opening_mark_keeps_the_direct_quote(mark):
    content = "التحالف نفذ 250 غارة على مواقع التنظيم"
    t = f"وقال وليامز إن{mark} «{content}»."
    doc = extract(t)
    assert quotes(t) == [("direct", content, "وليامز", "وقال")]
    assert (doc.quotes[0].content.start, doc.quotes[0].content.end) == (t.index(content), t.index("»"))


def test_format_characters_inside_the_marks_stay_out_of_the_quote():
    content = "الخطة الجديدة ناجحة تماما"
    t = f"وأضاف المتحدث أن:\u200f «\u200f{content}\u200f»\u200f، مؤكدا أن العمل مستمر."
    doc = extract(t)
    q = doc.quotes[0]
    assert (q.kind, q.content.start, q.content.end) == ("direct", t.index(content), t.index(content) + len(content))


# -- sentence ends: abbreviations and ellipses -----------------------------------------------


@pytest.mark.parametrize("title", ["د.", "م.", "أ."], ids=["dal", "mim", "alif"])
def test_one_letter_abbreviation_is_not_a_sentence_end(title):
    t = f"وقال {title} أحمد سالم إن الوضع الصحي مستقر في المدينة."
    doc = extract(t)
    assert quotes(t) == [("indirect", "الوضع الصحي مستقر في المدينة", "أحمد سالم", "وقال")]
    assert doc.quotes[0].speaker.mentions[0].start == t.index("أحمد")


def test_abbreviated_title_before_a_surname_or_after_a_role():
    t = "وأوضح د. الزهراني أن أقسام الطوارئ تكتظ بالمراجعين في فترة العيد."
    assert quotes(t) == [("indirect", "أقسام الطوارئ تكتظ بالمراجعين في فترة العيد", "الزهراني", "وأوضح")]
    t = "ويرى الناقد السعودي د. عبد الله الغذامي أن القصيدة تنم عن روح ديمقراطية واضحة."
    doc = extract(t)
    assert doc.quotes[0].speaker.name == "عبد الله الغذامي"
    assert doc.quotes[0].speaker.mentions[0].start == t.index("عبد الله")
    # a letter after a diacritic is not a one-letter word: the full stop ends the sentence
    for last in ("تمامًا", "مصوّر"):
        t = f"وأكد المتحدث أن الحدود أغلقت بقرار من {last}. أعلنت الوزارة عن استلام شحنة جديدة."
        assert quotes(t) == [("indirect", f"الحدود أغلقت بقرار من {last}", "المتحدث", "وأكد")]


def test_ellipsis_before_the_complementizer_keeps_one_sentence():
    t = "وقال الوزير أحمد سالم... إن الوضع الأمني مستقر تماما."
    doc = extract(t)
    assert quotes(t) == [("indirect", "الوضع الأمني مستقر تماما", "أحمد سالم", "وقال")]
    assert doc.quotes[0].cue.start == 0
    t = "وقال الوزير أحمد سالم… إن الوضع الأمني مستقر تماما."
    assert quotes(t) == [("indirect", "الوضع الأمني مستقر تماما", "أحمد سالم", "وقال")]


def test_ellipsis_ending_a_sentence_ends_the_reported_clause():
    t = "وأكد المتحدث أن الوضع صعب للغاية... وقال الوزير إن الحل بات قريبا جدا."
    assert quotes(t) == [("indirect", "الوضع صعب للغاية", "المتحدث", "وأكد"),
                         ("indirect", "الحل بات قريبا جدا", "الوزير", "وقال")]


def test_elision_inside_a_reported_clause_is_not_a_sentence_end():
    t = "وأضاف المتحدث أن المفوضية (...) ستعلن النتائج النهائية الأسبوع المقبل."
    assert quotes(t)[0][1] == "المفوضية (...) ستعلن النتائج النهائية الأسبوع المقبل"


# -- a cue in a relative clause on a document («بيانا قالت فيه») ----------------------------


@pytest.mark.parametrize(("text", "speaker"), [
    ("وأصدرت جماعة زنكي، التي تصنف ضمن المعارضة السورية المعتدلة، بيانا قالت فيه إنها تحقق في "
     "تلك الجريمة.", "جماعة زنكي"),
    ("وأصدرت شركة جيت بلو بيانا قالت فيه إنها اضطرت لإنزال جميع الركاب.", "شركة جيت بلو"),
    ("أصدرت قبائل صعدة، الأربعاء، بياناً أكدت فيه أن صعدة يمنية عربية.", "قبائل صعدة"),
    ("وكانت وزارة الاقتصاد والتجارة اللبنانية قد نشرت بيانا قالت فيه إنها باشرت الإجراءات.",
     "وزارة الاقتصاد والتجارة اللبنانية"),
    ("ونعت وزيرة الثقافة، الدكتورة إيناس عبد الدايم، الراحل عبر بيان أكدت فيه أن الثقافة "
     "المصرية فقدت أحد أعمدتها.", "إيناس عبد الدايم"),
], ids=["vso-relative", "vso", "vso-adverb", "svo", "no-issuing-verb"])
def test_the_source_of_a_document_clause_issued_the_document(text, speaker):
    found = quotes(text)
    assert len(found) == 1
    assert found[0][0] == "indirect"
    assert found[0][2] == speaker


def test_a_conjoined_issuing_verb_leaves_the_source_to_the_subject_before():
    t = ("وقال رئيس الحكومة المؤقتة عبد الله الثني إن الاتفاق خطوة أولى، وأصدرت بيانا قالت فيه "
         "إنها ترحب بالاتفاق.")
    doc = extract(t)
    assert [s.text for s in doc.spans if s.label == "SPEAKER"] == ["عبد الله الثني"]
    assert "بيانا" not in [m.text for sp in doc.speakers for m in sp.mentions]


# -- the source of rulings 36 to 38 ----------------------------------------------------------
# 36: a present cue after an indefinite document noun («مقال يصف») takes the document;
# 37: a name in marks right after the cue is the whole source;
# 38: a hamza written on «أل/إل» is no article («إلهام شاهين» is a name).


@pytest.mark.parametrize(("text", "speaker"), [
    pytest.param("وغرد أحد مساعديه على تويتر لينشر رابط مقال يصف منافس بومبيو الديمقراطي بأنه "
                 "صاحب عمامة.", "مقال", id="36-noun"),
    pytest.param("ونشرت الصحف تقرير أميركي يقول إن التنظيم بدأ يستعيد نشاطه في المنطقة.",
                 "تقرير أميركي", id="36-noun-adjective"),
    pytest.param("لقد أصدر مجلس الأمن الدولي لدى الأمم المتحدة، أخيرا، تقريرا يكشف أن 25 ألف "
                 "مقاتل أجنبي انضموا إلى التنظيم.", "مجلس الأمن الدولي",
                 id="36-accusative-after-issuing-verb"),
    pytest.param('و بيّنت "بن هنية" ضيفة برنامج "سينما سينما" مساء الخميس، أنّ الفيلم صوّر في '
                 'تونس.', "بن هنية", id="37-person"),
    pytest.param("في حين كشف «مكتب أخبار سوريا» المعارض، أن قوات النظام قصفت مناطق في ريف "
                 "البلدة.", "مكتب أخبار سوريا", id="37-organization"),
    pytest.param('ويروي "لسان العرب" كثيراً من الكلمات، ويعرّف التصحيف بأنه الخطأ في قراءة '
                 'الكلمة.', "لسان العرب", id="37-book"),
    pytest.param("قالت الممثلة المصرية إلهام شاهين إنها سعيدة جدا بهذا الدور الجديد.",
                 "إلهام شاهين", id="38-after-title"),
    pytest.param("وأعلنت إلهام شاهين في تصريح صحفي لها أنها ستشارك في المسلسل الجديد.",
                 "إلهام شاهين", id="38-after-verb"),
    pytest.param("وقال رئيس قسم الأرصاد الروسي ألكسندر كيسلوف إن الفيضانات قد تتكرر كل سنة.",
                 "ألكسندر كيسلوف", id="38-after-role-phrase"),
])
def test_the_source_of_a_single_quote(text, speaker):
    found = quotes(text)
    assert len(found) == 1
    assert found[0][2] == speaker


def test_a_definite_noun_before_a_present_cue_is_not_a_describing_document():
    # «يصف» after «المقال» (definite) is not an adjectival clause: the source follows the verb
    t = "وفي المقال يصف الكاتب أحمد سالم الوضع بأنه خطير للغاية."
    assert quotes(t)[0][2] == "أحمد سالم"


def test_a_word_in_marks_after_a_complementizer_is_not_a_name():
    t = ('وقالت الممثلة دانييلا رحمة إن الدور كان صعبا. أما عن الانتقادات التي طالتها حول أن '
         '"شكلها" هو الذي أهّلها لبطولة هذا المسلسل، أكدت أنها اجتهدت كثيرا في التحضير للدور.')
    assert [q[2] for q in quotes(t)] == ["دانييلا رحمة", "دانييلا رحمة"]


def test_only_names_lose_the_article_reading_of_hamza_before_lam():
    from arquote.cues import definite
    from arquote.rules.engine import _View

    t = "وألقى الممثل إلهام كلمة إليها عن ألمعلوماتي الألماني وإلياس"
    words = ["وألقى", "إلهام", "إليها", "ألمعلوماتي", "الألماني", "وإلياس"]
    v = _View(t)
    by_word = {t[tok.start:tok.end]: norm for tok, norm in zip(v.toks, v.norms)}
    read_as_article = {w: definite(by_word[w].removeprefix("و")) for w in words}
    # a lexicon word (ألقى: an issuing verb; إليها), a nisba and a written article keep it
    assert read_as_article == {"وألقى": True, "إلهام": False, "إليها": True,
                               "ألمعلوماتي": True, "الألماني": True, "وإلياس": False}


# each case: a text and the speaker of each quote the engine finds in it, in order
SPEAKER_CASES = {
    # ruling 44: a body's data speak for the body; data naming no body keep their phrase
    "data of a body": ("وأفادت بيانات وزارة الصناعة بأن عدد السياح الأجانب ارتفع هذا العام.",
                       ["وزارة الصناعة"]),
    "data of no body": ("وأفادت بيانات رسمية بأن عدد السياح الأجانب ارتفع هذا العام.", ["بيانات رسمية"]),
    # ruling 45: a participle takes the titled subject of the (non-cue) verb opening its sentence
    "opening verb after قد": ("وقال أوربان إن حزبه سيفوز. وقد عبر زعيم هذه الكتلة الفرنسي جوزف دول عن أمله "
                              "في فوز أوربان، معتبرا أنه سيواصل تأمين الاستقرار للمواطنين.",
                              ["أوربان", "جوزف دول"]),
    "conjoined opening verb": ("وقال الوزير إن المفاوضات متواصلة. وفند الكاتب العام للنقابة فتحي الرويسي، ما أعلن "
                               "عنه المكلف بمهمة لدى الوزير، بشأن التوصل إلى اتفاق بين الطرفين، مؤكدا ان ذلك "
                               "خبر عار من الصحة.", ["الوزير", "فتحي الرويسي"]),
    # «بين الطرفين» is a preposition, not the cue «بيّن»: the earlier speaker keeps the quote
    "between is no cue": ("وقال الوزير إن المفاوضات متواصلة. وجرت جلسة تفاوضية يوم الثلاثاء بين الطرفين، "
                          "مؤكدا ان ذلك خبر عار من الصحة.", ["الوزير", "الوزير"]),
    # a bare name after a conjoined verb may be its object: the earlier speaker keeps the quote
    "bare name may be an object": ("وقالت سامنتا باور إن الاتفاق جيد. ودعت طهران إلى اقتناص الفرصة، واعدة "
                                   "بأن بلادها ستفي بالتزاماتها.", ["سامنتا باور", "سامنتا باور"]),
    # «العام» in a speaker phrase is «general», «the year» before a time word
    "general after a title": ("قال المدير العام للأمن العام اللبناني اللواء عباس إبراهيم إن الحدود "
                              "مضبوطة تماما.", ["عباس إبراهيم"]),
    "the year": ("وقال الوزير العام الماضي إن الحدود مضبوطة تماما.", ["الوزير"]),
    # a first name written without its hamza is a name; «الهام» = important is not
    "hamza-less first name": ("قالت الممثلة المصرية الهام شاهين إنها مستعدة للعودة إلى المسرح.",
                              ["الهام شاهين"]),
    "hamza-less name, article surname": ("وقال رئيس الحكومة الياس الفخفاخ إن الوضع الاقتصادي صعب.",
                                         ["الياس الفخفاخ"]),
    "al-haam meaning important": ("وأكد الدور الهام للمرأة أن المجتمع بخير.", ["الدور الهام للمرأة"]),
    # a preposition phrase opening the sentence is no verb: the earlier speaker keeps the quote
    "preposition opener": ("وقال وزير الخارجية سامح شكري إن مصر لن تتنازل عن حقوقها. وبحضور الرئيس الفرنسي "
                           "إيمانويل ماكرون دافع عن موقف بلاده، مؤكدا أن المفاوضات وصلت إلى طريق مسدود.",
                           ["سامح شكري", "سامح شكري"]),
    "year gone by": ("وقال الوزير العام المنقضي إن الاقتصاد تعافى بسرعة كبيرة.", ["الوزير"]),
    # a first name read as «ل» + a lexicon word (لامين = ل + أمين) keeps its «ل»
    "lam first name": ("وقال لامين يامال إن الفريق سيفوز باللقب هذا الموسم.", ["لامين يامال"]),
    # a place inside the describing phrase is no name when a rank and a name follow
    "rank after a place": ("وقال الناطق الإعلامي لشرطة منطقة القصيم الرائد بدر السحيباني إن الشرطة تلقت "
                           "عددا من البلاغات.", ["بدر السحيباني"]),
    # an «ال» surname ends a name of several words when the phrase ends right after it
    "article surname after two names": ("أعلن قائد اللواء السادس العميد حسين حسان الغمري مساء الثلاثاء أن "
                                        "العملية نجحت بالكامل.", ["حسين حسان الغمري"]),
    "article surname after بن": ("وأوضح المتحدث الرسمي بقيادة حرس الحدود بالمنطقة الشرقية النقيب عمر بن محمد "
                                 "الأكلبي، أن الفرق تلقت بلاغا.", ["عمر بن محمد الأكلبي"]),
    "a time word is no surname": ("وقال أحمد سالم الثلاثاء إن العملية نجحت بالكامل.", ["أحمد سالم"]),
    "an outlet is no surname": ("وأخبر المؤرخ العسكري جيمس هولاند الصحيفة بأن العائلة المالكة كانت تمزح.",
                                ["جيمس هولاند"]),
}


@pytest.mark.parametrize("case", SPEAKER_CASES)
def test_speaker_of_each_quote(case):
    text, speakers = SPEAKER_CASES[case]
    assert [who for _, _, who, _ in quotes(text)] == speakers


def test_a_bodys_data_keep_the_quote_and_cue():
    (kind, content, who, cue), = quotes(SPEAKER_CASES["data of a body"][0])
    assert (kind, content, cue) == ("indirect", "عدد السياح الأجانب ارتفع هذا العام", "وأفادت")


@pytest.mark.parametrize("text,content,who", [
    # an apposition between two commas belongs to the source, and after a title its name speaks
    ("وبحسب المتحدث باسم الجيش، العقيد أحمد المسماري، فإن القوات تقدمت نحو المدينة من ثلاثة محاور.",
     "القوات تقدمت نحو المدينة من ثلاثة محاور", "أحمد المسماري"),
    ("وبحسب العالم بمعهد ماكس بلانك في ألمانيا، جاك هوبلين، إن هذه الحفريات هي أقدم بقايا للإنسان العاقل.",
     "هذه الحفريات هي أقدم بقايا للإنسان العاقل", "جاك هوبلين"),
    # a document keeps its place as the source; the clause after it is no part of the quote
    ("وحسب بيان صحفي، نشر على الموقع الرسمي للحكومة، فقد عقدت اللجنة المشتركة اجتماعها الثامن.",
     "عقدت اللجنة المشتركة اجتماعها الثامن", "بيان صحفي"),
    # a title before the name opens the source (the phrase's first word is the name's)
    ("وحسب وزير الخارجية المصري سامح شكري، فإن المفاوضات وصلت إلى طريق مسدود.",
     "المفاوضات وصلت إلى طريق مسدود", "سامح شكري"),
    ("ووفقا للرئيس الأمريكي جو بايدن، فإن الاقتصاد يتعافى بسرعة كبيرة.", "الاقتصاد يتعافى بسرعة كبيرة",
     "جو بايدن"),
    ("ووفقا للواء أحمد المسماري، فإن القوات تقدمت نحو المدينة بسرعة.", "القوات تقدمت نحو المدينة بسرعة",
     "أحمد المسماري"),
])
def test_a_source_first_with_a_title_or_an_apposition(text, content, who):
    (kind, got, speaker, _), = quotes(text)
    assert (kind, got, speaker) == ("indirect", content, who)


def test_an_outlets_reporter_is_no_source_first():
    # ruling 3: what the outlet's own correspondent reports is the outlet's voice
    assert quotes("وبحسب مراسل \"الجوهرة أف أم\" بالجهة، فإن هذه المواد بقيت في المستودع طويلا.") == []


def test_a_source_cue_opening_the_sentence_quotes_the_rest():
    # ruling 46: ruling 3 with the source first
    t = "وحسب مصادر أمنية، فقد أشارت الحصيلة الأولية إلى مقتل 14 شخصا وجرح 74 آخرين."
    (kind, content, who, cue), = quotes(t)
    assert (kind, content, who, cue) == ("indirect", "أشارت الحصيلة الأولية إلى مقتل 14 شخصا وجرح 74 آخرين",
                                         "مصادر أمنية", "وحسب")
    t = "وطبقا لمصدر مطلع، فإن هذا التحقيق ستجريه لجنة الأوراق المالية الأميركية."
    (kind, content, who, cue), = quotes(t)
    assert (content, who, cue) == ("هذا التحقيق ستجريه لجنة الأوراق المالية الأميركية", "مصدر مطلع", "وطبقا")
    # an outlet relays, data count, an agreement does not speak
    for t in ("وحسب الوكالة، وقّع وزير المالية ومحافظ البنك المركزي اتفاقية تسليم المبلغ.",
              "وبحسب آخر بيانات المفوضية، تزايدت أعداد النازحين إلى أكثر من مليون شخص.",
              "وحسب الاتفاق، يجب على مجلس الأمن الموافقة عليه في أقرب فرصة ممكنة."):
        assert quotes(t) == [], t
