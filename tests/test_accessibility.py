"""WCAG 2.2 AA in a real browser: axe-core on every page type, light and dark; phone, print, focus.

The demo archive is built once and served over HTTP as GitHub Pages would serve it; each
test drives headless Chromium through Playwright. Set UPDATE_SCREENSHOTS=1 to rewrite the
README's screenshots from this same browser.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import axe_violations, chromium, serve_folder
from .conftest import PROJECT, build, run, write_archive

STATEMENT = "statements/vfm-quota-resolution-2019-11-17/"
PAGES = {
    "home": "",
    "statement with annotations": STATEMENT,
    "Korean statement": "statements/weekly-ko-summit-2020-02-19/",
    "entity": "entities/valdoria/",
    "day": "dates/2019/11/17/",
    "month": "dates/2019/11/",
    "year": "dates/2019/",
    "search": "search/",
    "404": "404.html",
}
SCREENSHOTS = PROJECT / "docs" / "screenshots"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("a11y") / "demo"
    write_archive(root, {}, (PROJECT / "site.yaml").read_text())
    shutil.copytree(PROJECT / "content", root / "content")
    assert run("build", "--root", str(root), "--quiet") == 0, "the demo builds, with its search index"
    site = root / "_site"
    with serve_folder(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def open_all_details(tab: Any) -> None:
    tab.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


@pytest.mark.parametrize("name", list(PAGES))
def test_no_wcag_violations_light_or_dark(page: Any, base_url: str, name: str) -> None:
    """axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation in either scheme, every <details> open."""
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(base_url + PAGES[name])
        open_all_details(page)
        found[scheme] = axe_violations(page)
    assert found == {"light": [], "dark": []}


@pytest.mark.parametrize("name", ["month", "year", "search", "statement with annotations"])
def test_names_match_what_is_seen_and_landmarks_are_told_apart(page: Any, base_url: str, name: str) -> None:
    """A calendar day's link is named by its visible words ("17 November: 2 issued, 5
    mentioned" from "17 2 5"), and the header's and the search page's search forms by
    different names (axe-core's label-content-name-mismatch and landmark-unique)."""
    page.goto(base_url + PAGES[name])
    page.wait_for_load_state("networkidle")
    assert axe_violations(page, ["label-content-name-mismatch", "landmark-unique"]) == []
    if name == "month":
        link = page.locator('a[href$="/dates/2019/11/17/"]')
        assert link.get_attribute("aria-label") is None
        assert page.get_by_role("link", name="17 November: 1 issued, 3 mentioned", exact=True).count() == 1


def test_phone_width_has_no_horizontal_scrolling(browser: Any, base_url: str) -> None:
    """At 360 CSS pixels wide no page scrolls sideways."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    tab = context.new_page()
    try:
        for name, rel in {**PAGES, "about": "about/", "publication": "entities/tessin-herald/"}.items():
            tab.goto(base_url + rel)
            open_all_details(tab)
            widths = tab.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], (name, widths)
    finally:
        context.close()


def test_skip_link_is_first_and_visible_on_focus(page: Any, base_url: str) -> None:
    """The first Tab shows "Skip to the content" on screen with a focus outline; it leads to main."""
    page.goto(base_url + STATEMENT)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement; const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        return [el.textContent, el.getAttribute('href'), box.top >= 0 && box.bottom <= innerHeight,
                style.outlineStyle, parseFloat(style.outlineWidth)]; }"""
    )
    assert focused[:3] == ["Skip to the content", "#main", True]
    assert focused[3] != "none" and focused[4] >= 2
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_landmarks(page: Any, base_url: str) -> None:
    """One banner, one main, one contentinfo, and labelled navigation on a statement page."""
    page.goto(base_url + STATEMENT)
    counts = page.evaluate(
        """() => [document.querySelectorAll('body > header').length, document.querySelectorAll('main').length,
                  document.querySelectorAll('body > footer').length,
                  [...document.querySelectorAll('nav')].every(n => n.getAttribute('aria-label'))]"""
    )
    assert counts == [1, 1, 1, True]


def test_json_ld_is_data_not_blocked_script(page: Any, base_url: str) -> None:
    """The page's CSP blocks nothing: JSON-LD is a data block and cite.js a same-origin file."""
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(base_url + STATEMENT)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert not [m for m in messages if "Content Security Policy" in m]
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["@type"] == "Article" and data["datePublished"] == "2019-11-17"


def test_cite_script_fills_the_readers_access_date(page: Any, base_url: str) -> None:
    """In the browser the Chicago reference gets the reader's date of access, and copy buttons appear."""
    page.goto(base_url + STATEMENT)
    text = page.locator("#cite-chicago").inner_text()
    today = dt.date.today()
    assert f"Accessed {today:%B} {today.day}, {today.year}." in text
    assert page.locator("section.cite button.copy").count() == 3


def test_print_turns_annotations_into_numbered_notes(page: Any, base_url: str) -> None:
    """On paper the navigation goes, and each annotation is a numbered note under its paragraph."""
    page.goto(base_url + STATEMENT)
    page.emulate_media(media="print")
    state = page.evaluate(
        """() => { const notes = [...document.querySelectorAll('aside.annotation')];
        return { header: getComputedStyle(document.querySelector('.site-header')).display,
                 notes: notes.map(n => [getComputedStyle(n).display, getComputedStyle(n).float,
                                        n.querySelector('.note-number').textContent,
                                        getComputedStyle(n.querySelector('.permalink')).display]) }; }"""
    )
    assert state["header"] == "none"
    assert state["notes"] == [["block", "none", "a", "none"], ["block", "none", "b", "none"]]


def test_print_has_no_empty_heading_a_space_after_each_letter_and_each_url_once(
    page: Any, base_url: str
) -> None:
    """On paper: no "Link to an annotation" heading over nothing, "a. The council's…" with a
    space, and a link whose words are its URL (Permalink, Original) not followed by it again."""
    page.goto(base_url + STATEMENT)
    page.emulate_media(media="print")
    state = page.evaluate(
        """() => { const visible = el => el.getClientRects().length > 0;
        const number = document.querySelector('aside.annotation .note-number');
        const range = document.createRange();
        range.selectNodeContents(number.nextElementSibling);
        const metadata = [...document.querySelectorAll('.metadata dd a[href^="http"]')];
        return { headings: [...document.querySelectorAll('h2, h3')].filter(visible).map(h => h.textContent),
                 gap: range.getClientRects()[0].left - number.getBoundingClientRect().right,
                 after: metadata.map(a => [a.textContent, getComputedStyle(a, '::after').content]) }; }"""
    )
    assert "Link to an annotation" not in state["headings"]
    assert state["gap"] >= 3, state["gap"]
    assert state["after"][0][0] == "https://tessin-herald.example/2019/11/17/quota-statement"
    assert state["after"][1][0].endswith("/statements/vfm-quota-resolution-2019-11-17/")
    assert [after for _, after in state["after"]] == ["none", "none"]


NOTES_ARCHIVE = {
    "content/entities/gazette.md": "---\nname: North Wind Gazette\ntype: publication\n---\nA paper.\n",
    "content/statements/2024/notes-2024-03-02.md": """\
        ---
        title: Notes in the margin
        date: 2024-03-02
        source: gazette
        kind: statement
        annotations:
          - quote: fourth paragraph ends
            note: A note on the fourth paragraph.
          - quote: first paragraph
            note: A long note on the first paragraph. It runs on for a while so that it is taller than the short paragraph it explains, and the next note has to wait below it.
          - quote: second paragraph
            note: A note on the second paragraph.
          - quote: also in the first
            note: A second note on the first paragraph.
        ---
        The first paragraph is short, also in the first.

        The second paragraph is short.

        The third paragraph has no note, and it is long enough to wrap over a few lines at a desk: it says nothing more than that, at length, so that the margin beside it stays empty while the text goes on and on.

        The text of the fourth paragraph ends here,[^1] with a note on the words: fourth paragraph ends.

        [^1]: A footnote, numbered where the notes are lettered.
        """,
}


def note_places(tab: Any) -> list[dict[str, Any]]:
    """Each note in page order: its letter, its box, and the box of the block holding its passage."""
    return tab.evaluate(
        """() => [...document.querySelectorAll('aside.annotation')].map(note => {
            const link = note.querySelector('.note-number');
            const mark = document.querySelector(link.getAttribute('href'));
            const block = mark.closest('.statement-body > *').getBoundingClientRect();
            const box = note.getBoundingClientRect();
            return { label: link.textContent, top: box.top, bottom: box.bottom, left: box.left,
                     blockTop: block.top, blockBottom: block.bottom, blockRight: block.right }; })"""
    )


def check_margin_notes(places: list[dict[str, Any]], width: int) -> None:
    for above, below in itertools.pairwise(places):
        assert above["bottom"] <= below["top"], (above, below)  # in order, never overlapping
    for number, p in enumerate(places):
        if width < 1000:  # a phone: under the block that holds its passage, in the text column
            assert p["top"] >= p["blockBottom"] and p["left"] < p["blockRight"], p
            continue
        assert p["left"] >= p["blockRight"], p  # in the margin
        level = p["blockTop"] - 2 <= p["top"] <= p["blockBottom"]
        waits = number > 0 and p["top"] - places[number - 1]["bottom"] <= 20  # under a taller note
        assert level or waits, p


def test_margin_notes_sit_beside_their_passages(browser: Any, base_url: str, tmp_path: Path) -> None:
    """At a desk each note's top is level with the paragraph holding its passage (not the one
    after it), a note waits under a taller note rather than overlap it, and the margin reads
    a, b, c; on a phone each note comes under its paragraph."""
    root = write_archive(tmp_path / "notes", NOTES_ARCHIVE)
    with serve_folder(build(root)) as url:
        for width in (1280, 390):
            context = browser.new_context(viewport={"width": width, "height": 900})
            tab = context.new_page()
            tab.goto(base_url + STATEMENT)
            places = note_places(tab)
            assert [p["label"] for p in places] == ["a", "b"]
            check_margin_notes(places, width)
            tab.goto(url + "statements/notes-2024-03-02/")
            places = note_places(tab)
            assert [p["label"] for p in places] == ["a", "b", "c", "d"]
            check_margin_notes(places, width)
            if width == 1280:  # the first note is level with the top of its paragraph
                assert abs(places[0]["top"] - places[0]["blockTop"]) <= 2, places[0]
            context.close()


def test_dark_scheme_follows_the_system(page: Any, base_url: str) -> None:
    """prefers-color-scheme: dark gives a dark background and light text."""
    page.goto(base_url)
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark, text = page.evaluate(
        "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    )
    assert light != dark
    luminance = [sum(int(c) for c in re.findall(r"\d+", colour)[:3]) for colour in (dark, text)]
    assert luminance[0] < luminance[1]


def test_korean_text_is_announced_in_korean(page: Any, base_url: str) -> None:
    """The Korean statement's text is in an element whose language is ko; the page's own words are en."""
    page.goto(base_url + PAGES["Korean statement"])
    langs = page.evaluate(
        """() => [document.documentElement.lang,
                  document.querySelector('.statement-body p').closest('[lang]').lang,
                  document.querySelector('.statement-header .meta').closest('[lang]').lang]"""
    )
    assert langs == ["en", "ko", "en"]


def test_readme_screenshots(browser: Any, base_url: str) -> None:
    """README shows a statement and an entity page; UPDATE_SCREENSHOTS=1 remakes them here."""
    shots = {"statement.png": STATEMENT, "entity.png": "entities/valdoria/"}
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        tab = context.new_page()
        for name, rel in shots.items():
            tab.goto(base_url + rel)
            tab.screenshot(path=str(SCREENSHOTS / name))
        context.close()
    readme = (PROJECT / "README.md").read_text()
    for name in shots:
        assert (SCREENSHOTS / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert f"docs/screenshots/{name}" in readme, name


def long_archive(first: int = 2005) -> dict[str, str]:
    """One person named by a statement a year from `first` to 2024: a timeline of a bar a year."""
    files = {
        "content/entities/gazette.md": "---\nname: North Wind Gazette\ntype: publication\n---\nA paper.\n",
        "content/entities/sol.md": "---\nname: Sol Hyontae\ntype: person\n---\nA minister.\n",
    }
    for year in range(first, 2025):
        files[f"content/statements/{year}/s-{year}-05-01.md"] = (
            f"---\ntitle: Statement of {year}\ndate: {year}-05-01\nsource: gazette\nkind: statement\n"
            f"entities: [sol]\n---\nSol Hyontae spoke in {year}.\n"
        )
    return files


@pytest.mark.parametrize("first", [2005, 1997])
def test_timeline_labels_are_readable_and_apart(browser: Any, tmp_path: Path, first: int) -> None:
    """A timeline's year labels (twenty years, twenty-eight) are at least 11 px high, never
    touch and never stick out of the page, at a desk and on a phone; every bar's year is still
    in the text alternative."""
    site = build(write_archive(tmp_path / "long", long_archive(first)))
    with serve_folder(site) as url:
        for width in (1280, 390):
            context = browser.new_context(viewport={"width": width, "height": 900})
            tab = context.new_page()
            tab.goto(url + "entities/sol/")
            labels = tab.evaluate(
                """() => [...document.querySelectorAll('.chart-figure .chart-labels span span')].map(l => {
                    const r = document.createRange(); r.selectNodeContents(l);
                    const box = r.getBoundingClientRect();
                    return [l.textContent, box.left, box.right, parseFloat(getComputedStyle(l).fontSize)]; })"""
            )
            assert len(labels) >= 4, labels
            assert labels[0][0] == str(first)
            for left, right in itertools.pairwise(labels):
                assert left[2] + 4 <= right[1], (left, right)
            assert all(size >= 11 for *_, size in labels), labels
            edges = tab.evaluate(
                "() => { const r = document.querySelector('.chart-figure .bar-chart').getBoundingClientRect();"
                " return [r.left, r.right]; }"
            )
            assert labels[0][1] >= edges[0] - 0.5 and labels[-1][2] <= edges[1] + 0.5, (
                labels,
                edges,
            )  # none cut
            assert tab.evaluate("document.documentElement.scrollWidth") == width
            caption = tab.locator(".chart-figure figcaption").inner_text()
            assert all(str(year) in caption for year in range(first, 2025))
            context.close()


def test_note_letters_are_not_footnote_numbers_and_keep_lines_even(browser: Any, tmp_path: Path) -> None:
    """A note's marker looks and is named unlike a footnote's, and no marker makes its line
    taller: every paragraph is a whole number of lines high."""
    with serve_folder(build(write_archive(tmp_path / "notes", NOTES_ARCHIVE))) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.goto(url + "statements/notes-2024-03-02/")
        markers = tab.evaluate(
            """() => ['sup.note-ref a', 'a.footnote-ref'].map(s => { const a = document.querySelector(s);
                const style = getComputedStyle(a);
                return [a.textContent, a.getAttribute('aria-label') || a.textContent, style.fontFamily,
                        style.borderTopStyle]; })"""
        )
        note, footnote = markers
        assert note[:2] == ["a", "Annotation a"] and footnote[:2] == ["1", "1"]
        assert note[2] != footnote[2] and note[3] != footnote[3]
        lines = tab.evaluate(
            """() => [...document.querySelectorAll('.statement-body > p')].filter(p => p.querySelector('sup'))
                .map(p => [p.getBoundingClientRect().height, parseFloat(getComputedStyle(p).lineHeight)])"""
        )
        assert len(lines) >= 3
        for height, line in lines:
            assert abs(height / line - round(height / line)) < 0.05, (height, line)
        context.close()


def test_no_request_fails_and_the_search_placeholder_fits_a_phone(browser: Any, base_url: str) -> None:
    """A first visit asks for nothing missing (no /favicon.ico 404), and the header's search
    placeholder is shown whole in a 390-pixel-wide phone's box."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    failed: list[str] = []
    tab.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        for rel in ("", STATEMENT):
            tab.goto(base_url + rel)
            tab.wait_for_load_state("networkidle")
            fits = tab.evaluate(
                """() => { const input = document.getElementById('site-search'), style = getComputedStyle(input);
                const ctx = document.createElement('canvas').getContext('2d');
                ctx.font = `${style.fontSize} ${style.fontFamily}`;
                const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
                return [ctx.measureText(input.placeholder).width, room]; }"""
            )
            assert fits[0] <= fits[1], fits
        assert failed == []
    finally:
        context.close()
