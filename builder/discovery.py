"""How search engines and link previews find and understand the archive.

sitemap.xml (with last-modified days taken from the content), robots.txt naming it, and
schema.org JSON-LD for statements and entities. JSON-LD sits in a <script> element, so a
hostile title could close it: every `<`, `>` and `&` in the JSON is written as a \\u escape,
which JSON parsers read back unchanged and HTML parsers never see as markup.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .feeds import xml_text
from .model import Entity, Statement

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_LIMIT = 50_000  # URLs per sitemap file, as the protocol allows

STATEMENT_TYPES = {
    "article": "NewsArticle",
    "commentary": "OpinionNewsArticle",
    "report": "Report",
    "press-release": "NewsArticle",
}  # every other kind is an Article
ENTITY_TYPES = {
    "person": "Person",
    "organization": "Organization",
    "country": "Country",
    "place": "Place",
    "publication": "NewsMediaOrganization",
    "event": "Event",
    "other": "Thing",
}
_JSON_IN_HTML = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_TAG = re.compile(r"""<(?:[^"'>]|"[^"]*"|'[^']*')*>""")
_BREAK = re.compile(r"</(?:p|li|h[1-6]|div|blockquote|td|th|dt|dd|tr|pre|aside)>|<br\s*/?>", re.IGNORECASE)


def modified(statement: Statement) -> dt.date:
    """The last day the content says anything happened to a statement."""
    days = [statement.date]
    days += [d for d in (statement.retrieved, statement.withdrawn) if d]
    days += [c.retrieved for c in statement.captures if c.retrieved]
    return max(days)


# -- sitemap and robots.txt -------------------------------------------------------------------


@dataclass(frozen=True)
class SitemapUrl:
    loc: str  # absolute
    lastmod: dt.date | None = None


def _urlset(urls: Sequence[SitemapUrl]) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>', f'<urlset xmlns="{SITEMAP_NS}">']
    for url in urls:
        lastmod = f"<lastmod>{url.lastmod.isoformat()}</lastmod>" if url.lastmod else ""
        lines.append(f"<url><loc>{xml_text(url.loc)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap_files(urls: Sequence[SitemapUrl], absolute: Any) -> list[tuple[str, bytes]]:
    """sitemap.xml, or past 50,000 URLs a sitemap index with its numbered parts.

    `absolute(rel)` makes a file's full URL (the index names its parts absolutely).
    """
    if len(urls) <= SITEMAP_LIMIT:
        return [("sitemap.xml", _urlset(urls))]
    files = []
    index = ['<?xml version="1.0" encoding="utf-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for number, start in enumerate(range(0, len(urls), SITEMAP_LIMIT), 1):
        part = urls[start : start + SITEMAP_LIMIT]
        name = f"sitemap-{number}.xml"
        files.append((name, _urlset(part)))
        days = [u.lastmod for u in part if u.lastmod]
        lastmod = f"<lastmod>{max(days).isoformat()}</lastmod>" if days else ""
        index.append(f"<sitemap><loc>{xml_text(absolute(name))}</loc>{lastmod}</sitemap>")
    index.append("</sitemapindex>")
    return [("sitemap.xml", ("\n".join(index) + "\n").encode("utf-8")), *files]


def robots_txt(sitemap_url: str) -> bytes:
    """Allow everything and name the sitemap (crawlers read robots.txt only at a host's root)."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n".encode()


# -- JSON-LD -----------------------------------------------------------------------------------


def json_ld(data: dict[str, Any]) -> Markup:
    """A JSON-LD data block that no string inside it can break out of."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return Markup('<script type="application/ld+json">' + text.translate(_JSON_IN_HTML) + "</script>")


def plain_text(html_text: str, limit: int = 300) -> str:
    """Visible text of a short piece of sanitised HTML, for descriptions."""
    return shorten(html.unescape(_TAG.sub("", _BREAK.sub(" ", html_text))), limit)


def shorten(text: str, limit: int = 300) -> str:
    """Text with its spaces made single, cut at a word to at most `limit` characters.

    Only the start of a long text is read: a statement can be megabytes long.
    """
    head = text if len(text) <= limit * 8 else text[: limit * 8]
    words = " ".join(head.split())
    if len(words) <= limit and head is not text:
        words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rsplit(" ", 1)[0] + "…"


def wikidata_url(qid: str | None) -> str | None:
    return f"https://www.wikidata.org/wiki/{qid}" if qid else None


def entity_ref(entity: Entity, url: str) -> dict[str, Any]:
    """An entity as other JSON-LD objects name it: type, name, page, Wikidata."""
    ref: dict[str, Any] = {
        "@type": ENTITY_TYPES.get(entity.type, "Thing"),
        "@id": url,
        "name": entity.name,
        "url": url,
    }
    if entity.wikidata:
        ref["sameAs"] = wikidata_url(entity.wikidata)
    return ref


def entity_ld(entity: Entity, url: str, description: str, site_name: str, site_url: str) -> dict[str, Any]:
    """An entity page as schema.org Person, Organization, Place, Country, Event or Thing."""
    data: dict[str, Any] = {"@context": "https://schema.org", **entity_ref(entity, url)}
    if entity.aliases:
        data["alternateName"] = list(entity.aliases)
    if description:
        data["description"] = description
    data["subjectOf"] = {"@type": "WebSite", "name": site_name, "url": site_url}
    return data


@dataclass(frozen=True)
class StatementFacts:
    """What a statement's JSON-LD says, resolved by the renderer (names, URLs)."""

    statement: Statement
    url: str
    source: dict[str, Any]  # entity_ref of the publication, or {"@type": "Organization", "name": ...}
    speaker: dict[str, Any] | None
    about: tuple[dict[str, Any], ...]  # entities it is tagged with
    mentions: tuple[dict[str, Any], ...]  # entities its text names, beyond the tagged ones
    site_name: str
    site_url: str
    description: str


def statement_ld(facts: StatementFacts) -> dict[str, Any]:
    """A statement as a schema.org article: dates, publisher, author, entities."""
    s = facts.statement
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": STATEMENT_TYPES.get(s.kind, "Article"),
        "@id": facts.url,
        "url": facts.url,
        "mainEntityOfPage": facts.url,
        "headline": s.title if len(s.title) <= 110 else s.title[:109] + "…",
        "name": s.title,
        "datePublished": s.date.isoformat(),
        "dateModified": modified(s).isoformat(),
        "inLanguage": s.language,
        "genre": s.kind,
        "publisher": facts.source,
        "isPartOf": {"@type": "WebSite", "name": facts.site_name, "url": facts.site_url},
    }
    if facts.speaker:
        data["author"] = facts.speaker
    if facts.description:
        data["description"] = facts.description
    if facts.about:
        data["about"] = list(facts.about)
    if facts.mentions:
        data["mentions"] = list(facts.mentions)
    if s.tags:
        data["keywords"] = ", ".join(s.tags)
    if s.source_url:
        data["isBasedOn"] = s.source_url
    return data


def website_ld(name: str, url: str, description: str, search_url: str) -> dict[str, Any]:
    """The home page: the site, and where its search is."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "WebSite", "name": name, "url": url}
    if description:
        data["description"] = description
    data["potentialAction"] = {
        "@type": "SearchAction",
        "target": search_url + "?q={search_term_string}",
        "query-input": "required name=search_term_string",
    }
    return data


def unique(refs: Iterable[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Entity references without repeats, in first-seen order."""
    seen: set[str] = set()
    out = []
    for ref in refs:
        if ref["@id"] not in seen:
            seen.add(ref["@id"])
            out.append(ref)
    return tuple(out)
