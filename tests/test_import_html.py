"""Saved HTML pages: title, date, address and the article's text only, as the page states them."""

from __future__ import annotations

import html
import json
import re
import textwrap
from pathlib import Path

import pytest

from builder.importer.htmlpage import extract_page
from builder.importer.store import split_front_matter
from builder.markup import render_markdown

from .conftest import SHARED, run, write_archive

FIXTURES = Path(__file__).parent / "fixtures" / "import"
RAW_HTML = SHARED / "corpus" / "raw-html"
SIDECARS = sorted(RAW_HTML.glob("*/*.html.expected.json")) if RAW_HTML.is_dir() else []
# Pages where the extraction is known to differ from the hand-written sidecar, and why.
KNOWN_DIFFERENCES: dict[str, str] = {}


def normalised(text: str | None) -> str:
    """The sidecars' comparison: entities decoded, soft hyphens and word joiners gone, spaces collapsed."""
    text = html.unescape(text or "").replace("\u00ad", "").replace("\u2060", "")
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_archive(
        tmp_path / "archive",
        {
            "content/entities/mfa.md": "---\nname: Ministry of Foreign Affairs of Valdoria\ntype: publication\n---\n",
            "content/entities/herald.md": "---\nname: Tessin Herald\ntype: publication\n---\n",
        },
    )


def imported(root: Path) -> tuple[dict, str]:
    paths = list(root.glob("content/statements/*/*.md"))
    assert len(paths) == 1
    split = split_front_matter(paths[0].read_text(encoding="utf-8"))
    assert split is not None
    return split.data, split.body


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_saved_pages_match_their_sidecars(sidecar: Path) -> None:
    """Title, date and URL are the page's own; the text runs from the first to the last sentence."""
    page_file = sidecar.with_name(sidecar.name.removesuffix(".expected.json"))
    if page_file.name in KNOWN_DIFFERENCES:
        pytest.xfail(KNOWN_DIFFERENCES[page_file.name])
    expected = json.loads(sidecar.read_text(encoding="utf-8"))
    page = extract_page(page_file.read_bytes())
    assert page is not None
    assert normalised(page.title) == normalised(expected["title"])
    assert page.date is not None and page.date.isoformat() == expected["date"]
    assert page.url == expected["url"]
    text = normalised(" ".join(page.paragraphs))
    first, last = normalised(expected["first_sentence"]), normalised(expected["last_sentence"])
    assert first in text
    assert text.rfind(last) >= text.find(first)


@pytest.mark.parametrize("sidecar", SIDECARS, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_saved_pages_keep_little_beside_the_article(sidecar: Path) -> None:
    """Around the article's first and last sentence: a date line or a contact line at most,
    never a site's menu or another article (bmas.de kept 13,500 characters of menu before
    the text, jis.gov.jm a whole other article after it)."""
    expected = json.loads(sidecar.read_text(encoding="utf-8"))
    page = extract_page(sidecar.with_name(sidecar.name.removesuffix(".expected.json")).read_bytes())
    assert page is not None
    text = normalised(" ".join(page.paragraphs))
    first, last = normalised(expected["first_sentence"]), normalised(expected["last_sentence"])
    before, after = text.find(first), len(text) - text.rfind(last) - len(last)
    assert before + after <= 1000, (text[:before][:300], text[len(text) - after :][:300])


def test_raw_html_pages_are_present() -> None:
    """The shared corpus, when there, has the 18 pages with sidecars this file checks."""
    if not RAW_HTML.is_dir():
        pytest.skip(f"../shared not present: {RAW_HTML}")
    assert len(SIDECARS) == 18


@pytest.mark.parametrize("date", [(), ("--date", "2024-08-04")], ids=["no date", "--date"])
def test_index_page_is_refused(root: Path, capsys: pytest.CaptureFixture[str], date: tuple[str, ...]) -> None:
    """The KCNA home page, a list of headlines, is no statement, even when --date gives it a
    day (and it is never dated by a guess such as 2024-01-01)."""
    page = RAW_HTML / "kcna.kp" / "kcna.kp-en-home-2024-08-04.html"
    if not page.is_file():
        pytest.skip(f"../shared not present: {page}")
    assert run("import", str(page), "--root", str(root), "--source", "herald", *date) == 1
    assert "is it an index page?" in capsys.readouterr().err
    assert not list(root.glob("content/statements/*/*.md"))


def test_wayback_capture_gives_original_address_and_capture_day() -> None:
    """A Wayback Machine page records its original address and the day it was captured."""
    page_file = RAW_HTML / "xinhuanet.com" / "archive.org.he.xinhuanet.com.25340717.html"
    if not page_file.is_file():
        pytest.skip(f"../shared not present: {page_file}")
    page = extract_page(page_file.read_bytes())
    assert page is not None
    assert page.saved_url == "http://www.he.xinhuanet.com/news/2012-06/04/content_25340717.htm"
    assert page.retrieved is not None and page.retrieved.isoformat() == "2012-06-11"


def test_ministry_page_imports_article_only(root: Path) -> None:
    """Nav, share buttons and the "More Articles" list stay out; title, date and canonical URL are the page's."""
    assert run("import", str(FIXTURES / "ministry-page.html"), "--root", str(root)) == 0
    data, body = imported(root)
    assert data["title"] == "Spokesperson rejects the quota resolution"
    assert data["date"] == "2019-11-17"
    assert data["source"] == "mfa"
    assert data["kind"] == "statement"
    assert data["speaker"] == "Spokesperson of the Ministry of Foreign Affairs of Valdoria"
    assert data["source_url"] == "https://mfa.valdoria.example/news/2019/11/quota-resolution"
    assert data["language"] == "en"
    assert "retrieved" not in data
    for furniture in ("Home", "Facebook", "Print", "More Articles", "Ferry treaty", "2026", "Privacy"):
        assert furniture not in body
    paras = [p for p in body.split("\n\n") if p.strip()]
    assert paras[0].startswith("The Spokesperson of the Ministry of Foreign Affairs of Valdoria issued")
    assert paras[2] == "1\\. The resolution was drafted without the participation of the coastal states."
    assert "\\*spawning grounds\\*" in paras[3]
    rendered = render_markdown(body)
    assert "<ol" not in rendered and "<em>" not in rendered
    assert paras[-1].endswith("to protect its fishermen.")


def test_page_without_year_needs_one(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A page whose text says "Nov. 17" and whose sidebar shows 2026 dates is refused without --year."""
    page = FIXTURES / "no-year-page.html"
    assert run("import", str(page), "--root", str(root), "--source", "herald") == 1
    assert "--year" in capsys.readouterr().err
    assert run("import", str(page), "--root", str(root), "--source", "herald", "--year", "2019") == 0
    data, _ = imported(root)
    assert data["date"] == "2019-11-17"
    assert data["title"] == "Statement of the Foreign Ministry Spokesman"
    assert data["speaker"] == "Spokesman for the Foreign Ministry of Valdoria"


def test_hostile_page_brings_no_markup(root: Path) -> None:
    """Scripts, handlers and javascript: links in a page never reach the statement as markup."""
    assert run("import", str(FIXTURES / "hostile-page.html"), "--root", str(root), "--source", "herald") == 0
    data, body = imported(root)
    assert "source_url" not in data  # a javascript: canonical is no address
    assert "<" not in body.replace("&lt;", "")
    assert "document.cookie" not in body and "inline script" not in body
    rendered = render_markdown(body)
    assert set(re.findall(r"</?([a-zA-Z][\w-]*)", rendered)) == {"p"}  # text only: no tag but <p>
    assert 'Some readers wrote &lt;script&gt;alert("typed")&lt;/script&gt;' in rendered.replace("&quot;", '"')


def test_more_articles_list_gives_leads(root: Path, tmp_path: Path) -> None:
    """The page's "More Articles" items become leads with their dates, not statements."""
    leads = tmp_path / "leads.csv"
    run("import", str(FIXTURES / "ministry-page.html"), "--root", str(root), "--leads", str(leads))
    assert leads.read_text(encoding="utf-8").splitlines()[1:] == [
        f"Minister receives the ambassador of Ostmark,2026-02-02,{FIXTURES / 'ministry-page.html'}",
        f"Ferry treaty enters into force,2026-02-01,{FIXTURES / 'ministry-page.html'}",
        f"New harbour office opens in Port Tessin,2026-01-31,{FIXTURES / 'ministry-page.html'}",
    ]


def test_saving_tool_records_give_address_and_retrieval_day() -> None:
    """SingleFile's url and saved date are the capture's address and retrieval day; nothing else is."""
    page = (FIXTURES / "ministry-page.html").read_bytes()
    singlefile = b"<!--\n Page saved with SingleFile \n url: https://mfa.valdoria.example/p?id=7 \n saved date: Sun Nov 17 2019 10:12:13 GMT+0100 (CET)\n-->\n"
    found = extract_page(singlefile + page)
    assert found is not None
    assert found.saved_url == "https://mfa.valdoria.example/p?id=7"
    assert found.retrieved is not None and found.retrieved.isoformat() == "2019-11-17"
    plain = extract_page(page)
    assert plain is not None and plain.retrieved is None and plain.saved_url is None


def test_the_articles_headline_wins_over_a_site_title(tmp_path: Path) -> None:
    """When <title> and og:title name only the site or a section, the article's h1 is the
    title, and it is not left at the top of the text with its date line."""
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>News | Example Site</title>'
        '<meta property="og:title" content="Example Site - Latest news"></head><body>'
        "<header><h1>Example Site</h1></header><article>"
        "<h1>Foreign Ministry Spokesman Denounces Resolution</h1>"
        '<p class="date">November 17, 2019</p>'
        "<p>Pyongyang, November 17 (KCNA) -- A spokesman for the DPRK Foreign Ministry issued a "
        "statement denouncing the resolution adopted at the UN.</p>"
        "<p>This is the second paragraph, long enough to be considered main text by the "
        "extraction library in use here.</p></article></body></html>",
        encoding="utf-8",
    )
    extracted = extract_page(page.read_bytes())
    assert extracted is not None
    assert extracted.title == "Foreign Ministry Spokesman Denounces Resolution"
    assert extracted.date is not None and extracted.date.isoformat() == "2019-11-17"
    assert extracted.paragraphs[0].startswith("Pyongyang, November 17 (KCNA)")


def test_a_teasers_date_is_not_the_articles(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An article that shows no date is refused, not dated by the <time> of a "More News" teaser."""
    page = root / "page.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Spokesman Denounces Resolution | Example'
        "</title></head><body><article><h1>Spokesman Denounces Resolution</h1>"
        "<p>A spokesman for the DPRK Foreign Ministry issued a statement denouncing the resolution "
        "adopted at the UN yesterday.</p><p>This is the second paragraph, long enough to be considered "
        "main text by the extraction library in use here.</p></article><aside><h2>More News</h2><ul>"
        '<li><a href="/a1">Other article about fishing quotas and harbours</a> '
        '<time datetime="2019-10-01">1 October 2019</time></li>'
        '<li><a href="/a2">Another article about the summit and its outcome</a> <span>02.10.2019</span></li>'
        "</ul></aside></body></html>",
        encoding="utf-8",
    )
    assert run("import", str(page), "--root", str(root), "--source", "herald") == 1
    assert "no date found" in capsys.readouterr().err
    assert not list(root.glob("content/statements/*/*.md"))


@pytest.mark.parametrize(
    ("page", "publication"),
    [
        ("mluk.brandenburg.de/mluk.brandenburg.de-erlegungspermie.html", "MLUK"),
        ("bundespolizei.de/bundespolizei.de-Belarus.html", "bundespolizei.de"),
    ],
)
def test_a_new_publication_is_named_by_the_site_not_the_headline(
    root: Path, page: str, publication: str
) -> None:
    """A site that puts the headline in og:site_name ("… 1,4 Millionen Euro … | MLUK"), or
    only the headline, gives a publication named by the rest, or by its address."""
    if not (RAW_HTML / page).is_file():
        pytest.skip(f"../shared not present: {RAW_HTML / page}")
    assert run("import", str(RAW_HTML / page), "--root", str(root), "--create-source", "--quiet") == 0
    data, _ = imported(root)
    entity = split_front_matter((root / "content/entities/publications" / f"{data['source']}.md").read_text())
    assert entity is not None and entity.data["name"] == publication


@pytest.mark.parametrize("declared", ["", '<meta charset="utf-8">'], ids=["undeclared", "declared wrongly"])
def test_a_guessed_encoding_is_reported(
    root: Path, capsys: pytest.CaptureFixture[str], declared: str
) -> None:
    """A page in windows-1252 that declares no encoding (or UTF-8) is read by a guess, which
    single-byte encodings make uncertain ("naïve" may come out "naďve"): the report says so.
    A page that declares its encoding rightly, or is UTF-8, gets no such note."""

    def html(head: str) -> bytes:
        return (
            f"<!DOCTYPE html><html><head>{head}<title>Statement on the café</title></head><body><article>"
            "<h1>Statement on the café</h1><p>Pyongyang, November 17, 2019 (KCNA) -- A naïve résumé of the "
            "talks was issued by the spokesman today.</p><p>This is the second paragraph, long enough to be "
            "considered main text by the extraction library.</p></article></body></html>"
        ).encode("cp1252")

    page = root / "page.html"
    page.write_bytes(html(declared))
    assert run("import", str(page), "--root", str(root), "--source", "herald", "--dry-run") == 0
    assert "save the page again as UTF-8" in capsys.readouterr().out
    page.write_bytes(html('<meta charset="windows-1252">'))
    assert run("import", str(page), "--root", str(root), "--source", "herald", "--dry-run") == 0
    assert "save the page again as UTF-8" not in capsys.readouterr().out


def test_a_kicker_in_the_article_h1_does_not_replace_a_headline_title(tmp_path: Path) -> None:
    """When og:title is a headline that no heading shows, it stays the title, though the
    article's h1 holds a kicker ("Press release")."""
    page = tmp_path / "page.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>KCNA</title>'
        '<meta property="og:title" content="Foreign Ministry Spokesman Denounces Resolution | KCNA">'
        "</head><body><article><h1>Press release</h1>"
        "<p>Pyongyang, November 17, 2019 (KCNA) -- A spokesman for the DPRK Foreign Ministry issued "
        "a statement denouncing the resolution adopted at the UN.</p>"
        "<p>This is the second paragraph, long enough to be considered main text by the "
        "extraction library in use here.</p></article></body></html>",
        encoding="utf-8",
    )
    extracted = extract_page(page.read_bytes())
    assert extracted is not None and extracted.title == "Foreign Ministry Spokesman Denounces Resolution"


def test_a_page_precision_finds_nothing_in_is_read_the_default_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """trafilatura's precision mode keeps menus out; where it finds no text at all, the
    default reading is used rather than refusing the page."""
    import trafilatura

    real = trafilatura.bare_extraction

    def precise_finds_nothing(raw, **options):
        return None if options.get("favor_precision") else real(raw, **options)

    monkeypatch.setattr(trafilatura, "bare_extraction", precise_finds_nothing)
    page = (
        b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Notice on the harbour</title></head>'
        b"<body><article><h1>Notice on the harbour</h1><p>The harbour of Port Tessin is closed to "
        b"fishing boats until the spring, the ministry said on Monday.</p><p>It opens again when "
        b"the quota talks end, and not before.</p></article></body></html>"
    )
    extracted = extract_page(page)
    assert extracted is not None and extracted.paragraphs[0].startswith("The harbour of Port Tessin")


def test_a_site_name_inside_the_headline_is_still_the_sites() -> None:
    """og:site_name loses only a part that is the headline or most of it: "AP" or "Foreign
    Ministry" named within a headline stay the site's name."""
    from builder.importer.htmlpage import _site_name

    assert _site_name("AP", "Snapshot of the economy in March") == "AP"
    assert (
        _site_name("Foreign Ministry", "Statement of the Foreign Ministry on the sanctions")
        == "Foreign Ministry"
    )
    assert (
        _site_name("Land zahlte rund 1,4 Millionen Euro | MLUK", "Land zahlte rund 1,4 Millionen Euro")
        == "MLUK"
    )
    assert _site_name("Illegale Migration aus Belarus", "Illegale Migration aus Belarus") is None


def test_the_articles_own_time_is_kept_when_a_teaser_shares_its_day(root: Path) -> None:
    """A teaser dated the same day as the article does not cost the article its own <time>."""
    page = root / "page.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour closed | Herald</title></head>'
        "<body><article><h1>Harbour closed</h1><p>The harbour of Port Tessin is closed to fishing boats "
        "until the spring, the ministry said.</p><p>It opens again when the quota talks end, and not "
        'before, the spokesman added.</p><p>Published <time datetime="2024-03-12">12 March 2024</time></p>'
        "</article><aside><h3>Related</h3><ul><li><a href='/a'>Quota talks resume in the capital city</a> "
        "12 March 2024</li><li><a href='/b'>Ferry timetable changes for the summer season</a> 11 March 2024"
        "</li></ul></aside></body></html>",
        encoding="utf-8",
    )
    extracted = extract_page(page.read_bytes())
    assert extracted is not None and extracted.date is not None
    assert extracted.date.isoformat() == "2024-03-12"


def article_page(body: str, title: str = "U.S. Must Stop Its Hostile Policy", head: str = "") -> bytes:
    """A small saved page: the headline as <title> and h1, then `body` in one container."""
    return textwrap.dedent(
        f"""\
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
        <body><div class="content"><h1>{title}</h1>
        {body}
        </div></body></html>
        """
    ).encode("utf-8")


ARTICLE = """\
<p>The U.S. is again resorting to sanctions and pressure against the DPRK, claiming that it wants dialogue.</p>
<p>This is a double-dealing act that can deceive no one. Peace cannot be achieved through pressure.</p>
<p>The Korean people will never yield to the pressure of the imperialists and will defend their dignity.</p>
"""


def test_a_date_only_in_a_related_block_does_not_date_the_statement(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A "Related News" block's bare date (read by htmldate from the page's text) is a
    teaser's date: an article showing no date of its own is refused, not dated by it."""
    page = root / "page.html"
    page.write_bytes(
        article_page(
            ARTICLE + '<div class="rel"><h3>Related News</h3><a href="/x">Festival held</a> 2019-11-16</div>'
        )
    )
    assert run("import", str(page), "--root", str(root), "--source", "herald") == 1
    assert "no date found" in capsys.readouterr().err
    assert not list(root.glob("content/statements/*/*.md"))


@pytest.mark.parametrize(
    ("heading", "day"),
    [("Related Articles", "2019.11.12"), ("Related", "November 12, 2019"), ("相关新闻", "2019-11-12")],
)
def test_a_related_list_inside_the_articles_container_is_a_lead_not_text(heading: str, day: str) -> None:
    """A related-articles list in the same container as the article is no part of its text;
    its items are leads."""
    related = f'<h3>{heading}</h3><ul><li><a href="/b1">Militarist Moves Assailed</a> {day}</li></ul>'
    page = extract_page(article_page('<p class="date">2019.11.17</p>' + ARTICLE + related))
    assert page is not None
    assert page.paragraphs[-1].startswith("The Korean people will never yield")
    assert page.leads == [("Militarist Moves Assailed", "2019-11-12")]
    assert page.date is not None and page.date.isoformat() == "2019-11-17"


@pytest.mark.parametrize(
    "line",
    [
        "Juche 108 (2019), November 17 | Source: KCNA",
        "发布时间：2019年11月17日 来源：新华网",
        "2019-11-17 | Source: KCNA",
    ],
)
def test_a_date_line_under_the_headline_dates_the_statement_beside_its_source(line: str) -> None:
    """A header line that shows the date with other details (the source, a Juche year with
    the common year beside it) dates the statement; a related block's date never does."""
    related = '<div class="rel"><h3>Related News</h3><a href="/x">Festival held</a> 2019-11-16</div>'
    page = extract_page(article_page(f'<div class="info">{line}</div>' + ARTICLE + related))
    assert page is not None and page.date is not None
    assert (page.date.isoformat(), page.date_from) == ("2019-11-17", "the date shown with the headline")


def test_an_article_in_a_table_layout_keeps_its_paragraphs_apart_and_once() -> None:
    """A table cell that holds the headline and paragraphs is a layout, not a data row: its
    paragraphs stay apart, and the text is not read twice (once by row, once by cell)."""
    page = extract_page(
        textwrap.dedent(
            """\
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>KCNA Watch</title></head><body>
            <table><tr><td><h1>U.S. Must Stop Its Hostile Policy</h1>
            <p>Pyongyang, November 17, 2019 (KCNA) -- The U.S. is again resorting to sanctions.</p>
            <p>This is a double-dealing act that can deceive no one.</p>
            <p>The Korean people will never yield to the pressure of the imperialists.</p>
            </td></tr></table></body></html>
            """
        ).encode()
    )
    assert page is not None and page.title == "U.S. Must Stop Its Hostile Policy"
    assert page.paragraphs == [
        "Pyongyang, November 17, 2019 (KCNA) -- The U.S. is again resorting to sanctions.",
        "This is a double-dealing act that can deceive no one.",
        "The Korean people will never yield to the pressure of the imperialists.",
    ]


OLD_KCNA = """\
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>KCNA</title></head>
<body><table width="640">
<tr><td><img src="/img/title.gif" alt="KOREAN CENTRAL NEWS AGENCY"></td></tr>
<tr><td><a href="/index-e.htm">Home</a> | <a href="/news17/index-e.htm">News of Nov. 17</a></td></tr>
<tr><td class="title"><b>Spokesman for DPRK FM Slams U.S. Sanctions</b></td></tr>
<tr><td>
Pyongyang, November 17 (KCNA) -- A spokesman for the Foreign Ministry issued the following statement:<br><br>
The U.S. announced new unilateral sanctions against the DPRK, claiming that they aim at denuclearization.<br><br>
The U.S. will be held wholly accountable for all the consequences. -0-<br>
</td></tr>
<tr><td><a href="/news17/02ee.html">Next</a> | <a href="/news17/00ee.html">Previous</a></td></tr>
</table></body></html>
"""


def test_an_old_kcna_table_page_gives_its_headline_text_and_dateline_day(root: Path) -> None:
    """An old kcna.co.jp-style page (table rows, <br><br> paragraphs, a site-only <title>):
    the bold headline is the title, the navigation rows are no text, and the dateline's day
    with --year dates it."""
    page = root / "page.html"
    page.write_text(OLD_KCNA, encoding="utf-8")
    assert run("import", str(page), "--root", str(root), "--source", "herald", "--year", "2019") == 0
    data, body = imported(root)
    assert (data["title"], data["date"]) == ("Spokesman for DPRK FM Slams U.S. Sanctions", "2019-11-17")
    assert body.strip().split("\n\n") == [
        "Pyongyang, November 17 (KCNA) -- A spokesman for the Foreign Ministry issued the following statement:",
        "The U.S. announced new unilateral sanctions against the DPRK, claiming that they aim at denuclearization.",
        "The U.S. will be held wholly accountable for all the consequences. -0-",
    ]


def test_a_blockquote_is_written_as_a_markdown_quote_with_its_paragraphs_apart(root: Path) -> None:
    """What the statement quotes (<blockquote>) is not its own words: it is written as a
    Markdown quote, each quoted paragraph apart, and still escaped as text."""
    page = root / "page.html"
    page.write_bytes(
        article_page(
            '<p class="date">2019.11.17</p><p>The U.S. State Department spokesman said on November 15:</p>'
            "<blockquote><p>North Korea must take steps before any relief is considered.</p>"
            "<p>Our policy has not changed.</p></blockquote>"
            "<p>This is nothing but a sophism aimed at shifting the blame onto the DPRK.</p>"
            "<blockquote>1. We have no *willingness* to meet such a partner.</blockquote>"
            "<p>The U.S. must answer for the consequences.</p>"
        )
    )
    assert run("import", str(page), "--root", str(root), "--source", "herald") == 0
    _, body = imported(root)
    assert body.strip().split("\n\n") == [
        "The U.S. State Department spokesman said on November 15:",
        "> North Korea must take steps before any relief is considered.\n>\n> Our policy has not changed.",
        "This is nothing but a sophism aimed at shifting the blame onto the DPRK.",
        "> 1\\. We have no \\*willingness\\* to meet such a partner.",
        "The U.S. must answer for the consequences.",
    ]
    rendered = render_markdown(body)
    assert rendered.count("<blockquote>") == 2 and "<ol" not in rendered and "<em>" not in rendered


@pytest.fixture
def press(tmp_path: Path) -> Path:
    """An archive that knows two publications, neither by its web address."""
    return write_archive(
        tmp_path / "press",
        {
            "content/entities/rodong-sinmun.md": "---\nname: Rodong Sinmun\ntype: publication\n---\n",
            "content/entities/kcna.md": (
                "---\nname: Korean Central News Agency\ntype: publication\naliases: [KCNA, kcna.kp]\n---\n"
            ),
        },
    )


RODONG = '<link rel="canonical" href="http://www.rodong.rep.kp/en/index.php?MTJAMjAxOS0xMS0xNy1IMDAx">'


@pytest.mark.parametrize(
    ("title", "head", "shown"),
    [
        ("Rodong Sinmun", RODONG, ""),
        ("News", RODONG + '<meta property="og:site_name" content="Rodong Sinmun">', ""),
        ("News", RODONG, '<a href="/en/"><img src="logo.png" alt="Rodong Sinmun"></a>'),
        ("News", RODONG, "<div>Copyright © 2019 Rodong Sinmun. All rights reserved.</div>"),
    ],
    ids=["title", "og:site_name", "logo", "copyright"],
)
def test_a_publication_named_on_the_page_is_matched_before_its_web_address(
    press: Path, title: str, head: str, shown: str
) -> None:
    """The name the page shows for its site (title, og:site_name, logo, © line) matches the
    archive's publication; the host name 'rodong.rep.kp' is no name for it."""
    page = press / "page.html"
    raw = article_page('<p class="date">2019.11.17</p>' + ARTICLE, head=head).decode()
    page.write_text(
        raw.replace("<title>U.S. Must Stop Its Hostile Policy</title>", f"<title>{title}</title>") + shown
    )
    assert run("import", str(page), "--root", str(press)) == 0
    data, _ = imported(press)
    assert data["source"] == "rodong-sinmun"
    assert data["title"] == "U.S. Must Stop Its Hostile Policy"


def test_a_wayback_save_is_dated_and_named_by_its_original_address(press: Path) -> None:
    """A Wayback Machine save names its original address in its canonical link: that is the
    statement's source_url and names its publication; the capture time is the retrieval day."""
    page = press / "page.html"
    wayback = "http://web.archive.org/web/20191118093000/http://www.kcna.kp/en/article/abc.kcmsf"
    page.write_bytes(
        article_page(
            '<p class="date">2019-11-17</p>' + ARTICLE, head=f'<link rel="canonical" href="{wayback}">'
        )
    )
    assert run("import", str(page), "--root", str(press)) == 0
    data, _ = imported(press)
    assert data["source"] == "kcna"
    assert data["source_url"] == "http://www.kcna.kp/en/article/abc.kcmsf"
    assert data["retrieved"] == "2019-11-18"
