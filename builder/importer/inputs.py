"""Input files to Drafts: plain text, saved HTML or JSON Lines, chosen by the extension."""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from ..korean import HANGUL
from .body import clean_paragraph
from .capture import TextCapture, parse_text, split_statements
from .dates import date_line, find_dates, parse_iso_day
from .describe import describe
from .draft import Draft, refused
from .htmlpage import extract_page, http_url
from .ids import HAN
from .jsonl import count_documents, read_jsonl
from .leads import Lead

KINDS_OF_FILE = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
SUPPORTED = "plain text (.txt), saved pages (.html, .htm) or JSON Lines (.jsonl)"


def expand(paths: list[str]) -> list[tuple[str, Path | None]]:
    """(shown name, file) for each input; folders give their supported files, sorted."""
    found: list[tuple[str, Path | None]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    full = Path(dirpath) / name
                    if not name.startswith(".") and full.suffix.lower() in KINDS_OF_FILE:
                        found.append((str(full), full))
        elif path.exists():
            found.append((given, path))
        else:
            found.append((given, None))
    return found


def count(path: Path | None) -> int:
    """How many documents a file holds (for the progress bar, and --id naming only one)."""
    kind = KINDS_OF_FILE.get(path.suffix.lower()) if path is not None else None
    if path is None or kind not in ("jsonl", "text") or not path.is_file():
        return 1
    try:
        data = path.read_bytes()
        if kind == "text":
            return len(split_statements(data.decode("utf-8-sig")))
        return max(1, count_documents(data))
    except (OSError, UnicodeDecodeError):
        return 1


def read_input(shown: str, path: Path | None) -> Iterator[Draft]:
    """Every document of one input file, each a Draft (or a refusal saying why not)."""
    if path is None:
        yield refused(shown, "no such file or folder", "check the path")
        return
    kind = KINDS_OF_FILE.get(path.suffix.lower())
    if kind is None:
        yield refused(
            shown,
            f"'{path.suffix or path.name}' is not a kind of file the importer reads",
            f"import {SUPPORTED}",
        )
        return
    if not path.is_file():  # a pipe or device would be read for ever
        yield refused(shown, "not a regular file (a pipe, socket or device)", "import a saved file")
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        yield refused(shown, f"cannot read the file ({err.strerror})")
        return
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        yield refused(shown, "the file is UTF-16 text", "save it as UTF-8")
        return
    if b"\x00" in data[:65536]:
        yield refused(shown, "binary file (it contains NUL bytes)", f"import {SUPPORTED}")
        return
    if kind == "text" and data[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html")):
        kind = "html"  # a page saved with the wrong extension
    if kind == "jsonl":
        for draft in read_jsonl(shown, data):
            yield _described(draft)
        return
    if kind == "html":
        yield _described(_read_html(shown, data))
        return
    for draft in _read_text(shown, data):
        yield _described(draft)


# Headers that name one document: a part split from a capture does not take them from the first.
_OWN_HEADERS = frozenset({"url", "source url", "link", "title", "headline", "date", "published"})


def _read_text(shown: str, data: bytes) -> Iterator[Draft]:
    """One Draft, or one per statement when the capture holds several (each a headline and a
    dateline), each with its own lines' bytes as its capture and its first line in its origin."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        yield refused(f"{shown}:{line}", "the file is not UTF-8 text", "save it as UTF-8")
        return
    parts = split_statements(text)
    if len(parts) == 1:
        yield _text_draft(shown, data, parse_text(text))
        return
    first = parse_text(parts[0][1])
    shared = {k: v for k, v in first.headers.items() if k not in _OWN_HEADERS}
    bom = data[: len(data) - len(text.encode("utf-8"))]  # kept with the first part
    for number, part in parts:
        cap = first if number == 1 else parse_text(part, shared)
        yield _text_draft(f"{shown}:{number}", (bom if number == 1 else b"") + part.encode("utf-8"), cap)


def _text_draft(shown: str, data: bytes, cap: TextCapture) -> Draft:
    draft = Draft(origin=shown, capture=data, capture_ext="txt", paragraphs=cap.paragraphs)
    headers = cap.headers
    draft.title = headers.get("title") or headers.get("headline") or cap.title
    draft.source_url = http_url(headers.get("url") or headers.get("source url") or headers.get("link"))
    for key in ("retrieved", "captured", "accessed", "saved"):
        if key in headers:
            draft.retrieved = _full_date(headers[key])
            break
    stated = headers.get("date") or headers.get("published")
    if stated and _full_date(stated):
        draft.date, draft.date_from = _full_date(stated), "the capture's Date line"
    elif cap.head_date is not None and cap.head_date.year is not None:
        draft.date, draft.date_from = cap.head_date.resolve(), f"the date line '{cap.head_date.text}'"
    elif cap.head_date is not None:
        draft.day = cap.head_date
    if cap.year is not None:
        draft.year, draft.year_from = cap.year, "the text"
    draft.publication_names = list(cap.publication_names)
    draft.leads = [Lead(text, date, shown) for text, date in cap.leads]
    draft.notes = [f"left out {what}" for what in cap.dropped]
    return draft


def _full_date(value: str):
    day = parse_iso_day(value[:10])
    if day is not None:
        return day
    written = date_line(value) or next(iter(find_dates(value)), None)
    return written.resolve() if written is not None and written.year is not None else None


def _read_html(shown: str, data: bytes) -> Draft:
    try:
        page = extract_page(data)
    except Exception as err:  # a hostile page must not stop a bulk import
        return refused(shown, f"the page could not be read ({type(err).__name__})", "save it again as HTML")
    if page is None:
        return refused(
            shown, "no article text found in the page", "is it an index page? save the article's own page"
        )
    draft = Draft(origin=shown, capture=data, capture_ext="html", paragraphs=page.paragraphs)
    draft.title = page.title
    draft.date, draft.date_from = page.date, page.date_from
    draft.source_url = page.url or page.saved_url
    draft.retrieved = page.retrieved
    draft.language = page.language
    hosts = [urlsplit(u).hostname for u in (page.url, page.saved_url) if u]
    draft.hostnames = [h for h in dict.fromkeys([*hosts, page.hostname]) if h]
    # A page that names no site is named by its address (a new publication "bundespolizei.de").
    site = page.sitename or next((h.casefold().removeprefix("www.") for h in draft.hostnames), None)
    draft.publication_names = [site] if site else []
    draft.site_names = page.site_names
    draft.notes = list(page.notes)
    draft.leads = [Lead(text, date, shown) for text, date in page.leads]
    return draft


def _described(draft: Draft) -> Draft:
    """Kind, speaker, derived title and the day the opening names, from the text itself."""
    if draft.problem:
        return draft
    draft.title = clean_paragraph(draft.title or "") or None
    draft.speaker = clean_paragraph(draft.speaker or "") or None
    desc = describe(draft.paragraphs, draft.title)
    draft.kind = draft.kind or desc.kind
    draft.speaker = draft.speaker or desc.speaker
    draft.derived_title = desc.title
    if draft.day is None:
        draft.day = desc.day
    if desc.agency:
        draft.publication_names.append(desc.agency)
    draft.language = draft.language or script_language(draft.paragraphs)
    return draft


# Scripts that name their language (Cyrillic or Latin letters do not); Hangul as the
# Korean analysis finds it.
_KANA = re.compile("[\u3040-\u30ff]")
_HAN = re.compile(f"[{HAN}]")
_HEBREW = re.compile("[\u05d0-\u05ea]")
_ARABIC = re.compile("[\u0620-\u064a\u0671-\u06d3\u0750-\u077f]")
# Letters Arabic does not use: Persian's (پ چ ژ گ), and Urdu's besides (ٹ ڈ ڑ ں ے).
_PERSIAN = re.compile("[\u067e\u0686\u0698\u06af]")
_URDU = re.compile("[\u0679\u0688\u0691\u06ba\u06d2]")
_LETTER = re.compile(r"[^\W\d_]")


def script_language(paragraphs: list[str]) -> str | None:
    """ko, ja, zh, he, or ar, fa or ur, when most letters of a capture that states no
    language are in that language's script (pages read aloud, searched and laid out right to
    left in the right language); else None."""
    sample = "".join(paragraphs)[:20000]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return None
    counts = (len(pattern.findall(sample)) for pattern in (HANGUL, _KANA, _HAN, _HEBREW, _ARABIC))
    hangul, kana, han, hebrew, arabic = counts
    if hangul > letters / 2:
        return "ko"
    if kana and kana + han > letters / 2:
        return "ja"
    if han > letters / 2:
        return "zh"
    if hebrew > letters / 2:
        return "he"
    if arabic > letters / 2:
        return "ur" if _URDU.search(sample) else "fa" if _PERSIAN.search(sample) else "ar"
    return None
