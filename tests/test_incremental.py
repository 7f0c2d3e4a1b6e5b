"""The build cache never changes the result: after any edits, a cached build equals a clean one."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ENTITIES, STATEMENTS, run, tree, write_archive

EDITS = tuple("change retitle retrieved add delete rename entity describe template alias".split())


def unreferenced(statements: list[Path]) -> list[Path]:
    """Statements no other one cites: deleting or renaming a cited one is a content error."""
    texts = {p: p.read_text() for p in statements}
    return [p for p in statements if not any(p.stem in t for q, t in texts.items() if q != p)]


def apply_edit(root: Path, edit: str, n: int) -> None:
    statements = sorted((root / "content/statements").rglob("*.md"))
    if edit == "change" and statements:
        path = statements[n % len(statements)]
        path.write_text(path.read_text() + f"\nThe Council of Ports met on March {n % 28 + 1}.\n")
    elif edit == "retitle" and statements:  # what lists and neighbours show of it
        path = statements[n % len(statements)]
        path.write_text(re.sub(r"(?m)^title: (.*)$", rf"title: \1 {n}", path.read_text(), count=1))
    elif edit == "retrieved" and statements:  # shown on its own page only
        path = statements[n % len(statements)]
        text = re.sub(r"(?m)^retrieved: .*\n", "", path.read_text())
        path.write_text(text.replace("\ntitle: ", f"\nretrieved: 2024-05-{n % 28 + 1:02d}\ntitle: ", 1))
    elif edit == "add":  # in 2023 or 2024: a year's data file appears, and with deletes goes
        day = f"{2023 + n % 2}-04-0{n % 9 + 1}"
        (root / f"content/statements/2024/new-{n}-{day}.md").write_text(
            f"---\ntitle: New {n}\ndate: {day}\nsource: gazette\n---\nArden answers the CoP, edit {n}.\n"
        )
    elif edit == "delete" and len(statements) > 1 and unreferenced(statements):
        free = unreferenced(statements)
        free[n % len(free)].unlink()
    elif edit == "rename" and unreferenced(statements):
        free = unreferenced(statements)
        path = free[n % len(free)]
        path.rename(path.with_name(f"renamed-{n}-{path.name}"))
    elif edit == "entity":
        (root / f"content/entities/e{n}.md").write_text(
            f"---\nname: Harbour Board {n}\ntype: organization\n---\n"
        )
    elif edit == "alias":
        path = root / "content/entities/council.md"
        path.write_text(path.read_text().replace("aliases: [CoP", f"aliases: [CoP, Ports Council {n}"))
    elif edit == "describe":  # what an entity's page and the pages naming it may show
        path = sorted((root / "content/entities").rglob("*.md"))[n % 3]
        path.write_text(path.read_text() + f"\nDescribed again, {n}.\n")
    elif edit == "template":
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates/404.html").write_text(
            f'{{% extends "base.html" %}}{{% block main %}}<h1>Lost {n}</h1>{{% endblock %}}'
        )


def clean_build(root: Path) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "copy"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("_site", ".archive-cache"))
        assert run("build", "--root", str(copy), "--no-search", "--no-cache", "--quiet") == 0
        return tree(copy / "_site")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 50)), min_size=1, max_size=4))
def test_cached_build_equals_clean_build(tmp_path_factory, edits: list[tuple[str, int]]) -> None:
    """Any sequence of edits (add, change, retitle, re-date the retrieval of, rename and
    delete statements; add and describe entities; change a template or an alias), built with
    the cache, gives exactly the bytes of a clean build."""
    root = write_archive(tmp_path_factory.mktemp("inc") / "a", {**ENTITIES, **STATEMENTS})
    assert run("build", "--root", str(root), "--no-search", "--quiet") == 0
    for edit, n in edits:
        apply_edit(root, edit, n)
        assert run("build", "--root", str(root), "--no-search", "--quiet") == 0
    assert tree(root / "_site") == clean_build(root)


def test_damaged_cache_is_only_slower(archive: Path) -> None:
    """A truncated or garbage cache file is ignored; the build still gives the clean result."""
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    for path in (archive / ".archive-cache").rglob("*.pickle"):
        path.write_bytes(b"\x80\x05garbage")
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    assert tree(archive / "_site") == clean_build(archive)


def test_nothing_changed_leaves_the_site(archive: Path, capsys) -> None:
    """A rebuild with no change says so and leaves the output as it is; any edit rebuilds."""
    assert run("build", "--root", str(archive), "--no-search") == 0
    before = tree(archive / "_site")
    capsys.readouterr()
    assert run("build", "--root", str(archive), "--no-search") == 0
    assert "nothing changed since the last build" in capsys.readouterr().out
    assert tree(archive / "_site") == before
    path = archive / "content/statements/2024/third-2024-03-10.md"
    path.write_text(path.read_text().replace("Nothing to add.", "Something to add."))
    assert run("build", "--root", str(archive), "--no-search") == 0
    assert "nothing changed" not in capsys.readouterr().out
    assert b"Something to add." in tree(archive / "_site")["statements/third-2024-03-10/index.html"]
    assert tree(archive / "_site") == clean_build(archive)


def _inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def test_unchanged_pages_are_taken_from_the_previous_site(archive: Path) -> None:
    """After a body edit, pages whose inputs did not change are the previous build's files
    (hard-linked, not rendered again); the edited statement's page is new; and the site is
    a clean build's. A template change renders every page again."""
    (archive / "content/statements/2023").mkdir()
    (archive / "content/statements/2023/earlier-2023-12-30.md").write_text(
        "---\ntitle: The year before\ndate: 2023-12-30\nsource: gazette\n---\nArden said nothing.\n"
    )
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    before = _inodes(archive / "_site")
    path = archive / "content/statements/2024/third-2024-03-10.md"
    path.write_text(path.read_text().replace("Nothing to add.", "Something to add."))
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    after = _inodes(archive / "_site")
    kept = {page for page, inode in after.items() if before.get(page) == inode}
    assert "statements/third-2024-03-10/index.html" not in kept
    assert "entities/index.html" in kept and len(kept) >= len(after) // 2
    # files not made from templates are kept when their bytes are the same (the citation
    # does not quote the body), and made again when not (the data exports do)
    assert {"statements/third-2024-03-10/cite.bib", "data/entities.json"} <= kept
    # of the statements' data, only the edited statement's year is made again, and its
    # graph only when what it links to changed (a body edit naming nothing new leaves it)
    assert {"data/statements/2023.jsonl.gz", "data/statements/2023.csv.gz", "data/graph/2023.json"} <= kept
    assert "data/graph/2024.json" in kept
    assert not {"data/statements/2024.jsonl.gz", "data/statements/2024.csv.gz"} & kept
    assert tree(archive / "_site") == clean_build(archive)
    (archive / "templates").mkdir()
    (archive / "templates" / "404.html").write_text(
        "{% extends 'base.html' %}{% block main %}Gone{% endblock %}\n"
    )
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    again = {page: inode for page, inode in _inodes(archive / "_site").items() if page.endswith(".html")}
    assert not any(again[page] == inode for page, inode in after.items() if page in again)


def test_related_answer_saved_by_other_code_is_not_used(archive: Path) -> None:
    """A related.pickle written by an older builder (fields missing) is set aside, not a crash."""
    from builder.cache import CACHE_DIR, dump_signed
    from builder.link import RELATED
    from builder.related import Relatedness

    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    old = object.__new__(Relatedness)
    object.__setattr__(old, "depends_on", "an older builder")
    dump_signed(old, archive / CACHE_DIR / RELATED)
    path = archive / "content/statements/2024/third-2024-03-10.md"
    path.write_text(path.read_text() + "\nThe Council of Ports met on March 3.\n")
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    assert tree(archive / "_site") == clean_build(archive)


def test_the_next_build_starts_from_the_site_it_replaced(archive: Path) -> None:
    """The site a build replaces waits beside the output as its spare; the build after it
    is made in that folder (its folders are the spare's), rewrites what changed without
    touching the live site's files (the spare it leaves is the previous site byte for
    byte), removes what went (and the folders it leaves empty) and any file no build made,
    and equals a clean build.
    Without a record of what the spare holds, it is not used."""
    site, spare = archive / "_site", archive / "._site.spare"
    third = archive / "content/statements/2024/third-2024-03-10.md"
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    third.write_text(third.read_text().replace("Nothing to add.", "Something to add."))
    added = archive / "content/statements/2022/added-2022-05-01.md"
    added.parent.mkdir()
    added.write_text("---\ntitle: Added\ndate: 2022-05-01\nsource: gazette\n---\nArden said a word.\n")
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    assert spare.is_dir(), "the first site waits as the spare"
    live = tree(site)
    folder_of = {name: (spare / name).stat().st_ino for name in ("statements", "entities/gazette")}
    (spare / "stray.txt").write_text("put there by hand")  # no record names them
    (spare / "statements/stray").mkdir()
    (spare / "statements/stray/index.html").write_text("<p>stray</p>")
    third.write_text(third.read_text().replace("Something to add.", "More to add."))
    added.unlink()
    fees = archive / "content/statements/2024/fees-2024-03-02.md"  # its page: the first site's file
    fees.write_text(re.sub(r"(?m)^title: .*$", "title: Fees again", fees.read_text(), count=1))
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    assert {name: (site / name).stat().st_ino for name in folder_of} == folder_of, "built in the spare"
    assert tree(spare) == live, "the site it replaced, untouched"
    assert (spare / "dates/2022").is_dir() and not (site / "dates/2022").exists()
    assert tree(site) == clean_build(archive)
    for name in ("pages.pickle", "spare.pickle"):
        (archive / ".archive-cache" / name).unlink()
    third.write_text(third.read_text().replace("More to add.", "Nothing more."))
    assert run("build", "--root", str(archive), "--no-search", "--quiet") == 0
    assert (site / "statements").stat().st_ino not in folder_of.values(), "a new folder"
    assert tree(site) == clean_build(archive)
