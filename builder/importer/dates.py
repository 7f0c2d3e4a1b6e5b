"""Dates written in captured text: found, never guessed.

A date counts only where the text writes it: "November 17, 2019", "17. Januar 2022",
"25.01.2022", "2019-11-17", "17 ноября 2019 г.", "2019年11月17日", "주체108(2019)년 11월
17일" (the Juche year N is N + 1911). A day and month without a year ("Nov. 17") is kept
as such (`year` None) and only becomes a statement's date with a year given by the
maintainer or written elsewhere in the text ("Juche 108 (2019)" on a line of its own).

Regular expressions, not a date library: dateparser (installed with htmldate) reads only
the Russian of these forms, none of the Juche or agency datelines, and turns "March" or
"2 years ago" into a day, which would be a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {
    1: "january jan janvier januar jänner enero января январь",
    2: "february feb febr février fevrier februar febrero февраля февраль",
    3: "march mar mars märz maerz marzo марта март",
    4: "april apr avril abril апреля апрель",
    5: "may mai mayo мая май",
    6: "june jun juin juni junio июня июнь",
    7: "july jul juillet juli julio июля июль",
    8: "august aug août aout agosto августа август",
    9: "september sep sept septembre septiembre setiembre сентября сентябрь",
    10: "october oct octobre oktober okt octubre октября октябрь",
    11: "november nov novembre noviembre ноября ноябрь",
    12: "december dec décembre decembre dezember dez diciembre декабря декабрь",
}
MONTH_NUMBERS = {name: number for number, names in _MONTHS.items() for name in names.split()}
_MONTH = "(?:" + "|".join(sorted(map(re.escape, MONTH_NUMBERS), key=len, reverse=True)) + ")"
_WEEKDAY_NAME = (
    r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|montag|dienstag|mittwoch"
    r"|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|lunes|martes|miércoles|jueves|viernes|sábado|domingo)\.?"
)
_WEEKDAY = _WEEKDAY_NAME + r",?\s+"
_ORD = r"(?:st|nd|rd|th|er)?"
DATE_PATTERN = (
    r"(?:(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
    r"|(?P<ny>\d{4})[/.](?P<nm>\d{1,2})[/.](?P<nd>\d{1,2})\.?"
    r"|(?P<ed>\d{1,2})\.\s?(?P<em>\d{1,2})\.\s?(?P<ey>\d{4})"
    r"|(?P<s1>\d{1,2})/(?P<s2>\d{1,2})/(?P<sy>\d{4})"
    r"|juche\s?(?P<jy>\d{1,3})(?:\s?\(\d{4}\))?\.(?P<jm>\d{1,2})\.(?P<jd>\d{1,2})\.?"
    rf"|(?P<mm>{_MONTH})\.?\s+(?P<md>\d{{1,2}}){_ORD}(?:,?\s+(?P<my>\d{{4}}))?"
    rf"|(?P<dd>\d{{1,2}}){_ORD}\.?\s+(?:de\s+)?(?P<dm>{_MONTH})\.?(?:,?\s+(?:de\s+)?(?P<dy>\d{{4}}))?"
    r"|(?:주체|juche)\s?(?P<ky>\d{1,3})\s?(?:\(\d{4}\))?\s*[年년]\s*(?P<kym>\d{1,2})\s*[月월]\s*(?P<kyd>\d{1,2})\s*[日일]"
    r"|(?P<cy>\d{4})\s*[年년]\s*(?P<cm>\d{1,2})\s*[月월]\s*(?P<cd>\d{1,2})\s*[日일]"
    r"|(?P<km>\d{1,2})\s*[月월]\s*(?P<kd>\d{1,2})\s*[日일])"
)
_DATE = re.compile(rf"(?<![\w.]){DATE_PATTERN}(?![\w])", re.IGNORECASE)
_LABEL = (
    r"(?:(?:date|datum|published(?:\s+on)?|posted(?:\s+on)?|publication\s+date|issued(?:\s+on)?"
    r"|veröffentlicht(?:\s+am)?|erschienen(?:\s+am)?|fecha|publicado(?:\s+el)?|publié\s+le"
    r"|发布时间|发布日期|日期|날짜)\s*[:：]?\s*)"
)
_DATE_LINE = re.compile(
    rf"^\W{{0,3}}{_LABEL}?(?:{_WEEKDAY})?(?P<date>{DATE_PATTERN})(?:\s*(?:г\.|года?)(?!\w))?"
    r"(?:\s*(?:[,|·•\-–—]\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*(?:[ap]\.?m\.?|h|uhr))?(?:\s*[A-Z]{2,5})?)?"
    r"(?:\s+(?:来源|來源|출처|source)\s*[:：]\s*\S.{0,40}?)?"
    rf"(?:\s*,?\s*\(?{_WEEKDAY_NAME}\)?)?(?:\s*[,|·•]?\s*(?:by|von|por|par)\s+[^\d]{{1,40}})?\W{{0,3}}$",
    re.IGNORECASE,
)
# "Pyongyang, November 17 (KCNA) --", "Bern, 17.08.2007 - ", "PARIS, Nov. 17, 2019 —"
_DATELINE = re.compile(
    rf"^(?P<place>[^\W\d][\w.'’ -]{{0,40}}?),?\s+(?:{_WEEKDAY})?(?P<date>{DATE_PATTERN})"
    r"\s*(?:\((?P<agency>[^()]{1,40})\))?\s*(?:--|—|–|-|:)\s*",
    re.IGNORECASE,
)

# Agencies' datelines in Korean and Chinese: "(평양 11월 17일발 조선중앙통신)", "新华社平壤11月17日电".
_EAST_DATELINE = re.compile(
    r"^(?:[(（]\s*(?P<kplace>[가-힣]{1,10})\s*(?P<kdate>\d{1,2}\s*월\s*\d{1,2}\s*일)\s*발"
    r"\s*(?P<kagency>[가-힣][가-힣 ]{0,20}?)\s*[)）]"
    r"|(?P<cagency>[^\W\d]{1,10}?社)?\s*(?P<cplace>[^\W\d]{1,10}?)\s*"
    r"(?P<cdate>(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日)\s*电(?:\s*[(（][^)）]{0,40}[)）])?)\s*"
)
# A year on a line of its own: "Juche 108 (2019)", "주체108(2019)년".
_YEAR_LINE = re.compile(
    r"^\W{0,3}(?:juche|주체)\s?(?P<juche>\d{1,3})\s?(?:\(\d{4}\))?\s*[年년]?\W{0,3}$", re.I
)


@dataclass(frozen=True)
class TextDate:
    """A date as written: `year` is None when the text gives only day and month."""

    year: int | None
    month: int
    day: int
    text: str = ""

    def resolve(self, year: int | None = None) -> dt.date | None:
        """The day, with `year` supplied where the text has none; None if impossible."""
        use = self.year if self.year is not None else year
        if use is None:
            return None
        try:
            return dt.date(use, self.month, self.day)
        except ValueError:
            return None


def _from_match(m: re.Match[str], text: str) -> TextDate | None:
    g = m.groupdict()
    if g["iy"]:
        parts = (g["iy"], g["im"], g["id"])
    elif g["ny"]:
        parts = (g["ny"], g["nm"], g["nd"])
    elif g["ey"]:
        parts = (g["ey"], g["em"], g["ed"])
    elif g["cy"]:
        parts = (g["cy"], g["cm"], g["cd"])
    elif g["jy"]:  # the Juche calendar: year 1 is 1912
        parts = (str(int(g["jy"]) + 1911), g["jm"], g["jd"])
    elif g["ky"]:
        parts = (str(int(g["ky"]) + 1911), g["kym"], g["kyd"])
    elif g["sy"]:
        parts = _slashed(int(g["s1"]), int(g["s2"]), g["sy"])
    elif g["km"]:
        parts = (None, g["km"], g["kd"])
    elif g["mm"]:
        parts = (g["my"], str(MONTH_NUMBERS[g["mm"].lower()]), g["md"])
    else:
        parts = (g["dy"], str(MONTH_NUMBERS[g["dm"].lower()]), g["dd"])
    year, month, day = (int(p) if p else None for p in parts)
    if month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is not None and not 1000 <= year <= 2999:
        return None
    return TextDate(year, month, day, text)


def _slashed(first: int, second: int, year: str) -> tuple[str | None, str | None, str | None]:
    """11/17/2019 or 17/11/2019 where only one reading is possible; 05/06/2019 is no date."""
    if first > 12 >= second:
        return year, str(second), str(first)
    if second > 12 >= first:
        return year, str(first), str(second)
    return None, None, None


def find_dates(text: str) -> list[TextDate]:
    """Every date written in `text`, in order (with or without a year)."""
    found = []
    for m in _DATE.finditer(text):
        date = _from_match(m, m.group(0))
        if date is not None:
            found.append(date)
    return found


def date_line(line: str) -> TextDate | None:
    """The date when the whole line is one ("November 17, 2019", "Datum: 25.01.2022"), or an
    agency's dateline with nothing after it ("(평양 11월 17일발 조선중앙통신)")."""
    line = line.strip()
    if len(line) > 80:
        return None
    m = _DATE_LINE.match(line)
    if not m:
        date, agency, end = dateline(line)
        return date if date is not None and agency and end >= len(line) else None
    inner = _DATE.search(m.group("date"))
    return _from_match(inner, line) if inner else None


def year_line(line: str) -> int | None:
    """The year a line states alone, in the Juche calendar ("Juche 108 (2019)" is 2019)."""
    m = _YEAR_LINE.match(line.strip())
    return int(m.group("juche")) + 1911 if m else None


_PLACE_DATE = re.compile(rf"^[^\W\d][\w.'’ -]{{0,40}},\s+(?P<date>{DATE_PATTERN})\.?$", re.IGNORECASE)


def place_date_line(line: str) -> TextDate | None:
    """A sign-off line "Pyongyang, November 17, 2019" (place, then a full date)."""
    m = _PLACE_DATE.match(line.strip())
    inner = _DATE.search(m.group("date")) if m else None
    return _from_match(inner, inner.group(0)) if inner else None


def dateline(paragraph: str) -> tuple[TextDate | None, str | None, int]:
    """A news dateline opening a paragraph: (its date, the agency named, where the text starts)."""
    m = _DATELINE.match(paragraph)
    if m:
        written, agency = m.group("date"), m.group("agency")
    else:
        m = _EAST_DATELINE.match(paragraph)
        if not m:
            return None, None, 0
        written = m.group("kdate") or m.group("cdate")
        agency = m.group("kagency") or m.group("cagency")
    inner = _DATE.search(written)
    date = _from_match(inner, inner.group(0)) if inner else None
    if date is None:
        return None, None, 0
    return date, (agency or "").strip() or None, m.end()


def parse_iso_day(value: str) -> dt.date | None:
    """A strict YYYY-MM-DD, or None."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None
