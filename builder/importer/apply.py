"""Carrying out a plan: the capture, the statement, the old text as a version, a backup.

Order matters for interrupted runs: the capture is written first and the statement last,
so a statement never points at a missing capture, and a capture without its statement
is simply imported again by the next run (its file is content-addressed, written once).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import model
from .plan import Plan, capture_entry
from .store import (
    ArchiveIndex,
    Existing,
    SplitFile,
    body_key,
    existing_from,
    next_backup_folder,
    read_statement,
    split_front_matter,
    version_files,
    write_atomic,
    write_once,
)
from .yamlout import dump_front_matter


def compose(data: dict[str, Any], body: str) -> str:
    """A content file: front matter, a blank line, the body."""
    return dump_front_matter(data) + "\n" + body


class Writer:
    """Writes under the archive root, or (dry run) only records what it would write."""

    def __init__(self, root: Path, dry_run: bool):
        self.root = root
        self.dry_run = dry_run
        self.shown: list[tuple[str, str]] = []  # (path, text or a note) for --dry-run
        self._backup: Path | None = None
        self._created: list[Path] = []  # files the current document's import added

    def write(self, rel: str, text: str) -> None:
        if self.dry_run:
            self.shown.append((rel, text))
            return
        self._noted(self.root / rel, lambda path: write_atomic(path, text.encode("utf-8")))

    def write_capture(self, rel: str, data: bytes) -> None:
        if self.dry_run:
            self.shown.append((rel, f"(the capture, {len(data):,} bytes, byte for byte)"))
            return
        self._noted(self.root / rel, lambda path: write_once(path, data))

    def _noted(self, path: Path, write: Callable[[Path], object]) -> None:
        new = [] if path.exists() else [path]
        folder = path.parent
        while not folder.exists() and folder != self.root:  # folders the write will make
            new.append(folder)
            folder = folder.parent
        self._created.extend(reversed(new))  # outermost first, so undo removes them last
        write(path)

    def begin(self) -> None:
        """A new document: what undo() removes starts afresh."""
        self._created = []

    def undo(self) -> None:
        """Remove the files this document's import added (it failed half-way): a capture or
        a publication left without its statement would be published alone. Files that were
        there before are never removed."""
        for path in reversed(self._created):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink(missing_ok=True)
        self._created = []

    def backup(self, rel: str) -> str:
        """Copy a file into content/.backup/NNNN/ (one folder per run) before it changes."""
        content = self.root / "content"
        if self._backup is None:
            self._backup = next_backup_folder(content)
        target = self._backup / Path(rel).relative_to("content")
        shown = target.relative_to(self.root).as_posix()
        if self.dry_run:
            self.shown.append((shown, f"(a copy of {rel})"))
            return shown
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.root / rel, target)
        return shown

    def remove(self, rel: str) -> None:
        if self.dry_run:
            self.shown.append((rel, "(removed: the statement moved to another year's folder)"))
            return
        (self.root / rel).unlink(missing_ok=True)


def carry_out(
    plan: Plan, index: ArchiveIndex, writer: Writer, find_entities: Callable[[str], list[str]]
) -> None:
    """Write what the plan says and record it in the index (also in a dry run)."""
    if plan.new_source is not None and plan.new_source.id not in index.entities:
        _create_source(plan, index, writer)
    plan.entities = find_entities("\n\n".join(plan.draft.paragraphs))
    if plan.action == "version":
        _version(plan, index, writer)
    elif plan.action == "replaced":
        _replace(plan, index, writer)
    else:
        data = dict(plan.front_matter)
        data["entities"] = plan.entities or None
        data["captures"] = [capture_entry(plan)]
        writer.write_capture(f"content/{plan.capture_rel}", plan.draft.capture)
        _write_statement(plan, index, writer, data)


def _write_statement(plan: Plan, index: ArchiveIndex, writer: Writer, data: dict[str, Any]) -> None:
    writer.write(plan.rel, compose(data, plan.body))
    index.add(existing_from(plan.statement_id, plan.rel, SplitFile(data=data, body=plan.body)))


def _create_source(plan: Plan, index: ArchiveIndex, writer: Writer) -> None:
    source = plan.new_source
    assert source is not None
    data: dict[str, Any] = {
        "name": source.name,
        "type": "publication",
        "aliases": list(source.aliases) or None,
    }
    note = (
        f"Created by `archive import` for a capture that names it ({plan.draft.origin.rsplit('/', 1)[-1]}).\n"
    )
    writer.write(source.rel, compose(data, note))
    index.entities[source.id] = model.Entity(
        id=source.id, path=source.rel, name=source.name, type="publication", aliases=source.aliases
    )


def _version(plan: Plan, index: ArchiveIndex, writer: Writer) -> None:
    """The statement's current text becomes the next version file; the new text replaces it."""
    old = _read_old(plan, index)
    files = version_files(index.content, plan.statement_id)
    number = len(files) + 1
    if files and _same_text(files[-1], old.body):
        number = len(files)  # an interrupted run already kept this text
    else:
        rel = f"content/versions/{plan.statement_id}/v{number}.md"
        writer.write(rel, compose(_version_front_matter(plan.statement_id, number, old.data), old.body))
    plan.version_number = number
    data = dict(old.data)
    data["captures"] = [*_list(data.get("captures")), capture_entry(plan)]
    if plan.draft.retrieved:
        data["retrieved"] = plan.draft.retrieved
    else:
        data.pop("retrieved", None)
    if plan.draft.source_url and not data.get("source_url"):
        data["source_url"] = plan.draft.source_url
    listed = [e for e in _list(data.get("entities")) if isinstance(e, str)]
    data["entities"] = [*listed, *(e for e in plan.entities if e not in listed)] or None
    writer.write_capture(f"content/{plan.capture_rel}", plan.draft.capture)
    _write_statement(plan, index, writer, data)


def _replace(plan: Plan, index: ArchiveIndex, writer: Writer) -> None:
    """--force: the old file is backed up, then replaced by the new import (captures kept)."""
    old = _read_old(plan, index)
    writer.backup(plan.old_rel)
    captures = [c for c in _list(old.data.get("captures")) if isinstance(c, dict)]
    if all(c.get("sha256") != plan.sha256 for c in captures):
        captures.append(capture_entry(plan))
    data = dict(plan.front_matter)
    data["entities"] = plan.entities or None
    data["captures"] = captures
    writer.write_capture(f"content/{plan.capture_rel}", plan.draft.capture)
    _write_statement(plan, index, writer, data)
    if plan.rel != plan.old_rel:
        writer.remove(plan.old_rel)


def _read_old(plan: Plan, index: ArchiveIndex) -> SplitFile:
    old = read_statement(index.root, plan.old_rel)
    if old is None:
        raise OSError(f"{plan.old_rel}: the statement cannot be read back")
    return old


def _same_text(path: Path, body: str) -> bool:
    try:
        split = split_front_matter(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
    return split is not None and body_key(split.body) == body_key(body)


def _version_front_matter(statement_id: str, number: int, old: dict[str, Any]) -> dict[str, Any]:
    captures = [c for c in _list(old.get("captures")) if isinstance(c, dict)]
    last = captures[-1] if captures else {}
    retrieved = last.get("retrieved") or old.get("retrieved")
    return {
        "statement": statement_id,
        "version": number,
        "retrieved": retrieved if isinstance(retrieved, str | dt.date) else None,
        "sha256": last.get("sha256"),
        "capture": last.get("file"),
    }


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


__all__ = ["Existing", "Writer", "carry_out", "compose"]
