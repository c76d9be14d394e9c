"""arquote.spark: the rows of extract_dataframe are those of ext.pipe, engines load once per process."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pandas")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Spark needs a Java runtime (none found)", allow_module_level=True)

import arquote  # noqa: E402
from arquote.frames import COLUMNS, rows  # noqa: E402
from arquote.spark import _resolve_on_executor, extract_dataframe  # noqa: E402
from arquote.workers import LOAD_LOG_ENV  # noqa: E402

pytestmark = [
    pytest.mark.slow,  # a JVM starts: about 10 s
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

TEXTS = [
    "وقال المتحدث باسم الوزارة إن «الحدود ستبقى مغلقة حتى إشعار آخر».",
    "لم يصدر أي تعليق رسمي حتى الآن.",
    "أعلنت الشرطة توقيف 12 شخصا في العاصمة، وقال مدير الأمن إن التحقيق مستمر.",
    "",
    "قالت الأمم المتحدة إن 3 ملايين شخص بحاجة إلى مساعدات عاجلة.",
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    log = tmp_path_factory.mktemp("loads")
    session = (
        SparkSession.builder.master("local[2]").appName("arquote-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        # Small Arrow batches: many batches per task, to show the engine is not reloaded.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "16")
        .config(f"spark.executorEnv.{LOAD_LOG_ENV}", str(log))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.load_log = log
    yield session
    session.stop()


@pytest.fixture(scope="module")
def rules():
    return arquote.load("rules")


def _corpus(n_short: int = 150, n_long: int = 100) -> list[dict]:
    """Short social-media posts and longer articles, read by path (never copied)."""
    picks = (("asnd.jsonl.gz", n_short), ("ant_multisource.jsonl.gz", n_long))
    if not all((CORPUS / name).is_file() for name, _ in picks):
        pytest.skip(f"no corpus at {CORPUS}")
    out = []
    for name, n in picks:
        with gzip.open(CORPUS / name, "rt", encoding="utf-8") as handle:
            out += [json.loads(line) for line in itertools.islice(handle, n)]
    return [{"id": r["id"], "text": r["text"]} for r in out]


def _expected(ext, ids, texts) -> list[dict]:
    return [r for i, d in zip(ids, ext.pipe(texts)) for r in rows(d, i)]


def test_rows_equal_pipe_on_corpus_documents(spark, rules):
    docs = _corpus()
    df = spark.createDataFrame(docs, "id string, text string").repartition(4)
    got = [r.asDict() for r in extract_dataframe(df, engine="rules", batch_size=8).collect()]
    expected = _expected(rules, [d["id"] for d in docs], [d["text"] for d in docs])
    assert len(expected) > 250  # the comparison covers hundreds of quotes and claims
    key = lambda r: (r["doc_id"], r["start"], r["type"], r["end"])  # noqa: E731
    assert sorted(got, key=key) == sorted(expected, key=key)
    assert {r["type"] for r in got} == {"quote", "claim"}


def test_spark_and_datasets_give_the_same_table(spark):
    datasets = pytest.importorskip("datasets")
    from arquote.hf import extract_dataset

    ids = [f"n{i}" for i in range(len(TEXTS))]
    df = spark.createDataFrame(list(zip(ids, TEXTS)), "id string, text string")
    from_spark = [r.asDict() for r in extract_dataframe(df, engine="rules").collect()]
    ds = datasets.Dataset.from_dict({"id": ids, "text": TEXTS})
    from_hf = extract_dataset(ds, engine="rules").to_list()
    assert from_hf == from_spark
    assert {r["doc_id"] for r in from_spark} == {"n0", "n2", "n4"}


def test_columns_types_and_generated_ids(spark, rules):
    df = spark.createDataFrame([(t,) for t in TEXTS], "text string").repartition(2)
    out = extract_dataframe(df, engine="rules")
    assert out.columns == list(COLUMNS)
    types = dict(out.dtypes)
    assert (types["doc_id"], types["start"], types["value"], types["approx"]) == (
        "bigint", "bigint", "double", "boolean")
    got = [r.asDict() for r in out.collect()]
    # No id column: a generated id, the same for all rows of one text.
    by_id: dict[int, list[dict]] = {}
    for r in got:
        by_id.setdefault(r["doc_id"], []).append(r)
    strip = lambda table: sorted((r["type"], r["start"], r["end"], r["text"]) for r in table)  # noqa: E731
    per_text = [strip(rows(d)) for d in rules.pipe(TEXTS)]
    assert sorted(strip(group) for group in by_id.values()) == sorted(t for t in per_text if t)
    quote = next(r for r in got if r["type"] == "quote" and r["text"].startswith("الحدود"))
    source = TEXTS[0]
    assert (quote["start"], quote["end"]) == (source.index("الحدود"), source.index("»"))


def test_id_col_keeps_its_type(spark):
    df = spark.createDataFrame([(7, "x", TEXTS[0]), (9, "y", TEXTS[2])], "ref int, id string, body string")
    out = extract_dataframe(df, text_col="body", id_col="ref", engine="rules")
    assert dict(out.dtypes)["doc_id"] == "int"
    assert {r.doc_id for r in out.collect()} == {7, 9}


def test_engine_loaded_once_per_worker_process_not_per_batch(spark):
    log: Path = spark.load_log
    before = set(os.listdir(log))
    df = spark.createDataFrame([(t,) for t in TEXTS * 48], "text string").repartition(8)
    # 240 texts in 8 tasks of about 30 rows, in Arrow batches of at most 16 rows: 16+ batches.
    assert extract_dataframe(df, engine="rules").count() > 0
    files = sorted(os.listdir(log))
    loads = [json.loads((log / f).read_text(encoding="utf-8")) for f in files]
    assert loads, f"no load recorded: are the executors reading {LOAD_LOG_ENV}?"
    assert all(x["engine"] == "rules" for x in loads)
    pids = [x["pid"] for x in loads]
    assert len(pids) == len(set(pids)), f"a process loaded the engine twice: {files}"
    new = set(files) - before
    assert len(new) < 8, f"one load per task or batch, not per process: {sorted(new)}"


def test_model_directory_shipped_with_add_file(spark, tmp_path):
    # A directory missing on the executors is looked up among the files shipped to them.
    model = tmp_path / "shipped_model"
    model.mkdir()
    (model / "marker.txt").write_text("model files", encoding="utf-8")
    spark.sparkContext.addFile(str(model), recursive=True)
    missing = str(tmp_path / "elsewhere" / "shipped_model")

    def probe(batches):
        import pandas as pd

        for _ in batches:
            yield pd.DataFrame({"path": [_resolve_on_executor(missing)]})

    [seen] = {r.path for r in spark.range(2, numPartitions=1).mapInPandas(probe, "path string").collect()}
    assert seen != missing and Path(seen).name == "shipped_model"
    assert (Path(seen) / "marker.txt").read_text(encoding="utf-8") == "model files"
    assert _resolve_on_executor("rules") == "rules" and _resolve_on_executor(None) is None


def test_bad_input_is_refused_before_any_job(spark, rules):
    df = spark.createDataFrame([("a", TEXTS[0])], "id string, body string")
    with pytest.raises(KeyError, match="text_col="):
        extract_dataframe(df, engine="rules")
    with pytest.raises(KeyError, match="id_col="):
        extract_dataframe(df, text_col="body", id_col="ref", engine="rules")
    with pytest.raises(TypeError, match="not a loaded RuleExtractor"):
        extract_dataframe(df, text_col="body", engine=rules)
    with pytest.raises(TypeError, match="cast it first"):
        extract_dataframe(spark.createDataFrame([(1,)], "text int"), engine="rules")
    with pytest.raises(TypeError, match="pyspark DataFrame"):
        extract_dataframe([TEXTS[0]], engine="rules")
    with pytest.raises(ValueError, match="batch_size"):
        extract_dataframe(df, text_col="body", engine="rules", batch_size=0)
    if not arquote.extractor.default_available():
        with pytest.raises(arquote.ModelNotAvailableError, match="engine='rules'"):
            extract_dataframe(df, text_col="body")


def test_null_text_fails_with_the_fix_in_the_message(spark):
    df = spark.createDataFrame([("a", TEXTS[0]), ("b", None)], "id string, text string")
    with pytest.raises(Exception, match=r"document 'b' has no text.*dropna"):
        extract_dataframe(df, engine="rules").collect()


@pytest.mark.skipif(not arquote.extractor.default_available(), reason="this build embeds no default model")
def test_default_model_rows_equal_pipe(spark):
    """engine=None: the embedded model, loaded on the executors from the installed package."""
    docs = _corpus(12, 8)
    df = spark.createDataFrame(docs, "id string, text string").repartition(2)
    got = [r.asDict() for r in extract_dataframe(df, batch_size=4).collect()]
    expected = _expected(arquote.load(), [d["id"] for d in docs], [d["text"] for d in docs])
    assert len(expected) > 10
    key = lambda r: (r["doc_id"], r["start"], r["type"], r["end"])  # noqa: E731
    got, expected = sorted(got, key=key), sorted(expected, key=key)
    # batches of other sizes pad windows differently: scores agree to float precision only
    strip = lambda r: {k: v for k, v in r.items() if k != "score"}  # noqa: E731
    assert [strip(r) for r in got] == [strip(r) for r in expected]
    for a, b in zip(got, expected):
        assert (a["score"] is None) == (b["score"] is None)
        if a["score"] is not None:
            assert a["score"] == pytest.approx(b["score"], abs=1e-3)
