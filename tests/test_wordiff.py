"""Word-level diffs between versions of a statement: readable, exact, escaped, deterministic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.wordiff import paragraphs, word_diff_html


def test_one_changed_word_is_all_that_is_marked() -> None:
    """Only the word that changed is struck out and inserted; the rest reads as before."""
    old = "We reject the resolution.\n\nIt is null and void."
    new = "We reject the resolution.\n\nIt is wholly void."
    assert word_diff_html(old, new) == (
        "<p>We reject the resolution.</p>\n<p>It is <del>null and</del> <ins>wholly</ins> void.</p>"
    )


def test_added_and_removed_paragraphs_are_marked_whole() -> None:
    """A paragraph only the new text has is inserted whole; one only the old text has is deleted whole."""
    old = "First.\n\nGone paragraph.\n\nLast."
    new = "First.\n\nLast.\n\nAdded paragraph."
    assert word_diff_html(old, new) == (
        "<p>First.</p>\n<p><del>Gone paragraph.</del></p>\n<p>Last.</p>\n<p><ins>Added paragraph.</ins></p>"
    )


def test_everything_from_the_texts_is_escaped() -> None:
    """Markup in a capture shows as text in the diff, never as markup."""
    html = word_diff_html('<b onclick="x">old</b> & more', '<script>alert("new")</script> & more')
    assert "<b " not in html and "<script" not in html
    assert "&lt;script&gt;alert(&quot;new&quot;)&lt;/script&gt;" in html and "&amp; more" in html


def test_markdown_escapes_are_shown_as_the_characters() -> None:
    """The importer's escapes ("1\\.", "&lt;") read as the characters they stand for."""
    assert paragraphs("1\\. First \\*point\\* &lt;b&gt;\n\nsecond") == ["1. First *point* <b>", "second"]


def test_identical_texts_have_no_marks() -> None:
    """Two versions that differ only in spacing and line breaks show no change."""
    html = word_diff_html("A  text\nwrapped.\n\nTwo.", "A text wrapped.\n\n\nTwo.")
    assert "<del>" not in html and "<ins>" not in html


texts = st.lists(st.text(alphabet="ab <&>\"'*\n", min_size=0, max_size=30), min_size=0, max_size=5).map(
    "\n\n".join
)


@settings(max_examples=250, deadline=None)
@given(texts, texts)
def test_diff_reads_back_as_either_text(old: str, new: str) -> None:
    """Dropping <del> parts gives the new text; dropping <ins> parts gives the old one (word for word)."""
    import html as html_lib
    import re

    diff = word_diff_html(old, new)
    assert diff == word_diff_html(old, new)

    def words(markup: str, drop: str) -> list[str]:
        kept = re.sub(rf"<{drop}>.*?</{drop}>", " ", markup)
        return html_lib.unescape(re.sub(r"</?(?:p|del|ins)>", " ", kept)).split()

    assert words(diff, "del") == " ".join(paragraphs(new)).split()
    assert words(diff, "ins") == " ".join(paragraphs(old)).split()
