"""The build cache is signed with the user's own key: a cache from anyone else is never read.

Reading a pickle can run code, and the reader-search shards are copied into the site, so a
cache folder planted in an archive (a pull request that adds one) must be ignored, not trusted.
"""

from __future__ import annotations

import builtins
import pickle
from pathlib import Path

from builder import cache

from .conftest import ENTITIES, STATEMENTS, build, run, tree, write_archive


class _Planted:
    """A pickle that, when loaded, creates a file: the stand-in for any code it could run."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (builtins.open, (str(self.marker), "w"))


def test_a_signed_value_reads_back_and_a_changed_or_foreign_one_does_not(tmp_path: Path) -> None:
    path = tmp_path / "table.pickle"
    cache.dump_signed({"a": 1}, path)
    assert cache.load_signed(path) == {"a": 1}
    blob = bytearray(path.read_bytes())
    blob[-2] ^= 1
    path.write_bytes(bytes(blob))
    assert cache.load_signed(path) is None
    path.write_bytes(pickle.dumps({"a": 1}))  # a pickle without our signature
    assert cache.load_signed(path) is None


def test_planted_cache_files_run_nothing_and_the_site_is_a_clean_build(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archive", {**ENTITIES, **STATEMENTS})
    clean = tree(build(root, "--no-cache"))
    build(root)
    tables = sorted((root / cache.CACHE_DIR).rglob("*.pickle"))
    assert tables, "the build wrote no cache to plant in"
    marker = tmp_path / "pwned"
    planted = pickle.dumps(_Planted(marker))
    for number, table in enumerate(tables):
        # half raw pickles, half with our header and a forged signature
        table.write_bytes(planted if number % 2 else cache.SIGNED + bytes(32) + planted)
    (root / "content" / "statements").touch()  # past the no-change fast path: the tables are read
    assert tree(build(root)) == clean
    assert not marker.exists()


def test_a_changed_search_shard_in_the_cache_never_reaches_the_site(tmp_path: Path) -> None:
    root = write_archive(tmp_path / "archive", {**ENTITIES, **STATEMENTS})
    assert run("build", "--root", str(root), "--quiet") == 0
    clean = tree(root / "_site" / "pagefind")
    shards = [p for p in (root / cache.CACHE_DIR / "reader").rglob("*.js") if p.is_file()]
    assert shards
    for shard in shards:
        shard.unlink()  # the site's copy is a hard link: write a new file, as an attacker would
        shard.write_text("alert('planted')")
    (root / "site.yaml").touch()
    assert run("build", "--root", str(root), "--quiet") == 0
    site = tree(root / "_site" / "pagefind")
    assert site == clean
    assert not any(b"planted" in content for content in site.values())


def test_a_table_rewrites_only_the_buckets_that_changed(tmp_path: Path) -> None:
    """After one edit (an entry dropped, one added) a build rewrites one or two of the
    table's files, not all of them; what is read back is what the last build used."""
    table = cache.Store(tmp_path, "t", ("v1",))
    for n in range(500):
        table.put(("s", n), n)
    table.save()
    files = {p.name: p.stat().st_ino for p in table.folder.iterdir()}
    assert len(files) > 50
    again = cache.Store(tmp_path, "t", ("v1",))
    for n in range(1, 500):
        assert again.get(("s", n)) == n
    again.put(("s", 500), 500)
    again.save()
    after = {p.name: p.stat().st_ino for p in again.folder.iterdir()}
    assert 1 <= sum(after.get(name) != inode for name, inode in files.items()) <= 2
    last = cache.Store(tmp_path, "t", ("v1",))
    assert last.entries == {("s", n): n for n in range(1, 501)}
    cache.Store(tmp_path, "t", ("v2",)).save()  # another fingerprint: the old table goes
    assert [p.name for p in (tmp_path / cache.CACHE_DIR).iterdir()] == [f"t-{cache.fingerprint('t', 'v2')}"]


def test_no_cache_neither_reads_nor_writes_the_cache(tmp_path: Path) -> None:
    """--no-cache builds from the content alone: not even the search shards are kept."""
    root = write_archive(tmp_path / "archive", {**ENTITIES, **STATEMENTS})
    assert run("build", "--root", str(root), "--no-cache", "--quiet") == 0
    assert (root / "_site" / "pagefind" / "pagefind-entry.json").is_file()
    assert not (root / cache.CACHE_DIR).exists()
