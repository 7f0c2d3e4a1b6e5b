"""Plain paragraphs to a Markdown body that renders as the same text, word for word.

Captured text is not Markdown: a paragraph starting "1." or "#" or "-", an asterisk, an
underscore at a word's edge, a "[" or a "<" would otherwise be rendered as a list, a
heading, emphasis, a link or raw HTML. Only such characters are escaped, so the body
stays readable in an editor; "<" becomes "&lt;" so no markup from a capture survives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_ENTITY_LIKE = re.compile(r"&(?=#|[A-Za-z])")  # browsers read "&copy" and "&#0" even without ";"
_LEADING_LIST = re.compile(r"^([-+])(?=\s|$|[-+\s]+$)")
_LEADING_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_INLINE = str.maketrans({"\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "{": "\\{", "<": "&lt;"})


def clean_paragraph(text: str) -> str:
    """One paragraph on one line: runs of spaces and line breaks made one space."""
    return _SPACES.sub(" ", text).strip()


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
    """The body: escaped paragraphs separated by one blank line, ending with a newline."""
    kept = [escape_paragraph(p) for p in paragraphs if clean_paragraph(p)]
    return "\n\n".join(kept) + "\n" if kept else ""


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
