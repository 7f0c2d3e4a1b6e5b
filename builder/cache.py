"""The build cache: results of costly per-file work, kept between builds.

Entries are keyed by content hashes; each cache file also carries a fingerprint of
everything else its entries depend on (the builder's own code, settings, the entities),
so a change to any of them simply starts a new, empty cache. The folder is safe to
delete at any time, and a damaged or half-written cache file is treated as empty.

Cache files are pickles (and whoosh's index holds pickles too), and reading a pickle can
run code. So every file the cache holds is signed with a key of the user's own, kept
outside the archive (~/.cache/annotated-archive/cache-key): a cache folder that came from
anyone else (a pull request, a copied archive) fails the check and is simply not used.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

CACHE_DIR = ".archive-cache"
CACHE_VERSION = "1"
SIGNED = b"annotated-archive cache 1\n"
SEAL = ".seal"


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


@cache
def _secret() -> bytes:
    """This user's signing key, made on first use; a per-process one where none can be kept."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "annotated-archive"
    path = folder / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    key = os.urandom(32)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".cache-key-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        try:
            os.link(temp, path)  # never replaces a key another process made meanwhile
        finally:
            os.unlink(temp)
        return path.read_bytes()
    except OSError:
        return key  # caches then last one run: slower, never unsafe


def _mac(data: bytes) -> bytes:
    return hmac.new(_secret(), data, hashlib.sha256).digest()


def dump_signed(value: Any, path: Path) -> None:
    """Pickle value to path, signed, atomically (a temporary file renamed over it)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(SIGNED + _mac(data) + data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load_signed(path: Path) -> Any:
    """What dump_signed wrote to path, or None when it is missing, damaged or not ours."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    start = len(SIGNED) + 32
    if not blob.startswith(SIGNED) or not hmac.compare_digest(blob[len(SIGNED) : start], _mac(blob[start:])):
        return None
    try:
        return pickle.loads(blob[start:])
    except Exception:  # a damaged cache is only a slower build
        return None


def _file_digests(folder: Path) -> dict[str, str]:
    """Every file under folder (the seal and temporary files excepted) with its SHA-256."""
    digests = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            path = Path(directory) / name
            rel = path.relative_to(folder).as_posix()
            if rel != SEAL and not name.endswith(".tmp"):
                with path.open("rb") as handle:
                    digests[rel] = hashlib.file_digest(handle, "sha256").hexdigest()
    return digests


def seal_folder(folder: Path) -> None:
    """Sign a cached folder's files as they are now (see folder_is_sealed)."""
    listing = "".join(f"{digest}  {rel}\n" for rel, digest in sorted(_file_digests(folder).items()))
    data = listing.encode()
    temp = folder / (SEAL + ".tmp")
    temp.write_bytes(data + _mac(data).hex().encode() + b"\n")
    os.replace(temp, folder / SEAL)


def folder_is_sealed(folder: Path, must_be_sealed: Callable[[str], bool] = lambda rel: True) -> bool:
    """Whether folder holds what this user's builder sealed in it; if not, don't read it.

    Every sealed file must be there unchanged, and every file must_be_sealed accepts must be
    sealed (others, such as an interrupted writer's leftovers, are allowed if never read).
    """
    try:
        data, _, mac = (folder / SEAL).read_bytes().rstrip(b"\n").rpartition(b"\n")
        if not hmac.compare_digest(mac, _mac(data + b"\n" if data else b"").hex().encode()):
            return False
        sealed = dict(line.split("  ", 1)[::-1] for line in data.decode().splitlines())
        present = _file_digests(folder)
    except (OSError, ValueError):
        return False
    unsealed = present.keys() - sealed.keys()
    return all(present.get(rel) == digest for rel, digest in sealed.items()) and not any(
        must_be_sealed(rel) for rel in unsealed
    )


class Store:
    """One named table of cached results, kept in BUCKETS files by a hash of the key.

    All of it is read at the start; at the end only the buckets that gained or lost an
    entry are written again (atomically), so a build after one edit rewrites a file or two,
    not the whole table.
    """

    BUCKETS = 128

    def __init__(self, root: Path | None, name: str, depends_on: Iterable[object] = ()):
        self.name = name
        self.key = fingerprint(name, *depends_on)
        self.folder = root / CACHE_DIR / f"{name}-{self.key}" if root is not None else None
        self.entries: dict[Any, Any] = {}
        self.used: set[Any] = set()
        self.changed: set[int] = set()
        if self.folder is not None:
            self._read()

    @classmethod
    def bucket(cls, key: Any) -> int:
        return (
            int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=2).digest(), "big") % cls.BUCKETS
        )

    def _path(self, bucket: int) -> Path:
        assert self.folder is not None
        return self.folder / f"{bucket:03d}.pickle"

    def _read(self) -> None:
        assert self.folder is not None
        if not self.folder.is_dir():
            return
        for bucket in range(self.BUCKETS):
            data = load_signed(self._path(bucket))
            if isinstance(data, dict):
                self.entries.update(data)

    def get(self, key: Any) -> Any:
        value = self.entries.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self.entries[key] = value
        self.used.add(key)
        self.changed.add(self.bucket(key))

    def save(self) -> None:
        """Keep only what this build used: rewrite the buckets that changed; drop stale tables."""
        if self.folder is None:
            return
        buckets: dict[int, dict[Any, Any]] = {}
        dirty = set(self.changed)
        for key, value in self.entries.items():
            number = self.bucket(key)
            if key in self.used:
                buckets.setdefault(number, {})[key] = value
            else:
                dirty.add(number)  # an entry this build did not use: forget it
        if not self.folder.is_dir():
            dirty = set(range(self.BUCKETS))
        self.folder.mkdir(parents=True, exist_ok=True)
        for number in sorted(dirty):
            if buckets.get(number):
                dump_signed(buckets[number], self._path(number))
            else:
                self._path(number).unlink(missing_ok=True)
        for old in self.folder.parent.glob(f"{self.name}-*"):
            if old.is_dir() and old != self.folder:
                shutil.rmtree(old, ignore_errors=True)
            elif old.is_file():
                old.unlink(missing_ok=True)  # a table of an older layout
        for leftover in self.folder.glob("*.tmp"):
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
    value = load_signed(root / CACHE_DIR / "last-build.pickle")
    return value if isinstance(value, tuple) and len(value) == 2 else None


def record_build(root: Path, signature: str, result: Any) -> None:
    folder = root / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    dump_signed((signature, result), folder / "last-build.pickle")


def forget_build(root: Path) -> None:
    (root / CACHE_DIR / "last-build.pickle").unlink(missing_ok=True)
