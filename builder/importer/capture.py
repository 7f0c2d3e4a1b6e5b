"""Plain-text captures: text copied from a news page, with the page's furniture around it.

A copied page has, around the statement, lines that are not part of it: a headline and a
date line above; below, a "More From …" / "Related" / "More Articles" list of teasers,
each cut mid-sentence, often shown twice with the listing's date between. The rules:

* optional `Key: value` lines at the very top (URL, Source, Title, Date, Retrieved) are
  the maintainer's own notes about the capture and are trusted as such;
* the body starts at the first line that reads as prose (ends like a sentence); lines
  above it are the head: the headline (last line of two words or more, or of two Han or
  kana characters; one word where no such line is, "Obituary"), date lines;
* the body ends at a list heading ("More From X", "Related", "More Articles", …), a
  copyright footer, an editor's credit ("【责任编辑：王明】"), or where teaser structure starts: a line, a date line, and the line
  again (or line/date pairs repeating) with no sentence of the text after them (dated
  lines followed by more prose are the statement's own list); everything below is read
  as leads;
* single-word interface lines (Share, Print, Facebook, …) are dropped anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from .body import drop_invisible
from .dates import TextDate, date_line, dateline, place_date_line, year_line
from .ids import HAN

_HEADER = re.compile(
    r"^(?P<key>url|source url|link|source|publication|title|headline|date|published"
    r"|retrieved|captured|accessed|saved)\s*:\s*(?P<value>\S.*)$",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
LIST_HEADING = re.compile(
    r"^[\W_]{0,3}(?:more\s+(?:news\s+|stories\s+|articles\s+)?from\s+(?P<from>.{2,60}?)"
    r"|more\s+(?:news\s+|stories\s+|articles\s+)?(?:in|on|by)\s+.{2,60}?"
    r"|(?:more|other|latest|recent|related|similar|popular|recommended|trending|top|further"
    r"|previous|next)\s+(?:articles?|stories|story|news|posts?|reading|items|reports?|headlines)"
    r"|related|see\s+also|read\s+also|also\s+read|read\s+more|more|most\s+(?:read|popular|viewed)"
    r"|you\s+(?:may|might)\s+also\s+(?:like|be\s+interested\s+in)|in\s+other\s+news"
    r"|weitere\s+(?:artikel|meldungen|nachrichten|informationen)|das\s+könnte\s+sie\s+auch\s+interessieren"
    r"|noticias\s+relacionadas|art[ií]culos\s+relacionados|lire\s+aussi|à\s+lire\s+aussi"
    r"|相关(?:新闻|文章|阅读)|더\s*보기|관련\s*기사)[\W_]{0,3}$",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"^(?:©|\(c\)\s|copyright\b|all rights reserved|powered by\b)(?P<rest>.{0,120})$", re.IGNORECASE
)
_UI_WORDS = frozenset(
    """share print email e-mail mail tweet facebook twitter x telegram whatsapp vk vkontakte
    linkedin reddit weibo wechat line copy link copy-link home back top menu search login log-in
    sign-in subscribe close comments comment like save bookmark rss print-this share-this
    back-to-top font-size a-a-a a+ a- advertisement ad sponsored listen play pause""".split()
)
# A bare site address closing a page, often with the page's date: "www.kcna.kp (Juche113.1.5.)".
_SITE_LINE = re.compile(
    r"^(?:https?://)?(?:www\.)?(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})/?\s*(?:[(\[](?P<date>[^)\]]{4,40})[)\]])?$",
    re.IGNORECASE,
)
_PROSE_END = re.compile(r"[.!?:;…。！？][\"'”’»)\]]*$")
_BREADCRUMB = re.compile(r"\s(?:>|»|/|\||›)\s")
# An editor's credit closing a Chinese or Japanese page: "【责任编辑：王明】".
_CREDIT = re.compile(r"^[【\[(（]?\s*(?:责任编辑|責任編輯|编辑|編輯|编审|責任編集|編集)\s*[:：].{0,30}$")
# Han or kana: scripts written without spaces, where a headline is one "word".
_UNSPACED = re.compile(f"[{HAN}\u3040-\u30ff]")
# Section names a page shows above its headline, never a headline of their own.
_SECTIONS = frozenset(
    "home news politics world business economy sports opinion culture society national international "
    "latest top articles".split()
)
# KCNA's end marker, on its own line or closing the last paragraph: "… unchanged. -0-",
# also glued to the sentence, its last dash lost: "… on Thursday.-0-", "… motherland.-0".
_END_MARK = re.compile(r"(?:^|\s+)-\s?0\s?-$|(?<=[.!?\"”’)])-\s?0\s?-?$")
_PLACE_COMMA = re.compile(r"[^,]{1,40},\s")
_BYLINE = re.compile(r"^(?:by|von|por|par|author|autor|text)\b[:\s]", re.IGNORECASE)


@dataclass
class TextCapture:
    """What a plain-text capture holds, each part kept apart."""

    paragraphs: list[str]
    title: str | None = None
    head_date: TextDate | None = None  # a date line above the body (or signing it off)
    year: int | None = None  # a year the text writes: alone above it, or in its signed-off date
    headers: dict[str, str] = field(default_factory=dict)
    publication_names: list[str] = field(default_factory=list)
    leads: list[tuple[str, str]] = field(default_factory=list)  # (text, date)
    dropped: list[str] = field(default_factory=list)  # what was left out, for the report


@dataclass
class _Line:
    text: str
    blank_before: bool


def parse_text(text: str, inherited: dict[str, str] | None = None) -> TextCapture:
    """Split a copied page into headers, head, body paragraphs and trailing leads.

    `inherited`: headers of the capture this text was split from, its own taking precedence.
    """
    lines = [drop_invisible(line).strip() for line in text.splitlines()]
    headers, start = _headers(lines)
    trailing, stop = _trailing_headers(lines, start)
    headers = {**(inherited or {}), **trailing, **headers}
    raw, ui_dropped = _entries(lines[start:stop])
    cut = _body_end(raw)
    entries, tail = _joined(raw[:cut]), raw[cut:]
    body_start = next((i for i, e in enumerate(entries) if _is_prose(e.text)), 0)
    head, body = entries[:body_start], entries[body_start:]
    result = TextCapture(paragraphs=[], headers=headers)
    result.title, result.head_date, result.year, agency = _read_head(head)
    result.paragraphs, repeats = _paragraphs(body)
    after = [e for e in tail if not _END_MARK.match(e.text)]  # "-0-" closes the text
    signed = _sign_off_date(body, after)
    if result.head_date is None:
        result.head_date = signed
    if result.year is None and signed is not None:
        result.year = signed.year
    if agency:
        result.publication_names.append(agency)
    result.leads = _leads(tail)
    result.publication_names += _publication_names(headers, tail)
    if ui_dropped:
        result.dropped.append(f"{ui_dropped} interface line(s) (Share, Print, …)")
    if repeats:
        result.dropped.append(f"{repeats} repeated line(s)")
    if after:
        result.dropped.append(f"{len(after)} line(s) after the text (lists, teasers, footer)")
    return result


def split_statements(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each statement a capture holds, in order.

    A copied news listing holds several: each a headline line followed by a dateline
    ("Pyongyang, November 18 (KCNA) --"). With two such starts or more the capture is cut
    before each headline (the first part keeps the lines above it); a teaser list below a
    list heading or footer never starts one.
    """
    lines = text.splitlines(keepends=True)
    starts = _statement_starts([drop_invisible(line).strip() for line in lines])
    if len(starts) < 2:
        return [(1, text)]
    bounds = [0, *starts[1:], len(lines)]
    return [(a + 1, "".join(lines[a:b])) for a, b in pairwise(bounds)]


def _statement_starts(lines: list[str]) -> list[int]:
    """Indexes of headline lines that a dateline follows (blank lines between or not)."""
    starts = []
    previous: int | None = None
    for i, line in enumerate(lines):
        if not line:
            continue
        if LIST_HEADING.match(line) or _FOOTER.match(line):
            break
        if previous is not None and _opens_with_dateline(line) and _is_headline(lines[previous]):
            starts.append(previous)
        previous = i
    return starts


def _is_headline(line: str) -> bool:
    return not (_is_prose(line) or _is_ui(line) or _HEADER.match(line) or _opens_with_dateline(line))


def text_paragraphs(text: str) -> list[str]:
    """A text given alone (a record's body) split as a capture's body is: each line a
    paragraph, blank lines or not, "\r\n" as "\n", hard-wrapped lines joined again."""
    entries: list[_Line] = []
    blank = False
    for line in (drop_invisible(line).strip() for line in text.splitlines()):
        if line:
            entries.append(_Line(line, blank))
        blank = not line
    return [entry.text for entry in _joined(entries)]


def _headers(lines: list[str]) -> tuple[dict[str, str], int]:
    headers: dict[str, str] = {}
    i = 0
    while i < len(lines):
        if not lines[i]:
            i += 1
            continue
        m = _HEADER.match(lines[i])
        if not m:
            break
        headers.setdefault(m.group("key").lower(), m.group("value").strip())
        i += 1
    return headers, i


def _trailing_headers(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    """Provenance noted below the copied text ("Retrieved: 2019-11-18", "URL: https://…",
    and the page's address alone beside such a line), and where it begins: not the
    statement's last paragraph. Only those keys, with values that look the part: a text
    ending on "Date: the figures were …" or on a link it cites keeps them."""
    headers: dict[str, str] = {}
    bare: str | None = None
    stop = len(lines)
    while stop > start:
        line = lines[stop - 1]
        m = _HEADER.match(line) if line else None
        if m and _is_provenance(m.group("key").lower(), m.group("value")):
            headers.setdefault(m.group("key").lower(), m.group("value").strip())
        elif _BARE_URL.match(line) and bare is None:
            bare = line
        elif line:
            break
        stop -= 1
    if not headers:  # an address alone may be the text's own last line
        return {}, len(lines)
    if bare:
        headers.setdefault("url", bare)
    return headers, stop


def _is_provenance(key: str, value: str) -> bool:
    if key in ("url", "source url", "link"):
        return _BARE_URL.match(value.strip()) is not None
    return key in ("retrieved", "captured", "accessed", "saved") and any(c.isdigit() for c in value)


def _entries(lines: list[str]) -> tuple[list[_Line], int]:
    """Non-blank lines but interface words; an end marker closing a line is a line of its own."""
    entries: list[_Line] = []
    blank = False
    dropped = 0
    for line in lines:
        if not line:
            blank = True
            continue
        if _is_ui(line):
            dropped += 1
            continue
        mark = _END_MARK.search(line)
        if mark and mark.start() > 0:
            entries.append(_Line(line[: mark.start()], blank))
            line, blank = "-0-", False
        entries.append(_Line(line, blank))
        blank = False
    return entries, dropped


def _furniture(text: str) -> bool:
    """A line below the text that is no teaser: a heading, footer, site address, credit, end marker."""
    return any(p.match(text) for p in (LIST_HEADING, _FOOTER, _SITE_LINE, _CREDIT, _END_MARK))


def without_end_mark(paragraphs: list[str]) -> list[str]:
    """A record's paragraphs without KCNA's "-0-" closing the last one."""
    if not paragraphs:
        return paragraphs
    last = _END_MARK.sub("", paragraphs[-1])
    return [*paragraphs[:-1], last] if last else paragraphs[:-1]


def _joined(entries: list[_Line]) -> list[_Line]:
    """Hard-wrapped lines joined into the lines (paragraphs) they were cut from."""
    blank_separated = any(e.blank_before for e in entries[1:])
    width = _wrap_width(entries)
    joined: list[_Line] = []
    for entry in entries:
        if (
            joined
            and not entry.blank_before
            and _continues(joined[-1].text, entry.text, blank_separated, width)
        ):
            joined[-1] = _Line(_join(joined[-1].text, entry.text), joined[-1].blank_before)
        else:
            joined.append(entry)
    return joined


def _wrap_width(entries: list[_Line]) -> int | None:
    """The width a text was hard-wrapped at, when most of its lines fill it; else None."""
    lengths = sorted(len(e.text) for e in entries if not date_line(e.text))
    if len(lengths) < 6:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    full = sum(1 for n in lengths if 0.7 * width <= n <= width)
    return width if width <= 100 and full >= 0.6 * len(lengths) else None


def _is_ui(line: str) -> bool:
    key = re.sub(r"[\s_]+", "-", line.strip(" \t|•·:").lower())
    return key in _UI_WORDS


def _is_prose(text: str) -> bool:
    if date_line(text) or LIST_HEADING.match(text):
        return False
    return bool(_PROSE_END.search(text)) or len(text.split()) >= 30


def _body_end(entries: list[_Line]) -> int:
    """Where the text ends: a list heading, a footer or a teaser list after some prose."""
    lines = _Lines(entries)
    prose_seen = False
    for j, entry in enumerate(entries):
        if prose_seen and (
            _END_MARK.match(entry.text)
            or LIST_HEADING.match(entry.text)
            or _FOOTER.match(entry.text)
            or _CREDIT.match(entry.text)
            or _SITE_LINE.match(entry.text)
            or _teaser_starts(lines, j)
        ):
            return j
        prose_seen = prose_seen or _is_prose(entry.text)
    return len(entries)


class _Lines:
    """What the teaser rules ask of every line, read once from the end: whether it is a date
    line, how long the run of alternating date and text lines from it is, and whether a
    sentence of the text comes after it (asked at every line, a scan to the end each time
    made a long chronology quadratic)."""

    def __init__(self, entries: list[_Line]):
        self.texts = [e.text for e in entries]
        n = len(entries)
        self.dated = [date_line(t) is not None for t in self.texts]
        self.run = [1] * n  # alternating date/text lines from each one
        self.prose_after = [False] * (n + 1)
        for k in reversed(range(n)):
            if k + 1 < n and self.dated[k] != self.dated[k + 1]:
                self.run[k] = self.run[k + 1] + 1
            self.prose_after[k] = self._stands_alone(k) or (
                self.prose_after[k + 1] and not self._closes_text(self.texts[k])
            )

    @staticmethod
    def _closes_text(text: str) -> bool:
        return bool(LIST_HEADING.match(text) or _FOOTER.match(text) or _SITE_LINE.match(text))

    def _stands_alone(self, k: int) -> bool:
        """A sentence next to no date line (every line of a teaser list is a date or sits
        next to one): the statement going on."""
        if self._closes_text(self.texts[k]) or not _is_prose(self.texts[k]):
            return False
        return not any(0 <= i < len(self.texts) and self.dated[i] for i in (k - 1, k + 1))

    def pairs_end_dated(self, j: int) -> bool:
        """In text, date, text, date … the list is (text, date) pairs only if it ends on a date.

        Ending on a text means the dates come first, and the first text is the body's last line.
        """
        return self.dated[j] or self.run[j] % 2 == 0


def _teaser_starts(lines: _Lines, j: int) -> bool:
    """A teaser list begins at j: text/date/text-again, or text/date pairs, or date/text pairs.

    Dated lines followed by more of the statement's prose are its own list (a white
    paper's chronology), not teasers: a page's list of teasers closes the text.
    """
    texts, dated = lines.texts[j : j + 4], lines.dated[j : j + 4]
    if len(texts) >= 3 and not dated[0] and dated[1] and not dated[2]:
        listed = texts[2] == texts[0] or (len(texts) == 4 and dated[3] and lines.pairs_end_dated(j))
        return listed and not lines.prose_after[j]
    if len(texts) >= 3 and dated[0] and not dated[1] and dated[2]:
        return not lines.prose_after[j]
    return len(texts) == 4 and texts[0] == texts[1] and texts[2] == texts[3] and texts[0] != texts[2]


def _read_head(head: list[_Line]) -> tuple[str | None, TextDate | None, int | None, str | None]:
    """The headline, the date line nearest the text (a ticker above them is not theirs), a
    year written alone ("Juche 108 (2019)") and the agency a dateline line names."""
    title = agency = single = None
    found: TextDate | None = None
    year: int | None = None
    for entry in head:
        date = date_line(entry.text)
        if date is not None:
            if found is None or date.year is not None or found.year is None:
                found = date
            agency = dateline(entry.text)[1] or agency
            continue
        if (alone := year_line(entry.text)) is not None:
            year = alone
            continue
        if _BYLINE.match(entry.text) or _BREADCRUMB.search(entry.text):
            continue
        if LIST_HEADING.match(entry.text):
            continue
        if len(entry.text.split()) >= 2 or len(_UNSPACED.findall(entry.text)) >= 2:
            title = entry.text
        elif entry.text.casefold().strip(" :|") not in _SECTIONS:
            single = entry.text
    return title or single, found, year, agency


def _sign_off_date(body: list[_Line], after: list[_Line]) -> TextDate | None:
    """The date a statement is signed off with, or the page's own date stamp under it.

    Only the last lines of the text and the line right after it (`after`: the lines below
    the text but its end marker) count, and only when the text holds no other date line
    (several would be a list the cut-off missed).
    """
    dated = [e for e in body if date_line(e.text) or place_date_line(e.text)]
    candidates = [e.text for e in body[-3:]][::-1] if len(dated) == 1 else []
    if after and (stamp := _SITE_LINE.match(after[0].text)):
        candidates.append(stamp.group("date") or "")
    for text in candidates:
        date = date_line(text) or place_date_line(text)
        if date is not None and date.year is not None:
            return date
    return None


def _paragraphs(body: list[_Line]) -> tuple[list[str], int]:
    """One paragraph per (joined) line; a line repeating the one before is dropped."""
    paragraphs: list[str] = []
    repeats = 0
    for entry in body:
        if paragraphs and entry.text == paragraphs[-1]:
            repeats += 1
            continue
        paragraphs.append(entry.text)
    return paragraphs, repeats


def _continues(previous: str, line: str, blank_separated: bool = False, width: int | None = None) -> bool:
    """Hard-wrapped text: the previous line stops mid-sentence and this one goes on.

    A line starting in lower case always continues; otherwise the previous line must be a
    long one: of a text whose paragraphs are separated by blank lines, or one that fills
    the width the whole text was wrapped at. A line opening with a news dateline
    ("Pyongyang, November 17 (KCNA) --") starts the text: the line above is its headline.
    """
    if _PROSE_END.search(previous) or date_line(previous) or date_line(line) or LIST_HEADING.match(line):
        return False
    if line[:1].islower() or (previous.endswith("-") and line[:1].isalnum()):
        return True
    if _opens_with_dateline(line):
        return False
    if width is not None:
        return len(previous) >= 0.7 * width
    return blank_separated and len(previous) >= 40


def _opens_with_dateline(line: str) -> bool:
    """ "Pyongyang, November 17 (KCNA) --": a capitalised place and a comma, then the date."""
    return line[:1].isupper() and _PLACE_COMMA.match(line) is not None and dateline(line)[0] is not None


def _join(previous: str, line: str) -> str:
    """A word broken at a hyphen ("anti-" + "DPRK") joins without a space."""
    if previous.endswith("-") and not previous.endswith((" -", "--")):
        return previous + line
    return previous + " " + line


def _leads(tail: list[_Line]) -> list[tuple[str, str]]:
    """(text, date) for each teaser, read in the order the list gives them."""
    items: list[list[str]] = []
    dates_first: bool | None = None
    pending = ""
    for entry in tail:
        text = entry.text
        if _furniture(text):
            continue
        date = date_line(text)
        if date is not None:
            shown = f"{date.year:04d}-{date.month:02d}-{date.day:02d}" if date.year else date.text
            if dates_first is None:
                dates_first = not items
            if dates_first:
                pending = shown
            elif items and not items[-1][1]:
                items[-1][1] = shown
            continue
        if items and items[-1][0] == text:
            continue
        items.append([text, pending])
        pending = ""
    return [(text, date) for text, date in items]


def _publication_names(headers: dict[str, str], tail: list[_Line]) -> list[str]:
    """Publications the capture names: a Source header, "More From X", a copyright line."""
    names = [headers[k] for k in ("publication", "source") if k in headers]
    for entry in tail:
        site = _SITE_LINE.match(entry.text)
        if site:
            names.append(site.group("host").lower())
        m = LIST_HEADING.match(entry.text)
        if m and m.group("from"):
            names.append(m.group("from").strip())
        footer = _FOOTER.match(entry.text)
        if footer:
            rest = re.sub(r"^[\s©(c)\d,.-]*|all rights reserved.*$", "", footer.group("rest"), flags=re.I)
            if rest.strip():
                names.append(rest.strip(" .,"))
    return list(dict.fromkeys(n for n in names if n))
