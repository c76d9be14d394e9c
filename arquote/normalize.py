"""Arabic text normalization on a mapped copy: the user's string is never changed.

Matching lexicons and parsing numbers is easier on a folded copy of the text (no
diacritics or tatweel, ASCII digits, one alef, no bidi controls). :func:`normalize`
builds that copy together with a map back to the original offsets, so anything found in
the copy is reported at the right place in the user's string.

Example:
    >>> n = normalize("قالَ إنّ ٤٨ هجوماً")
    >>> n.text
    'قال ان 48 هجوما'
    >>> s = n.text.index("48")
    >>> n.span(s, s + 2)
    (9, 11)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Normalized", "normalize", "fold", "DIACRITICS", "INVISIBLE"]

#: Harakat, tanwin, shadda, sukun, dagger alef, Quranic marks: dropped.
DIACRITICS = frozenset(
    [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640"]  # dagger alef, tatweel
    + [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
)
#: Zero-width and bidi control characters: dropped.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u061c\u2060\ufeff"
    + "".join(chr(c) for c in range(0x202A, 0x202F))
    + "".join(chr(c) for c in range(0x2066, 0x206A))
)
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)}
_DIGITS.update({chr(0x06F0 + i): str(i) for i in range(10)})
_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي",
    "ؤ": "و",
    "ئ": "ي",
    "ة": "ه",
    "ک": "ك", "ی": "ي",
}
_SPACES = {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u3000": " "}
_PUNCT = {"٫": ".", "٬": ",", "،": "،"}


def _fold_char(ch: str, letters: bool) -> str:
    if ch in DIACRITICS or ch in INVISIBLE:
        return ""
    if ch in _DIGITS:
        return _DIGITS[ch]
    if ch in _SPACES:
        return " "
    if ch in _PUNCT:
        return _PUNCT[ch]
    code = ord(ch)
    if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        # Presentation forms (ligatures included) decompose to plain letters; a few code
        # points there (U+FE73, unassigned ones) have no decomposition and stay as they are.
        decomposed = unicodedata.normalize("NFKC", ch)
        if decomposed != ch:
            return "".join(_fold_char(c, letters) for c in decomposed)
    if letters and ch in _LETTERS:
        return _LETTERS[ch]
    return ch


@dataclass(frozen=True)
class Normalized:
    """A normalized copy of a text with a map back to the original.

    Attributes:
        text: The normalized text.
        offsets: ``offsets[i]`` is the index in the original of normalized character
            ``i``; it has one extra entry, the original length, for end offsets.
        original: The original text.
    """

    text: str
    offsets: tuple[int, ...]
    original: str

    def start(self, i: int) -> int:
        """Original index of normalized index ``i`` used as a span start."""
        return self.offsets[i]

    def end(self, j: int) -> int:
        """Original index one past normalized character ``j - 1`` (a span end)."""
        if j <= 0:
            return self.offsets[0] if self.offsets else 0
        return self.offsets[j - 1] + 1

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Maps the normalized range ``[i, j)`` to the original ``[start, end)``.

        The end extends over characters the normalization dropped *inside* the last
        character (a shadda after the last letter stays in the span), so the original
        slice reads naturally.
        """
        if i >= j:
            pos = self.offsets[i] if i < len(self.offsets) else len(self.original)
            return pos, pos
        start = self.offsets[i]
        end = self.end(j)
        # Keep diacritics and tatweel glued to the last letter inside the span.
        while end < len(self.original) and self.original[end] in DIACRITICS:
            end += 1
        return start, end


def normalize(text: str, letters: bool = True) -> Normalized:
    """Normalizes ``text`` for matching and keeps the map to the original offsets.

    Drops diacritics, tatweel and invisible bidi/zero-width characters; maps
    Arabic-Indic and Persian digits to ASCII, ``٫``/``٬`` to ``.``/``,``, exotic spaces to
    a space, presentation forms to plain letters, and (with ``letters``) folds أ إ آ ٱ → ا,
    ى → ي, ؤ → و, ئ → ي, ة → ه.

    Args:
        text: The user's text (not modified).
        letters: Also fold letter variants.

    Returns:
        A :class:`Normalized` copy.
    """
    table, odd = _table(letters)
    folded = text.translate(table)
    # Most characters fold to exactly one character: only the others (dropped marks,
    # decomposed ligatures) break the identity map, and a regex finds them in C.
    offsets: list[int] = []
    pos = 0
    for m in odd.finditer(text):
        i = m.start()
        offsets.extend(range(pos, i))
        offsets.extend([i] * len(table[ord(m.group())]))
        pos = i + 1
    offsets.extend(range(pos, len(text) + 1))
    return Normalized(folded, tuple(offsets), text)


@lru_cache(maxsize=2)
def _table(letters: bool) -> tuple[dict[int, str], re.Pattern[str]]:
    """``str.translate`` table of :func:`_fold_char` and a regex of the characters that
    do not fold to exactly one character."""
    chars = set(DIACRITICS) | set(INVISIBLE) | set(_DIGITS) | set(_SPACES) | set(_PUNCT) | set(_LETTERS)
    chars.update(chr(c) for c in range(0xFB50, 0xFE00))
    chars.update(chr(c) for c in range(0xFE70, 0xFF00))
    table = {ord(ch): _fold_char(ch, letters) for ch in chars}
    table = {code: out for code, out in table.items() if out != chr(code)}
    odd = sorted(chr(code) for code, out in table.items() if len(out) != 1)
    return table, re.compile("[" + "".join(re.escape(ch) for ch in odd) + "]")


def fold(text: str, letters: bool = True) -> str:
    """The normalized string alone (for lexicon entries and comparisons).

    Example:
        >>> fold("مُردفاً")
        'مردفا'
    """
    return text.translate(_table(letters)[0])
