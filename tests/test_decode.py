"""BIO decoding (arquote.decode): pure functions, no model."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from arquote.decode import decode_spans, viterbi_bio
from arquote.encode import DEFAULT_SCHEME, split_words


def _viterbi_reference(marginals: np.ndarray, tags: list[str]) -> list[int]:
    """The textbook matrix form: a transition matrix of 0 and -inf, argmax per step."""
    n, k = marginals.shape
    logp = np.log(np.clip(marginals, 1e-12, None))
    allowed = np.ones((k, k), dtype=bool)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            allowed[:, j] = [prev in (f"B-{tag[2:]}", f"I-{tag[2:]}") for prev in tags]
    penalty = np.where(allowed, 0.0, -np.inf)
    score = np.where([not t.startswith("I-") for t in tags], logp[0], -np.inf)
    back = np.zeros((n, k), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, None] + penalty
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + logp[t]
    path = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 1), st.integers(1, 40), st.integers(0, 2**32 - 1), st.booleans())
def test_viterbi_matches_the_matrix_form(layer, n, seed, ties):
    tags = list(DEFAULT_SCHEME.layer_tags[layer])
    rng = np.random.default_rng(seed)
    marginals = rng.dirichlet(np.ones(len(tags)), size=n)
    if ties:  # coarse values make equal scores, where the tie rule shows
        marginals = np.round(marginals, 1) + 1e-3
    path = viterbi_bio(marginals, tags)
    assert path == _viterbi_reference(marginals, tags)
    for prev, cur in zip(path, path[1:]):
        if tags[cur].startswith("I-"):
            assert tags[prev][2:] == tags[cur][2:]
    assert not tags[path[0]].startswith("I-")


def test_an_inside_tag_without_its_start_becomes_a_span():
    text = "وقال الوزير إن «الاتفاق قريب جدا»."
    words = split_words(text)
    probs = np.full((len(words), len(DEFAULT_SCHEME.labels)), 1e-3)
    outside, inside = DEFAULT_SCHEME.label2id["O"], DEFAULT_SCHEME.label2id["I-QUOTE"]
    probs[:, outside] = 1.0
    first = next(i for i, (s, _) in enumerate(words) if text[s:].startswith("الاتفاق"))
    for i in range(first, first + 3):
        probs[i, outside], probs[i, inside] = 0.1, 0.9
    probs /= probs.sum(axis=1, keepdims=True)
    spans = decode_spans(text, words, probs)
    start = text.index("الاتفاق")
    # the most probable valid sequence opens the quote at its first word (B), never drops it
    assert [(s.label, s.start, s.end) for s in spans] == [("QUOTE", start, text.index("»"))]
