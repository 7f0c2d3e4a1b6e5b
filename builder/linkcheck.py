"""`archive check --links`: every internal link and anchor of a built site must resolve.

Run after a build: it reads the written HTML (and feeds), so it checks what readers get,
including pagination, annotation anchors (#note-N) and feed links.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import Problem
from .write import MARKER

_FEED_LINK = re.compile(r'<link[^>]*href="([^"]+)"')


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []
        self.base_path = "/"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key) and (key == "id" or tag == "a"):
                self.ids.add(str(values[key]))
        for key in ("href", "src"):
            value = values.get(key)
            if value and not (
                tag == "link" and values.get("rel") in ("canonical", "alternate") and value.startswith("http")
            ):
                self.links.append((value, self.getpos()[0]))


def check_links(site: Path, base_url_path: str | None = None) -> list[Problem]:
    """Broken internal links and anchors in every HTML page of the built site."""
    if not (site / MARKER).is_file():
        return [Problem(str(site), 0, "no built site here", "run `archive build` first, or pass --out")]
    pages = sorted(site.rglob("*.html"))
    ids: dict[Path, set[str]] = {}
    links: dict[Path, list[tuple[str, int]]] = {}
    for page in pages:
        collector = _Collector()
        collector.feed(page.read_text(encoding="utf-8"))
        ids[page] = collector.ids
        links[page] = collector.links
    base_path = base_url_path or _base_path(site)
    problems: list[Problem] = []
    for page in pages:
        rel_page = page.relative_to(site).as_posix()
        for href, line in links[page]:
            problem = _check_one(site, page, href, base_path, ids)
            if problem:
                problems.append(
                    Problem(rel_page, line, problem, "rebuild; if it persists, report it as a bug")
                )
    return problems


def _base_path(site: Path) -> str:
    """The base path the site was built for, read from the home page's canonical link."""
    home = site / "index.html"
    if home.is_file():
        match = re.search(r'<link rel="canonical" href="([^"]+)"', home.read_text(encoding="utf-8"))
        if match:
            return urlsplit(match.group(1)).path or "/"
    return "/"


def _check_one(site: Path, page: Path, href: str, base_path: str, ids: dict[Path, set[str]]) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None  # external: not ours to check
    if not parts.path:
        target = page
    elif parts.path.startswith("/"):
        if not parts.path.startswith(base_path):
            return f"link {href} is outside the site's base path {base_path}"
        target = site / unquote(parts.path[len(base_path) :])
    else:
        target = page.parent / unquote(parts.path)
    if target.is_dir() or parts.path.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return f"broken link: {href}"
    if parts.fragment and target.suffix == ".html":
        if target not in ids:
            return None
        if unquote(parts.fragment) not in ids[target]:
            return f"broken anchor: {href}"
    return None
