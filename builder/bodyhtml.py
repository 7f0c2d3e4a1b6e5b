"""A statement's linked HTML made ready for its page: headings in order, other scripts marked.

Both run on HTML that the sanitiser and the linkers wrote, so its tags are well formed;
the tag pattern still reads quoted attribute values whole, since a `>` may stand unescaped
inside one. Text between tags is only ever wrapped, never changed.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"""<(?:[^"'>]|"[^"]*"|'[^']*')*>""")
_HEADING = re.compile(r"<(/?)h([1-6])\b")

# Scripts written by one language only, so that a run of them can be marked with its
# language for screen readers and hyphenation. Han characters are shared by Chinese,
# Japanese and Korean, so they are never guessed.
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
SCRIPT_LANGUAGES = {"ko": _HANGUL}
_GAP = r"[\s\d.,;:!?·'\"“”‘’()\[\]\-–—]*"
_RUNS = {lang: re.compile(f"[{chars}]+(?:{_GAP}[{chars}]+)*") for lang, chars in SCRIPT_LANGUAGES.items()}
_ANY = {lang: re.compile(f"[{chars}]") for lang, chars in SCRIPT_LANGUAGES.items()}


def headings_in_order(html: str, top: int = 2) -> str:
    """Heading levels renumbered so none is skipped, the first at `top` (h2 under a page's h1).

    A body that jumps from ## to #### gets h2 then h3: screen-reader users navigate by
    heading level, and a skipped level reads as a missing section.
    """
    if "<h" not in html:
        return html
    stack: list[tuple[int, int]] = []  # (level written, level given)
    current: list[int] = []

    def renumber(match: re.Match[str]) -> str:
        closing, level = match.group(1), int(match.group(2))
        if closing:
            new = current.pop() if current else level
            return f"</h{new}"
        while stack and stack[-1][0] >= level:
            stack.pop()
        new = min(6, stack[-1][1] + 1 if stack else top)
        stack.append((level, new))
        current.append(new)
        return f"<h{new}"

    return _HEADING.sub(renumber, html)


def mark_languages(html: str, page_language: str) -> str:
    """Runs of a script of another language wrapped in <span lang="…">.

    A Korean phrase inside an English text is then read by a Korean voice.
    """
    base = page_language.split("-")[0].lower()
    for lang, any_char in _ANY.items():
        if lang == base or not any_char.search(html):
            continue
        run = _RUNS[lang]
        pieces = []
        position = 0
        for tag in _TAG.finditer(html):
            pieces.append(
                run.sub(
                    lambda m, lang=lang: f'<span lang="{lang}">{m.group(0)}</span>',
                    html[position : tag.start()],
                )
            )
            pieces.append(tag.group(0))
            position = tag.end()
        pieces.append(
            run.sub(lambda m, lang=lang: f'<span lang="{lang}">{m.group(0)}</span>', html[position:])
        )
        html = "".join(pieces)
    return html
