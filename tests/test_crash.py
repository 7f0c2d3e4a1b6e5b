"""Crash safety by fault injection: builds, search indexing and imports killed with SIGKILL.

Each process is started as the command line runs it (`python -m builder …`, in its own
process group so that Pagefind's indexer dies with it, as everything does in a power cut)
and killed after a seeded random delay, the delays spread evenly over the measured length
of an uninterrupted run. After every kill the outputs are read back whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from builder.frontmatter import read_document

from .conftest import ENTITIES, PROJECT, tree, write_archive

SEED = 8
BUILD_KILLS = 20
SEARCH_KILLS = 4
IMPORT_KILLS = 5
SEARCH = {True: (), False: ("--no-search",)}
ADDED = "\n\nThe committee met again on 3 May and said the zebrafinch quota stands.\n"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "builder", *args]


def run_ok(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command(*args), cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def timed(*args: str) -> float:
    start = time.perf_counter()
    run_ok(*args)
    return time.perf_counter() - start


def kill_after(delay: float, *args: str) -> bool:
    """Start the command, SIGKILL its whole process group after `delay` s; True if it was running."""
    process = subprocess.Popen(
        command(*args),
        cwd=PROJECT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


def delays(duration: float, count: int, rng: random.Random) -> list[float]:
    """One delay in each of `count` equal slices of the run, in a shuffled order."""
    spread = [duration * (i + rng.random()) / count for i in range(count)]
    rng.shuffle(spread)
    return spread


def demo(folder: Path, statements: int) -> Path:
    run_ok("demo", "--statements", str(statements), "--out", str(folder))
    return folder


def toggler(root: Path) -> Callable[[int], None]:
    """Puts the archive in one of two states: a statement without (0) or with (1) a paragraph."""
    path = sorted((root / "content/statements").rglob("*.md"))[0]
    original = path.read_text(encoding="utf-8")

    def put(state: int) -> None:
        path.write_text(original + (ADDED if state else ""), encoding="utf-8")

    return put


def test_a_killed_build_leaves_a_whole_site_and_the_next_build_is_clean(tmp_path: Path) -> None:
    """20 builds killed at random moments: each time _site is the previous site byte for byte (or,
    killed after the atomic swap, the complete new one), and the next build equals a clean build.
    Every fourth build makes the search index too, so kills also land in Pagefind's stage."""
    root = demo(tmp_path / "archive", 60)
    site = root / "_site"
    state = toggler(root)
    clean: dict[tuple[int, bool], dict[str, bytes]] = {}
    for version, search in ((0, True), (1, True), (0, False), (1, False)):
        state(version)
        out = tmp_path / f"clean-{version}-{search}"
        run_ok("build", "--root", str(root), "--out", str(out), "--no-cache", "--quiet", *SEARCH[search])
        clean[version, search] = tree(out)
    assert clean[0, True] != clean[1, True] and clean[0, False] != clean[1, False]
    durations = {}  # of a build after one edit, as those killed are (the second in its spare)
    for search in (True, False):
        for version in (1, 0):
            state(version)
            start = time.perf_counter()
            run_ok("build", "--root", str(root), "--quiet", *SEARCH[search])
            durations[search] = time.perf_counter() - start
    rng = random.Random(SEED)
    current, previous, outcomes = 0, clean[0, False], []
    spread = {
        True: delays(durations[True], BUILD_KILLS // 4, rng),
        False: delays(durations[False], BUILD_KILLS - BUILD_KILLS // 4, rng),
    }
    for number in range(BUILD_KILLS):
        search = number % 4 == 0
        delay = spread[search].pop()
        current ^= 1
        state(current)
        interrupted = kill_after(delay, "build", "--root", str(root), "--quiet", *SEARCH[search])
        after_kill = tree(site)
        expected = clean[current, search]
        assert after_kill in (previous, expected), f"a mixed site after a kill at {delay:.2f}s"
        outcomes.append("previous" if after_kill == previous else "new")
        assert interrupted or outcomes[-1] == "new"
        run_ok("build", "--root", str(root), "--quiet", *SEARCH[search])
        assert tree(site) == expected, f"the build after a kill at {delay:.2f}s is not clean"
        previous = expected
    assert outcomes.count("previous") >= BUILD_KILLS // 2, outcomes
    left = [p.name for p in root.iterdir() if p.name.startswith("._site.") and p.name != "._site.spare"]
    assert not left, "staging folders left"


def search_ids(root: Path, query: str) -> list[str]:
    result = run_ok("search", query, "--root", str(root), "--json", "--limit", "500")
    return sorted(hit["id"] for hit in json.loads(result.stdout))


def test_a_killed_search_index_update_leaves_a_working_index(tmp_path: Path) -> None:
    """`archive search` killed while it indexes (a rebuild or an update): the next search works and
    finds what a search over a fresh index finds."""
    root = demo(tmp_path / "archive", 60)
    state = toggler(root)
    index = root / ".archive-cache" / "whoosh"
    state(1)
    start = time.perf_counter()
    added = search_ids(root, "zebrafinch")  # makes the index from scratch
    duration = time.perf_counter() - start
    everywhere = search_ids(root, "statement")  # the added paragraph does not say "statement"
    assert len(added) == 1 and len(everywhere) > 10
    rng = random.Random(SEED)
    current = 1
    for number, delay in enumerate(delays(duration, SEARCH_KILLS, rng)):
        current ^= 1
        state(current)
        if number % 2:  # every other time the index is made from scratch, not updated
            shutil.rmtree(index, ignore_errors=True)
        kill_after(delay, "search", "zebrafinch", "--root", str(root))
        assert search_ids(root, "zebrafinch") == (added if current else []), f"after a kill at {delay:.2f}s"
    assert search_ids(root, "statement") == everywhere


def complete_files(root: Path) -> list[str]:
    """Every statement and capture the import wrote, checked whole; hidden temporary files aside."""
    problems = []
    for path in sorted((root / "content").rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        raw = path.read_bytes()
        if "captures" in path.parts:
            if hashlib.sha256(raw).hexdigest() != path.stem:
                problems.append(f"{path.name}: not the whole capture")
        else:
            doc, found = read_document(path.name, raw, 2_000_000)
            if doc is None or not doc.body.strip():
                problems.append(f"{path.name}: {found or 'no body'}")
    return problems


def test_a_killed_import_leaves_whole_files_and_a_rerun_finishes(tmp_path: Path) -> None:
    """`archive import` of a JSON Lines file killed at random moments: every file written is whole,
    and running the same import again gives exactly the files an uninterrupted import gives."""
    records = [
        {
            "title": f"Harbour fees statement number {n}",
            "date": f"2023-{n % 12 + 1:02d}-{n % 27 + 1:02d}",
            "source": "North Wind Gazette",
            "body": f"The Council of Ports raised its fees for the {n}th time.\n\nArden will answer in kind.",
        }
        for n in range(1000)
    ]
    feed = tmp_path / "statements.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    reference = write_archive(tmp_path / "reference", ENTITIES)
    duration = timed("import", str(feed), "--root", str(reference), "--quiet")
    expected = {k: v for k, v in tree(reference).items() if not k.startswith("site.yaml")}
    root = write_archive(tmp_path / "archive", ENTITIES)
    rng = random.Random(SEED)
    for delay in sorted(delays(duration, IMPORT_KILLS, rng)):
        kill_after(delay, "import", str(feed), "--root", str(root), "--quiet")
        assert complete_files(root) == [], f"after a kill at {delay:.2f}s"
    result = subprocess.run(
        command("import", str(feed), "--root", str(root), "--quiet"),
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    finished = {k: v for k, v in tree(root).items() if not k.startswith("site.yaml")}
    visible = {k: v for k, v in finished.items() if not any(p.startswith(".") for p in k.split("/"))}
    assert visible == expected


CTRL_C = 10


def test_ctrl_c_stops_a_build_at_once_saying_so(tmp_path: Path) -> None:
    """Ctrl-C at 10 moments of a parallel build with search (sent, as a terminal does, to
    every process of the build): it ends within seconds with exit status 130 and one line
    saying what changed, never a traceback (of a worker either), and no staging folder is
    left; _site is the previous site or the whole new one."""
    root = demo(tmp_path / "archive", 300)  # enough statements for worker processes
    site = root / "_site"
    run_ok("build", "--root", str(root), "--quiet", "--no-cache")
    start = time.perf_counter()
    run_ok("build", "--root", str(root), "--quiet", "--no-cache")
    duration = time.perf_counter() - start
    previous = tree(site)
    start = time.perf_counter()
    run_ok("--help")
    startup = time.perf_counter() - start  # Python's own start: Ctrl-C there is Python's to report
    for delay in delays(duration - startup, CTRL_C, random.Random(SEED)):
        delay += startup
        process = subprocess.Popen(
            command("build", "--root", str(root), "--quiet", "--no-cache"),
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGINT)
        try:
            _, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError(f"Ctrl-C at {delay:.2f}s: the build did not stop") from None
        assert "Traceback" not in err, err
        if process.returncode in (130, -signal.SIGINT):  # (-2: ended by the signal; a shell says 130)
            assert err.strip().splitlines()[-1].startswith("archive: interrupted; "), err
        else:
            assert process.returncode == 0, err
        assert tree(site) == previous  # (a build of the same content: the same site)
        left = [p.name for p in root.iterdir() if p.name.startswith("._site.") and p.name != "._site.spare"]
        assert not left, f"Ctrl-C at {delay:.2f}s left {left}"
