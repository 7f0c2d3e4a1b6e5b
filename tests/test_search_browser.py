"""The readers' search page in a real headless Chromium: typing, filters, sort, history, Korean, no-JS.

A fixture archive is built with the real `archive build` pipeline (search included) for the
base URL http://127.0.0.1/archive/ and served from that subpath by a threaded http.server,
as GitHub Pages serves project sites.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import textwrap
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from builder import reader_search
from builder.build import build

from .browser import ARGS

BASE = "/archive/"

SITE_YAML = """\
title: Search Test Archive
base_url: http://127.0.0.1/archive/
language: en
"""

ARCHIVE = {
    "content/entities/valdoria.md": """\
        ---
        name: Valdoria
        type: country
        aliases: [Republic of Valdoria, Valdorian Union]
        ---
        A coastal state.
        """,
    "content/entities/port-mira.md": """\
        ---
        name: Port Mira
        type: place
        ---
        A harbour city.
        """,
    "content/entities/ministry.md": """\
        ---
        name: Foreign Ministry
        type: publication
        ---
        The ministry of foreign affairs.
        """,
    "content/entities/agency.md": """\
        ---
        name: News Agency
        type: publication
        ---
        The state news agency.
        """,
    "content/entities/spokesperson.md": """\
        ---
        name: Chief Spokesperson
        type: person
        ---
        Speaks for the ministry.
        """,
    "content/statements/rail-2019-11-17.md": """\
        ---
        title: Railroad agreement signed in Port Mira
        date: 2019-11-17
        source: ministry
        kind: statement
        speaker: spokesperson
        ---
        The two governments signed the railroad agreement at Port Mira. Valdoria welcomed it.
        """,
    "content/statements/harbour-2019-11-20.md": """\
        ---
        title: Port Mira harbour works in Port Mira
        date: 2019-11-20
        source: ministry
        kind: statement
        ---
        Port Mira dredges the Port Mira harbour, and Port Mira grows: the works at Port Mira go on.
        """,
    "content/statements/greets-2019-11-21.md": """\
        ---
        title: Kim Jong Un greets the youth league
        date: 2019-11-21
        source: agency
        kind: report
        ---
        Kim Jong Un sent greetings to the youth league. Kim Jong Un praised the young people of the youth league.
        """,
    "content/statements/press-2019-11-22.md": """\
        ---
        title: Press statement on the talks
        date: 2019-11-22
        source: agency
        kind: statement
        ---
        Kim Yo Jong said the talks were over.
        """,
    "content/statements/vote-2020-02-01.md": """\
        ---
        title: Commentary on the railroaded resolution
        date: 2020-02-01
        source: agency
        kind: commentary
        ---
        The resolution was railroaded through the assembly, the commentary says.
        """,
    "content/statements/talks-2018-05-03.md": """\
        ---
        title: Early railroad talks
        date: 2018-05-03
        source: ministry
        kind: statement
        ---
        Talks about a railroad between the two coasts began in spring.
        """,
    "content/statements/quota-2019-06-10.md": """\
        ---
        title: Fishing quota statement
        date: 2019-06-10
        source: agency
        kind: statement
        ---
        Valdoria, Valdoria and again Valdoria: the quota for the fleet of Valdoria is unfair to Valdoria.
        The Valdorian Union and the Republic of Valdoria are named here too.
        """,
    "content/statements/ko-2021-03-04.md": """\
        ---
        title: 외무성 대변인 담화
        date: 2021-03-04
        source: agency
        kind: statement
        language: ko
        ---
        서울은 오늘 회담을 거부하였다. 조선중앙통신은 담화를 전했다.
        """,
    "content/statements/hostile-2017-01-01.md": """\
        ---
        title: Notes on tungsten exports
        date: 2017-01-01
        source: agency
        kind: report
        ---
        The report quotes `<img src=x onerror="window.__xss=1">` and `<script>window.__xss=2</script>` verbatim.
        """,
    "content/entities/proto.md": """\
        ---
        name: __proto__
        type: person
        ---
        A hostile name for a speaker.
        """,
    "content/statements/metal-2016-03-03.md": """\
        ---
        title: Metals trade
        date: 2016-03-03
        source: agency
        kind: report
        speaker: proto
        ---
        Tungsten, tungsten and tungsten again: the word appears three times in this body.
        """,
}


def write_archive(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for rel, text in ARCHIVE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def build_served_site(folder: Path, shards: int = 1) -> Path:
    """Build the fixture archive into folder/archive/, so that folder is the web server's root.

    With shards=2 the index is cut in two, as a large archive's is (shards of one
    statement at least, doubled until two hold the archive): every test then also checks
    that search.js merges the shards' results, counts and orders."""
    archive = write_archive(folder / "source")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader_search, "SHARD_STATEMENTS", 1 if shards > 1 else 10_000)
        build(archive, folder / "served" / BASE.strip("/"))
    manifest = json.loads((folder / "served" / BASE.strip("/") / "pagefind" / "shards.json").read_text())
    assert len(manifest["shards"]) == shards
    return folder / "served"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    sent: ClassVar[Counter[str]] = Counter()  # files sent in full (not "304 Not Modified"), by path

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if str(code) == "200":
            self.sent[self.path.split("?")[0]] += 1

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module", params=[1, 2], ids=["one shard", "two shards"])
def served(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[str]:
    root = build_served_site(tmp_path_factory.mktemp("search-site"), shards=request.param)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium found (install Debian's `chromium` package to run the browser tests)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    try:
        yield page
    finally:
        context.close()


def titles(page) -> list[str]:
    return page.locator("#search-results li h3").all_inner_texts()


def wait_status(page, starts: str) -> str:
    """Wait until the live status line starts with `starts`; return it."""
    page.wait_for_function(
        "(starts) => document.getElementById('search-status').textContent.startsWith(starts)", arg=starts
    )
    return page.locator("#search-status").inner_text()


def box(page, group: str, value: str):
    return page.locator(f'#search-filter-groups input[name="{group}"][value="{value}"]')


def open_search(page, served: str, query: str = "") -> None:
    page.goto(f"{served}{BASE}search/{query}")


def test_typing_a_query_shows_the_matching_statements(page, served):
    """Typing a word lists the statements that contain it (stemmed), with date, source and a marked excerpt."""
    open_search(page, served)
    page.fill("#search-q", "railroad")
    assert wait_status(page, "3 results") == "3 results for “railroad”."
    found = titles(page)
    assert set(found) == {
        "Railroad agreement signed in Port Mira",
        "Commentary on the railroaded resolution",
        "Early railroad talks",
    }
    card = page.locator("#search-results li", has_text="Commentary on the railroaded")
    assert card.locator("mark").first.inner_text() == "railroaded"
    assert "1 February 2020 · News Agency · commentary" in card.locator(".meta").inner_text()
    assert "q=railroad" in page.url
    assert page.errors == []


def test_pagefind_runtime_is_downloaded_once_however_many_shards(page, served):
    """Every shard searches with the one WebAssembly file (and the one pagefind.js) of the
    bundle's root: the server sends each once (a second request is answered from the
    browser's cache or revalidated), and the results come from every shard."""
    _QuietHandler.sent.clear()
    open_search(page, served, "?q=railroad")
    assert wait_status(page, "3 results") == "3 results for “railroad”."
    page.wait_for_load_state("networkidle")
    runtime = {
        path: count
        for path, count in _QuietHandler.sent.items()
        if path.endswith((".pagefind", "pagefind.js", "pagefind-worker.js"))
    }
    bundle = f"{BASE}pagefind/"
    assert runtime == {
        f"{bundle}wasm.en.pagefind": 1,
        f"{bundle}pagefind.js": 1,
        f"{bundle}pagefind-worker.js": 1,
    }
    assert page.errors == []


def test_a_filter_narrows_the_list_and_goes_into_the_url(page, served):
    """Ticking a kind in the filters leaves only statements of that kind, and the URL records it."""
    open_search(page, served, "?q=railroad")
    wait_status(page, "3 results")
    page.click("#search-filters summary")
    box(page, "kind", "commentary").check()
    wait_status(page, "1 result for “railroad” with the chosen filters")
    assert titles(page) == ["Commentary on the railroaded resolution"]
    assert "kind=commentary" in page.url
    assert box(page, "kind", "statement").is_visible()  # other kinds stay offered
    assert box(page, "kind", "statement").locator("xpath=..").inner_text() == "statement (2)"
    box(page, "kind", "statement").check()
    wait_status(page, "3 results")
    box(page, "source", "Foreign Ministry").check()
    wait_status(page, "2 results")
    assert set(titles(page)) == {"Railroad agreement signed in Port Mira", "Early railroad talks"}


def test_a_value_named_like_an_object_s_own_key_is_offered_and_counted(page, served):
    """A speaker named "__proto__" (content is hostile) is a filter like any other: the
    counts are kept in objects without a prototype."""
    open_search(page, served, "?q=tungsten")
    wait_status(page, "2 results")
    page.click("#search-filters summary")
    assert box(page, "speaker", "__proto__").locator("xpath=..").inner_text() == "__proto__ (1)"


def test_sorting_by_date_orders_newest_or_oldest_first(page, served):
    """The order menu lists results newest first or oldest first, and the URL keeps the choice."""
    open_search(page, served, "?q=railroad")
    wait_status(page, "3 results")
    page.select_option("#search-sort", "newest")
    page.wait_for_url("**sort=newest**")
    wait_status(page, "3 results")
    assert titles(page) == [
        "Commentary on the railroaded resolution",
        "Railroad agreement signed in Port Mira",
        "Early railroad talks",
    ]
    page.select_option("#search-sort", "oldest")
    page.wait_for_url("**sort=oldest**")
    page.wait_for_function(
        "() => document.querySelector('#search-results h3')?.textContent === 'Early railroad talks'"
    )
    assert titles(page)[-1] == "Commentary on the railroaded resolution"


def test_following_a_result_and_coming_back(page, served):
    """A result links to its statement page under /archive/; Back returns to the same results."""
    open_search(page, served, "?q=railroad&sort=oldest")
    wait_status(page, "3 results")
    link = page.get_by_role("link", name="Early railroad talks")
    assert link.get_attribute("href") == "/archive/statements/talks-2018-05-03/"
    link.click()
    page.wait_for_url("**/archive/statements/talks-2018-05-03/")
    assert "Early railroad talks" in page.locator("h1").inner_text()
    page.go_back()
    wait_status(page, "3 results")
    assert titles(page)[0] == "Early railroad talks"
    assert page.input_value("#search-q") == "railroad"


def test_reloading_or_sharing_the_url_gives_the_same_results(page, served):
    """The URL alone (query, filters, sort) reproduces the search in a fresh page."""
    open_search(page, served)
    page.fill("#search-q", "railroad")
    wait_status(page, "3 results")
    page.select_option("#search-sort", "newest")
    page.wait_for_url("**sort=newest**")
    wait_status(page, "3 results")
    before = titles(page)
    shared = page.url
    page.reload()
    wait_status(page, "3 results")
    assert titles(page) == before
    other = page.context.new_page()
    other.goto(shared)
    wait_status(other, "3 results")
    assert titles(other) == before
    assert other.input_value("#search-sort") == "newest"


def test_back_and_forward_step_through_searches(page, served):
    """Each submitted search is a history entry: Back and Forward restore query and results."""
    open_search(page, served)
    page.fill("#search-q", "quota")
    page.press("#search-q", "Enter")
    wait_status(page, "1 result for “quota”")
    page.fill("#search-q", "railroad")
    page.press("#search-q", "Enter")
    wait_status(page, "3 results for “railroad”")
    page.go_back()
    wait_status(page, "1 result for “quota”")
    assert page.input_value("#search-q") == "quota"
    page.go_forward()
    wait_status(page, "3 results for “railroad”")


def test_back_returns_to_the_search_before_one_typed_and_waited_for(page, served):
    """A reader who types a new query and waits for its live results before pressing Enter
    (or never presses it) still gets Back to the previous search: typing updates its own
    history entry, never the finished search's."""
    open_search(page, served)
    page.fill("#search-q", "quota")
    page.press("#search-q", "Enter")
    wait_status(page, "1 result for “quota”")
    page.fill("#search-q", "railroad")
    wait_status(page, "3 results for “railroad”")  # the live results: the typing delay is over
    page.wait_for_url("**q=railroad**")
    page.press("#search-q", "Enter")
    page.go_back()
    wait_status(page, "1 result for “quota”")
    assert page.input_value("#search-q") == "quota"
    page.go_forward()
    wait_status(page, "3 results for “railroad”")


def test_korean_word_finds_the_text_with_a_particle_attached(page, served):
    """서울 finds the statement whose text says 서울은, and 전하다 finds 전했다."""
    open_search(page, served, "?q=서울")
    wait_status(page, "1 result")
    assert titles(page) == ["외무성 대변인 담화"]
    assert page.locator("#search-results mark").first.inner_text() == "서울은"
    open_search(page, served, "?q=전하다")
    wait_status(page, "1 result")
    assert titles(page) == ["외무성 대변인 담화"]


def test_entity_page_comes_first_for_its_name_and_alias(page, served):
    """Searching an entity's name or one of its aliases puts its page at the top, marked as an
    entity, also above a statement with the name in its title and many times in its text."""
    for query, name in [(q, "Valdoria") for q in ("Valdoria", "Republic of Valdoria", "Valdorian Union")] + [
        ("Port Mira", "Port Mira")
    ]:
        open_search(page, served, f"?q={query}")
        wait_status(page, "")
        page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0")
        first = page.locator("#search-results li").first
        assert first.locator("h3").inner_text() == name, query
        assert first.locator(".meta").inner_text().startswith("Entity")


def test_the_words_of_a_name_together_come_before_the_same_words_apart(page, served):
    """ "Kim Yo Jong": Pagefind also reads "Yo" as the start of "youth" and "young", so a
    statement about Kim Jong Un and a youth league matches too, and by its title would rank
    first; the statement that names Kim Yo Jong comes first."""
    open_search(page, served, "?q=Kim Yo Jong")
    wait_status(page, "")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0")
    assert titles(page)[0] == "Press statement on the talks"
    open_search(page, served, "?q=Kim Yo Jong&sort=oldest")  # a date order is one list
    wait_status(page, "")
    page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 1")
    listed = titles(page)
    assert listed.index("Kim Jong Un greets the youth league") < listed.index("Press statement on the talks")


def test_title_words_weigh_more_than_body_words(page, served):
    """A statement with the word in its title ranks above one repeating it in the body."""
    open_search(page, served, "?q=tungsten")
    wait_status(page, "2 results")
    assert titles(page) == ["Notes on tungsten exports", "Metals trade"]


def test_hostile_text_in_results_stays_text(page, served):
    """Markup quoted in a statement is shown as text in titles and excerpts, never run or rendered."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # not "onerror": Pagefind answers a word missing from an index with pages whose title
    # has a word it starts with ("on"), so a shard without it would add such a page
    open_search(page, served, "?q=verbatim")
    wait_status(page, "1 result")
    excerpt = page.locator("#search-results .excerpt").first
    assert '<img src=x onerror="window.__xss=1">' in excerpt.inner_text()
    assert page.locator("#search-results img, #search-results script").count() == 0
    assert page.evaluate("() => window.__xss") is None
    assert dialogs == []


def test_without_javascript_the_page_says_so_and_points_to_browsing(browser, served):
    """With JavaScript off the page explains that search needs it and links to the browse pages."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{served}{BASE}search/?q=railroad")
        message = page.locator("#search-nojs")
        assert message.is_visible()
        assert "needs JavaScript" in message.inner_text()
        hrefs = {a.get_attribute("href") for a in message.locator("a").all()}
        assert hrefs == {"/archive/statements/", "/archive/dates/", "/archive/entities/"}
        assert not page.locator("#search").is_visible()
    finally:
        context.close()


def test_header_search_box_leads_to_the_search_page(page, served):
    """The search box in every page's header opens the search page with the query already run."""
    page.goto(f"{served}{BASE}statements/rail-2019-11-17/")
    page.fill("#site-search", "railroad")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/archive/search/?q=railroad")
    wait_status(page, "3 results")


def test_filters_work_from_the_keyboard(page, served):
    """The filter panel opens and its boxes tick with the keyboard alone; results follow."""
    open_search(page, served, "?q=railroad")
    wait_status(page, "3 results")
    page.focus("#search-filters summary")
    page.keyboard.press("Enter")
    commentary = box(page, "kind", "commentary")
    commentary.wait_for()
    commentary.focus()
    page.keyboard.press("Space")
    wait_status(page, "1 result")
    assert page.evaluate("() => document.activeElement.value") == "commentary"  # focus survives the re-render


def test_missing_index_gives_a_message_not_a_broken_page(page, served):
    """When the index cannot be loaded (a build with --no-search), the page says search is unavailable."""
    page.route("**/pagefind/**", lambda route: route.abort())
    open_search(page, served, "?q=railroad")
    assert "Search is not available" in wait_status(page, "Search is not available")
    assert page.locator("#search-results li").count() == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_results_and_filters_pass_axe(browser, served, scheme):
    """The page with results and open filters has no WCAG 2.2 AA violations axe can find, light or dark."""
    axe_module = pytest.importorskip(
        "axe_playwright_python.sync_playwright", reason="axe-playwright-python missing"
    )
    page = browser.new_page(color_scheme=scheme)
    try:
        open_search(page, served, "?q=railroad&kind=statement")
        wait_status(page, "2 results")
        page.wait_for_selector("#search-filter-groups fieldset")
        tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
        result = axe_module.Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
        assert [v["id"] for v in result.response["violations"]] == []
    finally:
        page.close()


def test_no_content_security_policy_violations(page, served):
    """Search runs under the page's CSP (no inline script, WebAssembly allowed): nothing is blocked."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text) if message.type == "error" else None)
    open_search(page, served, "?q=railroad")
    wait_status(page, "3 results")
    page.click("#search-filters summary")
    page.wait_for_selector("#search-filter-groups fieldset")
    assert [m for m in messages if "Content Security Policy" in m or "Refused" in m] == []


def test_function_words_do_not_change_the_results(page, served):
    """'the railroad of' finds what 'railroad' finds (function words are not sent to the index)."""
    open_search(page, served, "?q=the railroad of")
    assert wait_status(page, "3 results") == "3 results for “the railroad of”."
    open_search(page, served, "?q=the")  # only function words: searched as typed
    page.wait_for_function(
        "() => /results? for “the”/.test(document.getElementById('search-status').textContent)"
    )
    assert page.errors == []
