"""The maintainers' search on a real whoosh index: fields, stemming, dates, updates, crashes, bad queries."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from builder import maintainer_search as ms
from builder.cli import main
from builder.errors import UsageError
from builder.searchdocs import SearchRecord

from .conftest import search_record

PROJECT = Path(__file__).resolve().parents[1]


def rec(id: str, title: str, date: str | None, text: str, **fields: object) -> SearchRecord:
    return search_record(id, title, date, text, base="/", **fields)


RECORDS = [
    rec(
        "rail",
        "Railroad agreement signed",
        "2019-11-17",
        "The railroad agreement was signed at Port Mira.",
        source_id="fm",
        source="Foreign Ministry",
        kind="statement",
        speaker="Chief Spokesperson",
        speaker_id="chief",
        entities=("valdoria", "port-mira"),
        entity_names=("Valdoria", "Port Mira"),
    ),
    rec(
        "vote",
        "On the vote",
        "2019-11-30",
        "The resolution was railroaded through the assembly.",
        source_id="kna",
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
        source_id="fm",
        source="Foreign Ministry",
        kind="statement",
    ),
    rec(
        "seoul",
        "Seoul talks",
        "2021-03-04",
        "The talks were refused.",
        source_id="kna",
        source="News Agency",
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


@pytest.fixture
def index(tmp_path: Path) -> Path:
    cache = tmp_path / ".archive-cache" / "whoosh"
    ms.update_index(cache, RECORDS)
    return cache


def ids(cache: Path, query: str, limit: int = 10) -> list[str]:
    return [hit.id for hit in ms.search(cache, query, limit).hits]


def test_stemmed_words_find_other_forms(index):
    """'railroaded' finds 'railroad' and the other way round (English stemming)."""
    assert set(ids(index, "railroaded")) == {"rail", "vote"}
    assert set(ids(index, "railroads")) == {"rail", "vote"}


def test_fields_narrow_the_search(index):
    """title:, entity: (id), source: (id or name), kind:, speaker:, page: and id: each select their field."""
    assert ids(index, "title:railroad") == ["rail"]
    assert set(ids(index, "entity:valdoria")) == {"rail", "vote", "valdoria"}
    assert set(ids(index, "entity:port-mira")) == {"rail"}
    assert set(ids(index, "source:fm")) == {"rail", "quota"}
    assert set(ids(index, 'source:"news agency"')) == {"vote", "seoul"}
    assert ids(index, "kind:commentary") == ["vote"]
    assert ids(index, "speaker:spokesperson") == ["rail"]
    assert ids(index, "speaker:chief") == ["rail"]
    assert set(ids(index, "source:ministry")) == {"rail", "quota"}
    assert ids(index, "page:entity") == ["valdoria"]
    assert ids(index, "id:quota") == ["quota"]
    assert ids(index, "railroad kind:statement") == ["rail"]


def test_date_ranges_and_partial_dates(index):
    """date:[A TO B], date:YYYY(-MM) and date:>A select statements by their date."""
    assert set(ids(index, "date:[2019-11-01 TO 2019-11-30]")) == {"rail", "vote"}
    assert ids(index, "date:2020") == ["quota"]
    assert set(ids(index, "date:2019-11")) == {"rail", "vote"}
    assert set(ids(index, "date:>2019-12-31")) == {"quota", "seoul"}


def test_korean_dictionary_forms_are_searchable(tmp_path):
    """서울 finds 서울은 and 전하다 finds 전했다 (Kiwi's dictionary forms), 서울은 finds itself."""
    cache = tmp_path / "whoosh"
    korean = rec(
        "ko", "외무성 담화", "2021-03-04", "서울은 회담을 거부하였다. 통신은 담화를 전했다.", language="ko"
    )
    ms.update_index(cache, [*RECORDS, korean])
    assert ids(cache, "서울") == ["ko"]
    assert ids(cache, "전하다") == ["ko"]
    assert ids(cache, "서울은") == ["ko"]


def test_hits_carry_rank_date_title_and_marked_snippet(index):
    """Each hit has its rank, id, date, title, URL and a snippet with the matched words marked."""
    found = ms.search(index, "railroad", marks=("<<", ">>"))
    hits = found.hits
    assert (found.total, found.exact) == (2, True)
    first = hits[0]
    assert (first.rank, first.id, first.date, first.url) == (1, "rail", "2019-11-17", "/statements/rail/")
    assert "<<railroad>>" in first.snippet
    assert "<<railroaded>>" in hits[1].snippet


def test_update_adds_changes_and_removes_only_what_differs(index):
    """A second update re-indexes only the added and changed records and deletes the removed ones."""
    assert ms.update_index(index, RECORDS) == ms.UpdateStats(0, 0, 0, pytest.approx(0, abs=5))
    changed = [
        replace(RECORDS[0], text="The tungsten agreement was signed."),
        *RECORDS[2:],
        rec("new", "New statement", "2022-02-02", "Tungsten again."),
    ]
    stats = ms.update_index(index, changed)
    assert (stats.added, stats.changed, stats.removed, stats.rebuilt) == (1, 1, 1, False)
    assert set(ids(index, "tungsten")) == {"rail", "new"}
    assert ids(index, "body:railroad") == []
    assert ids(index, "id:vote") == []


def test_renamed_entity_changes_the_statements_that_name_it(index):
    """A record's hash covers display names too, so a renamed entity re-indexes its statements."""
    renamed = [
        replace(r, entity_names=tuple("Valdorian Republic" if n == "Valdoria" else n for n in r.entity_names))
        for r in RECORDS
    ]
    assert ms.update_index(index, renamed).changed == 3


def test_schema_change_rebuilds_the_index(index, monkeypatch):
    """An index written with another schema version is rebuilt from scratch, not patched."""
    monkeypatch.setattr(ms, "SCHEMA_VERSION", ms.SCHEMA_VERSION + 1)
    stats = ms.update_index(index, RECORDS)
    assert stats.rebuilt
    assert stats.added == len(RECORDS)
    assert set(ids(index, "railroad")) == {"rail", "vote"}


def test_damaged_index_is_rebuilt(index):
    """An index whose files are damaged is rebuilt on the next update instead of failing."""
    for path in index.glob("*.seg"):
        path.write_bytes(b"garbage")
    for path in index.glob("_archive_*.toc"):
        path.write_bytes(b"garbage")
    stats = ms.update_index(index, RECORDS)
    assert stats.rebuilt
    assert set(ids(index, "railroad")) == {"rail", "vote"}


KILLED_INDEXER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    sys.path.insert(0, {project!r})
    from builder import maintainer_search as ms
    from builder.searchdocs import SearchRecord
    words = "railroad quota vessel harbour statement assembly ministry agreement".split()
    def make(i, extra):
        text = " ".join(words[(i * 7 + k) % len(words)] for k in range(100)) + f" marker{{i}} {{extra}}"
        return SearchRecord(id=f"s{{i}}", page="statement", url=f"/s{{i}}/", title=f"Statement {{i}}",
            date="2020-01-01", year="2020", source_id="fm", source="FM", kind="statement", speaker="",
            entities=(), entity_names=(), aliases=(), language="en", text=text, summary="", content_hash="")
    if __name__ == "__main__":
        cache, extra, count, mode = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
        documents = ms._documents
        def stalling(records):
            for number, document in enumerate(documents(records)):
                if number == len(records) // 2:
                    print("midway", flush=True)
                    time.sleep(60)  # the test kills us here, half the documents in the writer
                yield document
        if os.environ.get("PARALLEL_REBUILD"):
            ms.PARALLEL_REBUILD = int(os.environ["PARALLEL_REBUILD"])
        if mode == "midway":
            ms._documents = stalling
        else:
            ms._write_state = lambda *args: os._exit(9)  # dies after the commit, before the state file
        print("indexing", flush=True)
        ms.update_index(cache, [make(i, extra) for i in range(count)])
    """
)
COUNT = 300


def _crash_indexer(tmp_path: Path, cache: Path, extra: str, mode: str, env: dict | None = None) -> None:
    """Run an update in a child process and crash it: SIGKILL mid-way, or exit after the commit."""
    script = tmp_path / "indexer.py"
    script.write_text(KILLED_INDEXER.format(project=str(PROJECT)))
    child = subprocess.Popen(
        [sys.executable, str(script), str(cache), extra, str(COUNT), mode],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "indexing"
    if mode == "midway":
        assert child.stdout.readline().strip() == "midway"
        os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=120) in (-signal.SIGKILL, 9)


def _records(extra: str) -> list[SearchRecord]:
    namespace: dict = {"__name__": "records"}
    exec(KILLED_INDEXER.format(project=str(PROJECT)), namespace)
    return [namespace["make"](i, extra) for i in range(COUNT)]


def test_killed_first_indexing_leaves_no_corrupt_index(tmp_path):
    """SIGKILL in the middle of a first indexing: the next update rebuilds and leaves no debris."""
    cache = tmp_path / ".archive-cache" / "whoosh"
    _crash_indexer(tmp_path, cache, "first", "midway")
    assert list(cache.parent.glob("whoosh.new-*"))  # the half-made rebuild, never swapped in
    stats = ms.update_index(cache, _records("first"))
    assert stats.rebuilt
    assert ids(cache, f"marker{COUNT - 1}") == [f"s{COUNT - 1}"]
    assert not list(cache.parent.glob("whoosh.new-*"))


def test_killed_update_keeps_the_old_index_and_the_next_update_finishes(tmp_path):
    """SIGKILL in the middle of an update leaves the previous index readable; the next update redoes it."""
    cache = tmp_path / ".archive-cache" / "whoosh"
    ms.update_index(cache, _records("old"))
    _crash_indexer(tmp_path, cache, "new", "midway")
    assert len(ids(cache, "old", limit=1000)) == COUNT  # the interrupted update changed nothing
    stats = ms.update_index(cache, _records("new"))
    assert (stats.changed, stats.rebuilt) == (COUNT, False)
    assert len(ids(cache, "new", limit=1000)) == COUNT
    assert ids(cache, "old") == []


def test_crash_between_commit_and_state_file_is_noticed(tmp_path):
    """A crash after whoosh committed but before the state file and seal were written: the new
    commit is not signed, so the index is not trusted (it holds pickles) and is made again."""
    cache = tmp_path / ".archive-cache" / "whoosh"
    ms.update_index(cache, _records("old"))
    _crash_indexer(tmp_path, cache, "new", "after-commit")
    stats = ms.update_index(cache, _records("new"))
    assert stats.rebuilt
    assert len(ids(cache, "new", limit=1000)) == COUNT


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("title:(railroad", "unbalanced ()"),
        ('"railroad agreement', "quotation mark is not closed"),
        ("titel:railroad", "unknown field 'titel' (did you mean 'title'?)"),
        ("date:[2019-13-01 TO 2019-12-31]", "'2019-13-01' is not a date"),
        ("date:[yesterday TO today]", "'yesterday' is not a date"),
        ("AND OR", "no words or fields"),
    ],
)
def test_malformed_query_is_one_line_and_exit_status_2(tmp_path, capsys, query, message):
    """A malformed query gets a one-line message naming the problem, exit status 2, no traceback."""
    (tmp_path / "site.yaml").write_text("title: x\n")
    assert main(["search", query, "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err
    assert "Traceback" not in err


def test_parse_query_refuses_empty_queries():
    """An empty query is refused with a hint rather than matching nothing."""
    with pytest.raises(UsageError, match="empty query"):
        ms.parse_query("  ")


def test_archive_search_command_end_to_end(archive, capsys):
    """`archive search` indexes the archive on first use, prints ranked hits, and --json gives objects."""
    assert main(["search", "fees", "--root", str(archive)]) == 0
    out, err = capsys.readouterr()
    assert "fees-2024-03-02" in out
    assert "[fees]" in out
    assert "search index rebuilt" in err
    assert main(["search", "fees", "--json", "--limit", "1", "--root", str(archive)]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert [hit["id"] for hit in data] == ["fees-2024-03-02"]
    assert set(data[0]) == {"rank", "id", "page", "date", "title", "url", "score", "snippet"}
    assert "search index" not in err  # nothing changed: no re-indexing
    statement = archive / "content/statements/2024/third-2024-03-10.md"
    statement.write_text(statement.read_text().replace("Nothing to add.", "Nothing about fees to add."))
    assert main(["search", "fees", "--root", str(archive)]) == 0
    out, err = capsys.readouterr()
    assert "third-2024-03-10" in out
    assert "1 changed" in err


def test_an_index_this_user_did_not_make_is_not_opened(tmp_path):
    """A whoosh index copied in from elsewhere (a pull request, another machine) is never read:
    it can hold pickles that run code. The next update rebuilds it instead."""
    cache = tmp_path / ".archive-cache" / "whoosh"
    ms.update_index(cache, _records("old"))
    toc = next(cache.glob("*.toc"))
    toc.write_bytes(toc.read_bytes() + b" ")  # anyone's change to a signed file
    assert not ms.is_current(cache, "")
    assert ms.update_index(cache, _records("old")).rebuilt
    (cache / "_MAIN_99.toc").write_bytes(b"planted")  # a newer table of contents, unsigned
    assert ms.update_index(cache, _records("old")).rebuilt
    assert not (cache / "_MAIN_99.toc").exists()


def segments(cache: Path) -> int:
    from whoosh import index

    ix = index.open_dir(str(cache), indexname=ms.INDEX_NAME)
    try:
        with ix.reader() as reader:
            return len(list(reader.leaf_readers()))
    finally:
        ix.close()


def test_a_large_rebuild_on_every_core_finds_what_one_process_finds(tmp_path, monkeypatch):
    """At PARALLEL_REBUILD records and more the index is made by one writer a core; its
    answers (pages, scores, totals) are those of an index made in one process."""
    import random

    rng = random.Random(7)
    words = "harbour fees council quota resolution fishing vessel treaty summit port".split()
    records = [
        search_record(
            f"s{i:04d}",
            f"Statement {i} on {rng.choice(words)}",
            f"20{10 + i % 10}-0{1 + i % 9}-1{i % 9}",
            " ".join(rng.choice(words) for _ in range(40)),
        )
        for i in range(600)
    ]
    monkeypatch.setattr(ms, "PARALLEL_REBUILD", 500)
    monkeypatch.setattr(ms, "worker_count", lambda: 2)
    ms.update_index(tmp_path / "parallel", records)
    monkeypatch.setattr(ms, "PARALLEL_REBUILD", 10**9)
    ms.update_index(tmp_path / "single", records)
    assert (segments(tmp_path / "parallel"), segments(tmp_path / "single")) == (2, 1)

    def answer(cache: Path, query: str) -> tuple[list[tuple[float, str]], int]:
        found = ms.search(cache, query, limit=600)
        return sorted((-round(h.score, 6), h.id) for h in found.hits), found.total

    for query in ("harbour", "quota AND treaty", "title:summit", "date:[2012 TO 2014]", "vessel OR port"):
        assert answer(tmp_path / "parallel", query) == answer(tmp_path / "single", query), query


@pytest.mark.parametrize("cancel_fails", [False, True])
def test_an_error_in_a_parallel_rebuild_leaves_no_writer_behind(tmp_path, monkeypatch, cancel_fails):
    """whoosh's own cancel leaves its writer processes waiting for work (and the interpreter
    waiting for them at exit): an error mid-way stops them, and the old index stays. The
    error reported is the one that stopped the rebuild, even when whoosh's cleanup fails
    after it (seen once under load: its temporary folder "not empty", a writer still in it)."""
    import multiprocessing

    from whoosh.writing import SegmentWriter

    if cancel_fails:

        def cancel(self, *args, **kwargs):
            raise OSError(39, "Directory not empty")

        monkeypatch.setattr(SegmentWriter, "cancel", cancel)
    records = [
        search_record(f"s{i:04d}", f"Statement {i}", "2019-01-01", "harbour fees " * 20) for i in range(600)
    ]
    monkeypatch.setattr(ms, "PARALLEL_REBUILD", 500)
    monkeypatch.setattr(ms, "worker_count", lambda: 2)
    document = ms._document

    def failing(record, terms):
        if record.id == "s0450":  # after the first batches went to the writers
            raise RuntimeError("analyser failed")
        return document(record, terms)

    monkeypatch.setattr(ms, "_document", failing)
    with pytest.raises(RuntimeError, match="analyser failed"):
        ms.update_index(tmp_path / "whoosh", records)
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "whoosh").exists() and not list(tmp_path.glob("whoosh.new-*"))


def test_a_killed_parallel_rebuild_leaves_no_writer_running(tmp_path):
    """SIGKILL to `archive search` while its writer processes index: they end with it (none
    is left waiting for work), and the next update rebuilds."""
    import time

    cache = tmp_path / ".archive-cache" / "whoosh"
    _crash_indexer(tmp_path, cache, "first", "midway", env={"PARALLEL_REBUILD": "1"})
    script = str(tmp_path / "indexer.py")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(script):
        time.sleep(0.1)
    assert not _running(script)
    assert ms.update_index(cache, _records("first")).rebuilt


def _running(script: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and script.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def test_control_characters_of_content_never_reach_the_terminal(tmp_path, capsys, monkeypatch):
    """A hostile title or text with escape sequences (recolour, clear the screen) is printed
    without them, on a terminal too, where only the search's own bold marks remain."""
    from .conftest import ENTITIES, write_archive

    root = write_archive(
        tmp_path / "a",
        {
            **ENTITIES,
            "content/statements/2024/ctrl-2024-03-01.md": (
                '---\ntitle: "Ctrl \\e[31mRED\\e[0m \\x01 title"\ndate: 2024-03-01\nsource: gazette\n---\n'
                "The harbour \x1b[2J board met.\n"
            ),
        },
    )
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(["search", "harbour", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Ctrl RED title" in out.replace("  ", " ")
    assert "\x1b[31m" not in out and "\x1b[2J" not in out and "\x01" not in out
    assert "\x1b[1mharbour\x1b[22m" in out
    from builder.maintainer_search import _printable  # content read elsewhere than from files

    assert _printable("Quay\x1b]0;T\x07 \x1b[31mboard\x01\tmet", ()) == "Quay board met"


def test_json_results_escape_the_controls_json_would_write_raw() -> None:
    """`--json` is read on terminals too: a C1 control (U+009B, an escape sequence's start on
    some terminals) or DEL, which json.dumps writes as it is, is written as \\u009b, and the
    JSON still reads back as the same text. (Content loses its controls as it is read; this
    guards what the index may hold from elsewhere.)"""
    from builder.maintainer_search import _json_printable

    hits = [{"title": "Quay \u009b31m board \u007f met"}]
    out = _json_printable(json.dumps(hits, ensure_ascii=False))
    assert "\u009b" not in out and "\u007f" not in out and "\\u009b" in out
    assert json.loads(out) == hits
