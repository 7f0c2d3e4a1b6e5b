"""Input limits through the command line: each hostile or broken file gives a clear
`path:line: message` and exit status 1, or correct output; never a hang, a traceback or a
memory blow-up. (tests/test_frontmatter.py covers the reader itself.)
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ENTITIES, SITE_YAML, STATEMENTS, build, run, write_archive

NEW = "content/statements/2024/new-2024-03-05.md"


def statement(front: str = "", body: str = "The Council of Ports met.\n") -> str:
    return f"---\ntitle: New\ndate: 2024-03-05\nsource: gazette\n{front}---\n{body}"


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = run("check", "--root", str(root))
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return status, out.err + out.out


def put(root: Path, raw: bytes | str, rel: str = NEW) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw.encode("utf-8") if isinstance(raw, str) else raw)
    return path


def billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 12):
        name, previous = chr(97 + n), chr(96 + n)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "---\ntitle: Laughs\ndate: 2024-03-05\nsource: gazette\n" + "\n".join(lines) + "\n---\nText.\n"


def test_unsafe_yaml_tag_runs_nothing(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Python object tag is a YAML error with its line; the command it names never runs."""
    marker = archive.parent / "owned"
    put(archive, statement(f'x: !!python/object/apply:os.system ["touch {marker}"]\n'))
    status, output = check(archive, capsys)
    assert status == 1
    assert f"{NEW}:5: YAML syntax error: could not determine a constructor" in output
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A "billion laughs" of 9^12 values is refused at its first alias, in well under a second."""
    put(archive, billion_laughs())
    start = time.perf_counter()
    status, output = check(archive, capsys)
    assert time.perf_counter() - start < 3
    assert status == 1
    assert f"{NEW}:5: YAML anchors and aliases (&, *) are not allowed (write the value out)" in output


def test_alias_bomb_needs_no_memory(archive: Path) -> None:
    """`archive check` on the bomb finishes inside a 512 MB address space (nothing is expanded)."""
    put(archive, billion_laughs())

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))

    result = subprocess.run(
        [sys.executable, "-m", "builder", "check", "--root", str(archive)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit_memory,
    )
    assert result.returncode == 1, result.stderr
    assert "anchors and aliases" in result.stderr and "MemoryError" not in result.stderr


@pytest.mark.parametrize(
    ("front", "line", "message"),
    [
        ("x: " + "[" * 40 + "]" * 40 + "\n", 5, "values nested more than 16 levels deep"),
        (
            "x: " + "[" * 100_000 + "]" * 100_000 + "\n",
            5,
            "YAML syntax error: exceeded maximum nesting depth",
        ),
        ("".join(" " * i + f"k{i}:\n" for i in range(40)), 22, "values nested more than 16 levels deep"),
        ("tags: [" + ", ".join(["t"] * 30_000) + "]\n", 5, "more than 20,000 values in one document"),
    ],
    ids=["flow-40", "flow-100000", "block-40", "30000-values"],
)
def test_deep_or_huge_yaml_is_refused(
    archive: Path, capsys: pytest.CaptureFixture[str], front: str, line: int, message: str
) -> None:
    """Deeply nested or huge front matter is refused with its line, not a RecursionError."""
    put(archive, statement(front))
    start = time.perf_counter()
    status, output = check(archive, capsys)
    assert time.perf_counter() - start < 10
    assert status == 1
    assert f"{NEW}:{line}: {message}" in output


def test_size_limit_comes_from_site_yaml(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file over site.yaml's max_file_bytes is refused, saying its size, the limit and the setting."""
    (archive / "site.yaml").write_text(SITE_YAML + "max_file_bytes: 500\n")
    raw = statement(body="Word " * 200)
    put(archive, raw)
    put(archive, "---\nname: Big\ntype: place\n---\n" + "x" * 600, "content/entities/big.md")
    status, output = check(archive, capsys)
    assert status == 1
    size = f"{len(raw.encode()):,}"
    assert (
        f"{NEW}: file is {size} bytes, over the limit of 500 (split it, or raise max_file_bytes in site.yaml)"
        in output
    )
    assert "content/entities/big.md: file is 630 bytes, over the limit of 500" in output
    (archive / "site.yaml").write_text(SITE_YAML + "max_file_bytes: 5000\n")
    assert check(archive, capsys)[0] == 0


@pytest.mark.parametrize("key", ["max_file_bytes", "search_shards"])
@pytest.mark.parametrize("value", ["big", "0", "-5", "true", "[1]"])
def test_a_wrong_size_limit_is_reported(
    archive: Path, capsys: pytest.CaptureFixture[str], key: str, value: str
) -> None:
    """A size that is not a whole number above 0 is a site.yaml error with its line."""
    (archive / "site.yaml").write_text(SITE_YAML + f"{key}: {value}\n")
    status, output = check(archive, capsys)
    assert status == 1
    assert f"site.yaml:6: '{key}' must be a whole number above 0" in output


def test_binary_file_is_refused(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An image saved as .md is refused as a binary file, not decoded into garbage."""
    put(archive, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    status, output = check(archive, capsys)
    assert status == 1 and f"{NEW}: binary file (it contains NUL bytes) (remove it)" in output


def test_non_utf8_file_names_its_line(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Latin-1 file is reported with the line of its first byte that is not UTF-8."""
    put(archive, statement(body="Caf\u00e9 one.\nCaf\u00e9 two.\n").encode("latin-1"))
    status, output = check(archive, capsys)
    assert status == 1 and f"{NEW}:6: file is not UTF-8 text (save it as UTF-8)" in output


def test_bom_and_crlf_give_the_same_site(archive: Path, tmp_path: Path) -> None:
    """A byte-order mark and Windows line ends change nothing in the built pages."""
    text = statement("summary: A summary.\n", "First line\nsecond line.\n\nSecond paragraph.\n")
    put(archive, text)
    plain = build(archive)
    page = (plain / "statements/new-2024-03-05/index.html").read_bytes()
    other = write_archive(tmp_path / "windows", {**ENTITIES, **STATEMENTS})
    put(other, b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    windows = build(other)
    assert (windows / "statements/new-2024-03-05/index.html").read_bytes() == page
    assert b"\xef\xbb\xbf" not in page and b"\r" not in page


def test_crlf_errors_keep_their_line(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With CRLF line ends, a mistake on line 5 is still reported on line 5."""
    put(archive, statement("kind: statment\n").replace("\n", "\r\n"))
    status, output = check(archive, capsys)
    assert (
        status == 1
        and f"{NEW}:5: 'kind' is 'statment', which is not known (did you mean 'statement'?)" in output
    )


def test_tab_indentation_is_explained(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A tab used to indent front matter gives its line and says to indent with spaces."""
    put(archive, statement("tags:\n\t- ports\n"))
    status, output = check(archive, capsys)
    assert status == 1
    assert f"{NEW}:6: YAML syntax error: found character that cannot start any token" in output
    assert "(indent with spaces, not tabs)" in output


def test_tabs_inside_values_and_body_are_text(archive: Path) -> None:
    """A tab after a colon, inside a quoted value or in the body is white space, not an error."""
    put(archive, statement('summary:\t"One\ttwo"\n', "Tabbed\ttext.\n"))
    page = (build(archive) / "statements/new-2024-03-05/index.html").read_text()
    assert "Editor's summary</span> One\ttwo</p>" in page
    assert "<p>Tabbed  text.</p>" in page  # Markdown turns a tab into spaces


def test_a_key_written_twice_is_an_error(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """YAML would keep the second title silently; the maintainer is told instead."""
    put(archive, statement("title: Other\n"))
    status, output = check(archive, capsys)
    assert status == 1
    assert f"{NEW}:5: key 'title' is written twice (first on line 2) (keep one of them)" in output


@pytest.mark.parametrize(
    ("raw", "line", "message"),
    [
        ("", 1, "missing front matter"),
        ("---\n", 1, "front matter is not closed"),
        ("---\n- a\n- b\n---\n", 2, "front matter must be a mapping of keys to values"),
        (
            '---\ntitle: "a\\ud800"\n---\n',
            2,
            "YAML syntax error: found invalid Unicode character escape code",
        ),
        ("---\n? [a, b]\n: c\n---\n", 2, "YAML syntax error: found unhashable key"),
    ],
    ids=["empty", "unclosed", "list", "lone-surrogate", "unhashable-key"],
)
def test_malformed_files_are_explained(
    archive: Path, capsys: pytest.CaptureFixture[str], raw: str, line: int, message: str
) -> None:
    """Empty, unclosed, non-mapping and undecodable front matter each give one clear message."""
    put(archive, raw)
    status, output = check(archive, capsys)
    assert status == 1 and f"{NEW}:{line}: {message}" in output


def test_control_characters_in_values_build(archive: Path) -> None:
    """NUL and escape characters written as YAML escapes reach no file XML cannot hold."""
    put(archive, statement('summary: "a\\0b\\x1bc"\n').replace("title: New", 'title: "New\\x07 title"'))
    site = build(archive)
    import xml.etree.ElementTree as ET

    ET.parse(site / "feed.xml")
    assert "New" in (site / "statements/new-2024-03-05/index.html").read_text()


def test_a_run_of_brackets_builds_in_seconds(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """200,000 "[" in one paragraph (hours for Markdown) is shown as text, with a warning that says so."""
    put(archive, statement(body="Before.\n\n" + "[" * 200_000 + "\n\nAfter *this*.\n"))
    start = time.perf_counter()
    status, output = check(archive, capsys)
    assert status == 0
    assert f"{NEW}:8: warning: this paragraph holds too many brackets or markup characters" in output
    page = (build(archive) / "statements/new-2024-03-05/index.html").read_text()
    assert time.perf_counter() - start < 30
    assert "[" * 1000 in page and "<em>this</em>" in page


def test_a_huge_one_line_text_builds(archive: Path) -> None:
    """A 1.5 MB body without a line break builds, in bounded time."""
    put(archive, statement(body="Word and word, the Council of Ports. " * 40_000 + "\n"))
    start = time.perf_counter()
    site = build(archive)
    assert time.perf_counter() - start < 60
    assert (site / "statements/new-2024-03-05/index.html").stat().st_size > 1_000_000
