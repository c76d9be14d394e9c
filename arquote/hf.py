"""Extraction over Hugging Face ``datasets``.

Two shapes of result:

* :func:`extract_dataset` gives a *flat table*: a new ``Dataset`` with one row per quote and
  per numeric claim and the columns of :data:`arquote.frames.COLUMNS` (``doc_id``, ``type``,
  ``kind``, ``start``, ``end``, ``text``, ``speaker``, ``value``, ``unit`` ...), exactly the
  rows :func:`arquote.spark.extract_dataframe` gives over a Spark DataFrame.
* :func:`add_columns` keeps one row per text and adds two columns, ``quotes`` and
  ``claims``, each holding for every row a list of plain dictionaries. Its building blocks
  are :func:`extract_batch` (the function for ``ds.map(fn, batched=True)``) and
  :func:`features`: ``datasets`` infers a column's type from the first batch it writes, and
  a batch where no row has a quote says nothing about the type, so pass
  ``features=features(ds.features)`` to ``map``.

Example:
    >>> from datasets import Dataset                                     # doctest: +SKIP
    >>> ds = Dataset.from_dict({"id": ["a1"], "text": ["قال الوزير إن «الوضع مستقر تماما»"]})  # doctest: +SKIP
    >>> table = extract_dataset(ds, engine="rules")                      # doctest: +SKIP
    >>> table[0]["doc_id"], table[0]["type"], table[0]["speaker"]        # doctest: +SKIP
    ('a1', 'quote', 'الوزير')
"""

from __future__ import annotations

import os
from typing import Any, Callable, Mapping

from .document import Document, NumericClaim, Quote
from .extractor import Extractor
from .frames import COLUMNS, rows
from .workers import engine_key, fork_guard, get_extractor

__all__ = [
    "QUOTE_FIELDS", "CLAIM_FIELDS", "extract_dataset", "table_features", "add_columns",
    "extract_batch", "quote_record", "claim_record", "features",
]

#: The keys of each quote dictionary, in order.
QUOTE_FIELDS: tuple[str, ...] = ("start", "end", "text", "kind", "speaker", "cue", "score")
#: The keys of each claim dictionary, in order.
CLAIM_FIELDS: tuple[str, ...] = (
    "start", "end", "text", "value", "unit", "approx", "vague", "kind", "currency", "claimant", "score",
)


def quote_record(quote: Quote) -> dict[str, Any]:
    """A quote as a flat dictionary with the keys of :data:`QUOTE_FIELDS`."""
    return {
        "start": quote.content.start,
        "end": quote.content.end,
        "text": quote.content.text,
        "kind": quote.kind,
        "speaker": quote.speaker.name if quote.speaker else None,
        "cue": quote.cue.text if quote.cue else None,
        "score": None if quote.score is None else float(quote.score),
    }


def claim_record(claim: NumericClaim) -> dict[str, Any]:
    """A numeric claim as a flat dictionary with the keys of :data:`CLAIM_FIELDS`."""
    return {
        "start": claim.span.start,
        "end": claim.span.end,
        "text": claim.span.text,
        # One number type for the column: Arrow cannot mix int and float across batches.
        "value": None if claim.value is None else float(claim.value),
        "unit": claim.unit,
        "approx": claim.approx,
        "vague": claim.vague,
        "kind": claim.kind,
        "currency": claim.currency,
        "claimant": claim.claimant.name if claim.claimant else None,
        "score": None if claim.span.score is None else float(claim.span.score),
    }


def features(base: Any = None) -> Any:
    """The ``datasets.Features`` of the two new columns, merged into ``base`` if given.

    Pass ``features=features(ds.features)`` to ``ds.map`` to fix the schema up front
    (useful when the first rows have no quotes or no claims at all).
    """
    from datasets import Features, Value

    quote = {name: Value("int64") if name in ("start", "end") else Value("string") for name in QUOTE_FIELDS}
    quote["score"] = Value("float64")
    claim = {name: Value("string") for name in CLAIM_FIELDS}
    claim.update(start=Value("int64"), end=Value("int64"), value=Value("float64"),
                 approx=Value("bool"), vague=Value("bool"), score=Value("float64"))
    out = dict(base or {})
    # A one-element list is "a list of this struct" in every datasets version.
    out.update(quotes=[quote], claims=[claim])
    return Features(out)


def extract_batch(
    ext: Extractor, text_col: str = "text", batch_size: int = 16
) -> Callable[[Mapping[str, list]], dict[str, list]]:
    """A function for ``Dataset.map(fn, batched=True)`` that adds ``quotes`` and ``claims``.

    Args:
        ext: An extractor (``arquote.load(...)``).
        text_col: The column holding the texts.
        batch_size: Texts per extractor batch inside one ``map`` batch.

    Returns:
        ``fn(batch) -> {"quotes": [...], "claims": [...]}``: one list of dictionaries per
        row (keys :data:`QUOTE_FIELDS` and :data:`CLAIM_FIELDS`). Existing columns of
        those names are replaced.

    Raises:
        TypeError: when ``ext`` is not an extractor (at once) or a text is not a ``str``
            (when the function runs; a missing text is ``None`` in ``datasets``: filter
            those rows out or fill them with ``""`` first).
        KeyError: when a batch has no column ``text_col`` (when the function runs).

    Example:
        >>> fn = extract_batch(arquote.load("rules"))                   # doctest: +SKIP
        >>> fn({"text": ["قال الوزير إن «الوضع مستقر تماما»"]})["quotes"][0][0]["kind"]  # doctest: +SKIP
        'direct'
    """
    if not isinstance(ext, Extractor):
        raise TypeError(f"extract_batch() needs an arquote extractor (arquote.load(...)), "
                        f"got {type(ext).__name__}")

    def fn(batch: Mapping[str, list]) -> dict[str, list]:
        if text_col not in batch:
            raise KeyError(f"the batch has no column {text_col!r} (columns: {sorted(batch)}); "
                           f"pass text_col= to extract_batch")
        docs: list[Document] = list(ext.pipe(batch[text_col], batch_size=batch_size))
        return {
            "quotes": [[quote_record(q) for q in d.quotes] for d in docs],
            "claims": [[claim_record(c) for c in d.claims] for d in docs],
        }

    return fn




def add_columns(ds: Any, ext: Extractor, text_col: str = "text", batch_size: int = 16,
                **map_kwargs: Any) -> Any:
    """``ds.map`` with :func:`extract_batch` and the right features: the rows of ``ds`` with
    two more columns, ``quotes`` and ``claims`` (lists of records per row).

    Args:
        ds: A ``datasets.Dataset``.
        ext: An extractor.
        text_col: The column holding the texts.
        batch_size: Rows per ``map`` batch (also the extractor's batch).
        **map_kwargs: Passed to ``Dataset.map`` (``num_proc``, ``desc``, ...).

    Example:
        >>> ds = add_columns(ds, arquote.load("rules"))   # doctest: +SKIP
        >>> ds[0]["quotes"][0]["speaker"]                # doctest: +SKIP
        'الوزير'
    """
    removed = map_kwargs.get("remove_columns") or ()
    removed = {removed} if isinstance(removed, str) else set(removed)
    base = {name: f for name, f in ds.features.items() if name not in removed}
    return ds.map(
        extract_batch(ext, text_col=text_col, batch_size=batch_size), batched=True,
        batch_size=batch_size, features=features(base), **map_kwargs,
    )


def table_features(id_feature: Any = None) -> Any:
    """The ``datasets.Features`` of :func:`extract_dataset`'s table.

    The types match :func:`arquote.spark.result_schema`: offsets ``int64``, ``value`` and
    ``score`` ``float64``, ``approx`` and ``vague`` ``bool``, the rest strings.

    Args:
        id_feature: The feature of ``doc_id`` (default ``Value("int64")``, a row index).
    """
    from datasets import Features, Value

    types = {"start": "int64", "end": "int64", "value": "float64", "score": "float64",
             "approx": "bool", "vague": "bool"}
    out = {"doc_id": id_feature if id_feature is not None else Value("int64")}
    out.update((name, Value(types.get(name, "string"))) for name in COLUMNS[1:])
    return Features(out)


def extract_dataset(
    ds: Any,
    text_col: str = "text",
    engine: str | os.PathLike[str] | Extractor | None = None,
    batch_size: int = 16,
    id_col: str | None = None,
    num_proc: int | None = None,
    engine_kwargs: Mapping[str, Any] | None = None,
    **map_kwargs: Any,
) -> Any:
    """Quotes and numeric claims of every text of ``ds``, one row each, in a new ``Dataset``.

    Runs ``ds.map(batched=True)``; with ``num_proc`` the rows are split between worker
    processes, each of which loads the engine once (by name or path, see
    :mod:`arquote.workers`). The table has the same columns and rows as
    :func:`arquote.spark.extract_dataframe` over the same texts.

    Args:
        ds: A ``datasets.Dataset``.
        text_col: The column holding the texts.
        engine: ``None`` for arquote's default model, ``"rules"`` for the rule engine, a
            model directory, or an extractor already loaded (with ``num_proc`` it is then
            pickled to every worker process: prefer a name or path for a model).
        batch_size: Rows per ``map`` batch (also the extractor's batch).
        id_col: The column copied to ``doc_id``. Default: ``"id"`` if ``ds`` has it, else
            the row's index in ``ds`` (``int64``).
        num_proc: Worker processes for ``map`` (``None``: this process only).
        engine_kwargs: Passed to :func:`arquote.load` (``device`` ...).
        **map_kwargs: Passed to ``Dataset.map`` (``desc``, ``load_from_cache_file``,
            ``cache_file_name`` ...).

    Returns:
        A ``datasets.Dataset`` with the columns :data:`arquote.frames.COLUMNS`
        (features: :func:`table_features`). Texts without quotes or claims give no row.

    Raises:
        TypeError: when ``text_col`` is not a name (the engine goes in ``engine=``), a
            text is not a ``str`` (a missing text is ``None``: filter those rows out or
            fill them with ``""`` first), or ``engine`` is of another type.
        KeyError: when ``text_col`` or ``id_col`` is not a column of ``ds``.

    Example:
        >>> table = extract_dataset(ds, engine="rules", num_proc=2)           # doctest: +SKIP
        >>> table.filter(lambda r: r["type"] == "quote").to_pandas().speaker.value_counts()  # doctest: +SKIP
    """
    if not isinstance(text_col, str):
        raise TypeError(f"text_col must be a column name, got {type(text_col).__name__}; "
                        "pass the extractor as engine=")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    columns = list(ds.column_names)
    if text_col not in columns:
        raise KeyError(f"the dataset has no column {text_col!r} (columns: {columns}); pass text_col=")
    if id_col is None:
        id_col = "id" if "id" in columns else None
    elif id_col not in columns:
        raise KeyError(f"the dataset has no column {id_col!r} (columns: {columns}); pass id_col=")
    if isinstance(engine, Extractor):
        job = _TableJob(None, {}, text_col, id_col, batch_size, extractor=engine)
    else:
        engine_key(engine, engine_kwargs)  # a clear TypeError now, not in a worker
        job = _TableJob(None if engine is None else os.fspath(engine), dict(engine_kwargs or {}),
                        text_col, id_col, batch_size)
    id_feature = ds.features[id_col] if id_col is not None else None
    return ds.map(
        job, batched=True, batch_size=batch_size, with_indices=id_col is None,
        remove_columns=columns, features=table_features(id_feature), num_proc=num_proc,
        **map_kwargs,
    )


class _TableJob:
    """The batched ``map`` function of :func:`extract_dataset` (picklable: with ``num_proc``
    only the engine's name travels to the worker processes)."""

    def __init__(self, engine: str | None, engine_kwargs: dict[str, Any], text_col: str,
                 id_col: str | None, batch_size: int, extractor: Extractor | None = None):
        self.engine = engine
        self.engine_kwargs = engine_kwargs
        self.text_col = text_col
        self.id_col = id_col
        self.batch_size = batch_size
        self.extractor = extractor

    def __call__(self, batch: Mapping[str, list], indices: list[int] | None = None) -> dict[str, list]:
        fork_guard()
        ext = self.extractor or get_extractor(self.engine, **self.engine_kwargs)
        ids = batch[self.id_col] if self.id_col is not None else indices
        docs = ext.pipe(batch[self.text_col], batch_size=self.batch_size)
        table = [r for ident, doc in zip(ids, docs) for r in rows(doc, ident)]
        return {name: [r[name] for r in table] for name in COLUMNS}
