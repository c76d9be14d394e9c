"""Extraction over pandas and ``datasets`` columns: ``ext.pipe`` and arquote.hf."""

from __future__ import annotations

import re

import pytest

from arquote.document import Document, NumericClaim, Quote, Span
from arquote.extractor import Extractor
from arquote.hf import CLAIM_FIELDS, QUOTE_FIELDS, extract_batch, extract_dataset, features

pd = pytest.importorskip("pandas")
datasets = pytest.importorskip("datasets")


class Guillemets(Extractor):
    """A stand-in engine: «…» is a direct quote, digits and the next word a claim.

    It keeps these tests about the plumbing (batches, order, columns, schema) whatever the
    rule engine's current coverage.
    """

    name = "guillemets"

    def __init__(self):
        self.batches: list[int] = []

    def _extract_batch(self, texts):
        self.batches.append(len(texts))
        docs = []
        for t in texts:
            quotes = tuple(Quote(Span.of(t, m.start(1), m.end(1), "QUOTE"), "direct")
                           for m in re.finditer(r"«([^»]+)»", t))
            claims = tuple(NumericClaim(Span.of(t, m.start(), m.end(), "NUM"), float(m.group(1)), m.group(2))
                           for m in re.finditer(r"(\d+) (\w+)", t))
            docs.append(Document(t, quotes, (), claims))
        return docs


TEXTS = [
    "لم يصدر أي تعليق رسمي حتى الآن",
    "أعلنت الشرطة توقيف 12 شخصا في العاصمة",
    "وقال المتحدث: «الحدود مغلقة حتى إشعار آخر»",
    "وأضاف أن «الطائرات نفذت 7 غارات» خلال الليل",
    "",
]


def test_pipe_accepts_a_pandas_series_in_order():
    ext = Guillemets()
    series = pd.Series(TEXTS, index=[40, 10, 30, 20, 0])  # iteration follows position, not index
    docs = list(ext.pipe(series, batch_size=2))
    assert [d.text for d in docs] == TEXTS
    assert ext.batches == [2, 2, 1]
    assert [q.text for q in docs[2].quotes] == ["الحدود مغلقة حتى إشعار آخر"]


def test_pipe_accepts_a_datasets_column():
    ext = Guillemets()
    ds = datasets.Dataset.from_dict({"text": TEXTS})
    docs = list(ext.pipe(ds["text"], batch_size=3))
    assert [d.text for d in docs] == TEXTS
    assert [len(d.claims) for d in docs] == [0, 1, 0, 1, 0]


def test_extract_batch_returns_one_list_of_records_per_row():
    fn = extract_batch(Guillemets())
    out = fn({"text": TEXTS, "id": list(range(len(TEXTS)))})
    assert set(out) == {"quotes", "claims"}
    assert [len(q) for q in out["quotes"]] == [0, 0, 1, 1, 0]
    quote = out["quotes"][3][0]
    assert tuple(quote) == QUOTE_FIELDS
    t = TEXTS[3]
    assert (quote["start"], quote["end"]) == (t.index("الطائرات"), t.index("»"))
    assert quote["text"] == t[quote["start"]:quote["end"]] and quote["kind"] == "direct"
    claim = out["claims"][1][0]
    assert tuple(claim) == CLAIM_FIELDS
    assert (claim["text"], claim["value"], claim["unit"], claim["claimant"]) == ("12 شخصا", 12.0, "شخصا", None)


def test_dataset_map_with_empty_first_batch_keeps_every_row():
    # The first map batch has no quote and no claim: the schema must still hold.
    ds = datasets.Dataset.from_dict({"id": [f"d{i}" for i in range(len(TEXTS))], "text": TEXTS})
    out = extract_dataset(ds, Guillemets(), batch_size=2)
    assert out.column_names == ["id", "text", "quotes", "claims"]
    assert out["id"] == ds["id"]
    assert out[3]["quotes"][0]["text"] == "الطائرات نفذت 7 غارات"
    assert out[3]["claims"][0]["value"] == 7.0 and out[0]["claims"] == []
    # Plain ds.map with the features helper gives the same rows.
    same = ds.map(extract_batch(Guillemets()), batched=True, batch_size=2, features=features(ds.features))
    assert same["quotes"] == out["quotes"] and same["claims"] == out["claims"]


def test_extract_dataset_can_drop_the_text_column():
    ds = datasets.Dataset.from_dict({"id": ["a", "b"], "text": TEXTS[2:4]})
    out = extract_dataset(ds, Guillemets(), remove_columns="text")
    assert out.column_names == ["id", "quotes", "claims"]


def test_extract_batch_errors_say_what_to_fix():
    with pytest.raises(TypeError, match="arquote extractor"):
        extract_batch(lambda t: t)
    fn = extract_batch(Guillemets(), text_col="body")
    with pytest.raises(KeyError, match="text_col="):
        fn({"text": TEXTS})
    with pytest.raises(TypeError, match="NoneType"):
        extract_batch(Guillemets())({"text": ["نص", None]})


def test_rule_engine_through_dataset_map():
    import arquote

    text = "قال الوزير إن «الوضع مستقر تماما في المدينة»"
    ds = datasets.Dataset.from_dict({"text": [text, "نص بلا اقتباس"]})
    out = extract_dataset(ds, arquote.load("rules"))
    quotes = out[0]["quotes"]
    assert [(q["text"], q["kind"], q["speaker"]) for q in quotes] == [
        ("الوضع مستقر تماما في المدينة", "direct", "الوزير")]
    assert out[1]["quotes"] == []
