"""Hostile content never runs in a reader's browser: pages, feeds, search records, data files.

The hostile archive (tests/fixtures/hostile/) puts a payload in every value a content author
controls, and two hostile captures are imported into it. It is built once, with search, and
every output is read back with a real parser, never just grepped: no inline script, no event
handler, no script URL, no foreign frame or form, no JSON that closes its element. Chromium
then loads every page and runs the search, and nothing the content wrote may run.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.build import Stages, load_and_link, search_records_of
from builder.markup import render_markdown

from .conftest import PROJECT, data_text, run

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "hostile"
BASE = "/archive/"
SAFE_SCHEMES = ("http", "https", "mailto")
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "cite", "poster", "background",
    "srcset", "data", "ping", "manifest", "codebase", "longdesc", "usemap", "lowsrc", "dynsrc",
}  # fmt: skip
NEVER_ALLOWED = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base", "style", "math",
    "foreignobject", "use", "animate", "set", "animatetransform", "template", "portal", "textarea",
}  # fmt: skip
# What the sanitiser removes whole: none of these payloads may reach any text readers get.
DROPPED_PAYLOADS = (
    "body-script", "body-svg-script", "body-after-comment", "footnote'", "note-script",
    "gazette-description", "corp-svg", "note-close", "body-quote",
)  # fmt: skip


def scheme_of(url: str) -> str:
    """The scheme a browser reads (WHATWG URL): outer spaces and controls, tabs and newlines ignored."""
    cleaned = url.strip("".join(map(chr, range(33)))).replace("\t", "").replace("\n", "").replace("\r", "")
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else ""


class Dangers(HTMLParser):
    """Every construct in an HTML document that could run script or leave the page."""

    def __init__(self, site_path: str = BASE, whole_page: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.site_path = site_path
        self.whole_page = whole_page
        self.found: list[str] = []
        self.ids: list[str] = []
        self.json_blocks: list[str] = []
        self.csp: list[str] = []
        self.text: list[str] = []
        self._script: str | None = None
        self._svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in NEVER_ALLOWED:
            self.found.append(f"<{tag}>")
        if tag == "svg":
            self._svg_depth += 1
            if self._svg_depth == 1 and values.get("class") not in ("chart", "rank-bar"):
                self.found.append("<svg> not drawn by the site")
        if tag == "script":
            self._open_script(values)
        if tag == "meta" and values.get("http-equiv"):
            if values["http-equiv"].lower() == "content-security-policy":
                self.csp.append(values.get("content", ""))
            else:
                self.found.append(f"<meta http-equiv={values['http-equiv']}>")
        if tag == "form" and values.get("action") != self.site_path + "search/":
            self.found.append(f"<form action={values.get('action')!r}>")
        favicon = values.get("rel") == "icon" and values.get("href") == self.site_path + "static/favicon.svg"
        if (
            tag == "link"
            and values.get("rel") not in ("stylesheet", "canonical", "alternate")
            and not favicon
        ):
            self.found.append(f"<link rel={values.get('rel')!r}>")
        for name, value in values.items():
            self._check_attribute(tag, name, value)
        if "id" in values:
            self.ids.append(values["id"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "svg":
            self._svg_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg_depth = max(0, self._svg_depth - 1)
        if tag == "script" and self._script is not None:
            self.json_blocks.append(self._script)
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data
        else:
            self.text.append(data)

    def _open_script(self, values: dict[str, str]) -> None:
        if values.get("type") == "application/ld+json" and "src" not in values:
            self._script = ""
        elif not values.get("src", "").startswith(self.site_path + "static/"):
            self.found.append(f"<script> not from the site's static files: {values}")
        else:
            self._script = None

    def _check_attribute(self, tag: str, name: str, value: str) -> None:
        handler = name.startswith("on") or name in ("srcdoc", "style", "formaction")
        if handler or (name in URL_ATTRIBUTES and scheme_of(value) not in ("", *SAFE_SCHEMES)):
            self.found.append(f"{tag} {name}={value!r}")
        elif tag == "meta" and name == "content" and "url=" in value.lower():
            self.found.append(f"meta refresh {value!r}")


def dangers(html: str, whole_page: bool = True) -> Dangers:
    parser = Dangers(whole_page=whole_page)
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hostile archive with its captures imported, built with search into served/archive/."""
    folder = tmp_path_factory.mktemp("hostile")
    root = folder / "source"
    root.mkdir()
    shutil.copy(FIXTURE / "site.yaml", root / "site.yaml")
    shutil.copytree(FIXTURE / "content", root / "content")
    imports = FIXTURE / "imports"
    common = ("--root", str(root), "--source", "evil-gazette", "--quiet")
    assert run("import", str(imports / "hostile-capture.txt"), *common, "--year", "2024") == 0
    assert run("import", str(imports / "hostile-capture.html"), *common) == 0
    site = folder / "served" / "archive"
    assert run("build", "--root", str(root), "--out", str(site), "--quiet") == 0
    return root, site


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def feeds(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("feed.xml"))


def test_threat_model_names_every_untrusted_input() -> None:
    """SECURITY.md says what is trusted and names every untrusted input with its guarantee."""
    text = (PROJECT / "SECURITY.md").read_text(encoding="utf-8")
    trusted, _, untrusted = text.partition("## Not trusted")
    for name in ("templates", "site.yaml", "maintainers"):
        assert name in trusted, name
    for name in (
        "statement bodies",
        "front-matter values",
        "annotation",
        "entity names, aliases",
        "imported captures",
        "file names, ids, tags and capture paths",
        "Content-Security-Policy",
        "symbolic links",
        "max_file_bytes",
    ):
        assert name in untrusted, name


def test_the_hostile_content_reaches_the_pages(hostile: tuple[Path, Path]) -> None:
    """The payloads are really there, as text: the other checks are not vacuous."""
    _, site = hostile
    front = dangers((site / "statements/hostile-front-2024-01-03/index.html").read_text())
    text = "".join(front.text)
    assert "</script><script>window.__pwned='title'</script>" in text
    assert "Evil Gazette </script><script>window.__pwned='gazette-name'</script>" in text
    imported = list((site / "statements").glob("script-script-window-pwned-capture-title-*/index.html"))
    assert imported and "window.__pwned='capture-typed'" in "".join(dangers(imported[0].read_text()).text)
    assert len(html_pages(site)) > 25


def test_no_page_carries_markup_that_could_run(hostile: tuple[Path, Path]) -> None:
    """Every page: no inline or foreign script, event handler, script URL, frame, style or foreign form."""
    _, site = hostile
    problems = {}
    for page in html_pages(site):
        found = dangers(page.read_text(encoding="utf-8")).found
        if found:
            problems[page.relative_to(site).as_posix()] = found
    assert problems == {}


def test_content_cannot_take_the_page_s_own_ids(hostile: tuple[Path, Path]) -> None:
    """No id repeats on a page: content claiming #main or #note-1 gets no id at all."""
    _, site = hostile
    for page in html_pages(site):
        ids = dangers(page.read_text(encoding="utf-8")).ids
        assert len(ids) == len(set(ids)), (page, sorted(i for i in ids if ids.count(i) > 1))


def test_json_ld_cannot_close_its_element(hostile: tuple[Path, Path]) -> None:
    """JSON-LD holds no '<' at all, parses, and still says the hostile title exactly."""
    _, site = hostile
    blocks = 0
    for page in html_pages(site):
        for block in dangers(page.read_text(encoding="utf-8")).json_blocks:
            assert "<" not in block and ">" not in block, page
            json.loads(block)
            blocks += 1
    assert blocks > 5
    front = dangers((site / "statements/hostile-front-2024-01-03/index.html").read_text()).json_blocks
    data = json.loads(front[0])
    assert data["name"].startswith("</script><script>window.__pwned='title'</script>")


def test_every_page_carries_a_csp_forbidding_inline_script(hostile: tuple[Path, Path]) -> None:
    """One Content-Security-Policy meta per page, before any script or style, without 'unsafe-inline'."""
    _, site = hostile
    for page in html_pages(site):
        html = page.read_text(encoding="utf-8")
        parser = dangers(html)
        assert len(parser.csp) == 1, page
        directives = {
            d.split()[0]: d.split()[1:] for d in (part.strip() for part in parser.csp[0].split(";")) if d
        }
        script_src = directives.get("script-src", directives.get("default-src"))
        assert script_src is not None and "'self'" in script_src, page
        for loose in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:", "blob:"):
            assert loose not in script_src, (page, loose)
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'self'"]
        assert "'unsafe-inline'" not in directives.get("style-src", [])
        csp_at = html.index('http-equiv="Content-Security-Policy"')
        for later in ("<script", "<style", '<link rel="stylesheet"', "<body"):
            assert html.find(later) == -1 or html.find(later) > csp_at, (page, later)


def test_feeds_are_well_formed_and_their_html_is_safe(hostile: tuple[Path, Path]) -> None:
    """feed.xml, entity and kind feeds parse as XML; titles keep the hostile text as text; HTML is safe."""
    _, site = hostile
    ns = {"a": "http://www.w3.org/2005/Atom"}
    paths = feeds(site)
    assert {p.relative_to(site).as_posix() for p in paths} >= {
        "feed.xml",
        "entities/evil-corp/feed.xml",
        "kinds/commentary/feed.xml",
    }
    titles = set()
    for path in paths:
        root = ET.parse(path).getroot()
        for element in root.iter():
            if element.get("type") == "html":
                assert dangers(element.text or "", whole_page=False).found == [], path
            for name in ("href", "src"):
                if element.get(name):
                    assert scheme_of(element.get(name)) in SAFE_SCHEMES, (path, element.get(name))
        titles |= {t.text for t in root.iterfind("a:entry/a:title", ns)}
    assert any(t.startswith("</script><script>window.__pwned='title'</script>") for t in titles)
    site_feed = (site / "feed.xml").read_text()
    assert all(payload not in site_feed for payload in ("body-script", "note-script", "footnote'"))


def test_search_records_are_plain_text(hostile: tuple[Path, Path]) -> None:
    """Statement records carry the visible text only: nothing the sanitiser dropped is searchable."""
    root, _ = hostile
    archive, links, _ = load_and_link(root, None, Stages())
    records = search_records_of(archive, links)
    statements = [r for r in records if r.page == "statement"]
    assert len(statements) == 4
    for record in statements:
        assert record.url.startswith(BASE + "statements/")
        for payload in DROPPED_PAYLOADS:
            assert payload not in record.text, (record.id, payload)
    front = next(r for r in statements if r.id == "hostile-front-2024-01-03")
    assert front.title == archive.statements[front.id].title  # a title is text, kept whole


def test_entity_search_text_is_what_the_page_shows(hostile: tuple[Path, Path]) -> None:
    """An entity's description is searched as its page shows it: nothing the sanitiser dropped."""
    root, _ = hostile
    archive, links, _ = load_and_link(root, None, Stages())
    for record in search_records_of(archive, links):
        if record.page == "entity":
            for payload in (*DROPPED_PAYLOADS, "gazette-img", "data:text"):
                assert payload not in record.text, (record.id, payload)


def test_summary_search_text_is_what_the_page_shows(hostile: tuple[Path, Path]) -> None:
    """A summary is searched as the page shows it, not as its source with markup dropped there."""
    root, _ = hostile
    archive, links, _ = load_and_link(root, None, Stages())
    front = next(r for r in search_records_of(archive, links) if r.id == "hostile-front-2024-01-03")
    for payload in ("summary-img", "summary-link", "window.__pwned='summary'"):
        assert payload not in front.summary, payload


def test_search_bundle_holds_the_records_as_data(hostile: tuple[Path, Path]) -> None:
    """The Pagefind bundle was written, and the hostile titles are in it only as JSON strings."""
    import gzip

    _, site = hostile
    fragments = sorted((site / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert len(fragments) == 7  # four statements, three entities
    titles = []
    for fragment in fragments:
        raw = gzip.decompress(fragment.read_bytes()).decode("utf-8")
        record = json.loads(raw[raw.index("{") :])
        titles.append(record["meta"]["title"])
    assert "Evil Gazette </script><script>window.__pwned='gazette-name'</script>" in titles


def test_data_exports_keep_hostile_text_as_data(hostile: tuple[Path, Path]) -> None:
    """JSON Lines, CSV, entities.json and the graphs parse back to the exact values; no CSV formula
    cell; no file a browser would sniff as HTML."""
    root, site = hostile
    data = site / "data"
    archive, _, _ = load_and_link(root, None, Stages())
    for files in ([data / "statements.jsonl"], sorted(data.glob("statements/*.jsonl.gz"))):
        records = [json.loads(line) for part in files for line in data_text(part).splitlines()]
        titles = {r["id"]: r["title"] for r in records}
        assert titles == {sid: s.title for sid, s in archive.statements.items()}
    entities = json.loads((data / "entities.json").read_text())["entities"]
    assert {e["id"]: e["name"] for e in entities} == {e.id: e.name for e in archive.entities.values()}
    graphs = [json.loads(part.read_text()) for part in data.glob("graph/*.json")]
    labels = {n["id"]: n["label"] for graph in graphs for n in graph["nodes"]}
    assert labels["entity:evil-corp"] == archive.entities["evil-corp"].name
    rows = []
    for part in [data / "statements.csv", *data.glob("statements/*.csv.gz")]:
        rows += list(csv.reader(io.StringIO(data_text(part), newline="")))
    assert len(rows) > 2 * len(titles)
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    for path in (p for p in data.rglob("*") if p.is_file()):
        assert path.read_bytes().lstrip()[:1] != b"<", path


def test_captures_are_served_as_text(hostile: tuple[Path, Path]) -> None:
    """The hostile HTML capture is published only as .html.txt, never as a page of the site."""
    _, site = hostile
    published = sorted(p.name for p in (site / "captures").rglob("*") if p.is_file())
    assert len(published) == 2
    assert all(name.endswith(".txt") for name in published)


# -- the sanitiser, for any input -----------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "<script>", "</script>", "<svg", "<math>", "<style>", "<iframe", "<img", "<a", "<p", "<div",
        "<object", "<embed", "<base", "<form", "<details", "<noscript>", "<template>", "<!--", "-->",
        "<![CDATA[", "]]>", " src=", " href=", " onerror=", " onload=", " style=", " xlink:href=",
        " srcdoc=", "javascript:", "JaVaScRiPt:", "java\tscript:", "data:text/html,", "vbscript:",
        "&#106;avascript:", "&#x6A;", "&colon;", ">", "/>", '"', "'", "`", "=", " ", "\n", "\n\n",
        "[x](", ")", "![i](", "{: ", " }", "#", ".", "*", "alert(1)", "x",
    ]
)  # fmt: skip


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "iframe", "svg", "math", "object", "embed", "base", "form"):
            self.bad.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc"):
                self.bad.append(f"{tag} {name}")
            if name in URL_ATTRIBUTES and scheme_of(value or "") not in ("", *SAFE_SCHEMES):
                self.bad.append(f"{tag} {name}={value}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(FRAGMENTS, max_size=40).map("".join), st.text(max_size=200)))
def test_sanitiser_output_never_holds_script(text: str) -> None:
    """Whatever text or HTML fragments it is given, render_markdown gives no script, style, frame,
    event handler or URL with a scheme other than http, https or mailto."""
    parser = Elements()
    parser.feed(render_markdown(text))
    parser.close()
    assert parser.bad == [], text


# -- a real browser -----------------------------------------------------------------------------

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));
window.alert = window.confirm = window.prompt = (m) => { window.__pwned = 'dialog: ' + m; };
"""
# Events an inline handler would answer to; dispatched to every element, so a surviving
# onmouseover or ontoggle would run even though nobody hovers.
PROVOKE = """
() => {
  for (const el of document.querySelectorAll('*')) {
    for (const type of ['mouseover', 'focus', 'toggle', 'error', 'load', 'animationstart']) {
      el.dispatchEvent(new Event(type));
    }
  }
  return [window.__pwned || null, window.__csp];
}
"""


def _visit(page, url: str) -> tuple[object, list[str]]:
    page.goto(url, wait_until="load")
    return tuple(page.evaluate(PROVOKE))


def _pages_to_visit(site: Path) -> Iterator[str]:
    for path in html_pages(site):
        rel = path.relative_to(site).as_posix()
        yield rel[: -len("index.html")] if rel.endswith("index.html") else rel
    for path in sorted((site / "captures").rglob("*.txt")):
        yield path.relative_to(site).as_posix()


def test_chromium_runs_no_hostile_script(hostile: tuple[Path, Path]) -> None:
    """Headless Chromium loads every page, capture and search result: no payload runs, no dialog
    opens, the CSP never has to block anything (no inline script even reached a page), and
    no request leaves the site (an image of another site would tell it who reads what)."""
    from .browser import chromium, serve_folder

    _, site = hostile
    with chromium() as browser, serve_folder(site.parent) as origin:
        context = browser.new_context()
        context.add_init_script(WATCH)
        page = context.new_page()
        elsewhere: list[str] = []  # a reader's visit is nobody else's business
        page.on("request", lambda r: None if r.url.startswith(origin) else elsewhere.append(r.url))
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        outcomes = {}
        for rel in _pages_to_visit(site):
            pwned, csp = _visit(page, origin + BASE.lstrip("/") + rel)
            if pwned or csp:
                outcomes[rel] = (pwned, csp)
        for query in ("pwned", "script", "Evil", "onerror", "harbour"):
            page.goto(f"{origin}archive/search/?q={query}")
            page.wait_for_function(
                "() => /result/.test(document.getElementById('search-status').textContent)"
            )
            assert page.locator("#search-results li").count() > 0, query
            assert (
                page.locator("#search-results script, #search-results img, #search-results svg").count() == 0
            )
            pwned, csp = page.evaluate(PROVOKE)
            if pwned or csp:
                outcomes[f"search {query}"] = (pwned, csp)
        context.close()
    assert outcomes == {}
    assert dialogs == []
    assert elsewhere == []
