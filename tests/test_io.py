"""Tests for arquote.io: JSONL records, doccano, CoNLL BIO, Label Studio, atomic writes."""

from __future__ import annotations

import gzip
import json
import os
import stat
from pathlib import Path

import pytest

from arquote.document import AnnotationError, Document
from arquote.io import (
    ConllReport,
    SpanAlignmentWarning,
    atomic_write,
    doccano_record,
    iter_jsonl,
    read_conll,
    read_doccano,
    read_jsonl,
    tokenize,
    write_conll,
    write_doccano,
    write_jsonl,
    write_label_studio,
)

GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "gold" / "dev.jsonl"


def gold_path() -> Path:
    if not GOLD.exists():
        pytest.skip(f"gold data not found at {GOLD}")
    return GOLD


# -- small hand-written documents ---------------------------------------------------------

T1 = (
    "وقال وزير الداخلية محمد العلي إن «الأجهزة الأمنية أحبطت 12 هجوماً خلال الشهر الماضي». "
    "وأضاف أن التنسيق مع دول الجوار مستمر."
)
T2 = "وأكدوا أن المفاوضات ستستأنف الأسبوع المقبل بحضور نحو 40 مندوباً."


def span(text: str, label: str, piece: str, after: int = 0, **attrs) -> dict:
    start = text.index(piece, after)
    return {"label": label, **attrs, "start": start, "end": start + len(piece), "text": piece}


def record_1() -> dict:
    t = T1
    quote = "الأجهزة الأمنية أحبطت 12 هجوماً خلال الشهر الماضي"
    return {
        "id": "t-1",
        "source": "test",
        "text": t,
        "spans": [
            span(t, "CUE", "وقال"),
            span(t, "SPEAKER", "محمد العلي", speaker="ALI"),
            span(t, "QUOTE", quote, type="direct", speaker="ALI"),
            span(t, "NUM", "12 هجوماً", value=12, unit="هجوم", approx=False),
            span(t, "CUE", "وأضاف"),
            span(t, "QUOTE", "التنسيق مع دول الجوار مستمر", type="indirect", speaker="ALI"),
        ],
        "speakers": {"ALI": {"canonical": "محمد العلي", "aliases": ["العلي"]}},
    }


def record_2() -> dict:
    # Pro-drop: the speaker is never named in this text.
    t = T2
    return {
        "id": "t-2",
        "text": t,
        "spans": [
            span(t, "CUE", "وأكدوا"),
            span(t, "QUOTE", "المفاوضات ستستأنف الأسبوع المقبل بحضور نحو 40 مندوباً",
                 type="indirect", speaker="NEG"),
            span(t, "NUM", "40 مندوباً", value=40, unit="مندوب", approx=True),
        ],
        "speakers": {"NEG": {"canonical": "المفاوضون", "aliases": []}},
    }


def docs() -> list[Document]:
    return [Document.from_dict(record_1()), Document.from_dict(record_2())]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def good_line() -> str:
    return json.dumps(record_1(), ensure_ascii=False)


# -- JSONL ----------------------------------------------------------------------------------


def test_dev_jsonl_round_trip_is_byte_identical(tmp_path):
    gold = gold_path()
    out = tmp_path / "dev.jsonl"
    n = write_jsonl(out, read_jsonl(gold))
    assert n == sum(1 for line in gold.read_text(encoding="utf-8").splitlines() if line.strip())
    assert out.read_bytes() == gold.read_bytes()


def test_jsonl_round_trip_of_hand_written_documents(tmp_path):
    out = tmp_path / "docs.jsonl"
    assert write_jsonl(out, docs()) == 2
    back = read_jsonl(out)
    assert back == docs()
    assert back[1].quotes[0].speaker.name == "المفاوضون"
    assert back[0].claims[0].value == 12


def test_iter_jsonl_is_lazy_and_skips_blank_lines(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", ["", good_line(), "   ", good_line(), "{broken"])
    it = iter_jsonl(path)
    assert next(it).id == "t-1"
    assert next(it).id == "t-1"
    with pytest.raises(AnnotationError, match=rf"{path}:5: not valid JSON"):
        next(it)


def test_gzip_file_is_read_transparently(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(good_line() + "\n\n" + json.dumps(record_2(), ensure_ascii=False) + "\n")
    assert read_jsonl(path) == docs()


def test_write_jsonl_gz_round_trips(tmp_path):
    path = tmp_path / "d.jsonl.gz"
    write_jsonl(path, docs())
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    assert read_jsonl(path) == docs()


def bad_file(tmp_path: Path, bad: dict | str) -> Path:
    line = bad if isinstance(bad, str) else json.dumps(bad, ensure_ascii=False)
    # Line 2 is blank: the reported number must still be the physical line (3).
    return write_lines(tmp_path / "bad.jsonl", [good_line(), "", line])


def test_error_bad_json_names_file_and_line(tmp_path):
    path = bad_file(tmp_path, '{"text": "قال الوزير", "spans": [}')
    with pytest.raises(AnnotationError) as err:
        read_jsonl(path)
    assert str(err.value).startswith(f"{path}:3: not valid JSON")


def test_error_offsets_out_of_range(tmp_path):
    rec = record_1()
    rec["spans"][2]["end"] = len(T1) + 5
    with pytest.raises(AnnotationError) as err:
        read_jsonl(bad_file(tmp_path, rec))
    assert "bad.jsonl:3:" in str(err.value)
    assert "out of range" in str(err.value)


def test_error_span_text_does_not_match(tmp_path):
    rec = record_1()
    rec["spans"][1]["text"] = "محمد الأحمد"
    with pytest.raises(AnnotationError) as err:
        read_jsonl(bad_file(tmp_path, rec))
    assert "bad.jsonl:3:" in str(err.value)
    assert "does not match" in str(err.value)


def test_error_unknown_label(tmp_path):
    rec = record_1()
    rec["spans"][1]["label"] = "PERSON"
    with pytest.raises(AnnotationError) as err:
        read_jsonl(bad_file(tmp_path, rec))
    assert "bad.jsonl:3:" in str(err.value)
    assert "unknown label 'PERSON'" in str(err.value)


def test_error_quote_with_unknown_speaker_key(tmp_path):
    rec = record_1()
    rec["spans"][5]["speaker"] = "XYZ"
    with pytest.raises(AnnotationError) as err:
        read_jsonl(bad_file(tmp_path, rec))
    assert "bad.jsonl:3:" in str(err.value)
    assert "'XYZ'" in str(err.value)


def test_error_overlapping_spans_of_one_label(tmp_path):
    rec = record_1()
    rec["spans"].append(span(T1, "NUM", "هجوماً خلال الشهر", value=None, unit=None, approx=None))
    with pytest.raises(AnnotationError) as err:
        read_jsonl(bad_file(tmp_path, rec))
    assert "bad.jsonl:3:" in str(err.value)
    assert "overlap" in str(err.value)


def test_error_record_with_wrong_types_is_an_annotation_error(tmp_path):
    rec = record_1()
    rec["spans"][5]["speaker"] = ["ALI"]  # unhashable key: still a data error with a line
    with pytest.raises(AnnotationError, match=r"bad\.jsonl:3:"):
        read_jsonl(bad_file(tmp_path, rec))


def test_error_not_utf8_names_line(tmp_path):
    path = tmp_path / "latin.jsonl"
    path.write_bytes(good_line().encode("utf-8") + b"\n" + "قال".encode("cp1256") + b"\n")
    with pytest.raises(AnnotationError, match=r"latin\.jsonl:2: not UTF-8"):
        read_jsonl(path)


def test_missing_file_raises_file_not_found_with_the_path(tmp_path):
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        read_jsonl(missing)
    with pytest.raises(FileNotFoundError, match="nope.jsonl"):
        iter_jsonl(missing)  # at the call, before any next()
    with pytest.raises(FileNotFoundError):
        read_doccano(missing)
    with pytest.raises(FileNotFoundError):
        read_conll(missing)


def test_write_jsonl_rejects_a_single_document_and_non_documents(tmp_path):
    with pytest.raises(TypeError, match=r"\[doc\]"):
        write_jsonl(tmp_path / "x.jsonl", docs()[0])
    with pytest.raises(TypeError, match="item 1"):
        write_jsonl(tmp_path / "x.jsonl", [docs()[0], record_1()])
    assert not (tmp_path / "x.jsonl").exists()


# -- doccano --------------------------------------------------------------------------------


def test_doccano_record_layout():
    rec = doccano_record(docs()[0])
    labels = {(e["label"], T1[e["start_offset"]:e["end_offset"]]) for e in rec["entities"]}
    assert ("QUOTE_DIRECT", "الأجهزة الأمنية أحبطت 12 هجوماً خلال الشهر الماضي") in labels
    assert ("QUOTE_INDIRECT", "التنسيق مع دول الجوار مستمر") in labels
    by_id = {e["id"]: e for e in rec["entities"]}
    said_by = [r for r in rec["relations"] if r["type"] == "said_by"]
    # Both quotes (the pro-drop «وأضاف أن» one too) point at the one mention of the speaker.
    assert len(said_by) == 2
    targets = {T1[by_id[r["to_id"]]["start_offset"]:by_id[r["to_id"]]["end_offset"]] for r in said_by}
    assert targets == {"محمد العلي"}
    assert rec["attributes"] == [
        {"label": "NUM", "start": T1.index("12"), "end": T1.index("12") + len("12 هجوماً"),
         "value": 12, "unit": "هجوم", "approx": False}
    ]
    assert rec["doc_id"] == "t-1"


def test_doccano_round_trip_keeps_speakers_without_mentions(tmp_path):
    path = tmp_path / "dc.jsonl"
    assert write_doccano(path, docs()) == 2
    rec2 = json.loads(path.read_text(encoding="utf-8").splitlines()[1])
    assert rec2["relations"] == []
    assert rec2["speakers"]["NEG"]["quotes"] == [[T2.index("المفاوضات"), T2.index(".")]]
    back = read_doccano(path)
    assert back == docs()
    assert back[1].quotes[0].speaker.name == "المفاوضون"


def test_doccano_round_trip_of_gold(tmp_path):
    gold = read_jsonl(gold_path())
    path = tmp_path / "dev.doccano.jsonl"
    write_doccano(path, gold)
    assert read_doccano(path) == gold


def test_doccano_reads_old_label_layout_and_plain_quote():
    t = "قال المتحدث باسم الجيش: «قواتنا سيطرت على ثلاث قرى جديدة»"
    q = t.index("قواتنا")
    rec = {"text": t, "label": [[q, len(t) - 1, "QUOTE"], [t.index("المتحدث"), t.index(":"), "SPEAKER"]]}
    path_doc = _read_one_doccano(rec)
    assert path_doc.quotes[0].kind == "direct"
    assert path_doc.quotes[0].speaker is None  # no relation in the old layout
    assert [s.name for s in path_doc.speakers] == ["المتحدث باسم الجيش"]


def _read_one_doccano(rec: dict) -> Document:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "one.jsonl"
        path.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
        return read_doccano(path)[0]


def test_doccano_edited_relation_wins_and_new_mentions_become_speakers():
    t = "قال الوزير إن الوضع مستقر، فيما رأى المحافظ أن الخطر قائم."
    rec = {
        "text": t,
        "entities": [
            {"id": 10, "label": "SPEAKER", "start_offset": t.index("الوزير"), "end_offset": t.index(" إن")},
            {"id": 11, "label": "QUOTE_INDIRECT", "start_offset": t.index("الوضع"), "end_offset": t.index("،")},
            {"id": 12, "label": "SPEAKER", "start_offset": t.index("المحافظ"), "end_offset": t.index(" أن")},
            {"id": 13, "label": "QUOTE_INDIRECT", "start_offset": t.index("الخطر"), "end_offset": t.index(".")},
        ],
        "relations": [
            {"id": 1, "from_id": 11, "to_id": 10, "type": "said_by"},
            {"id": 2, "from_id": 13, "to_id": 12, "type": "said_by"},
        ],
        # The meta field says the second quote is the minister's; the annotator's relation
        # in the tool says otherwise and wins.
        "speakers": {"MIN": {"canonical": "الوزير", "aliases": [],
                             "mentions": [[t.index("الوزير"), t.index(" إن")]],
                             "quotes": [[t.index("الخطر"), t.index(".")]]}},
    }
    doc = _read_one_doccano(rec)
    assert [q.speaker.name for q in doc.quotes] == ["الوزير", "المحافظ"]
    assert [s.key for s in doc.speakers] == ["MIN", "S1"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r["entities"].append({"id": 9, "label": "PERSON", "start_offset": 0, "end_offset": 3}),
         "unknown label 'PERSON'"),
        (lambda r: r["relations"].append({"id": 5, "from_id": 0, "to_id": 99, "type": "said_by"}),
         "entity 99"),
        (lambda r: r["relations"].append({"id": 5, "from_id": 0, "to_id": 1, "type": "quoted"}),
         "unknown type 'quoted'"),
    ],
)
def test_doccano_errors_name_file_and_line(tmp_path, change, message):
    t = "قال الوزير إن الوضع مستقر"
    bad = {"text": t, "entities": [
        {"id": 0, "label": "QUOTE_INDIRECT", "start_offset": t.index("الوضع"), "end_offset": len(t)},
        {"id": 1, "label": "CUE", "start_offset": 0, "end_offset": 3}], "relations": []}
    change(bad)
    lines = [json.dumps(doccano_record(docs()[0]), ensure_ascii=False), json.dumps(bad, ensure_ascii=False)]
    path = write_lines(tmp_path / "dc.jsonl", lines)
    with pytest.raises(AnnotationError) as err:
        read_doccano(path)
    assert str(err.value).startswith(f"{path}:2: ")
    assert message in str(err.value)


# -- CoNLL ------------------------------------------------------------------------------------


def test_tokenize_offsets_and_splits():
    t = "وقال #واين_ماروتو: «نفذنا 1.5 ألف غارة، و24 كميناً»"
    toks = [t[s:e] for s, e in tokenize(t)]
    assert toks == ["وقال", "#", "واين_ماروتو", ":", "«", "نفذنا", "1.5", "ألف", "غارة", "،",
                    "و", "24", "كميناً", "»"]
    assert all(t[s:e].strip() == t[s:e] for s, e in tokenize(t))


def spans_of(doc: Document, labels) -> set:
    return {(s.label, s.start, s.end) for s in doc.spans if s.label in labels}


def test_conll_round_trip_on_spans(tmp_path):
    path = tmp_path / "d.conll"
    report = write_conll(path, docs())
    assert isinstance(report, ConllReport) and report.dropped == 0
    back = read_conll(path)
    assert [d.text for d in back] == [T1, T2]
    assert [d.id for d in back] == ["t-1", "t-2"]
    for got, want in zip(back, docs()):
        assert spans_of(got, {"QUOTE", "SPEAKER", "CUE"}) == spans_of(want, {"QUOTE", "SPEAKER", "CUE"})
        assert not got.claims
    assert [q.kind for q in back[0].quotes] == ["direct", "indirect"]
    assert all(q.speaker is None for d in back for q in d.quotes)

    nums = tmp_path / "n.conll"
    assert write_conll(nums, docs(), labels=["NUM"]).spans == 2
    for got, want in zip(read_conll(nums), docs()):
        assert spans_of(got, {"NUM"}) == spans_of(want, {"NUM"})


def test_conll_file_layout(tmp_path):
    path = tmp_path / "d.conll"
    write_conll(path, docs()[:1])
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[:3] == ["# id = t-1", "# source = test", f"# text = {T1}"]
    assert lines[3:6] == ["وقال\tB-CUE", "وزير\tO", "الداخلية\tO"]
    assert "محمد\tB-SPEAKER" in lines and "العلي\tI-SPEAKER" in lines
    assert "«\tO" in lines and "الأجهزة\tB-QUOTE" in lines
    # The first sentence ends after «.»; the second begins after a blank line.
    i = lines.index("وأضاف\tB-CUE")
    assert lines[i - 1] == "" and lines[i - 2] == ".\tO"


def test_conll_text_header_escapes_line_breaks(tmp_path):
    t = "عاجل | الرئاسة:\n\nقال المتحدث إن\tالاجتماع \\ انتهى"
    doc = Document.from_dict({"id": "x\ny", "text": t, "spans": [span(t, "CUE", "قال")]})
    path = tmp_path / "d.conll"
    write_conll(path, [doc])
    back = read_conll(path)
    assert back[0].text == t and back[0].id == "x\ny"
    assert spans_of(back[0], {"CUE"}) == spans_of(doc, {"CUE"})


def test_conll_misaligned_span_is_reported_not_moved(tmp_path):
    t = "أعلنت الوزارة مقتل 7 جنود في الهجوم"
    # A NUM span that stops inside the word «جنود»: BIO cannot hold it.
    bad = {"label": "NUM", "value": 7, "unit": "جندي", "approx": False,
           "start": t.index("7"), "end": t.index("جنود") + 2, "text": t[t.index("7"):t.index("جنود") + 2]}
    doc = Document.from_dict({"text": t, "spans": [bad]})
    path = tmp_path / "d.conll"
    with pytest.warns(SpanAlignmentWarning, match="1 do not fall on token edges"):
        report = write_conll(path, [doc], labels=["NUM"])
    assert report.spans == 0
    assert [s.text for _, s in report.misaligned] == ["7 جن"]
    assert "B-NUM" not in path.read_text(encoding="utf-8")
    assert read_conll(path)[0].claims == ()


def test_conll_nested_span_is_reported_by_priority(tmp_path):
    path = tmp_path / "d.conll"
    with pytest.warns(SpanAlignmentWarning, match="1 overlap"):
        report = write_conll(path, docs()[:1], labels=["QUOTE", "NUM"])
    assert [s.text for _, s in report.nested] == ["12 هجوماً"]
    with pytest.warns(SpanAlignmentWarning):
        report = write_conll(path, docs()[:1], labels=["NUM", "QUOTE"])
    assert [s.label for _, s in report.nested] == ["QUOTE"]


def test_conll_gold_round_trip(tmp_path):
    gold = read_jsonl(gold_path())
    path = tmp_path / "dev.conll"
    with pytest.warns(SpanAlignmentWarning):
        report = write_conll(path, gold)
    back = read_conll(path)
    assert [d.text for d in back] == [d.text for d in gold]
    written = sum(len(spans_of(d, {"QUOTE", "SPEAKER", "CUE"})) for d in back)
    total = sum(len(spans_of(d, {"QUOTE", "SPEAKER", "CUE"})) for d in gold)
    assert written == report.spans == total - report.dropped
    for got, want in zip(back, gold):
        assert spans_of(got, {"QUOTE", "SPEAKER", "CUE"}) <= spans_of(want, {"QUOTE", "SPEAKER", "CUE"})


def test_conll_read_errors_name_the_line(tmp_path):
    t = "قال الوزير إن الوضع مستقر"
    path = write_lines(tmp_path / "a.conll", [f"# text = {t}", "قال\tB-CUE", "الوزير\tO", "أن\tO"])
    with pytest.raises(AnnotationError, match=r"a\.conll:4: token 'أن' does not match"):
        read_conll(path)
    path = write_lines(tmp_path / "b.conll", [f"# text = {t}", "قال\tB-VERB"])
    with pytest.raises(AnnotationError, match=r"b\.conll:2: unknown label 'VERB'"):
        read_conll(path)
    path = write_lines(tmp_path / "c.conll", ["قال\tO"])
    with pytest.raises(AnnotationError, match=r"c\.conll:1: token line before any"):
        read_conll(path)
    path = write_lines(tmp_path / "d.conll", [f"# text = {t}", "قال\tO"])
    with pytest.raises(AnnotationError, match=r"d\.conll:1: the token lines end"):
        read_conll(path)


def test_conll_rejects_unknown_labels_argument(tmp_path):
    with pytest.raises(ValueError, match="labels"):
        write_conll(tmp_path / "x.conll", docs(), labels=["PERSON"])


# -- Label Studio -------------------------------------------------------------------------------


def test_label_studio_export_structure(tmp_path):
    path = tmp_path / "tasks.json"
    assert write_label_studio(path, docs()) == 2
    tasks = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(tasks, list) and len(tasks) == 2
    task = tasks[0]
    assert task["data"] == {"text": T1, "id": "t-1", "source": "test"}
    result = task["annotations"][0]["result"]
    regions = {r["id"]: r for r in result if r["type"] == "labels"}
    relations = [r for r in result if r["type"] == "relation"]
    assert len(regions) == 6
    for r in regions.values():
        v = r["value"]
        assert T1[v["start"]:v["end"]] == v["text"]
        assert r["from_name"] == "label" and r["to_name"] == "text"
    quote = next(r for r in regions.values() if r["value"]["labels"] == ["QUOTE_DIRECT"])
    said = [r for r in relations if r["from_id"] == quote["id"]]
    assert len(said) == 1 and said[0]["labels"] == ["said_by"]
    assert regions[said[0]["to_id"]]["value"]["text"] == "محمد العلي"
    # The speaker of the pro-drop document has no mention: no relation to draw.
    assert [r for r in tasks[1]["annotations"][0]["result"] if r["type"] == "relation"] == []


def test_label_studio_predictions_carry_scores(tmp_path):
    rec = record_1()
    rec["spans"][2]["score"] = 0.9
    path = tmp_path / "pred.json"
    write_label_studio(path, [Document.from_dict(rec)], predictions=True, model_version="v1")
    task = json.loads(path.read_text(encoding="utf-8"))[0]
    assert "annotations" not in task
    pred = task["predictions"][0]
    assert pred["model_version"] == "v1"
    scored = [r for r in pred["result"] if "score" in r]
    assert [r["value"]["labels"] for r in scored] == [["QUOTE_DIRECT"]] and scored[0]["score"] == 0.9


# -- atomic writes ------------------------------------------------------------------------------


def test_atomic_write_leaves_old_file_when_the_writer_raises(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("قديم\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="midway"):
        with atomic_write(path) as f:
            f.write("جديد\n" * 1000)
            f.flush()
            raise RuntimeError("midway")
    assert path.read_text(encoding="utf-8") == "قديم\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_write_jsonl_leaves_old_file_when_documents_fail_midway(tmp_path):
    path = tmp_path / "pred.jsonl"
    write_jsonl(path, docs())
    before = path.read_bytes()

    def failing():
        yield docs()[0]
        raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError, match="model crashed"):
        write_jsonl(path, failing())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pred.jsonl"]


def test_atomic_write_binary_and_text_modes(tmp_path):
    with atomic_write(tmp_path / "w.bin", "wb") as f:
        f.write(b"\x00\x01")
    assert (tmp_path / "w.bin").read_bytes() == b"\x00\x01"
    with atomic_write(tmp_path / "w.txt", newline="\n") as f:
        f.write("سطر\n")
    assert (tmp_path / "w.txt").read_bytes() == "سطر\n".encode("utf-8")
    with pytest.raises(ValueError, match="mode"):
        with atomic_write(tmp_path / "w.txt", "a"):
            pass


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_atomic_write_keeps_permissions_of_the_replaced_file(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("x")
    os.chmod(path, 0o640)
    with atomic_write(path) as f:
        f.write("y")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    new = tmp_path / "new.txt"
    with atomic_write(new) as f:
        f.write("y")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o666 & ~umask


def test_atomic_write_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        with atomic_write(tmp_path / "no" / "dir" / "f.txt"):
            pass


# -- quote kind read back: the marks of arquote.link, one definition --------------------------

# Every (opening, closing) pair arquote.link takes as quotation marks, reversed styles too.
MARK_PAIRS = [("«", "»"), ("“", "”"), ("”", "“"), ('"', '"'), ("‘", "’"), ("’", "‘"),
              ("'", "'"), ("„", "“"), ("″", "″"), ("‹", "›")]


def test_quote_kind_survives_conll_and_doccano_for_every_mark_pair_link_accepts(tmp_path):
    from arquote.io import record_from_doccano
    from arquote.link import CLOSE_MARKS, OPEN_MARKS, quote_kind

    said = "نحن مستعدون للحوار مع جميع الأطراف"
    for opening, closing in MARK_PAIRS:
        assert opening in OPEN_MARKS and closing in CLOSE_MARKS
        t = f"وقال المتحدث: {opening}{said}{closing}."
        q = t.index(said)
        doc = Document.from_dict({"id": "m", "text": t, "spans": [
            span(t, "CUE", "وقال"), span(t, "QUOTE", said, type="direct")]})
        assert quote_kind(t, doc.quotes[0].content) == "direct"
        path = tmp_path / "k.conll"
        write_conll(path, [doc])
        assert [x.kind for x in read_conll(path)[0].quotes] == ["direct"], (opening, closing)
        # doccano's older layout has a plain QUOTE label: the kind is read from the marks
        rec = record_from_doccano({"text": t, "label": [[q, q + len(said), "QUOTE"]]})
        assert Document.from_dict(rec).quotes[0].kind == "direct", (opening, closing)
    # no marks around it: indirect
    t = f"وقال المتحدث إن {said}."
    doc = Document.from_dict({"text": t, "spans": [span(t, "QUOTE", said, type="indirect")]})
    write_conll(tmp_path / "i.conll", [doc])
    assert read_conll(tmp_path / "i.conll")[0].quotes[0].kind == "indirect"


# -- Document.from_dict type checks reach the readers with file and line ------------------------


@pytest.mark.parametrize(
    "change, field, value",
    [
        (lambda r: r["spans"][2].update(score="high"), "score", "'high'"),
        (lambda r: r.update(id=7), "id", "7"),
        (lambda r: r["spans"][3].update(approx="yes"), "approx", "'yes'"),
        (lambda r: r["spans"][3].update(vague=1), "vague", "1"),
        (lambda r: r["speakers"]["ALI"].update(role=5), "role", "5"),
        (lambda r: r["spans"][2].update(speaker=["ALI"]), "speaker", "['ALI']"),
    ],
)
def test_jsonl_wrong_field_types_name_file_line_and_field(tmp_path, change, field, value):
    bad = record_1()
    change(bad)
    path = write_lines(tmp_path / "bad.jsonl", [good_line(), json.dumps(bad, ensure_ascii=False)])
    with pytest.raises(AnnotationError) as err:
        read_jsonl(path)
    message = str(err.value)
    assert message.startswith(f"{path}:2: ")
    assert f"{field!r} must be" in message and message.endswith(value)


def test_doccano_integer_doc_id_is_an_error_not_a_later_type_error(tmp_path):
    rec = doccano_record(docs()[0])
    rec["doc_id"] = 17
    path = write_lines(tmp_path / "dc.jsonl", [json.dumps(rec, ensure_ascii=False)])
    with pytest.raises(AnnotationError, match=rf"^{path}:1: 'doc_id' must be a string, got int 17"):
        read_doccano(path)


# -- doccano offsets: code points or UTF-16 code units (doccano issue #2290) ------------------

# An emoji is one code point but two UTF-16 code units: every offset after it differs.
T_EMOJI = "🔴 عاجل | قال المتحدث باسم الوزارة: «نحن مستعدون للحوار مع جميع الأطراف» 👍"


def _u16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


def _emoji_doc() -> Document:
    t = T_EMOJI
    return Document.from_dict({"id": "e1", "text": t, "spans": [
        span(t, "CUE", "قال"),
        span(t, "SPEAKER", "المتحدث باسم الوزارة", speaker="SP"),
        span(t, "QUOTE", "نحن مستعدون للحوار مع جميع الأطراف", type="direct", speaker="SP"),
    ], "speakers": {"SP": {"canonical": "المتحدث باسم الوزارة", "aliases": []}}})


def _utf16_export() -> dict:
    # What a doccano that counts UTF-16 code units exports for the same annotation.
    t = T_EMOJI
    ents = []
    for i, (label, piece) in enumerate([("CUE", "قال"), ("SPEAKER", "المتحدث باسم الوزارة"),
                                         ("QUOTE_DIRECT", "نحن مستعدون للحوار مع جميع الأطراف")]):
        s = t.index(piece)
        ents.append({"id": i, "label": label, "start_offset": _u16(t, s), "end_offset": _u16(t, s + len(piece))})
    return {"id": 3, "text": t, "entities": ents, "relations": [
        {"id": 0, "from_id": 2, "to_id": 1, "type": "said_by"},
        {"id": 1, "from_id": 2, "to_id": 0, "type": "cued_by"}]}


def test_doccano_utf16_export_is_an_error_as_code_points_and_read_with_offsets_utf16(tmp_path):
    path = write_lines(tmp_path / "export.jsonl", [json.dumps(_utf16_export(), ensure_ascii=False)])
    with pytest.raises(AnnotationError) as err:
        read_doccano(path)
    message = str(err.value)
    assert message.startswith(f"{path}:1: ")
    assert "UTF-16" in message and "offsets='utf-16'" in message
    doc = read_doccano(path, offsets="utf-16")[0]
    q = doc.quotes[0]
    assert q.text == "نحن مستعدون للحوار مع جميع الأطراف"
    assert (q.content.start, q.content.end) == (T_EMOJI.index(q.text), T_EMOJI.index(q.text) + len(q.text))
    assert q.speaker.name == "المتحدث باسم الوزارة" and q.cue.text == "قال"
    assert doc.spans_of("SPEAKER")[0].start == T_EMOJI.index("المتحدث")


def test_doccano_utf16_span_past_the_end_names_the_unit(tmp_path):
    # Two emoji before the quote: its UTF-16 end lies past the end of the text in code points.
    t = "قال المتحدث 🔴🔴: «نحن مستعدون»"
    s, e = t.index("نحن"), t.index("»")
    rec = {"text": t, "entities": [
        {"id": 0, "label": "CUE", "start_offset": 0, "end_offset": 3},
        {"id": 1, "label": "QUOTE_DIRECT", "start_offset": _u16(t, s), "end_offset": _u16(t, e)}]}
    assert _u16(t, e) > len(t)
    path = write_lines(tmp_path / "end.jsonl", [json.dumps(rec, ensure_ascii=False)])
    with pytest.raises(AnnotationError, match=r":1: entity 1 .*out of range.*offsets='utf-16'"):
        read_doccano(path)
    assert read_doccano(path, offsets="utf-16")[0].quotes[0].text == "نحن مستعدون"


def test_doccano_utf16_write_and_read_round_trip(tmp_path):
    doc = _emoji_doc()
    path = tmp_path / "to_doccano.jsonl"
    write_doccano(path, [doc], offsets="utf-16")
    rec = json.loads(path.read_text(encoding="utf-8"))
    q = T_EMOJI.index("نحن")
    assert {"label": "QUOTE_DIRECT", "start_offset": _u16(T_EMOJI, q)}.items() <= next(
        e for e in rec["entities"] if e["label"] == "QUOTE_DIRECT").items()
    assert read_doccano(path, offsets="utf-16") == [doc]
    # a code-point file read as UTF-16 is caught the same way
    write_doccano(path, [doc])
    assert read_doccano(path) == [doc]
    with pytest.raises(AnnotationError, match="offsets='codepoints'"):
        read_doccano(path, offsets="utf-16")


def test_doccano_utf16_offset_inside_an_emoji_and_bad_option(tmp_path):
    t = "🔴 قال المتحدث إن الاجتماع انتهى"
    # start_offset 1 is the middle of the emoji in UTF-16; as code points the span would
    # end inside a word, so neither unit explains it
    rec = {"text": t, "entities": [{"id": 0, "label": "CUE", "start_offset": 1, "end_offset": 8}]}
    path = write_lines(tmp_path / "mid.jsonl", [json.dumps(rec, ensure_ascii=False)])
    with pytest.raises(AnnotationError, match=r":1: entity 0 \(CUE\): start_offset 1 falls between"):
        read_doccano(path, offsets="utf-16")
    with pytest.raises(ValueError, match="offsets must be one of"):
        read_doccano(path, offsets="utf16")
    with pytest.raises(ValueError, match="offsets must be one of"):
        write_doccano(tmp_path / "x.jsonl", [], offsets="bytes")


def test_atomic_dir_follows_the_umask_and_keeps_the_old_directory_on_error(tmp_path):
    from arquote.io import atomic_dir

    target = tmp_path / "model"
    old_umask = os.umask(0o027)
    try:
        with atomic_dir(target) as tmp:
            Path(tmp, "config.json").write_text('{"ترجمة": "نموذج"}', encoding="utf-8")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o750
    assert stat.S_IMODE(os.stat(target / "config.json").st_mode) == 0o640
    with pytest.raises(RuntimeError, match="انقطع"):
        with atomic_dir(target) as tmp:
            Path(tmp, "config.json").write_text("{}", encoding="utf-8")
            raise RuntimeError("انقطع الحفظ")
    assert (target / "config.json").read_text(encoding="utf-8") == '{"ترجمة": "نموذج"}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
