"""Normalization on a mapped copy: the map always points back into the user's string."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from arquote.normalize import _fold_char, fold, normalize


def test_folds_marks_digits_and_letters():
    text = "قالَ إنّ ٤٨ هجوماً"
    n = normalize(text)
    assert n.text == "قال ان 48 هجوما"
    start = n.text.index("48")
    assert n.span(start, start + 2) == (text.index("٤٨"), text.index("٤٨") + 2)
    assert fold("مُردفاً") == "مردفا"


def test_span_end_keeps_trailing_diacritics_inside():
    text = "أكّدَ الوزيرُ"
    n = normalize(text)
    s, e = n.span(0, n.text.index(" "))
    assert text[s:e] == "أكّدَ"


def test_presentation_forms_fold_without_recursion():
    # U+FE73 has no decomposition; U+FEFB is the lam-alef ligature.
    assert fold("\ufe73") == "\ufe73"
    assert fold("\ufefb") == "لا"
    for code in list(range(0xFB50, 0xFE00)) + list(range(0xFE70, 0xFF00)):
        fold(chr(code))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_offsets_map_every_character_back(text):
    n = normalize(text)
    assert len(n.offsets) == len(n.text) + 1
    for i in range(len(n.text)):
        s, e = n.span(i, i + 1)
        assert 0 <= s < e <= len(text)
    assert list(n.offsets) == sorted(n.offsets)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    [chr(c) for c in range(0x0600, 0x0700)] + ["\ufefb", "\ufdf2", "\ufe73", "\u200f", "\u00a0", "a", " ", "7"])))
def test_fast_fold_matches_the_per_character_definition(text):
    # normalize() folds through a translate table; _fold_char is the rule it must follow.
    for letters in (True, False):
        n = normalize(text, letters)
        pieces = [_fold_char(ch, letters) for ch in text]
        assert n.text == "".join(pieces) == fold(text, letters)
        assert list(n.offsets) == [i for i, p in enumerate(pieces) for _ in p] + [len(text)]
