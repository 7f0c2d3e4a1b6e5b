"""The readers' search bundle made by the real Pagefind indexer from search records."""

from __future__ import annotations

import json
import stat
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import pytest

from builder import pagefind_bundle, pagefind_service, reader_search
from builder.errors import ArchiveError
from builder.searchdocs import SearchRecord

from .conftest import search_record

BASE = "/archive/"


def rec(id: str, title: str, date: str | None, text: str, **fields: object) -> SearchRecord:
    return search_record(id, title, date, text, base=BASE, **fields)


RECORDS = [
    rec(
        "rail",
        "Railroad agreement signed",
        "2019-11-17",
        "The railroad agreement was signed at Port Mira.",
        source="Foreign Ministry",
        kind="statement",
        speaker="Spokesperson",
        entities=("valdoria", "port-mira"),
        entity_names=("Valdoria", "Port Mira"),
    ),
    rec(
        "vote",
        "On the vote",
        "2019-12-30",
        "The resolution was railroaded through the assembly.",
        source="News Agency",
        kind="commentary",
        entities=("valdoria",),
        entity_names=("Valdoria",),
    ),
    rec(
        "quota",
        "Fishing quota",
        "2020-01-05",
        "The quota is unfair, the ministry says.",
        summary="Quotas.",
        source="Foreign Ministry",
        kind="statement",
    ),
    rec(
        "valdoria",
        "Valdoria",
        None,
        "A coastal state.",
        aliases=("Republic of Valdoria",),
        entities=("valdoria",),
        entity_names=("Valdoria",),
    ),
]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def filters_of(bundle: Path) -> dict[str, list[str]]:
    """Filter name -> values, read back from the bundle's filter files."""
    found = {}
    for path in (bundle / "filter").glob("*.pf_filter"):
        name, values = pagefind_bundle.decode(path.read_bytes())
        found[name] = [value[0] for value in values]
    return found


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, reader_search.ReaderIndexStats]:
    out = tmp_path_factory.mktemp("site")
    return out, reader_search.write_reader_index(RECORDS, out, base_path=BASE)


def test_bundle_has_the_search_runtime_and_one_fragment_per_record(written):
    """pagefind/ holds pagefind.js, its worker and WebAssembly, one fragment per page, and shards.json."""
    out, stats = written
    bundle = out / "pagefind"
    for name in (
        "pagefind.js",
        "pagefind-worker.js",
        "pagefind-entry.json",
        "wasm.en.pagefind",
        "shards.json",
    ):
        assert (bundle / name).is_file(), name
    assert len(list((bundle / "fragment").iterdir())) == len(RECORDS)
    assert not list(bundle.glob("pagefind-ui*")), "Pagefind's own UI is not shipped"
    assert (stats.records, stats.shards, stats.canonical) == (len(RECORDS), 1, True)
    assert not [p for p in out.iterdir() if p.name != "pagefind"], "no work folders left behind"


def test_filters_for_source_kind_year_speaker_and_entity(written):
    """The bundle's filters carry the records' sources, kinds, years, speakers and entity names."""
    found = filters_of(written[0] / "pagefind")
    assert found["entity"] == ["Port Mira", "Valdoria"]
    assert found["source"] == ["Foreign Ministry", "News Agency"]
    assert found["kind"] == ["commentary", "statement"]
    assert found["year"] == ["2019", "2020"]
    assert found["speaker"] == ["Spokesperson"]


def test_same_records_give_byte_identical_bundles(tmp_path):
    """Two builds of the same records, given in any order, write byte-identical files."""
    first = reader_search.write_reader_index(RECORDS, tmp_path / "a", base_path=BASE)
    second = reader_search.write_reader_index(list(reversed(RECORDS)), tmp_path / "b", base_path=BASE)
    assert first.canonical and second.canonical
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_custom_record_puts_title_and_aliases_in_meta_and_url_relative():
    """Pagefind gets the title and aliases as searchable meta (an entity's also as `names`,
    which statements lack), the body as content, URLs without the site path."""
    entity = reader_search.custom_record(RECORDS[3], BASE, "en")
    assert entity["url"] == "/entities/valdoria/"
    assert entity["meta"] == {
        "title": "Valdoria",
        "aliases": "Republic of Valdoria",
        "names": "Valdoria · Republic of Valdoria",
    }
    assert entity["sort"] == {}
    statement = reader_search.custom_record(RECORDS[2], BASE, "en", ("어휘",))
    assert statement["content"] == "Quotas.\nThe quota is unfair, the ministry says."
    assert statement["meta"] == {
        "title": "Fishing quota",
        "date": "2020-01-05",
        "source": "Foreign Ministry",
        "terms": "어휘",
    }
    assert statement["sort"] == {"date": "2020-01-05"}
    assert "speaker" not in statement["filters"]  # empty values are left out


def test_url_outside_the_site_path_is_refused(tmp_path):
    """A record whose URL lies outside base_url's path is a clear error, not a broken link."""
    with pytest.raises(ArchiveError, match="outside the site's path"):
        reader_search.write_reader_index([replace(RECORDS[0], url="/elsewhere/x/")], tmp_path, base_path=BASE)


@pytest.fixture
def one_record_per_shard(monkeypatch):
    """Make every record cost one byte and give a shard room for one."""
    monkeypatch.setattr(reader_search, "RECORD_BYTES", 1)
    monkeypatch.setattr(reader_search, "WORD_BYTES", 0)
    monkeypatch.setattr(reader_search, "SHARD_MEMORY", 1)


def test_large_archives_are_split_into_month_shards(one_record_per_shard):
    """Past the indexer's memory budget, statements are cut at month boundaries, oldest first."""
    shards = reader_search.plan_shards(RECORDS)
    assert [[r.id for r in shard] for shard in shards] == [["rail"], ["vote"], ["quota", "valdoria"]]
    same_month = replace(RECORDS[0], id="rail2", date="2019-11-20")
    two = reader_search.plan_shards([*RECORDS, same_month], budget=2)
    assert [[r.id for r in shard] for shard in two] == [["rail", "rail2"], ["vote", "quota", "valdoria"]]
    one = reader_search.plan_shards([*RECORDS, same_month])
    assert [r.id for r in one[0]] == ["rail", "rail2"]  # a month is never cut, even past the budget


def test_ten_thousand_long_statements_make_two_shards():
    """10,000 statements of 700 words: two shards (an edit re-indexes half, a cold build
    indexes both at once); ten times as many: as many shards as the indexer's memory needs."""
    long = replace(RECORDS[0], text=" ".join(["word"] * 700))
    statements = [
        replace(long, id=f"s{i}", date=f"{2000 + i % 20}-{1 + i % 12:02d}-01") for i in range(10_000)
    ]
    assert len(reader_search.plan_shards(statements)) == 2
    assert len(reader_search.plan_shards(statements[:2_000])) == 1
    assert len(reader_search.plan_shards(statements * 10)) >= 8


def test_shard_size_changes_only_when_the_archive_doubles():
    """Shards keep their size as statements are added (so unchanged months stay in unchanged
    shards) and double when the archive outgrows MAX_SHARDS of them."""
    size = reader_search.SHARD_STATEMENTS
    limit = size * reader_search.MAX_SHARDS
    assert reader_search.shard_size(1) == reader_search.shard_size(limit) == size
    assert reader_search.shard_size(limit + 1) == reader_search.shard_size(2 * limit) == 2 * size


def test_site_yaml_bounds_the_number_of_shards():
    """search_shards (site.yaml) trades a reader's first-query bytes for edit time: one keeps
    10,000 statements whole, four cuts them into shards of 2,500."""
    statements = [
        replace(RECORDS[0], id=f"s{i}", date=f"{2000 + i % 20}-{1 + i % 12:02d}-01") for i in range(10_000)
    ]
    assert len(reader_search.plan_shards(statements, max_shards=1)) == 1
    assert len(reader_search.plan_shards(statements, max_shards=4)) == 4
    assert reader_search.shard_size(10_000, 4) == reader_search.SHARD_STATEMENTS == 2_500


def test_adding_a_statement_leaves_the_older_shards_alone():
    """A statement added in the newest month changes only the newest shard's records."""
    statements = [replace(RECORDS[0], id=f"s{i:03d}", date=f"2019-{1 + i // 10:02d}-01") for i in range(100)]
    before = reader_search.plan_shards(statements, size=30)
    after = reader_search.plan_shards([*statements, replace(statements[-1], id="new")], size=30)
    assert len(before) == len(after) == 4
    assert before[:-1] == after[:-1] and len(after[-1]) == len(before[-1]) + 1
    assert all(
        len({r.date[:7] for r in shard} & {r.date[:7] for r in before[3]}) == 0 for shard in before[:3]
    )


def test_shards_indexed_side_by_side_are_the_bytes_of_one_at_a_time(
    tmp_path, one_record_per_shard, monkeypatch
):
    """Indexers running at once give the same bundle as one after another, whichever
    finishes first (here the first shard, the bundle's root, finishes last)."""
    index = reader_search._index

    def oldest_last(records, *args):
        if records[0].id == RECORDS[0].id:
            time.sleep(1)
        return index(records, *args)

    monkeypatch.setattr(reader_search, "_index", oldest_last)
    monkeypatch.setattr(reader_search, "_indexers", lambda shards: 3)
    together = reader_search.write_reader_index(RECORDS, tmp_path / "together", base_path=BASE)
    monkeypatch.setattr(reader_search, "_indexers", lambda shards: 1)
    reader_search.write_reader_index(RECORDS, tmp_path / "alone", base_path=BASE)
    assert together.shards == 3
    assert tree(tmp_path / "together") == tree(tmp_path / "alone")


def test_indexers_run_one_a_core_within_the_memory_budget(monkeypatch):
    monkeypatch.setattr(reader_search, "worker_count", lambda: 2)
    shards = [reader_search.Shard(shard) for shard in reader_search.plan_shards(RECORDS, size=1)]
    assert len(shards) == 3 and reader_search._indexers(shards) == 2
    largest = max(shard.memory for shard in shards)
    monkeypatch.setattr(reader_search, "SHARD_MEMORY", 2 * largest - 1)
    assert reader_search._indexers(shards) == 1


def test_a_packed_shard_holds_none_of_its_records_and_gives_them_back_whole() -> None:
    """A build that indexes after rendering packs the records, so that letting go of the
    archive frees its memory: a packed shard refers to none of the record objects (nor,
    through them, to the archive's strings) and unpacks to equal records."""
    import gc

    records = [replace(record, title=f"{record.title} ") for record in RECORDS]  # objects of its own
    shard = reader_search.Shard(list(records))
    count, memory, dates = shard.count, shard.memory, shard.dates
    shard.pack()
    assert [holder for holder in gc.get_referrers(records[0]) if holder is not records] == []
    assert shard.records() == records
    assert (shard.count, shard.memory, shard.dates) == (count, memory, dates)
    assert dates == (min(r.date for r in records if r.date), max(r.date for r in records if r.date))


def test_split_bundle_lists_its_shards(tmp_path, one_record_per_shard):
    """A split index writes one bundle per shard and shards.json lists them oldest first."""
    stats = reader_search.write_reader_index(RECORDS, tmp_path, base_path=BASE)
    bundle = tmp_path / "pagefind"
    manifest = (bundle / "shards.json").read_text()
    assert stats.shards == 3
    assert '"path": "shard-2/"' in manifest
    assert (bundle / "shard-1" / "pagefind-entry.json").is_file()


def test_shards_share_the_root_webassembly(tmp_path, one_record_per_shard):
    """A reader downloads Pagefind's WebAssembly and scripts once, not once a shard: the
    other shards have none and their entry files name a URL that resolves to the root's.
    The cache keeps every shard whole."""
    cache = tmp_path / "cache"
    reader_search.write_reader_index(RECORDS, tmp_path, base_path=BASE, cache_dir=cache)
    bundle = tmp_path / "pagefind"
    assert (bundle / "wasm.en.pagefind").is_file() and (bundle / "pagefind.js").is_file()
    for shard in ("shard-1", "shard-2"):
        assert sorted(p.name for p in (bundle / shard).glob("*.js")) == []
        assert list((bundle / shard).glob("wasm.*")) == []
        entry = json.loads((bundle / shard / "pagefind-entry.json").read_text())
        wasm = entry["languages"]["en"]["wasm"]
        fetched = urljoin(f"https://example.org{BASE}pagefind/{shard}/", f"wasm.{wasm}.pagefind")
        assert fetched == f"https://example.org{BASE}pagefind/wasm.en.pagefind"
    for cached in (cache / reader_search.CACHED_SHARDS).iterdir():
        assert (cached / "wasm.en.pagefind").is_file()
        assert json.loads((cached / "pagefind-entry.json").read_text())["languages"]["en"]["wasm"] == "en"


def test_cache_reuses_unchanged_shards(tmp_path, one_record_per_shard):
    """With a cache, a rebuild re-indexes only the shard whose records changed; the result is the same."""
    cache = tmp_path / "cache"
    first = reader_search.write_reader_index(RECORDS, tmp_path / "one", base_path=BASE, cache_dir=cache)
    assert first.reused == 0
    again = reader_search.write_reader_index(RECORDS, tmp_path / "two", base_path=BASE, cache_dir=cache)
    assert (again.reused, again.shards) == (3, 3)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    edited = [*RECORDS[:2], replace(RECORDS[2], text="The quota is fair now."), RECORDS[3]]
    third = reader_search.write_reader_index(edited, tmp_path / "three", base_path=BASE, cache_dir=cache)
    assert third.reused == 2
    reader_search.write_reader_index(edited, tmp_path / "four", base_path=BASE)
    assert tree(tmp_path / "three") == tree(tmp_path / "four")
    assert len(list((cache / "reader").iterdir())) == 3  # the replaced shard was forgotten


def fake_indexer(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake-pagefind"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_missing_indexer_is_a_clear_error(tmp_path, monkeypatch):
    """Without the Pagefind binary the build stops with a message saying how to get it."""
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "nowhere"))
    with pytest.raises(ArchiveError, match=r"pagefind\[bin\]"):
        reader_search.write_reader_index(RECORDS, tmp_path, base_path=BASE)


@pytest.mark.parametrize("loaded", [False, True])
def test_crashing_indexer_is_an_error_not_a_hang(tmp_path, monkeypatch, loaded):
    """An indexer that dies gives an error with what it printed, at once; also on a loaded
    machine, where it is gone before the first request is written and the threads reading
    its output have not run yet."""
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", fake_indexer(tmp_path, "echo 'out of memory' >&2; exit 3"))
    if loaded:
        service = pagefind_service.PagefindService
        for name, seconds in (("send", 0.3), ("_read_replies", 1.0), ("_read_stderr", 1.0)):
            monkeypatch.setattr(service, name, _late(getattr(service, name), seconds))
    with pytest.raises(ArchiveError, match="out of memory") as raised:
        reader_search.write_reader_index(RECORDS, tmp_path / "out", base_path=BASE)
    assert "exit status 3" in str(raised.value)


def _late(method, seconds):
    def late(*args, **kwargs):
        time.sleep(seconds)
        return method(*args, **kwargs)

    return late


def test_silent_indexer_times_out(tmp_path, monkeypatch):
    """An indexer that never answers is given up on after the reply timeout."""
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", fake_indexer(tmp_path, "exec sleep 30"))
    monkeypatch.setattr(pagefind_service, "REPLY_TIMEOUT", 0.5)
    with pytest.raises(ArchiveError, match="no reply"):
        reader_search.write_reader_index(RECORDS, tmp_path / "out", base_path=BASE)
    assert not list((tmp_path / "out").glob(".pagefind-*")), "no work folders left behind"


def test_main_language_is_the_most_common():
    """The index language (its stemmer) is the records' most common language."""
    korean = [replace(r, language="ko") for r in RECORDS[:3]]
    assert reader_search.main_language(RECORDS) == "en"
    assert reader_search.main_language([*korean, RECORDS[3]]) == "ko"
    assert reader_search.main_language([]) == "en"


def test_canonical_rewrite_refuses_unknown_formats():
    """A bundle whose files do not decode as expected is left exactly as Pagefind made it."""
    entry = b'{"version":"9","languages":{"en":{"hash":"en_missing","wasm":"en","page_count":1}}}'
    files = {"pagefind-entry.json": entry, "pagefind.en_missing.pf_meta": b"not gzip"}
    assert pagefind_bundle.canonicalise(files) is False
    assert files == {"pagefind-entry.json": entry, "pagefind.en_missing.pf_meta": b"not gzip"}
