"""The build cache: results of costly per-file work, kept between builds.

Entries are keyed by content hashes; each cache file also carries a fingerprint of
everything else its entries depend on (the builder's own code, settings, the entities),
so a change to any of them simply starts a new, empty cache. The folder is safe to
delete at any time, and a damaged or half-written cache file is treated as empty.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

CACHE_DIR = ".archive-cache"
CACHE_VERSION = "1"


@cache
def code_version() -> str:
    """A hash of the builder's own source: new code never reuses old results."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(*parts: object) -> str:
    """A short stable hash of what a cache's entries depend on besides their own key."""
    digest = hashlib.sha256(code_version().encode())
    for part in parts:
        digest.update(b"\x00" + repr(part).encode())
    return digest.hexdigest()[:20]


class Store:
    """One named table of cached results, loaded whole and written back atomically."""

    def __init__(self, root: Path | None, name: str, depends_on: Iterable[object] = ()):
        self.folder = root / CACHE_DIR if root is not None else None
        self.name = name
        self.key = fingerprint(name, *depends_on)
        self.entries: dict[Any, Any] = {}
        self.used: set[Any] = set()
        self.changed = False
        if self.folder is not None:
            self.entries = self._read()

    @property
    def path(self) -> Path | None:
        return self.folder / f"{self.name}-{self.key}.pickle" if self.folder else None

    def _read(self) -> dict[Any, Any]:
        path = self.path
        if path is None or not path.is_file():
            return {}
        try:
            with path.open("rb") as handle:
                data = pickle.load(handle)
        except Exception:  # a damaged cache is only a slower build
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: Any) -> Any:
        value = self.entries.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self.entries[key] = value
        self.used.add(key)
        self.changed = True

    def save(self) -> None:
        """Keep only what this build used; replace the file atomically; drop stale tables."""
        if self.folder is None:
            return
        stale = len(self.entries) != len(self.used)
        if not (self.changed or stale) and self.path and self.path.is_file():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        kept = {k: self.entries[k] for k in self.used}
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=f".{self.name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(kept, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, self.path)  # type: ignore[arg-type]
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        for old in self.folder.glob(f"{self.name}-*.pickle"):
            if old != self.path:
                old.unlink(missing_ok=True)
        for leftover in self.folder.glob(f".{self.name}-*.tmp"):
            leftover.unlink(missing_ok=True)


def input_signature(paths: Iterable[Path], options: object) -> str:
    """A hash of every input file's path, size and modification time, and the options.

    Equal signatures mean nothing a build reads has changed: the previous output stands.
    Only file metadata is read (one stat per file), so the check stays cheap at 100,000
    statements.
    """
    digest = hashlib.sha256(code_version().encode() + repr(options).encode())
    for top in paths:
        if top.is_file():
            _add_stat(digest, top, top)
        elif top.is_dir():
            for folder, dirnames, filenames in os.walk(top):
                dirnames.sort()
                for name in sorted(filenames):
                    _add_stat(digest, top, Path(folder) / name)
        digest.update(b"\x01" + str(top).encode())
    return digest.hexdigest()


def _add_stat(digest: Any, top: Path, path: Path) -> None:
    try:
        info = path.stat()
    except OSError:
        return
    digest.update(f"{path.relative_to(top.parent)}\x00{info.st_size}\x00{info.st_mtime_ns}\x00".encode())


def last_build(root: Path) -> tuple[str, Any] | None:
    """The signature and result of the previous successful build, if recorded."""
    path = root / CACHE_DIR / "last-build.pickle"
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
    except Exception:
        return None
    return value if isinstance(value, tuple) and len(value) == 2 else None


def record_build(root: Path, signature: str, result: Any) -> None:
    folder = root / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".last-build-", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        pickle.dump((signature, result), handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temp, folder / "last-build.pickle")


def forget_build(root: Path) -> None:
    (root / CACHE_DIR / "last-build.pickle").unlink(missing_ok=True)
