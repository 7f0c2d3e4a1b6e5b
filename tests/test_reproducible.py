"""Reproducible output: the same content gives the same bytes, whatever the machine's state.

Every build here runs as the command line runs it, in a subprocess whose environment is the
variable under test: another hash seed, time zone or locale; content files created in
another order and listed in reverse by the file system; a cold or a warm build cache. The
search bundle (Pagefind) takes seconds to make, so it is built by the reference build and
by one build that changes every variable at once; the others compare the rest of the site.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import PROJECT, tree

# Imported at start-up by a Python that finds it on its path: every directory listing the
# builder makes (os.walk, glob, Path.iterdir, os.listdir) comes back in reverse order.
REVERSED_LISTINGS = """
import os

_listdir, _scandir = os.listdir, os.scandir


def listdir(path="."):
    return list(reversed(_listdir(path)))


class _Reversed:
    def __init__(self, entries):
        self._entries = entries
        self._items = iter(list(reversed(list(entries))))

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._items)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._entries.close()


def scandir(path="."):
    return _Reversed(_scandir(path))


os.listdir, os.scandir = listdir, scandir
os.environ["LISTINGS_REVERSED"] = "1"
"""


def build(root: Path, out: Path, *options: str, **env: str) -> dict[str, bytes]:
    """`archive build` in a subprocess with the given environment; the output as {path: bytes}."""
    environment = {**os.environ, "PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C.UTF-8", **env}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "builder",
            "build",
            "--root",
            str(root),
            "--out",
            str(out),
            "--quiet",
            *options,
        ],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return tree(out)


def copy_archive(target: Path, reverse: bool = False) -> Path:
    """The project's demo archive, its files created one by one, in order or in reverse order."""
    files = sorted(p for p in (PROJECT / "content").rglob("*") if p.is_file())
    target.mkdir(parents=True)
    shutil.copy(PROJECT / "site.yaml", target / "site.yaml")
    for path in reversed(files) if reverse else files:
        copy = target / path.relative_to(PROJECT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
    return target


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A clean build (no cache, no search) of the demo archive, in UTC and C.UTF-8."""
    folder = tmp_path_factory.mktemp("reference")
    return build(copy_archive(folder / "archive"), folder / "site", "--no-cache", "--no-search")


@pytest.fixture(scope="module")
def listing_hook(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A folder for PYTHONPATH whose sitecustomize reverses every directory listing (checked)."""
    hook = tmp_path_factory.mktemp("hook")
    (hook / "sitecustomize.py").write_text(textwrap.dedent(REVERSED_LISTINGS))
    check = subprocess.run(
        [sys.executable, "-c", "import os; print(os.environ.get('LISTINGS_REVERSED'))"],
        env={**os.environ, "PYTHONPATH": str(hook)},
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "1", "the listing hook must be active for the tests to mean anything"
    return str(hook)


def test_a_second_build_with_a_warm_cache_is_identical(reference: dict[str, bytes], tmp_path: Path) -> None:
    """Building twice, the second time from the build cache (every file touched), gives the same bytes."""
    root = copy_archive(tmp_path / "archive")
    assert build(root, tmp_path / "first", "--no-search") == reference
    for path in (root / "content").rglob("*.md"):
        path.touch()  # new modification times: the build runs again, from the cache
    assert build(root, tmp_path / "first", "--no-search") == reference
    assert any((root / ".archive-cache").iterdir()), "the second build had a cache to use"


@pytest.mark.parametrize("seed", ["1", "4242", "random"])
def test_hash_seed_changes_nothing(reference: dict[str, bytes], tmp_path: Path, seed: str) -> None:
    """Another PYTHONHASHSEED (set and dict order) gives the same bytes."""
    root = copy_archive(tmp_path / "archive")
    assert build(root, tmp_path / "site", "--no-cache", "--no-search", PYTHONHASHSEED=seed) == reference


def test_file_system_listing_order_changes_nothing(
    reference: dict[str, bytes], tmp_path: Path, listing_hook: str
) -> None:
    """Files created in reverse order, and every directory listing reversed, give the same bytes."""
    root = copy_archive(tmp_path / "archive", reverse=True)
    assert build(root, tmp_path / "site", "--no-cache", "--no-search", PYTHONPATH=listing_hook) == reference


@pytest.mark.parametrize(
    ("zone", "locale"),
    [("Pacific/Kiritimati", "C"), ("America/St_Johns", "POSIX"), ("Asia/Pyongyang", "C.UTF-8")],
)
def test_time_zone_and_locale_change_nothing(
    reference: dict[str, bytes], tmp_path: Path, zone: str, locale: str
) -> None:
    """A build at UTC+14, UTC-3:30 or UTC+9, in the C or POSIX locale, gives the same bytes."""
    root = copy_archive(tmp_path / "archive")
    site = build(root, tmp_path / "site", "--no-cache", "--no-search", TZ=zone, LC_ALL=locale, LANG=locale)
    assert site == reference


def test_search_bundle_is_identical_when_everything_differs(tmp_path: Path, listing_hook: str) -> None:
    """With search: a clean build and a cached build in reverse file order, another hash seed, time
    zone and locale give the same bytes, Pagefind's bundle included."""
    clean = build(copy_archive(tmp_path / "a"), tmp_path / "a-site", "--no-cache")
    assert any(name.startswith("pagefind/") for name in clean)
    root = copy_archive(tmp_path / "b", reverse=True)
    other = {"PYTHONHASHSEED": "99", "TZ": "Pacific/Kiritimati", "LC_ALL": "C", "PYTHONPATH": listing_hook}
    build(root, tmp_path / "b-site", "--no-search", **other)  # fills the build cache
    for path in (root / "content").rglob("*.md"):
        path.touch()
    assert build(root, tmp_path / "b-site", **other) == clean


def test_no_build_time_in_the_output(reference: dict[str, bytes]) -> None:
    """No file says when it was built: today's date appears nowhere (the content is older)."""
    today = dt.date.today()
    for stamp in (today.isoformat(), f"{today.day} {today.strftime('%B')} {today.year}"):
        assert not [name for name, data in reference.items() if stamp.encode() in data], stamp
