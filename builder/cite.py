"""How to cite a statement: Chicago style, BibTeX and CSL-JSON, all naming its permalink.

The access date. Chicago asks for the day the reader consulted the page. A static site
cannot know that day, and writing the build's day instead would be wrong (a page built in
March is read in June) and would make every build differ. So the reference says
"Accessed [date]." on the page, and the theme's small cite.js (a static file, allowed by the
page's Content-Security-Policy) puts the reader's own date in its place in their browser.
BibTeX and CSL-JSON are data for reference managers: they carry no access date (add
`urldate` / `accessed` when you read it), and they record when the archive retrieved the
text from its source, which is a fact of the content.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
CSL_TYPES = {
    "speech": "speech",
    "interview": "interview",
    "report": "report",
    "letter": "personal_communication",  # CSL has no "letter": its letters are this type
}  # every other kind reads as a newspaper article
ACCESS_PLACEHOLDER = "[date]"
_DATE_PARTS = re.compile(r'"date-parts": (\[[\s\d,\[\]]*\])')
_BIBTEX_SPECIAL = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",  # "\{" still counts as a brace: a lone one breaks the entry
        "}": r"\textbraceright{}",
        "%": r"\%",
        "&": r"\&",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "^": r"\^{}",
        "~": r"\~{}",
    }
)


@dataclass(frozen=True)
class CitedStatement:
    """Everything a reference needs, with names already resolved."""

    id: str
    title: str
    date: dt.date
    permalink: str
    source: str  # the publication's name
    site_title: str
    kind: str = "article"
    author: str | None = None  # the speaker's name
    editors: str = ""  # site.yaml's author: the archive's editors
    language: str = ""
    summary: str = ""
    source_url: str | None = None
    retrieved: dt.date | None = None


def chicago_date(day: dt.date) -> str:
    """'November 17, 2019', as Chicago writes dates, in every locale."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def _quoted_title(title: str) -> str:
    title = " ".join(title.split())
    return f"“{title}”" if title[-1:] in ".?!" else f"“{title}.”"


def _chicago_parts(c: CitedStatement) -> list[tuple[str, bool]]:
    """The reference as (text, italic) runs, shared by the plain and the HTML form."""
    parts: list[tuple[str, bool]] = []
    if c.author:
        author = " ".join(c.author.split())
        parts.append((author if author.endswith(".") else author + ".", False))
        parts.append((" ", False))
    parts.append((_quoted_title(c.title) + " ", False))
    parts.append((c.source, True))
    parts.append((f", {chicago_date(c.date)}. ", False))
    parts.append((c.site_title, True))
    parts.append((f", edited by {c.editors}. " if c.editors else ". ", False))
    return parts


def chicago(c: CitedStatement, accessed: str = ACCESS_PLACEHOLDER) -> str:
    """The Chicago bibliography entry as plain text."""
    text = "".join(t for t, _ in _chicago_parts(c))
    return f"{text}Accessed {accessed}. {c.permalink}."


def chicago_html(c: CitedStatement) -> Markup:
    """The Chicago entry as HTML: titles in italics, the access date in a span cite.js fills."""
    runs = "".join(f"<i>{escape(t)}</i>" if italic else escape(t) for t, italic in _chicago_parts(c))
    access = f'<span class="access-date" data-access-date>{escape(ACCESS_PLACEHOLDER)}</span>'
    link = f'<a href="{escape(c.permalink)}">{escape(c.permalink)}</a>'
    return Markup(f"{runs}Accessed {access}. {link}.")


def _bibtex_value(text: str) -> str:
    return " ".join(text.translate(_BIBTEX_SPECIAL).split())


def _provenance(c: CitedStatement) -> str:
    note = f"Archived by {c.site_title}"
    if c.retrieved:
        note += f"; text retrieved from the source on {c.retrieved.isoformat()}"
    if c.source_url:
        note += f"; original at {c.source_url}"
    return note


def bibtex(c: CitedStatement) -> str:
    """A BibTeX @misc entry (fields biblatex also reads); braces keep names and case whole."""
    url = c.permalink.replace("{", "%7B").replace("}", "%7D")
    fields = []
    if c.author:
        fields.append(("author", "{" + _bibtex_value(c.author) + "}"))
    fields += [
        ("title", "{" + _bibtex_value(c.title) + "}"),
        ("howpublished", _bibtex_value(c.source)),
        ("date", c.date.isoformat()),
        ("year", str(c.date.year)),
    ]
    fields.append(("url", url))
    fields.append(("organization", _bibtex_value(c.site_title)))
    if c.editors:
        fields.append(("editor", "{" + _bibtex_value(c.editors) + "}"))
    if c.language:
        fields.append(("langid", _bibtex_value(c.language)))
    fields.append(("note", _bibtex_value(_provenance(c))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    month = BIBTEX_MONTHS[c.date.month - 1]
    return f"@misc{{{c.id},\n{body},\n  month = {month}\n}}\n"


def csl_item(c: CitedStatement) -> dict[str, Any]:
    """One CSL-JSON item, as Zotero, Pandoc and citeproc read it."""
    item: dict[str, Any] = {
        "id": c.id,
        "type": CSL_TYPES.get(c.kind, "article-newspaper"),
        "title": c.title,
        "container-title": c.source,
        "issued": {"date-parts": [[c.date.year, c.date.month, c.date.day]]},
        "URL": c.permalink,
        "genre": c.kind,
        "archive": c.site_title,
        "note": _provenance(c),
    }
    if c.author:
        item["author"] = [{"literal": c.author}]
    if c.editors:
        item["editor"] = [{"literal": c.editors}]
    if c.language:
        item["language"] = c.language
    if c.summary:
        item["abstract"] = c.summary
    return item


def csl_json(c: CitedStatement) -> str:
    """A CSL-JSON document (a list of one item), readable in a <pre> and as a download."""
    text = json.dumps([csl_item(c)], ensure_ascii=False, indent=2)
    return _DATE_PARTS.sub(lambda m: '"date-parts": ' + json.dumps(json.loads(m.group(1))), text) + "\n"
