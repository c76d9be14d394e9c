"""Throughput of arquote over Spark and Hugging Face ``datasets`` with 1 and 2 workers.

Reads N corpus texts from ``../shared/corpus/*.jsonl.gz`` by path (spread over the files,
nothing copied into the repository) and prints documents/s with an engine (``--engine``:
``rules``, ``default`` for the embedded model, or a model directory) for:

* ``ext.pipe`` in this process (the baseline, one core);
* ``arquote.spark.extract_dataframe`` on a local Spark session, ``local[1]`` and
  ``local[2]`` (a warm-up job first: Python workers started and engine loaded; then the
  timed job, written to Spark's ``noop`` sink so that nothing is collected);
* ``arquote.hf.extract_dataset`` with ``num_proc`` 1 and 2 (no cache reuse).

Usage:
    python bench/bench_scale.py [--engine rules|default|DIR] [--docs 2000] [--corpus PATH ...]
                                [--no-spark] [--no-hf]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import arquote  # noqa: E402

ENGINE: str | None = "rules"  # set from --engine; None is the embedded default model
PARTITIONS = 8  # tasks per Spark job, so that two cores both have work until the end


def read_docs(paths: list[Path], total: int) -> list[dict]:
    per_file = -(-total // len(paths))
    docs = []
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            docs += [json.loads(line) for line in itertools.islice(f, per_file)]
    return [{"id": d["id"], "text": d["text"]} for d in docs[:total]]


def report(label: str, n: int, seconds: float, rows: int | None = None) -> None:
    extra = "" if rows is None else f", {rows} rows"
    print(f"{label:<28} {n} docs in {seconds:7.2f} s = {n / seconds:8.1f} docs/s{extra}", flush=True)


def bench_pipe(docs: list[dict], batch_size: int) -> None:
    ext = arquote.load(ENGINE)
    start = time.perf_counter()
    rows = sum(len(d.quotes) + len(d.claims) for d in ext.pipe((d["text"] for d in docs), batch_size=batch_size))
    report("pipe, this process", len(docs), time.perf_counter() - start, rows)


def bench_spark(docs: list[dict], workers: int, batch_size: int) -> None:
    from pyspark.sql import SparkSession

    from arquote.spark import extract_dataframe

    start = time.perf_counter()
    spark = (SparkSession.builder.master(f"local[{workers}]").appName("arquote-bench")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    print(f"spark {spark.sparkContext.master} (parallelism {spark.sparkContext.defaultParallelism}) "
          f"started in {time.perf_counter() - start:.1f} s", flush=True)
    try:
        df = spark.createDataFrame(docs, "id string, text string").repartition(PARTITIONS).cache()
        df.count()
        warm = extract_dataframe(df.limit(64), engine=ENGINE, batch_size=batch_size)
        warm.write.format("noop").mode("overwrite").save()
        start = time.perf_counter()
        extract_dataframe(df, engine=ENGINE, batch_size=batch_size).write.format("noop").mode("overwrite").save()
        report(f"spark local[{workers}]", len(docs), time.perf_counter() - start)
    finally:
        spark.stop()


def bench_hf(docs: list[dict], num_proc: int, batch_size: int) -> None:
    import datasets

    from arquote.hf import extract_dataset

    datasets.disable_progress_bars()
    ds = datasets.Dataset.from_dict({"id": [d["id"] for d in docs], "text": [d["text"] for d in docs]})
    start = time.perf_counter()
    table = extract_dataset(ds, engine=ENGINE, batch_size=batch_size, num_proc=num_proc,
                            load_from_cache_file=False)
    report(f"datasets num_proc={num_proc}", len(docs), time.perf_counter() - start, len(table))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="*", type=Path,
                        default=sorted((ROOT.parent / "shared" / "corpus").glob("*.jsonl.gz")))
    parser.add_argument("--docs", type=int, default=2000, help="documents in all (spread over files)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--no-hf", action="store_true")
    parser.add_argument("--engine", default="rules", help="rules, default (the embedded model) or a model directory")
    args = parser.parse_args()
    global ENGINE
    ENGINE = None if args.engine == "default" else args.engine
    if not args.corpus:
        sys.exit("no corpus files: pass --corpus PATH ... (../shared/corpus/*.jsonl.gz)")
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    docs = read_docs(args.corpus, args.docs)
    chars = sum(len(d["text"]) for d in docs)
    print(f"{len(docs)} documents, {chars / len(docs):.0f} characters on average, "
          f"{os.cpu_count()} CPUs, arquote {arquote.__version__}, engine {args.engine}", flush=True)
    bench_pipe(docs, args.batch_size)
    if not args.no_spark:
        for workers in (1, 2):
            bench_spark(docs, workers, args.batch_size)
    if not args.no_hf:
        for num_proc in (1, 2):
            bench_hf(docs, num_proc, args.batch_size)


if __name__ == "__main__":
    main()
