"""Word-level differences between two texts of a statement, as safe HTML.

State media edit published statements without notice; a reader comparing two captures
needs to see which words changed, not which lines. Paragraphs are matched first (so a
moved or added paragraph does not smear the whole text), then the words of each changed
paragraph. Everything from the texts is HTML-escaped: a capture can never become markup.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterator

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


def word_diff_html(old: str, new: str) -> str:
    """`<p>` per paragraph of the newer text, removed words in `<del>`, added in `<ins>`.

    Unchanged paragraphs are kept (readers need the context); a paragraph that only
    one side has is wholly inside `<del>` or `<ins>`. Output depends on the texts alone.
    """
    old_paras = paragraphs(old)
    new_paras = paragraphs(new)
    matcher = difflib.SequenceMatcher(None, old_paras, new_paras, autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(f"<p>{html.escape(p)}</p>" for p in new_paras[j1:j2])
            continue
        olds, news = old_paras[i1:i2], new_paras[j1:j2]
        for k in range(max(len(olds), len(news))):
            before = olds[k] if k < len(olds) else None
            after = news[k] if k < len(news) else None
            out.append(f"<p>{_paragraph_diff(before, after)}</p>")
    return "\n".join(out)


def paragraphs(text: str) -> list[str]:
    """The plain paragraphs of a statement body: Markdown escapes undone, spaces collapsed."""
    result = []
    for block in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").strip()):
        if "\\" in block:
            block = _MARKDOWN_ESCAPE.sub(r"\1", block)
        if "&" in block:
            block = _ENTITY.sub(lambda m: html.unescape(m.group(0)), block)
        words = block.split()
        if words:
            result.append(" ".join(words))
    return result


def _paragraph_diff(old: str | None, new: str | None) -> str:
    if old is None:
        return f"<ins>{html.escape(new or '')}</ins>"
    if new is None:
        return f"<del>{html.escape(old)}</del>"
    return " ".join(_word_spans(old.split(), new.split()))


def _word_spans(old: list[str], new: list[str]) -> Iterator[str]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield html.escape(" ".join(new[j1:j2]))
            continue
        if i2 > i1:
            yield f"<del>{html.escape(' '.join(old[i1:i2]))}</del>"
        if j2 > j1:
            yield f"<ins>{html.escape(' '.join(new[j1:j2]))}</ins>"
