"""Work in forked processes: the search indexes made alongside the pages (Background), and
the pool of workers that renders them (fork_map)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.errors import ArchiveError, Problem
from builder.workers import Background, fork_map


def _twice(value: int) -> int:
    return value * 2


def _refuse(path: str) -> None:
    raise ArchiveError([Problem(path, 3, "not indexable", "fix it")])


def _die() -> None:
    os._exit(7)


def _keep_touching(path: str) -> None:
    """Work that shows it goes on (for 20 s at most, so that a failing test leaves nothing)."""
    end = time.monotonic() + 20
    while time.monotonic() < end:
        Path(path).touch()
        time.sleep(0.02)


def _where(item: int) -> tuple[int, int, int]:
    """An item, with the process that handled it and that process's niceness."""
    return item, os.getpid(), os.nice(0)


def test_workers_given_a_niceness_run_at_it_and_the_parent_does_not() -> None:
    """fork_map(nice=N) lowers its workers' priority by N (the pages yield to the search
    indexer beside them); the parent's own priority is untouched."""
    before = os.nice(0)
    lowered = list(fork_map(_where, range(8), workers=2, threshold=0, nice=5))
    assert {pid for _, pid, _ in lowered} - {os.getpid()}, "the work ran in workers"
    assert {niceness for *_, niceness in lowered} == {min(before + 5, 19)}
    assert {n for *_, n in fork_map(_where, range(8), workers=2, threshold=0)} == {before}
    assert os.nice(0) == before


def _keep(item: int) -> tuple[int, int, int]:
    """In a worker: hold 24 MB more of its own for good."""
    _kept.append(b"%d" % item * (24 * 2**20 // len(b"%d" % item)))
    return item, os.getpid(), len(_kept)


_kept: list[bytes] = []


def test_fresh_workers_take_over_past_the_copy_limit_and_the_answers_stay_in_order() -> None:
    """fork_map(copy_limit=N): once a worker holds more than N bytes of its own, newly forked
    workers take over (its memory goes with it), and the results still come back in order."""
    limited = list(fork_map(_keep, range(12), workers=2, threshold=0, copy_limit=60 * 2**20))
    assert [item for item, *_ in limited] == list(range(12))
    assert os.getpid() not in {pid for _, pid, _ in limited}
    assert len({pid for _, pid, _ in limited}) > 2, "fresh workers took over"
    assert max(held for *_, held in limited) <= 6, "a worker stops at the limit and the items in flight"
    unlimited = list(fork_map(_keep, range(12), workers=2, threshold=0, copy_limit=2**40))
    assert len({pid for _, pid, _ in unlimited}) == 2 and not _kept


def _slow(item: int) -> tuple[int, int, int]:
    time.sleep(0.3)
    return _where(item)


def test_the_parent_takes_its_own_steps_while_it_waits() -> None:
    """fork_map(meanwhile=steps): the parent does its own share of the work (the render's
    pages that read the whole archive) while the workers do theirs, all of it in the
    parent, and the results still come back in order."""
    taken: list[int] = []

    def steps() -> Iterator[None]:
        for _ in range(5):
            taken.append(os.getpid())
            yield

    waiting = fork_map(_slow, range(4), workers=2, threshold=0, copy_limit=2**40, meanwhile=steps())
    assert next(waiting)[0] == 0 and len(taken) == 5, "stepped while the first result was made"
    assert [item for item, *_ in waiting] == [1, 2, 3]
    for copy_limit in (None, 2**40):
        taken.clear()
        results = fork_map(
            _where, range(12), workers=2, threshold=0, copy_limit=copy_limit, meanwhile=steps()
        )
        assert [item for item, *_ in results] == list(range(12))
        assert taken == [os.getpid()] * 5


def test_answer_comes_back() -> None:
    assert Background(_twice, 21).result() == 42


def test_error_comes_back_whole() -> None:
    """The parent raises the worker's ArchiveError with its problems as they were (path, line, hint)."""
    with pytest.raises(ArchiveError) as raised:
        Background(_refuse, "content/x.md").result()
    assert raised.value.problems == [Problem("content/x.md", 3, "not indexable", "fix it")]
    assert str(raised.value) == "content/x.md:3: not indexable (fix it)"


def test_a_worker_that_dies_is_an_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match="exit status 7"):
        Background(_die).result()


def test_cancel_stops_the_work(tmp_path: Path) -> None:
    """A build that fails while the indexes are being made stops them: nothing more is written."""
    mark = tmp_path / "working"
    work = Background(_keep_touching, str(mark))
    deadline = time.monotonic() + 10
    while not mark.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert mark.exists(), "the work started"
    work.cancel()
    mark.unlink()
    time.sleep(0.2)
    assert not mark.exists()


def _start_background_then_wait(mark: str) -> None:
    """A parent that starts an endless Background and then waits (to be killed)."""
    Background(_keep_touching, mark)
    time.sleep(60)


def test_the_work_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    """A build killed outright (SIGKILL) leaves no indexer behind writing into the cache."""
    import multiprocessing
    import signal

    mark = tmp_path / "working"
    parent = multiprocessing.get_context("fork").Process(
        target=_start_background_then_wait, args=(str(mark),)
    )
    parent.start()
    deadline = time.monotonic() + 10
    while not mark.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert mark.exists(), "the work started"
    os.kill(parent.pid, signal.SIGKILL)
    parent.join()
    time.sleep(0.3)
    mark.unlink()
    time.sleep(0.3)
    assert not mark.exists(), "the work went on after its parent died"


def _memory_after_freeing(give_back: bool) -> tuple[int, int]:
    """In a fresh process: resident MB holding 300 MB of 30 KB texts, and after letting them go
    (a smaller text kept between each two, as a build keeps its search records')."""
    script = (
        "from builder.workers import give_back_freed_memory\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) // 1024 for l in open('/proc/self/status') if l.startswith('VmRSS'))\n"
        "texts, kept = [], []\n"
        "for n in range(10_000):\n"
        "    texts.append(str(n).zfill(30_000))\n"
        "    kept.append(str(n).zfill(600))\n"
        "held = rss()\n"
        "del texts\n"
        f"if {give_back}:\n"
        "    give_back_freed_memory()\n"
        "print(held, rss())\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    held, after = out.stdout.split()
    return int(held), int(after)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads resident memory from /proc")
def test_freed_memory_goes_back_to_the_system() -> None:
    """Texts a process has let go of stop counting against its memory once given back (the
    room the search indexers get after the pages are made); without, malloc keeps them."""
    held, kept = _memory_after_freeing(give_back=False)
    assert held - kept < 100, "malloc keeps freed texts' pages unless asked (else this test proves nothing)"
    held, after = _memory_after_freeing(give_back=True)
    assert held - after > 200
