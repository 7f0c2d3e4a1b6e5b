"""Work in forked processes: the search indexes made alongside the pages (Background)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from builder.errors import ArchiveError, Problem
from builder.workers import Background


def _twice(value: int) -> int:
    return value * 2


def _refuse(path: str) -> None:
    raise ArchiveError([Problem(path, 3, "not indexable", "fix it")])


def _die() -> None:
    os._exit(7)


def _keep_touching(path: str) -> None:
    while True:
        Path(path).touch()
        time.sleep(0.02)


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
