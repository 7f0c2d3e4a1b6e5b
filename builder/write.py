"""Write stage: pages go into a fresh folder beside the output, which then replaces it.

Readers never see a half-written site and a failed or killed build leaves the previous
one serving: the new tree is complete on disk before a single rename (an atomic exchange
where the kernel offers one) puts it in place. A marker file tells our own output apart
from any other folder, so `--out` can never empty the maintainer's content by mistake.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from .errors import ArchiveError, Problem

MARKER = ".archive-build"
MARKER_TEXT = b"This folder is made by `archive build`; it is replaced at every build.\n"
_RENAME_EXCHANGE = 2
Result = TypeVar("Result")


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
    recover(out)
    staging = out.with_name(f".{out.name}.new-{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    (staging / MARKER).write_bytes(MARKER_TEXT)
    return staging


def write_file(folder: Path, rel: str, content: bytes | Iterable[bytes]) -> None:
    """content: the bytes, or pieces of them (a large file never whole in memory)."""
    fd = _in_its_folder(_target(folder, rel), lambda target: os.open(target, _NEW_FILE, 0o666))
    with open(fd, "wb") as handle:
        if isinstance(content, bytes):
            handle.write(content)
        else:
            handle.writelines(content)


def reuse_file(folder: Path, rel: str, previous: Path) -> None:
    """The previous build's file, hard-linked into the new one (no bytes copied): the
    build never changes a written file, so the two builds can share it."""
    source = os.path.join(previous, rel)
    _in_its_folder(_target(folder, rel), lambda target: _link_or_copy(source, target))


def write_page(folder: Path, rel: str, content: bytes | Iterable[bytes] | None, previous: Path) -> None:
    """A page's bytes, or with content None the previous build's same file (see reuse_file)."""
    if content is None:
        reuse_file(folder, rel, previous)
    else:
        write_file(folder, rel, content)


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC


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
    except FileNotFoundError:
        raise  # a folder is missing: see _in_its_folder
    except OSError:  # another file system, or no hard links there
        shutil.copyfile(source, target)


def _target(folder: Path, rel: str) -> str:
    """folder/rel, for a plain relative address only. Nothing else is checked: the folder is
    new at every build and the build makes no symbolic links in it, so no part can lead out."""
    if "\x00" in rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise ArchiveError([Problem(rel, 0, "a page address has an empty, '.' or '..' part")])
    return os.path.join(folder, rel)


def copy_files(folder: Path, files: Iterable[tuple[str, Path]]) -> None:
    for rel, source in files:
        _in_its_folder(_target(folder, rel), functools.partial(shutil.copyfile, source))


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


def publish(staging: Path, out: Path, pages: int = 0) -> None:
    """Put the finished folder in place of the output, atomically where possible."""
    _fsync_tree_marker(staging)
    if out.exists() and _exchange(staging, out):
        _delete(staging, out, in_background=pages >= BACKGROUND_DELETE_PAGES)
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)


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


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


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
