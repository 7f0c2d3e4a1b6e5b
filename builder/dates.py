"""Date mentions: find the days and months a statement's text speaks of, and resolve them.

One compiled pattern finds every form in a single left-to-right pass: "November 14",
"Nov. 14", "14 November", "November 14th", "14th of November", "Thursday, November 14",
"November 14, 2019", "14 Nov 2019", "2019-11-14", "August 25, Juche 49 (1960)",
"November 2019", and ranges ("November 14-15", "14 to 15 November"), which mean their
first day. Month names count only when capitalised (or in capitals): "march 5" is not a
date, and "May" the verb never stands next to a number.

A day with its year is that day, when it exists ("February 30" and "February 29, 2019"
are never linked). A day without a year means the most recent such day on or before the
statement's date (issued 2020-01-03, "December 28" is 2019-12-28), refined where that
plain rule was seen to give wrong links on ten thousand real statements:
- Future: when the nearest tense cue before the date in its clause speaks of the future,
  the next such day. Cues that put the day itself ahead ("next", "scheduled",
  "upcoming", "to be held") reach up to eleven months; a modal ("will", "shall") or an
  approach ("with the approach of") only half a year, since "the US will pay for its
  provocation on November 14" means a recent past day. A past cue nearer the date wins ("will pay for what it did on …"),
  and a clause opened by "that", "which" or "who" has its own tense ("It will be
  recalled that on June 25 …").
- Ranges: the end of "from January 21 to April 16" is the first such day after the
  start; the start of "from February 24 to April 18, 2014" takes the end's year.
- "November 14 last/this/next year" and "in November last year" take that year; a month
  without a year is otherwise too ambiguous to link.
- A weekday that fits only one of the two candidate days picks it ("Thursday, Nov. 14").
- A day one day after the statement's date is that day, not a year earlier: sources
  date in their own time zone (KCNA datelines run a day ahead of some archives' dates).
- A day that names something is not linked: "the June 15 joint declaration", "the
  historic October 4 declaration", "the "May 24 measure"", "of February 16 Art". Such
  names recall long-past days whose year the text does not give.
- "February 29" without a year needs a leap year next to the statement's year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

_MONTH_NAMES = "January February March April May June July August September October November December".split()
_ABBREVIATIONS = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7,
    "Aug": 8, "Sep": 9, "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}  # fmt: skip
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _month_spellings() -> dict[str, int]:
    """Every spelling of a month that counts: capitalised, in capitals, abbreviated."""
    spellings: dict[str, int] = {}
    for number, name in enumerate(_MONTH_NAMES, 1):
        spellings[name] = spellings[name.upper()] = number
    for abbreviation, number in _ABBREVIATIONS.items():
        spellings[abbreviation] = spellings[abbreviation + "."] = number
    return spellings


MONTHS = _month_spellings()
WEEKDAYS = {name: i for i, day in enumerate(_WEEKDAY_NAMES) for name in (day, day.upper())}


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


# Some space, at most one line break; possessive, so a long run of spaces costs one step.
_S = r"(?:[^\S\n]++(?:\n[^\S\n]*+)?+|\n[^\S\n]*+)"
_RANGE = rf"(?:[^\S\n]*[-–—][^\S\n]*|{_S}(?:to|and|through){_S})"


def _month(group: str) -> str:
    # Not inside a word, not "Mar-a-Lago" or "November-class".
    return rf"(?<!\w)(?P<{group}>{_alternation(MONTHS)})(?![A-Za-z]|[-‐‑][A-Za-z])"


def _day(group: str) -> str:
    # 1-31, optional ordinal suffix; not the start of "143", "14.5" or "14:30".
    return rf"(?P<{group}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\w|[.:]\d)"


def _year(group: str, era: str) -> str:
    # "2019", "in 2019", or a calendar era's year followed by the common era's:
    # "Juche 49 (1960)".
    plain = rf"(?:(?:in|of){_S})?(?P<{group}>[12]\d{{3}})(?!\w|[-–]\d)"
    return rf"(?:{plain}|[A-Z][a-z]{{1,15}}{_S}\d{{1,3}}{_S}?\((?P<{era}>[12]\d{{3}})\))"


def _weekday(group: str, article: str = "") -> str:
    return rf"(?:(?<!\w)(?P<{group}>{_alternation(WEEKDAYS)}),?{_S}{article})?"


# The lookahead comes first: most positions then fail on one character test instead of
# trying every branch (ten times faster on real text).
_PATTERN = re.compile(
    "(?=[0-9JFMASONDTW])(?:"
    + "|".join(
        (
            # 2019-11-14
            r"(?<![\w-])(?P<iy>[12]\d{3})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])(?!\w|-\d)",
            # Thursday, November 14th-15, 2019
            rf"{_weekday('w1')}{_month('m1')}{_S}?{_day('d1')}(?P<r1>{_RANGE}{_day('e1')})?"
            rf"(?:(?:,[^\S\n]*|{_S}){_year('y1', 'z1')})?",
            # Thursday, the 14th to 15th of Nov. 2019
            rf"{_weekday('w2', f'(?:[Tt]he{_S})?')}(?<![\w.,]){_day('d2')}(?:{_RANGE}{_day('e2')})?"
            rf"{_S}(?:of{_S})?{_month('m2')}(?:,?{_S}{_year('y2', 'z2')})?",
            # November 2019
            rf"{_month('m3')}(?:,[^\S\n]*|{_S}){_year('y3', 'z3')}",
            # November (last year)
            rf"{_month('m4')}(?=,?{_S}(?:of{_S})?(?:last|this|next){_S}year\b)",
        )
    )
    + ")"
)
_RELATIVE_YEAR = re.compile(rf",?{_S}(?:of{_S})?(?P<which>last|this|next){_S}year\b")
_RELATIVE = {"last": -1, "this": 0, "next": 1}
# Between the two ends of a range: "from January 21 to April 16", "November 30-December 2".
_RANGE_JOIN = re.compile(r"\s*(?:[-–—]|to|till|until|through)\s*")

# A day that is part of a name: after "the" ("the June 15 joint declaration") …
_NAME_BEFORE = re.compile(
    r"(?<!\w)(?:the|The|THE)\s+[\"“‘']?(?:(?:historic|historical|great|glorious|first|second|present"
    r"|famous|memorable|so-called)\s+)?$"
)
_WORD_AFTER = re.compile(r"[^\S\n]+[A-Za-z]")
_CAPITALISED = re.compile(r"[A-Z][a-z]")  # "Art", "Hwang"; not "THE" in a headline in capitals
# … or before a word that names an event ("June 15 joint declaration") …
_EVENT_AFTER = re.compile(
    r"[^\S\n]+(?:joint|declarations?|era|agreements?|accords?|war|uprising|movement|incident|spirit"
    r"|reunification|revolution|massacre|measures?|grand|North[-‐‑ ]South)(?![\w-])",
    re.IGNORECASE,
)
# … or before a capitalised word, unless a preposition or a sentence start comes first
# ("of February 16 Art" is a name; "on July 8 Hwang said" is a date).
_DATE_BEFORE = re.compile(
    r"(?:(?<!\w)(?i:on|since|from|until|till|by|before|after|through|to)\s+"
    r"|^\s*|[.!?:;(\"“‘\n]\s*)$"
)

# Tense cues, read backwards from a date to the start of its clause: a sentence end, a
# line break, or a subordinate clause, whose tense is its own ("It will be recalled that
# on June 25 …"). Words only; the nearest cue wins.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|[.!?;\n]|(?<!\d):(?!\d)")  # "8:00" ends no clause
_CLAUSE_WORDS = frozenset("that which who whom".split())
_ABBREVIATED = frozenset("Mr Mrs Ms Dr St No Gen Col Gov Sen Rep Lt Prof Jr Sr".split()) | set(_ABBREVIATIONS)
_STRONG = frozenset("next upcoming forthcoming coming scheduled rescheduled slated tomorrow".split())
_WEAK = frozenset(
    "will shall won't won’t approach approaching nears nearing".split()
)  # "with the approach of"
_PAST = frozenset("was were did had ago earlier previously yesterday since already been".split())
# "is to", "plans to"; "due to" only before a verb ("due to the provocation" is a cause).
_BEFORE_TO = frozenset("is are am going plan plans planning intend intends expected set".split())
_DUE_VERBS = frozenset("be take start begin open close end expire meet arrive resume convene".split())
_TO_BE = frozenset(
    "held convened opened launched signed staged hosted inaugurated celebrated observed".split()
)
# "last" as in "last year" or "last November 14", not "will last till".
_AFTER_LAST = frozenset(
    "year month week weekend time night spring summer autumn fall winter".split()
    + [w.lower() for w in (*WEEKDAYS, *MONTHS)]
)
LOOKBACK = 400  # characters searched for a clause start and tense cues
STRONG_FUTURE_DAYS = 334  # a day "scheduled" in the last month was reported late
WEAK_FUTURE_DAYS = 183  # a modal's future reaches half a year at most
TIME_ZONE_DAYS = 1  # a source's date may run this far ahead of the statement's
RANGE_DAYS = 366  # a range's end resolved from its start stays this close to the issue date


@dataclass(frozen=True)
class DateMention:
    """A day (or a month, when `day` is None) a text speaks of, and where it says so."""

    start: int
    end: int
    text: str
    year: int
    month: int
    day: int | None

    @property
    def iso(self) -> str:
        """'2019-11-14' for a day, '2019-11' for a month."""
        month = f"{self.year:04d}-{self.month:02d}"
        return month if self.day is None else f"{month}-{self.day:02d}"


@dataclass(frozen=True)
class _Written:
    """A date as written: its end, and the year when the text gives it."""

    end: int
    year: int | None
    month: int
    day: int | None
    weekday: str | None = None
    month_first: bool = False  # "June 15", which can be an event's name; "15 June" rarely is


def find_dates(text: str, issued: dt.date) -> list[DateMention]:
    """Every date mention of a text (one block of visible text), resolved against the issue date.

    Sorted and non-overlapping; a mention that cannot be resolved is left out.
    """
    mentions: list[DateMention] = []
    yearless: list[bool] = []
    position = 0
    while (match := _PATTERN.search(text, position)) is not None:
        start = match.start()
        written = _read(match, text, issued)
        position = max(written.end if written else match.end(), start + 1)
        if written is None:
            continue
        after = mentions[-1] if mentions and _joined(text, mentions[-1], start) else None
        if written.year is not None:
            day = _day_of(written.year, written.month, written.day) if written.day else None
            resolved = day if written.day else (written.year, written.month, None)
            if after is not None and day is not None and yearless[-1]:
                mentions[-1] = _range_start(mentions[-1], dt.date(*day))
        else:
            assert written.day is not None
            resolved = _range_end(after, written.month, written.day, issued) if after else None
            resolved = resolved or _resolve(text, start, written, issued)
        if resolved is not None:
            mentions.append(DateMention(start, written.end, text[start : written.end], *resolved))
            yearless.append(written.year is None)
    return mentions


def _read(match: re.Match[str], text: str, issued: dt.date) -> _Written | None:
    """What a match says, before any guess about its year (None: not a date we understand)."""
    g = match.groupdict()
    end = match.end()
    if g["iy"]:
        return _Written(end, int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["m3"]:
        return _Written(end, int(g["y3"] or g["z3"]), MONTHS[g["m3"]], None)
    if g["m4"]:
        relative = _RELATIVE_YEAR.match(text, end)
        assert relative is not None
        year = issued.year + _RELATIVE[relative["which"]]
        return _Written(end, year, MONTHS[g["m4"]], None) if 1 <= year <= 9999 else None
    n = "1" if g["m1"] else "2"
    month, day, last = MONTHS[g["m" + n]], int(g["d" + n]), g["e" + n]
    if last is not None and not (day < int(last) and _day_of(2000, month, int(last))):
        if n == "2":
            return None  # "15-14 November": not a range
        end = match.start("r1")  # "November 30 - 1 December": "November 30", then "1 December"
    year = (g["y" + n] or g["z" + n]) if end == match.end() else None
    if year is None and (relative := _RELATIVE_YEAR.match(text, end)):
        year = issued.year + _RELATIVE[relative["which"]]
    return _Written(end, int(year) if year else None, month, day, g["w" + n], n == "1")


def _day_of(year: int, month: int, day: int) -> tuple[int, int, int] | None:
    """(year, month, day) when such a day exists."""
    if 1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
        return year, month, day
    return None


def _date(year: int, month: int, day: int) -> dt.date | None:
    found = _day_of(year, month, day)
    return dt.date(*found) if found else None


def _joined(text: str, previous: DateMention, start: int) -> bool:
    """Whether a day ends a range that the previous mention starts."""
    return previous.day is not None and _RANGE_JOIN.fullmatch(text, previous.end, start) is not None


def _range_end(start: DateMention, month: int, day: int, issued: dt.date) -> tuple[int, int, int] | None:
    """The first such day on or after a range's start, when that stays near the issue date."""
    assert start.day is not None
    year = start.year if (month, day) >= (start.month, start.day) else start.year + 1
    end = _date(year, month, day)
    if end is None or abs((end - issued).days) > RANGE_DAYS:
        return None
    return end.year, end.month, end.day


def _range_start(start: DateMention, end: dt.date) -> DateMention:
    """A range's yearless start, moved to the last such day on or before its dated end."""
    assert start.day is not None
    year = end.year if (start.month, start.day) <= (end.month, end.day) else end.year - 1
    moved = _date(year, start.month, start.day)
    if moved is None:
        return start
    return DateMention(start.start, start.end, start.text, moved.year, moved.month, moved.day)


def _resolve(text: str, start: int, written: _Written, issued: dt.date) -> tuple[int, int, int] | None:
    """The day a date without a year means, or None when it cannot be told."""
    assert written.day is not None
    if _names_something(text, start, written.end, written.month_first):
        return None
    before, after = _nearest(issued, written.month, written.day)
    chosen = before
    fitting = [
        d for d in (before, after) if d and written.weekday and d.weekday() == WEEKDAYS[written.weekday]
    ]
    if len(fitting) == 1:
        chosen = fitting[0]
    elif after is not None and _ahead_allowed(text, start, (after - issued).days):
        chosen = after
    return (chosen.year, chosen.month, chosen.day) if chosen else None


def _ahead_allowed(text: str, start: int, days: int) -> bool:
    """Whether a day this many days after the issue date is the one meant (cues read only if needed)."""
    if days <= TIME_ZONE_DAYS:
        return True
    return days <= STRONG_FUTURE_DAYS and days <= _future_reach(text, start)


def _names_something(text: str, start: int, end: int, month_first: bool) -> bool:
    """Whether a day without a year is part of a name ("the June 15 joint declaration").

    "the 14th of November the …" is a date, so a day written day first is a name only
    between "the" and a capitalised word ("the 30th April Spring Friendship Art Festival").
    """
    word = _WORD_AFTER.match(text, end)
    if word is None:
        return False
    if _EVENT_AFTER.match(text, end):
        return True
    before = max(0, start - 40)
    capitalised = _CAPITALISED.match(text, word.end() - 1) is not None
    after_the = _NAME_BEFORE.search(text, before, start) is not None
    if not month_first:
        return after_the and capitalised
    return after_the or (capitalised and not _DATE_BEFORE.search(text, before, start))


def _nearest(issued: dt.date, month: int, day: int) -> tuple[dt.date | None, dt.date | None]:
    """The latest such day on or before the issue date, and the earliest on or after it.

    Only the issue date's year and its neighbours count, so "February 29" without a year
    finds no day when neither is a leap year.
    """
    earlier = issued.year if (month, day) <= (issued.month, issued.day) else issued.year - 1
    later = issued.year if (month, day) >= (issued.month, issued.day) else issued.year + 1
    return _date(earlier, month, day), _date(later, month, day)


def _future_reach(text: str, start: int) -> int:
    """How many days ahead a date may lie, from the nearest tense cue before it in its clause."""
    tokens = _TOKEN.findall(text, max(0, start - LOOKBACK), start)
    for i in range(len(tokens) - 1, -1, -1):
        token = tokens[i]
        if len(token) == 1 and token in ".!?;:\n":
            if token != "." or _ends_sentence(tokens, i):
                return -1
            continue
        cue = _cue(token.lower(), tokens, i)
        if cue == "clause" or cue == "past":
            return -1
        if cue is not None:
            return STRONG_FUTURE_DAYS if cue == "strong" else WEAK_FUTURE_DAYS
    return -1


def _ends_sentence(tokens: list[str], i: int) -> bool:
    """Whether the full stop at tokens[i] ends a sentence (not "Mr." or "U.S.", a capital next)."""
    if i + 1 >= len(tokens) or not tokens[i + 1][0].isupper():
        return False
    before = tokens[i - 1] if i else ""
    return not (before in _ABBREVIATED or (len(before) == 1 and before.isupper()))


def _cue(word: str, tokens: list[str], i: int) -> str | None:
    """'strong', 'weak' (future), 'past', 'clause' (a new clause starts) or None, for tokens[i]."""
    previous = tokens[i - 1].lower() if i else ""
    following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
    if word in _CLAUSE_WORDS:
        return "clause"
    if word in _STRONG or (word == "later" and following == "this"):
        return "strong"
    if word == "due" and (
        following in ("on", "for", "in") or (following == "to" and _after_to(tokens, i + 1))
    ):
        return "strong"
    if word in _TO_BE and previous == "be" and i > 1 and tokens[i - 2].lower() == "to":
        return "strong"
    if word in _WEAK or word.endswith(("'ll", "’ll")) or (word == "to" and previous in _BEFORE_TO):
        return "weak"
    if word == "for" and previous == "set":
        return "weak"
    if word in _PAST or (word == "last" and (following in _AFTER_LAST or i + 1 == len(tokens))):
        return "past"
    return None


def _after_to(tokens: list[str], i: int) -> bool:
    return i + 1 < len(tokens) and tokens[i + 1].lower() in _DUE_VERBS
