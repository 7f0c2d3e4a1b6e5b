"""The command line: exit statuses, help for every command, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from builder.cli import parser

from .conftest import PROJECT, run

COMMANDS = ["build", "check", "search", "import", "demo", "entities", "serve"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_readme(command: str) -> None:
    """`archive COMMAND --help` works and README documents the command."""
    result = subprocess.run(
        [sys.executable, "-m", "builder", command, "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "usage: archive " + command in result.stdout
    assert f"archive {command}" in (PROJECT / "README.md").read_text()


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown option is a usage error: exit 2 and a one-line message."""
    with pytest.raises(SystemExit) as exc:
        parser().parse_args(["build", "--no-such-option"])
    assert exc.value.code == 2


def test_missing_site_yaml_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Running outside an archive says where it looked and what to pass."""
    assert run("build", "--root", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "site.yaml not found" in err and "--root" in err


def test_build_exit_0_and_summary(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A good build exits 0 and ends with a summary of what was built."""
    assert run("build", "--root", str(archive), "--no-search") == 0
    assert "built 3 statements, 3 entities" in capsys.readouterr().out


def test_a_full_disk_is_a_message_and_the_previous_site_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An error of the machine's (here: no space left while writing a page) ends the build
    with one line naming the file and what to do, exit status 1, and the previous site."""
    import errno

    from builder import write

    from .conftest import ENTITIES, STATEMENTS, tree, write_archive

    root = write_archive(tmp_path / "archive", {**ENTITIES, **STATEMENTS})
    assert run("build", "--root", str(root), "--no-search", "--quiet") == 0
    before = tree(root / "_site")
    edited = root / next(iter(STATEMENTS))
    edited.write_text(edited.read_text() + "\nOne more sentence.\n")

    def full(folder: Path, rel: str, content: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / rel))

    monkeypatch.setattr(write, "write_file", full)
    capsys.readouterr()
    assert run("build", "--root", str(root), "--no-search", "--quiet") == 1
    err = capsys.readouterr().err
    assert "No space left on device; nothing was changed" in err and str(root) in err
    assert "Traceback" not in err
    assert tree(root / "_site") == before
    assert not list(root.glob("._site*"))


@pytest.mark.parametrize("target", ["site.yaml", "content/notes.md", "missing/stats.json", "content"])
def test_stats_never_overwrites_the_archive_and_is_checked_first(
    archive: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    """--stats naming site.yaml, a file in content/, a folder or a file in a missing folder
    is refused before anything is built (exit 2), so the archive's own files stay and the
    message that nothing changed is true."""
    (archive / "content" / "notes.md").write_text("a maintainer's notes\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in (archive / "site.yaml", archive / "content" / "notes.md")}
    assert (
        run("build", "--root", str(archive), "--no-search", "--quiet", "--stats", str(archive / target)) == 2
    )
    assert "--stats" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before
    assert not (archive / "_site").exists()


def test_stats_rewrites_its_own_file(archive: Path, tmp_path: Path) -> None:
    """A stats file from an earlier build is written again; another file of that name is not."""
    stats = tmp_path / "stats.json"
    for _ in range(2):
        assert run("build", "--root", str(archive), "--no-search", "--quiet", "--stats", str(stats)) == 0
    assert '"stages"' in stats.read_text()
    other = tmp_path / "report.txt"
    other.write_text("keep me\n")
    assert run("build", "--root", str(archive), "--no-search", "--quiet", "--stats", str(other)) == 2
    assert other.read_text() == "keep me\n"


def test_entities_suggest_refuses_a_limit_below_one(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--limit 0 would print nothing and succeed: a usage error, as `archive search` says."""
    assert run("entities", "--suggest", "--limit", "0", "--root", str(archive)) == 2
    assert "--limit must be at least 1" in capsys.readouterr().err


def test_output_cut_short_by_the_reader_is_no_error(tmp_path: Path) -> None:
    """`archive search … | head -1`: when the reader of the output goes away, the command
    ends quietly (status 141, as SIGPIPE), not with "error: Broken pipe; free some space"."""
    root = tmp_path / "demo"
    assert run("demo", "--statements", "150", "--out", str(root)) == 0
    search = [
        sys.executable,
        "-m",
        "builder",
        "search",
        "a*",
        "--json",
        "--limit",
        "1000",
        "--root",
        str(root),
    ]
    subprocess.run(search, capture_output=True, check=True)  # index first: only the output is cut below
    process = subprocess.Popen(search, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().strip() == b"["
    process.stdout.close()
    assert process.wait(timeout=60) == 141
    assert process.stderr.read().decode() == ""
