"""What both search indexes are made of: one plain record per statement page and entity page.

The pipeline builds these once from the linked archive; the readers' index (Pagefind) and the
maintainers' index (whoosh) read only these, so neither needs the archive, the templates or
the written HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

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
