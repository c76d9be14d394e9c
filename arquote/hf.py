"""Extraction inside ``datasets.Dataset.map``.

:func:`extract_batch` wraps an extractor into the function ``ds.map(fn, batched=True)``
expects: it reads the text column of a batch, runs the extractor over it in one
``pipe`` call, and returns new columns, ``quotes`` and ``claims``, each holding for every
row a list of plain dictionaries (JSON-ready, stored by ``datasets`` as lists of structs).
The fields are always present (``None`` where unknown). ``datasets`` infers a column's
type from the first batch it writes, and a batch where no row has a quote says nothing about
the type: pass ``features=features(ds.features)`` to ``map``, or let
:func:`extract_dataset` do the whole call.

Example:
    >>> import arquote
    >>> from datasets import Dataset                                     # doctest: +SKIP
    >>> ds = Dataset.from_dict({"text": ["قال الوزير إن «الوضع مستقر تماما»"]})  # doctest: +SKIP
    >>> ds = ds.map(extract_batch(arquote.load("rules")), batched=True)  # doctest: +SKIP
    >>> ds[0]["quotes"][0]["speaker"]                                    # doctest: +SKIP
    'الوزير'
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .document import Document, NumericClaim, Quote
from .extractor import Extractor

__all__ = [
    "QUOTE_FIELDS", "CLAIM_FIELDS", "extract_batch", "extract_dataset", "quote_record",
    "claim_record", "features",
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


def extract_dataset(ds: Any, ext: Extractor, text_col: str = "text", batch_size: int = 16,
                    **map_kwargs: Any) -> Any:
    """``ds.map`` with :func:`extract_batch` and the right features: a new dataset with
    ``quotes`` and ``claims`` columns.

    Args:
        ds: A ``datasets.Dataset``.
        ext: An extractor.
        text_col: The column holding the texts.
        batch_size: Rows per ``map`` batch (also the extractor's batch).
        **map_kwargs: Passed to ``Dataset.map`` (``num_proc``, ``desc``, ...).

    Example:
        >>> ds = extract_dataset(ds, arquote.load("rules"))   # doctest: +SKIP
    """
    removed = map_kwargs.get("remove_columns") or ()
    removed = {removed} if isinstance(removed, str) else set(removed)
    base = {name: f for name, f in ds.features.items() if name not in removed}
    return ds.map(
        extract_batch(ext, text_col=text_col, batch_size=batch_size), batched=True,
        batch_size=batch_size, features=features(base), **map_kwargs,
    )
