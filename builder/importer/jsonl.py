"""JSON Lines: one document a line, with the fields of the statements corpus.

Each line's own bytes are its capture (kept as captures/YYYY/<sha256>.json), so every
statement points at exactly the record it came from and a re-run recognises each line
by its hash. A bad line is refused with its line number; the other lines still import.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any

from .capture import text_paragraphs, without_end_mark
from .dates import parse_iso_day
from .draft import Draft, refused
from .htmlpage import http_url

_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*\Z")
_TEXT_FIELDS = ("title", "source", "speaker", "url", "lang", "body", "retrieved")


def count_documents(data: bytes) -> int:
    return sum(1 for line in data.split(b"\n") if line.strip())


def read_jsonl(origin: str, data: bytes) -> Iterator[Draft]:
    """A Draft per non-empty line, or a refusal naming the line and what is wrong."""
    for number, raw in enumerate(data.split(b"\n"), 1):
        line = raw.rstrip(b"\r")
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)  # as a Windows editor saves UTF-8
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            yield refused(where, "the line is not UTF-8 text", "save the file as UTF-8")
            continue
        except json.JSONDecodeError as err:
            yield refused(
                where,
                f"not valid JSON ({err.msg.removesuffix(' starting at')} at column {err.colno})",
                "fix or remove the line",
            )
            continue
        yield _draft(where, line, record)


def _draft(where: str, line: bytes, record: Any) -> Draft:
    if not isinstance(record, dict):
        return refused(where, "the line is not a JSON object", "write one {…} document per line")
    for key in _TEXT_FIELDS:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            return refused(where, f"'{key}' must be text, not {type(value).__name__}")
        if isinstance(value, str) and _has_lone_surrogate(value):
            return refused(where, f"'{key}' holds an invalid character (a lone surrogate)", "fix the text")
    body = record.get("body") or ""
    if not body.strip():
        return refused(where, "the document has no 'body' text")
    draft = Draft(origin=where, capture=line, capture_ext="json")
    draft.paragraphs = without_end_mark(text_paragraphs(body))
    draft.title = (record.get("title") or "").strip() or None
    draft.speaker = (record.get("speaker") or "").strip() or None
    url = (record.get("url") or "").strip()
    draft.source_url = http_url(url)
    if url and draft.source_url is None:
        draft.notes.append(f"left out 'url' {url[:60]!r}: not an http(s) address")
    lang = (record.get("lang") or "").strip().lower()
    draft.language = lang if _LANGUAGE.match(lang) else None
    if record.get("source"):
        draft.publication_names.append(record["source"].strip())
    _read_dates(draft, record)
    return draft


def _read_dates(draft: Draft, record: dict[str, Any]) -> None:
    date = record.get("date")
    if date is not None:
        day = parse_iso_day(str(date))
        if day is None:  # refused, unless --date gives the day (see plan.resolve_date)
            draft.date_issue = (
                f"'date' is {json.dumps(date, ensure_ascii=False)[:60]}, not a real day written YYYY-MM-DD"
            )
        else:
            draft.date, draft.date_from = day, "the record's 'date'"
    year = record.get("year")
    if isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 2999:
        draft.year = year
    retrieved = record.get("retrieved")
    if isinstance(retrieved, str):
        draft.retrieved = parse_iso_day(retrieved[:10])


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
