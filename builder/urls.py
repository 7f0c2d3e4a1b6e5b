"""Every address of the site, in one place, honouring base_url's path.

GitHub Pages serves project sites from a subpath (/archive/), so every internal link is
made here: `Urls.path("statements/x/")` gives "/archive/statements/x/".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from urllib.parse import quote, urlsplit

SEARCH_BUNDLE = "pagefind"  # the readers' search index, a folder the search stage writes whole


class Urls:
    def __init__(self, base_url: str):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.base_path = urlsplit(self.base_url).path or "/"

    def path(self, rel: str = "") -> str:
        """Site-absolute path for a page or file given relative to the site's root."""
        return self.base_path + quote(rel.lstrip("/"), safe="/#?=&%:~.-_")

    def absolute(self, rel: str = "") -> str:
        """Full URL, for feeds, sitemaps, canonical links and citations."""
        return self.base_url + quote(rel.lstrip("/"), safe="/#?=&%:~.-_")


def statement(statement_id: str) -> str:
    return f"statements/{statement_id}/"


def versions(statement_id: str) -> str:
    return f"statements/{statement_id}/versions/"


def entity(entity_id: str) -> str:
    return f"entities/{entity_id}/"


def day(date: dt.date) -> str:
    return f"dates/{date.year:04d}/{date.month:02d}/{date.day:02d}/"


def month(year: int, month_number: int) -> str:
    return f"dates/{year:04d}/{month_number:02d}/"


def year(year_number: int) -> str:
    return f"dates/{year_number:04d}/"


def kind(kind_name: str) -> str:
    return f"kinds/{kind_name}/"


def tag(tag_name: str) -> str:
    return f"tags/{tag_slug(tag_name)}/"


def page(list_rel: str, number: int) -> str:
    """Page N of a paginated list; page 1 is the list's own address."""
    return list_rel if number <= 1 else f"{list_rel}page/{number}/"


def tag_slug(name: str) -> str:
    """A tag's folder name: ASCII letters and digits where possible, never empty."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if slug:
        return slug
    # A tag in a non-Latin script keeps its letters and digits; everything else (dots, slashes,
    # control characters) goes, so that no tag (such as "..") names a folder outside tags/.
    # A tag of none (emoji, punctuation) is named by a hash of itself: its own page.
    kept = re.sub(r"[\W_]+", "-", name.lower()).strip("-")
    return kept or "tag-" + hashlib.blake2s(name.encode("utf-8"), digest_size=4).hexdigest()


def output_file(rel: str) -> str:
    """The file a page address is written to: folders get index.html."""
    return rel + "index.html" if rel.endswith("/") or rel == "" else rel


SAFE_CAPTURE_SUFFIXES = (".txt", ".json", ".jsonl")


def capture(file: str) -> str:
    """Where a raw capture is published: a saved web page is served as plain text.

    A capture of a hostile page served as .html from the archive's own address would run
    its scripts as the archive; with a .txt suffix every host serves it as text.
    """
    rel = file.lstrip("/")
    return rel if rel.lower().endswith(SAFE_CAPTURE_SUFFIXES) else rel + ".txt"
