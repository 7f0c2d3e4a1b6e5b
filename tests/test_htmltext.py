"""The HTML text walker: spans wrapped, everything else untouched, always well-formed."""

from __future__ import annotations

import html as htmllib
import xml.etree.ElementTree as ET
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.htmltext import (
    VOID_TAGS,
    Document,
    Point,
    Span,
    add_block_spans,
    add_spans,
    merge_spans,
    visible_text,
)

BLOCKS = {"p", "div", "ul", "ol", "li", "aside", "blockquote", "table", "tr", "td", "dl", "dt", "dd", "hr"}


class _Strict(HTMLParser):
    """A strict reading: every element closed in order, no link in a link, no block in a p."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.links_in_code: list[str] = []
        self.by_key: dict[str, list[str]] = defaultdict(list)  # data-k -> texts inside
        self.pieces: dict[str, int] = defaultdict(int)  # data-k -> number of elements

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        names = [t for t, _ in self.stack]
        if tag == "a" and "a" in names:
            self.errors.append("link inside a link")
        if tag == "a" and {"code", "pre", "kbd", "samp"} & set(names):
            self.links_in_code.append(tag)
        if tag in BLOCKS and "p" in names:
            self.errors.append(f"<{tag}> inside <p>")
        attributes = dict(attrs)
        if "data-k" in attributes:
            self.pieces[attributes["data-k"]] += 1
        self.stack.append((tag, attributes))

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID_TAGS:
            self.errors.append(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        for _, attributes in self.stack:
            if "data-k" in attributes:
                self.by_key[attributes["data-k"]].append(data)


def check(html: str) -> _Strict:
    """Parse strictly; fail the test on any nesting error."""
    parser = _Strict()
    parser.feed(html)
    parser.close()
    assert not parser.errors, (parser.errors, html)
    assert not parser.stack, ("unclosed", parser.stack, html)
    assert not parser.links_in_code, html
    return parser


def well_formed_xml(html: str) -> None:
    """The output parses as XML too (inputs in these tests are written XML-compatible)."""
    ET.fromstring(f"<root>{html}</root>")


# --- examples ----------------------------------------------------------------------------


def test_visible_text_decodes_entities_and_drops_tags():
    """A reader's text: entities decoded, tags gone, script content not shown."""
    html = '<p>A &amp; B&nbsp;<em title="x&quot;">C</em></p><script>var x="<p>";</script>\n<p>D</p>'
    assert visible_text(html) == "A & B\u00a0C\nD"


def test_untouched_html_comes_back_byte_for_byte():
    """Without spans, odd but valid markup is returned exactly as given."""
    html = "<p class='x' >A&nbsp;&#160;<br/>B<!-- c --></p>\n<P>Up</P> tail &amp; <x-y>z</x-y>"
    assert add_spans(html, lambda text: []) == html
    assert Document(html).render() == html


def test_only_the_wrapped_text_changes():
    """Tags and text nodes outside a span keep their original bytes."""
    html = "<p>Seoul&nbsp;and <b class='k'>Pyongyang</b> &amp; more</p><p>Kept&nbsp;as is</p>"
    out = add_spans(html, lambda t: [Span(0, 5, "a", (("href", "/s/"),))] if t.startswith("Seoul") else [])
    assert out == (
        "<p><a href=\"/s/\">Seoul</a>\u00a0and <b class='k'>Pyongyang</b> &amp; more</p><p>Kept&nbsp;as is</p>"
    )


def test_attribute_values_are_escaped():
    """Ids and URLs given by a caller can never break out of their attribute."""
    out = add_spans("<p>Hello</p>", lambda t: [Span(0, 5, "a", (("href", '"><script>x</script>'),))])
    assert out == '<p><a href="&quot;&gt;&lt;script&gt;x&lt;/script&gt;">Hello</a></p>'


def test_text_is_re_escaped_when_split():
    """Text around a new element keeps its entities escaped: < and & stay text."""
    out = add_spans("<p>a &lt;b&gt; &amp; c</p>", lambda t: [Span(t.index("&"), t.index("&") + 1, "mark")])
    assert out == "<p>a &lt;b&gt; <mark>&amp;</mark> c</p>"
    assert visible_text(out) == "a <b> & c"


@pytest.mark.parametrize("tag", ["script", "br", "a b", "A"])
def test_refuses_unsafe_or_void_tags(tag):
    """A caller mistake (void or odd tag) is refused rather than written."""
    with pytest.raises(ValueError, match="cannot wrap"):
        add_spans("<p>x</p>", lambda t: [Span(0, 1, tag)])


def test_refuses_event_handler_attributes():
    """Event-handler attributes are refused: nothing may become script."""
    with pytest.raises(ValueError, match="refusing"):
        add_spans("<p>x</p>", lambda t: [Span(0, 1, "mark", (("onclick", "x"),))])


@pytest.mark.parametrize(
    "html",
    [
        '<p><a href="/x">Korea</a></p>',
        "<p><code>Korea</code></p>",
        "<pre><code>Korea</code></pre>",
        "<p><kbd>Korea</kbd> <samp>Korea</samp></p>",
        '<p><a href="/x"><em>Korea</em></a></p>',
    ],
)
def test_no_link_inside_links_or_code(html):
    """A link span in an existing link or in code is dropped."""
    out = add_spans(html, lambda t: [Span(t.index("Korea"), t.index("Korea") + 5, "a", (("href", "/k/"),))])
    assert out == html


def test_a_link_must_lie_in_one_text_node():
    """A link span crossing an inline element is dropped, not split."""
    html = "<p>Kim <em>Jong</em> Un</p>"
    assert add_spans(html, lambda t: [Span(0, len(t), "a", (("href", "/k/"),))]) == html


def test_links_never_overlap():
    """Of two overlapping link spans only one is written (longer first)."""
    out = add_spans(
        "<p>North Korea</p>",
        lambda t: [Span(6, 11, "a", (("href", "/k"),)), Span(0, 11, "a", (("href", "/n"),))],
    )
    assert out == '<p><a href="/n">North Korea</a></p>'


def test_a_mark_crossing_an_element_is_split_and_keeps_one_id():
    """A highlight crossing <em> boundaries becomes pieces; only the first has the id."""
    html = "<p>one <em>two three</em> four</p>"
    out = add_spans(
        html, lambda t: [Span(t.index("ne"), t.index("three"), "mark", (("id", "p1"), ("class", "c")))]
    )
    assert out == '<p>o<mark id="p1" class="c">ne </mark><em><mark class="c">two </mark>three</em> four</p>'
    check(out)


def test_a_mark_covering_a_whole_element_stays_one_piece():
    """A highlight that covers a whole inline element wraps it instead of splitting."""
    html = "<p>one <em>two</em> three</p>"
    out = add_spans(html, lambda t: [Span(0, len(t), "mark", (("id", "p1"),))])
    assert out == '<p><mark id="p1">one <em>two</em> three</mark></p>'


def test_a_mark_starting_with_an_element_opens_before_it():
    """A highlight starting at an inline element's first letter wraps the element."""
    html = "<p><em>two</em> three four</p>"
    out = add_spans(html, lambda t: [Span(0, 9, "mark")])
    assert out == "<p><mark><em>two</em> three</mark> four</p>"


def test_a_mark_ending_inside_a_link_never_splits_the_link():
    """Where a highlight and a new link overlap, the link stays whole."""
    out = add_spans(
        "<p>one two three</p>",
        lambda t: [Span(0, 6, "mark", (("id", "m"),)), Span(4, 9, "a", (("href", "/t"),))],
    )
    assert out == '<p><mark id="m">one </mark><a href="/t"><mark>tw</mark>o t</a>hree</p>'


def test_overlapping_marks_nest_properly():
    """Two highlights that overlap are split so that elements still nest."""
    html = "<p>abcdefghij</p>"
    out = add_spans(
        html, lambda t: [Span(0, 6, "mark", (("data-k", "1"),)), Span(3, 9, "mark", (("data-k", "2"),))]
    )
    parser = check(out)
    assert "".join(parser.by_key["1"]) == "abcdef"
    assert "".join(parser.by_key["2"]) == "defghi"


def test_footnote_markers_read_as_spaces():
    """A footnote reference after a word does not glue its number to the word."""
    html = '<p>Korea<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup> said</p>'
    texts = []
    add_block_spans(html, lambda block: texts.append(block.text) or [])
    assert texts == ["Korea  said"]
    assert visible_text(html) == "Korea1 said"


def test_blocks_are_split_at_block_elements():
    """Each paragraph, item and cell is its own block of text."""
    html = "<p>a <em>b</em></p><ul><li>c<ul><li>d</li></ul></li></ul><table><tr><td>e</td><td>f</td></tr></table>"
    assert [b.text for b in Document(html).blocks] == ["a b", "c", "d", "e", "f"]


def test_can_link_tells_linkable_text():
    """can_link is true only within one text node outside links and code."""
    block = Document('<p>ab <a href="/">cd</a> <code>ef</code> gh</p>').blocks[0]
    assert block.text == "ab cd ef gh"
    assert block.can_link(0, 2)
    assert not block.can_link(3, 5)  # in a link
    assert not block.can_link(6, 8)  # in code
    assert not block.can_link(1, 4)  # crosses nodes
    assert block.can_link(9, 11)


def test_merge_spans_priority():
    """Overlaps resolve by list order, then length, then position."""
    first = [Span(5, 8, "a")]
    second = [Span(0, 6, "a"), Span(7, 12, "a"), Span(20, 22, "a"), Span(18, 25, "a"), Span(30, 33, "a")]
    third = [Span(30, 32, "a"), Span(40, 41, "a")]
    assert merge_spans(first, second, third) == [
        Span(5, 8, "a"),
        Span(18, 25, "a"),
        Span(30, 33, "a"),
        Span(40, 41, "a"),
    ]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>x</p><p>y</p>", Point("after", 2)),
        ("<ul><li>x</li></ul>", Point("before", 3)),
        ("<ul><li><p>x</p></li></ul>", Point("after", 4)),
        ("<dl><dt>x</dt><dd>y</dd></dl>", Point("after", 7)),
        ("<blockquote><p><em>x</em></p></blockquote>", Point("after", 5)),
        ("<table><tr><td>x</td></tr></table>", Point("before", 4)),
        ("x", Point("end")),
    ],
)
def test_notes_go_where_a_block_is_allowed(html, expected):
    """An aside goes after a paragraph, at the end of an item or cell, after a list of terms."""
    assert Document(html).point_after_block(0, 1) == expected


def test_a_point_after_text_inside_a_link_moves_past_it():
    """A note reference never lands inside an existing link."""
    doc = Document('<p>see <a href="/x">the <em>text</em></a> here</p>')
    assert doc.point_after_text(0, 6) == Point("after", 7)  # after </a>
    assert doc.point_after_text(0, 3) == Point("text", 0, 3)


def test_inserts_and_spans_together():
    """Trusted markup is inserted in the text and after blocks; spans still nest."""
    doc = Document("<p>one two</p>")
    out = doc.render(
        {0: [Span(0, 3, "mark")]},
        [(Point("text", 0, 3), "<sup>1</sup>"), (Point("after", 2), "<aside>n</aside>")],
    )
    assert out == "<p><mark>one</mark><sup>1</sup> two</p><aside>n</aside>"


# --- properties ------------------------------------------------------------------------

WORDS = [
    "Kim Jong Un",
    "Kim Jong-un",
    "US",
    "USSR",
    "DPRK's",
    "Workers’ Party",
    "Workers' Party",
    "<",
    "&",
    ">",
    "'",
    '"',
    "’",
    " ",
    "\n",
    "-",
    "김정은은",
    "November 14",
    "e\u0301",
]
text_st = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=4)), max_size=6).map("".join)
xml_text_st = text_st.map(lambda t: "".join(c for c in t if c.isprintable() or c == "\n"))


def _inline(depth: int) -> st.SearchStrategy[str]:
    text = xml_text_st.map(lambda t: htmllib.escape(t, quote=False))
    if depth == 0:
        return text
    inner = st.lists(_inline(depth - 1), max_size=3).map("".join)
    return st.one_of(
        text,
        inner.map(lambda h: f"<em>{h}</em>"),
        inner.map(lambda h: f"<strong>{h}</strong>"),
        text.map(lambda h: f'<a href="/x?a=1&amp;b=2">{h}</a>'),
        text.map(lambda h: f"<code>{h}</code>"),
        st.just("<br/>"),
    )


inline_st = st.lists(_inline(2), max_size=5).map("".join)
html_st = st.lists(
    st.one_of(
        inline_st.map(lambda h: f"<p>{h}</p>\n"),
        st.lists(inline_st, min_size=1, max_size=3).map(
            lambda items: "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
        ),
        inline_st.map(lambda h: f"<blockquote><p>{h}</p></blockquote>"),
        xml_text_st.map(lambda t: f"<pre><code>{htmllib.escape(t, quote=False)}</code></pre>"),
    ),
    max_size=4,
).map("".join)


@st.composite
def html_and_spans(draw):
    html = draw(html_st)
    doc = Document(html)
    spans = {}
    for block in doc.blocks:
        n = len(block.text)
        chosen = []
        for k in range(draw(st.integers(0, 4))):
            start = draw(st.integers(0, n))
            end = draw(st.integers(start, n))
            tag = draw(st.sampled_from(["a", "mark"]))
            attrs = (("data-k", f"{block.index}.{k}"), ("id", f"i{block.index}.{k}"))
            if tag == "a":
                attrs = (*attrs, ("href", "/e/?q=<&>"))
            chosen.append(Span(start, end, tag, attrs))
        spans[block.index] = chosen
    return html, spans


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_and_spans())
def test_property_wrapping_keeps_text_and_structure(case):
    """For any HTML and spans: same visible text, well-formed, each span covers its text."""
    html, spans = case
    doc = Document(html)
    out = doc.render(spans)
    assert visible_text(out) == visible_text(html)
    parser = check(out)
    well_formed_xml(out)
    for index, block_spans in spans.items():
        text = doc.blocks[index].text
        for k, span in enumerate(block_spans):
            key = f"{index}.{k}"
            if span.tag == "a":
                assert parser.pieces[key] <= 1, "a link was split"
            elif span.start < span.end:
                assert "".join(parser.by_key[key]) == text[span.start : span.end]
            if parser.pieces[key]:
                assert "".join(parser.by_key[key]) == text[span.start : span.end]
                assert out.count(f'id="i{key}"') == 1


@settings(max_examples=200, deadline=None)
@given(html_st)
def test_property_parse_and_render_is_identity(html):
    """Rendering without spans gives back the input unchanged."""
    assert Document(html).render() == html


# Pieces of markup as the sanitiser writes it, and of markup it never writes (comments, bare
# "<", single quotes, script, odd whitespace), so that both readings are compared.
_PIECES = [
    "<p>",
    "</p>",
    '<a href="/x?a=1&amp;b=2">',
    "</a>",
    '<sup class="footnote-ref" id="fnref:1">',
    '<a class="Footnote-backref" href="#fn:1">',
    '<A CLASS="footnote-ref">',
    '<span class="footnote-ref"/>',
    '<span title=" class=" class="footnote-ref">',
    '<a title="x class=" footnote-ref data-y="">',
    "<title>",
    "<textarea>",
    "<br>",
    "<br />",
    "<p/>",
    "</br>",
    "<em>",
    "</em>",
    "<h2 >",
    "</h2 >",
    "<li\n>",
    "<td colspan=\"2\" align='left'>",
    "<!-- note -->",
    "<script>",
    "</script>",
    "<style>",
    '<p\u00a0class="footnote-ref">',
    "< p>",
    "</ p>",
    "<3",
    "a < b",
    "&amp;",
    "&lt;",
    "&#8617;",
    "&copy",
    "&",
    "Korea",
    " ",
    "\n",
    "\r\n",
    "조선",
    '"',
    ">",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_sanitised_markup_is_read_as_html_parser_reads_it(pieces):
    """The fast reading of sanitised markup gives html.parser's tokens, or declines."""
    from builder.htmltext import _plain_tokens, _Tokenizer

    html = "".join(pieces)
    fast = _plain_tokens(html)
    if fast is None:
        declined = (
            "<!--",
            "<script",
            "<style",
            "<title",
            "<textarea",
            "'",
            "\u00a0",
            "< ",
            "</ ",
            "<3",
            "< b",
        )
        assert any(p in html for p in declined)
        return
    parser = _Tokenizer(html)
    assert (fast.starts, fast.kinds, fast.names, fast.texts, fast.footnote) == (
        parser.starts,
        parser.kinds,
        parser.names,
        parser.texts,
        parser.footnote,
    )


def test_sanitised_statements_take_the_fast_reading():
    """Markdown rendered and sanitised never needs html.parser (else the link stage slows)."""
    from builder.htmltext import _plain_tokens
    from builder.markup import render_markdown

    text = "# Title\n\nKorea & *Japan* <b>said</b>[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: A note."
    html = render_markdown(text)
    assert _plain_tokens(html) is not None
    assert Document(html).visible_text().startswith("Title\nKorea & Japan said")
