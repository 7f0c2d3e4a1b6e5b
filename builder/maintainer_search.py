"""The maintainers' search: `archive search QUERY`, a fielded whoosh index kept under the root.

The index lives in <root>/.archive-cache/whoosh/ (never in _site) and is brought up to date
by the first `archive search` after the content changed, not by `archive build`: indexing in
pure Python takes a minute for 10,000 statements from scratch, which would double a cold
build, while an up-to-date check costs one stat() per content file.

Incremental: each record's hash (of everything indexed) is stored in the index; only records
added or changed since are (re-)indexed and removed ones deleted. A schema change rebuilds.
Crash safety: an update is one whoosh transaction (new segment files, then an atomic rename
of the table of contents; the write lock is an flock the kernel drops when a process dies),
so a killed update leaves the previous generation intact. A rebuild is written to a new
folder and swapped in by rename. An index that cannot be read is rebuilt.

Query language: whoosh's, over title and body (stemmed English: "railroaded" finds
"railroad") and Korean dictionary forms, with fields title:, body:, entity: (id), source: and
speaker: (id or words of the name), kind:, page: (statement or entity), id:, and date: (2019, 2019-11,
[2019-11-01 TO 2019-11-30], >2019-11-01). A malformed query is a usage error (exit status 2)
with a one-line message.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import korean
from .cache import folder_is_sealed, seal_folder
from .errors import ESCAPE_SEQUENCE, ArchiveError, UsageError, did_you_mean
from .searchdocs import SearchRecord
from .workers import end_with_parent, worker_count

SCHEMA_VERSION = 3  # bump whenever schema() or what a record puts in it changes
INDEX_NAME = "archive"
STATE_FILE = "archive-state.json"
CACHE = Path(".archive-cache") / "whoosh"
SEARCH_FIELDS = ("title", "body", "terms")
QUERY_FIELDS = ("title", "body", "terms", "entity", "source", "kind", "speaker", "date", "page", "id")
WRITER_LIMIT_MB = 256
# A rebuild of this many records or more indexes on every core (whoosh's MpWriter, one
# segment a core): 10,000 statements took 21.6 s on 2 cores against 51.8 s in one process.
PARALLEL_REBUILD = 2000
# Segments as separate files: whoosh3 copies a compound segment's parts into memory on every
# open (BytesIO over the mmap), 20 ms per part and search at 10,000 statements.
EXACT_COUNT_UP_TO = 2000  # beyond this many matches the total shown is whoosh's estimate


@dataclass(frozen=True)
class UpdateStats:
    added: int
    changed: int
    removed: int
    seconds: float
    rebuilt: bool = False

    def summary(self) -> str:
        what = "rebuilt" if self.rebuilt else "updated"
        return (
            f"search index {what}: {self.added} added, {self.changed} changed, {self.removed} removed "
            f"in {self.seconds:.2f}s"
        )


@dataclass(frozen=True)
class Hit:
    rank: int
    id: str
    page: str
    date: str | None
    title: str
    url: str
    score: float
    snippet: str  # hits marked with the marker pair passed to search()


@functools.cache
def schema() -> Any:
    from whoosh import analysis, fields

    stemmed = analysis.StemmingAnalyzer()
    # No stemming, English stop words dropped, but one-letter words kept (Korean 북, 남).
    words = analysis.RegexTokenizer() | analysis.LowercaseFilter() | analysis.StopFilter(minsize=1)
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),  # page:id, since a statement and an entity may share an id
        id=fields.ID(stored=True),
        page=fields.ID(stored=True),
        url=fields.STORED(),
        title=fields.TEXT(analyzer=stemmed, stored=True, field_boost=2.0),
        body=fields.TEXT(analyzer=stemmed, stored=True),
        terms=fields.TEXT(analyzer=words),  # Korean dictionary forms
        entity=fields.KEYWORD(commas=True, lowercase=True),
        source=fields.TEXT(analyzer=words),  # id and name: source:tessin-herald, source:herald
        kind=fields.KEYWORD(lowercase=True),
        speaker=fields.TEXT(analyzer=words),  # id and name, like source
        date=fields.DATETIME(stored=True, sortable=True),
        hash=fields.STORED(),
    )


# -- keeping the index up to date -----------------------------------------------------------


def record_hash(record: SearchRecord) -> str:
    """What decides whether a record is re-indexed (see SearchRecord.digest)."""
    return record.digest()


def update_index(cache_dir: Path, records: Sequence[SearchRecord], signature: str = "") -> UpdateStats:
    """Bring the whoosh index at cache_dir up to date with records; rebuild it when it must.

    signature identifies the content the records came from (see content_signature); it is
    stored so `archive search` can skip loading the archive when nothing changed.
    """
    start = time.perf_counter()
    cache_dir = Path(cache_dir)
    _clean_leftovers(cache_dir)
    wanted = {_key(record): (record, record_hash(record)) for record in records}
    state = _read_state(cache_dir)
    if state is None:
        _rebuild(cache_dir, [record for record, _ in wanted.values()], signature)
        return UpdateStats(len(wanted), 0, 0, time.perf_counter() - start, rebuilt=True)
    indexed = state["hashes"]
    added = sorted(key for key in wanted if key not in indexed)
    changed = sorted(key for key in wanted if key in indexed and indexed[key] != wanted[key][1])
    removed = sorted(key for key in indexed if key not in wanted)
    if added or changed or removed or state.get("signature") != signature:
        try:
            _apply(cache_dir, [wanted[key][0] for key in added + changed], removed, signature, wanted)
        except _Unreadable:
            _rebuild(cache_dir, [record for record, _ in wanted.values()], signature)
            return UpdateStats(len(wanted), 0, 0, time.perf_counter() - start, rebuilt=True)
    return UpdateStats(len(added), len(changed), len(removed), time.perf_counter() - start)


class _Unreadable(Exception):
    """The index on disk cannot be opened or written: rebuild it."""


def _key(record: SearchRecord) -> str:
    return f"{record.page}:{record.id}"


def _documents(records: Sequence[SearchRecord]) -> Iterator[dict[str, Any]]:
    """whoosh documents for records, Korean analysed in batches."""
    batch = 256
    for offset in range(0, len(records), batch):
        chunk = records[offset : offset + batch]
        sources = ("\n".join((r.title, *r.aliases, r.summary, r.text)) for r in chunk)
        for record, terms in zip(chunk, korean.base_forms_many(sources), strict=True):
            yield _document(record, terms)


def _document(record: SearchRecord, terms: Sequence[str]) -> dict[str, Any]:
    body = "\n\n".join(part for part in (record.summary, record.text, " · ".join(record.aliases)) if part)
    document: dict[str, Any] = {
        "key": _key(record),
        "id": record.id,
        "page": record.page,
        "url": record.url,
        "title": record.title,
        "body": body,
        "terms": " ".join(terms),
        "entity": ",".join(record.entities),
        "source": " ".join(v for v in (record.source_id, record.source) if v),
        "kind": record.kind,
        "speaker": " ".join(v for v in (record.speaker_id, record.speaker) if v),
        "hash": record_hash(record),
    }
    if record.date:
        document["date"] = dt.datetime.fromisoformat(record.date)
    return {name: value for name, value in document.items() if value not in ("", None)}


def _rebuild(cache_dir: Path, records: Sequence[SearchRecord], signature: str) -> None:
    """Index everything into a new folder, then swap it in: a crash leaves the old or nothing."""
    from whoosh import index

    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=cache_dir.name + ".new-", dir=cache_dir.parent))
    try:
        ix = index.create_in(str(fresh), schema(), indexname=INDEX_NAME)
        _write_all(ix, records, worker_count() if len(records) >= PARALLEL_REBUILD else 1)
        _write_state(fresh, ix, signature, {_key(r): record_hash(r) for r in records})
        ix.close()
        old = cache_dir.parent / (cache_dir.name + ".old")
        if cache_dir.exists():
            os.replace(cache_dir, old)
        os.replace(fresh, cache_dir)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


_writers_of: int | None = None  # the process whose parallel writers are being forked


def _write_all(ix: Any, records: Sequence[SearchRecord], procs: int) -> None:
    """Add every record in one commit; with procs > 1 by whoosh's MpWriter, one writer
    process a core. Its processes are made to end with ours (a killed `archive search`
    leaves none waiting for work) and are stopped on an error: MpWriter.cancel() only
    flags them in this process, and the interpreter would wait for them at exit."""
    global _writers_of
    parallel = {"procs": procs, "multisegment": True} if procs > 1 else {}
    _writers_of = os.getpid() if parallel else None
    try:
        writer = ix.writer(limitmb=WRITER_LIMIT_MB, compound=False, **parallel)
        try:
            for document in _documents(records):
                writer.add_document(**document)
            writer.commit()
        except BaseException:
            for task in getattr(writer, "tasks", ()):  # first: they write into its temporary folder
                task.terminate()
                task.join()
            with contextlib.suppress(OSError):  # the error that stopped us is the one to report
                writer.cancel()
            raise
    finally:
        _writers_of = None


def _end_with_parent_if_writer() -> None:
    if _writers_of is not None:
        end_with_parent(_writers_of)


os.register_at_fork(after_in_child=_end_with_parent_if_writer)


def _apply(
    cache_dir: Path,
    updates: Sequence[SearchRecord],
    removed: Sequence[str],
    signature: str,
    wanted: dict[str, tuple[SearchRecord, str]],
) -> None:
    """One whoosh transaction: delete removed keys, add or replace the updated records."""
    from whoosh.writing import LockError

    ix = _open(cache_dir)
    try:
        writer = ix.writer(timeout=60.0, limitmb=WRITER_LIMIT_MB, compound=False)
    except LockError as error:
        raise ArchiveError(f"search: another process is writing the search index in {cache_dir}") from error
    try:
        for key in removed:
            writer.delete_by_term("key", key)
        for document in _documents(updates):
            writer.update_document(**document)
        writer.commit()
    except Exception as error:
        writer.cancel()
        raise _Unreadable(str(error)) from error
    _write_state(cache_dir, ix, signature, {key: digest for key, (_, digest) in wanted.items()})
    ix.close()


def _open(cache_dir: Path) -> Any:
    from whoosh import index

    try:
        return index.open_dir(str(cache_dir), indexname=INDEX_NAME)
    except Exception as error:  # whoosh raises many kinds for a damaged index
        raise _Unreadable(str(error)) from error


def _read_state(cache_dir: Path) -> dict[str, Any] | None:
    """The stored state, if it matches this schema and the index's current generation.

    The state file is written after each commit; when a crash came between the two, the
    generations differ and the hashes are read back from the index itself.
    """
    if not folder_is_sealed(cache_dir, _read_by_whoosh_first):  # whoosh reads pickles
        return None
    try:
        state = json.loads((cache_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if state.get("schema") != SCHEMA_VERSION or not isinstance(state.get("hashes"), dict):
        return None
    try:
        ix = _open(cache_dir)
        try:
            if ix.latest_generation() == state.get("generation"):
                return state
            with ix.searcher() as searcher:
                hashes = {fields["key"]: fields.get("hash", "") for fields in searcher.all_stored_fields()}
            return {**state, "hashes": hashes, "signature": ""}
        finally:
            ix.close()
    except Exception:
        return None


def _read_by_whoosh_first(rel: str) -> bool:
    """A table of contents: whoosh opens the newest and reads only the segments it lists.

    So every one must be sealed; an interrupted writer's unlisted segments may lie about.
    """
    return rel.endswith(".toc")


def _write_state(folder: Path, ix: Any, signature: str, hashes: dict[str, str]) -> None:
    state = {
        "schema": SCHEMA_VERSION,
        "generation": ix.latest_generation(),
        "signature": signature,
        "hashes": dict(sorted(hashes.items())),
    }
    temporary = folder / (STATE_FILE + ".tmp")
    temporary.write_text(json.dumps(state, separators=(",", ":")), encoding="utf-8")
    os.replace(temporary, folder / STATE_FILE)
    seal_folder(folder)


def _clean_leftovers(cache_dir: Path) -> None:
    """Remove half-written rebuilds of an earlier, interrupted run."""
    parent = cache_dir.parent
    if not parent.is_dir():
        return
    for leftover in parent.glob(cache_dir.name + ".new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    old = parent / (cache_dir.name + ".old")
    if old.exists():
        if not cache_dir.exists():
            os.replace(old, cache_dir)  # the crash came between the two renames
        else:
            shutil.rmtree(old, ignore_errors=True)


def content_signature(root: Path) -> str:
    """A cheap fingerprint of the archive's sources: one stat() per file, no reading.

    It covers content/, site.yaml and the builder's own code, so a changed statement, entity,
    setting or builder version makes `archive search` reload the archive.
    """
    digest = hashlib.sha256(f"{SCHEMA_VERSION}\n".encode())
    builder = Path(__file__).resolve().parent
    places = [(root / "content", "content"), (builder, "builder")]
    for folder, label in places:
        for path in sorted(_files(folder)):
            stat = path.stat()
            digest.update(
                f"{label}/{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
            )
    for name in ("site.yaml",):
        path = root / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _files(folder: Path) -> Iterator[Path]:
    for directory, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(s for s in subfolders if not s.startswith(".") and s != "__pycache__")
        for name in names:
            if not name.startswith("."):
                yield Path(directory) / name


def is_current(cache_dir: Path, signature: str) -> bool:
    return _describes(_read_state(Path(cache_dir)), signature)


def _describes(state: dict[str, Any] | None, signature: str) -> bool:
    """Whether an index in this state was brought up to date with the content signed so."""
    return state is not None and bool(signature) and state.get("signature") == signature


# -- searching ---------------------------------------------------------------------------------


def parse_query(text: str) -> Any:
    """A whoosh query for text, or UsageError saying what is wrong with it."""
    from whoosh import qparser
    from whoosh.qparser import dateparse
    from whoosh.query import NullQuery

    _check_syntax(text)
    parser = qparser.MultifieldParser(list(SEARCH_FIELDS), schema())
    parser.add_plugin(dateparse.DateParserPlugin(free=False))
    parser.add_plugin(qparser.GtLtPlugin())
    try:
        query = parser.parse(text)
    except Exception as error:  # the date plugin raises a bare Exception for a bad date
        raise UsageError(f"malformed query {text!r}: {error}") from error
    if query is None or query is NullQuery or isinstance(query, type(NullQuery)):
        raise UsageError(f"malformed query {text!r}: it has no words or fields to search for")
    return query


QUOTED = re.compile(r'"[^"]*"')
FIELD = re.compile(r"(?<![\w:])([A-Za-z_]+):(?=\S)")
DATE_VALUE = re.compile(r"date:\s*(\[[^\]]*\]|\{[^}]*\}|[<>]=?\S+|\S+)")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?\Z")


def _check_syntax(text: str) -> None:
    """Refuse what whoosh would silently misread: unbalanced brackets, unknown fields, bad dates."""
    if not text.strip():
        raise UsageError("empty query: say what to search for, e.g. `archive search railroad`")
    if text.count('"') % 2:
        raise UsageError(f"malformed query {text!r}: a quotation mark is not closed")
    unquoted = QUOTED.sub(" ", text)
    for opening, closing in ("()", "[]", "{}"):
        depth = 0
        for char in unquoted:
            depth += (char == opening) - (char == closing)
            if depth < 0:
                break
        if depth:
            raise UsageError(f"malformed query {text!r}: unbalanced {opening}{closing}")
    for match in FIELD.finditer(unquoted):
        name = match.group(1)
        if name not in QUERY_FIELDS:
            hint = did_you_mean(name, QUERY_FIELDS) or "fields: " + ", ".join(QUERY_FIELDS)
            raise UsageError(f"malformed query {text!r}: unknown field '{name}' ({hint})")
    for match in DATE_VALUE.finditer(unquoted):
        value = match.group(1).strip("[]{}<>=")
        bounds = [b.strip() for b in re.split(r"\bto\b", value, flags=re.IGNORECASE)]
        for bound in bounds:
            if bound and not _valid_date(bound):
                raise UsageError(
                    f"malformed query {text!r}: '{bound}' is not a date (use 2019, 2019-11 or 2019-11-17)"
                )


def _valid_date(text: str) -> bool:
    if not DATE.match(text):
        return False
    parts = [int(p) for p in text.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Matches:
    hits: list[Hit]
    total: int  # matching pages; a lower-cost estimate when exact is False
    exact: bool


def search(cache_dir: Path, text: str, limit: int = 10, marks: tuple[str, str] = ("[", "]")) -> Matches:
    """The best `limit` hits for a query, and how many pages match in all."""
    from whoosh import highlight

    query = parse_query(text)
    ix = _open(Path(cache_dir))
    try:
        with ix.searcher() as searcher:
            results = searcher.search(query, limit=limit, terms=True)
            results.fragmenter = highlight.ContextFragmenter(maxchars=200, surround=40)
            results.formatter = _Marks(*marks)
            # Highlighting re-reads a whole text: only where the query has words to mark.
            marked = {name for name, _ in query.iter_all_terms()} & {"body", "title"}
            hits = [_hit(rank, hit, marked) for rank, hit in enumerate(results, start=1)]
            # An exact count of a common word's matches costs a second pass over them all.
            estimate = results.estimated_length()
            exact = results.has_exact_length() or len(hits) < limit or estimate <= EXACT_COUNT_UP_TO
            total = len(results) if exact else estimate
            return Matches(hits, total, exact)
    finally:
        ix.close()


def _hit(rank: int, hit: Any, marked: set[str]) -> Hit:
    fields = hit.fields()
    snippet = (
        ("body" in marked and hit.highlights("body", top=2))
        or ("title" in marked and hit.highlights("title"))
        or fields.get("body", "")[:160]
    )
    date = fields.get("date")
    return Hit(
        rank=rank,
        id=fields["id"],
        page=fields.get("page", ""),
        date=date.date().isoformat() if date else None,
        title=fields.get("title", ""),
        url=fields.get("url", ""),
        score=round(float(hit.score), 4),
        snippet=" ".join(snippet.split()),
    )


class _Marks:
    """A whoosh formatter that wraps each matched word in a pair of markers."""

    def __init__(self, before: str, after: str):
        self.before, self.after = before, after

    def __call__(self, text: str, fragments: Iterable[Any]) -> str:
        return " … ".join(self._fragment(text, fragment) for fragment in fragments)

    def format(self, fragments: Iterable[Any], replace: bool = False) -> str:
        return " … ".join(self._fragment(fragment.text, fragment) for fragment in fragments)

    def _fragment(self, text: str, fragment: Any) -> str:
        out, at = [], fragment.startchar
        for token in fragment.matches:
            if token.startchar < at:
                continue
            out.append(text[at : token.startchar])
            out.append(self.before + text[token.startchar : token.endchar] + self.after)
            at = token.endchar
        out.append(text[at : fragment.endchar])
        return "".join(out)


# -- the command --------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query", nargs="+", help='whoosh query, e.g. railroad, title:quota, "date:[2019-11-01 TO 2019-11-30]"'
    )
    parser.add_argument("--limit", type=int, default=10, help="how many results (default 10)")
    parser.add_argument("--json", action="store_true", help="print the results as a JSON list")
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the archive's folder, holding site.yaml (default: .)"
    )


# Whole escape sequences (CSI: colours, clearing; OSC: titles, the clipboard), then any
# other control character.
_CONTROL = re.compile(ESCAPE_SEQUENCE + r"|[\x00-\x1f\x7f-\x9f]")


def _printable(text: str, marks: Sequence[str]) -> str:
    """Content's text for the terminal: control characters (an escape sequence in a hostile
    title could recolour, clear or retitle the maintainer's terminal) become spaces or go;
    only the search's own bold marks stay."""
    pieces = re.split("(" + "|".join(map(re.escape, marks)) + ")", text) if marks else [text]
    return "".join(
        piece if piece in marks else _CONTROL.sub(lambda m: " " if m.group().isspace() else "", piece)
        for piece in pieces
    )


def _json_printable(text: str) -> str:
    """JSON that is safe on a terminal too: json escapes C0 controls but writes DEL and the
    C1 controls (U+009B starts an escape sequence on some terminals) as they are; the same
    strings, escaped."""
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


def run(args: argparse.Namespace) -> int:
    """`archive search`: bring the index up to date if the content changed, then search."""
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    text = " ".join(args.query)
    parse_query(text)  # a malformed query fails before any indexing
    root = Path(args.root).resolve()
    if not (root / "site.yaml").is_file() and not (root / "content").is_dir():
        raise UsageError(f"{root} is not an archive (no site.yaml or content/ there); use --root")
    cache_dir = root / CACHE
    signature = content_signature(root)
    state = _read_state(cache_dir)  # checks the index's seal: read it once
    if not _describes(state, signature):
        from .build import search_records

        records = search_records(root)
        if state is None and len(records) > 1000:
            print(
                f"search: indexing {len(records):,} pages for the first time (about a minute per 10,000)…",
                file=sys.stderr,
            )
        stats = update_index(cache_dir, records, signature)
        print(stats.summary(), file=sys.stderr)
    tty = sys.stdout.isatty() and not args.json and "NO_COLOR" not in os.environ
    marks = ("\x1b[1m", "\x1b[22m") if tty else ("[", "]")
    started = time.perf_counter()
    found = search(cache_dir, text, args.limit, marks)
    took = time.perf_counter() - started
    if args.json:
        print(_json_printable(json.dumps([asdict(hit) for hit in found.hits], ensure_ascii=False, indent=2)))
        return 0
    for hit in found.hits:
        print(f"{hit.rank:3d}  {hit.id}  {hit.date or '(entity)'}  {_printable(hit.title, ())}")
        if hit.snippet:
            print(f"     {_printable(hit.snippet, marks if tty else ())}")
    total = f"{found.total:,}" if found.exact else f"about {found.total:,}"
    print(f"{len(found.hits)} of {total} matches ({took * 1000:.0f} ms)", file=sys.stderr)
    return 0
