"""Data for researchers: the statements, entities and link graph as plain files under /data/.

The statements come one part a year (see statement_parts), as statements/<part>.jsonl and
.csv, which hold the same records: every front-matter field, the Markdown body and its
plain text, so that a statement can be rebuilt from either file. index.json lists them.
In the CSV, list and object fields are JSON text, and a cell that starts with = + - @ ' or
a tab or carriage return gets one ' in front: spreadsheets run such cells as formulas, a
door a hostile title could otherwise open on a researcher's machine. Strip that one ' to
read the data back (`read_csv` does).

graph/<part>.json is the part's statements as a network in the node-link form networkx
reads (`networkx.node_link_graph(data, edges="links")`): statements, and the entities, days,
months and statements they link to, as nodes, the relations as typed links; composing the
parts gives the archive's whole graph.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import itertools
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import urls
from .link import Links
from .mentions import MentionCount
from .model import Archive, Statement

STATEMENT_FIELDS = (
    "id", "url", "title", "date", "source", "kind", "speaker", "entities", "mentions", "references",
    "tags", "summary", "language", "source_url", "retrieved", "withdrawn", "annotations", "body", "text",
)  # fmt: skip
LIST_FIELDS = frozenset({"entities", "mentions", "references", "tags", "annotations"})
# Never null, though they may be empty (a statement without text): "" stays "" read back.
TEXT_FIELDS = frozenset({"id", "url", "title", "date", "source", "kind", "language", "body", "text"})
_FORMULA_START = ("=", "+", "-", "@", "'", "\t", "\r")


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


# What a statement's record is made from: the statement, and the mentions and plain text
# linking found in it (everything else it holds comes from the statement's own file).
RecordInputs = tuple[Statement, tuple[MentionCount, ...], str]


def record_inputs(s: Statement, links: Links) -> RecordInputs:
    linked = links.statements[s.id]
    return s, linked.mentions, linked.text


def record_key(inputs: RecordInputs) -> tuple[str, str, tuple[MentionCount, ...], bytes]:
    """What a record is made from, in a few bytes: the statement's file, by path and content
    hash (a statement is parsed from its file and the settings alone, which is what the load
    cache relies on too), and what linking found in it, the text by its hash."""
    s, mentions, text = inputs
    return s.path, s.content_hash, mentions, hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def statement_record(inputs: RecordInputs, absolute: Callable[[str], str]) -> dict[str, Any]:
    """One statement as a flat, JSON-ready record (field order is STATEMENT_FIELDS)."""
    s, mentions, text = inputs
    return {
        "id": s.id,
        "url": absolute(urls.statement(s.id)),
        "title": s.title,
        "date": s.date.isoformat(),
        "source": s.source,
        "kind": s.kind,
        "speaker": s.speaker,
        "entities": list(s.entities),
        "mentions": [{"entity": m.entity_id, "count": m.count} for m in mentions],
        "references": [{"id": r.id, "type": r.type} for r in s.references],
        "tags": list(s.tags),
        "summary": s.summary,
        "language": s.language,
        "source_url": s.source_url,
        "retrieved": _day(s.retrieved),
        "withdrawn": _day(s.withdrawn),
        "annotations": [
            {"quote": a.quote, "note": a.note, "occurrence": a.occurrence} for a in s.annotations
        ],
        "body": s.body,
        "text": text,
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


CHUNK = 500  # records a write: few system calls, and a large archive's export never whole in memory


def _chunks(records: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def statements_jsonl(records: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The JSON Lines file, in pieces of CHUNK records."""
    for chunk in _chunks(records):
        yield "".join(_json(r) + "\n" for r in chunk).encode("utf-8")


def _cell(value: Any, field: str) -> str:
    text = _json(value) if field in LIST_FIELDS else ("" if value is None else str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def statements_csv(records: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """RFC 4180 CSV, UTF-8, one header row; quoted where needed, newlines kept inside cells.
    In pieces of CHUNK records."""
    yield csv_row(STATEMENT_FIELDS).encode("utf-8")
    for chunk in _chunks(records):
        yield "".join(csv_row([_cell(record[f], f) for f in STATEMENT_FIELDS]) for record in chunk).encode(
            "utf-8"
        )


_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def csv_row(cells: Sequence[str]) -> str:
    """One row as the csv module writes it (minimal quoting, CRLF), at string-method speed:
    its writer looks at every character of a 5 KB text cell in turn (4x slower, measured)."""
    return (
        ",".join(
            '"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell for cell in cells
        )
        + "\r\n"
    )


def gzipped(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The pieces as one gzip stream, the same bytes every build (zlib's header has no name
    and no time); the default level, which makes the demo's text 7.8 times smaller and real
    statements 3.7 times, at 20 MB/s."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    for piece in pieces:
        if packed := packer.compress(piece):
            yield packed
    yield packer.flush()


def read_csv(path: Path) -> Iterator[dict[str, Any]]:
    """A CSV file (gzip'd when its name ends in .gz) back into records equal to its JSON
    Lines file's."""
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
    with io.StringIO(text, newline="") as handle:
        for row in csv.DictReader(handle):
            yield {field: _uncell(row[field], field) for field in STATEMENT_FIELDS}


def _uncell(text: str, field: str) -> Any:
    if text.startswith("'"):
        text = text[1:]
    if field in LIST_FIELDS:
        return json.loads(text)
    return text if field in TEXT_FIELDS else text or None


def entities_json(archive: Archive, links: Links, absolute: Callable[[str], str]) -> bytes:
    entities = [
        {
            "id": e.id,
            "url": absolute(urls.entity(e.id)),
            "name": e.name,
            "type": e.type,
            "aliases": list(e.aliases),
            "wikidata": e.wikidata,
            "description": e.description,
            "statements": len(links.by_entity.get(e.id, ())),
            "published": len(links.by_source.get(e.id, ())) if e.type == "publication" else 0,
        }
        for e in sorted(archive.entities.values(), key=lambda e: e.id)
    ]
    lines = ",\n".join(_json(e) for e in entities)
    return f'{{"entities": [\n{lines}\n]}}\n'.encode()


# Statements in one file at most: a year with more is split into its months. GitHub refuses
# files over 100 MB, which 10,000 statements of 750 words make as one CSV (115 MB).
PART_LIMIT = 5000


@dataclass(frozen=True)
class StatementPart:
    """The statements of one year (or, in a year of more than PART_LIMIT, one month), oldest
    first: /data/statements/<name>.jsonl and .csv."""

    name: str  # "2019" or "2019-03"
    ids: tuple[str, ...]
    first: dt.date
    last: dt.date


def statement_parts(archive: Archive, chronological: Sequence[str]) -> list[StatementPart]:
    """The parts, oldest first. A year's part is the same file however the other years
    change, so a build after an edit makes only the edited statement's part again."""
    parts: list[StatementPart] = []
    for year, in_year in itertools.groupby(chronological, key=lambda sid: archive.statements[sid].date.year):
        ids = tuple(in_year)
        if len(ids) <= PART_LIMIT:
            parts.append(_part(f"{year:04d}", ids, archive))
            continue
        for month, in_month in itertools.groupby(ids, key=lambda sid: archive.statements[sid].date.month):
            parts.append(_part(f"{year:04d}-{month:02d}", tuple(in_month), archive))
    return parts


def _part(name: str, ids: tuple[str, ...], archive: Archive) -> StatementPart:
    return StatementPart(name, ids, archive.statements[ids[0]].date, archive.statements[ids[-1]].date)


def whole_archive(parts: Sequence[StatementPart]) -> StatementPart | None:
    """Every statement as one part (named ""), while the archive has at most PART_LIMIT: then
    /data/statements.jsonl, .csv and /data/graph.json hold the whole archive, the simplest
    download for the many archives that small. None for a larger or an empty archive."""
    ids = tuple(sid for part in parts for sid in part.ids)
    if not ids or len(ids) > PART_LIMIT:
        return None
    return StatementPart("", ids, parts[0].first, parts[-1].last)


def part_path(part: StatementPart, extension: str) -> str:
    """A part's JSON Lines or CSV ("jsonl", "csv"): gzip'd for the parts a year, whose text
    would otherwise be most of the site (40 % at 10,000 statements, the body and the text in
    both formats); plain for the one-file archive, which is small."""
    if not part.name:
        return f"data/statements.{extension}"
    return f"data/statements/{part.name}.{extension}.gz"


def graph_path(part: StatementPart) -> str:
    return f"data/graph/{part.name}.json" if part.name else "data/graph.json"


@dataclass(frozen=True)
class GraphStatement:
    """What a statement's node and links in the graph are made from, and nothing more, so
    that a part's graph is made again only when one of these changed (not its text)."""

    id: str
    title: str
    date: dt.date
    kind: str
    source: str
    speaker: str | None  # when the speaker is an entity of the archive
    tagged: tuple[str, ...]  # the tags that are entities of the archive
    mentions: tuple[tuple[str, int], ...]  # (entity id, count)
    references: tuple[tuple[str, str], ...]  # (statement id, type), to statements of the archive
    days: tuple[dt.date, ...]
    months: tuple[tuple[int, int], ...]


EntityNode = tuple[str, str, str, str | None]  # id, name, type, wikidata


def graph_statement(archive: Archive, links: Links, sid: str) -> GraphStatement:
    s, linked = archive.statements[sid], links.statements[sid]
    return GraphStatement(
        id=sid,
        title=s.title,
        date=s.date,
        kind=s.kind,
        source=s.source,
        speaker=s.speaker if s.speaker in archive.entities else None,
        tagged=tuple(e for e in s.entities if e in archive.entities),
        mentions=tuple((m.entity_id, m.count) for m in linked.mentions),
        references=tuple((r.id, r.type) for r in s.references if r.id in archive.statements),
        days=linked.days,
        months=linked.months,
    )


def graph_inputs(
    archive: Archive, links: Links, part: StatementPart
) -> tuple[tuple[GraphStatement, ...], tuple[GraphStatement, ...], tuple[EntityNode, ...]]:
    """A part's statements; the statements of other parts they refer to; and the entities
    they link to: every node the part's links reach, so that each part is a whole graph."""
    own = tuple(graph_statement(archive, links, sid) for sid in part.ids)
    inside = set(part.ids)
    referred = sorted({r for g in own for r, _ in g.references if r not in inside})
    others = tuple(graph_statement(archive, links, sid) for sid in referred)
    named = {e for g in own for e in (g.source, g.speaker, *g.tagged, *(m for m, _ in g.mentions)) if e}
    entities = tuple(
        (e.id, e.name, e.type, e.wikidata)
        for e in (archive.entities[i] for i in sorted(named) if i in archive.entities)
    )
    return own, others, entities


def graph_part(
    name: str,
    own: Sequence[GraphStatement],
    others: Sequence[GraphStatement],
    entities: Sequence[EntityNode],
    title: str,
    site: urls.Urls,
) -> bytes:
    """One part's statements, the nodes their links reach, and the typed links, as a
    node-link graph; a pure function of its arguments (see statements_part)."""
    absolute = site.absolute
    nodes = [_statement_node(g, absolute) for g in (*own, *others)]
    nodes += [
        {"id": f"entity:{i}", "type": "entity", "label": label, "entity_type": kind, "wikidata": wikidata,
         "url": absolute(urls.entity(i))}
        for i, label, kind, wikidata in entities
    ]  # fmt: skip
    days = sorted({d for g in own for d in (g.date, *g.days)})
    nodes += [
        {"id": f"day:{d}", "type": "day", "label": d.isoformat(), "url": absolute(urls.day(d))} for d in days
    ]
    months = sorted({m for g in own for m in g.months})
    nodes += [
        {
            "id": f"month:{_month(y, m)}",
            "type": "month",
            "label": _month(y, m),
            "url": absolute(urls.month(y, m)),
        }
        for y, m in months
    ]
    edges = [edge for g in own for edge in _statement_edges(g)]
    graph = {"name": title, "url": absolute("")} | ({"part": name} if name else {})
    head = {"directed": True, "multigraph": True, "graph": graph}
    text = _json(head)[:-1]
    text += ',\n"nodes": [\n' + ",\n".join(_json(n) for n in nodes) + "\n]"
    text += ',\n"links": [\n' + ",\n".join(_json(e) for e in edges) + "\n]}\n"
    return text.encode("utf-8")


def _month(year: int, month: int) -> str:
    """A month node's label, YYYY-MM (its id is "month:" and the label)."""
    return f"{year:04d}-{month:02d}"


def _statement_node(g: GraphStatement, absolute: Callable[[str], str]) -> dict[str, Any]:
    return {"id": f"statement:{g.id}", "type": "statement", "label": g.title, "date": g.date.isoformat(),
            "kind": g.kind, "url": absolute(urls.statement(g.id))}  # fmt: skip


def _statement_edges(g: GraphStatement) -> list[dict[str, Any]]:
    me = f"statement:{g.id}"
    edges = [{"source": me, "target": f"entity:{g.source}", "kind": "published-by"}]
    if g.speaker:
        edges.append({"source": me, "target": f"entity:{g.speaker}", "kind": "speaker"})
    edges += [{"source": me, "target": f"statement:{r}", "kind": kind} for r, kind in g.references]
    edges += [{"source": me, "target": f"entity:{e}", "kind": "tagged"} for e in g.tagged]
    edges += [
        {"source": me, "target": f"entity:{e}", "kind": "mentions", "count": count} for e, count in g.mentions
    ]
    edges.append({"source": me, "target": f"day:{g.date.isoformat()}", "kind": "issued-on"})
    edges += [{"source": me, "target": f"day:{d.isoformat()}", "kind": "mentions-day"} for d in g.days]
    edges += [
        {"source": me, "target": f"month:{_month(y, m)}", "kind": "mentions-month"} for y, m in g.months
    ]
    return edges


def statements_part(path: str, inputs: Sequence[RecordInputs], site: urls.Urls) -> Iterator[bytes]:
    """One part's file at path (see part_path), in pieces; a pure function of its arguments,
    so that the renderer can reuse the previous build's file when they are the same."""
    records = (statement_record(i, site.absolute) for i in inputs)
    pieces = (
        statements_csv(records) if path.removesuffix(".gz").endswith(".csv") else statements_jsonl(records)
    )
    return gzipped(pieces) if path.endswith(".gz") else pieces


def data_index(
    parts: Sequence[StatementPart], whole: StatementPart | None, absolute: Callable[[str], str]
) -> bytes:
    """/data/index.json: every data file's address, and each statement part's count and days,
    for a script that fetches them all; "whole", the one-file archive, when there is one."""

    def files(p: StatementPart) -> dict[str, Any]:
        return {"count": len(p.ids), "first": p.first.isoformat(), "last": p.last.isoformat(),
                "jsonl": absolute(part_path(p, "jsonl")), "csv": absolute(part_path(p, "csv")),
                "graph": absolute(graph_path(p))}  # fmt: skip

    index: dict[str, Any] = {"statements": [{"part": p.name, **files(p)} for p in parts]}
    if whole is not None:
        index["whole"] = files(whole)
    index["entities"] = absolute("data/entities.json")
    return (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
