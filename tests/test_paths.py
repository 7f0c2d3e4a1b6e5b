"""Paths: no id, file name, tag, capture or import target reaches outside content/ or the output.

Each refusal is a `path:line: message` through the CLI (exit status 1), and nothing is written
where it should not be: the tests compare the folders around the archive before and after.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import ENTITIES, STATEMENTS, build, run, tree, write_archive

FEES = "content/statements/2024/fees-2024-03-02.md"


def statement(title: str = "T", extra: str = "", day: str = "2024-03-05") -> str:
    return f"---\ntitle: {title}\ndate: {day}\nsource: gazette\n{extra}---\nThe Council of Ports met.\n"


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = run("check", "--root", str(root))
    out = capsys.readouterr()
    return status, out.err + out.out


def files_outside(root: Path) -> set[str]:
    """Every file beside the archive (in its parent folder), to prove nothing was written there."""
    return {p.relative_to(root.parent).as_posix() for p in root.parent.rglob("*") if root not in p.parents}


def user_files(folder: Path) -> dict[str, bytes]:
    """The maintainer's files: everything but the build cache, which is the tool's own."""
    return {k: v for k, v in tree(folder).items() if ".archive-cache/" not in k}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Bad Name.md", "'Bad Name' is not a valid id"),
        ("a..b.md", "'a..b' is not a valid id"),
        ("UPPER.md", "'UPPER' is not a valid id"),
        ("under_score.md", "'under_score' is not a valid id"),
        ("trailing-.md", "'trailing-' is not a valid id"),
    ],
)
def test_a_file_name_that_is_no_id_is_refused(
    archive: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    """A statement file whose name is not a slug is refused, naming the file and the rule."""
    (archive / "content/statements" / name).write_text(statement())
    status, output = check(archive, capsys)
    assert status == 1
    assert f"content/statements/{name}: {message}" in output
    assert "rename the file" in output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("references: ['../../etc/passwd']\n", "unknown statement '../../etc/passwd' in references"),
        ("entities: ['../council']\n", "unknown entity '../council'"),
        ("entities: ['/etc/passwd']\n", "unknown entity '/etc/passwd'"),
    ],
)
def test_ids_in_front_matter_are_looked_up_never_opened(
    archive: Path, capsys: pytest.CaptureFixture[str], extra: str, message: str
) -> None:
    """A reference or entity written as a path is an unknown id, with its line; no file is read."""
    (archive / "content/statements/2024/x-2024-03-05.md").write_text(statement(extra=extra))
    status, output = check(archive, capsys)
    assert status == 1
    assert f"content/statements/2024/x-2024-03-05.md:5: {message}" in output


def test_a_source_written_as_a_path_is_unknown(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`source: ../../etc/passwd` is an unknown source, not a file to open."""
    path = archive / "content/statements/2024/x-2024-03-05.md"
    path.write_text(statement().replace("source: gazette", "source: ../../etc/passwd"))
    status, output = check(archive, capsys)
    assert status == 1 and "x-2024-03-05.md:4: unknown source '../../etc/passwd'" in output


@pytest.mark.parametrize(
    "file", ["../../../etc/passwd", "/etc/passwd", "captures/../../site.yaml", "notes.txt"]
)
def test_a_capture_outside_captures_is_refused(
    archive: Path, capsys: pytest.CaptureFixture[str], file: str
) -> None:
    """A capture's file must be a path under captures/: '..', absolute paths and others are refused."""
    extra = f"captures:\n  - sha256: {'a' * 64}\n    file: {json.dumps(file)}\n"
    (archive / "content/statements/2024/x-2024-03-05.md").write_text(statement(extra=extra))
    status, output = check(archive, capsys)
    assert status == 1
    assert "x-2024-03-05.md:5: capture file" in output and "is not a path under captures/" in output


@pytest.mark.parametrize("tags", ['["..", "."]', '["../../index", "a/../../b"]', '["\\0", "\\t"]'])
def test_tags_never_name_a_folder_outside_tags(archive: Path, tags: str) -> None:
    """A tag like '..' gets a page under tags/ and the home page stays the home page."""
    path = archive / "content/statements/2024/x-2024-03-05.md"
    path.write_text(statement(title="Tagged", extra=f"tags: {tags}\n"))
    site = build(archive)
    assert "<title>Tag:" not in (site / "index.html").read_text()
    assert "<title>Tags" in (site / "tags/index.html").read_text()
    tag_pages = [p for p in (site / "tags").rglob("index.html") if p.parent != site / "tags"]
    assert tag_pages and all(p.resolve().is_relative_to((site / "tags").resolve()) for p in tag_pages)
    assert not (archive / "index.html").exists() and not (site.parent / "index.html").exists()


def test_a_symlinked_file_leading_out_of_content_is_refused(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A statement that is a link to a file outside content/ is refused and never published."""
    secret = archive.parent / "secret.md"
    secret.write_text(statement(title="Private key material"))
    os.symlink(secret, archive / "content/statements/2024/leak-2024-03-05.md")
    status, output = check(archive, capsys)
    assert status == 1
    assert "content/statements/2024/leak-2024-03-05.md: symbolic link leads out of content/" in output
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 1
    assert not (archive / "_site").exists()


def test_a_symlinked_folder_leading_out_of_content_is_refused(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A linked folder leading out of content/ is reported, not silently skipped or read."""
    outside = archive.parent / "elsewhere"
    outside.mkdir()
    (outside / "leak-2024-03-05.md").write_text(statement(title="Private"))
    os.symlink(outside, archive / "content/statements/linked")
    status, output = check(archive, capsys)
    assert status == 1
    assert "content/statements/linked: symbolic link leads out of content/" in output


def test_a_symlink_inside_content_is_followed(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file linked to another place inside content/ is read (and a linked folder inside is named)."""
    spare = archive / "content/spare"
    spare.mkdir()
    (spare / "kept-2024-03-05.md").write_text(statement(title="Kept"))
    os.symlink(spare / "kept-2024-03-05.md", archive / "content/statements/kept-2024-03-05.md")
    os.symlink(spare, archive / "content/statements/spare-link")
    status, output = check(archive, capsys)
    assert status == 0, output
    assert "content/statements/spare-link: warning: a linked folder is not read" in output
    assert "Kept" in (build(archive) / "statements/kept-2024-03-05/index.html").read_text()


def test_a_capture_symlink_leading_out_is_not_published(archive: Path) -> None:
    """A file under content/captures/ that links outside content/ is never copied into the site."""
    secret = archive.parent / "id_rsa"
    secret.write_text("PRIVATE KEY")
    (archive / "content/captures/2024").mkdir(parents=True)
    os.symlink(secret, archive / f"content/captures/2024/{'c' * 64}.txt")
    site = build(archive)
    assert not any("PRIVATE KEY" in p.read_text(errors="ignore") for p in site.rglob("*") if p.is_file())


# -- archive import ---------------------------------------------------------------------------


def test_import_targets_stay_in_content(tmp_path: Path) -> None:
    """Titles, sources and file names that look like paths still give files under content/ only."""
    root = write_archive(tmp_path / "a", ENTITIES)
    records = [
        {"title": "../../../../tmp/owned", "date": "2024-01-02", "source": "../../etc", "body": "Text one."},
        {"title": "/etc/passwd", "date": "2024-01-03", "source": "North Wind Gazette", "body": "Text two."},
        {"title": "..", "date": "2024-01-04", "source": "North Wind Gazette", "body": "Text three."},
    ]
    inputs = tmp_path / "in"
    inputs.mkdir()
    feed = inputs / "..weird name;rm -rf.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records))
    before = files_outside(root)
    assert run("import", str(feed), "--root", str(root), "--create-source", "--quiet") == 0
    assert files_outside(root) == before
    written = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert all(p == "site.yaml" or p.startswith("content/") for p in written), written
    assert all(".." not in p for p in written)
    statements = sorted((root / "content/statements/2024").glob("*.md"))
    assert len(statements) == 3


def test_import_refuses_an_id_that_is_a_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--id ../../x` is a usage error (exit status 2) and writes nothing."""
    root = write_archive(tmp_path / "a", ENTITIES)
    capture = tmp_path / "c.txt"
    capture.write_text("The statement of 2 January 2024 says little.\n")
    before = tree(root)
    status = run("import", str(capture), "--root", str(root), "--id", "../../x", "--source", "gazette")
    assert status == 2
    assert "--id '../../x' is not a valid id" in capsys.readouterr().err
    assert tree(root) == before


# -- archive build --out --------------------------------------------------------------------------


@pytest.mark.parametrize("target", [".", "content", "content/statements", "content/new", "..", "templates"])
def test_build_refuses_to_replace_a_folder_it_did_not_make(
    archive: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    """--out at the site root, content/ or under it, a folder holding the root, or a folder of
    someone else's files is refused with a message; every file stays as it was."""
    (archive / "templates").mkdir()
    (archive / "templates/keep.txt").write_text("mine")
    out = (archive / target).resolve()
    before = user_files(archive.parent)
    status = run("build", "--root", str(archive), "--out", str(out), "--no-search", "--quiet")
    assert status == 1
    err = capsys.readouterr().err
    assert "refusing to" in err and "--out" in err
    assert user_files(archive.parent) == before


def test_build_replaces_its_own_output_and_an_empty_folder(archive: Path) -> None:
    """A previous build's folder (it has the marker) and an empty folder are accepted as --out."""
    out = archive.parent / "public"
    out.mkdir()
    assert run("build", "--root", str(archive), "--out", str(out), "--no-search", "--quiet") == 0
    assert (out / ".archive-build").is_file()
    (archive / FEES).write_text((archive / FEES).read_text().replace("harbour fees", "harbour dues"))
    assert run("build", "--root", str(archive), "--out", str(out), "--no-search", "--quiet") == 0
    assert "harbour dues" in (out / "statements/fees-2024-03-02/index.html").read_text()


def test_build_refuses_a_file_as_out(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out naming an existing file is refused and the file is kept."""
    target = archive.parent / "notes.txt"
    target.write_text("mine")
    assert run("build", "--root", str(archive), "--out", str(target), "--no-search", "--quiet") == 1
    assert target.read_text() == "mine"
    assert "refusing to replace" in capsys.readouterr().err


def test_statements_fixture_is_valid(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The shared fixture archive has no errors (the refusals above come from the one change each makes)."""
    assert check(archive, capsys)[0] == 0
    assert set(STATEMENTS) <= {p.relative_to(archive).as_posix() for p in archive.rglob("*.md")}


@pytest.mark.parametrize("rel", ["../x.html", "a/../../x.html", "a//b.html", "./x.html", "/etc/x", "a/./b"])
def test_the_writer_refuses_a_page_address_that_is_not_a_plain_relative_path(
    tmp_path: Path, rel: str
) -> None:
    """The last guard under every page: an address with an empty, '.' or '..' part writes nothing."""
    from builder.errors import ArchiveError
    from builder.write import write_file

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ArchiveError):
        write_file(out, rel, b"x")
    assert list(tmp_path.rglob("*")) == [out]
