"""Write stage: pages go into a fresh folder beside the output, which then replaces it.

Readers never see a half-written site and a failed or killed build leaves the previous
one serving: the new tree is complete on disk before a single rename (an atomic exchange
where the kernel offers one) puts it in place. A marker file tells our own output apart
from any other folder, so `--out` can never empty the maintainer's content by mistake.

The site the exchange replaces is kept beside the output as its spare, and the next build
starts from it (see take_spare): making a folder costs 0.25-0.35 ms on this machine's disk,
the 20,000 folders of a 10,000-statement site 5-7 s, while the pages that did not change
since the spare was made need nothing at all. A file in the spare may be a hard link to the
live site's (see reuse_file), so a file is never rewritten in place: it is unlinked first.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import enum
import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from .errors import ArchiveError, Problem

MARKER = ".archive-build"
MARKER_TEXT = b"This folder is made by `archive build`; it is replaced at every build.\n"
_RENAME_EXCHANGE = 2
Result = TypeVar("Result")


class Unchanged(enum.Enum):
    """A page's content when its bytes are those of a file an earlier build made."""

    PREVIOUS = "the previous build's file, hard-linked"
    IN_PLACE = "already in the folder being built (the spare's file)"


def check_output_folder(out: Path, root: Path) -> None:
    """Refuse to replace a folder that is not a previous build's output."""
    out = out.resolve()
    root = root.resolve()
    if out == root or root.is_relative_to(out) or out.is_relative_to(root / "content"):
        raise ArchiveError(
            [
                Problem(
                    str(out),
                    0,
                    "refusing to build into the site root, content/ or a folder that holds them",
                    "pass another --out",
                )
            ]
        )
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise ArchiveError(
            [
                Problem(
                    str(out),
                    0,
                    "refusing to replace a folder that is not a previous build's output",
                    f"empty it, remove it, or pass another --out (a build leaves a {MARKER} file in its output)",
                )
            ]
        )


def staging_folder(out: Path) -> Path:
    """A new, empty folder next to the output (same file system, so renames are atomic)."""
    staging = _cleared_staging_name(out)
    spare = spare_folder(out)
    if spare.exists():  # not taken (see take_spare): nothing says what it holds
        _throw_away(spare, out)
    staging.mkdir(parents=True)
    (staging / MARKER).write_bytes(MARKER_TEXT)
    return staging


def spare_folder(out: Path) -> Path:
    """Where the site an exchange replaced waits for the next build (see publish)."""
    return out.with_name(f".{out.name}.spare")


def take_spare(out: Path) -> Path | None:
    """The spare as the staging folder, its files as they are, under a new marker (so that
    it is told apart from the build that made it); None when there is none."""
    staging = _cleared_staging_name(out)
    try:
        os.rename(spare_folder(out), staging)
    except OSError:
        return None
    marker = staging / MARKER
    marker.unlink(missing_ok=True)
    marker.write_bytes(MARKER_TEXT)
    return staging


def _cleared_staging_name(out: Path) -> Path:
    """This build's staging folder's name, nothing there (and a crashed build's leftovers
    dealt with, see recover)."""
    recover(out)
    staging = out.with_name(f".{out.name}.new-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    return staging


def marker_identity(folder: Path) -> tuple[int, int, int] | None:
    """Which build made this folder, wherever it has been moved: its marker is new at
    every build."""
    try:
        info = (folder / MARKER).stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_mtime_ns)


def write_file(folder: Path, rel: str, content: bytes | Iterable[bytes]) -> None:
    """content: the bytes, or pieces of them (a large file never whole in memory)."""
    fd = _in_its_folder(_target(folder, rel), _new_file)
    with open(fd, "wb") as handle:
        if isinstance(content, bytes):
            handle.write(content)
        else:
            handle.writelines(content)


def reuse_file(folder: Path, rel: str, previous: Path) -> None:
    """The previous build's file, hard-linked into the new one (no bytes copied): the
    build never changes a written file, so the two builds can share it."""
    source = os.path.join(previous, rel)
    _in_its_folder(
        _target(folder, rel), lambda target: _replacing(target, lambda path: _link_or_copy(source, path))
    )


def write_page(folder: Path, rel: str, content: bytes | Iterable[bytes] | Unchanged, previous: Path) -> None:
    """A page's bytes, or the file of an earlier build with the same bytes (see Unchanged)."""
    if content is Unchanged.IN_PLACE:
        return
    if content is Unchanged.PREVIOUS:
        reuse_file(folder, rel, previous)
    else:
        write_file(folder, rel, content)


def walk_files(
    folder: Path, leave: Callable[[str], bool] = lambda name: False
) -> Iterator[tuple[str, os.DirEntry]]:
    """Every file under folder (a link counts as a file, and is not followed), with its path
    relative to folder, but under the top-level names that leave() keeps out."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if not leave(entry.name):
                yield from _files_under(entry, entry.name)


def _files_under(entry: os.DirEntry, rel: str) -> Iterator[tuple[str, os.DirEntry]]:
    if not entry.is_dir(follow_symlinks=False):
        yield rel, entry
        return
    with os.scandir(entry.path) as entries:
        for inner in entries:
            yield from _files_under(inner, f"{rel}/{inner.name}")


def files_in(folder: Path, leave: Callable[[str], bool]) -> set[str]:
    """walk_files' paths, as one set (what a worker process sends back)."""
    return {rel for rel, _ in walk_files(folder, leave)}


def sweep(folder: Path, stale: Iterable[str]) -> None:
    """Remove files the folder was taken with (see take_spare) and this build did not make,
    and the folders they leave empty."""
    emptied: set[str] = set()
    for rel in stale:
        try:
            os.unlink(_target(folder, rel))
        except FileNotFoundError:
            continue
        emptied.add(os.path.dirname(rel))
    for rel in sorted(emptied, key=lambda name: -name.count("/")):
        while rel:
            try:
                os.rmdir(os.path.join(folder, rel))
            except OSError:  # not empty (or gone already)
                break
            rel = os.path.dirname(rel)


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL


def _new_file(target: str) -> int:
    return _replacing(target, lambda path: os.open(path, _NEW_FILE, 0o666))


def _replacing(target: str, make: Callable[[str], Result]) -> Result:
    """make(target), which must not find a file there: where one is (taken with the spare),
    it is unlinked first, never written over, for it may be the live site's file too."""
    try:
        return make(target)
    except FileExistsError:
        os.unlink(target)
        return make(target)


def _in_its_folder(target: str, make: Callable[[str], Result]) -> Result:
    """make(target), making target's folder first when it is missing: one failed call for
    the first file of a folder, rather than a mkdir for every file."""
    try:
        return make(target)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        return make(target)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except (FileNotFoundError, FileExistsError):
        raise  # a folder is missing (see _in_its_folder), or a file is there (see _replacing)
    except OSError:  # another file system, or no hard links there
        shutil.copyfile(source, target)


def _target(folder: Path, rel: str) -> str:
    """folder/rel, for a plain relative address only. Nothing else is checked: the folder is
    one the build made (new, or its spare) and no build makes symbolic links in it, so no part
    can lead out."""
    if "\x00" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise ArchiveError([Problem(rel, 0, "a page address has an empty, '.' or '..' part")])
    return os.path.join(folder, rel)


def copy_files(folder: Path, files: Iterable[tuple[str, Path]]) -> list[str]:
    """Copy each source to its place in folder; returns the places (see sweep)."""
    places = []
    for rel, source in files:
        _in_its_folder(_target(folder, rel), functools.partial(_copy_anew, source))
        places.append(rel)
    return places


def _copy_anew(source: Path, target: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(target)  # never written over: see _replacing
    shutil.copyfile(source, target)


# Deleting the previous site file by file takes seconds at 50,000 files: a large one is
# deleted by a detached process, so the build is done as soon as the new site is in place.
# It runs at the lowest priority: the maintainer's next build should not wait for it.
BACKGROUND_DELETE_PAGES = 5000
_DELETER = """import os, shutil, sys
os.nice(19)
source, trash = sys.argv[1], sys.argv[2] + str(os.getpid())
try:
    os.rename(source, trash)
except OSError:
    trash = source
shutil.rmtree(trash, ignore_errors=True)
"""


def publish(staging: Path, out: Path, pages: int = 0, keep_spare: bool = False) -> bool:
    """Put the finished folder in place of the output, atomically where possible; with
    keep_spare, the site it replaces becomes the spare (see take_spare). Whether it did."""
    _fsync_tree_marker(staging)
    if out.exists() and _exchange(staging, out):
        if keep_spare and _kept_as_spare(staging, out):
            return True
        _delete(staging, out, in_background=pages >= BACKGROUND_DELETE_PAGES)
        return False
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if not out.exists():
        os.rename(staging, out)
        return False
    os.rename(out, old)
    os.rename(staging, out)
    if keep_spare and _kept_as_spare(old, out):
        return True
    shutil.rmtree(old, ignore_errors=True)
    return False


def _kept_as_spare(replaced: Path, out: Path) -> bool:
    """The replaced site moved to the spare's place, unless a spare is there (made
    meanwhile by another build)."""
    try:
        os.rename(replaced, spare_folder(out))
    except OSError:
        return False
    return True


def _delete(tree: Path, out: Path, in_background: bool) -> None:
    """Remove the previous site, now at tree; a detached process renames it to
    .<out>.trash-<its pid> first, so that the next build knows to leave it alone."""
    if in_background:
        try:
            subprocess.Popen(
                [sys.executable, "-c", _DELETER, str(tree), str(out.with_name(f".{out.name}.trash-"))],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            return
        except OSError:
            pass
    shutil.rmtree(tree, ignore_errors=True)


def discard(staging: Path, out: Path | None = None) -> None:
    """Remove a failed build's folder; with out, in the background (a whole site: the
    spare it was taken from)."""
    if out is None:
        shutil.rmtree(staging, ignore_errors=True)
    else:
        _throw_away(staging, out)


def _throw_away(tree: Path, out: Path) -> None:
    """Delete a whole site in the background, out of the way at once (see _delete)."""
    trash = out.with_name(f".{out.name}.trash-{os.getpid()}")
    try:
        os.rename(tree, trash)
    except OSError:
        trash = tree
    _delete(trash, out, in_background=True)


def recover(out: Path) -> None:
    """After a crash between two renames: bring the previous output back, drop leftovers."""
    parent = out.parent
    if not parent.is_dir():
        return
    for leftover in sorted(parent.glob(f".{out.name}.old-*")):
        if not out.exists() and (leftover / MARKER).is_file():
            os.rename(leftover, out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in [*parent.glob(f".{out.name}.new-*"), *parent.glob(f".{out.name}.trash-*")]:
        pid = leftover.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two folders in one atomic step."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _fsync_tree_marker(folder: Path) -> None:
    """Flush the folder entry so that the rename cannot reach the disk before the files."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
