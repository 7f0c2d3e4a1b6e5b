"""Pages as readers meet them: heading order, languages, charts with text alternatives."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.bodyhtml import headings_in_order, mark_languages

from .conftest import ENTITIES, SITE_YAML, STATEMENTS, build, write_archive

EXTRA = {
    "content/statements/2024/mixed-2024-03-05.md": """\
        ---
        title: Envoy quotes the Korean text
        date: 2024-03-05
        source: gazette
        annotations:
          - quote: 평화와 번영
            note: Read as "peace and prosperity".
        ---
        The envoy said <q>평화와 번영</q> twice, then spoke of the Council.

        #### A deep heading

        Text under it.

        ## Back to two
        """,
    "content/statements/2024/korean-2024-03-06.md": """\
        ---
        title: 해협 회의 성명
        date: 2024-03-06
        source: gazette
        language: ko
        summary: An English summary of a Korean statement.
        annotations:
          - quote: 회의는
            note: The editors' note, in English.
        ---
        회의는 끝났다.
        """,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_archive(tmp_path_factory.mktemp("render") / "a", {**ENTITIES, **STATEMENTS, **EXTRA})
    return build(root)


def heading_levels(page: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])\b", page)]


def test_every_page_has_one_h1_and_no_skipped_heading_level(site: Path) -> None:
    """Screen-reader users navigate by headings: one h1, and no level jumps by more than one."""
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        levels = heading_levels(path.read_text())
        assert levels.count(1) == 1 and levels[0] == 1, path
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, (path, levels)


def test_korean_statement_is_marked_ko_and_its_english_parts_en(site: Path) -> None:
    """A statement with language: ko gets lang="ko" on its article; the site's words and notes say en."""
    page = (site / "statements/korean-2024-03-06/index.html").read_text()
    assert '<html lang="en">' in page
    assert '<article class="statement" lang="ko">' in page
    assert '<p class="summary editor-summary" lang="en">' in page
    assert re.search(r'<aside class="annotation" lang="en" id="note-1"', page)
    listing = (site / "dates/2024/03/06/index.html").read_text()
    assert 'class="card-title" lang="ko"' in listing


def test_korean_passage_in_english_text_is_marked(site: Path) -> None:
    """Runs of Hangul inside an English statement are wrapped in <span lang="ko">."""
    page = (site / "statements/mixed-2024-03-05/index.html").read_text()
    assert '<span lang="ko">평화와 번영</span>' in page
    assert "Read as" in page


def test_body_headings_follow_the_page_outline(site: Path) -> None:
    """A body's #### under the page's h1 becomes h2, and the next ## stays in order."""
    page = (site / "statements/mixed-2024-03-05/index.html").read_text()
    assert "<h2>A deep heading</h2>" in page
    assert "<h2>Back to two</h2>" in page


def test_charts_are_svg_with_a_text_alternative(site: Path) -> None:
    """Home, year and entity pages draw their charts at build time, with the numbers as text."""
    home = (site / "index.html").read_text()
    assert '<svg class="chart"' in home and 'role="group"' in home
    assert 'aria-label="March 2024: 5 statements"' in home
    assert '<th scope="row"><a href="/dates/2024/03/">March 2024</a></th><td>5</td>' in home
    assert "February 2024" not in home  # no empty bars for months before the archive begins
    assert "Statements issued in March 2024, the archive's only month" in home
    year = (site / "dates/2024/index.html").read_text()
    assert '<svg class="chart"' in year and "March: 5" in year
    entity = (site / "entities/gazette/index.html").read_text()
    assert '<svg class="chart"' in entity and "Timeline" in entity
    assert 'Statements published by North Wind Gazette: <a href="/dates/2024/03/">March 2024</a>: 5' in entity


def test_entity_page_ranks_the_entities_named_with_it(site: Path) -> None:
    """ "Often named together with" lists co-occurring entities as ranked bars with counts."""
    page = (site / "entities/council/index.html").read_text()
    section = page.split("Often named together with", 1)[1].split("</section>", 1)[0]
    assert '<ol class="ranked"' in section
    assert 'href="/entities/arden/">Republic of Arden</a>' in section
    assert "statement together" in section or "statements together" in section


def test_normal_builds_carry_no_live_reload(site: Path) -> None:
    """Only `archive serve` adds its reload script; a build's pages never mention it."""
    for path in site.rglob("*.html"):
        assert "_archive/" not in path.read_text(), path


def test_footer_links_about_feed_and_withdrawn(site: Path) -> None:
    """Every page's footer leads to /about/, the feed and withdrawn statements."""
    page = (site / "dates/index.html").read_text()
    footer = page.split('<footer class="site-footer">', 1)[1]
    for href in ("/about/", "/feed.xml", "/withdrawn/"):
        assert f'href="{href}"' in footer


# -- the body's HTML, unit by unit ---------------------------------------------------------


def test_the_summary_is_labelled_as_the_editors(site: Path) -> None:
    """A statement's summary says it is the editor's, not the statement's first words."""
    page = (site / "statements/korean-2024-03-06/index.html").read_text()
    assert re.search(
        r'<p class="summary editor-summary" lang="en"><span class="summary-label">Editor\'s summary</span> '
        r"An English summary of a Korean statement.</p>",
        page,
    )


def test_day_links_name_the_day_they_lead_to(site: Path) -> None:
    """ "← 2 March 2024" and "6 March 2024 →", not "Previous day" and "Next day"."""
    page = (site / "dates/2024/03/05/index.html").read_text()
    assert 'rel="prev">← 2 March 2024</a>' in page
    assert 'rel="next">6 March 2024 →</a>' in page
    assert "Previous day" not in page and "Next day" not in page


def test_every_page_links_a_favicon_under_the_base_path(tmp_path: Path) -> None:
    """Browsers ask for /favicon.ico unless a page names an icon: each page names the theme's
    SVG one, under the site's base path, and it is written."""
    site_yaml = SITE_YAML.replace("https://example.org/", "https://example.org/archive/")
    site = build(write_archive(tmp_path / "a", {**ENTITIES, **STATEMENTS}, site_yaml))
    for page in (site / "index.html", site / "statements/fees-2024-03-02/index.html", site / "404.html"):
        assert '<link rel="icon" href="/archive/static/favicon.svg" type="image/svg+xml">' in page.read_text()
    assert (site / "static/favicon.svg").read_text().startswith("<svg ")


def test_headings_in_order_keeps_relative_structure() -> None:
    """h3 h5 h4 h2 becomes h2 h3 h3 h2: levels close up, nesting stays."""
    html = "<h3>a</h3><h5 id=x>b</h5><h4>c</h4><h2>d</h2>"
    assert headings_in_order(html) == "<h2>a</h2><h3 id=x>b</h3><h3>c</h3><h2>d</h2>"


def test_mark_languages_leaves_tags_alone() -> None:
    """Hangul inside attributes is never wrapped; Hangul in text is."""
    html = '<a title="한국 > 어" href="/x">서울 말</a> and 평양'
    assert mark_languages(html, "en") == (
        '<a title="한국 > 어" href="/x"><span lang="ko">서울 말</span></a> and <span lang="ko">평양</span>'
    )
    assert mark_languages(html, "ko") == html
    assert mark_languages(html, "ko-KR") == html


TOKENS = st.sampled_from([*"ab 한국어서울<>&\"'=/", "<b>", "</b>", '<a href="한">', "</a>", "&amp;"])
TEXT = st.lists(TOKENS, max_size=30).map("".join)


@settings(max_examples=250, deadline=None)
@given(TEXT)
def test_mark_languages_only_adds_spans(html: str) -> None:
    """Removing the added spans gives back the input exactly, whatever the input."""
    marked = mark_languages(html, "en")
    assert marked.replace('<span lang="ko">', "").replace("</span>", "") == html


@settings(max_examples=250, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=6), max_size=12))
def test_headings_never_skip_a_level(levels: list[int]) -> None:
    """Whatever the body's levels, the result starts at h2 and never jumps more than one."""
    html = "".join(f"<h{n}>t</h{n}>" for n in levels)
    out = [int(n) for n in re.findall(r"<h(\d)>", headings_in_order(html))]
    closing = [int(n) for n in re.findall(r"</h(\d)>", headings_in_order(html))]
    assert out == closing
    for before, after in itertools.pairwise([1, *out]):
        assert 2 <= after <= before + 1


def test_a_page_digest_follows_what_the_objects_on_it_say() -> None:
    """An object many pages show is hashed once a build and pages take its hash: a page's
    digest still changes when such an object says something else, and is the same for an
    equal object made again (as the next build makes it)."""
    import dataclasses
    import datetime as dt

    from builder.render import Card, PageReuse

    card = Card(
        "a", "/statements/a/", "Title", dt.date(2024, 3, 2), "Gazette", "/g/", "statement", None, "", "en"
    )
    reuse = PageReuse({}, None)
    first = reuse.digest("entities/x/", "entity.html", None, {"items": [card], "n": 1})
    assert reuse.digest("entities/x/", "entity.html", None, {"items": [card], "n": 1}) == first
    again = PageReuse({}, None)  # the next build: equal cards, other objects
    assert (
        again.digest("entities/x/", "entity.html", None, {"items": [dataclasses.replace(card)], "n": 1})
        == first
    )
    retitled = dataclasses.replace(card, title="Another title")
    assert reuse.digest("entities/x/", "entity.html", None, {"items": [retitled], "n": 1}) != first
    assert reuse.digest("entities/x/", "entity.html", None, {"items": [card, card], "n": 1}) != first


def test_a_day_page_lists_a_statement_once_though_its_dateline_names_the_day(tmp_path: Path) -> None:
    """A statement whose text names its own day ("Pyongyang, April 10") is issued that day,
    not also "mentioned in"; another day it names lists it under "Mentioned in"."""
    root = write_archive(
        tmp_path / "a",
        {
            **ENTITIES,
            "content/statements/2024/own-2024-04-10.md": (
                "---\ntitle: Dateline statement\ndate: 2024-04-10\nsource: gazette\n---\n"
                "Port Tessin, April 10. The council met on April 8.\n"
            ),
        },
    )
    site = build(root)
    own = (site / "dates/2024/04/10/index.html").read_text()
    assert own.count('href="/statements/own-2024-04-10/"') == 1
    assert "No statement in the archive mentions this day." in own
    earlier = (site / "dates/2024/04/08/index.html").read_text()
    assert "No statement in the archive was issued this day." in earlier
    assert earlier.count('href="/statements/own-2024-04-10/"') == 1
    calendar = (site / "dates/2024/04/index.html").read_text()
    cell = re.search(r'<a href="/dates/2024/04/10/">.*?</a>', calendar).group()
    assert '1<span class="visually-hidden"> issued' in cell and "mentioned" not in cell


def test_a_right_to_left_statement_is_marked_so_and_the_page_s_own_words_are_not(tmp_path: Path) -> None:
    """An Arabic statement reads right to left (dir="rtl" beside its lang), the page's own
    words inside it left to right, in an English archive and in an Arabic one alike: the
    theme's words are English, so the page itself runs left to right."""
    statement = (
        "---\ntitle: بيان وزارة الخارجية\ndate: 2024-04-10\nsource: gazette\nlanguage: ar\n"
        "summary: An English summary.\nannotations:\n  - quote: بيانا\n    note: An English note.\n"
        "---\nأصدرت الوزارة بيانا.\n"
    )
    root = write_archive(tmp_path / "a", {**ENTITIES, "content/statements/2024/ar-2024-04-10.md": statement})
    page = (build(root) / "statements/ar-2024-04-10/index.html").read_text()
    assert '<html lang="en">' in page
    assert '<article class="statement" lang="ar" dir="rtl">' in page
    assert '<p class="summary editor-summary" lang="en" dir="ltr">' in page
    assert '<aside class="annotation" lang="en" dir="ltr" id="note-1"' in page
    arabic = write_archive(
        tmp_path / "b",
        {**ENTITIES, "content/statements/2024/ar-2024-04-10.md": statement},
        site_yaml="title: T\nbase_url: https://x.org/\nlanguage: ar\n",
    )
    page = (build(arabic) / "statements/ar-2024-04-10/index.html").read_text()
    assert '<html lang="ar">' in page
    assert '<article class="statement" lang="ar" dir="rtl">' in page
    assert '<p class="kicker" dir="ltr">' in page
    assert '<aside class="annotation" id="note-1"' in page  # the editors' Arabic: right to left
    english = "content/statements/2024/en-2024-04-11.md"
    (arabic / english).write_text(
        "---\ntitle: An English statement\ndate: 2024-04-11\nsource: gazette\nlanguage: en\n"
        "annotations:\n  - quote: statement\n    note: ملاحظة المحررين.\n---\nAn English statement.\n"
    )
    page = (build(arabic) / "statements/en-2024-04-11/index.html").read_text()
    assert '<aside class="annotation" lang="ar" dir="rtl" id="note-1"' in page


@pytest.mark.parametrize(
    ("language", "rtl"),
    [
        ("ar", True),
        ("ar-EG", True),
        ("he", True),
        ("pa-Arab", True),
        ("sd-Deva", False),
        ("en", False),
        ("zh-Hant", False),
    ],
)
def test_a_language_runs_right_to_left_by_its_script_subtag_else_by_itself(language: str, rtl: bool) -> None:
    """Punjabi in Arabic script runs right to left, Sindhi in Devanagari left to right."""
    from builder.render import right_to_left

    assert right_to_left(language) is rtl
