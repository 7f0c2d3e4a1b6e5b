"""`archive check --links`: every internal link and anchor of a built site must resolve.

Run after a build: it reads the written HTML pages, Atom feeds and sitemaps, so it checks
what readers and machines get, including pagination, annotation anchors (#note-N), feed
links and the site's own absolute addresses (canonical links, permalinks in feeds and
citations), which are mapped back to files through base_url.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import INFO, Problem, count_of
from .write import MARKER

HINT = "rebuild; if it persists, report it as a bug"
# The build writes every link of its own from the site's root; a relative one comes from a
# text of the archive (a statement's Markdown, an entity's description, a note).
CONTENT_HINT = (
    "it is in a text of the archive, the statement or entity this page shows: correct the link there"
)
FEED_TEXT_HINT = "it is in a statement's text that this feed carries: correct the link in the statement"
# In an XML file: attributes, sitemap locations, Atom ids, and links inside escaped HTML content.
_XML_URL = re.compile(
    r'\shref="([^"]*)"|<loc>([^<]*)</loc>|<id>([^<]*)</id>|\s(?:href|src)=&quot;(.*?)&quot;'
)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int, str | None]] = []  # whose a broken one is: see _page_hint

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key) and (key == "id" or tag == "a"):
                self.ids.add(str(values[key]))
        for key in ("href", "src"):
            value = values.get(key)
            if value:
                self.links.append((value, self.getpos()[0], None))


class _Site:
    """The built folder, the address it was built for, and the ids of each page."""

    def __init__(self, site: Path, base_url: str | None):
        self.folder = site
        self.base_url = base_url or ""
        self.base_path = (urlsplit(self.base_url).path or "/") if base_url else "/"
        self.ids: dict[Path, set[str]] = {}

    def check(self, page: Path, href: str) -> str | None:
        """What is wrong with one link of a page, or None."""
        if self.base_url and href.startswith(self.base_url):
            href = self.base_path + href[len(self.base_url) :]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            return None  # external: not ours to check
        if not parts.path:
            target = page
        elif parts.path.startswith("/"):
            if not parts.path.startswith(self.base_path):
                return f"link {href} is outside the site's base path {self.base_path}"
            target = self.folder / unquote(parts.path[len(self.base_path) :])
        else:
            target = page.parent / unquote(parts.path)
        if target.is_dir() or parts.path.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            return f"broken link: {href}"
        fragment = unquote(parts.fragment)
        if fragment and target.suffix == ".html" and fragment not in self.ids.get(target, {fragment}):
            return f"broken anchor: {href}"
        return None


def check_links(site: Path, base_url: str | None = None) -> list[Problem]:
    """Broken internal links and anchors in every page, feed and sitemap of the built site."""
    if not (site / MARKER).is_file():
        return [Problem(str(site), 0, "no built site here", "run `archive build` first, or pass --out")]
    built = _Site(site, base_url or _base_url(site))
    links: dict[Path, list[tuple[str, int, str | None]]] = {}  # href, line, whose it is if broken
    for page in sorted(site.rglob("*.html")):
        collector = _Collector()
        collector.feed(page.read_text(encoding="utf-8"))
        built.ids[page] = collector.ids
        links[page] = collector.links
    for xml in sorted(site.rglob("*.xml")):
        links[xml] = _xml_links(xml.read_text(encoding="utf-8"))
    problems: list[Problem] = []
    for page, found in links.items():
        rel_page = page.relative_to(site).as_posix()
        for href, line, hint in found:
            problem = built.check(page, href)
            if problem:
                problems.append(Problem(rel_page, line, problem, hint or _page_hint(href)))
    checked = sum(map(len, links.values()))
    problems.append(
        Problem(
            site.name,
            0,
            f"{count_of(checked, 'link')} in {count_of(len(links), 'file')} checked",
            severity=INFO,
        )
    )
    return problems


def _page_hint(href: str) -> str:
    """Whose a page's broken link is: a relative one is a text's, the build's own links
    start at the site's root."""
    relative = not urlsplit(href).scheme and not href.startswith(("/", "#"))
    return CONTENT_HINT if relative else HINT


def _xml_links(text: str) -> list[tuple[str, int, str | None]]:
    """The URLs of a feed or sitemap with their lines (entities decoded, as a reader decodes
    them), and whose each is: one inside an entry's escaped text is its statement's."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        for match in _XML_URL.finditer(line):
            raw = next(group for group in match.groups() if group is not None)
            escaped = match.group(4) is not None
            value = html.unescape(html.unescape(raw)) if escaped else html.unescape(raw)
            if value:
                found.append((value, number, FEED_TEXT_HINT if escaped else HINT))
    return found


def _base_url(site: Path) -> str | None:
    """The address the site was built for, read from the home page's canonical link."""
    home = site / "index.html"
    if home.is_file():
        match = re.search(r'<link rel="canonical" href="([^"]+)"', home.read_text(encoding="utf-8"))
        if match:
            return html.unescape(match.group(1))
    return None
