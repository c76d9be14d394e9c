"""Helpers of the reliability tests: adversarial text strategies and the offset checker.

A plain module (not a conftest) so that test files import its functions explicitly.
"""

from __future__ import annotations

import unicodedata

#: News-style sentences written for the tests (cues, speakers, direct and indirect quotes,
#: numbers). Not taken from any corpus.
NEWS = (
    "وقال وزير الصحة إن «المستشفيات استقبلت 48 مصاباً منذ الصباح».",
    "وأكدت المتحدثة باسم الأمم المتحدة أن الوضع الإنساني في المدينة يتدهور بسرعة.",
    "وأضاف المحافظ: \"سنعيد فتح الطريق خلال 3 أيام\".",
    "قال رئيس الوزراء “محمد علي” إن الحكومة خصصت 2.5 مليار دولار لإعادة الإعمار.",
    "وأوضح البيان أن نحو 1200 شخص نزحوا من القرى الحدودية الأسبوع الماضي.",
    "«لن نقبل بأي تسوية» قال المتحدث، مشيراً إلى أن المفاوضات ستستمر.",
    "وتابع أن أسعار الخبز ارتفعت بنسبة 30% خلال شهرين.",
)

# Each Arabic letter's presentation forms (isolated, initial, medial, final, ligatures).
PRESENTATION_FORMS: dict[str, list[str]] = {}
for _cp in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
    _dec = unicodedata.decomposition(chr(_cp)).split()
    if len(_dec) == 2 and _dec[0].startswith("<"):
        PRESENTATION_FORMS.setdefault(chr(int(_dec[1], 16)), []).append(chr(_cp))

#: What real scraped Arabic carries: diacritics, tatweel, zero-width (non-)joiners,
#: direction marks, no-break spaces, a BOM, emoji (with modifier and flag), CRLF, NUL,
#: lone surrogates (from broken decoding), stray quotation marks and punctuation.
NOISE = (
    "\u064b", "\u064e", "\u0650", "\u0651", "\u0652", "\u0670", "\u0640", "\u0640\u0640",
    "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u00a0", "\u202f", "\ufeff",
    "\U0001F600", "\U0001F44D\U0001F3FD", "\U0001F1F8\U0001F1E6", "\r\n", "\r", "\x00",
    "\ud800", "\udfff", "«", "»", "“", "”", "\"", "'", "\n", "\t", "  ", ".", "،", "؟", "¹", "²",
)
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def check_offsets(doc, text: str) -> None:
    """Every span of ``doc`` (quotes, their cues and speakers, speaker mentions, cues,
    claims and their number sub-spans) lies in ``text`` and says what ``text`` says there."""
    assert doc.text == text
    n = len(text)

    def ok(span, where: str) -> None:
        assert 0 <= span.start <= span.end <= n, (where, span)
        assert span.text == text[span.start:span.end], (where, span)

    for span in doc.spans:  # quote contents, speaker mentions, cues, claim spans
        ok(span, "spans")
    # Everything a result points to is one of the document's own objects, checked above.
    for quote in doc.quotes:
        assert quote.cue is None or quote.cue in doc.cues, quote
        assert quote.speaker is None or quote.speaker in doc.speakers, quote
    for claim in doc.claims:
        if claim.number is not None:
            ok(claim.number, "claim.number")
            assert claim.span.contains(claim.number)
        assert claim.claimant is None or claim.claimant in doc.speakers, claim
        assert claim.quote is None or claim.quote in doc.quotes, claim


def strategies():
    """``(noisy_arabic, any_unicode)`` hypothesis strategies (built lazily: hypothesis is
    a test dependency only)."""
    from hypothesis import strategies as st

    @st.composite
    def noisy_arabic(draw, sentences=NEWS):
        text = " ".join(draw(st.lists(st.sampled_from(sentences), min_size=1, max_size=3)))
        if draw(st.booleans()):
            text = text.translate(draw(st.sampled_from([ARABIC_INDIC, PERSIAN])))
        chars = list(text)
        for _ in range(draw(st.integers(0, 12))):
            i = draw(st.integers(0, len(chars)))
            op = draw(st.sampled_from(["insert", "insert", "present", "delete", "any"]))
            if op == "insert":
                chars.insert(i, draw(st.sampled_from(NOISE)))
            elif op == "present" and i < len(chars) and chars[i] in PRESENTATION_FORMS:
                chars[i] = draw(st.sampled_from(PRESENTATION_FORMS[chars[i]]))
            elif op == "delete" and i < len(chars):
                del chars[i]
            elif op == "any":
                chars.insert(i, draw(st.characters(codec=None, exclude_categories=())))
        return "".join(chars)

    pieces = st.one_of(
        st.characters(codec=None, exclude_categories=()),  # every code point but surrogates
        st.characters(categories=["Cs"]),  # lone surrogates
        st.sampled_from(NOISE + tuple("« » قال إن أن 12 3.5 ١٢".split(" "))),
    )
    any_unicode = st.lists(pieces, max_size=120).map("".join)
    return noisy_arabic, any_unicode
