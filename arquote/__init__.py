"""arquote: who said what in Arabic news.

Finds attributed quotes (direct «…» and indirect «قال إن …»), their speakers, the cue
words and numeric claims, each normalized, with character offsets into the exact string
you passed.

Example:
    >>> import arquote
    >>> ext = arquote.load("rules")                          # doctest: +SKIP
    >>> doc = ext("وقال وليامز إن «التحالف يعمل على المساعدة»")  # doctest: +SKIP
    >>> [(q.speaker.name, q.content.text) for q in doc.quotes]  # doctest: +SKIP
    [('وليامز', 'التحالف يعمل على المساعدة')]
"""

from .document import (
    AnnotationError,
    Document,
    NumericClaim,
    Quote,
    Span,
    Speaker,
)
from .display import compare, render
from .extractor import Extractor, ModelNotAvailableError, load
from .frames import to_dataframe

__version__ = "0.1.0"

__all__ = [
    "AnnotationError",
    "Document",
    "Extractor",
    "ModelNotAvailableError",
    "NumericClaim",
    "Quote",
    "Span",
    "Speaker",
    "load",
    "render",
    "compare",
    "to_dataframe",
    "__version__",
]
