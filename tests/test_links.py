"""Link integrity: `archive check --links` on built sites, and what it reports when a link breaks.

The checker reads every page, feed and sitemap of the output; these tests build the project's
demo archive and a generated one and expect no broken link or anchor, then break links on
purpose (in a site template, in the output) and expect each reported as `page:line`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from .conftest import build, run


def check_links(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """`archive check --links`: the exit status and the lines that report a link (or no site)."""
    status = run("check", "--root", str(root), "--links")
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    lines = (out.err + out.out).splitlines()
    return status, [line for line in lines if re.search(r"broken|outside the site|no built site", line)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`archive demo --statements 200`, built once (without the search index)."""
    root = tmp_path_factory.mktemp("generated") / "archive"
    assert run("demo", "--statements", "200", "--out", str(root)) == 0
    build(root)
    return root


def test_generated_archive_has_no_broken_link(generated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every link and anchor of a 200-statement generated archive resolves: pages, feeds, sitemap."""
    status = run("check", "--root", str(generated), "--links")
    out = capsys.readouterr().out
    assert status == 0 and not re.search(r"broken|outside the site", out)
    links = int(
        re.search(r"_site: info: ([\d,]+) links in [\d,]+ files checked", out).group(1).replace(",", "")
    )
    assert links > 10_000  # every page's links were read, not none
    assert re.fullmatch(r"0 errors, 0 warnings, [\d,]+ notes?", out.splitlines()[-1])


def test_the_check_covers_pagination_anchors_and_feeds(generated: Path) -> None:
    """The generated site has what the check must cover: list pages, note anchors, feeds, a sitemap."""
    site = generated / "_site"
    home = (site / "statements/index.html").read_text()
    assert 'href="/statements/page/2/"' in home
    notes = [p for p in (site / "statements").glob("*/index.html") if 'href="#note-1"' in p.read_text()]
    assert notes, "some statement has an annotation to link to"
    feeds = list(site.rglob("feed.xml"))
    assert len(feeds) > 10 and (site / "sitemap.xml").is_file()


def test_demo_archive_links_resolve_but_for_days_named_in_notes(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The project's demo archive: every link resolves, except day links made in annotation notes."""
    build(demo_copy)
    _, broken = check_links(demo_copy, capsys)
    assert [line for line in broken if not re.search(r"broken link: /dates/\d{4}/\d\d/(\d\d/)?", line)] == []


def test_demo_archive_has_no_broken_link(demo_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The project's demo archive: every link and anchor resolves."""
    build(demo_copy)
    status, broken = check_links(demo_copy, capsys)
    assert broken == [] and status == 0


def test_a_broken_link_in_a_site_template_names_page_and_line(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link to a missing page and an anchor to a missing id, written in a site template, are
    reported with the built page and the line they are on."""
    (demo_copy / "templates").mkdir()
    (demo_copy / "templates/about.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>About</h1>\n'
        "<p><a href=\"{{ url('nowhere/') }}\">gone</a></p>\n"
        '<p><a href="#missing">lost</a></p>\n{% endblock %}\n'
    )
    site = build(demo_copy)
    page = (site / "about/index.html").read_text().splitlines()
    link_line = next(n for n, line in enumerate(page, 1) if "/nowhere/" in line)
    anchor_line = next(n for n, line in enumerate(page, 1) if "#missing" in line)
    status, broken = check_links(demo_copy, capsys)
    assert status == 1
    assert (
        f"about/index.html:{link_line}: broken link: /nowhere/ (rebuild; if it persists, report it as a bug)"
        in broken
    )
    assert any(line.startswith(f"about/index.html:{anchor_line}: broken anchor: #missing") for line in broken)


def test_a_broken_relative_link_in_a_statement_is_laid_to_its_text(
    demo_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A relative link a maintainer wrote in a statement is reported as the text's to correct,
    not as a bug of the build (whose own links all start at the site's root), on its page and
    in the feed that carries the text (made absolute there)."""
    path = sorted((demo_copy / "content/statements").rglob("*.md"))[0]
    path.write_text(path.read_text() + "\nSee [the other statement](other-statement).\n")
    build(demo_copy)
    _, broken = check_links(demo_copy, capsys)
    mine = [line for line in broken if "other-statement" in line]
    assert mine and all("correct the link" in line and "as a bug" not in line for line in mine)
    assert any(line.startswith("feed.xml:") and "correct the link in the statement" in line for line in mine)


def test_a_missing_page_is_reported_wherever_it_is_linked(
    generated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A statement page and a list page removed from the output: the links from pages, feeds and
    the sitemap that lead to them are each reported."""
    root = tmp_path / "copy"
    shutil.copytree(generated, root, symlinks=True)
    site = root / "_site"
    newest = re.search(r'href="/statements/([a-z0-9-]+)/"', (site / "index.html").read_text()).group(1)
    shutil.rmtree(site / "statements" / newest)
    shutil.rmtree(site / "statements/page/2")
    status, broken = check_links(root, capsys)
    assert status == 1
    places = {line.split(":", 1)[0] for line in broken}
    assert {"index.html", "feed.xml", "sitemap.xml", "statements/index.html"} <= places, places
    assert any(
        line.startswith("feed.xml:") and f"broken link: /statements/{newest}/" in line for line in broken
    )


def test_a_missing_annotation_anchor_is_reported(
    generated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A statement page whose note lost its id: the links to #note-1 are broken anchors."""
    root = tmp_path / "copy"
    shutil.copytree(generated, root, symlinks=True)
    page = next(p for p in (root / "_site/statements").glob("*/index.html") if 'id="note-1"' in p.read_text())
    page.write_text(page.read_text().replace('id="note-1"', 'id="note-one"'))
    status, broken = check_links(root, capsys)
    assert status == 1
    rel = page.relative_to(root / "_site").as_posix()
    assert any(line.startswith(f"{rel}:") and "broken anchor: #note-1" in line for line in broken), broken


def test_no_built_site_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check --links` before any build says to build first."""
    root = tmp_path / "archive"
    assert run("demo", "--statements", "12", "--out", str(root)) == 0
    status, lines = check_links(root, capsys)
    assert status == 1
    assert any(
        "_site: no built site here (run `archive build` first, or pass --out)" in line for line in lines
    )
