"""Shared fixtures: small archives written from strings, built with the real pipeline."""

from __future__ import annotations

import gzip
import shutil
import textwrap
from pathlib import Path

import pytest

from builder.cli import main
from builder.searchdocs import SearchRecord

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PROJECT = Path(__file__).resolve().parents[1]

SITE_YAML = """\
title: Test Archive
description: A tiny archive for tests.
base_url: https://example.org/
language: en
page_size: 2
"""

ENTITIES = {
    "content/entities/gazette.md": """\
        ---
        name: North Wind Gazette
        type: publication
        aliases: [Gazette]
        ---
        An invented newspaper.
        """,
    "content/entities/arden.md": """\
        ---
        name: Republic of Arden
        type: country
        aliases: [Arden]
        ---
        An invented country.
        """,
    "content/entities/council.md": """\
        ---
        name: Council of Ports
        type: organization
        aliases: [CoP]
        ---
        An invented council.
        """,
}

STATEMENTS = {
    "content/statements/2024/fees-2024-03-02.md": """\
        ---
        title: Ministry comments on harbour fees
        date: 2024-03-02
        source: gazette
        kind: statement
        entities: [council]
        tags: [ports]
        annotations:
          - quote: raised its fees
            note: The Council's own notice is dated 26 February.
        ---
        On February 27, the Council of Ports raised its fees. Arden will answer in kind.
        """,
    "content/statements/2024/reply-2024-03-09.md": """\
        ---
        title: Reply to the Council
        date: 2024-03-09
        source: gazette
        kind: commentary
        references:
          - id: fees-2024-03-02
            type: responds-to
        ---
        The remarks of March 2 stand. The CoP has not answered.
        """,
    "content/statements/2024/third-2024-03-10.md": """\
        ---
        title: A third statement
        date: 2024-03-10
        source: gazette
        ---
        Nothing to add.
        """,
}


def write_archive(root: Path, files: dict[str, str], site_yaml: str = SITE_YAML) -> Path:
    """Write site.yaml and the given files (dedented) under root."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(site_yaml)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A valid three-statement archive."""
    return write_archive(tmp_path / "archive", {**ENTITIES, **STATEMENTS})


def run(*args: str) -> int:
    return main(list(args))


def build(root: Path, *extra: str) -> Path:
    """Build without the search indexes (tests of search build them on purpose)."""
    assert run("build", "--root", str(root), "--no-search", "--quiet", *extra) == 0
    return root / "_site"


def data_text(path: Path) -> str:
    """A data file's text: the parts a year are gzip'd, the one-file archive is not."""
    raw = path.read_bytes()
    return (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, and every empty folder (as "name/"), by path."""
    found = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            found[p.relative_to(folder).as_posix()] = p.read_bytes()
        elif p.is_dir() and not any(p.iterdir()):
            found[p.relative_to(folder).as_posix() + "/"] = b""
    return found


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A copy of the project's own demo archive."""
    root = tmp_path / "demo"
    root.mkdir()
    shutil.copy(PROJECT / "site.yaml", root / "site.yaml")
    shutil.copytree(PROJECT / "content", root / "content")
    return root


def search_record(
    id: str, title: str, date: str | None, text: str, base: str = "/", **fields: object
) -> SearchRecord:
    """A search record for a statement (with a date) or an entity (without), other fields empty."""
    values: dict = {
        "id": id,
        "page": "entity" if date is None else "statement",
        "url": f"{base}{'entities' if date is None else 'statements'}/{id}/",
        "title": title,
        "date": date,
        "year": date[:4] if date else None,
        "source_id": "",
        "source": "",
        "kind": "",
        "speaker": "",
        "entities": (),
        "entity_names": (),
        "aliases": (),
        "language": "en",
        "text": text,
        "summary": "",
        "content_hash": "",
    }
    values.update(fields)
    return SearchRecord(**values)
