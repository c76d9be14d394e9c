"""Extraction over a Spark DataFrame: one output row per quote and per numeric claim.

:func:`extract_dataframe` runs the extractor inside ``mapInPandas``. Each executor's Python
worker process loads the engine once, at its first batch, and keeps it for every later
batch and task (:mod:`arquote.workers`; Spark reuses its Python workers unless
``spark.python.worker.reuse`` is ``false``). The rows have the columns of
:data:`arquote.frames.COLUMNS`, the same as :func:`arquote.hf.extract_dataset`, the CSV
output of the command line and :func:`arquote.to_dataframe`.

Needs ``pip install "arquote[spark]"`` on the driver and on the executors. How a model
reaches the executors is described in ``docs/scale.md``.

Example:
    >>> from pyspark.sql import SparkSession                                  # doctest: +SKIP
    >>> spark = SparkSession.builder.master("local[2]").getOrCreate()         # doctest: +SKIP
    >>> df = spark.createDataFrame([("a1", "قال الوزير إن «الوضع مستقر تماما»")], ["id", "text"])  # doctest: +SKIP
    >>> out = extract_dataframe(df, engine="rules")                           # doctest: +SKIP
    >>> out.select("doc_id", "type", "speaker", "text").first()               # doctest: +SKIP
    Row(doc_id='a1', type='quote', speaker='الوزير', text='الوضع مستقر تماما')
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Mapping

from .frames import COLUMNS, rows
from .workers import engine_key, get_extractor

__all__ = ["extract_dataframe", "result_schema"]

_ID = "__arquote_id"
_TEXT = "__arquote_text"

# Spark SQL types of the columns, as DDL type names (doc_id follows the input).
_TYPES: dict[str, str] = {
    "type": "string", "kind": "string", "start": "long", "end": "long", "text": "string",
    "speaker": "string", "cue": "string", "value": "double", "unit": "string",
    "approx": "boolean", "vague": "boolean", "claim_kind": "string", "currency": "string",
    "claimant": "string", "score": "double",
}


def result_schema(id_type: Any = None) -> Any:
    """The ``StructType`` of :func:`extract_dataframe`'s result.

    Args:
        id_type: The Spark type of ``doc_id`` (default: ``LongType``, the type of a
            generated id).
    """
    from pyspark.sql.types import (BooleanType, DoubleType, LongType, StringType, StructField,
                                   StructType)

    spark_types = {"string": StringType(), "long": LongType(), "double": DoubleType(),
                   "boolean": BooleanType()}
    fields = [StructField("doc_id", id_type if id_type is not None else LongType(), True)]
    fields += [StructField(name, spark_types[_TYPES[name]], True) for name in COLUMNS[1:]]
    return StructType(fields)


def extract_dataframe(
    df: Any,
    text_col: str = "text",
    engine: str | os.PathLike[str] | None = None,
    batch_size: int = 16,
    id_col: str | None = None,
    engine_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """Quotes and numeric claims of every text of ``df``, one row each.

    The work is lazy, as everywhere in Spark: it runs when the result is written, counted
    or collected.

    Args:
        df: A Spark DataFrame with a string column ``text_col``.
        text_col: The column holding the texts.
        engine: ``None`` for arquote's default model, ``"rules"`` for the rule engine, or a
            model directory. A directory that does not exist on an executor is looked up
            among the files shipped with ``spark.sparkContext.addFile(path, recursive=True)``
            under its base name. A loaded extractor is refused: every executor process
            loads the engine itself, once.
        batch_size: Texts per extractor call inside each Arrow batch (Arrow batches hold up
            to ``spark.sql.execution.arrow.maxRecordsPerBatch`` rows, 10,000 by default).
        id_col: The column copied to ``doc_id``, of any type. Default: ``"id"`` if ``df``
            has it, else a generated ``monotonically_increasing_id()`` (unique, not
            consecutive; add your own id column to join results back to the texts).
        engine_kwargs: Passed to :func:`arquote.load` on the executors (``device`` ...).

    Returns:
        A Spark DataFrame with the columns of :data:`arquote.frames.COLUMNS`: ``doc_id``,
        ``type`` (``"quote"`` or ``"claim"``), offsets ``start``/``end`` into the text,
        ``speaker``, ``kind``, ``value``, ``unit``, ... (schema: :func:`result_schema`).
        Texts without quotes or claims give no row.

    Raises:
        TypeError: at once when ``df`` is not a Spark DataFrame, ``text_col`` is not a
            string column or ``engine`` is a loaded extractor; when the job runs, for a
            null text (drop or fill those rows first:
            ``df.dropna(subset=[text_col])`` or ``df.fillna("", subset=[text_col])``).
        KeyError: when ``text_col`` or ``id_col`` is not a column of ``df``.
        ValueError: for a ``batch_size`` below 1.
        ModelNotAvailableError: at once for ``engine=None`` when this build embeds no
            default model.

    Example:
        >>> out = extract_dataframe(spark.read.json("news/*.jsonl.gz"), engine="rules")  # doctest: +SKIP
        >>> out.where("type = 'quote'").groupBy("speaker").count()                    # doctest: +SKIP
    """
    from pyspark.sql import DataFrame, functions as F

    from .extractor import ModelNotAvailableError, default_available
    from pyspark.sql.types import StringType

    if not isinstance(df, DataFrame):
        raise TypeError(f"extract_dataframe() needs a pyspark DataFrame, got {type(df).__name__}; "
                        "for a pandas DataFrame use ext.pipe(pdf[text_col]) and arquote.to_dataframe")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    engine_key(engine, engine_kwargs)  # refuses a loaded extractor before any job starts
    if engine is None and not default_available():
        # Fail on the driver, not in every executor task.
        raise ModelNotAvailableError(
            "this build of arquote embeds no default model; pass engine='rules' or a model "
            "directory (see docs/scale.md for shipping it to the executors)"
        )
    columns = df.columns
    if text_col not in columns:
        raise KeyError(f"the DataFrame has no column {text_col!r} (columns: {columns}); pass text_col=")
    if not isinstance(df.schema[text_col].dataType, StringType):
        raise TypeError(f"column {text_col!r} holds {df.schema[text_col].dataType.simpleString()}, "
                        "not strings; cast it first: df.withColumn(name, df[name].cast('string'))")
    if id_col is None:
        id_col = "id" if "id" in columns else None
    elif id_col not in columns:
        raise KeyError(f"the DataFrame has no column {id_col!r} (columns: {columns}); pass id_col=")
    if id_col is None:
        ident, id_type = F.monotonically_increasing_id(), None
    else:
        ident, id_type = F.col(id_col), df.schema[id_col].dataType
    source = df.select(ident.alias(_ID), F.col(text_col).alias(_TEXT))
    job = _PartitionJob(engine, dict(engine_kwargs or {}), batch_size, text_col)
    return source.mapInPandas(job, result_schema(id_type))


class _PartitionJob:
    """The function given to ``mapInPandas`` (a picklable object, not a closure, so that
    only the engine's name travels to the executors)."""

    def __init__(self, engine: Any, engine_kwargs: dict[str, Any], batch_size: int, text_col: str):
        self.engine = None if engine is None else os.fspath(engine)
        self.engine_kwargs = engine_kwargs
        self.batch_size = batch_size
        self.text_col = text_col

    def __call__(self, batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        ext = get_extractor(_resolve_on_executor(self.engine), **self.engine_kwargs)
        for batch in batches:
            texts = batch[_TEXT].tolist()
            ids = batch[_ID].tolist()
            for ident, text in zip(ids, texts):
                if not isinstance(text, str):
                    raise TypeError(
                        f"document {ident!r} has no text ({text!r} in column {self.text_col!r}); "
                        f"drop or fill such rows first: df.dropna(subset=[{self.text_col!r}]) or "
                        f"df.fillna('', subset=[{self.text_col!r}])"
                    )
            table = [r for ident, doc in zip(ids, ext.pipe(texts, batch_size=self.batch_size))
                     for r in rows(doc, ident)]
            if table:  # an empty batch adds nothing; Spark needs no frame for it
                yield pd.DataFrame.from_records(table, columns=list(COLUMNS))


def _resolve_on_executor(engine: str | None) -> str | None:
    """A model directory as seen from this executor: the path itself where it exists
    (shared filesystem, local copy), else the copy shipped with ``SparkContext.addFile``."""
    if engine is None or engine == "rules" or os.path.isdir(engine):
        return engine
    from pyspark import SparkFiles

    shipped = SparkFiles.get(os.path.basename(os.path.normpath(engine)))
    return shipped if os.path.isdir(shipped) else engine
