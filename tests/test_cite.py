"""Cite this: Chicago reference, BibTeX and CSL-JSON on the page and as downloads, note permalinks."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest

from builder.cite import CitedStatement, bibtex, chicago, csl_item

from .conftest import build

BASE = "https://someone.github.io/archive/"
PERMALINK = BASE + "statements/fees-2024-03-02/"


@pytest.fixture
def site(archive: Path) -> Path:
    return build(archive, "--base-url", BASE)


def cited(**changes: object) -> CitedStatement:
    values: dict = {
        "id": "fees-2024-03-02",
        "title": "Ministry comments on harbour fees",
        "date": dt.date(2024, 3, 2),
        "permalink": PERMALINK,
        "source": "North Wind Gazette",
        "site_title": "Test Archive",
        "kind": "statement",
        "author": "Ministry of Ports",
        "retrieved": dt.date(2024, 3, 3),
        "source_url": "https://gazette.example/fees",
    }
    values.update(changes)
    return CitedStatement(**values)


def balanced(text: str) -> bool:
    """As BibTeX counts: every brace, "\\{" too."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def test_chicago_reference_names_permalink_and_access_date() -> None:
    """Author, quoted title, italic source in HTML, the date Chicago-style, access date, permalink."""
    assert chicago(cited()) == (
        "Ministry of Ports. “Ministry comments on harbour fees.” North Wind Gazette, March 2, 2024. "
        f"Test Archive. Accessed [date]. {PERMALINK}."
    )
    assert chicago(cited(title="Why now?", author=None), accessed="May 1, 2024").startswith(
        "“Why now?” North"
    )
    assert "edited by Ana Editor" in chicago(cited(editors="Ana Editor"))


def test_statement_page_has_cite_this(site: Path) -> None:
    """The page shows the reference, BibTeX and CSL-JSON, and links the two downloads."""
    page = (site / "statements/fees-2024-03-02/index.html").read_text()
    assert "Cite this statement" in page
    assert "<i>North Wind Gazette</i>, March 2, 2024." in page
    assert f'<a href="{PERMALINK}">{PERMALINK}</a>' in page
    assert 'Accessed <span class="access-date" data-access-date>[date]</span>.' in page
    assert 'href="cite.bib"' in page and 'href="cite.json"' in page
    bib_on_page = html.unescape(re.search(r'<pre id="cite-bibtex"[^>]*>(.*?)</pre>', page, re.S).group(1))
    assert bib_on_page == (site / "statements/fees-2024-03-02/cite.bib").read_text()
    csl_on_page = html.unescape(re.search(r'<pre id="cite-csl"[^>]*>(.*?)</pre>', page, re.S).group(1))
    assert json.loads(csl_on_page) == json.loads((site / "statements/fees-2024-03-02/cite.json").read_text())


def test_downloads_parse(site: Path) -> None:
    """cite.json is CSL-JSON with the permalink and issue date; cite.bib is one balanced @misc entry."""
    (item,) = json.loads((site / "statements/fees-2024-03-02/cite.json").read_text())
    assert item["URL"] == PERMALINK
    assert item["issued"] == {"date-parts": [[2024, 3, 2]]}
    assert item["title"] == "Ministry comments on harbour fees"
    assert item["container-title"] == "North Wind Gazette"
    bib = (site / "statements/fees-2024-03-02/cite.bib").read_text()
    assert bib.startswith("@misc{fees-2024-03-02,\n")
    assert f"url = {{{PERMALINK}}}" in bib and "year = {2024}" in bib and "month = mar" in bib
    assert balanced(bib)


def test_no_build_time_in_citations(site: Path) -> None:
    """The reader fills the access date (cite.js does it in the browser): no date of the build."""
    page = (site / "statements/fees-2024-03-02/index.html").read_text()
    today = dt.date.today()
    assert f"{today:%B} {today.day}, {today.year}" not in page or today == dt.date(2024, 3, 2)
    assert "urldate" not in (site / "statements/fees-2024-03-02/cite.bib").read_text()


def test_hostile_title_cannot_break_bibtex() -> None:
    """Braces, percent, backslash and friends are escaped, so the entry stays one balanced entry."""
    entry = bibtex(cited(title="}, note = {pwned} % \\input{/etc/passwd} & $x$ #1 _a ^b ~c {"))
    assert balanced(entry)
    assert "\\input" not in entry.replace("\\textbackslash{}input", "")
    assert r"\textbraceright{}, note = \textbraceleft{}pwned\textbraceright{} \% " in entry
    assert balanced(bibtex(cited(title="Why the {so-called deal fails", author="A } B")))


def test_csl_item_kinds_and_author() -> None:
    """Speeches are CSL speeches, letters personal communications (CSL has no "letter"); the
    speaker is a literal author; no access date is invented."""
    assert csl_item(cited(kind="letter"))["type"] == "personal_communication"
    item = csl_item(cited(kind="speech"))
    assert item["type"] == "speech"
    assert item["author"] == [{"literal": "Ministry of Ports"}]
    assert "accessed" not in item
    assert "2024-03-03" in item["note"]


def test_each_annotation_has_a_permalink(site: Path) -> None:
    """Each annotation is an element with id note-N, linked from the cite section with its full URL."""
    page = (site / "statements/fees-2024-03-02/index.html").read_text()
    assert 'id="note-1"' in page
    assert f"<code>{PERMALINK}#note-1</code>" in page
    assert 'href="#note-1"' in page
