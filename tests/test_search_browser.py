"""The readers' search page in a real headless Chromium: typing, filters, sort, history, Korean, no-JS.

The site is served from a subpath (/archive/) by a threaded http.server, as GitHub Pages
serves project sites. The page is templates/search.html rendered through Jinja (with a stub
base.html carrying the real page's CSP), plus search.js and the real Pagefind bundle made by
builder.reader_search from records written here.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from builder.reader_search import write_reader_index
from builder.searchdocs import SearchRecord

PROJECT = Path(__file__).resolve().parents[1]
THEME = PROJECT / "templates"
BASE = "/archive/"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The lead's base.html is the real frame; this stub keeps what search.html relies on: the
# blocks, the header search form and the page's Content-Security-Policy.
BASE_STUB = """<!doctype html>
<html lang="{{ site.language }}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'">
<title>{% block title %}{{ site.title }}{% endblock %}</title>
<link rel="stylesheet" href="{{ asset('style.css') }}">
{% block head %}{% endblock %}
</head>
<body>
<header><form role="search" action="{{ url('search/') }}" method="get">
<label for="site-search">Search the archive</label>
<input id="site-search" type="search" name="q"><button type="submit">Search</button></form></header>
<main id="main">{% block main %}{% endblock %}</main>
{% block scripts %}{% endblock %}
</body>
</html>
"""

PAGE_STUB = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1></body></html>"""


def record(id: str, title: str, date: str | None, text: str, **fields: object) -> SearchRecord:
    page = "entity" if date is None else "statement"
    values: dict = {
        "id": id,
        "page": page,
        "url": f"{BASE}{'entities' if page == 'entity' else 'statements'}/{id}/",
        "title": title,
        "date": date,
        "year": date[:4] if date else None,
        "source_id": "",
        "source": "",
        "kind": "",
        "speaker": "",
        "entities": (),
        "entity_names": (),
        "aliases": (),
        "language": "en",
        "text": text,
        "summary": "",
        "content_hash": "",
    }
    values.update(fields)
    return SearchRecord(**values)


def statement(id: str, title: str, date: str, text: str, *, source: str, kind: str, speaker: str = "",
              entities: tuple[str, ...] = (), **fields: object) -> SearchRecord:
    return record(
        id, title, date, text, source_id=source.lower().replace(" ", "-"), source=source, kind=kind,
        speaker=speaker, entities=tuple(e.lower() for e in entities), entity_names=entities, **fields,
    )


RECORDS = [
    statement("rail-2019", "Railroad agreement signed in Port Mira", "2019-11-17",
              "The two governments signed the railroad agreement at Port Mira. Valdoria welcomed it.",
              source="Foreign Ministry", kind="statement", speaker="Spokesperson", entities=("Valdoria",)),
    statement("rail-2020", "Commentary on the railroaded resolution", "2020-02-01",
              "The resolution was railroaded through the assembly, the commentary says.",
              source="News Agency", kind="commentary", entities=("Valdoria",)),
    statement("rail-2018", "Early railroad talks", "2018-05-03",
              "Talks about a railroad between the two coasts began in spring.",
              source="Foreign Ministry", kind="statement"),
    statement("fish-2019", "Fishing quota statement", "2019-06-10",
              "Valdoria, Valdoria and again Valdoria: the quota for the Valdoria fleet is unfair to Valdoria.",
              source="News Agency", kind="statement", entities=("Valdoria",)),
    statement("ko-2021", "외무성 대변인 담화", "2021-03-04",
              "서울은 오늘 회담을 거부하였다. 조선중앙통신은 담화를 전했다.",
              source="News Agency", kind="statement", language="ko"),
    statement("hostile-2017", "Hostile text <b>test</b>", "2017-01-01",
              'A plain text that says <img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script> tungsten.',
              source="News Agency", kind="report"),
    record("valdoria", "Valdoria", None, "A coastal state.", aliases=("Republic of Valdoria", "Valdorian Union"),
           entities=("valdoria",), entity_names=("Valdoria",)),
    record("port-mira", "Port Mira", None, "A harbour city.", entities=("port-mira",), entity_names=("Port Mira",)),
]


def build_tiny_site(root: Path, records: list[SearchRecord] = RECORDS) -> Path:
    """A served folder holding /archive/: the search page, stub pages and the Pagefind bundle."""
    site = root / BASE.strip("/")
    stub = root / "stub-templates"
    stub.mkdir(parents=True, exist_ok=True)
    (stub / "base.html").write_text(BASE_STUB, encoding="utf-8")
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(stub), jinja2.FileSystemLoader(THEME)]),
        autoescape=True,
    )
    url = lambda rel="": BASE + rel.lstrip("/")  # noqa: E731
    html = env.get_template("search.html").render(
        site={"title": "Test Archive", "language": "en"}, url=url, asset=lambda name: url("static/" + name)
    )
    (site / "search").mkdir(parents=True, exist_ok=True)
    (site / "search" / "index.html").write_text(html, encoding="utf-8")
    (site / "static").mkdir(exist_ok=True)
    for name in ("search.js", "search.css", "style.css"):
        shutil.copy(THEME / "static" / name, site / "static" / name)
    for rec in records:
        page = site / rec.url[len(BASE):] / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(PAGE_STUB.format(title=jinja2.utils.markupsafe.escape(rec.title)), encoding="utf-8")
    write_reader_index(records, site, base_path=BASE)
    return root


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = build_tiny_site(tmp_path_factory.mktemp("served"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
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
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
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


def titles(page: object) -> list[str]:
    return page.locator("#search-results li h3").all_inner_texts()  # type: ignore[attr-defined]


def wait_results(page: object) -> None:
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => { const s = document.getElementById('search-status').textContent; return /result/.test(s); }"
    )


def test_typing_a_query_shows_the_matching_statement(page, served):
    """Typing a word lists the statements that contain it (stemmed), with date, source and a marked excerpt."""
    page.goto(f"{served}{BASE}search/")
    page.fill("#search-q", "railroad")
    wait_results(page)
    found = titles(page)
    assert "Railroad agreement signed in Port Mira" in found
    assert "Commentary on the railroaded resolution" in found
    first = page.locator("#search-results li").first
    assert first.locator("mark").count() >= 1
    assert page.locator("#search-status").inner_text().startswith("3 results")
    assert "q=railroad" in page.url
    assert page.errors == []
