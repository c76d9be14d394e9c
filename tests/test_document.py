"""The document model: invariants, serialization and the public API names."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import arquote
from arquote.document import AnnotationError, Document, NumericClaim, Quote, Span, Speaker

GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "gold" / "dev.jsonl"

TEXT = "وقال العقيد وليامز إن «التحالف نفذ 48 هجوماً على مواقع التنظيم»، مؤكداً استمرار المهمة."


def _span(text: str, part: str, label: str, occurrence_from: int = 0) -> Span:
    start = text.index(part, occurrence_from)
    return Span.of(text, start, start + len(part), label)


def _doc() -> Document:
    quote_text = "التحالف نفذ 48 هجوماً على مواقع التنظيم"
    mention = _span(TEXT, "وليامز", "SPEAKER")
    speaker = Speaker("ديف وليامز", (mention,), key="WIL", aliases=("وليامز",), role="العقيد")
    cue = _span(TEXT, "وقال", "CUE")
    quote = Quote(_span(TEXT, quote_text, "QUOTE"), "direct", speaker, cue)
    claim = NumericClaim(
        _span(TEXT, "48 هجوماً", "NUM"), 48.0, "هجوم", False, False, "count",
        claimant=speaker, quote=quote, bound="=", number=_span(TEXT, "48", "NUM"),
    )
    return Document(TEXT, (quote,), (speaker,), (claim,), (cue,), id="t1")


def test_span_text_must_match_offsets():
    with pytest.raises(AnnotationError, match="length"):
        Span(0, 4, "CUE", "قال")
    with pytest.raises(AnnotationError, match="0 <= start <= end"):
        Span(5, 2, "CUE", "")
    with pytest.raises(AnnotationError, match="out of range"):
        Span.of(TEXT, 0, len(TEXT) + 1, "CUE")


def test_document_rejects_span_not_matching_its_text():
    start = TEXT.index("وليامز")
    wrong = Span(start, start + 4, "CUE", "وقال")  # right length, wrong place
    with pytest.raises(AnnotationError, match="وقال"):
        Document(TEXT, cues=(wrong,))


def test_document_rejects_quote_speaker_not_in_speakers():
    doc = _doc()
    stranger = Speaker("مسؤول عراقي")
    quote = dataclasses.replace(doc.quotes[0], speaker=stranger)
    with pytest.raises(AnnotationError, match="not in the document's speakers"):
        Document(TEXT, (quote,), doc.speakers)


def test_results_are_frozen():
    doc = _doc()
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.text = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.quotes[0].content.start = 0  # type: ignore[misc]


def test_dict_round_trip_keeps_everything():
    doc = _doc()
    record = doc.to_dict()
    again = Document.from_dict(record)
    assert again == doc
    assert again.claims[0].claimant is again.speakers[0]
    assert again.quotes[0].cue == doc.cues[0]
    assert again.speakers[0].role == "العقيد"
    assert Document.from_json(doc.to_json()) == doc


def test_record_layout_follows_gold_format():
    record = _doc().to_dict()
    labels = [s["label"] for s in record["spans"]]
    # sorted by start: cue, speaker mention, quote, then the NUM inside the quote
    assert labels == ["CUE", "SPEAKER", "QUOTE", "NUM"]
    num = record["spans"][3]
    assert num["value"] == 48 and isinstance(num["value"], int)
    assert record["speakers"] == {"WIL": {"canonical": "ديف وليامز", "aliases": ["وليامز"], "role": "العقيد"}}


def test_speakers_without_key_get_fresh_keys():
    a = Speaker("وزير الدفاع")
    b = Speaker("مصادر أمنية")
    text = "قال وزير الدفاع إن الوضع مستقر"
    quote = Quote(_span(text, "الوضع مستقر", "QUOTE"), "indirect", a)
    record = Document(text, (quote,), (a, b)).to_dict()
    assert set(record["speakers"]) == {"S1", "S2"}
    assert record["spans"][0]["speaker"] == "S1"


def test_claim_inside_quote_gets_claimant_from_record():
    doc = Document.from_dict(_doc().to_dict())
    assert doc.claims[0].quote is doc.quotes[0]
    assert doc.claims[0].claimant.name == "ديف وليامز"


def test_bad_values_rejected():
    span = _span(TEXT, "48 هجوماً", "NUM")
    with pytest.raises(AnnotationError, match="kind"):
        NumericClaim(span, 48.0, kind="lots")
    with pytest.raises(AnnotationError, match="value"):
        NumericClaim(span, "48")  # type: ignore[arg-type]
    with pytest.raises(AnnotationError, match="direct"):
        Quote(_span(TEXT, "التحالف", "QUOTE"), "quoted")


def test_reprs_are_readable():
    doc = _doc()
    assert "1 quotes" in repr(doc) and "id='t1'" in repr(doc)
    assert "QUOTE" in repr(doc.quotes[0].content)
    assert "ديف وليامز" in repr(doc.quotes[0])
    assert "value=48.0" in repr(doc.claims[0])


def test_public_api_names():
    for name in ("load", "Document", "Span", "Speaker", "Quote", "NumericClaim", "Extractor"):
        assert hasattr(arquote, name)
    with pytest.raises(TypeError, match="bytes"):
        arquote.extractor.check_text(b"text")


@pytest.mark.skipif(not GOLD.exists(), reason="../shared/gold/dev.jsonl not present")
def test_gold_file_round_trips_line_for_line():
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        doc = Document.from_json(line)
        assert doc.to_json() == line
        for span in doc.spans:
            assert doc.text[span.start:span.end] == span.text


@pytest.mark.skipif(not GOLD.exists(), reason="../shared/gold/dev.jsonl not present")
def test_gold_pro_drop_quotes_keep_their_speaker():
    doc = next(Document.from_json(l) for l in GOLD.read_text(encoding="utf-8").splitlines()
               if json.loads(l)["id"] == "seed-000")
    added = next(q for q in doc.quotes if q.content.text.startswith("الخطة الجديدة"))
    assert added.speaker.name == "ديف وليامز"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r["spans"][2].update(score="high"), "'score' must be a number"),
        (lambda r: r["spans"][2].update(score=True), "'score' must be a number"),
        (lambda r: r.update(id=7), "'id' must be a string"),
        (lambda r: r.update(source=["وكالة"]), "'source' must be a string"),
        (lambda r: r["spans"][3].update(approx="yes"), "'approx' must be true, false or null"),
        (lambda r: r["spans"][3].update(vague=0), "'vague' must be true, false or null"),
        (lambda r: r["spans"][3].update(currency=840), "'currency' must be a string"),
        (lambda r: r["speakers"]["WIL"].update(role=1), "'role' must be a string"),
        (lambda r: r["spans"][2].update(speaker=["WIL"]), "'speaker' must be a speaker key"),
        (lambda r: r["spans"][1].update(speaker=["WIL"]), "'speaker' must be a speaker key"),
    ],
)
def test_from_dict_rejects_wrong_types_naming_field_and_value(change, message):
    record = _doc().to_dict()
    assert [s["label"] for s in record["spans"]] == ["CUE", "SPEAKER", "QUOTE", "NUM"]
    change(record)
    with pytest.raises(AnnotationError, match=message) as err:
        Document.from_dict(record)
    assert "got " in str(err.value)


def test_integer_document_id_is_rejected_before_a_writer_sees_it():
    with pytest.raises(AnnotationError, match=r"'id' must be a string \(write it in quotes: \"7\"\).*got int 7"):
        Document.from_dict({"id": 7, "text": TEXT})
    with pytest.raises(TypeError, match=r"Document.id must be a str or None, got int"):
        Document(TEXT, id=7)  # type: ignore[arg-type]
    assert Document.from_dict({"id": "7", "text": TEXT, "source": None}).id == "7"


def test_good_optional_values_still_load():
    record = _doc().to_dict()
    record["spans"][2]["score"] = 0.875
    record["spans"][3].update(approx=None, vague=None, currency=None)
    doc = Document.from_dict(record)
    assert doc.quotes[0].score == 0.875 and repr(doc.quotes[0].content).endswith("0.88)")


def test_rules_extract_checks_its_argument():
    # arquote.rules.extract is public: it says what it wants, as RuleExtractor does
    from arquote.rules import extract

    with pytest.raises(TypeError, match="extracts from a str, got NoneType"):
        extract(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"decode bytes first"):
        extract(TEXT.encode("utf-8"))  # type: ignore[arg-type]
    assert extract(TEXT).text == TEXT
