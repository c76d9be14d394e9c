"""Extraction over pandas and ``datasets`` columns: ``ext.pipe`` and arquote.hf (flat tables and added columns)."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from pathlib import Path

import pytest

from arquote.document import Document, NumericClaim, Quote, Span
from arquote.extractor import Extractor
from arquote.frames import COLUMNS, rows
from arquote.hf import (CLAIM_FIELDS, QUOTE_FIELDS, add_columns, extract_batch, extract_dataset,
                        features, table_features)

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
    out = add_columns(ds, Guillemets(), batch_size=2)
    assert out.column_names == ["id", "text", "quotes", "claims"]
    assert out["id"] == ds["id"]
    assert out[3]["quotes"][0]["text"] == "الطائرات نفذت 7 غارات"
    assert out[3]["claims"][0]["value"] == 7.0 and out[0]["claims"] == []
    # Plain ds.map with the features helper gives the same rows.
    same = ds.map(extract_batch(Guillemets()), batched=True, batch_size=2, features=features(ds.features))
    assert same["quotes"] == out["quotes"] and same["claims"] == out["claims"]


def test_add_columns_can_drop_the_text_column():
    ds = datasets.Dataset.from_dict({"id": ["a", "b"], "text": TEXTS[2:4]})
    out = add_columns(ds, Guillemets(), remove_columns="text")
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
    out = add_columns(ds, arquote.load("rules"))
    quotes = out[0]["quotes"]
    assert [(q["text"], q["kind"], q["speaker"]) for q in quotes] == [
        ("الوضع مستقر تماما في المدينة", "direct", "الوزير")]
    assert out[1]["quotes"] == []


# -- extract_dataset: the flat table (the rows of arquote.frames, as in arquote.spark) ------

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _flat(ext, ids, texts):
    return [r for i, d in zip(ids, ext.pipe(texts)) for r in rows(d, i)]


def test_extract_dataset_gives_one_row_per_quote_and_claim():
    ds = datasets.Dataset.from_dict({"id": [f"d{i}" for i in range(len(TEXTS))], "text": TEXTS})
    out = extract_dataset(ds, engine=Guillemets(), batch_size=2)
    assert out.column_names == list(COLUMNS)
    assert out.features == table_features(ds.features["id"])
    table = out.to_list()
    assert table == _flat(Guillemets(), ds["id"], TEXTS)
    assert [(r["doc_id"], r["type"]) for r in table] == [
        ("d1", "claim"), ("d2", "quote"), ("d3", "quote"), ("d3", "claim")]
    t = TEXTS[3]
    claim = table[3]
    assert (claim["start"], claim["end"], claim["value"], claim["unit"]) == (
        t.index("7"), t.index("7") + len("7 غارات"), 7.0, "غارات")


def test_extract_dataset_without_id_column_uses_the_row_index_across_processes():
    ds = datasets.Dataset.from_dict({"text": TEXTS * 4, "source": ["x"] * 20})
    out = extract_dataset(ds, engine="rules", id_col=None, batch_size=3, num_proc=2)
    assert out.features["doc_id"] == datasets.Value("int64")
    expected = _flat(arquote_rules(), range(20), TEXTS * 4)
    assert out.to_list() == expected
    # The second process (rows 10 to 19) numbers its rows globally, not from 0.
    assert {r["doc_id"] for r in expected} & set(range(10, 20))


def test_extract_dataset_id_col_and_text_col():
    ds = datasets.Dataset.from_dict({"ref": [10, 20], "body": TEXTS[2:4]})
    out = extract_dataset(ds, text_col="body", id_col="ref", engine=Guillemets())
    assert out.features["doc_id"] == datasets.Value("int64")
    assert out["doc_id"] == [10, 20, 20]


def test_extract_dataset_matches_pipe_on_corpus_documents():
    name = "asnd.jsonl.gz"
    if not (CORPUS / name).is_file():
        pytest.skip(f"no corpus at {CORPUS}")
    with gzip.open(CORPUS / name, "rt", encoding="utf-8") as handle:
        docs = [json.loads(line) for line in itertools.islice(handle, 300)]
    ds = datasets.Dataset.from_dict({"id": [d["id"] for d in docs], "text": [d["text"] for d in docs]})
    table = extract_dataset(ds, engine="rules", batch_size=32).to_list()
    expected = _flat(arquote_rules(), ds["id"], ds["text"])
    assert len(expected) > 50 and table == expected


def test_extract_dataset_errors_say_what_to_fix():
    ds = datasets.Dataset.from_dict({"id": ["a"], "text": [TEXTS[2]]})
    with pytest.raises(TypeError, match="engine="):
        extract_dataset(ds, Guillemets())  # the old call shape: an extractor as second argument
    with pytest.raises(KeyError, match="text_col="):
        extract_dataset(ds, text_col="body", engine="rules")
    with pytest.raises(KeyError, match="id_col="):
        extract_dataset(ds, id_col="ref", engine="rules")
    with pytest.raises(TypeError, match="engine must be"):
        extract_dataset(ds, engine=3)
    with pytest.raises(ValueError, match="batch_size"):
        extract_dataset(ds, engine="rules", batch_size=0)
    with pytest.raises(TypeError, match="NoneType"):
        extract_dataset(datasets.Dataset.from_dict({"text": ["نص", None]}), engine="rules")


def arquote_rules():
    import arquote

    return arquote.load("rules")
