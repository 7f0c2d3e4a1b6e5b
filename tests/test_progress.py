"""`archive build` on a terminal shows progress over the stages; scripts get one plain line."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from builder.progress import stage_display

from .conftest import run


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_terminal_no_progress_bar(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Piped output is one summary line: counts, warnings and seconds per stage, no escape codes."""
    assert run("build", "--root", str(archive), "--no-search") == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    (line,) = out.splitlines()
    assert re.fullmatch(
        r"built 3 statements, 3 entities, \d+ pages; \d+ warnings?; "
        r"check [\d.]+s, load [\d.]+s, link [\d.]+s, render [\d.]+s, write [\d.]+s",
        line,
    ), line


def test_quiet_prints_nothing(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--quiet leaves standard output empty when all goes well."""
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    assert capsys.readouterr().out == ""


def test_terminal_gets_a_bar_over_the_stages() -> None:
    """On a terminal the callback drives a bar through each stage the build reports."""
    screen = FakeTerminal()
    with stage_display(search=False, stream=screen) as on_stage:
        assert on_stage is not None
        for stage in ("load", "link", "render", "write"):
            on_stage(stage)
    assert screen.getvalue(), "something was drawn"
    with stage_display(search=False, quiet=True, stream=screen) as on_stage:
        assert on_stage is None


def test_real_terminal_build(archive: Path) -> None:
    """Under a pseudo-terminal the build draws (and clears) its bar, then prints the summary."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    chunks: list[bytes] = []

    def read_screen() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read_screen, daemon=True)
    reader.start()
    process = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--root", str(archive), "--no-search"],
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
        timeout=120,
        check=False,
    )
    os.close(follower)
    reader.join(timeout=10)
    os.close(leader)
    shown = b"".join(chunks).decode(errors="replace")
    assert process.returncode == 0, process.stderr
    assert "\x1b[" in shown, "the terminal got a live display"
    assert "built 3 statements" in shown
