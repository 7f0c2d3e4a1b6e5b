"""Markdown to safe HTML: the only way text from content becomes markup.

Python-Markdown renders (footnotes, tables, attribute lists); nh3 (Rust's ammonia) then
keeps only an allow-list of tags, attributes and URL schemes, so raw HTML in a hostile
statement can never bring a script, an event handler or a `javascript:` URL.
"""

from __future__ import annotations

import html as html_lib
import re
import threading
from collections.abc import Iterator

import markdown
import markupsafe
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "lang", "title", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Ids and classes are kept only where the footnotes extension made them: an id from
# content could otherwise collide with the page's own anchors (#note-1, #main).
# The extension names them by the note's label ([^1], [^source]), and a note's second
# reference "fnref2:<label>".
_FOOTNOTE_ID = re.compile(r"^fn(ref[0-9]*)?:[\w.-]+\Z")
_FOOTNOTE_CLASSES = {"footnote", "footnote-ref", "footnote-backref"}

_local = threading.local()


def _markdown(footnotes: bool) -> markdown.Markdown:
    """One converter per thread and flavour: building one costs more than a conversion."""
    key = "md" if footnotes else "md_plain"
    md = getattr(_local, key, None)
    if md is None:
        extensions = ["tables", "attr_list"] + (["footnotes"] if footnotes else [])
        md = markdown.Markdown(
            extensions=extensions,
            extension_configs={"footnotes": {"BACKLINK_TITLE": "Back to the text"}} if footnotes else {},
            output_format="html",
        )
        setattr(_local, key, md)
    return md


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id":
        return value if _FOOTNOTE_ID.match(value) else None
    if name == "class":
        kept = [c for c in value.split() if c in _FOOTNOTE_CLASSES]
        return " ".join(kept) or None
    if name == "lang":
        return value if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value) else None
    if name == "dir":
        return value if value in ("ltr", "rtl", "auto") else None
    if name == "cite":  # nh3 checks the schemes of href and src only
        return value if _allowed_url(value) else None
    if name == "src":  # an image of another site would tell it who reads the page, and when
        return value if _on_this_site(value) else None
    return value


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _as_read(value: str) -> tuple[str, str | None]:
    """An address as a browser reads it (controls and spaces around it, tabs and newlines
    within ignored: "java\tscript:"), and its scheme, lowercased, if it has one."""
    url = re.sub(r"[\t\n\r]", "", value).strip("\x00- ")
    scheme = _SCHEME.match(url)
    return url, scheme.group(1).lower() if scheme else None


def _on_this_site(value: str) -> bool:
    """A relative address: no scheme, and not "//host/…" (another host, this scheme)."""
    url, scheme = _as_read(value)
    return scheme is None and not url.startswith(("//", "\\", "/\\"))


def _allowed_url(value: str) -> bool:
    """A relative URL, or one of URL_SCHEMES."""
    _, scheme = _as_read(value)
    return scheme is None or scheme in URL_SCHEMES


def sanitise(html: str) -> str:
    """Keep only safe markup; links get rel=noopener so a page cannot reach back."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str, *, footnotes: bool = True) -> str:
    """A statement body, note or description as safe HTML.

    Notes shown inside a statement page are rendered without footnotes, whose ids
    (fn:1) would clash with the body's own.
    """
    return sanitise(_convert_fast(text, footnotes)).replace(_BACK, "&#8617;")


# The footnotes' way back, which Python-Markdown writes as "&#8617;" and the sanitiser turns
# into the character. Written back as the reference: one character past U+00FF makes Python
# hold a whole text at two bytes a character, and the build holds every statement's HTML.
_BACK = "\u21a9"


def _convert(text: str, footnotes: bool) -> str:
    """Python-Markdown's HTML for text, not yet sanitised."""
    text = _tame(text)
    parts = _parts(text)
    html = []
    for number, part in enumerate(parts):
        md = _markdown(footnotes and number == 0)
        md.reset()
        try:
            html.append(md.convert(part))
        except RecursionError:  # nesting deep_blocks did not foresee: the part as text
            html.append("\n".join(_as_text(part[start:end]) for _, start, end in _paragraphs(part)))
    return "\n".join(html)


# Most paragraphs of real statements are prose in which Markdown finds nothing to do. Those
# are written as <p> directly (Markdown would give the same bytes at a hundred times the
# cost): Markdown reads the other blocks with a short stand-in for each plain one, so lists,
# footnotes and references work across them as before. A text with raw HTML, which can tie
# blocks together, goes through Markdown whole.
_PLAIN_BLOCK = re.compile(r"[^*_`\[\]<>&\\|~{}\x02\x03\t\r\x0b\x0c]*\Z")
_BLOCK_MARK = re.compile(r"^(?:\s|[#>+\-=*]|\d+[.)](?:\s|$))|  $", re.MULTILINE)
_TIES = re.compile(r"[<\r\t]|\A +\n|qxplainq")
_BLOCKS = re.compile(r"\n(?:[ \t]*\n)+")
_STAND_IN = re.compile(r"<p>qxplainq(\d+)q</p>")


def _is_plain(block: str) -> bool:
    return _PLAIN_BLOCK.match(block) is not None and _BLOCK_MARK.search(block) is None


def _convert_fast(text: str, footnotes: bool) -> str:
    """The same HTML as _convert, with plain paragraphs skipping Markdown."""
    if _TIES.search(text):
        return _convert(text, footnotes)
    blocks = [block for block in (b.strip("\n") for b in _BLOCKS.split(text)) if block]
    plain = [i for i, block in enumerate(blocks) if _is_plain(block)]
    if len(plain) == len(blocks):
        return "\n".join(f"<p>{block}</p>" for block in blocks)
    if len(plain) < len(blocks) // 4:
        return _convert(text, footnotes)  # hardly worth it
    stood_in = blocks.copy()
    for i in plain:
        stood_in[i] = f"qxplainq{i}q"
    html = _convert("\n\n".join(stood_in), footnotes)
    restored, count = _STAND_IN.subn(lambda m: f"<p>{blocks[int(m.group(1))]}</p>", html)
    return restored if count == len(plain) else _convert(text, footnotes)


# Python-Markdown's block stage is quadratic in the number of paragraphs (it pops each from
# the front of a list). A text of 600,000 one-letter paragraphs would take minutes, so a
# text of more than MAX_BLOCKS paragraphs is read in parts of that many; footnotes are read
# in the first part only (their numbers would repeat across parts).
MAX_BLOCKS = 5000


def _parts(text: str) -> list[str]:
    if text.count("\n\n") <= MAX_BLOCKS:
        return [text]
    blocks = _BLOCK_SPLIT.split(text)
    return ["\n\n".join(blocks[i : i + MAX_BLOCKS]) for i in range(0, len(blocks), MAX_BLOCKS)]


# Python-Markdown's inline stage is quadratic in two ways a hostile text can exploit: every
# match rebuilds its paragraph (cost ~ square of the markup characters in it), and every
# "[" scans, in Python, to its "]" or to the paragraph's end. A paragraph of 100,000 "["
# would take hours. Such paragraphs are given to Markdown as raw HTML text instead, which it
# passes through untouched: the reader sees their characters as written, and the build
# stays within about two seconds a document. Units: one bracket-scan step (~0.4 µs).
INLINE_BUDGET = 5_000_000
_MARK_CHARS = "\\`*_[]!<&"
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")
_BRACKETS = re.compile(r"[\[\]]")


def inline_cost(block: str) -> int:
    """Estimated work of Markdown's inline stage on one paragraph, in bracket-scan steps."""
    marks = sum(block.count(c) for c in _MARK_CHARS)
    scan = 0
    if "[" in block:
        opened: list[int] = []
        for match in _BRACKETS.finditer(block):
            if match.group() == "[":
                opened.append(match.start())
            elif opened:
                scan += match.start() - opened.pop()
        scan += sum(len(block) - start for start in opened)
    return scan + marks * marks // 64


def costly_blocks(text: str) -> list[tuple[int, int]]:
    """(line offset, cost) of the paragraphs shown as plain text, most costly first, until the
    rest of the document fits the budget. Empty for every ordinary text."""
    size, scan_bound = len(text), text.count("[") * len(text)
    if scan_bound + size * size // 64 <= INLINE_BUDGET:
        return []  # a bound on the whole text's cost: the common case, in a microsecond
    marks = sum(text.count(c) for c in _MARK_CHARS)
    if scan_bound + marks * marks // 64 <= INLINE_BUDGET:
        return []
    blocks = []
    for line, start, end in _paragraphs(text):
        cost = inline_cost(text[start:end])
        if cost:
            blocks.append((cost, line))
    total = sum(cost for cost, _ in blocks)
    chosen = []
    for cost, line in sorted(blocks, key=lambda b: (-b[0], b[1])):
        if total <= INLINE_BUDGET:
            break
        total -= cost
        chosen.append((line, cost))
    return chosen


def _paragraphs(text: str) -> Iterator[tuple[int, int, int]]:
    """(line offset, start, end) of each paragraph of text, as blank lines part them."""
    line = 0
    position = 0
    for gap in [*_BLOCK_SPLIT.finditer(text), None]:
        end = gap.start() if gap else len(text)
        yield line, position, end
        if gap:
            line += text.count("\n", position, gap.end())
            position = gap.end()


_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _as_text(block: str) -> str:
    """A paragraph as Markdown would show its characters (escapes and entities read), as raw HTML."""
    text = html_lib.unescape(_BACKSLASH_ESCAPE.sub(r"\1", block.strip()))
    return f"<p>{html_lib.escape(text, quote=False)}</p>"


# Python-Markdown reads each level of a nested list (4 columns of indentation) with one
# more level of recursion, and fails past about 240 levels; no real text nests a tenth of
# that. A paragraph with a line indented more than MAX_INDENT columns is shown as text.
MAX_INDENT = 400
_DEEP_LINE = re.compile(r"^[ \t]{100,}", re.MULTILINE)


def deep_blocks(text: str) -> list[int]:
    """Line offsets of the paragraphs nested too deeply to read as Markdown (usually none)."""
    if not _DEEP_LINE.search(text):
        return []
    return [
        line
        for line, start, end in _paragraphs(text)
        if any(len(m.group().expandtabs(4)) > MAX_INDENT for m in _DEEP_LINE.finditer(text, start, end))
    ]


def _tame(text: str) -> str:
    """The text with each over-costly or too deeply nested paragraph replaced by a raw <p>
    of its escaped text."""
    if len(text) < 2000:  # too short to cost more than the budget, or to nest that deep
        return text
    lines = {line for line, _ in costly_blocks(text)} | set(deep_blocks(text))
    if not lines:
        return text
    out = []
    previous = 0
    for line, start, end in _paragraphs(text):
        block = text[start:end]
        out += [text[previous:start], _as_text(block) if line in lines else block]
        previous = end
    return "".join(out)


def render_inline(text: str) -> str:
    """A short Markdown text (a note, a summary) without its wrapping paragraph."""
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


# A one-line text in which Markdown finds nothing to do: no inline markup characters, and
# no start that makes a block (heading, quote, list, indented code).
_PLAIN_INLINE = re.compile(r"[^*_`\[\]<>&\\\n\r!|~^=]*")
_BLOCK_START = re.compile(r"\s*(?:[#>+*-]|\d+[.)](?:\s|$))|\s{4}")


def render_summary(text: str) -> str:
    """A summary as inline HTML. Most are a plain sentence: those skip Markdown and the
    sanitiser, which would give the same text, escaped, at a hundred times the cost."""
    if _PLAIN_INLINE.fullmatch(text) and not _BLOCK_START.match(text):
        return str(markupsafe.escape(text.strip()))
    return render_inline(text)


_TAG = re.compile(r"""<(?:[^"'>]|"[^"]*"|'[^']*')*>""")


# The footnotes' marks, as the sanitiser leaves them: a reference's number (glued to the
# word before it, it would make "Hello1" of "Hello") and the note's way back ("\xa0&#8617;").
# Only those: content may give its own links these classes, and its words stay in the text.
_FOOTNOTE_MARKS = re.compile(
    r'<sup(?: id="fnref[^"]*")?><a class="footnote-ref" href="#fn:[^"]*"[^>]*>\d+</a></sup>'
    r'|(?:&nbsp;|\xa0)?<a class="footnote-backref" href="#fnref[^"]*"[^>]*>(?:&#8617;|\u21a9)(?:&#65038;|\ufe0e)?</a>'
)


def plain_text(html: str) -> str:
    """The text a reader sees of sanitised HTML: tags and footnote marks dropped, entities
    decoded: what search indexes and excerpts show, and the data's `text`.

    Valid for what `sanitise` returns (no comments, scripts or styles are left), and many
    times faster than parsing: it runs on every statement for search and excerpts.
    """
    return html_lib.unescape(_TAG.sub("", _FOOTNOTE_MARKS.sub("", html)))
