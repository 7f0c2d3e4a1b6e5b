"""Annotations: a note anchored to its exact passage, highlighted, lettered and placed beside it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.annotations import anchor_annotations, note_label
from builder.htmltext import Document, visible_text
from builder.markup import render_markdown
from builder.mentions import MentionMatcher, link_mentions
from builder.model import Annotation, Entity
from tests.test_htmltext import check, html_st, well_formed_xml


def anchor(html: str, *quotes: str | tuple[str, int]):
    pairs = [q if isinstance(q, tuple) else (q, 1) for q in quotes]
    annotations = [
        Annotation(quote, f"Note {n}.", occurrence) for n, (quote, occurrence) in enumerate(pairs, 1)
    ]
    notes = [f"<p>Note {n}.</p>" for n in range(1, len(quotes) + 1)]
    out, found, order = anchor_annotations(html, annotations, notes)
    assert list(order) == note_labels(out)  # the order given is the one the page shows
    return out, found


_LABELLED = re.compile(r'<a class="note-number" href="#passage-(\d+)" aria-label="Back to passage ([a-z]+)">')


def note_labels(html: str) -> list[tuple[int, str]]:
    """The notes an annotated body shows, in reading order: (N of `#note-N`, its letter)."""
    return [(int(n), label) for n, label in _LABELLED.findall(html)]


class _Collect(HTMLParser):
    """The page's text without the inserted note references and asides."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "hr", "img"):
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag not in ("br", "hr", "img"):
            self.stack.pop()

    def handle_data(self, data):
        inserted = any(
            (t == "aside" and a.get("class") == "annotation") or (t == "sup" and a.get("class") == "note-ref")
            for t, a in self.stack
        )
        if not inserted:
            self.plain.append(data)


def without_notes(html: str) -> str:
    """The visible text of the output minus the inserted note references and asides."""
    parser = _Collect()
    parser.feed(html)
    parser.close()
    return "".join(parser.plain)


# --- examples ----------------------------------------------------------------------------


def test_an_annotation_is_highlighted_linked_and_placed_after_its_paragraph():
    """The passage gets a mark with a stable id, a lettered link, and its note right after."""
    html = "<p>The council raised its fees today.</p>\n<p>Next.</p>"
    out, found = anchor(html, "raised its fees")
    assert found == (True,)
    assert out == (
        '<p>The council <mark class="annotated" id="passage-1">raised its fees</mark>'
        '<sup class="note-ref"><a href="#note-1" aria-label="Annotation a">a</a></sup> today.</p>'
        '<aside class="annotation" id="note-1" role="note" aria-label="Annotation a">'
        '<a class="note-number" href="#passage-1" aria-label="Back to passage a">a</a>'
        '<p>Note 1.</p><a class="permalink" href="#note-1">permalink</a></aside>'
        "\n<p>Next.</p>"
    )


def test_a_quote_not_found_changes_nothing_and_is_reported():
    """A quote missing from the body leaves the HTML as it was and is reported as not found."""
    html = "<p>The council raised its fees.</p>"
    assert anchor(html, "lowered its fees") == (html, (False,))


def test_occurrence_picks_the_nth_passage():
    """`occurrence: 2` highlights the second place the quote appears."""
    html = "<p>We reject it. They said: we reject it.</p>"
    out, found = anchor(html, ("reject it", 2))
    assert found == (True,)
    assert out.startswith(
        '<p>We reject it. They said: we <mark class="annotated" id="passage-1">reject it</mark>'
    )


def test_an_occurrence_past_the_last_is_not_found():
    """Asking for a third occurrence of a quote that appears twice is "not found"."""
    assert anchor("<p>a b a b</p>", ("a b", 3))[1] == (False,)


def test_empty_quote_is_not_found():
    """A blank quote anchors nothing."""
    assert anchor("<p>text</p>", "  ")[1] == (False,)


def test_numbers_stay_stable_when_a_quote_is_missing():
    """Anchors are numbered in front-matter order, found or not."""
    out, found = anchor("<p>one two three</p>", "one", "missing", "three")
    assert found == (True, False, True)
    ids = re.findall(r'id="([a-z]+-\d)"', out)
    assert ids == ["passage-1", "passage-3", "note-1", "note-3"]
    assert note_labels(out) == [(1, "a"), (3, "b")]


def test_letters_follow_reading_order_not_front_matter_order():
    """Readers see a, b, c down the text and the margin, whatever order the front matter lists
    the notes in; the ids (`#note-N`, cited by permalinks) keep the front-matter numbers."""
    html = "<p>one two</p>\n<p>three four</p>\n<p>five</p>"
    out, found = anchor(html, "four", "five", "one", "two")
    assert found == (True, True, True, True)
    check(out)
    assert note_labels(out) == [(3, "a"), (4, "b"), (1, "c"), (2, "d")]
    refs = re.findall(r'<a href="#note-(\d)" aria-label="Annotation ([a-z])">([a-z])</a>', out)
    assert refs == [("3", "a", "a"), ("4", "b", "b"), ("1", "c", "c"), ("2", "d", "d")]
    # the two notes of the first paragraph follow it in reading order, before the second paragraph
    order = re.findall(r'<p>(?!Note)|id="note-\d"', out)
    assert order == ["<p>", 'id="note-3"', 'id="note-4"', "<p>", 'id="note-1"', "<p>", 'id="note-2"']


def test_letters_go_on_past_z():
    """The 27th note is "aa", like a spreadsheet's columns."""
    assert [note_label(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["a", "b", "z", "aa", "ab", "zz", "aaa"]


def test_a_passage_crossing_emphasis_is_split_with_one_id():
    """A quote crossing <em> is highlighted in pieces; only the first piece carries the id."""
    html = "<p>They <em>strongly condemn</em> the drill.</p>"
    out, found = anchor(html, "strongly condemn the")
    assert found == (True,)
    assert out.startswith(
        '<p>They <mark class="annotated" id="passage-1"><em>strongly condemn</em> the</mark>'
        '<sup class="note-ref">'
    )
    out, _ = anchor(html, "They strongly")
    assert out.startswith(
        '<p><mark class="annotated" id="passage-1">They </mark><em><mark class="annotated">strongly</mark>'
    )
    assert out.count('id="passage-1"') == 1
    check(out)


def test_whitespace_and_typographic_quotes_only_matter_for_finding():
    """A quote typed with straight quotes and line breaks finds the typographic text, unchanged."""
    html = "<p>The \u201cso-called\u201d   envoy\u2019s\nremarks</p>"
    out, found = anchor(html, '"so-called" envoy\'s remarks')
    assert found == (True,)
    assert (
        '<mark class="annotated" id="passage-1">\u201cso-called\u201d   envoy\u2019s\nremarks</mark>' in out
    )


def test_quote_spanning_two_paragraphs():
    """A passage running over a paragraph break is highlighted in both; the note follows the second."""
    html = "<p>End of one.</p>\n<p>Start of two, and more.</p>"
    out, found = anchor(html, "of one. Start of two")
    assert found == (True,)
    assert out == (
        '<p>End <mark class="annotated" id="passage-1">of one.</mark></p>\n'
        '<p><mark class="annotated">Start of two</mark><sup class="note-ref"><a href="#note-1" '
        'aria-label="Annotation a">a</a></sup>, and more.</p><aside class="annotation" id="note-1" '
        'role="note" aria-label="Annotation a"><a class="note-number" href="#passage-1" '
        'aria-label="Back to passage a">a</a><p>Note 1.</p><a class="permalink" href="#note-1">'
        "permalink</a></aside>"
    )


def test_a_note_in_a_list_item_stays_in_the_item():
    """A passage in a list item gets its note at the end of that item (a list holds only items)."""
    html = "<ul>\n<li>first point</li>\n<li>second point</li>\n</ul>"
    out, _ = anchor(html, "first")
    assert re.search(r"<li>.*first.*point<aside .*</aside></li>\n<li>second point</li>", out)
    check(out)


def test_a_note_in_a_table_cell_stays_in_the_cell():
    """A passage in a table cell gets its note inside the cell, not between rows."""
    html = "<table><tbody><tr><td>alpha beta</td><td>gamma</td></tr></tbody></table>"
    out, _ = anchor(html, "beta")
    assert re.search(r"<td>alpha .*beta</mark>.*</sup><aside .*</aside></td><td>gamma</td>", out)
    check(out)


def test_a_passage_ending_inside_a_link_gets_its_number_after_the_link():
    """The numbered link never lands inside an existing link."""
    html = '<p>See <a href="https://x.org/">the full text</a> here.</p>'
    out, _ = anchor(html, "See the full")
    assert (
        '<a href="https://x.org/"><mark class="annotated">the full</mark> text</a><sup class="note-ref">'
        in out
    )
    check(out)


def test_a_passage_in_code_gets_its_number_after_the_code():
    """No link is ever written inside code: the number follows the code element."""
    out, _ = anchor("<p>Run <code>make all</code> now.</p>", "make")
    assert out.startswith(
        '<p>Run <code><mark class="annotated" id="passage-1">make</mark> all</code><sup class="note-ref">'
    )
    check(out)


def test_annotations_next_to_mention_links():
    """A passage crossing an entity link keeps the link whole."""
    matcher = MentionMatcher([Entity("dprk", "e/dprk.md", "DPRK")])
    linked = link_mentions("<p>The DPRK said so.</p>", matcher, href=lambda e: f"/entities/{e}/").html
    out, found = anchor(linked, "The DP")
    assert found == (True,)
    assert out.count('<a class="mention"') == 1
    assert '<a class="mention" href="/entities/dprk/"><mark class="annotated">DP</mark>RK</a>' in out
    check(out)


def test_overlapping_and_neighbouring_annotations():
    """Two annotations sharing words are both highlighted; their notes follow in order."""
    html = "<p>alpha beta gamma delta</p>"
    out, found = anchor(html, "alpha beta gamma", "beta gamma delta")
    assert found == (True, True)
    check(out)
    assert out.index('id="note-1"') < out.index('id="note-2"')
    assert without_notes(out) == "alpha beta gamma delta"


FOOTNOTED = """The council raised its fees[^1] on Monday.

It answered in kind.[^2]

[^1]: Its notice is dated 26 February.
[^2]: See the gazette.
"""


def test_markdown_footnotes_keep_working_next_to_annotations():
    """Footnote references, ids and back links survive; a quote may run over a footnote marker."""
    html = render_markdown(FOOTNOTED)
    out, found = anchor(html, "raised its fees on Monday", "dated 26 February", "in kind.")
    assert found == (True, True, True)
    check(out)
    ids = re.findall(r'id="([^"]+)"', out)
    for needed in ("fnref:1", "fn:1", "fnref:2", "fn:2", "passage-1", "passage-2", "passage-3", "note-1"):
        assert needed in ids
    assert ids.count("fnref:1") == 1
    for target in re.findall(r'href="#([^"]+)"', out):
        assert target in ids, target
    assert '<a class="footnote-ref" href="#fn:1" rel="noopener noreferrer">1</a>' in out
    assert '<a class="footnote-backref" href="#fnref:1"' in out
    # the note of a passage in a footnote goes into that footnote's item
    assert re.search(r'<li id="fn:1">.*<aside class="annotation" id="note-2".*</aside>\s*</li>', out, re.S)
    assert without_notes(out) == visible_text(html)


def test_notes_count_must_match():
    """A caller passing fewer notes than annotations is told so."""
    with pytest.raises(ValueError, match="one rendered note"):
        anchor_annotations("<p>x</p>", [Annotation("x", "n")], [])


def test_no_annotations_returns_the_html_as_is():
    """Without annotations the body is returned untouched."""
    assert anchor_annotations("<p>x &amp; y</p>", [], []) == ("<p>x &amp; y</p>", (), ())


# --- properties --------------------------------------------------------------------------


@st.composite
def html_and_quotes(draw):
    html = draw(html_st)
    texts = [b.text for b in Document(html).blocks]
    quotes = []  # (quote, occurrence, taken from the text)
    for _ in range(draw(st.integers(0, 3))):
        if texts and draw(st.booleans()):
            text = draw(st.sampled_from(texts))
            start = draw(st.integers(0, len(text)))
            end = draw(st.integers(start, len(text)))
            quotes.append((text[start:end], draw(st.integers(1, 2)), True))
        else:
            quotes.append((draw(st.text(max_size=6)), 1, False))
    return html, quotes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_and_quotes())
def test_property_annotating_keeps_text_and_structure(case):
    """For any body and quotes: the text is the input's plus the notes, and the HTML is well-formed."""
    html, quotes = case
    annotations = [Annotation(q, "n", occurrence) for q, occurrence, _ in quotes]
    notes = [f"<p>Note {n} &amp; more</p>" for n in range(1, len(quotes) + 1)]
    out, found, order = anchor_annotations(html, annotations, notes)
    check(out)
    well_formed_xml(out)
    assert without_notes(out) == visible_text(html)
    assert len(found) == len(quotes)
    for n, (quote, occurrence, from_text) in enumerate(quotes, 1):
        if from_text and occurrence == 1 and quote.strip():
            assert found[n - 1], quote
        assert (f'id="passage-{n}"' in out) == found[n - 1]
        assert (f'id="note-{n}"' in out) == found[n - 1]
    notes_text = visible_text(out)
    labels = note_labels(out)
    assert list(order) == labels
    assert [label for _, label in labels] == [note_label(i) for i in range(sum(found))]
    assert sorted(n for n, _ in labels) == [n for n, ok in enumerate(found, 1) if ok]
    for n, label in labels:
        assert f"{label}Note {n} & morepermalink" in notes_text
