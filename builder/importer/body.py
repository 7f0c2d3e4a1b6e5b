"""Plain paragraphs to a Markdown body that renders as the same text, word for word.

Captured text is not Markdown: a paragraph starting "1." or "#" or "-", an asterisk, an
underscore at a word's edge, a "[" or a "<" would otherwise be rendered as a list, a
heading, emphasis, a link or raw HTML. Only such characters are escaped, so the body
stays readable in an editor; "<" becomes "&lt;" so no markup from a capture survives.
What the document quotes (a page's <blockquote>) is written as a Markdown quote, so it
is never read as the statement's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import ESCAPE_SEQUENCE

_SPACES = re.compile(r"[ \t\r\n\f\v]+")
# Invisible format characters a page puts inside words (soft hyphens, zero-width spaces,
# word joiners, byte order marks): removed, since "prod\u00aduct" is never found by a
# search for "product". The zero-width (non-)joiners stay: Persian, Indic scripts and emoji
# spell with them. Control characters go too (vertical tab and form feed are spaces).
_INVISIBLE = re.compile(ESCAPE_SEQUENCE + "|[\u00ad\u200b\u2060\ufeff\x00-\x08\x0e-\x1f\x7f-\x9f]")
_ENTITY_LIKE = re.compile(r"&(?=#|[A-Za-z])")  # browsers read "&copy" and "&#0" even without ";"
_LEADING_LIST = re.compile(r"^([-+])(?=\s|$|[-+\s]+$)")
_LEADING_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_INLINE = str.maketrans({"\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "{": "\\{", "<": "&lt;"})


class Quoted(str):
    """A paragraph the document quotes (a page's <blockquote>), not its own words."""


def clean_paragraph(text: str) -> str:
    """One paragraph on one line: runs of spaces and line breaks made one space, and no
    invisible format characters."""
    return _SPACES.sub(" ", drop_invisible(text)).strip()


def drop_invisible(text: str) -> str:
    """The text without soft hyphens, zero-width spaces, word joiners, BOMs, and control
    characters with the escape sequences they start (the archive's loader drops those too:
    a statement reads back as it was written)."""
    return _INVISIBLE.sub("", text)


def escape_paragraph(text: str) -> str:
    """Markdown source for one paragraph of plain text."""
    text = _ENTITY_LIKE.sub("&amp;", clean_paragraph(text))
    text = text.translate(_INLINE)
    text = _escape_underscores(text)
    if text.startswith(("#", ">")):
        text = "\\" + text
    text = _LEADING_LIST.sub(r"\\\1", text)
    return _LEADING_NUMBER.sub(r"\1\\\2", text)


def to_markdown(paragraphs: Iterable[str]) -> str:
    """The body: escaped paragraphs separated by one blank line, ending with a newline;
    consecutive quoted paragraphs make one quote."""
    blocks: list[str] = []
    quoting = False
    for paragraph in paragraphs:
        if not clean_paragraph(paragraph):
            continue
        text = escape_paragraph(paragraph)
        if isinstance(paragraph, Quoted):
            text = ("\n>\n" if quoting else "") + "> " + text
            if quoting:
                blocks[-1] += text
                continue
        blocks.append(text)
        quoting = isinstance(paragraph, Quoted)
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _escape_underscores(text: str) -> str:
    """Escape `_` unless it sits inside a word (snake_case never becomes emphasis)."""
    if "_" not in text:
        return text
    out = []
    for i, char in enumerate(text):
        if char == "_":
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if not (before.isalnum() and after.isalnum()):
                out.append("\\_")
                continue
        out.append(char)
    return "".join(out)
