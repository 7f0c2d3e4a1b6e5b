"""Building: every page type, subpath base_url, template override, atomic output, determinism."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT, build, run, tree, write_archive


def test_every_page_type_is_written(archive: Path) -> None:
    """Home, statements (paginated), statement, dates, entities, kinds, tags, 404, .nojekyll."""
    site = build(archive)
    for rel in [
        "index.html",
        "statements/index.html",
        "statements/page/2/index.html",
        "statements/fees-2024-03-02/index.html",
        "dates/index.html",
        "dates/2024/index.html",
        "dates/2024/03/index.html",
        "dates/2024/03/02/index.html",
        "entities/index.html",
        "entities/gazette/index.html",
        "entities/council/index.html",
        "kinds/index.html",
        "kinds/statement/index.html",
        "tags/index.html",
        "tags/ports/index.html",
        "withdrawn/index.html",
        "search/index.html",
        "404.html",
        ".nojekyll",
        "static/style.css",
    ]:
        assert (site / rel).is_file(), rel


def test_statement_page_shows_what_a_reader_needs(archive: Path) -> None:
    """Title, date linked to its day, source, kind, references both ways, previous/next."""
    site = build(archive)
    fees = (site / "statements/fees-2024-03-02/index.html").read_text()
    reply = (site / "statements/reply-2024-03-09/index.html").read_text()
    assert "<h1>Ministry comments on harbour fees</h1>" in fees
    assert 'href="/dates/2024/03/02/"' in fees
    assert 'href="/entities/gazette/">North Wind Gazette</a>' in fees
    assert "Responded to by" in fees and 'href="/statements/reply-2024-03-09/"' in fees
    assert "Responds to" in reply and 'href="/statements/fees-2024-03-02/"' in reply
    assert 'rel="next"' in fees and 'rel="prev"' in reply


def test_lists_are_newest_first_and_paginated(archive: Path) -> None:
    """The statements list shows the newest first, page_size per page, with page links."""
    site = build(archive)
    first = (site / "statements/index.html").read_text()
    second = (site / "statements/page/2/index.html").read_text()
    assert first.index("A third statement") < first.index("Reply to the Council")
    assert "Ministry comments on harbour fees" in second
    assert 'href="/statements/page/2/"' in first


def test_entity_and_source_pages_list_their_statements(archive: Path) -> None:
    """An entity page lists statements tagged with it; a publication's lists what it published."""
    site = build(archive)
    council = (site / "entities/council/index.html").read_text()
    gazette = (site / "entities/gazette/index.html").read_text()
    assert "Ministry comments on harbour fees" in council
    assert "Published by North Wind Gazette" in gazette and "A third statement" in gazette


def test_subpath_base_url_prefixes_every_link(archive: Path) -> None:
    """With base_url https://someone.github.io/archive/, every internal link starts /archive/."""
    site = build(archive, "--base-url", "https://someone.github.io/archive/")
    for path in site.rglob("*.html"):
        html = path.read_text()
        for href in re.findall(r'(?:href|src)="([^"]+)"', html):
            if href.startswith("/"):
                assert href.startswith("/archive/"), (path, href)
    home = (site / "index.html").read_text()
    assert '<link rel="canonical" href="https://someone.github.io/archive/">' in home


def test_site_template_overrides_the_theme(archive: Path) -> None:
    """A template of the same name under the site's templates/ replaces the built-in one."""
    (archive / "templates").mkdir()
    (archive / "templates/404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost at sea</h1>{% endblock %}'
    )
    site = build(archive)
    assert "<h1>Lost at sea</h1>" in (site / "404.html").read_text()
    assert "<h1>Page not found</h1>" not in (site / "404.html").read_text()


def test_broken_template_is_reported_not_raised(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A syntax error in a site template names the file and line; exit status 1."""
    (archive / "templates").mkdir()
    (archive / "templates/404.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}{{ oops( }}{% endblock %}"
    )
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 1
    err = capsys.readouterr().err
    assert "404.html:2: template error" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"404.html": "{% extends 'base.html' %}\n{% block main %}{{ 1 / 0 }}{% endblock %}"},
            "templates/404.html:2: template error while making /404.html: ZeroDivisionError",
        ),
        (
            {"404.html": "{% extends 'base.html' %}\n{% block main %}{{ url(None) }}{% endblock %}"},
            "templates/404.html:2: template error while making /404.html: AttributeError",
        ),
        (
            {
                "404.html": "{% extends 'base.html' %}\n\n{% block main %}{% include 'nope.html' %}{% endblock %}"
            },
            "templates/404.html:3: template error while making /404.html: the template 'nope.html' was not found",
        ),
        (
            {"404.html": b"{% extends 'base.html' %}\n\xff\xfe"},
            "templates/404.html:2: the template is not UTF-8 text",
        ),
    ],
    ids=["division by zero", "a function given None", "a missing include", "not UTF-8"],
)
def test_a_template_mistake_names_its_file_and_line(
    archive: Path, capsys: pytest.CaptureFixture[str], files: dict, expected: str
) -> None:
    """Mistakes that only show when a page is made are reported like syntax errors: the
    template and line where they are, exit status 1, no traceback, no site written."""
    (archive / "templates").mkdir()
    for name, text in files.items():
        path = archive / "templates" / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not (archive / "_site").exists()


def test_failed_build_leaves_previous_site(archive: Path) -> None:
    """A content error fails the build (exit 1) and the previous _site is untouched."""
    site = build(archive)
    before = tree(site)
    bad = archive / "content/statements/2024/third-2024-03-10.md"
    bad.write_text(bad.read_text().replace("2024-03-10", "2024-02-30", 1))
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 1
    assert tree(site) == before
    assert not list(archive.glob("._site.*")), "no staging folder left behind"


def test_two_builds_are_byte_identical(archive: Path, tmp_path: Path) -> None:
    """The same content gives the same bytes, whatever the hash seed."""
    first = build(archive)
    snapshot = tree(first)
    env = {**os.environ, "PYTHONHASHSEED": "12345", "TZ": "Pacific/Auckland", "LC_ALL": "C"}
    subprocess.run(
        [sys.executable, "-m", "builder", "build", "--root", str(archive), "--no-search", "--quiet"],
        check=True,
        env=env,
    )
    assert tree(archive / "_site") == snapshot


def test_refuses_to_overwrite_a_foreign_folder(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out pointing at content/, the root, or a non-empty folder we did not make is refused."""
    other = archive / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    assert run("build", "--root", str(archive), "--out", str(other), "--no-search", "--quiet") == 1
    assert (other / "keep.txt").read_text() == "mine"
    assert run("build", "--root", str(archive), "--out", str(archive), "--no-search", "--quiet") == 1
    assert (
        run("build", "--root", str(archive), "--out", str(archive / "content"), "--no-search", "--quiet") == 1
    )
    assert "refusing" in capsys.readouterr().err


def test_demo_archive_builds_with_all_links(demo_copy: Path) -> None:
    """The project's own demo archive builds; its statements link entities, days and each other."""
    site = build(demo_copy)
    page = (site / "statements/vfm-quota-resolution-2019-11-17/index.html").read_text()
    assert 'class="mention"' in page
    assert 'href="/dates/2019/11/14/"' in page
    assert "Related statements" in page
    assert "Referenced by" in page
    assert 'id="note-1"' in page


def test_contract_check_passes(tmp_path: Path) -> None:
    """The shared contract check (../shared/contract/check.py) passes on this build."""
    check = PROJECT.parent / "shared" / "contract" / "check.py"
    if not check.is_file():
        pytest.skip("../shared/contract/check.py not present (a user's clone has no ../shared)")
    if not (PROJECT / ".venv/bin/archive").exists():
        pytest.skip("no .venv/bin/archive: run `make build` first")
    result = subprocess.run([sys.executable, str(check)], cwd=PROJECT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_captures_are_published_as_text(archive: Path) -> None:
    """A saved HTML capture is served as .html.txt (its scripts never run as the archive); a
    .txt capture as it is; the statement links both, and content/.backup is never published."""
    sha = "a" * 64
    (archive / "content/captures/2024").mkdir(parents=True)
    (archive / f"content/captures/2024/{sha}.html").write_text("<script>alert(1)</script>")
    (archive / f"content/captures/2024/{'b' * 64}.txt").write_text("plain")
    (archive / "content/.backup").mkdir()
    (archive / "content/.backup/old.md").write_text("secret draft")
    path = archive / "content/statements/2024/third-2024-03-10.md"
    path.write_text(
        path.read_text().replace(
            "---\nNothing",
            f"captures:\n  - sha256: {sha}\n    file: captures/2024/{sha}.html\n"
            f"  - sha256: {'b' * 64}\n    file: captures/2024/{'b' * 64}.txt\n---\nNothing",
        )
    )
    site = build(archive)
    assert (site / f"captures/2024/{sha}.html.txt").read_text() == "<script>alert(1)</script>"
    assert not (site / f"captures/2024/{sha}.html").exists()
    assert (site / f"captures/2024/{'b' * 64}.txt").is_file()
    page = (site / "statements/third-2024-03-10/index.html").read_text()
    assert f'href="/captures/2024/{sha}.html.txt"' in page
    assert f'href="/captures/2024/{"b" * 64}.txt"' in page
    assert not any("secret draft" in p.read_text(errors="ignore") for p in site.rglob("*") if p.is_file())


def test_imported_capture_builds_with_no_broken_link(tmp_path: Path) -> None:
    """The real capture, imported with --year 2019, builds into a page whose links all resolve."""
    from .conftest import SHARED, write_archive

    capture = SHARED / "captures" / "000_ec23bf7c69f42157.txt"
    if not capture.is_file():
        pytest.skip("../shared/captures not present (a user's clone has no ../shared)")
    root = write_archive(
        tmp_path / "a",
        {
            "content/entities/pyongyang-times.md": "---\nname: Pyongyang Times\ntype: publication\n---\n",
            "content/entities/dprk.md": "---\nname: DPRK\ntype: country\n---\n",
            "content/entities/us.md": "---\nname: United States\ntype: country\naliases: [US]\n---\n",
        },
    )
    assert run("import", str(capture), "--root", str(root), "--year", "2019", "--quiet") == 0
    site = build(root)
    from builder.linkcheck import check_links

    assert [str(p) for p in check_links(site) if p.severity != "info"] == []
    pages = list((site / "statements").glob("*-2019-11-17/index.html"))
    assert len(pages) == 1
    html = pages[0].read_text()
    assert 'href="/dates/2019/11/14/"' in html
    assert 'href="/entities/us/"' in html
    assert "original capture" in html.lower() or "Original capture" in html


def test_workers_make_the_same_pages_as_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linking and rendering in worker processes (which write their own pages, fresh workers
    taking over after every few sections, the parent making the pages that read the whole
    archive) give the files a one-process build gives (a generated archive above the size
    where workers start)."""
    from builder import link, render
    from builder.content import load_archive
    from builder.link import link_archive
    from builder.render import render_site
    from builder.workers import PARALLEL_THRESHOLD
    from builder.write import write_page

    root = tmp_path / "big"
    assert run("demo", "--statements", str(PARALLEL_THRESHOLD + 40), "--out", str(root)) == 0
    archive, _ = load_archive(root, None, cache=False)
    monkeypatch.setattr(link, "COPY_LIMIT", 0)  # fresh workers after every few chunks
    monkeypatch.setattr(link, "LINK_CHUNK", 16)
    one, two = link_archive(archive, workers=1), link_archive(archive, workers=2)
    assert one == two

    writers = tmp_path / "writers"

    def write(out: Path, page: render.Page) -> None:
        write_page(out, page.path, page.content, tmp_path)
        with writers.open("a") as log:  # appended whole: each line comes from one process
            log.write(f"{page.path} {os.getpid()}\n")

    def site(links: object, workers: int, nice: int = 0) -> tuple[int, dict[str, bytes]]:
        out = tmp_path / f"site-{workers}-{nice}"
        out.mkdir()
        count = render_site(archive, links, root, lambda page: write(out, page), workers=workers, nice=nice)
        return count, {f.relative_to(out).as_posix(): f.read_bytes() for f in out.rglob("*") if f.is_file()}

    monkeypatch.setattr(render, "COPY_LIMIT", 0)
    serial = site(one, 1)
    writers.unlink()
    parallel = site(two, 2)
    assert serial[0] > 1000 and serial[0] == len(serial[1])
    assert serial == parallel
    by = dict(line.split() for line in writers.read_text().splitlines())
    parent = str(os.getpid())
    assert {by[p] for p in ("index.html", "statements/page/2/index.html", "kinds/index.html")} == {parent}
    statement_pages = [p for p in by if p.startswith("statements/") and p.count("/") == 2]
    assert len(statement_pages) > PARALLEL_THRESHOLD and parent not in {by[p] for p in statement_pages}
    writers.unlink()
    assert site(two, 2, nice=5) == serial, "beside an indexer, the workers make every page"
    by = dict(line.split() for line in writers.read_text().splitlines())
    assert parent not in {by[p] for p in by if p not in ("feed.xml", "sitemap.xml", "robots.txt")}


def test_a_large_previous_site_is_deleted_in_the_background(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above a size the old site, when no record says what it holds (here: no cache) and so
    it cannot be the next build's spare, is deleted by a detached process: the new one is in
    place at once, and the old one is gone soon after, leaving nothing beside the output."""
    import time

    from builder import write

    monkeypatch.setattr(write, "BACKGROUND_DELETE_PAGES", 1)
    started = []
    popen = subprocess.Popen

    def recording(args, **kwargs):
        started.append(args)
        return popen(args, **kwargs)

    monkeypatch.setattr(write.subprocess, "Popen", recording)
    first = tree(build(archive, "--no-cache"))
    (archive / "site.yaml").write_text((archive / "site.yaml").read_text() + "\n# edited\n")
    assert tree(build(archive, "--no-cache")) == first
    assert len([args for args in started if "rmtree" in str(args)]) == 1
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and [p for p in archive.iterdir() if p.name.startswith("._site")]:
        time.sleep(0.05)
    assert [p.name for p in archive.iterdir() if p.name.startswith("._site")] == []


class _Spy:
    """Background as the build uses it, with each start remembered."""

    def __init__(self) -> None:
        from builder.workers import Background

        self.started: list[Background] = []
        self._real = Background

    def __call__(self, *args: object) -> object:
        self.started.append(self._real(*args))
        return self.started[-1]


def test_search_made_alongside_the_pages_gives_the_same_site(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The readers' search index, made in a process of its own while the pages render, gives
    the bytes of a build that makes it after them."""
    from builder import build as build_module

    args = ("build", "--root", str(archive), "--quiet", "--no-cache")
    monkeypatch.setattr(build_module, "worker_count", lambda workers=None: 2)
    monkeypatch.setattr(build_module, "ALONGSIDE_LIMIT", 0)
    assert run(*args) == 0
    in_turn = tree(archive / "_site")
    spy = _Spy()
    monkeypatch.setattr(build_module, "Background", spy)
    monkeypatch.setattr(build_module, "ALONGSIDE_LIMIT", 30_000)
    assert run(*args) == 0
    assert len(spy.started) == 1, "the index was made alongside"
    assert "pagefind/pagefind-entry.json" in in_turn
    assert tree(archive / "_site") == in_turn


def test_search_failing_alongside_the_pages_fails_the_build_cleanly(
    archive: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The indexer's error reaches the maintainer as one line, exit 1, the previous site kept."""
    site = build(archive)
    before = tree(site)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "nowhere"))
    capsys.readouterr()
    assert run("build", "--root", str(archive), "--quiet") == 1
    err = capsys.readouterr().err
    assert "pagefind[bin]" in err and "Traceback" not in err
    assert tree(site) == before
    assert not list(archive.glob("._site.*")), "no staging folder left behind"


def test_a_failed_render_stops_the_search_indexing(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder import build as build_module
    from builder.errors import ArchiveError

    def broken_render(*args: object, **kwargs: object) -> int:
        raise ArchiveError("templates/statement.html:3: template error")

    spy = _Spy()
    monkeypatch.setattr(build_module, "worker_count", lambda workers=None: 2)
    monkeypatch.setattr(build_module, "Background", spy)
    monkeypatch.setattr(build_module, "render_site", broken_render)
    assert run("build", "--root", str(archive), "--quiet") == 1
    assert len(spy.started) == 1 and not spy.started[0]._process.is_alive()
    assert not list(archive.glob("._site.*")), "no staging folder left behind"


def test_indexing_shares_the_cores_only_when_it_leaves_one_free(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build's shards are indexed on every core once the pages are done; after an
    edit, the one shard to index again is made while the pages render on the other core."""
    from builder import build as build_module
    from builder import reader_search

    (archive / "content/statements/2023").mkdir()
    (archive / "content/statements/2023/older-2023-12-01.md").write_text(
        "---\ntitle: Older\ndate: 2023-12-01\nsource: gazette\n---\nArden spoke.\n"
    )
    for name, value in (("RECORD_BYTES", 1), ("WORD_BYTES", 0), ("SHARD_MEMORY", 1)):
        monkeypatch.setattr(reader_search, name, value)  # a shard a month: two shards
    monkeypatch.setattr(build_module, "worker_count", lambda workers=None: 2)
    spy = _Spy()
    monkeypatch.setattr(build_module, "Background", spy)
    niceness: list[int] = []
    render_site = build_module.render_site

    def render_spy(*args: object, nice: int = 0, **kwargs: object) -> int:
        niceness.append(nice)
        return render_site(*args, nice=nice, **kwargs)

    monkeypatch.setattr(build_module, "render_site", render_spy)
    assert run("build", "--root", str(archive), "--quiet") == 0
    assert len(json.loads((archive / "_site/pagefind/shards.json").read_text())["shards"]) == 2
    assert spy.started == [], "two shards to make on two cores: after rendering"
    edited = archive / "content/statements/2024/third-2024-03-10.md"
    edited.write_text(edited.read_text() + "\nThe council answered on 12 March.\n")
    assert run("build", "--root", str(archive), "--quiet") == 0
    assert len(spy.started) == 1, "one shard to make again: alongside the pages"
    assert niceness == [0, build_module.RENDER_NICE], "the pages yield to the indexer only beside it"


def test_stats_give_each_stage_and_the_search_index_own_time(archive: Path, tmp_path: Path) -> None:
    """`--stats FILE` (what `make bench` reads): seconds per stage, and the search index's own
    time, which is 0 when nothing changed since the last build."""
    stats = tmp_path / "stats.json"
    assert run("build", "--root", str(archive), "--quiet", "--stats", str(stats)) == 0
    first = json.loads(stats.read_text())
    assert {"load", "link", "render", "search", "write"} <= set(first["stages"])
    assert first["statements"] == 3 and first["search_seconds"] > 0
    assert run("build", "--root", str(archive), "--quiet", "--stats", str(stats)) == 0
    again = json.loads(stats.read_text())
    assert set(again["stages"]) == {"check"} and again["search_seconds"] == 0


def test_a_statements_counted_words_are_held_as_one_string(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding related statements holds every statement's counted words in memory (15 KB a
    statement as separate string objects): linked fresh or taken from the cache, they are
    one string a statement; and the links the render stage gets hold no words (a fifth of
    the linked archive's memory)."""
    from builder import link
    from builder.content import load_archive

    text = "---\ntitle: {0}\ndate: 2024-03-0{1}\nsource: gazette\n---\nThe harbour board met on {0}.\n"
    root = write_archive(
        tmp_path / "a",
        {
            f"content/statements/2024/{day}-2024-03-0{n}.md": text.format(day, n)
            for n, day in ((1, "monday"), (2, "tuesday"))
        },
    )
    loaded, _ = load_archive(root, None, cache=False)
    counted: dict[str, object] = {}
    find = link.related_statements

    def related_statements(features, *args):
        counted.update((f.id, f.words) for f in features)
        return find(features, *args)

    monkeypatch.setattr(link, "related_statements", related_statements)
    for _ in ("linked now", "from the cache"):
        counted.clear()
        links = link.link_archive(loaded, workers=1, cache_root=root)
        for words in (counted["monday-2024-03-01"], counted["tuesday-2024-03-02"]):
            assert type(words.spaced) is str and {"harbour", "board"} <= set(words.words)
            assert len(words.words) == len(words.counts)
        assert all(linked.words == link.NO_WORDS for linked in links.statements.values())
        assert links.related["monday-2024-03-01"] == ("tuesday-2024-03-02",)


def test_a_linked_statement_keeps_its_html_and_text_compressed(tmp_path: Path) -> None:
    """The linked HTML and plain text, most of a linked archive's memory and each read once
    or twice a build, are held compressed and read back whole."""
    from builder import link
    from builder.content import load_archive

    body = "The harbour board met on 3 March 2024 and said the tides were high. " * 40
    root = write_archive(
        tmp_path / "a",
        {
            "content/statements/2024/board.md": f"---\ntitle: Board\ndate: 2024-03-05\nsource: gazette\n---\n{body}\n"
        },
    )
    loaded, _ = load_archive(root, None, cache=False)
    linked = link.link_archive(loaded, workers=1).statements["board"]
    assert linked.text.strip() == body.strip()
    assert linked.html.startswith("<p>The harbour board met on <a ") and linked.html.count("tides") == 40
    assert len(linked.packed_text) * 4 < len(linked.text) and len(linked.packed_html) * 4 < len(linked.html)


def test_the_indexers_taking_turns_get_the_memory_of_the_pages(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the search index is made after the pages (a cold build of a large archive), the
    build has let go of its statements, pages and links before the indexers start: the
    memory they need is not held twice."""
    import weakref

    from builder import build as build_module

    held: list[weakref.ref] = []
    alive_when_indexing: list[bool] = []
    load_and_link, write_index = build_module.load_and_link, build_module._write_index

    def loading(*args: object, **kwargs: object) -> object:
        archive, links, problems = load_and_link(*args, **kwargs)
        held.extend((weakref.ref(archive), weakref.ref(links)))
        return archive, links, problems

    def indexing(*args: object) -> object:
        alive_when_indexing.append(any(ref() is not None for ref in held))
        return write_index(*args)

    monkeypatch.setattr(build_module, "load_and_link", loading)
    monkeypatch.setattr(build_module, "_write_index", indexing)
    monkeypatch.setattr(build_module, "worker_count", lambda workers=None: 1)  # one core: turns
    assert run("build", "--root", str(archive), "--quiet") == 0
    assert alive_when_indexing == [False]
    assert (archive / "_site/pagefind/pagefind-entry.json").is_file()
    # the page digests, set aside while indexing, are recorded for the next build
    from builder.cache import CACHE_DIR, load_signed

    recorded = load_signed(archive / CACHE_DIR / build_module.PAGES)
    assert "index.html" in recorded["digests"] and "statements/index.html" in recorded["digests"]


def test_the_last_days_python_knows_are_built(tmp_path: Path) -> None:
    """A statement of 31 December 9999 that names "January 2" (a day in a year past any
    calendar's) builds: its month's calendar ends with the year, the mention stays text."""
    root = write_archive(
        tmp_path / "a",
        {
            "content/entities/gazette.md": "---\nname: North Wind Gazette\ntype: publication\n---\n",
            "content/statements/9999/end-9999-12-31.md": (
                "---\ntitle: The last day\ndate: 9999-12-31\nsource: gazette\n---\n"
                "The talks will be held on January 2.\n"
            ),
        },
    )
    site = build(root)
    month = (site / "dates/9999/12/index.html").read_text(encoding="utf-8")
    assert "/dates/9999/12/31/" in month
    assert "January 2" in (site / "statements/end-9999-12-31/index.html").read_text(encoding="utf-8")
