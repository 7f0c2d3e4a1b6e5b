"""Markdown to safe HTML: the only way text from content becomes markup.

Python-Markdown renders (footnotes, tables, attribute lists); nh3 (Rust's ammonia) then
keeps only an allow-list of tags, attributes and URL schemes, so raw HTML in a hostile
statement can never bring a script, an event handler or a `javascript:` URL.
"""

from __future__ import annotations

import html as html_lib
import re
import threading

import markdown
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
_FOOTNOTE_ID = re.compile(r"^fn(ref)?:[0-9]+(-[0-9]+)?$")
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
    return value


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
    md = _markdown(footnotes)
    md.reset()
    return sanitise(md.convert(text))


def render_inline(text: str) -> str:
    """A short Markdown text (a note, a summary) without its wrapping paragraph."""
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


_TAG = re.compile(r"""<(?:[^"'>]|"[^"]*"|'[^']*')*>""")


def plain_text(html: str) -> str:
    """The text a reader sees of sanitised HTML: tags dropped, entities decoded.

    Valid for what `sanitise` returns (no comments, scripts or styles are left), and many
    times faster than parsing: it runs on every statement for search and excerpts.
    """
    return html_lib.unescape(_TAG.sub("", html))
