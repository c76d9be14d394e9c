"""Extractors: objects that turn a text into a :class:`~arquote.document.Document`.

:func:`load` is the one way in. ``load()`` is the embedded default model, ``load("rules")``
the rule engine, and ``load("path/to/model")`` a saved model directory (or a model hub name
passed on to transformers).

Example:
    >>> ext = load("rules")                                   # doctest: +SKIP
    >>> doc = ext("وقال وليامز إن «التحالف يعمل على المساعدة»")  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import os
from typing import Any, Iterable, Iterator

from .document import Document

__all__ = ["Extractor", "load", "check_text", "ModelNotAvailableError"]


class ModelNotAvailableError(RuntimeError):
    """The requested model cannot be loaded here (not built yet, or files missing)."""


def check_text(text: Any) -> str:
    """Returns ``text`` if it is a ``str``; raises ``TypeError`` naming what was given."""
    if not isinstance(text, str):
        hint = " (decode bytes first: data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""
        raise TypeError(f"arquote extracts from a str, got {type(text).__name__}{hint}")
    return text


class Extractor:
    """Base class: subclasses implement :meth:`_extract_batch`.

    ``ext(text)`` extracts from one text; ``ext.pipe(texts)`` lazily from many, in input
    order. Neither mutates its input.
    """

    #: A short name for the engine (``"rules"``, ``"model"``).
    name: str = "base"

    def __call__(self, text: str) -> Document:
        """Extracts quotes, speakers, cues and numeric claims from one text.

        Raises:
            TypeError: when ``text`` is not a ``str``.
        """
        return self._extract_batch([check_text(text)])[0]

    def pipe(self, texts: Iterable[str], batch_size: int = 16) -> Iterator[Document]:
        """Extracts from many texts lazily, yielding documents in input order.

        Args:
            texts: Any iterable of ``str`` (a list, a generator, a pandas Series, a
                ``datasets`` column). It is consumed batch by batch, so a generator of any
                length runs in bounded memory.
            batch_size: Texts per batch.
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if isinstance(texts, str):
            raise TypeError("pipe() takes an iterable of texts; for one text call the extractor")
        iterator = iter(texts)
        while True:
            batch = list(itertools.islice(iterator, batch_size))
            if not batch:
                return
            yield from self._extract_batch([check_text(t) for t in batch])

    def _extract_batch(self, texts: list[str]) -> list[Document]:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def load(name: str | os.PathLike[str] | None = None, **kwargs: Any) -> Extractor:
    """Loads an extractor.

    Args:
        name: ``None`` for the embedded default model, ``"rules"`` for the rule engine,
            or a saved model directory (a model hub name is passed on to transformers).
        **kwargs: Passed to the engine (for a model: ``device``, ``batch_size`` …).

    Returns:
        An :class:`Extractor`.

    Raises:
        ModelNotAvailableError: when the model cannot be found or loaded.
    """
    if name == "rules":
        from .rules import RuleExtractor

        return RuleExtractor(**kwargs)
    try:
        from . import model as _model  # the transformer engine (model issue)
    except ImportError as err:
        raise ModelNotAvailableError(
            "the transformer engine is not available in this version of arquote "
            f"({err}); use arquote.load('rules') for the rule engine"
        ) from None
    if name is None:
        return _model.load_default(**kwargs)
    return _model.load_model(os.fspath(name), **kwargs)
