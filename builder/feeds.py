"""Atom feeds (RFC 4287): the whole archive, each entity and each kind.

A feed reader follows a person or an organisation through its feed. Every date in a
feed comes from the content (a statement's date, retrieval or withdrawal), never from the
clock, so two builds of the same content give the same bytes and readers see no false
updates. Entry ids are the statements' permalinks: they never change, because a
statement's address never changes.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

ATOM_NS = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all, even escaped: dropped from hostile text.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TAG = re.compile(r"<[A-Za-z][^<>]*>")  # text holds no "<": a tag's attributes only, never quoted words
_ADDRESS = re.compile(r'(\s(?:href|src|cite)=")([^"]*)"')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def xml_text(value: str) -> str:
    """Text safe inside an XML element or a double-quoted attribute."""
    value = _NOT_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def timestamp(day: dt.date) -> str:
    """An Atom date-time for a day: midnight UTC, the same in every time zone."""
    return f"{day.isoformat()}T00:00:00Z"


def absolute_links(html: str, page_url: str) -> str:
    """Every address of the text (href, src, cite: "/archive/x/", "#note-1", "../x/") made
    absolute, as the page it is on reads it.

    A feed reader shows the text away from its page, and many ignore xml:base.
    """

    def absolute(m: re.Match[str]) -> str:
        address = m.group(2)
        if _SCHEME.match(address):
            return m.group()
        joined = urljoin(page_url, htmllib.unescape(address))
        return f'{m.group(1)}{joined.replace("&", "&amp;").replace(chr(34), "&quot;")}"'

    return _TAG.sub(lambda tag: _ADDRESS.sub(absolute, tag.group()), html)


@dataclass(frozen=True)
class FeedEntry:
    """One statement as a feed shows it."""

    url: str  # absolute permalink; also the entry's id
    title: str
    published: dt.date
    updated: dt.date
    author: str
    summary: str
    categories: tuple[str, ...] = ()
    language: str = ""
    content_html: str | None = None  # with absolute links; only the site feed carries text


@dataclass(frozen=True)
class Feed:
    title: str
    feed_url: str  # absolute; also the feed's id
    page_url: str  # absolute address of the page the feed follows
    author: str
    subtitle: str = ""
    language: str = ""


def entry_xml(entry: FeedEntry) -> str:
    """One <entry>; the caller caches it, since a statement is in several feeds."""
    lang = f' xml:lang="{xml_text(entry.language)}"' if entry.language else ""
    parts = [
        f"<entry{lang}>",
        f"<id>{xml_text(entry.url)}</id>",
        f'<title type="text">{xml_text(entry.title)}</title>',
        f'<link rel="alternate" type="text/html" href="{xml_text(entry.url)}"/>',
        f"<published>{timestamp(entry.published)}</published>",
        f"<updated>{timestamp(entry.updated)}</updated>",
        f"<author><name>{xml_text(entry.author)}</name></author>",
    ]
    parts += [f'<category term="{xml_text(term)}"/>' for term in entry.categories]
    if entry.summary:
        parts.append(f'<summary type="text">{xml_text(entry.summary)}</summary>')
    if entry.content_html is not None:
        parts.append(f'<content type="html">{xml_text(entry.content_html)}</content>')
    parts.append("</entry>")
    return "".join(parts)


def feed_xml(feed: Feed, entries: Iterable[tuple[dt.date, str]]) -> bytes:
    """A complete Atom document from (updated, entry xml) pairs, newest first.

    The feed's <updated> is the newest entry's: content-derived, so stable across builds.
    A feed without entries takes the Unix epoch rather than the build time.
    """
    items = list(entries)
    updated = max((day for day, _ in items), default=dt.date(1970, 1, 1))
    lang = f' xml:lang="{xml_text(feed.language)}"' if feed.language else ""
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}"{lang}>',
        f"<id>{xml_text(feed.feed_url)}</id>",
        f'<title type="text">{xml_text(feed.title)}</title>',
    ]
    if feed.subtitle:
        head.append(f'<subtitle type="text">{xml_text(feed.subtitle)}</subtitle>')
    head += [
        f"<updated>{timestamp(updated)}</updated>",
        f"<author><name>{xml_text(feed.author)}</name></author>",
        f'<link rel="self" type="application/atom+xml" href="{xml_text(feed.feed_url)}"/>',
        f'<link rel="alternate" type="text/html" href="{xml_text(feed.page_url)}"/>',
        "<generator>annotated-archive</generator>",
    ]
    body = "\n".join(xml for _, xml in items)
    return ("\n".join(head) + "\n" + body + ("\n" if body else "") + "</feed>\n").encode("utf-8")
