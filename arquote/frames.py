"""Flat rows of results: one row per quote and one per numeric claim.

These rows feed CSV output, :func:`to_dataframe` and the Spark and ``datasets`` helpers,
so every table arquote produces has the same columns.

Example:
    >>> from arquote.document import Document
    >>> rows(Document("لا شيء هنا"), doc_id="d1")
    []
"""

from __future__ import annotations

from typing import Any, Iterable

from .document import Document

__all__ = ["COLUMNS", "rows", "to_dataframe"]

#: The columns of every result table, in order.
COLUMNS: tuple[str, ...] = (
    "doc_id", "type", "kind", "start", "end", "text", "speaker", "cue",
    "value", "unit", "approx", "vague", "claim_kind", "currency", "claimant", "score",
)


def rows(doc: Document, doc_id: str | None = None) -> list[dict[str, Any]]:
    """The quotes and claims of ``doc`` as flat dictionaries (keys: :data:`COLUMNS`).

    Args:
        doc: A document.
        doc_id: The identifier written in ``doc_id``; defaults to ``doc.id``.
    """
    ident = doc_id if doc_id is not None else doc.id
    out: list[dict[str, Any]] = []
    for q in doc.quotes:
        row = dict.fromkeys(COLUMNS)
        row.update(
            doc_id=ident, type="quote", kind=q.kind, start=q.content.start, end=q.content.end,
            text=q.content.text, speaker=q.speaker.name if q.speaker else None,
            cue=q.cue.text if q.cue else None, score=q.score,
        )
        out.append(row)
    for c in doc.claims:
        row = dict.fromkeys(COLUMNS)
        row.update(
            doc_id=ident, type="claim", start=c.span.start, end=c.span.end, text=c.span.text,
            speaker=c.claimant.name if c.claimant else None, value=c.value, unit=c.unit,
            approx=c.approx, vague=c.vague, claim_kind=c.kind, currency=c.currency,
            claimant=c.claimant.name if c.claimant else None, score=c.span.score,
        )
        out.append(row)
    out.sort(key=lambda r: (r["start"], r["type"]))
    return out


def to_dataframe(docs: Document | Iterable[Document]):
    """A pandas DataFrame with one row per quote and per claim of ``docs``.

    Documents without an ``id`` are numbered by their position.
    """
    import pandas as pd

    if isinstance(docs, Document):
        docs = [docs]
    table = [r for i, d in enumerate(docs) for r in rows(d, d.id if d.id is not None else str(i))]
    return pd.DataFrame(table, columns=list(COLUMNS))
