"""Atom feeds: valid, absolute URLs under a subpath, stable ids and content-derived dates."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from builder.feeds import Feed, FeedEntry, entry_xml, feed_xml

from .conftest import ENTITIES, STATEMENTS, build, write_archive

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://someone.github.io/archive/"


@pytest.fixture
def site(archive: Path) -> Path:
    return build(archive, "--base-url", BASE)


def parse(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def assert_valid_atom(feed: ET.Element) -> None:
    """The elements RFC 4287 requires of a feed and of each entry."""
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert feed.find(f"{ATOM}link[@rel='self']") is not None
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "published"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        for stamp in ("updated", "published"):
            dt.datetime.strptime(entry.findtext(f"{ATOM}{stamp}"), "%Y-%m-%dT%H:%M:%SZ")


def test_site_feed_is_valid_atom_with_absolute_subpath_urls(site: Path) -> None:
    """/feed.xml parses, has the required elements, and every URL is absolute under base_url."""
    feed = parse(site / "feed.xml")
    assert_valid_atom(feed)
    assert feed.findtext(f"{ATOM}id") == BASE + "feed.xml"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == BASE + "feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "A third statement",
        "Reply to the Council",
        "Ministry comments on harbour fees",
    ]
    for entry in entries:
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert entry.findtext(f"{ATOM}id") == link
        assert re.fullmatch(re.escape(BASE) + r"statements/[a-z0-9-]+/", link)
    content = entries[2].findtext(f"{ATOM}content")
    assert 'href="/' not in content and 'href="#' not in content, "links in feed text are absolute"


def test_relative_addresses_in_a_statement_are_absolute_in_the_feed(tmp_path: Path) -> None:
    """ "../other/", an image of the site and a quotation's cite, relative in the statement's
    text, are in the feed as the page reads them: a feed reader has no page to read them by."""
    root = write_archive(
        tmp_path / "a",
        {
            **ENTITIES,
            **STATEMENTS,
            "content/statements/2024/rel-2024-03-11.md": (
                "---\ntitle: Relative links\ndate: 2024-03-11\nsource: gazette\n---\n"
                'See [the reply](../reply-2024-03-09/), ![logo](../../static/favicon.svg) and <q cite="../third-2024-03-10/">this</q>.\n'
                'The leaflet read: cite="Article 4" and `<img src="banner.png">`.\n'
            ),
        },
    )
    content = (
        parse(build(root, "--base-url", BASE) / "feed.xml").find(f"{ATOM}entry").findtext(f"{ATOM}content")
    )
    assert f'href="{BASE}statements/reply-2024-03-09/"' in content
    assert f'src="{BASE}static/favicon.svg"' in content
    assert f'cite="{BASE}statements/third-2024-03-10/"' in content
    assert 'The leaflet read: cite="Article 4" and <code>&lt;img src="banner.png"&gt;</code>' in content
    tags = "".join(re.findall(r"<[A-Za-z][^<>]*>", content))
    assert not re.search(r'(?:href|src|cite)="(?!https?:|mailto:)', tags)


def test_entity_and_kind_feeds_exist_and_are_linked(site: Path) -> None:
    """Each entity with statements and each kind has a feed, announced on its page."""
    council = parse(site / "entities/council/feed.xml")
    assert_valid_atom(council)
    assert [e.findtext(f"{ATOM}title") for e in council.findall(f"{ATOM}entry")] == [
        "Reply to the Council",
        "Ministry comments on harbour fees",
    ]
    kind = parse(site / "kinds/commentary/feed.xml")
    assert_valid_atom(kind)
    assert len(kind.findall(f"{ATOM}entry")) == 1
    page = (site / "entities/council/index.html").read_text()
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/archive/entities/council/feed.xml"' in page
    assert 'href="/archive/feed.xml"' in (site / "index.html").read_text()
    assert 'href="/archive/kinds/commentary/feed.xml"' in (site / "kinds/commentary/index.html").read_text()


def test_feed_dates_come_from_the_content(tmp_path: Path) -> None:
    """<updated> is the newest content date (retrieved wins over date), never the build day."""
    statements = dict(STATEMENTS)
    statements["content/statements/2024/third-2024-03-10.md"] = """\
        ---
        title: A third statement
        date: 2024-03-10
        source: gazette
        retrieved: 2024-04-01
        ---
        Nothing to add.
        """
    site = build(write_archive(tmp_path / "a", {**ENTITIES, **statements}))
    feed = parse(site / "feed.xml")
    assert feed.findtext(f"{ATOM}updated") == "2024-04-01T00:00:00Z"
    newest = feed.find(f"{ATOM}entry")
    assert newest.findtext(f"{ATOM}published") == "2024-03-10T00:00:00Z"
    assert newest.findtext(f"{ATOM}updated") == "2024-04-01T00:00:00Z"
    today = dt.date.today().isoformat()
    assert today not in (site / "feed.xml").read_text() or today == "2024-04-01"


def test_feed_size_limits_the_entries(tmp_path: Path) -> None:
    """feed_size in site.yaml caps every feed, newest kept."""
    yaml = "title: T\nbase_url: https://example.org/\nfeed_size: 2\n"
    site = build(write_archive(tmp_path / "a", {**ENTITIES, **STATEMENTS}, yaml))
    titles = [e.findtext(f"{ATOM}title") for e in parse(site / "feed.xml").findall(f"{ATOM}entry")]
    assert titles == ["A third statement", "Reply to the Council"]


def test_hostile_text_stays_well_formed_xml() -> None:
    """Markup, CDATA ends and control characters in a title cannot break the feed."""
    title = 'Evil </title><script>x</script> ]]> & "q" \x0b\x00 end'
    entry = FeedEntry(
        url="https://example.org/statements/x/",
        title=title,
        published=dt.date(2020, 1, 1),
        updated=dt.date(2020, 1, 2),
        author="<b>A</b>",
        summary="s & t",
        categories=("a&b",),
        content_html="<p>ok</p>",
    )
    feed = Feed(
        title="T", feed_url="https://example.org/feed.xml", page_url="https://example.org/", author="E"
    )
    root = ET.fromstring(feed_xml(feed, [(entry.updated, entry_xml(entry))]))
    parsed = root.find(f"{ATOM}entry").findtext(f"{ATOM}title")
    assert parsed == 'Evil </title><script>x</script> ]]> & "q"  end'
    assert root.find(f"{ATOM}entry").findtext(f"{ATOM}content") == "<p>ok</p>"
    assert root.findtext(f"{ATOM}updated") == "2020-01-02T00:00:00Z"


def test_empty_feed_uses_no_clock() -> None:
    """A feed without entries still has an <updated>, and it does not depend on the time."""
    feed = Feed(title="T", feed_url="https://example.org/f.xml", page_url="https://example.org/", author="E")
    assert feed_xml(feed, []) == feed_xml(feed, [])
    assert b"<updated>1970-01-01T00:00:00Z</updated>" in feed_xml(feed, [])
