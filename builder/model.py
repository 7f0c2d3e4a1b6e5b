"""The archive's records: plain, frozen data passed from one pipeline stage to the next.

Relations are stored as ids (never object references) so that stages stay independent
and records can be cached and compared by value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

KINDS = (
    "statement",
    "article",
    "commentary",
    "speech",
    "report",
    "press-release",
    "interview",
    "letter",
)
ENTITY_TYPES = ("person", "organization", "country", "place", "publication", "event", "other")
REFERENCE_TYPES = ("refers-to", "responds-to", "reiterates", "refutes", "quotes", "follows-up")

# How each reference type reads from the cited statement's side ("Responded to by …").
REFERENCE_INVERSE_LABELS = {
    "refers-to": "Referenced by",
    "responds-to": "Responded to by",
    "reiterates": "Reiterated by",
    "refutes": "Refuted by",
    "quotes": "Quoted by",
    "follows-up": "Followed up by",
}
REFERENCE_LABELS = {
    "refers-to": "Refers to",
    "responds-to": "Responds to",
    "reiterates": "Reiterates",
    "refutes": "Refutes",
    "quotes": "Quotes",
    "follows-up": "Follows up",
}


@dataclass(frozen=True)
class Annotation:
    """An editor's note anchored to a passage of a statement's body."""

    quote: str
    note: str
    occurrence: int = 1
    line: int = 0


@dataclass(frozen=True)
class Reference:
    """A statement this one refers or replies to, with the kind of relation."""

    id: str
    type: str = "refers-to"
    line: int = 0


@dataclass(frozen=True)
class Capture:
    """Provenance of one raw capture a statement was imported from."""

    sha256: str
    file: str  # path under content/, e.g. captures/2019/ab12….txt
    retrieved: dt.date | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class Statement:
    """One statement, as its file says; the id is the file's stem."""

    id: str
    path: str  # relative to the site root, posix form, for messages
    title: str
    date: dt.date
    source: str
    kind: str = "article"
    speaker: str | None = None
    entities: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str | None = None
    language: str = "en"
    source_url: str | None = None
    retrieved: dt.date | None = None
    annotations: tuple[Annotation, ...] = ()
    withdrawn: dt.date | None = None
    captures: tuple[Capture, ...] = ()
    body: str = ""  # Markdown
    body_line: int = 1  # line of the file where the body starts
    lines: tuple[tuple[str, int], ...] = ()  # front-matter key -> line, for messages
    content_hash: str = ""

    def line_of(self, key: str) -> int:
        """The line of a front-matter key, or 1 when the key is absent."""
        return dict(self.lines).get(key, 1)


@dataclass(frozen=True)
class Entity:
    """A person, organisation, country, place, publication, event or other named thing."""

    id: str
    path: str
    name: str
    type: str = "other"
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    description: str = ""  # Markdown
    lines: tuple[tuple[str, int], ...] = ()
    content_hash: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The name and every alias: what a mention may look like."""
        return (self.name, *self.aliases)

    def line_of(self, key: str) -> int:
        return dict(self.lines).get(key, 1)


@dataclass(frozen=True)
class Version:
    """An earlier or later text of a statement, as a capture recorded it."""

    statement_id: str
    number: int
    path: str
    body: str
    retrieved: dt.date | None = None
    sha256: str | None = None
    capture: str | None = None


@dataclass(frozen=True)
class SiteConfig:
    """Settings from site.yaml, with defaults filled in."""

    title: str = "Annotated archive"
    description: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    page_size: int = 50
    home_size: int = 20
    feed_size: int = 50
    link_mentions: str = "first"  # or "all"
    related_count: int = 5
    search_shards: int = 2  # the most shards the readers' search index is cut into
    max_file_bytes: int = 2_000_000
    author: str = ""
    license: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True)
class Archive:
    """Everything loaded and validated: the input of the link stage."""

    root: str
    config: SiteConfig
    statements: dict[str, Statement]
    entities: dict[str, Entity]
    versions: dict[str, tuple[Version, ...]] = field(default_factory=dict)
