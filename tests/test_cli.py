"""The command line, run as a user runs it: in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT.parent / "shared" / "gold" / "dev.jsonl"

ARTICLE = (
    "قال وزير الداخلية إن «قوات الأمن أحبطت 12 محاولة تسلل خلال الأسبوع الماضي».\n\n"
    "وأضاف أن الحكومة ستنشر ألف عنصر إضافي على الحدود الشرقية."
)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "arquote", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300,
    )


def test_version_and_help():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("arquote ")
    out = run("extract", "--help")
    assert out.returncode == 0 and "--format" in out.stdout


def test_extract_stdin_jsonl_with_rules():
    out = run("extract", "--model", "rules", stdin=ARTICLE)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["id"] == "stdin" and record["text"] == ARTICLE
    quotes = [s for s in record["spans"] if s["label"] == "QUOTE"]
    first = "قوات الأمن أحبطت 12 محاولة تسلل خلال الأسبوع الماضي"
    assert any(q["start"] == ARTICLE.index(first) and q["type"] == "direct" for q in quotes)
    for span in record["spans"]:
        assert ARTICLE[span["start"]:span["end"]] == span["text"]


def test_extract_directory_to_csv_reports_bad_file_and_goes_on(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe\x00broken")
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"id": "c1", "text": ARTICLE}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    out = run("extract", "--model", "rules", "--format", "csv", str(tmp_path))
    assert out.returncode == 1  # partial success
    assert "b.txt" in out.stderr and "UTF-8" in out.stderr
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["doc_id"] for r in table} == {"a", "c1"}
    assert any(r["type"] == "quote" for r in table)


def test_extract_table_format():
    out = run("extract", "--model", "rules", "--format", "table", stdin=ARTICLE)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("== stdin:") and "direct" in out.stdout


def test_extract_missing_model_directory_exit_code(tmp_path):
    out = run("extract", "--model", str(tmp_path / "nowhere"), stdin=ARTICLE)
    assert out.returncode == 3
    assert "cannot load model" in out.stderr


def test_bad_batch_size_is_a_usage_error():
    out = run("extract", "--batch-size", "0", stdin=ARTICLE)
    assert out.returncode == 2 and "batch-size" in out.stderr


@pytest.mark.skipif(not GOLD.exists(), reason="../shared/gold/dev.jsonl not present")
def test_evaluate_gold_against_itself():
    out = run("evaluate", "--gold", str(GOLD), "--pred", str(GOLD), "--format", "json")
    assert out.returncode == 0, out.stderr
    assert "1.0" in out.stdout
    table = run("evaluate", "--gold", str(GOLD), "--pred", str(GOLD))
    assert table.returncode == 0 and "QUOTE" in table.stdout


def test_evaluate_reports_bad_gold_file_with_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "قال الوزير"}\n{not json}\n', encoding="utf-8")
    out = run("evaluate", "--gold", str(bad), "--pred", str(bad))
    assert out.returncode == 2
    assert "bad.jsonl:2" in out.stderr


def test_bad_jsonl_line_is_skipped_and_the_rest_of_the_file_read(tmp_path):
    data = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"id": "a", "text": ARTICLE}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "b", "text": 5}),
        json.dumps({"id": "c", "text": ARTICLE}, ensure_ascii=False),
    ]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run("extract", "--model", "rules", str(data))
    assert out.returncode == 1
    assert [json.loads(l)["id"] for l in out.stdout.splitlines()] == ["a", "c"]
    assert "docs.jsonl:2" in out.stderr and "docs.jsonl:3" in out.stderr


def test_output_file_and_html_format(tmp_path):
    target = tmp_path / "out.html"
    out = run("extract", "--model", "rules", "--format", "html", "-o", str(target), stdin=ARTICLE)
    assert out.returncode == 0, out.stderr
    html = target.read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and "قوات الأمن أحبطت" in html
    assert out.stdout == ""


# -- offsets index the input as it is on disk: CRLF line ends are not translated ----------------
# (in-process, through arquote.cli.main, with the rule engine)

CRLF_ARTICLE = ARTICLE.replace("\n", "\r\n")


def _check_offsets(raw: str, spans: list[tuple[int, int, str]]) -> None:
    assert spans
    for start, end, text in spans:
        assert raw[start:end] == text
    # at least one span lies after the CRLF line breaks, where translated offsets drift
    assert max(start for start, _, _ in spans) > raw.index("\r\n")


def _run_in_process(args: list[str]) -> int:
    from arquote.cli import main

    return main(["extract", "--model", "rules", "-q", *args])


def test_crlf_text_file_offsets_index_the_file_in_every_format(tmp_path):
    source = tmp_path / "crlf.txt"
    source.write_bytes(CRLF_ARTICLE.encode("utf-8"))
    raw = source.read_bytes().decode("utf-8")
    assert "\r\n" in raw

    out = tmp_path / "out.jsonl"
    assert _run_in_process([str(source), "-o", str(out)]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["text"] == raw
    _check_offsets(raw, [(s["start"], s["end"], s["text"]) for s in record["spans"]])

    out = tmp_path / "out.csv"
    assert _run_in_process([str(source), "--format", "csv", "-o", str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    _check_offsets(raw, [(int(r["start"]), int(r["end"]), r["text"]) for r in rows])

    out = tmp_path / "out.txt"
    assert _run_in_process([str(source), "--format", "table", "-o", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()[1:]
    found = []
    for line in lines:
        kind, offsets = line.split()[:2]
        start, end = map(int, offsets.split(":"))
        assert line.endswith(": " + raw[start:end]), line
        found.append((start, end, raw[start:end]))
    _check_offsets(raw, found)


def test_crlf_stdin_offsets_index_the_input(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CRLF_ARTICLE.encode("utf-8")), encoding="utf-8"))
    out = tmp_path / "out.jsonl"
    assert _run_in_process(["-o", str(out)]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["id"] == "stdin" and record["text"] == CRLF_ARTICLE
    _check_offsets(CRLF_ARTICLE, [(s["start"], s["end"], s["text"]) for s in record["spans"]])


def test_stdin_that_is_not_utf8_is_reported_not_a_traceback(tmp_path, monkeypatch, capsys):
    data = "قال الوزير".encode("cp1256")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert _run_in_process(["-o", str(tmp_path / "out.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "stdin: not UTF-8 text" in err and "byte 0" in err
