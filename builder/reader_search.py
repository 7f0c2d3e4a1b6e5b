"""The readers' search index: Pagefind bundles made from the build's search records.

Records go to Pagefind as custom records (no second pass over the written HTML):
- content: the summary and the body text, from which Pagefind cuts the excerpts;
- meta: title, date, source, aliases and, for Korean, the dictionary forms of its words.
  Pagefind (1.5+) searches meta fields too and ranks a title match far above body matches,
  so "title weighted above body" and "an entity's name or alias finds its page first" need
  no repeated text (measured: a title-only match scores 2.7, four body matches 1.8). A
  statement with the name in its title and text can still outscore the entity's page (23.5
  against 22.9 in a demo archive), so an entity's record also has its name and aliases in a
  `names` meta field that statements lack (the page: 37.2). search.js raises the weights of
  aliases and names to that of titles.
- filters: source, kind, year, speaker, entity (names). Each filter file lists page numbers
  (~21 KB each at 10,000 pages), so search.js loads them only when the reader opens the
  filters; a filter for the page type would cost as much, and entity pages are told apart by
  having no date;
- sort: date.
Korean: excerpts show the text as written; the words' dictionary forms (서울, 전하다) go into
the `terms` meta field, so 서울 finds 서울은 by exact word and 전하다 finds 전했다, which
Pagefind's own prefix matching cannot.

Scale: the statements are split into shards of whole months, oldest first, each indexed by
its own Pagefind process and searched side by side by search.js (`pagefind/shards.json`
lists them). A shard holds up to 2,500 statements, a size doubled until site.yaml's
`search_shards` (default two) hold the archive (10,000 statements: two of 5,000), so that an
edit re-indexes one shard and a cold build indexes two at once. The shards share the root
shard's WebAssembly and scripts (_share_runtime), so each one more costs a reader's first
query only its metadata and index chunks (a name at 10,000 statements: 318 KB with one
shard, 422 KB with two).
The indexer's memory also bounds a shard: it grows with records and words (measured with
Pagefind 1.5.2: 1.29 GB for 10,600 records of 241 words, 2.36 GB for 11,000 of 702 words,
i.e. about 77 KB a record plus 196 bytes a word), and a shard closes before SHARD_MEMORY;
indexers run side by side only while their estimates together stay within it.
Shards are cached by a fingerprint of their records: with a cache, a rebuild re-indexes only
the shards whose records changed.
"""

from __future__ import annotations

import base64
import filecmp
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from . import korean, pagefind_bundle, pagefind_service, urls
from .cache import SEAL, folder_is_sealed, seal_folder
from .errors import ArchiveError
from .searchdocs import SearchRecord
from .workers import give_back_freed_memory, worker_count
from .write import walk_files

FORMAT = 2  # bump when what we give Pagefind changes: cached shards are then rebuilt
SHARD_MEMORY = 2_500_000_000  # bytes the indexer may use for one shard (estimated, see above)
SHARD_STATEMENTS = 2_500  # statements a shard at most (see shard_size)…
MAX_SHARDS = 2  # …doubled until this many shards hold the archive (site.yaml: search_shards)
RECORD_BYTES = 77_000  # indexer memory per record…
WORD_BYTES = 196  # …and per word of its text (measured, Pagefind 1.5.2)
BUNDLE = urls.SEARCH_BUNDLE
_KOREAN = threading.Lock()
MANIFEST = "shards.json"
CACHED_SHARDS = "reader"  # the cache's folder of finished shards, by fingerprint


@dataclass(frozen=True)
class ReaderIndexStats:
    records: int
    shards: int
    reused: int  # shards taken unchanged from the cache
    files: int
    bytes: int
    seconds: float
    peak_rss: int  # bytes: the largest indexer process
    canonical: bool  # every shard rewritten byte-identically (see pagefind_bundle)


class Shard:
    """One shard's records, and what the index needs to know of them without reading them.

    pack() keeps the records pickled and compressed until their indexer reads them: a build
    that indexes after rendering lets go of the linked archive first, and records still
    sharing its texts and names would keep most of its memory (at 100,000 statements, 2 GB
    of the process beside the indexer) where a packed shard takes a tenth of it.
    """

    __slots__ = ("_packed", "_records", "count", "dates", "memory")

    def __init__(self, records: list[SearchRecord]):
        self._records: list[SearchRecord] | None = records
        self._packed = b""
        self.count = len(records)
        self.memory = sum(memory_estimate(r) for r in records)  # the indexer's, estimated
        dates = [r.date for r in records if r.date]
        self.dates = (min(dates, default=None), max(dates, default=None))  # oldest, newest

    def records(self) -> list[SearchRecord]:
        if self._records is not None:
            return self._records
        return pickle.loads(zlib.decompress(self._packed))

    def pack(self) -> None:
        if self._records is not None:
            self._packed = zlib.compress(pickle.dumps(self._records, protocol=pickle.HIGHEST_PROTOCOL), 1)
            self._records = None


@dataclass(frozen=True)
class IndexPlan:
    """What an index of some records will be: its shards, each one's fingerprint (its name
    in the cache), and the settings they were made with. Made once a build: the build plans
    its cores from it (to_index) and write_index makes it."""

    shards: list[Shard]
    fingerprints: list[str]
    base_path: str
    language: str
    cache_dir: Path | None

    def to_index(self) -> int:
        """How many shards the cache lacks: the indexer processes making the index will run."""
        if self.cache_dir is None:
            return len(self.shards)
        return sum(
            1 for fingerprint in self.fingerprints if not _cached(self.cache_dir, fingerprint).is_dir()
        )

    def pack(self) -> None:
        """Keep every shard's records packed until indexed (see Shard)."""
        for shard in self.shards:
            shard.pack()


def plan_index(
    records: Sequence[SearchRecord],
    *,
    base_path: str = "/",
    language: str | None = None,
    cache_dir: Path | None = None,
    max_shards: int = MAX_SHARDS,
) -> IndexPlan:
    """The shards of records' index (see write_reader_index for the settings)."""
    base_path = base_path if base_path.endswith("/") else base_path + "/"
    language = language or main_language(records)
    shards = plan_shards(records, max_shards=max_shards)
    fingerprints = [_fingerprint(shard, base_path, language) for shard in shards]
    return IndexPlan([Shard(shard) for shard in shards], fingerprints, base_path, language, cache_dir)


def write_reader_index(
    records: Sequence[SearchRecord],
    out_dir: Path,
    *,
    base_path: str = "/",
    language: str | None = None,
    cache_dir: Path | None = None,
    max_shards: int = MAX_SHARDS,
) -> ReaderIndexStats:
    """Write the Pagefind bundle(s) for records to out_dir/pagefind, replacing what was there.

    base_path is the site's path (base_url's path, e.g. "/archive/"); result URLs are stored
    relative to it and search.js adds it back. language is the index language (its stemmer);
    by default the records' most common one. With cache_dir, unchanged shards are reused.
    max_shards bounds the shards (see shard_size), short of what the indexer's memory needs.
    """
    plan = plan_index(
        records, base_path=base_path, language=language, cache_dir=cache_dir, max_shards=max_shards
    )
    return write_index(plan, out_dir)


def write_index(plan: IndexPlan, out_dir: Path) -> ReaderIndexStats:
    """Make the planned index in out_dir/pagefind, replacing what was there."""
    start = time.perf_counter()
    shards = plan.shards
    target = Path(out_dir) / BUNDLE
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{BUNDLE}-", dir=target.parent))
    try:
        tree = work / BUNDLE
        parts = [work / f"part-{number}" for number in range(len(shards))]  # apart while they are made

        def make(shard: Shard, fingerprint: str, part: Path) -> tuple[bool, int, bool]:
            made = _shard(shard, fingerprint, part, work, plan)
            # The shard's records and Pagefind's reply (the bundle, twice) are let go: their
            # memory goes back for the next indexer (at 100,000 statements the build kept
            # 0.4 GB of it beside each).
            give_back_freed_memory()
            return made

        with ThreadPoolExecutor(_indexers(shards)) as pool:  # each indexer is its own process
            built = list(pool.map(make, shards, plan.fingerprints, parts))
        for number, part in enumerate(parts):  # the first shard is the bundle's root, the others inside it
            os.replace(part, tree / _shard_path(number))
            if number:
                _share_runtime(tree, tree / _shard_path(number))
        _write_manifest(tree, shards)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tree, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if plan.cache_dir is not None:
        _prune_cache(plan.cache_dir, set(plan.fingerprints))
    sizes = [entry.stat().st_size for _, entry in walk_files(target)]
    return ReaderIndexStats(
        records=sum(shard.count for shard in shards),
        shards=len(shards),
        reused=sum(1 for reused, _, _ in built if reused),
        files=len(sizes),
        bytes=sum(sizes),
        seconds=time.perf_counter() - start,
        peak_rss=max((rss for _, rss, _ in built), default=0),
        canonical=all(canonical for *_, canonical in built),
    )


def _indexers(shards: list[Shard]) -> int:
    """How many indexers run side by side: one a core, as many as SHARD_MEMORY holds."""
    largest = max((shard.memory for shard in shards), default=0)
    return max(1, min(worker_count(), len(shards), SHARD_MEMORY // max(largest, 1)))


def main_language(records: Iterable[SearchRecord]) -> str:
    """The language most records are in (ties: alphabetical): the index's stemmer."""
    counts = Counter(record.language or "en" for record in records)
    return min(counts, key=lambda lang: (-counts[lang], lang)) if counts else "en"


def plan_shards(
    records: Iterable[SearchRecord],
    budget: int | None = None,
    size: int | None = None,
    max_shards: int = MAX_SHARDS,
) -> list[list[SearchRecord]]:
    """Records in a stable order, cut into shards of whole months, oldest first.

    A shard closes after the month that brings it to `size` statements (default shard_size
    of their number), or before the month that would take the indexer's estimated memory
    past budget (default SHARD_MEMORY). Whole months keep a shard's membership stable when
    statements are edited or added elsewhere, and date order across shards lets search.js
    list newest-first by putting the newer shards first. Entity pages join the newest shard.
    """
    budget = budget or SHARD_MEMORY
    statements = sorted((r for r in records if r.page != "entity"), key=lambda r: (r.date or "", r.id))
    entities = sorted((r for r in records if r.page == "entity"), key=lambda r: r.id)
    size = size or shard_size(len(statements), max_shards)
    shards: list[list[SearchRecord]] = [[]]
    used = 0
    for month in _months(statements):
        cost = sum(memory_estimate(r) for r in month)
        if shards[-1] and (used + cost > budget or len(shards[-1]) >= size):
            shards.append([])
            used = 0
        shards[-1].extend(month)
        used += cost
    shards[-1].extend(entities)
    return shards


def shard_size(statements: int, max_shards: int = MAX_SHARDS) -> int:
    """Statements a shard: SHARD_STATEMENTS, doubled until max_shards shards hold them all.

    Smaller shards make an edit re-index less and let a cold build index on every core, but
    each one costs a reader's first query 50-100 KB more (its own metadata and index
    chunks), so their number is bounded. Doubling, rather than dividing by
    max_shards, keeps the size (and so every shard's membership) unchanged as statements
    are added, until the archive doubles.
    """
    size = SHARD_STATEMENTS
    while size * max_shards < statements:
        size *= 2
    return size


def memory_estimate(record: SearchRecord) -> int:
    """The indexer's peak memory for one record, in bytes (a linear fit of measurements)."""
    words = record.text.count(" ") + record.summary.count(" ") + 2
    return RECORD_BYTES + WORD_BYTES * words


def _months(statements: list[SearchRecord]) -> Iterator[list[SearchRecord]]:
    month: list[SearchRecord] = []
    for record in statements:
        if month and (record.date or "")[:7] != (month[0].date or "")[:7]:
            yield month
            month = []
        month.append(record)
    if month:
        yield month


def _shard_path(number: int) -> str:
    return "" if number == 0 else f"shard-{number}/"


def _shard(
    shard: Shard, fingerprint: str, target: Path, work: Path, plan: IndexPlan
) -> tuple[bool, int, bool]:
    """Make one shard's bundle at target (from the cache when its records are unchanged).

    Returns (reused, indexer peak memory, canonical).
    """
    if plan.cache_dir is None:
        rss, canonical = _index(shard.records(), target, work, plan.base_path, plan.language)
        return False, rss, canonical
    cached = _cached(plan.cache_dir, fingerprint)
    reused = cached.is_dir() and folder_is_sealed(cached)  # nothing unsigned reaches the site
    rss, canonical = 0, True
    if not reused:
        shutil.rmtree(cached, ignore_errors=True)
        cached.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=cached.parent))
        try:
            rss, canonical = _index(
                shard.records(), building / "bundle", building, plan.base_path, plan.language
            )
            seal_folder(building / "bundle")
            os.replace(building / "bundle", cached)
        finally:
            shutil.rmtree(building, ignore_errors=True)
    _link_tree(cached, target)
    return reused, rss, canonical


def _cached(cache_dir: Path, fingerprint: str) -> Path:
    """Where a shard of this fingerprint is kept between builds."""
    return Path(cache_dir) / CACHED_SHARDS / fingerprint


def _index(
    records: list[SearchRecord], target: Path, work: Path, base_path: str, language: str
) -> tuple[int, bool]:
    """Run one Pagefind indexer over records and leave a canonical, pruned bundle at target.

    The bundle comes back in memory (GetFiles), not written by Pagefind: its WriteFiles can
    reply before the last bytes reach the disk (see pagefind_bundle).
    """
    with pagefind_service.PagefindService() as service:
        index_id = service.call({"type": "NewIndex", "config": {"force_language": language}})["index_id"]
        service.call_all(
            {"type": "AddRecord", "index_id": index_id, **payload}
            for payload in _payloads(records, base_path, language)
        )
        reply = service.call(
            {"type": "GetFiles", "index_id": index_id}, timeout=pagefind_service.WRITE_TIMEOUT
        )
        service.close()
    files = _decoded(reply.get("files"))
    if "pagefind-entry.json" not in files:
        raise ArchiveError("search: Pagefind returned a bundle without pagefind-entry.json")
    canonical = pagefind_bundle.canonicalise(files)
    pagefind_bundle.prune(files)
    staging = Path(tempfile.mkdtemp(prefix="shard-", dir=work))
    try:
        for path in sorted(files):
            destination = staging / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(files[path])
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return service.peak_rss, canonical


def _decoded(listing: Any) -> dict[str, bytes]:
    """GetFiles' list of {path, content (base64)} as path -> bytes, refusing paths that leave the bundle."""
    files: dict[str, bytes] = {}
    for item in listing or ():
        path = PurePosixPath(str(item["path"]).replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or not path.parts:
            raise ArchiveError(f"search: Pagefind returned a file outside its bundle: {item['path']}")
        files[path.as_posix()] = base64.b64decode(item["content"])
    return files


def _payloads(records: list[SearchRecord], base_path: str, language: str) -> Iterator[dict[str, Any]]:
    """Pagefind's AddRecord fields for each record, Korean analysed in batches."""
    batch = 256
    for offset in range(0, len(records), batch):
        chunk = records[offset : offset + batch]
        with _KOREAN:  # one analyser, shared by the indexing threads
            terms = list(korean.base_forms_many([_korean_source(r) for r in chunk]))
        for record, words in zip(chunk, terms, strict=True):
            yield custom_record(record, base_path, language, words)


def _korean_source(record: SearchRecord) -> str:
    text = "\n".join((record.title, *record.aliases, record.summary, record.text))
    return text if korean.has_hangul(text) else ""


def custom_record(
    record: SearchRecord, base_path: str, language: str, terms: Sequence[str] = ()
) -> dict[str, Any]:
    """What Pagefind is given for one record (see the module docstring for why)."""
    meta = {"title": record.title}
    for key, value in (
        ("date", record.date),
        ("source", record.source),
        ("aliases", " · ".join(record.aliases)),
        ("names", " · ".join((record.title, *record.aliases)) if record.page == "entity" else ""),
        ("terms", " ".join(terms)),
    ):
        if value:
            meta[key] = value
    filters = {
        "source": [record.source],
        "kind": [record.kind],
        "year": [record.year or ""],
        "speaker": [record.speaker],
        "entity": list(dict.fromkeys(record.entity_names)),
    }
    content = "\n".join(part for part in (record.summary, record.text) if part) or record.title
    return {
        "url": relative_url(record.url, base_path),
        "content": content,
        "language": language,
        "meta": meta,
        "filters": {key: [v for v in values if v] for key, values in filters.items() if any(values)},
        "sort": {"date": record.date} if record.date else {},
    }


def relative_url(url: str, base_path: str) -> str:
    """A record's URL without the site's path: search.js adds it back as Pagefind's baseUrl."""
    if not url.startswith(base_path):
        raise ArchiveError(f"search: the URL {url} of a search record is outside the site's path {base_path}")
    return "/" + url[len(base_path) :]


def _fingerprint(records: list[SearchRecord], base_path: str, language: str) -> str:
    digest = hashlib.sha256(f"{FORMAT}\n{pagefind_service.version()}\n{language}\n".encode())
    for record in records:
        digest.update(record.digest(url=relative_url(record.url, base_path)).encode("ascii"))
    return digest.hexdigest()[:32]


def _share_runtime(root: Path, shard: Path) -> None:
    """Let a shard use the root shard's WebAssembly and scripts where they are the same bytes
    (one Pagefind, one language): a reader then downloads them once, not once a shard (70 KB
    each). search.js loads pagefind.js, and Pagefind its worker, from the root only.

    The shard's files are hard links into the cache: they are unlinked, never written through.
    """
    for name in pagefind_bundle.RUNTIME:
        _drop_if_same(shard / name, root / name)
    entry = shard / pagefind_bundle.ENTRY
    depth = len(shard.relative_to(root).parts)
    rewritten = pagefind_bundle.share_wasm(
        entry.read_bytes(),
        depth,
        lambda name: _drop_if_same(shard / f"wasm.{name}.pagefind", root / f"wasm.{name}.pagefind"),
    )
    if rewritten is not None:
        entry.unlink()
        entry.write_bytes(rewritten)


def _drop_if_same(path: Path, original: Path) -> bool:
    """Remove path if original holds the same bytes; whether it did."""
    try:
        if not filecmp.cmp(path, original, shallow=False):
            return False
    except OSError:
        return False
    path.unlink()
    return True


def _write_manifest(target: Path, shards: list[Shard]) -> None:
    """pagefind/shards.json: the shards, oldest first, that search.js searches side by side."""
    listing = []
    for number, shard in enumerate(shards):
        oldest, newest = shard.dates
        listing.append({"path": _shard_path(number), "from": oldest, "to": newest})
    (target / MANIFEST).write_text(
        json.dumps({"version": 1, "shards": listing}, indent=1) + "\n", encoding="utf-8"
    )


def _link_tree(source: Path, target: Path) -> None:
    """Hard-link a cached bundle into the site (copy across file systems): no bytes are copied.

    Nothing edits bundle files in place, so sharing them with the cache is safe.
    """
    for folder, _, names in os.walk(source):
        into = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(into, exist_ok=True)
        for name in names:
            if name == SEAL:
                continue
            try:
                os.link(os.path.join(folder, name), os.path.join(into, name))
            except OSError:
                shutil.copy2(os.path.join(folder, name), os.path.join(into, name))


def _prune_cache(cache_dir: Path, keep: set[str]) -> None:
    """Forget cached shards this build did not use, so the cache does not grow without bound."""
    folder = Path(cache_dir) / CACHED_SHARDS
    for entry in folder.iterdir() if folder.is_dir() else ():
        if entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)
