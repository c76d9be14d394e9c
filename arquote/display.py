"""HTML rendering of results for Jupyter and the browser.

:func:`render` draws a document (or many) the way a reader checks a result: the article
right to left, each quote highlighted in its speaker's colour with the speaker named, cue
words underlined, numeric claims boxed with their normalized value on hover, and a legend.
:func:`compare` draws a gold and a predicted document side by side and outlines the spans
that one side has and the other lacks.

Both return :class:`RenderedHTML`, a ``str`` that Jupyter displays as HTML. Every piece of
the user's text is escaped, and the text content of the article is the user's string
unchanged (speaker badges are drawn by CSS, not inserted into the text), so what you copy
from the page is what was analysed.

Example:
    >>> from arquote.document import Document, Quote, Span, Speaker
    >>> t = "قال الوزير إن الوضع مستقر"
    >>> who = Speaker("الوزير", (Span.of(t, 4, 10, "SPEAKER"),))
    >>> doc = Document(t, (Quote(Span.of(t, 14, len(t), "QUOTE"), "indirect", who),), (who,))
    >>> html = render(doc)
    >>> 'dir="rtl"' in html and 'data-speaker="الوزير"' in html
    True
"""

from __future__ import annotations

import colorsys
import dataclasses
import html as _html
from dataclasses import dataclass
from typing import Iterable, Sequence

from .document import Document, NumericClaim, Span, Speaker

__all__ = ["RenderedHTML", "render", "compare", "PALETTE", "FONT_STACK"]

#: Speaker colours, in order of first appearance (Tableau 10: distinct, colour-blind aware).
PALETTE: tuple[str, ...] = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)
#: The colour of quotes whose speaker is unknown.
UNKNOWN_COLOR = "#7f7f7f"
#: Fonts tried in order; each has Arabic glyphs (DejaVu Sans is on most Linux machines).
FONT_STACK = (
    "'Noto Naskh Arabic', 'Noto Sans Arabic', 'Amiri', 'Scheherazade New', 'Geeza Pro', "
    "'Segoe UI', Tahoma, 'Arial', 'DejaVu Sans', sans-serif"
)

_UNKNOWN_NAME = "؟"
# Outer marks open first where spans start together, so a quote wraps its numbers.
_PRIORITY = {"QUOTE": 0, "SPEAKER": 1, "CUE": 2, "NUM": 3}

_CSS = f"""
.aq-root {{ font-family: {FONT_STACK}; color: #1a1a1a; }}
.aq-doc {{ direction: rtl; text-align: right; background: #ffffff; border: 1px solid #d0d0d0;
  border-radius: 6px; padding: 10px 14px; margin: 8px 0; }}
.aq-head {{ font-size: 13px; color: #555; margin-bottom: 6px; }}
.aq-head b {{ color: #1a1a1a; }}
.aq-legend {{ display: flex; flex-wrap: wrap; gap: 6px 10px; font-size: 13px; margin-bottom: 8px;
  padding-bottom: 6px; border-bottom: 1px solid #eee; }}
.aq-key {{ white-space: nowrap; }}
.aq-swatch {{ display: inline-block; width: 0.9em; height: 0.9em; border-radius: 2px;
  vertical-align: middle; margin-inline-end: 3px; }}
.aq-text {{ white-space: pre-wrap; font-size: 16px; line-height: 2; unicode-bidi: plaintext; }}
.aq-quote {{ border-radius: 3px; padding: 1px 0; box-decoration-break: clone;
  -webkit-box-decoration-break: clone; }}
.aq-quote.aq-indirect {{ border-bottom: 2px dashed var(--aq-c, {UNKNOWN_COLOR}); }}
.aq-quote[data-who]::before {{ content: attr(data-who); font-size: 12px; font-weight: bold;
  color: var(--aq-ink, #fff); background: var(--aq-c); border-radius: 8px; padding: 0 6px;
  margin-inline-end: 4px; display: inline-block; line-height: 1.5; white-space: nowrap; }}
.aq-speaker {{ font-weight: bold; border-radius: 3px; padding: 1px 2px; }}
.aq-cue {{ text-decoration: underline; text-decoration-thickness: 2px;
  text-underline-offset: 5px; }}
.aq-num {{ border: 1.5px solid #333; border-radius: 4px; padding: 0 2px; cursor: help; }}
.aq-miss, .aq-extra {{ outline: 2px dashed #d62728; outline-offset: 1px; }}
.aq-compare {{ display: grid; grid-template-columns: 1fr 1fr; gap: 10px; direction: rtl; }}
.aq-pane-title {{ font-size: 13px; font-weight: bold; margin-bottom: 4px; }}
.aq-note {{ font-size: 13px; color: #555; }}
.aq-en {{ color: #666; font-size: 12px; }}
"""

_KIND_NAMES = {"direct": "اقتباس مباشر · direct quote", "indirect": "اقتباس غير مباشر · indirect quote"}
_BOUND_SIGNS = {"=": "", "~": "≈", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}


class RenderedHTML(str):
    """An HTML fragment: a ``str`` that Jupyter displays rendered.

    Write it to a file, or embed it in a page, like any string.
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    label: str
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str], ...] = ()
    style: str = ""
    badge: str | None = None  # drawn by CSS on the first fragment only
    uid: int = 0

    def open_tag(self, first: bool) -> str:
        attrs = [("class", " ".join(self.classes)), ("data-label", self.label), ("data-id", str(self.uid)),
                 *self.attrs]
        if self.style:
            attrs.append(("style", self.style))
        if first and self.badge is not None:
            attrs.append(("data-who", self.badge))
        if not first:
            attrs.append(("data-cont", "1"))
        return "<span " + " ".join(f'{k}="{_attr(v)}"' for k, v in attrs) + ">"


def _attr(value: str) -> str:
    return _html.escape(value, quote=True)


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _ink(hex_color: str) -> str:
    """Badge text colour: dark on light colours, white on dark ones (readable either way)."""
    r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#1a1a1a" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 else "#ffffff"


def _color(index: int) -> str:
    if index < len(PALETTE):
        return PALETTE[index]
    # Beyond the palette, hues spread by the golden angle stay distinguishable.
    hue = (index * 0.381966) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.55, 0.55)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _speaker_colors(doc: Document) -> dict[Speaker, str]:
    """Colours by first appearance in the text (a mention or a quote), stable per document."""
    first: dict[Speaker, int] = {}
    for s in doc.speakers:
        positions = [m.start for m in s.mentions]
        positions += [q.content.start for q in doc.quotes if q.speaker is s or q.speaker == s]
        first[s] = min(positions) if positions else len(doc.text)
    order = sorted(doc.speakers, key=lambda s: (first[s], s.name))
    return {s: _color(i) for i, s in enumerate(order)}


def _format_value(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"


def claim_title(claim: NumericClaim) -> str:
    """The hover text of a numeric claim: its normalized value, unit and claimant.

    Example:
        >>> t = "نفذ التنظيم نحو 48 هجوماً"
        >>> c = NumericClaim(Span.of(t, 12, len(t), "NUM"), 48.0, "هجوم", approx=True)
        >>> claim_title(c)
        '≈48 هجوم'
    """
    if claim.value is None:
        head = "vague · غير محدد" if claim.vague else "value unknown · قيمة غير معروفة"
    else:
        sign = _BOUND_SIGNS.get(claim.bound or "", "") if claim.bound else ("≈" if claim.approx else "")
        head = sign + _format_value(claim.value)
    parts = [head]
    if claim.unit:
        parts.append(claim.unit)
    if claim.currency:
        parts.append(f"({claim.currency})")
    if claim.kind:
        parts.append(f"[{claim.kind}]")
    if claim.claimant is not None:
        parts.append(f"— {claim.claimant.name}")
    return " ".join(parts)


def _marks(doc: Document, flags: dict[tuple[str, int, int], str] | None = None) -> list[_Mark]:
    """Every span of ``doc`` as a mark to draw; ``flags`` adds a class per (label, start, end)."""
    colors = _speaker_colors(doc)
    flags = flags or {}
    cue_color: dict[tuple[int, int], str] = {}
    for q in doc.quotes:
        if q.cue is not None:
            cue_color.setdefault((q.cue.start, q.cue.end),
                                 colors.get(q.speaker, UNKNOWN_COLOR) if q.speaker else UNKNOWN_COLOR)

    def extra(span: Span) -> tuple[str, ...]:
        flag = flags.get((span.label, span.start, span.end))
        return (flag,) if flag else ()

    marks: list[_Mark] = []
    for q in doc.quotes:
        color = colors.get(q.speaker, UNKNOWN_COLOR) if q.speaker else UNKNOWN_COLOR
        name = q.speaker.name if q.speaker else _UNKNOWN_NAME
        alpha = 0.24 if q.kind == "direct" else 0.13
        title = f"{_KIND_NAMES[q.kind]} — {name}"
        if q.cue is not None:
            title += f" ({q.cue.text})"
        if q.score is not None:
            title += f" · {q.score:.2f}"
        marks.append(_Mark(
            q.content.start, q.content.end, "QUOTE", ("aq-quote", f"aq-{q.kind}", *extra(q.content)),
            (("data-kind", q.kind), ("data-speaker", name), ("data-start", str(q.content.start)),
             ("data-end", str(q.content.end)), ("title", title)),
            f"--aq-c: {color}; --aq-ink: {_ink(color)}; background: {_rgba(color, alpha)};",
            badge=name,
        ))
    for s in doc.speakers:
        color = colors[s]
        for m in s.mentions:
            marks.append(_Mark(
                m.start, m.end, "SPEAKER", ("aq-speaker", *extra(m)),
                (("data-speaker", s.name), ("data-start", str(m.start)), ("data-end", str(m.end)),
                 ("title", f"متحدث · speaker: {s.name}")),
                f"background: {_rgba(color, 0.45)}; border-bottom: 2px solid {color};",
            ))
    for c in doc.cues:
        color = cue_color.get((c.start, c.end), "#333333")
        marks.append(_Mark(
            c.start, c.end, "CUE", ("aq-cue", *extra(c)),
            (("data-start", str(c.start)), ("data-end", str(c.end)), ("title", "فعل القول · cue")),
            f"text-decoration-color: {color};",
        ))
    for claim in doc.claims:
        attrs = [("data-start", str(claim.span.start)), ("data-end", str(claim.span.end)),
                 ("title", claim_title(claim))]
        attrs.append(("data-value", "" if claim.value is None else repr(float(claim.value))))
        if claim.unit is not None:
            attrs.append(("data-unit", claim.unit))
        marks.append(_Mark(claim.span.start, claim.span.end, "NUM", ("aq-num", *extra(claim.span)),
                           tuple(attrs)))
    marks = [m for m in marks if m.end > m.start]  # an empty span has nothing to draw
    marks.sort(key=lambda m: (m.start, -m.end, _PRIORITY.get(m.label, 9)))
    return [dataclasses.replace(m, uid=i) for i, m in enumerate(marks)]


def _body(text: str, marks: Sequence[_Mark]) -> str:
    """The text with the marks as nested ``<span>`` elements.

    Marks that cross (neither contains the other) are split where they cross, so the
    HTML stays well formed; the fragments share ``data-id`` and only the first has the
    speaker badge.
    """
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    stack: list[_Mark] = []
    opened: set[int] = set()
    out: list[str] = []
    ordered = sorted(marks, key=lambda m: m.uid)  # by start, outer first
    live: list[_Mark] = []
    k = 0
    for a, b in zip(cuts, cuts[1:]):
        # Cuts include every end, so a mark live at a covers all of [a, b).
        while k < len(ordered) and ordered[k].start <= a:
            live.append(ordered[k])
            k += 1
        live = [m for m in live if m.end > a]
        active = live
        live_ids = {m.uid for m in active}
        keep = 0
        while keep < len(stack) and stack[keep].uid in live_ids:
            keep += 1
        reopen = [m for m in stack[keep:] if m.uid in live_ids]
        for _ in stack[keep:]:
            out.append("</span>")
        del stack[keep:]
        placed = {m.uid for m in stack} | {m.uid for m in reopen}
        fresh = [m for m in active if m.uid not in placed]
        for m in reopen + fresh:
            out.append(m.open_tag(first=m.uid not in opened))
            opened.add(m.uid)
            stack.append(m)
        out.append(_html.escape(text[a:b], quote=False))
    out.extend("</span>" for _ in stack)
    return "".join(out)


def _legend(doc: Document, compare_side: str | None = None) -> str:
    colors = _speaker_colors(doc)
    said: dict[Speaker, int] = {s: 0 for s in doc.speakers}
    for q in doc.quotes:
        if q.speaker is not None and q.speaker in said:
            said[q.speaker] += 1
    keys = []
    for s, color in colors.items():
        keys.append(
            f'<span class="aq-key" data-speaker="{_attr(s.name)}"><span class="aq-swatch" '
            f'style="background: {color}"></span>{_html.escape(s.name)} ({said[s]})</span>'
        )
    if any(q.speaker is None for q in doc.quotes):
        keys.append(f'<span class="aq-key"><span class="aq-swatch" style="background: {UNKNOWN_COLOR}">'
                    f'</span>{_UNKNOWN_NAME} متحدث غير معروف <bdi class="aq-en">unknown speaker</bdi></span>')
    grey = UNKNOWN_COLOR
    samples = [
        (f'<span class="aq-quote aq-direct" style="background: {_rgba(grey, .24)}">«…»</span>',
         "اقتباس مباشر", "direct quote"),
        (f'<span class="aq-quote aq-indirect" style="--aq-c: {grey}; background: {_rgba(grey, .13)}">أن …</span>',
         "اقتباس غير مباشر", "indirect quote"),
        ('<span class="aq-cue">قال</span>', "فعل القول", "cue"),
        ('<span class="aq-num">48</span>', "رقم", "number: value on hover"),
    ]
    if compare_side == "gold":
        samples.append(('<span class="aq-miss">…</span>', "فاته التنبؤ", "missed by the prediction"))
    elif compare_side == "pred":
        samples.append(('<span class="aq-extra">…</span>', "ليس في المرجع", "not in gold"))
    keys += [f'<span class="aq-key">{sample} {ar} <bdi class="aq-en">{en}</bdi></span>'
             for sample, ar, en in samples]
    return '<div class="aq-legend">' + "".join(keys) + "</div>"


def _head(doc: Document, label: str | None, note: str = "") -> str:
    parts = []
    if label:
        parts.append(f"<b>{_html.escape(label)}</b>")
    if doc.id is not None:
        parts.append(f"<b>{_html.escape(doc.id)}</b>")
    parts.append(f"{len(doc.quotes)} quotes · {len(doc.speakers)} speakers · "
                 f"{len(doc.claims)} numbers · {len(doc.cues)} cues")
    if note:
        parts.append(_html.escape(note))
    return '<div class="aq-head" dir="auto">' + " · ".join(parts) + "</div>"


def _doc_html(doc: Document, flags: dict[tuple[str, int, int], str] | None = None,
              label: str | None = None, note: str = "", compare_side: str | None = None) -> str:
    ident = f' data-doc-id="{_attr(doc.id)}"' if doc.id is not None else ""
    return (
        f'<div class="aq-doc" dir="rtl" lang="ar"{ident}>'
        + _head(doc, label, note)
        + _legend(doc, compare_side)
        + f'<div class="aq-text">{_body(doc.text, _marks(doc, flags))}</div>'
        + "</div>"
    )


def _documents(docs: Document | Iterable[Document], caller: str) -> list[Document]:
    if isinstance(docs, Document):
        return [docs]
    if isinstance(docs, (str, bytes)) or not isinstance(docs, Iterable):
        hint = " (run an extractor first: render(ext(text)))" if isinstance(docs, str) else ""
        raise TypeError(f"{caller}() takes a Document or an iterable of Documents, "
                        f"got {type(docs).__name__}{hint}")
    out = list(docs)
    for i, d in enumerate(out):
        if not isinstance(d, Document):
            raise TypeError(f"{caller}(): item {i} is a {type(d).__name__}, not a Document")
    return out


def _wrap(parts: list[str]) -> RenderedHTML:
    return RenderedHTML(f'<div class="aq-root"><style>{_CSS}</style>' + "".join(parts) + "</div>")


def render(docs: Document | Iterable[Document], *, max_docs: int | None = 50) -> RenderedHTML:
    """Draws documents as HTML: quotes, speakers, cues and numbers highlighted.

    Each quote is shaded in its speaker's colour (a dashed underline marks an indirect
    quote) and starts with a badge naming the speaker; speaker mentions are bold in the
    same colour, cue words underlined, numeric claims boxed with the normalized value in
    the ``title`` (shown on hover). A legend lists the speakers with their quote counts.
    The text is escaped: HTML in an article is shown as text, never run.

    Args:
        docs: A :class:`~arquote.document.Document` or an iterable of them (a list, the
            generator of ``ext.pipe(texts)``).
        max_docs: Draw at most this many documents (a browser chokes on thousands) and
            say how many were left out; ``None`` draws all.

    Returns:
        A :class:`RenderedHTML` string (Jupyter shows it rendered).

    Raises:
        TypeError: when ``docs`` is not a Document or an iterable of Documents.

    Example:
        >>> from arquote.document import Document
        >>> html = render(Document("قال الوزير <b>إن</b> الوضع مستقر"))
        >>> "&lt;b&gt;" in html and "<b>إن" not in html
        True
    """
    if max_docs is not None and (not isinstance(max_docs, int) or max_docs < 0):
        raise ValueError(f"max_docs must be a non-negative int or None, got {max_docs!r}")
    documents = _documents(docs, "render")
    shown = documents if max_docs is None else documents[:max_docs]
    parts = [_doc_html(d) for d in shown]
    if len(shown) < len(documents):
        left = len(documents) - len(shown)
        parts.append(f'<div class="aq-note">… {left} more documents not shown '
                     f"(render(docs, max_docs=None) draws all)</div>")
    return _wrap(parts)


def _flags(mine: Document, other: Document, flag: str) -> dict[tuple[str, int, int], str]:
    """``flag`` for each span of ``mine`` with no span of the same label and offsets in ``other``."""
    theirs = {(s.label, s.start, s.end) for s in other.spans}
    return {(s.label, s.start, s.end): flag for s in mine.spans if (s.label, s.start, s.end) not in theirs}


def compare(
    gold: Document | Sequence[Document],
    pred: Document | Sequence[Document],
    *,
    titles: tuple[str, str] = ("gold · المرجع", "predicted · التنبؤ"),
    max_docs: int | None = 20,
) -> RenderedHTML:
    """Draws gold and predicted documents side by side, outlining the differences.

    A gold span with no predicted span of the same label and offsets (a miss) and a
    predicted span with no such gold span (a false alarm) get a red dashed outline;
    each pane's header counts them.

    Args:
        gold: A gold document, or a sequence of them.
        pred: The predicted document(s), paired with ``gold`` by position.
        titles: The pane titles (gold first; in right-to-left layout gold is on the right).
        max_docs: Draw at most this many pairs; ``None`` draws all.

    Raises:
        TypeError: when an argument is not a Document or a sequence of them.
        ValueError: when the two sides differ in length or a pair differs in text.

    Example:
        >>> from arquote.document import Document
        >>> t = "قال الوزير إن الوضع مستقر"
        >>> "aq-compare" in compare(Document(t), Document(t))
        True
    """
    golds, preds = _documents(gold, "compare"), _documents(pred, "compare")
    if len(golds) != len(preds):
        raise ValueError(f"compare() needs one prediction per gold document, got {len(golds)} gold "
                         f"and {len(preds)} predicted")
    for i, (g, p) in enumerate(zip(golds, preds)):
        if g.text != p.text:
            name = g.id if g.id is not None else f"#{i}"
            raise ValueError(f"compare(): gold and predicted document {name} have different texts; "
                             "pair each prediction with the gold document it was extracted from")
    pairs = list(zip(golds, preds))
    shown = pairs if max_docs is None else pairs[:max_docs]
    parts = []
    for g, p in shown:
        missed, extra = _flags(g, p, "aq-miss"), _flags(p, g, "aq-extra")
        ident = f' data-doc-id="{_attr(g.id)}"' if g.id is not None else ""
        parts.append(
            f'<div class="aq-compare"{ident}>'
            f'<div class="aq-pane" data-side="gold">'
            + _doc_html(g, missed, titles[0], f"{len(missed)} missed", "gold")
            + '</div><div class="aq-pane" data-side="pred">'
            + _doc_html(p, extra, titles[1], f"{len(extra)} not in gold", "pred")
            + "</div></div>"
        )
    if len(shown) < len(pairs):
        parts.append(f'<div class="aq-note">… {len(pairs) - len(shown)} more pairs not shown</div>')
    return _wrap(parts)
