"""Saved HTML pages: the article's text, title, date and address, through trafilatura.

trafilatura finds the main text and the page metadata; this module only chooses among
what the page itself states, in the archive's terms. trafilatura favours precision: on
the 18 real pages of the shared corpus its default kept 20,681 characters of furniture
around the articles (a site's whole menu, an unrelated article after the text), its
precision mode 1,627, and every article's text from first to last sentence the same
(bar a list of section links inside one).

* title: the page's title or og:title, without a site-name part, confirmed by a heading
  on the page where one matches; else the article's own h1 (when the title and og:title
  name only the site or a section); else the title without its site-name part;
* date: a date shown next to the headline (a date line, "Datum 25.01.2022", a dateline
  "Bern, 17.08.2007 - …", a line "… 2019年11月17日 来源：新华网"), else the page's metadata
  (htmldate without its extensive search, which would fall back to a copyright year: a
  guess); related lists are cut from the page first, so a teaser's date is never read;
* site names: og:site_name, the title's site part, the logo's alt, the footer's © line,
  matched to a publication before the page's host;
* address: `<link rel=canonical>`, else og:url, else what the saving tool recorded
  ("saved from url", SingleFile's `url:`, the Wayback Machine's original address, also
  when the canonical link is the Wayback address);
* retrieved: only a date the saving tool recorded (SingleFile's "saved date", the
  Wayback Machine's capture time), never the file's modification time;
* a standfirst under the headline that trafilatura left out is put back when it is the
  page's description and a full sentence (many press pages mark it up apart).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from itertools import takewhile
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .body import Quoted, clean_paragraph
from .capture import LIST_HEADING
from .dates import MONTH_NUMBERS, date_line, dateline, find_dates, parse_iso_day

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

_SEPARATORS = re.compile(r"\s+[|\-–—:/·•»]+\s+|\s*::\s*|(?<=[\u3000-\u9fff\uff00-\uffef])\s*[-_|｜]\s*")
_SKIP = frozenset(["script", "style", "noscript", "template", "svg", "head"])
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_BLOCKS = frozenset(["p", "head", "item", "quote", "cell", "code", "row"])
_WAYBACK = re.compile(r"__wm\.wombat\(\s*\"(?P<url>[^\"]+)\"\s*,\s*\"(?P<ts>\d{8})\d{0,6}\"")
_WAYBACK_HOST = re.compile(r"(?:^|\.)archive\.org$", re.IGNORECASE)
_WAYBACK_URL = re.compile(r"^https?://web\.archive\.org/web/(?P<ts>\d{8})\d{0,6}[a-z_]*/(?P<url>.+)$")
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)[\s©]*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?(?:by\s+)?"
    r"(?P<name>[^\W\d][^.|,©]{1,60}?)\s*(?:[.|,]|all rights|$)",
    re.IGNORECASE,
)
_LOGO_ALT = (
    "//img[contains(@src, 'logo') or contains(@class, 'logo') or contains(@id, 'logo')"
    " or ancestor::*[contains(@class, 'logo') or contains(@id, 'logo')]]/@alt"
)
_COPYRIGHT_LINES = (
    "//text()[(contains(., '©') or contains(translate(., 'COPYRIGHT', 'copyright'), 'copyright'))"
    " and (ancestor::footer or ancestor::*[contains(@id, 'footer') or contains(@class, 'footer')"
    " or contains(@id, 'copyright') or contains(@class, 'copyright')])]"
)
_WAYBACK_TS = re.compile(r"web\.archive\.org/web/(\d{8})\d{6}")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
_SINGLEFILE_URL = re.compile(r"Page saved with SingleFile\s+url:\s*(\S+)", re.IGNORECASE)
_SINGLEFILE_DATE = re.compile(
    r"saved date:\s*(?:\w{3},?\s+)?(?P<mon>[A-Za-z]{3})\w*\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
)
_YEAR = re.compile(r"(?<![\d.])(?:1[89]|2\d)\d\d(?![\d.])")
_SENTENCE = re.compile(r"[.!?…。！？][\"'”’»)]*$")


@dataclass
class HtmlPage:
    """What a saved page states about its article."""

    paragraphs: list[str]
    title: str | None = None
    date: dt.date | None = None
    date_from: str = ""
    url: str | None = None  # the page's own canonical or og:url
    saved_url: str | None = None  # the address the saving tool recorded
    retrieved: dt.date | None = None
    sitename: str | None = None
    site_names: list[str] = field(default_factory=list)  # every name the page shows for its site
    hostname: str | None = None
    language: str | None = None
    notes: list[str] = field(default_factory=list)
    leads: list[tuple[str, str]] = field(default_factory=list)  # (text, date) of teasers


def extract_page(raw: bytes) -> HtmlPage | None:
    """The article of a saved page, or None when the page has no main text."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(raw)
    if tree is None:
        return None
    article = _without_teasers(tree)  # a teaser's text and date are never the article's
    doc, paragraphs = None, []
    for precise in (True, False):  # the default reading only where precision finds no text
        doc = trafilatura.bare_extraction(
            article,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=precise,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        paragraphs = _paragraphs(doc.body) if doc is not None and doc.body is not None else []
        if paragraphs:
            break
    if doc is None or doc.body is None:
        return None
    text_head = raw[:200_000].decode("utf-8", "replace")
    page = HtmlPage(paragraphs=_without_navigation(paragraphs, tree))
    page.notes.extend(_encoding_guessed(raw))
    page.title = _title(tree, doc.title, doc.sitename, doc.hostname, page.paragraphs[:1])
    page.sitename = _site_name(doc.sitename, page.title)
    page.hostname = doc.hostname or None
    if _WAYBACK_HOST.search(page.hostname or ""):  # the saving archive, not the publication
        page.sitename = page.hostname = None
    page.site_names = _shown_site_names(tree, page.title, page.sitename)
    page.language = _language(tree, doc.language)
    page.url = _page_url(tree)
    page.saved_url, page.retrieved = _saved(text_head)
    if page.saved_url is None:
        page.saved_url, day = _archived_address(tree)
        page.retrieved = page.retrieved or day
    headline = _headline(tree, page.title)
    _drop_leading_furniture(page)
    _add_standfirst(page, tree, doc.description, headline)
    if _mostly_links(page.paragraphs, tree):
        return None  # an index page: its "paragraphs" are other articles' headlines
    page.leads = _leads(tree)
    page.date, page.date_from = _date(headline, page.paragraphs, doc.date)
    if not page.paragraphs:
        return None
    return page


_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)


def _encoding_guessed(raw: bytes) -> list[str]:
    """A note when the page's encoding is a guess: it is not UTF-8 and declares no encoding,
    or declares UTF-8 wrongly. Single-byte encodings look alike (windows-1252's "naïve" is
    windows-1250's "naďve"), so the maintainer is told which one was chosen."""
    try:
        raw.decode("utf-8")
        return []
    except UnicodeDecodeError:
        pass
    declared = _DECLARED_CHARSET.search(raw[:8192])
    name = declared.group(1).decode("ascii").lower() if declared else ""
    if name and name.replace("-", "").replace("_", "") not in ("utf8", "unicode"):
        return []  # a declared legacy encoding is read as declared
    from trafilatura.utils import detect_encoding

    guesses = detect_encoding(raw)
    read_as = next((g for g in guesses if _decodes(raw, g)), "utf-8 with replacement characters")
    why = "declares UTF-8 but is not" if name else "declares no character encoding and is not UTF-8"
    others = ", ".join([g for g in guesses if g != read_as][:2])
    return [
        f"the page {why}: read as {read_as}"
        + (f" (also possible: {others})" if others else "")
        + "; check its letters (é, ñ, ł …), or save the page again as UTF-8"
    ]


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _mostly_links(paragraphs: list[str], tree) -> bool:
    """Whether most of the text is links' text: a list of headlines, not an article (whose
    paragraphs may hold a link, but are not one)."""
    if len(paragraphs) < 4:
        return False
    by_start: dict[str, list[str]] = {}  # link texts by their first 15 characters
    for link in tree.iter("a"):
        text = _text(link.text_content())
        if len(text) >= 15:
            by_start.setdefault(text[:15], []).append(text)
    headlines = sum(
        1
        for p in paragraphs
        if any(p.startswith(text) and len(text) >= len(p) / 2 for text in by_start.get(p[:15], ()))
    )
    return headlines >= 0.6 * len(paragraphs)


def _text(value: str | None) -> str:
    """Text for comparing and for titles: invisible characters dropped, spaces collapsed
    (clean_paragraph).

    (lxml has already decoded entities; decoding again would turn a written "&amp;lt;" into "<".)
    """
    if not value:
        return ""
    return clean_paragraph(value)


def _paragraphs(body) -> list[str]:
    """One paragraph per block of trafilatura's tree; a line break starts a new one."""
    cleaned = ((part, clean_paragraph(part)) for part in _parts(body))
    return [Quoted(text) if isinstance(part, Quoted) else text for part, text in cleaned if text]


def _parts(container) -> Iterator[str]:
    """The texts of a container's blocks in order; in a table cell laid out as a page, also
    its lines between them (old news sites write "Pyongyang, … --" before the first <p>).
    A quote's parts are Quoted."""
    loose = container.tag in ("cell", "quote")
    line = container.text or ""
    for child in container:
        if _is_container(child) or child.tag in _BLOCKS:
            yield line if loose else ""
            parts = _parts(child) if _is_container(child) else _split_at_breaks(child)
            yield from map(Quoted, parts) if child.tag == "quote" else parts
            line = ""
        elif child.tag == "lb":
            yield line if loose else ""
            line = ""
        else:
            line += "".join(child.itertext())
        line += child.tail or ""
    yield line if loose else ""


def _is_container(element) -> bool:
    """Holds blocks to read one by one: a wrapper, a quote of paragraphs, or a table row or
    cell holding paragraphs or headings (a page laid out in a table, not a data table, whose
    row is one line)."""
    inner = [d.tag for d in element.iterdescendants() if d.tag in _BLOCKS]
    if element.tag in ("row", "cell", "quote"):
        return any(tag not in ("row", "cell") for tag in inner)
    return element.tag not in _BLOCKS and bool(inner)


def _split_at_breaks(element) -> list[str]:
    if element.tag == "row":
        return [" ".join(clean_paragraph("".join(c.itertext())) for c in element if c.tag == "cell")]
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append(child.tail or "")
            continue
        parts[-1] += "".join(child.itertext()) + (child.tail or "")
    return parts


def _title(
    tree, found: str | None, sitename: str | None, hostname: str | None, first: list[str]
) -> str | None:
    """The headline: a title candidate that a heading on the page confirms, else og/<title>;
    `first` is the text's first line, which may be the headline."""
    site = _site_names(sitename, hostname)
    metas = [
        _text(v)
        for v in tree.xpath(
            "//meta[@property='og:title' or @name='twitter:title' or @name='title'"
            " or @name='dc.title' or @name='DC.title']/@content"
        )
    ]
    titles = [_text(t.text_content()) for t in tree.iter("title")][:1]
    candidates = [c for c in dict.fromkeys([*metas, *titles, _text(found)]) if c]
    pieces: list[str] = []
    for candidate in candidates:
        pieces.extend(_title_pieces(candidate, site))
    headings = [
        h for h in (_text(e.text_content()) for e in tree.iter("h1", "h2", "h3") if not _in_chrome(e)) if h
    ]
    confirmed = [p for p in pieces if any(_heading_confirms(h, p) for h in headings)]
    if confirmed:
        return max(confirmed, key=len)
    shown = _article_heading(tree, site, first) if _names_only(candidates) else None
    if shown:
        return shown  # the page's title and og:title name only the site or a section
    for candidate in candidates:
        trimmed = _trim_site_parts(candidate, site)
        if trimmed:
            return trimmed
    return None


def _names_only(candidates: list[str]) -> bool:
    """Whether every part of the title candidates is a name of three words or fewer ("News",
    "Example Site", "Latest news"), never a headline."""
    return all(len(part.split()) <= 3 for c in candidates for part in _SEPARATORS.split(c) if part.strip())


def _article_heading(tree, site: set[str], first: list[str]) -> str | None:
    """The article's own headline: the h1 in its article or main element, else the page's
    only h1 outside its header, navigation and footer, else the text's first line where the
    page sets it apart (old pages with no h1); never the site's name or a word."""
    inside = tree.xpath("//article//h1 | //main//h1")
    outside = [h for h in tree.iter("h1") if not _in_chrome(h)]
    for heading in inside[:1] or (outside if len(outside) == 1 else []):
        text = _text(heading.text_content())
        if len(text.split()) >= 2 and len(text) <= 300 and text.casefold() not in site:
            return text
    line = first[0] if first and not outside else ""
    if (
        len(line.split()) >= 2
        and len(line) <= 300
        and line.casefold() not in site
        and not _SENTENCE.search(line)
    ):
        marked = tree.xpath(
            "//b | //strong | //h2 | //h3 | //*[contains(@class, 'title') or contains(@class, 'headline')]"
        )
        if any(_text(e.text_content()) == line for e in marked):
            return line
    return None


def _without_navigation(paragraphs: list[str], tree) -> list[str]:
    """The text without the navigation lines at its ends ("Home | News of Nov. 17", "Next |
    Previous"): lines made of two or more of the page's links and separators only."""
    links = {_text(a.text_content()) for a in tree.iter("a")}

    def navigation(line: str) -> bool:
        parts = [p.strip() for p in _SEPARATORS.split(line) if p.strip()]
        return len(parts) >= 2 and all(p in links for p in parts)

    start, end = 0, len(paragraphs)
    while start < end and navigation(paragraphs[start]):
        start += 1
    while end > start and navigation(paragraphs[end - 1]):
        end -= 1
    return paragraphs[start:end]


def _site_name(found: str | None, title: str | None) -> str | None:
    """The site's name (og:site_name), without the article's headline that some sites put
    in it ("Land zahlte rund 1,4 Millionen Euro | MLUK" gives "MLUK"); None when it is only
    the headline."""
    name = _text(found)
    headline = (title or "").casefold()
    if not name or not headline:
        return name or None
    parts = [p.strip() for p in _SEPARATORS.split(name) if p.strip()]
    kept = [p for p in parts if not _is_headline(p.casefold(), headline)]
    if kept == parts:
        return name
    return " ".join(kept) if len(kept) == 1 else None


def _is_headline(part: str, headline: str) -> bool:
    """A part of og:site_name that is the headline, holds it, or is most of it ("AP" in
    "Snapshot of the economy" is not)."""
    return headline in part or (part in headline and len(part) >= 0.6 * len(headline))


def _in_chrome(element) -> bool:
    """In the site's header, navigation or footer, and not in an article (whose own header
    holds its headline)."""
    return bool(element.xpath("ancestor::header | ancestor::nav | ancestor::footer")) and not element.xpath(
        "ancestor::article | ancestor::main"
    )


def _site_names(sitename: str | None, hostname: str | None) -> set[str]:
    """Ways a title may name the site: its name, its host, the host's main label."""
    name = _text(sitename)
    names = {name.casefold()} if len(name) <= 40 else set()
    host = (hostname or "").casefold().removeprefix("www.")
    names.add(host)
    labels = host.split(".")
    if len(labels) >= 2:
        names.add(labels[-2])
    return {n for n in names if n}


def _title_pieces(title: str, site: set[str]) -> list[str]:
    """The title and every run of its separator-delimited parts, site-name parts left out."""
    parts = [p for p in _SEPARATORS.split(title) if p.strip()]
    seps = _SEPARATORS.findall(title)
    pieces = []
    for i in range(len(parts)):
        for j in range(i + 1, len(parts) + 1):
            if any(p.strip().casefold() in site for p in parts[i:j]):
                continue
            joined = parts[i]
            for k in range(i + 1, j):
                joined += seps[k - 1] + parts[k]
            pieces.append(joined.strip())
    return pieces


def _heading_confirms(heading: str, piece: str) -> bool:
    if heading == piece:
        return True
    return piece in heading and len(piece) >= 0.6 * len(heading) and len(piece.split()) >= 2


def _trim_site_parts(title: str, site: set[str]) -> str:
    """Drop leading/trailing parts that are the site's name or much shorter than the rest."""
    parts = [p.strip() for p in _SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    longest = max(parts, key=len)
    kept = [p for p in parts if p.casefold() not in site and (p == longest or len(p) > len(longest) / 3)]
    if kept == parts:
        return title
    start = title.find(kept[0]) if kept else 0
    end = title.rfind(kept[-1]) + len(kept[-1]) if kept else len(title)
    return title[start:end].strip() or title


def _shown_site_names(tree, title: str | None, sitename: str | None) -> list[str]:
    """The names the page shows for its site, to match a publication before its web address
    does: og:site_name, the parts of <title> and og:title that are not the headline, the
    logo's alt text, the holder in its footer's © line."""
    headline = (title or "").casefold()
    titles = tree.xpath("//title/text() | //meta[@property='og:title']/@content")
    parts = [p.strip() for t in titles for p in _SEPARATORS.split(_text(t)) if p.strip()]
    shown = [p for p in parts if not (_is_headline(p.casefold(), headline) or p.casefold() in headline)]
    shown += [_text(alt) for alt in tree.xpath(_LOGO_ALT)]
    lines = tree.xpath(
        "//text()[contains(., '©') or contains(translate(., 'COPYRIGHT', 'copyright'), 'copyright')]"
    )
    shown += [m["name"] for m in (_COPYRIGHT.search(_text(line)) for line in lines) if m]
    return [name for name in dict.fromkeys([sitename or "", *shown]) if name and len(name) <= 60]


def _archived_address(tree) -> tuple[str | None, dt.date | None]:
    """The original address and capture day of a Wayback Machine save whose canonical link
    or og:url is its archive address (web.archive.org/web/<time>/<original>)."""
    for value in tree.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"):
        found = _WAYBACK_URL.match(value.strip())
        if found and http_url(found["url"]):
            return http_url(found["url"]), _ymd(found["ts"])
    return None, None


def _language(tree, found: str | None) -> str | None:
    lang = (tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or found or "").strip()
    lang = lang.replace("_", "-").split("-")[0].lower()
    return lang if re.fullmatch(r"[a-z]{2,3}", lang) else None


def _page_url(tree) -> str | None:
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        for value in tree.xpath(xpath):
            url = http_url(value)
            if url and "web.archive.org/web/" not in url:
                return url
    return None


def http_url(value: str | None) -> str | None:
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c in value for c in " <>\"'"):
        return None
    netloc = parts.netloc
    if (parts.scheme, parts.port) in (("http", 80), ("https", 443)):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _saved(head: str) -> tuple[str | None, dt.date | None]:
    """The address and day the saving tool recorded, where it recorded them."""
    wayback = _WAYBACK.search(head)
    if wayback:
        return http_url(wayback.group("url")), _ymd(wayback.group("ts"))
    single_url = _SINGLEFILE_URL.search(head)
    single_date = _SINGLEFILE_DATE.search(head)
    if single_url or single_date:
        day = None
        if single_date and single_date.group("mon").lower() in MONTH_NUMBERS:
            try:
                day = dt.date(
                    int(single_date.group("year")),
                    MONTH_NUMBERS[single_date.group("mon").lower()],
                    int(single_date.group("day")),
                )
            except ValueError:
                day = None
        return http_url(single_url.group(1)) if single_url else None, day
    saved_from = _SAVED_FROM.search(head)
    if saved_from:
        return http_url(saved_from.group(1)), None
    stamps = Counter(_WAYBACK_TS.findall(head))
    if stamps:
        return None, _ymd(stamps.most_common(1)[0][0])
    return None, None


def _ymd(stamp: str) -> dt.date | None:
    return parse_iso_day(f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}")


def _headline(tree, title: str | None):
    """The heading element that shows the title (exactly, else within it), else the first h1."""
    headings = [(e, _text(e.text_content())) for e in tree.iter("h1", "h2", "h3")]
    if title:
        for test in (lambda text: text == title, lambda text: title in text):
            for element, text in headings:
                if text and test(text):
                    return element
    return next((e for e, text in headings if e.tag == "h1" and text), None)


def _date(headline, paragraphs: list[str], metadata: str | None) -> tuple[dt.date | None, str]:
    shown = _date_near(headline, paragraphs) if headline is not None else None
    if shown is not None:
        return shown, "the date shown with the headline"
    day = parse_iso_day(metadata or "")
    if day is not None:
        return day, "the page's metadata"
    return None, ""


def _date_near(headline, paragraphs: list[str], limit: int = 40) -> dt.date | None:
    """A date line or dateline between the headline and the article's second paragraph.

    The first paragraph may be a standfirst with the date line under it; anything after
    the second paragraph, or after a list heading ("More Articles", "Latest news"), is
    not the article's own date.
    """
    starts = [_text(p)[:40] for p in paragraphs[:2] if _text(p)]
    heading = _text(headline.text_content())
    seen = 0
    for count, piece in enumerate(_texts_from(headline)):
        if count >= limit or LIST_HEADING.match(piece):
            break
        date = date_line(piece)
        if date is None:
            date = dateline(piece)[0]
        if date is not None and date.year is not None:
            return date.resolve()
        shown = _header_date(piece) if not seen and piece not in heading else None
        if shown is not None:
            return shown
        if any(
            piece.startswith(start) or start.startswith(piece[:40]) for start in starts if len(piece) >= 20
        ):
            seen += 1
            if seen >= 2:
                break
    return None


def _header_date(piece: str) -> dt.date | None:
    """The one day a short line above the text shows among other details ("发布时间：
    2019年11月17日 来源：新华网", "Juche 108 (2019), November 17 | Source: KCNA"); a day
    without its year takes the one year the line names."""
    if len(piece) > 100 or _SENTENCE.search(piece):
        return None
    dates = find_dates(piece)
    days = {d.resolve() for d in dates if d.year is not None} - {None}
    if days:
        return days.pop() if len(days) == 1 else None
    years = set(_YEAR.findall(piece))
    return dates[0].resolve(int(years.pop())) if len(dates) == 1 and len(years) == 1 else None


def _texts_from(start) -> Iterator[str]:
    """Non-empty text pieces in document order, from `start` to the end of the page."""
    from lxml import etree

    started = False
    walker = etree.iterwalk(start.getroottree().getroot(), events=("start", "end"))
    for event, element in walker:
        if event == "start":
            if element is start:
                started = True
            if not isinstance(element.tag, str) or element.tag in _SKIP:
                walker.skip_subtree()
                continue
            piece = element.text
        else:
            piece = element.tail
        if started and piece and piece.strip():
            yield _text(piece)


def _drop_leading_furniture(page: HtmlPage) -> None:
    """The headline and date lines that trafilatura kept at the top of the text."""
    while page.paragraphs and (
        (page.title and _text(page.paragraphs[0]) == page.title) or date_line(page.paragraphs[0])
    ):
        page.paragraphs.pop(0)


def _add_standfirst(page: HtmlPage, tree, description: str | None, headline) -> None:
    """Put back the standfirst under the headline when trafilatura left it out."""
    desc = _text(description).rstrip("…").rstrip(".").strip()
    if len(desc) < 40 or not page.paragraphs:
        return
    body = _text(" ".join(page.paragraphs[:3]))
    if desc[:60] in body:
        return
    order = {el: i for i, el in enumerate(tree.iter())}
    first_para = _text(page.paragraphs[0])[:60]
    standfirst = None
    for element in tree.iter("p", "div", "span", "section", "strong", "b", "header", "summary", "h2"):
        text = _text(element.text_content())
        if text.startswith(desc[:60]) and len(text) < 2 * len(desc) + 80:
            standfirst = (element, clean_paragraph(element.text_content()))
            break
    if standfirst is None or not _SENTENCE.search(standfirst[1]):
        return
    element, text = standfirst
    starts = [
        order[e]
        for e in tree.iter("p", "div", "section", "article", "main", "span", "td", "li", "blockquote")
        if _text(e.text_content()).startswith(first_para)
    ]
    after_headline = headline is None or order.get(headline, -1) < order[element]
    if starts and after_headline and order[element] < min(starts):
        page.paragraphs.insert(0, text)
        page.notes.append("put back the standfirst under the headline")


def _leads(tree) -> list[tuple[str, str]]:
    """The teasers of the page's related lists, each once: (text, date shown)."""
    items = dict.fromkeys(item for _, links in _teaser_blocks(tree) for item in _items(links))
    return [lead for lead in map(_lead, items) if lead[0]]


def _without_teasers(tree):
    """A copy of the page without its related lists, whose teasers' text and dates would
    otherwise be read as the article's (htmldate takes a bare date from anywhere)."""
    copy = deepcopy(tree)
    for heading, links in list(_teaser_blocks(copy)):
        for element in (heading, *links):
            if element.getparent() is not None:
                element.getparent().remove(element)  # lxml removes its tail text with it
    return copy


def _teaser_blocks(tree) -> Iterator[tuple[Any, list]]:
    """Each list heading ("Related News", "More Articles", "相关新闻") with the lists and
    links that follow it, wherever it stands (an aside, or the article's own container)."""
    for heading in tree.iter("h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "span", "div"):
        if len(heading) > 2 or not LIST_HEADING.match(_text(heading.text_content())):
            continue
        links = list(takewhile(_is_teaser_list, heading.itersiblings()))
        if links:
            yield heading, links


def _is_teaser_list(element) -> bool:
    """A list, a link, or an element whose text is mostly its links' (a date beside them)."""
    if element.tag in ("ul", "ol", "a"):
        return True
    if not isinstance(element.tag, str) or element.tag in _HEADINGS:
        return False
    text = len(_text(element.text_content()))
    linked = sum(len(_text(a.text_content())) for a in element.iter("a"))
    return linked > 0 and linked >= text / 2


def _items(links: list) -> Iterator[Any]:
    """The teasers of a block: its list items, else its links."""
    for element in links:
        items = list(element.iter("li")) or ([element] if element.tag == "a" else list(element.iter("a")))
        yield from items


def _lead(item) -> tuple[str, str]:
    links = [_text(a.text_content()) for a in item.iter("a")]
    text = next((t for t in links if t), "") or _text(item.text_content())
    shown_beside = (item.tail or "") if item.tag == "a" else ""  # "<a>Headline</a> 2019-11-16"
    dates = find_dates(_text(item.text_content() + " " + shown_beside))
    shown = next((d.resolve().isoformat() for d in dates if d.year and d.resolve()), "")
    return text, shown
