"""HTML rendering (arquote.display): structure, escaping, colours, overlaps, comparison.

The HTML is parsed back with the standard library's parser into a small element tree, so
the tests check what a browser would build (tests/test_browser.py checks a real browser).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from arquote.display import PALETTE, RenderedHTML, UNKNOWN_COLOR, claim_title, compare, render
from arquote.document import Document, NumericClaim, Quote, Span, Speaker

VOID = {"meta", "br", "img", "hr", "input", "link"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: "Node | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children
                       if isinstance(c, str) or c.tag != "style")

    def find_all(self, cls: str) -> list["Node"]:
        out = []
        for c in self.children:
            if isinstance(c, Node):
                if cls in c.classes:
                    out.append(c)
                out += c.find_all(cls)
        return out

    def find(self, cls: str) -> "Node":
        found = self.find_all(cls)
        assert len(found) == 1, f"expected one .{cls}, found {len(found)}"
        return found[0]


class TreeBuilder(HTMLParser):
    """Builds a Node tree and fails on a closing tag that does not match the open one."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_endtag(self, tag):
        assert self.cur.tag == tag, f"</{tag}> closes <{self.cur.tag}>: malformed HTML"
        self.cur = self.cur.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.cur is builder.root, "unclosed elements"
    return builder.root


def span(text: str, part: str, label: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(part, start + 1)
    return Span.of(text, start, start + len(part), label)


TEXT = (
    "وقال وزير الداخلية سامي الحربي إن «قوات الأمن أحبطت 3 هجمات على الحدود».\n\n"
    "وأكدت مصادر عسكرية أن الوضع مستقر في المدينة منذ أسبوعين."
)


def sample() -> Document:
    t = TEXT
    minister = Speaker("سامي الحربي", (span(t, "سامي الحربي", "SPEAKER"),), key="S1")
    sources = Speaker("مصادر عسكرية", (span(t, "مصادر عسكرية", "SPEAKER"),), key="S2")
    cue1, cue2 = span(t, "وقال", "CUE"), span(t, "وأكدت", "CUE")
    q1 = Quote(span(t, "قوات الأمن أحبطت 3 هجمات على الحدود", "QUOTE"), "direct", minister, cue1)
    q2 = Quote(span(t, "الوضع مستقر في المدينة منذ أسبوعين", "QUOTE"), "indirect", sources, cue2)
    claim = NumericClaim(span(t, "3 هجمات", "NUM"), 3.0, "هجوم", False, False, "count",
                         claimant=minister, quote=q1)
    return Document(t, (q1, q2), (minister, sources), (claim,), (cue1, cue2), id="d-1")


def test_article_is_right_to_left_with_an_arabic_font_and_the_text_unchanged():
    tree = parse(render(sample()))
    doc = tree.find("aq-doc")
    assert doc.attrs["dir"] == "rtl" and doc.attrs["lang"] == "ar"
    style = tree.find_all("aq-root")[0].children[0]
    assert style.tag == "style" and "Noto Naskh Arabic" in style.text() and "direction: rtl" in style.text()
    # Badges are CSS, so the article's text content is exactly the analysed string.
    assert tree.find("aq-text").text() == TEXT


def test_quotes_carry_their_speaker_colour_badge_and_kind():
    doc = sample()
    tree = parse(render(doc))
    quotes = tree.find("aq-text").find_all("aq-quote")
    assert [q.text() for q in quotes] == [q.content.text for q in doc.quotes]
    assert [q.attrs["data-kind"] for q in quotes] == ["direct", "indirect"]
    assert [q.attrs["data-who"] for q in quotes] == ["سامي الحربي", "مصادر عسكرية"]
    assert "aq-indirect" in quotes[1].classes and "aq-direct" in quotes[0].classes
    # Speakers get palette colours in order of appearance; a quote and its speaker's
    # mention share the colour.
    assert f"--aq-c: {PALETTE[0]}" in quotes[0].attrs["style"]
    assert f"--aq-c: {PALETTE[1]}" in quotes[1].attrs["style"]
    mentions = tree.find("aq-text").find_all("aq-speaker")
    assert [m.text() for m in mentions] == ["سامي الحربي", "مصادر عسكرية"]
    assert PALETTE[0] in mentions[0].attrs["style"] and PALETTE[1] in mentions[1].attrs["style"]
    assert "سامي الحربي" in quotes[0].attrs["title"] and "وقال" in quotes[0].attrs["title"]


def test_cues_are_underlined_and_numbers_boxed_inside_their_quote_with_the_value_on_hover():
    tree = parse(render(sample()))
    text = tree.find("aq-text")
    assert [c.text() for c in text.find_all("aq-cue")] == ["وقال", "وأكدت"]
    num = text.find("aq-num")
    assert num.text() == "3 هجمات"
    assert num.attrs["title"] == "3 هجوم [count] — سامي الحربي"
    assert num.attrs["data-value"] == "3.0" and num.attrs["data-unit"] == "هجوم"
    assert "aq-quote" in num.parent.classes  # nested in the quote that contains it


def test_legend_lists_speakers_with_quote_counts_and_the_key():
    tree = parse(render(sample()))
    legend = tree.find("aq-legend")
    keys = [k for k in legend.find_all("aq-key") if "data-speaker" in k.attrs]
    assert [k.text() for k in keys] == ["سامي الحربي (1)", "مصادر عسكرية (1)"]
    assert "direct quote" in legend.text() and "number: value on hover" in legend.text()


def test_html_in_the_text_and_names_is_escaped_not_run():
    t = 'قال <b>المتحدث</b> إن «الهجوم <script>alert("x")</script> فشل تماما» & انتهى'
    who = Speaker('"المتحدث"<i>', (span(t, "المتحدث", "SPEAKER"),))
    quote = Quote(span(t, 'الهجوم <script>alert("x")</script> فشل تماما', "QUOTE"), "direct", who)
    html = render(Document(t, (quote,), (who,)))
    assert "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "&amp; انتهى" in html
    tree = parse(html)
    assert tree.find("aq-text").text() == t
    assert tree.find("aq-text").find("aq-quote").attrs["data-who"] == '"المتحدث"<i>'


def test_crossing_spans_are_split_into_well_formed_fragments():
    # A predicted number running past the end of a quote must not break the HTML.
    t = "قال الوزير إن «الخسائر بلغت ثلاثة» ملايين دولار"
    quote = Quote(span(t, "الخسائر بلغت ثلاثة", "QUOTE"), "direct")
    claim = NumericClaim(span(t, "ثلاثة» ملايين", "NUM"), 3e6, "دولار")
    tree = parse(render(Document(t, (quote,), (), (claim,))))
    assert tree.find("aq-text").text() == t
    fragments = tree.find("aq-text").find_all("aq-num")
    assert "".join(f.text() for f in fragments) == "ثلاثة» ملايين"
    assert len({f.attrs["data-id"] for f in fragments}) == 1
    quotes = tree.find("aq-text").find_all("aq-quote")
    assert "".join(q.text() for q in quotes) == "الخسائر بلغت ثلاثة"
    assert sum("data-who" in q.attrs for q in quotes) == 1  # one badge per quote


def test_a_quote_without_speaker_is_grey_and_marked_unknown():
    t = "وأضاف أن «العمل سيستمر حتى نهاية العام»"
    quote = Quote(span(t, "العمل سيستمر حتى نهاية العام", "QUOTE"), "direct")
    tree = parse(render(Document(t, (quote,))))
    q = tree.find("aq-text").find("aq-quote")
    assert UNKNOWN_COLOR in q.attrs["style"] and q.attrs["data-who"] == "؟"
    assert "unknown speaker" in tree.find("aq-legend").text()


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"value": 3e6, "unit": "دولار", "approx": True, "kind": "money", "currency": "USD"},
         "≈3,000,000 دولار (USD) [money]"),
        ({"value": None, "unit": "وكر", "vague": True}, "vague · غير محدد وكر"),
        ({"value": 1.5, "unit": "%", "bound": ">"}, ">1.5 %"),
        ({"value": None}, "value unknown · قيمة غير معروفة"),
    ],
)
def test_claim_title_shows_the_normalized_value(kwargs, expected):
    t = "بلغت الكلفة نحو 3 ملايين دولار"
    claim = NumericClaim(span(t, "3 ملايين دولار", "NUM"), **kwargs)
    assert claim_title(claim) == expected


def test_many_documents_and_the_max_docs_note():
    docs = [sample(), Document("لا اقتباس في هذا النص", id="d-2"), Document("نص ثالث", id="d-3")]
    tree = parse(render(docs, max_docs=2))
    assert [d.attrs["data-doc-id"] for d in tree.find_all("aq-doc")] == ["d-1", "d-2"]
    assert "1 more documents not shown" in tree.find("aq-note").text()
    assert len(parse(render(iter(docs), max_docs=None)).find_all("aq-doc")) == 3


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(TypeError, match=r"render\(ext\(text\)\)"):
        render("قال الوزير إن الوضع مستقر")
    with pytest.raises(TypeError, match="item 1 is a dict"):
        render([sample(), {"text": "x"}])
    with pytest.raises(ValueError, match="max_docs"):
        render(sample(), max_docs=-1)


def test_rendered_html_displays_in_jupyter_and_is_a_str():
    html = render(sample())
    assert isinstance(html, str) and isinstance(html, RenderedHTML)
    assert html._repr_html_() == str(html)


def test_document_repr_html_is_the_rendering():
    doc = sample()
    assert doc._repr_html_() == render(doc)


def test_compare_outlines_misses_and_false_alarms():
    gold = sample()
    t = gold.text
    # The prediction finds the first quote and speaker, cuts the second quote short,
    # and invents a number.
    minister = gold.speakers[0]
    short = Quote(span(t, "الوضع مستقر في المدينة", "QUOTE"), "indirect")
    extra = NumericClaim(span(t, "أسبوعين", "NUM"), 2.0, "أسبوع")
    pred = Document(t, (gold.quotes[0], short), (minister,), (extra,), gold.cues)
    tree = parse(compare(gold, pred))
    gold_pane, pred_pane = tree.find_all("aq-pane")
    assert gold_pane.attrs["data-side"] == "gold" and pred_pane.attrs["data-side"] == "pred"
    missed = gold_pane.find("aq-text").find_all("aq-miss")
    assert sorted((m.attrs["data-label"], m.text()) for m in missed) == sorted([
        ("QUOTE", "الوضع مستقر في المدينة منذ أسبوعين"), ("SPEAKER", "مصادر عسكرية"),
        ("NUM", "3 هجمات"),
    ])
    # Legend spans also carry the class: count only the article's.
    extras = pred_pane.find("aq-text").find_all("aq-extra")
    assert sorted((m.attrs["data-label"], m.text()) for m in extras) == [
        ("NUM", "أسبوعين"), ("QUOTE", "الوضع مستقر في المدينة")]
    assert "3 missed" in gold_pane.find("aq-head").text()
    assert "2 not in gold" in pred_pane.find("aq-head").text()


def test_compare_refuses_pairs_that_do_not_match():
    with pytest.raises(ValueError, match="different texts"):
        compare(Document("قال الوزير", id="a"), Document("قال المدير"))
    with pytest.raises(ValueError, match="one prediction per gold document"):
        compare([sample(), sample()], [sample()])
