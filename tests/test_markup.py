"""The sanitiser: raw HTML in a hostile statement never brings script into a page."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder import markup
from builder.markup import render_markdown

from .conftest import PROJECT, SHARED, write_archive

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<svg><script>alert(1)</script></svg>",
    '<svg onload="alert(1)"></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="https://evil.example"><input name=x></form>',
    'Paragraph\n{: onclick="alert(1)" }',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<object data="x.swf"></object><embed src="x.swf">',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<q cite="javascript:alert(1)">x</q>',
    '<blockquote cite=" JaVa&#x09;script:alert(1)">x</blockquote>',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markup_is_neutralised(text: str) -> None:
    """No script element, event handler, javascript:/data: URL or style survives."""
    html = render_markdown(text).lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "data:text",
        "<iframe",
        "<style",
        "style=",
        "<form",
        "<object",
        "<embed",
        "<base",
        "<meta",
    ):
        assert bad not in html, (text, html)


def test_a_quotations_web_source_is_kept() -> None:
    """cite keeps an http(s) or relative address (nh3 checks only href and src)."""
    html = render_markdown('<q cite="https://un.example/a">x</q> <blockquote cite="/s/x:y">y</blockquote>')
    assert 'cite="https://un.example/a"' in html and 'cite="/s/x:y"' in html


def test_markdown_features_survive() -> None:
    """Footnotes, tables and emphasis are kept; ordinary links too, with rel=noopener."""
    html = render_markdown("A *b* [c](https://x.org/)[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: Note.")
    assert "<em>b</em>" in html
    assert '<a href="https://x.org/" rel="noopener noreferrer">c</a>' in html
    assert "<table>" in html
    assert 'id="fn:1"' in html and 'class="footnote-ref"' in html


def test_content_cannot_take_the_page_s_anchors() -> None:
    """An id from content (attribute list) is dropped, so #note-1 stays the annotation's."""
    html = render_markdown("Text\n{: #note-1 }")
    assert 'id="note-1"' not in html


def test_plain_text_equals_parsed_text() -> None:
    """The fast plain-text of sanitised HTML is what an HTML parser reads from it (footnote
    marks aside, see below)."""
    from builder.htmltext import visible_text
    from builder.markup import plain_text

    for text in [
        'A *b* & <c> "d" [e](https://x.org/?a=1&b=2 "t>i")\n\nN &amp; <script>x</script>',
        "| a | b |\n|---|---|\n| 1 & 2 | <b title='>'>3</b> |",
        "Kim Jong-un’s 서울은 &nbsp; &#x41;",
    ]:
        html = render_markdown(text)
        assert plain_text(html) == visible_text(html)


def test_plain_text_has_no_footnote_marks() -> None:
    """A footnote's number does not stick to the word before it ("Hello1" would not be found
    by "Hello"), and the note's way back (↩) is not text; the note itself is."""
    from builder.markup import plain_text

    html = render_markdown("Hello[^1] world, twice[^1] and *again*[^n].\n\n[^1]: A note.\n[^n]: Another.\n")
    assert "&#8617;" in html and 'class="footnote-ref"' in html
    text = plain_text(html)
    assert "Hello world, twice and again." in text
    assert "A note." in text and "Another." in text
    assert "↩" not in text and "8617" not in text and "\xa0" not in text and "1" not in text


def test_words_in_content_s_own_footnote_classed_links_are_searchable() -> None:
    """Content may give its own links the footnote classes; their words stay in the text that
    search, excerpts and the linkers read, as the reader sees them on the page."""
    from builder.htmltext import Document
    from builder.markup import plain_text

    html = render_markdown(
        'Seen <a class="footnote-backref" href="https://x.example/">hidden words</a> and '
        '<sup><a class="footnote-ref" href="#x">more words</a></sup>[^1].\n\n[^1]: A note.'
    )
    assert "Seen hidden words and more words." in plain_text(html)
    assert "Seen hidden words and more words" in Document(html).blocks[0].text


# -- plain paragraphs skip Markdown: the result must be exactly Markdown's ------------------

_PIECES = [
    "word",
    "a",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\n \n",
    "- ",
    "1. ",
    "2) ",
    ".",
    ")",
    "# ",
    "> ",
    "===",
    "---",
    "*",
    "_",
    "`",
    "[",
    "]",
    "(",
    "!",
    "<b>",
    "&",
    "|",
    "{: .x}",
    ":",
    "    ",
    "'",
    '"',
    "é",
    "\u00a0",
    "[^1]",
    "\n[^1]: note",
    "[a]: http://x",
    "*em*",
    "**b**",
    "[x](http://y)",
    "[a]",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_the_plain_paragraph_shortcut_gives_markdowns_html(text: str) -> None:
    """Any mix of plain paragraphs and Markdown blocks (lists, footnotes, references, HTML)."""
    assert markup._convert_fast(text, True) == markup._convert(text, True)


def test_the_shortcut_gives_markdowns_html_on_real_statements() -> None:
    """Real statements of the corpus (mostly plain prose) and the demo archive's, byte for byte."""
    texts = [path.read_text(encoding="utf-8") for path in sorted((PROJECT / "content").rglob("*.md"))]
    corpus = SHARED / "corpus" / "kcna-co-jp.jsonl"
    if corpus.is_file():
        with corpus.open(encoding="utf-8") as lines:
            texts += [json.loads(line)["body"] for line in itertools.islice(lines, 1500)]
    for text in texts:
        assert markup._convert_fast(text, True) == markup._convert(text, True)


def test_every_footnote_link_has_its_target() -> None:
    """Named notes ([^source]) and a note referred to twice keep the ids their links point
    to, and content cannot take an id outside the footnotes' own."""
    html = render_markdown(
        "One[^1], again[^1], named[^source].\n\nText\n{: #main }\n\n[^1]: First.\n[^source]: Where from.\n"
    )
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets == {"fn:1", "fnref:1", "fnref2:1", "fn:source", "fnref:source"}
    assert targets == set(re.findall(r'id="([^"]+)"', html))


def test_a_list_nested_past_what_markdown_reads_is_text_with_a_warning(tmp_path) -> None:
    """300 nested list levels (Python-Markdown recurses once a level and fails near 240)
    render as plain text, and loading says which paragraph, instead of a traceback."""
    from builder.content import load_archive
    from builder.markup import render_markdown

    nested = "".join("    " * level + f"- level {level}\n" for level in range(300))
    html = render_markdown("Before.\n\n" + nested + "\nAfter.")
    assert "<p>Before.</p>" in html and "<p>After.</p>" in html and "level 299" in html
    root = write_archive(
        tmp_path / "a",
        {
            "content/entities/gazette.md": "---\nname: Gazette\ntype: publication\n---\n",
            "content/statements/2020/deep-2020-01-01.md": (
                "---\ntitle: Deep\ndate: 2020-01-01\nsource: gazette\n---\nBefore.\n\n" + nested
            ),
        },
    )
    _, problems = load_archive(root, None, cache=False)
    assert [(p.line, "nests lists" in p.message) for p in problems] == [(8, True)]
