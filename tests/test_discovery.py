"""Discovery: sitemap.xml, robots.txt, canonical links, Open Graph and Twitter meta, JSON-LD."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from builder import discovery
from builder.discovery import SitemapUrl, json_ld, sitemap_files

from .conftest import ENTITIES, STATEMENTS, build, write_archive

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://someone.github.io/archive/"
HOSTILE_TITLE = "</script><script>alert(1)</script><!-- & \u2028 \"quoted\" 'single'"

FILES = {
    **ENTITIES,
    **STATEMENTS,
    "content/entities/han.md": """\
        ---
        name: Han Min
        type: person
        wikidata: Q42
        ---
        An invented person.
        """,
    "content/statements/2024/hostile-2024-03-11.md": f"""\
        ---
        title: {json.dumps(HOSTILE_TITLE)}
        date: 2024-03-11
        source: gazette
        speaker: han
        entities: [han]
        retrieved: 2024-03-12
        summary: "A summary with <b>markup</b>."
        ---
        Han Min spoke of Arden.
        """,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_archive(tmp_path_factory.mktemp("discovery") / "a", FILES)
    return build(root, "--base-url", BASE)


def ld_blocks(page: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)


def test_sitemap_lists_pages_with_content_lastmod(site: Path) -> None:
    """sitemap.xml parses; statement pages carry lastmod from `retrieved`; URLs under base_url."""
    root = ET.fromstring((site / "sitemap.xml").read_bytes())
    urls = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.findall(f"{SM}url")}
    assert all(loc.startswith(BASE) for loc in urls)
    assert urls[BASE + "statements/hostile-2024-03-11/"] == "2024-03-12"
    assert urls[BASE + "statements/third-2024-03-10/"] == "2024-03-10"
    assert urls[BASE] == "2024-03-12"
    assert BASE + "entities/council/" in urls and BASE + "dates/2024/03/02/" in urls
    assert BASE + "search/" not in urls and BASE + "404.html" not in urls
    for loc in urls:
        rel = loc[len(BASE) :]
        assert (site / rel / "index.html").is_file() or (site / rel).is_file(), loc


def test_robots_names_the_sitemap(site: Path) -> None:
    """robots.txt allows crawling and gives the sitemap's absolute address."""
    robots = (site / "robots.txt").read_text()
    assert "User-agent: *" in robots
    assert f"Sitemap: {BASE}sitemap.xml" in robots


def test_canonical_open_graph_and_twitter_meta(site: Path) -> None:
    """A statement page names its canonical URL and describes itself to link previews."""
    page = (site / "statements/fees-2024-03-02/index.html").read_text()
    url = BASE + "statements/fees-2024-03-02/"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="Ministry comments on harbour fees">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert '<meta property="article:published_time" content="2024-03-02">' in page
    home = (site / "index.html").read_text()
    assert '<meta property="og:type" content="website">' in home


def test_statement_json_ld_is_an_article_with_entities(site: Path) -> None:
    """Statement JSON-LD parses: article type, dates, publisher, author, about with Wikidata sameAs."""
    page = (site / "statements/hostile-2024-03-11/index.html").read_text()
    (block,) = ld_blocks(page)
    data = json.loads(block)
    assert data["@type"] == "NewsArticle"
    assert data["name"] == HOSTILE_TITLE
    assert data["datePublished"] == "2024-03-11"
    assert data["dateModified"] == "2024-03-12"
    assert data["publisher"]["name"] == "North Wind Gazette"
    assert data["author"] == {
        "@type": "Person",
        "@id": BASE + "entities/han/",
        "name": "Han Min",
        "url": BASE + "entities/han/",
        "sameAs": "https://www.wikidata.org/wiki/Q42",
    }
    assert data["about"][0]["sameAs"] == "https://www.wikidata.org/wiki/Q42"
    assert any(m["name"] == "Republic of Arden" for m in data["mentions"])
    assert data["description"] == "A summary with markup."


def test_hostile_title_cannot_escape_the_json_ld_block(site: Path) -> None:
    """`</script>` and `<!--` in a title stay inside the data block, as \\u escapes."""
    page = (site / "statements/hostile-2024-03-11/index.html").read_text()
    (block,) = ld_blocks(page)
    assert "<" not in block and ">" not in block and "&" not in block
    assert page.count("<script") == page.count("</script>") == 2  # JSON-LD and cite.js
    assert (
        "alert(1)</script>"
        not in page.replace("&lt;", "<").split("application/ld+json")[1].split("</script>")[0]
    )


def test_entity_json_ld_types(site: Path) -> None:
    """Entities are Person, Organization, Country, NewsMediaOrganization with sameAs where known."""

    def data(entity: str) -> dict:
        return json.loads(ld_blocks((site / f"entities/{entity}/index.html").read_text())[0])

    assert data("han")["@type"] == "Person" and data("han")["sameAs"].endswith("/Q42")
    assert data("council")["@type"] == "Organization"
    assert data("arden")["@type"] == "Country" and data("arden")["alternateName"] == ["Arden"]
    assert data("gazette")["@type"] == "NewsMediaOrganization"
    assert data("gazette")["description"] == "An invented newspaper."


def test_home_page_describes_the_site_and_its_search(site: Path) -> None:
    """The home page's JSON-LD is a WebSite with a SearchAction on /search/."""
    (block,) = ld_blocks((site / "index.html").read_text())
    data = json.loads(block)
    assert data["@type"] == "WebSite" and data["url"] == BASE
    assert data["potentialAction"]["target"].startswith(BASE + "search/?q=")


def test_json_ld_escapes_round_trip() -> None:
    """Every string survives the HTML-safe escaping exactly."""
    value = {"a": "</script><!-- <b>&amp; \u2028\u2029 한국어"}
    markup = str(json_ld(value))
    inner = markup.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert json.loads(inner) == value
    assert not re.search(r"[<>&\u2028\u2029]", inner)


def test_big_archives_get_a_sitemap_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the protocol's URL limit, sitemap.xml becomes an index of numbered parts."""
    monkeypatch.setattr(discovery, "SITEMAP_LIMIT", 2)
    urls = [SitemapUrl(f"https://e.org/{n}/", dt.date(2020, 1, n)) for n in range(1, 6)]
    files = dict(sitemap_files(urls, lambda rel: "https://e.org/" + rel))
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{SM}sitemapindex"
    parts = [(s.findtext(f"{SM}loc"), s.findtext(f"{SM}lastmod")) for s in index]
    assert parts[0] == ("https://e.org/sitemap-1.xml", "2020-01-02")
    assert len(ET.fromstring(files["sitemap-3.xml"])) == 1
