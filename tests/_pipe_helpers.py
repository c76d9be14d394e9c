"""Extractors for the ``pipe(workers=…)`` tests. They live in a module of their own because
spawned worker processes import the extractor's class by name (a class defined in a test
function could not be sent to them)."""

from __future__ import annotations

import multiprocessing
import os

from arquote.extractor import Extractor
from arquote.rules.engine import RuleExtractor


class RaisesOn(Extractor):
    """The rule engine, except that a text containing ``marker`` raises ``ValueError``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.rules = RuleExtractor()

    def _extract_batch(self, texts):
        for text in texts:
            if self.marker in text:
                raise ValueError(f"cannot handle {self.marker!r}")
        return self.rules._extract_batch(texts)


class DiesOn(RaisesOn):
    """Like :class:`RaisesOn`, but a worker process dies (as the out-of-memory killer
    would end it) where this process would raise."""

    def _extract_batch(self, texts):
        if multiprocessing.parent_process() is not None and any(self.marker in t for t in texts):
            os._exit(1)
        return super()._extract_batch(texts)
