"""A document read from a capture, before the archive decides what to do with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .dates import TextDate
from .leads import Lead


@dataclass
class Draft:
    """Everything one capture states about one document; nothing inferred from elsewhere."""

    origin: str  # for messages: the input path, with ":line" for JSON Lines
    capture: bytes  # the bytes kept byte for byte under content/captures/
    capture_ext: str  # txt, html, json …
    paragraphs: list[str] = field(default_factory=list)
    title: str | None = None  # the document's own title
    date: dt.date | None = None  # a full date the document states
    date_from: str = ""  # where that date was read, for the report
    day: TextDate | None = None  # a day the opening names, maybe without a year
    year: int | None = None  # a year known without its day (e.g. a corpus's `year`)
    year_from: str = "the record's 'year'"  # where that year was read, for the report
    date_issue: str = ""  # a stated date that is no real day: refused unless --date gives one
    kind: str | None = None
    speaker: str | None = None
    derived_title: str | None = None
    publication_names: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)  # names a page shows for its site
    hostnames: list[str] = field(default_factory=list)
    source_url: str | None = None
    retrieved: dt.date | None = None
    language: str | None = None
    leads: list[Lead] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problem: str | None = None  # why the capture cannot be read (then nothing else is set)
    hint: str = ""


def refused(origin: str, message: str, hint: str = "") -> Draft:
    return Draft(origin=origin, capture=b"", capture_ext="", problem=message, hint=hint)
