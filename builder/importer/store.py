"""The archive as the importer sees it: an index read once, and writes that never half-happen.

The index is built in one pass over content/statements and content/entities (front
matter and body of each file), so that recognising a re-import costs a dictionary
look-up per document, whatever the size of the archive. Every file is written to a
temporary name in its own folder and moved into place (`os.replace`), so an interrupted
import leaves each file either complete or absent, and the next run carries on.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import model
from ..wordiff import paragraphs as plain_paragraphs

CONTENT = "content"

try:  # the C parser is much faster; both are the safe loader
    _Base = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader  # type: ignore[misc]


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """Safe YAML with dates left as text, as the archive's own loader reads them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


@dataclass
class Existing:
    """What the importer needs to know of a statement already in the archive."""

    id: str
    rel: str  # path relative to the root, posix
    title: str = ""
    date: str = ""
    source: str = ""
    source_url: str | None = None
    body_key: str = ""
    shas: tuple[str, ...] = ()


@dataclass
class SplitFile:
    """A content file cut into its front matter (as read) and its body."""

    data: dict[str, Any]
    body: str


def split_front_matter(text: str) -> SplitFile | None:
    """`---` YAML `---` body, or None when the file has no readable front matter."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---"):
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None
    try:
        data = yaml.load("\n".join(lines[1:end]), Loader=_Loader)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    return SplitFile(data=data, body="\n".join(lines[end + 1 :]).strip("\n"))


def body_key(body: str) -> str:
    """Same key for two bodies that read the same (escapes, spacing and line breaks aside)."""
    normal = "\n".join(plain_paragraphs(body))
    return hashlib.sha1(normal.encode("utf-8"), usedforsecurity=False).hexdigest()


def normal_name(name: str) -> str:
    """A name as compared: case, spacing and a leading "The" ignored."""
    name = re.sub(r"\s+", " ", name).strip().casefold()
    return name.removeprefix("the ")


@dataclass
class ArchiveIndex:
    """Ids, capture hashes, bodies, addresses and entities of the archive, by look-up key."""

    root: Path
    by_id: dict[str, Existing] = field(default_factory=dict)
    by_sha: dict[str, str] = field(default_factory=dict)
    by_body: dict[str, str] = field(default_factory=dict)
    by_url: dict[str, str] = field(default_factory=dict)
    by_title: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    entities: dict[str, model.Entity] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def content(self) -> Path:
        return self.root / CONTENT

    @classmethod
    def load(cls, root: Path) -> ArchiveIndex:
        index = cls(root=root)
        for rel, full in _markdown_files(index.content / "entities"):
            index._read_entity(rel, full)
        for rel, full in _markdown_files(index.content / "statements"):
            index._read_statement(rel, full)
        return index

    def _read_entity(self, rel: str, full: Path) -> None:
        split = _read_split(full)
        if split is None or not isinstance(split.data.get("name"), str):
            self.warnings.append(f"{rel}: entity not readable; it is ignored for matching")
            return
        aliases = split.data.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [aliases]
        aliases = tuple(str(a) for a in aliases if isinstance(a, str | int) and str(a).strip())
        kind = split.data.get("type") if split.data.get("type") in model.ENTITY_TYPES else "other"
        self.entities.setdefault(
            full.stem,
            model.Entity(id=full.stem, path=rel, name=split.data["name"], type=kind, aliases=aliases),
        )

    def _read_statement(self, rel: str, full: Path) -> None:
        split = _read_split(full)
        if split is None:
            self.warnings.append(f"{rel}: no readable front matter; its id is kept as taken")
            self.by_id.setdefault(full.stem, Existing(id=full.stem, rel=rel))
            return
        self.add(existing_from(full.stem, rel, split))

    def add(self, record: Existing) -> None:
        """Record a statement (read, or written by this run) under every key."""
        self.by_id[record.id] = record
        for sha in record.shas:
            self.by_sha.setdefault(sha, record.id)
        if record.body_key:
            self.by_body.setdefault(record.body_key, record.id)
        if record.source_url:
            self.by_url.setdefault(record.source_url, record.id)
        if record.title and record.date:
            key = (record.date, record.source, normal_name(record.title))
            ids = self.by_title.setdefault(key, [])
            if record.id not in ids:
                ids.append(record.id)

    def publications(self) -> list[model.Entity]:
        return [e for e in sorted(self.entities.values(), key=lambda e: e.id) if e.type == "publication"]


def existing_from(statement_id: str, rel: str, split: SplitFile) -> Existing:
    data = split.data
    shas = []
    for capture in data.get("captures") or []:
        if isinstance(capture, dict) and isinstance(capture.get("sha256"), str):
            shas.append(capture["sha256"])
    url = data.get("source_url")
    return Existing(
        id=statement_id,
        rel=rel,
        title=str(data.get("title") or ""),
        date=str(data.get("date") or ""),
        source=str(data.get("source") or ""),
        source_url=url if isinstance(url, str) else None,
        body_key=body_key(split.body),
        shas=tuple(shas),
    )


def _read_split(full: Path) -> SplitFile | None:
    try:
        return split_front_matter(full.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _markdown_files(base: Path) -> Iterator[tuple[str, Path]]:
    if not base.is_dir():
        return
    root = base.parent.parent
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                full = Path(dirpath) / name
                yield full.relative_to(root).as_posix(), full


def read_statement(root: Path, rel: str) -> SplitFile | None:
    """An existing statement's front matter and body, read again when it is to be changed."""
    return _read_split(root / rel)


_MADE_FOLDERS: set[Path] = set()  # folders known to exist: one mkdir per folder, not per file


def forget_folders() -> None:
    """Start a run without assuming any folder exists (one may have been removed since)."""
    _MADE_FOLDERS.clear()


def _folder(path: Path) -> None:
    if path.parent not in _MADE_FOLDERS:
        path.parent.mkdir(parents=True, exist_ok=True)
        _MADE_FOLDERS.add(path.parent)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then move it into place in one step."""
    _folder(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_once(path: Path, data: bytes) -> bool:
    """Write a content-addressed file unless it is already there; True if written.

    Written like every other file (a temporary name, then one rename), so a killed import
    never leaves a partial capture that a build would publish; a file of the wrong size
    (from an older, interrupted version of this tool) is replaced.
    """
    try:
        if os.stat(path).st_size == len(data):
            return False
    except FileNotFoundError:
        pass
    write_atomic(path, data)
    return True


def next_backup_folder(content: Path) -> Path:
    """content/.backup/NNNN: one numbered folder per run that replaces files."""
    base = content / ".backup"
    taken = [int(p.name) for p in base.glob("[0-9]*") if p.name.isdigit()] if base.is_dir() else []
    return base / f"{max(taken, default=0) + 1:04d}"


def version_files(content: Path, statement_id: str) -> list[Path]:
    folder = content / "versions" / statement_id
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
        key=lambda p: (len(p.name), p.name),
    )
