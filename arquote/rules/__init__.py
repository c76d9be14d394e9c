"""The rule engine of arquote: patterns for quotes, speakers and cues, plus the silver corpus.

``arquote.load("rules")`` returns a :class:`RuleExtractor`. Attribution is decided by
:mod:`arquote.link`, the same linker the model pipeline uses.

Example:
    >>> from arquote.rules import RuleExtractor
    >>> doc = RuleExtractor()("وأوضح المتحدث “سامي يوسف” أن الطريق أعيد فتحه صباح اليوم.")
    >>> doc.quotes[0].content.text, doc.quotes[0].speaker.name
    ('الطريق أعيد فتحه صباح اليوم', 'سامي يوسف')
"""

from .engine import Candidates, RuleExtractor, extract, find_spans, mark_pairs

__all__ = ["RuleExtractor", "extract", "find_spans", "mark_pairs", "Candidates", "make_silver",
           "confident"]


def __getattr__(name: str):
    # the silver-corpus writer pulls in tqdm and multiprocessing: load it on first use
    if name in ("make_silver", "confident"):
        from . import silver

        return getattr(silver, name)
    raise AttributeError(f"module 'arquote.rules' has no attribute {name!r}")
