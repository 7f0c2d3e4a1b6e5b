"""What both search indexes are made of: one plain record per statement page and entity page.

The pipeline builds these once from the linked archive; the readers' index (Pagefind) and the
maintainers' index (whoosh) read only these, so neither needs the archive, the templates or
the written HTML.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields

PAGE_KINDS = ("statement", "entity")


@dataclass(frozen=True)
class SearchRecord:
    """One searchable page, with display values already resolved (names, not ids)."""

    id: str
    page: str  # "statement" or "entity"
    url: str  # site-absolute path including base_url's path, e.g. "/archive/statements/x/"
    title: str
    date: str | None  # ISO date, None for entity pages
    year: str | None
    source_id: str
    source: str  # display name of the source
    kind: str
    speaker: str  # display name, "" when none
    entities: tuple[str, ...]  # entity ids the page is about or mentions
    entity_names: tuple[str, ...]  # display names, same order as entities
    aliases: tuple[str, ...]  # other names of an entity page
    language: str  # "en", "ko", …
    text: str  # plain visible text of the body
    summary: str
    content_hash: str  # sha256 of what is indexed: a changed hash means re-index
    speaker_id: str = ""  # entity id of the speaker, for `archive search speaker:<id>`

    @property
    def key(self) -> str:
        """Unique across pages: a statement and an entity may share an id."""
        return f"{self.page}:{self.id}"

    def digest(self, url: str | None = None) -> str:
        """sha256 of every field an index reads (a renamed entity changes its statements' too).

        Each value is length-prefixed, so no text can imitate a field boundary. url replaces
        the record's URL (the readers' index stores it relative to the site's path).
        """
        digest = hashlib.sha256()
        for name in HASHED_FIELDS:
            value = url if name == "url" and url is not None else getattr(self, name)
            parts = value if isinstance(value, tuple) else (value,)
            digest.update(f"{name}{len(parts)}".encode())
            for part in parts:
                raw = ("" if part is None else str(part)).encode("utf-8")
                digest.update(b"%d:" % len(raw) + raw)
        return digest.hexdigest()


# content_hash is the source file's hash: the fields above already say what is indexed.
HASHED_FIELDS = tuple(f.name for f in fields(SearchRecord) if f.name != "content_hash")
