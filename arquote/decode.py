"""From word label probabilities to spans: deterministic, constrained BIO decoding.

Pure functions over NumPy arrays, testable without a model. For each label layer the
probabilities of the combined labels are summed into that layer's tags, and a Viterbi pass
picks the best tag sequence that is valid BIO (``I-X`` only after ``B-X`` or ``I-X``).
Ties break the same way every run, so the same probabilities always give the same spans.

Example:
    >>> import numpy as np
    >>> from arquote.encode import DEFAULT_SCHEME as S, split_words
    >>> text = "نفذ التنظيم 48 هجوماً"
    >>> words = split_words(text)
    >>> probs = np.zeros((4, len(S.labels)))
    >>> for w, lab in enumerate(["O", "O", "B-NUM", "I-NUM"]):
    ...     probs[w, S.label2id[lab]] = 1.0
    >>> [s.text for s in decode_spans(text, words, probs)]
    ['48 هجوماً']
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Sequence

import numpy as np

from .document import Span
from .encode import DEFAULT_SCHEME, LabelScheme
from .link import CLOSE_MARKS, OPEN_MARKS, pair_same_marks
from .normalize import INVISIBLE

__all__ = ["layer_marginals", "viterbi_bio", "fill_missing", "mix_prior", "decode_spans", "tidy_spans",
           "snap_spans"]


def _continuation_map(scheme: LabelScheme) -> np.ndarray:
    """For each label id, the id with every layer's ``B-X`` turned into ``I-X``."""
    out = np.arange(len(scheme.labels))
    for label_id in range(len(scheme.labels)):
        per_layer = []
        for index, tags in zip(scheme.combo(label_id), scheme.layer_tags):
            tag = tags[index]
            per_layer.append(tags.index("I-" + tag[2:]) if tag.startswith("B-") else index)
        out[label_id] = scheme.label_id(per_layer)
    return out


def fill_missing(probs: np.ndarray, scheme: LabelScheme = DEFAULT_SCHEME) -> np.ndarray:
    """Gives words that had no word pieces (rows of NaN) a distribution.

    Such a word cannot start a span: it continues whatever the word before it is in (its
    ``B-`` mass moves to ``I-``), so it lies inside a span exactly when it stands between
    words of that span, and is never dropped. Before the first scored word it is ``O``.
    """
    probs = np.array(probs, dtype=np.float64, copy=True)
    missing = np.isnan(probs).any(axis=1)
    if not missing.any():
        return probs
    if missing.all():
        probs[:] = 0.0
        probs[:, 0] = 1.0
        return probs
    cont = _continuation_map(scheme)
    first_scored = int(np.flatnonzero(~missing)[0])
    for i in np.flatnonzero(missing):
        if i < first_scored:  # nothing before it to continue
            probs[i] = 0.0
            probs[i, 0] = 1.0
            continue
        row = np.zeros(probs.shape[1])
        np.add.at(row, cont, probs[i - 1])
        probs[i] = row
    return probs


def mix_prior(
    probs: np.ndarray, prior: Sequence[int], weight: float, scheme: LabelScheme = DEFAULT_SCHEME,
    outside_weight: float | None = None,
) -> np.ndarray:
    """Mixes the model's word probabilities with a prior labelling (the rule engine's).

    ``(1 - w) * probs + w * onehot(prior)``: with a weight below 0.5 the model still decides
    wherever it is confident, and the prior settles the words it is unsure about. ``w`` is
    ``weight`` on words the prior puts in a span and ``outside_weight`` (default: ``weight``)
    on words it leaves outside every span: the rule engine is surer of what it finds than of
    what it does not, so a lower weight there lets the model add spans the rules miss. Rows
    of NaN (words without pieces) stay NaN for :func:`fill_missing`.

    Example:
        >>> import numpy as np
        >>> p = np.array([[0.4, 0.6] + [0.0] * (len(DEFAULT_SCHEME.labels) - 2)])
        >>> mix_prior(p, [0], 0.25)[0, :2].round(2).tolist()
        [0.55, 0.45]
    """
    outside = weight if outside_weight is None else outside_weight
    for w in (weight, outside):
        if not 0.0 <= w <= 1.0:
            raise ValueError(f"prior weight must be in [0, 1], got {w}")
    probs = np.asarray(probs, dtype=np.float64)
    if len(prior) != probs.shape[0]:
        raise ValueError(f"prior has {len(prior)} labels for {probs.shape[0]} words")
    labels = np.asarray(prior, dtype=np.int64)
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(labels)), labels] = 1.0
    w = np.where(labels == scheme.labels.index("O"), outside, weight)[:, None]
    return (1.0 - w) * probs + w * onehot


def layer_marginals(probs: np.ndarray, scheme: LabelScheme = DEFAULT_SCHEME) -> list[np.ndarray]:
    """Sums combined-label probabilities into one ``[n_words, n_tags]`` array per layer."""
    out = []
    combos = np.array([scheme.combo(i) for i in range(len(scheme.labels))])
    for layer, tags in enumerate(scheme.layer_tags):
        onehot = np.zeros((len(scheme.labels), len(tags)))
        onehot[np.arange(len(scheme.labels)), combos[:, layer]] = 1.0
        out.append(probs @ onehot)
    return out


@lru_cache(maxsize=64)
def _predecessors(tags: tuple[str, ...]) -> tuple[tuple[int, int] | None, ...]:
    """For each tag, the two tags allowed right before it (``B-X``, ``I-X`` in column order)
    when it is ``I-X``; ``None`` (any tag) otherwise."""
    out: list[tuple[int, int] | None] = []
    for tag in tags:
        if tag.startswith("I-"):
            label = tag[2:]
            allowed = [i for i, prev in enumerate(tags) if prev in (f"B-{label}", f"I-{label}")]
            if len(allowed) != 2:
                raise ValueError(f"tag {tag!r} needs both B-{label} and I-{label} among {list(tags)}")
            out.append((allowed[0], allowed[1]))
        else:
            out.append(None)
    return tuple(out)


def viterbi_bio(marginals: np.ndarray, tags: Sequence[str]) -> list[int]:
    """The most probable valid BIO tag sequence (``I-X`` only after ``B-X`` or ``I-X``).

    Args:
        marginals: ``[n_words, n_tags]`` probabilities.
        tags: The tag names (``O``, ``B-X``, ``I-X`` …) in column order.

    Returns:
        One tag index per word; ties go to the lower tag index.

    Example:
        >>> viterbi_bio(np.array([[0.4, 0.1, 0.5], [0.1, 0.1, 0.8]]), ["O", "B-QUOTE", "I-QUOTE"])
        [1, 2]
    """
    n = marginals.shape[0]
    if n == 0:
        return []
    # A handful of tags a step: plain Python floats beat numpy's per-call cost (4× here).
    logp = np.log(np.clip(marginals, 1e-12, None)).tolist()
    before = _predecessors(tuple(tags))
    score = [lp if before[j] is None else -math.inf for j, lp in enumerate(logp[0])]
    back: list[list[int]] = []
    for row in logp[1:]:
        best = score.index(max(score))  # the first of equal scores, as numpy's argmax
        ptr = [best if b is None else b[0] if score[b[0]] >= score[b[1]] else b[1] for b in before]
        score = [score[p] + lp for p, lp in zip(ptr, row)]
        back.append(ptr)
    path = [score.index(max(score))]
    for ptr in reversed(back):
        path.append(ptr[path[-1]])
    return path[::-1]


def decode_spans(
    text: str,
    words: Sequence[tuple[int, int]],
    probs: np.ndarray,
    scheme: LabelScheme = DEFAULT_SCHEME,
) -> list[Span]:
    """Spans of all layers from per-word label probabilities.

    Args:
        text: The user's text.
        words: The words' character ranges (:func:`arquote.encode.split_words`).
        probs: ``[len(words), len(scheme.labels)]`` probabilities; rows of NaN for words
            that had no word pieces.
        scheme: The label scheme of the model.

    Returns:
        Spans sorted by position; each ``score`` is the mean probability of its tags.
    """
    if len(words) == 0:
        return []
    if probs.shape != (len(words), len(scheme.labels)):
        raise ValueError(
            f"probs must have shape ({len(words)}, {len(scheme.labels)}), got {probs.shape}"
        )
    probs = fill_missing(probs, scheme)
    spans: list[Span] = []
    for marg, tags in zip(layer_marginals(probs, scheme), scheme.layer_tags):
        path = viterbi_bio(marg, tags)
        current: list[int] = []
        label = None

        def close() -> None:
            if current and label is not None:
                start, end = words[current[0]][0], words[current[-1]][1]
                score = float(np.mean([marg[w, path[w]] for w in current]))
                spans.append(Span(start, end, label, text[start:end], round(score, 4)))

        for w, tag_index in enumerate(path):
            tag = tags[tag_index]
            if tag.startswith("B-"):
                close()
                current, label = [w], tag[2:]
            elif tag.startswith("I-"):
                current.append(w)
            else:
                close()
                current, label = [], None
        close()
    return sorted(spans, key=lambda s: (s.start, -s.end, s.label))


_PAIRED = {"«": "»", "‹": "›"}  # other marks close with the same or the mirrored character
_END_PUNCT = ".،,;؛:"
_EDGE_JUNK = OPEN_MARKS + CLOSE_MARKS + _END_PUNCT + "#"


def _blank(ch: str) -> bool:
    """Whitespace or an invisible format character (RLM, LRM, ALM, ZWNJ, ZWJ, BOM …): never
    the first or last character of a span."""
    return ch.isspace() or ch in INVISIBLE


def _unmatched_close(inner: str, mark: str) -> bool:
    opener = {v: k for k, v in _PAIRED.items()}.get(mark)
    if opener:
        return opener not in inner
    return not any(c in inner for c in OPEN_MARKS if c not in _PAIRED)


def _unmatched_open(inner: str, mark: str) -> bool:
    closer = _PAIRED.get(mark)
    if closer:
        return closer not in inner
    return not any(c in inner for c in CLOSE_MARKS if c not in _PAIRED.values())


# Double quotation marks that Arabic news uses in either direction: what touches each one
# tells whether it opens or closes (_pair_same_marks), within a paragraph. Single marks are
# left out: ' and ’ are also apostrophes.
_SAME_MARKS = "\"“”„″"


def _mark_partners(text: str) -> dict[int, int]:
    """Each quotation mark's partner: «…» and ‹…› by nesting, the double marks of
    ``_SAME_MARKS`` by :func:`arquote.link.pair_same_marks`; a paragraph break leaves marks unpaired."""
    partners: dict[int, int] = {}
    stack: list[int] = []
    same: list[int] = []
    first = True
    for i, ch in enumerate(text):
        if ch == "\n":
            partners.update(pair_same_marks(text, same, first))
            stack, same, first = [], [], False
        elif ch in _PAIRED:
            stack.append(i)
        elif ch in _PAIRED.values():
            if stack and _PAIRED[text[stack[-1]]] == ch:
                j = stack.pop()
                partners[i], partners[j] = j, i
        elif ch in _SAME_MARKS:
            same.append(i)
    partners.update(pair_same_marks(text, same, first))
    return partners


def _colon_before(text: str, i: int) -> bool:
    k = i - 1
    while k >= 0 and _blank(text[k]):
        k -= 1
    return k >= 0 and text[k] == ":"


#: Harakat and tatweel, which may end a word (``أنَّ``).
_MARKS_AFTER_LETTER = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670\u0640"


def _after_complementizer(text: str, mark: int) -> bool:
    """Whether the word right before the mark at ``mark`` is a complementizer (أن، إنه، بأنها …).

    Only there can marks quote a phrase at the head of an indirect quote (ruling 28); after a
    cue, a colon or a name they open a direct quote (ruling 40)."""
    from .cues import COMPLEMENTIZERS, tokenize

    k = mark - 1
    while k >= 0 and _blank(text[k]):
        k -= 1
    if k < 0 or not (text[k].isalnum() or text[k] in _MARKS_AFTER_LETTER):
        return False  # «قال: "…"»: a colon, a comma or the text's start before the mark
    words = tokenize(text[max(0, k - 24):k + 1])
    return words[-1].norm in COMPLEMENTIZERS


def _paired_by_position(mark: str) -> bool:
    """Marks that :func:`_mark_partners` pairs (the others, ' and ’, are also apostrophes)."""
    return mark in _PAIRED or mark in _PAIRED.values() or mark in _SAME_MARKS


def _quote_edges(text: str, start: int, end: int, partners: dict[int, int]) -> list[tuple[int, int]]:
    """A decoded quote's edges against the quotation marks in and around it (each a
    ``(start, end)``; one span may hold two quotes).

    * A span that takes in a pair of marks whole is their content (a direct quote, ruling 1).
    * An opening mark at the start whose partner is not in the span (none, or one after
      it), or a closing mark at the end whose partner is not in it, is left out.
    * When the mark that opens the span (its first character, or the first before it)
      closes inside it, the quote is either the «…» and the model ran on past it, or the
      marks quote a phrase at the head of an indirect quote (ruling 28). The «…» reading
      wins after a colon and where the closing mark ends the span; the head reading for a
      quoted name of three words or fewer (``إن «إيباك»، المناصرة …``, ``لشبكة "سي ان ان"
      التلفزيونية``) and, when no end punctuation follows the closing mark, after a
      complementizer (``أنه "لا شيء إجرامي" في …``: the span starts at the first mark).
      Otherwise the quote is the «…» (``«…»، مؤكداً``; after a cue or a name, ruling 40:
      ``وأوضح للصحفيين "لقد قلنا كل شيء…" في إشارة إلى …``).
    * A «…» cut that way may be followed, after a comma or two words, by a second «…» that
      ends the span (``أنه «…»، وأنك «…»``): that is a second quote.
    * A closing mark right after the span whose partner is inside it is taken in (``إن
      بلاده "حددت هوية …"``).
    """
    def partner(i: int) -> int | None:
        return partners.get(i) if _paired_by_position(text[i]) else None

    stop = end

    if end - start >= 2 and text[start] in OPEN_MARKS and text[end - 1] in CLOSE_MARKS:
        if _paired_by_position(text[start]) and _paired_by_position(text[end - 1]):
            whole = partners.get(start) == end - 1
        else:
            whole = _PAIRED.get(text[start]) == text[end - 1] or (
                text[start] not in _PAIRED and text[end - 1] not in _PAIRED.values())
        if whole:
            start, end = start + 1, end - 1
    if start < end and text[start] in OPEN_MARKS:
        p = partner(start)
        if (p is None or p >= end) if _paired_by_position(text[start]) \
                else _unmatched_open(text[start + 1:end], text[start]):
            start += 1
    if start < end and text[end - 1] in CLOSE_MARKS:
        p = partner(end - 1)
        if (p is None or p < start) if _paired_by_position(text[end - 1]) \
                else _unmatched_close(text[start:end - 1], text[end - 1]):
            end -= 1
    while start < end and _blank(text[start]):
        start += 1
    # the mark that opens the span: its first character, or the first one before it
    opener = start if start < end and text[start] in OPEN_MARKS else start - 1
    while opener == start - 1 and opener >= 0 and _blank(text[opener]):
        opener -= 1
    p = partner(opener) if opener >= 0 and text[opener] in OPEN_MARKS else None
    if p is not None and opener < p and start <= p < end:
        after = p + 1
        while after < end and _blank(text[after]):
            after += 1
        if after >= end or _colon_before(text, opener):
            start, end = opener + 1, p
        elif len(text[opener + 1:p].split()) <= 3 or (
                text[after] not in _END_PUNCT and _after_complementizer(text, opener)):
            start = opener  # «إن «إيباك»، المناصرة …», «أنه "لا شيء إجرامي" في …»
        else:
            start, end = opener + 1, p
    if end < stop:  # the span went on past a closing mark: a second «…» may follow
        nxt = _next_opener(text, end + 1, stop, partners)
        if nxt is not None:
            return [(start, end)] + _quote_edges(text, nxt, stop, partners)
    after = end
    while after < len(text) and _blank(text[after]):
        after += 1
    p = partner(after) if after < len(text) and text[after] in CLOSE_MARKS else None
    if p is not None and start < p < end:
        end = after + 1
    return [(start, end)]


def _next_opener(text: str, start: int, stop: int, partners: dict[int, int]) -> int | None:
    """An opening mark after at most two words and commas (``»، وأنك «``) whose partner
    ends the span ``[start, stop)`` or follows it."""
    for i in range(start, stop):
        if text[i] in OPEN_MARKS and _paired_by_position(text[i]):
            p = partners.get(i, -1)
            gap = re.sub(r"[،,\s]+", " ", text[start:i])
            after = stop
            while after < len(text) and _blank(text[after]):
                after += 1
            if p > i and stop - 1 <= p <= after and len(gap.split()) <= 2 and not re.search(r"[.:؛;!?؟]", gap):
                return i
            return None
    return None


def tidy_spans(text: str, spans: Sequence[Span]) -> list[Span]:
    """Puts decoded spans on the guideline's edges.

    Word-level tags cannot see the guideline's character rules, so the decoder may take in a
    quotation mark, the full stop after a quote, or cut one span in two where the model
    hesitates between ``B-`` and ``I-`` (``أحمدي`` | ``نجاد``). Here:

    * pieces of one label separated only by spaces are one span (no guideline case puts two
      quotes, two names or two numbers side by side with nothing between them), unless the
      second starts with the conjunction و (``علي لاريجاني وحسن روحاني``, ``3 قتلى و5 جرحى``);
      the joined score is the lower one;
    * names, cues and numbers lose quotation marks, ``#`` and end punctuation at their edges;

    * trailing ``. ، , ; ؛ :`` are left out, except a full stop just inside a closing mark
      (ruling 1 of ``docs/annotation.md``);
    * quotes are put on their marks by :func:`_quote_edges`, with the partners of
      :func:`_mark_partners`: a leading opening mark and a trailing closing mark whose
      partner is not in the span are left out (a direct quote is the text between its
      marks); a quote that holds one mark of a pair and stops at the other is put right
      (rulings 28 and 40): ``«…»، مؤكداً`` ends at ``»``, ``أنه "لا شيء إجرامي" في …``
      starts at the first mark, ``إن بلاده "حددت هوية …"`` ends after the last.

    Example:
        >>> t = "وأضاف أن: «الخطة الجديدة ناجحة»."
        >>> s = Span.of(t, t.index("«"), len(t), "QUOTE")
        >>> tidy_spans(t, [s])[0].text
        'الخطة الجديدة ناجحة'
    """
    last: dict[str, Span] = {}
    joined: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.label)):
        prev = last.get(span.label)
        if (prev is not None and prev.end <= span.start
                and all(_blank(c) for c in text[prev.end:span.start])
                and (span.label == "QUOTE" or not span.text.startswith("و"))):
            joined.remove(prev)
            score = None if prev.score is None or span.score is None else min(prev.score, span.score)
            span = Span(prev.start, span.end, span.label, text[prev.start:span.end], score)
        joined.append(span)
        last[span.label] = span
    out = []
    for span in (s for s in joined if s.label != "QUOTE"):
        # names, cues and numbers never take in marks, hashtag signs or end punctuation
        # (docs/annotation.md: “ديف وليامز” → ديف وليامز)
        start, end = span.start, span.end
        while start < end and (_blank(text[start]) or text[start] in _EDGE_JUNK):
            start += 1
        while start < end and (_blank(text[end - 1]) or text[end - 1] in _EDGE_JUNK):
            end -= 1
        if end > start:
            out.append(span if (start, end) == (span.start, span.end)
                       else Span(start, end, span.label, text[start:end], span.score))
    quotes: list[Span] = []
    partners = _mark_partners(text) if any(s.label == "QUOTE" for s in joined) else {}
    for span in (s for s in joined if s.label == "QUOTE"):
        start, end = span.start, span.end
        while start < end and (_blank(text[start]) or text[start] in ":"):
            start += 1
        while start < end and (_blank(text[end - 1]) or text[end - 1] in _END_PUNCT):
            after = end
            while after < len(text) and _blank(text[after]):
                after += 1
            if text[end - 1] == "." and after < len(text) and text[after] in CLOSE_MARKS:
                break  # a full stop inside the marks stays
            end -= 1
        for start, end in _quote_edges(text, start, end, partners):
            while start < end and _blank(text[start]):
                start += 1
            while start < end and _blank(text[end - 1]):
                end -= 1
            if end > start:
                quotes.append(Span(start, end, "QUOTE", text[start:end], span.score))
    return sorted(out + quotes, key=lambda s: (s.start, -s.end, s.label))


#: Impersonal passives that open the author's own voice: «يُذكر أن…», «ويُشار إلى أن…» (folded).
_AUTHORS_VOICE = frozenset(("يذكر", "يشار"))


def drop_authors_voice(text: str, spans: Sequence[Span]) -> list[Span]:
    """Drops «يُذكر أن …» and «يُشار إلى أن …» quotes and their cues: the guideline's author's
    own voice, not a quote. A cue with a subject before its complementizer stays a cue
    («يذكر التقرير أن …»: the report is the source).

    Example:
        >>> t = "يُذكر أن الهجمات تتكرر منذ مطلع العام."
        >>> cue = Span.of(t, 0, len("يُذكر"), "CUE")
        >>> quote = Span.of(t, t.index("الهجمات"), t.index("."), "QUOTE")
        >>> drop_authors_voice(t, [cue, quote])
        []
    """
    from .cues import COMPLEMENTIZERS, tokenize

    drop: set[Span] = set()
    for cue in spans:
        if cue.label != "CUE":
            continue
        words = tokenize(cue.text)
        if len(words) != 1:
            continue
        norm = words[0].norm
        if norm[:1] in ("و", "ف") and norm[1:] in _AUTHORS_VOICE:
            norm = norm[1:]
        if norm not in _AUTHORS_VOICE:
            continue
        after = tokenize(text[cue.end:cue.end + 40])
        k = 1 if after and after[0].norm == "الي" else 0  # «يُشار إلى أن»
        if len(after) <= k or after[k].norm not in COMPLEMENTIZERS:
            continue
        comp_end = cue.end + after[k].end
        drop.add(cue)
        drop.update(s for s in spans if s.label == "QUOTE" and cue.end <= s.start <= comp_end + 3)
    return [s for s in spans if s not in drop]


def snap_spans(text: str, spans: Sequence[Span], anchors: Sequence[Span], label: str = "SPEAKER",
               wider: Sequence[Span] = ()) -> list[Span]:
    """Gives ``label`` spans the edges of trusted spans that speak for the same words.

    The model finds names well but often stops a word short (``تركي`` for ``تركي المالكي``,
    ``الخطة`` for ``الخطة التنفيذية لآليات العمل``); the rule engine's name patterns get the
    edges right where they fire. A span is moved, keeping the model's score, when:

    1. exactly one anchor overlaps it: the anchor's edges;
    2. none overlaps it, but one starts right after it in the same phrase (at most three
       words between, no punctuation but quotation marks, no other span): the anchor, as the
       guideline keeps only the name of a source phrase that has one
       («مراسل "سكاي نيوز عربية"» → ``سكاي نيوز عربية``);
    3. neither, and exactly one ``wider`` span strictly contains it: that span's edges (the
       model's own reading without the rule prior, which a wrong rule quote can cut short:
       ``أحمدي`` for ``أحمدي نجاد``).

    So the model still decides *whether* there is a speaker.

    Args:
        text: The user's text.
        spans: Decoded spans (any labels; others are returned unchanged).
        anchors: Spans whose edges are trusted (the rule engine's speakers).
        label: The label to snap.
        wider: Spans that may only widen a span no anchor speaks for.

    Returns:
        The spans, sorted as :func:`tidy_spans` sorts them.

    Example:
        >>> t = "وقال المتحدث تركي المالكي إن القوات جاهزة"
        >>> model = Span.of(t, t.index("تركي"), t.index("تركي") + 4, "SPEAKER", 0.8)
        >>> rules = Span.of(t, t.index("تركي"), t.index(" إن"), "SPEAKER")
        >>> snap_spans(t, [model], [rules])[0].text
        'تركي المالكي'
    """
    out: dict[tuple[int, int, str], Span] = {}
    others = [s for s in spans if s.label != label]
    for span in spans:
        if span.label == label:
            target = _snap_target(text, span, anchors, others, wider)
            if target is not None:
                span = Span.of(text, target[0], target[1], label, span.score)
        key = (span.start, span.end, span.label)
        if key in out:  # two pieces of one name snapped to it: one span, the lower score
            scores = [x for x in (out[key].score, span.score) if x is not None]
            span = Span(span.start, span.end, label, span.text, min(scores) if scores else None)
        out[key] = span
    return sorted(out.values(), key=lambda s: (s.start, -s.end, s.label))


_PHRASE_BREAK = re.compile(r"[.!?؟،,:;؛()\n]")
_TITLE_WORDS = 3  # the most words between a describing word and the name it gives way to


def _snap_target(text: str, span: Span, anchors: Sequence[Span], others: Sequence[Span],
                 wider: Sequence[Span]) -> tuple[int, int] | None:
    hits = [a for a in anchors if a.start < span.end and span.start < a.end]
    if hits:
        return (hits[0].start, hits[0].end) if len(hits) == 1 else None
    after = [a for a in anchors if span.end <= a.start <= span.end + 64]
    if after:
        a = min(after, key=lambda x: x.start)
        gap = text[span.end:a.start]
        if not _PHRASE_BREAK.search(gap) and len(gap.strip(OPEN_MARKS + CLOSE_MARKS + " ").split()) <= _TITLE_WORDS \
                and not any(o.start < a.start and span.end < o.end for o in others):
            return a.start, a.end
    around = [w for w in wider if w.start <= span.start and span.end <= w.end
              and (w.start, w.end) != (span.start, span.end)]
    return (around[0].start, around[0].end) if len(around) == 1 else None
