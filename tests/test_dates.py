"""Date mentions: which words are dates, and which day or month each one means."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.dates import DateMention, find_dates

from .conftest import SHARED

REAL = SHARED / "captures" / "000_ec23bf7c69f42157.txt"
ISSUED = dt.date(2019, 11, 17)  # a Sunday


def found(text: str, issued: dt.date = ISSUED) -> list[tuple[str, str]]:
    return [(m.text, m.iso) for m in find_dates(text, issued)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On November 14, a resolution", ("November 14", "2019-11-14")),
        ("on Nov. 14 the", ("Nov. 14", "2019-11-14")),
        ("on Nov 14 the", ("Nov 14", "2019-11-14")),
        ("on 14 November the", ("14 November", "2019-11-14")),
        ("on 14 Nov the", ("14 Nov", "2019-11-14")),
        ("on November 14, 2018, the", ("November 14, 2018", "2018-11-14")),
        ("on November 14 2018 the", ("November 14 2018", "2018-11-14")),
        ("on 14 November 2018 the", ("14 November 2018", "2018-11-14")),
        ("on 14 Nov 2018 the", ("14 Nov 2018", "2018-11-14")),
        ("dated 2018-11-14.", ("2018-11-14", "2018-11-14")),
        ("on November 14th the", ("November 14th", "2019-11-14")),
        ("on the 14th of November the", ("14th of November", "2019-11-14")),
        ("on Thursday, November 14, the", ("Thursday, November 14", "2019-11-14")),
        ("on Thursday, the 14th of November", ("Thursday, the 14th of November", "2019-11-14")),
        ("in November 2018 the", ("November 2018", "2018-11")),
        ("in November, 2018 the", ("November, 2018", "2018-11")),
        ("on Sept. 5 and", ("Sept. 5", "2019-09-05")),
        ("on Sept 5 and", ("Sept 5", "2019-09-05")),
        ("on Sep. 5 and", ("Sep. 5", "2019-09-05")),
        ("ON NOVEMBER 14 THE", ("NOVEMBER 14", "2019-11-14")),
        ("Pyongyang, November 17 (KCNA) -- A spokesman", ("November 17", "2019-11-17")),
        ("on October 4 in 2007 the", ("October 4 in 2007", "2007-10-04")),
        ("on August 25, Juche 49 (1960) the", ("August 25, Juche 49 (1960)", "1960-08-25")),
        ("on May 5 the", ("May 5", "2019-05-05")),
        ("on 5 May the", ("5 May", "2019-05-05")),
    ],
)
def test_each_written_form_is_a_date(text: str, expected: tuple[str, str]) -> None:
    """Every form of date a statement uses is found, with exactly its words, and resolved."""
    assert found(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from November 14-15 in", ("November 14-15", "2019-11-14")),
        ("from November 14 to 15 in", ("November 14 to 15", "2019-11-14")),
        ("on 14 to 15 November in", ("14 to 15 November", "2019-11-14")),
        ("on 14-15 November 2018 in", ("14-15 November 2018", "2018-11-14")),
        ("on November 14 and 15 in", ("November 14 and 15", "2019-11-14")),
    ],
)
def test_a_range_of_days_means_its_first_day(text: str, expected: tuple[str, str]) -> None:
    """A range within one month is one link, to its first day."""
    assert found(text) == [expected]


def test_a_range_that_goes_backwards_is_not_a_range() -> None:
    """'November 30 - 1 December' is two dates; '15-14 November' is nothing."""
    assert found("from November 30 - 1 December") == [
        ("November 30", "2018-11-30"),
        ("1 December", "2018-12-01"),
    ]
    assert found("on 15-14 November") == []


def test_a_day_without_a_year_is_the_latest_such_day() -> None:
    """Without a year, a day is the most recent one on or before the statement's date."""
    assert found("since December 28 the", dt.date(2020, 1, 3)) == [("December 28", "2019-12-28")]
    assert found("On November 17 the", ISSUED) == [("November 17", "2019-11-17")]
    assert found("On November 16 the", ISSUED) == [("November 16", "2019-11-16")]
    assert found("On November 20 the", ISSUED) == [("November 20", "2018-11-20")]


def test_a_day_after_the_issue_date_by_one_day_is_that_day() -> None:
    """A dateline a day ahead of the archive's date (time zones) is not a year earlier."""
    assert found("Pyongyang, November 18 (KCNA) --") == [("November 18", "2019-11-18")]


@pytest.mark.parametrize(
    ("text", "issued", "iso"),
    [
        ("The talks will be held on February 16.", dt.date(2026, 2, 2), "2026-02-16"),
        ("They will meet next January 5.", ISSUED, "2020-01-05"),
        ("The rally is scheduled for December 5.", ISSUED, "2019-12-05"),
        ("The upcoming December 5 elections", ISSUED, "2019-12-05"),
        ("A festival to be held at Panmunjom on December 5", ISSUED, "2019-12-05"),
        ("The games are due to start on December 5.", ISSUED, "2019-12-05"),
        ("We'll meet on December 5.", ISSUED, "2019-12-05"),
        ("Kim will meet Mr. Trump on December 5.", ISSUED, "2019-12-05"),
        ("The U.S. will hold talks on December 5.", ISSUED, "2019-12-05"),
        ("The drills will last till December 4.", ISSUED, "2019-12-04"),
        ("The coffin will be carried out at 8:00 a. m. on Feb. 25.", dt.date(1997, 2, 22), "1997-02-25"),
        ("with the approach of the Day of the Sun (April 15)", dt.date(2004, 4, 10), "2004-04-15"),
    ],
)
def test_a_sentence_about_the_future_means_the_next_such_day(text: str, issued: dt.date, iso: str) -> None:
    """A future cue before the date in its sentence gives the next such day."""
    assert [m.iso for m in find_dates(text, issued)] == [iso]


@pytest.mark.parametrize(
    "text",
    [
        "The US will pay for what it did on November 14.",  # the nearer cue is past
        "It will be recalled that on November 14 the resolution",  # a new clause
        "He will come. The vote on November 14 was",  # another sentence
        "The US will pay dearly for its provocation on November 14.",  # a modal reaches half a year
        "It is due to the provocation on November 14 that",  # a cause, not a schedule
        "A resolution was railroaded on November 14 and will",  # a cue after the date
    ],
)
def test_a_future_word_elsewhere_does_not_move_a_past_day(text: str) -> None:
    """Only the nearest cue before the date, in its own clause, decides the direction."""
    assert [m.iso for m in find_dates(text, ISSUED)] == ["2019-11-14"]


def test_a_scheduled_day_just_past_was_reported_late() -> None:
    """'Scheduled for' a day in the last month means that day, not one eleven months ahead."""
    assert [m.iso for m in find_dates("The rally to be staged on November 10.", ISSUED)] == ["2019-11-10"]


def test_last_this_and_next_year_fix_the_year() -> None:
    """'November 14 last year' and 'in November last year' take the year the words give."""
    assert found("on November 14 last year and November 14 next year") == [
        ("November 14", "2018-11-14"),
        ("November 14", "2020-11-14"),
    ]
    assert found("in November last year and March this year") == [
        ("November", "2018-11"),
        ("March", "2019-03"),
    ]


def test_a_month_without_a_year_is_not_linked() -> None:
    """'in November' could be any November: no link rather than a guess."""
    assert found("in November the delegation and in May") == []


def test_a_weekday_picks_the_day_it_fits() -> None:
    """'Monday, November 18' issued on a Sunday is the next day; a weekday fitting neither changes nothing."""
    assert found("Monday, November 25, the talks") == [("Monday, November 25", "2019-11-25")]
    assert found("Monday, November 14, the talks") == [("Monday, November 14", "2019-11-14")]


def test_a_range_end_follows_its_start_and_a_range_start_takes_the_end_year() -> None:
    """'from Jan. 21 to April 16' stays in one period; 'from February 24 to April 18, 2014' is in 2014."""
    assert found("a period from Jan. 21 to April 16 was set", dt.date(2018, 2, 1)) == [
        ("Jan. 21", "2018-01-21"),
        ("April 16", "2018-04-16"),
    ]
    assert found("From February 24 to April 18, 2014, the U.S.") == [
        ("February 24", "2014-02-24"),
        ("April 18, 2014", "2014-04-18"),
    ]
    assert found("from November 30-December 2", dt.date(2019, 12, 5)) == [
        ("November 30", "2019-11-30"),
        ("December 2", "2019-12-02"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "February 30",
        "November 31",
        "February 29, 2019",
        "31 April 2018",
        "2019-02-30",
        "2019-13-01",
        "November 0",
        "November 32",
    ],
)
def test_a_day_that_cannot_exist_is_not_linked(text: str) -> None:
    """Impossible days are never linked, with or without a year."""
    assert found(f"on {text} the") == []


def test_february_29_needs_a_leap_year_next_to_the_issue_date() -> None:
    """Feb 29 without a year: the last one if it is within a year, else nothing."""
    assert found("on February 29 the", dt.date(2020, 3, 10)) == [("February 29", "2020-02-29")]
    assert found("on February 29 the", dt.date(2021, 1, 10)) == [("February 29", "2020-02-29")]
    assert found("on February 29 the", dt.date(2019, 11, 17)) == []
    assert found("will be held on February 29.", dt.date(2019, 11, 17)) == [("February 29", "2020-02-29")]
    assert found("on February 29, 2020 the") == [("February 29, 2020", "2020-02-29")]


@pytest.mark.parametrize(
    "text",
    [
        "the Third Committee of the 74th UN General Assembly",
        "Resolution No. 24 was",
        "12 November-class ships",
        "at Mar-a-Lago",
        "The Marches 5 and Junior 3",
        "they may 5 times",
        "on march 5 and november 14",
        "May we meet 5 times?",
        "in 2019 the",
        "at 14.30 November",
        "on November 143",
        "the 1.14 November",
        "the June 15 joint declaration",
        "the historic October 4 declaration",
        'the "May 24 measure"',
        "implementing the June 15 North-South Joint Declaration",
        "the Group for the Study of February 16 Art",
        "the April 25 House of Culture",
        "the 30th April Spring Friendship Art Festival",
        "a successful June 15 grand festival",
    ],
)
def test_numbers_and_names_that_are_not_dates(text: str) -> None:
    """Ordinals, numbers, lowercase month words, 'May' the verb and days naming events are not dates."""
    assert found(text) == []


def test_a_named_day_with_its_year_is_linked() -> None:
    """'the June 15, 2000 joint declaration' gives its year, so the day is known."""
    assert found("the June 15, 2000 joint declaration") == [("June 15, 2000", "2000-06-15")]


def test_a_date_before_a_name_after_a_preposition_is_a_date() -> None:
    """'on July 8 Hwang said' is a day; 'of July 8 Hwang' would be a name."""
    assert found("on July 8 Hwang said") == [("July 8", "2019-07-08")]


def test_mention_iso_and_text() -> None:
    """A mention's text is the text's own words and its iso is the day or month."""
    text = "On November 14, and in November 2019"
    first, second = find_dates(text, ISSUED)
    assert first == DateMention(3, 14, "November 14", 2019, 11, 14)
    assert (first.iso, second.iso, second.day) == ("2019-11-14", "2019-11", None)
    assert text[second.start : second.end] == "November 2019"


def test_the_real_capture_resolves_its_days() -> None:
    """In a real KCNA statement of 2019-11-17, 'On November 14' and 'Nov. 17' are those days."""
    if not REAL.is_file():
        pytest.skip(f"../shared not present: {REAL}")
    lines = REAL.read_text(encoding="utf-8").splitlines()
    assert ("Nov. 17", "2019-11-17") in found(lines[0])
    assert found(lines[1])[0] == ("November 14", "2019-11-14")
    assert all("74" not in m.text for line in lines for m in find_dates(line, ISSUED))


def test_hostile_text_is_read_in_linear_time() -> None:
    """Long runs of spaces, digits and month names cannot make the finder crawl."""
    texts = [
        "November" + " " * 100_000 + "x",
        "14 " * 50_000 + "x",
        "November " * 30_000,
        "Thursday, " * 30_000 + "14",
        "will " * 50_000 + "on November 20",
    ]
    started = time.perf_counter()
    for text in texts:
        find_dates(text, ISSUED)
    assert time.perf_counter() - started < 3


# Property tests: any text, any issue date.

DAYS = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
MONTH_WORDS = ["November", "Nov.", "Sept", "May", "February", "Feb", "DECEMBER", "march"]
YEARLESS_SAFE = ["the", "on", "and", "talks", "meeting", "said", "was", "in", "of", ",", ".", "\n", "(KCNA)"]
FUTURE = ["will", "next", "scheduled for", "to be held", "we'll", "from", "to", "-", "till", "Thursday,"]


@st.composite
def date_like(draw: st.DrawFn) -> str:
    """A fragment that is, or nearly is, a written date."""
    month = draw(st.sampled_from(MONTH_WORDS))
    day = str(draw(st.integers(0, 40))) + draw(st.sampled_from(["", "th", "st"]))
    year = draw(st.sampled_from(["", ", 2019", " 2020", " 1900", ", Juche 49 (1960)", " 12345"]))
    form = draw(
        st.sampled_from(["{m} {d}{y}", "{d} {m}{y}", "{d} of {m}", "{m}{y}", "{d}-{d} {m}", "{m} {d} to {d}"])
    )
    return form.format(m=month, d=day, y=year)


ANY_TEXT = st.text(max_size=5)
NO_WORDS = st.text(" ,.;:0123456789()\n'’", max_size=5)


def text_of(words: list[str], free: st.SearchStrategy[str] = ANY_TEXT) -> st.SearchStrategy[str]:
    parts = st.one_of(date_like(), st.sampled_from(words), free)
    return st.lists(parts, max_size=12).map(" ".join)


def check_mentions(text: str, mentions: list[DateMention]) -> None:
    previous_end = 0
    for m in mentions:
        assert previous_end <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        day = dt.date(m.year, m.month, m.day or 1)  # raises for a day that cannot exist
        assert m.iso.startswith(f"{day.year:04d}-{day.month:02d}")
        previous_end = m.end


RANGE_JOIN = re.compile(r"\s*(?:[-–—]|to|till|until|through)\s*")


def in_range(text: str, mentions: list[DateMention], i: int) -> bool:
    """Whether mention i is joined to the one before or after it ("from … to …")."""
    before = i > 0 and RANGE_JOIN.fullmatch(text[mentions[i - 1].end : mentions[i].start])
    after = i + 1 < len(mentions) and RANGE_JOIN.fullmatch(text[mentions[i].end : mentions[i + 1].start])
    return bool(before or after)


def has_year(mention: DateMention) -> bool:
    return re.search(r"\d{4}", mention.text) is not None


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), text_of(YEARLESS_SAFE + FUTURE + ["last year", "last"])), DAYS)
def test_any_text_gives_well_formed_mentions(text: str, issued: dt.date) -> None:
    """For any text and issue date: no error, spans sorted, non-overlapping, exact, real days."""
    check_mentions(text, find_dates(text, issued))


@settings(max_examples=300, deadline=None)
@given(
    text_of(YEARLESS_SAFE + FUTURE), st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2999, 12, 31))
)
def test_a_yearless_day_stays_within_a_year(text: str, issued: dt.date) -> None:
    """A day without a year is within a year of the issue date (or of the dated end of its range)."""
    mentions = find_dates(text, issued)
    for i, m in enumerate(mentions):
        if m.day is None or has_year(m):
            continue
        distance = abs((dt.date(m.year, m.month, m.day) - issued).days)
        dated_end = i + 1 < len(mentions) and has_year(mentions[i + 1])
        assert distance <= 366 or dated_end


@settings(max_examples=300, deadline=None)
@given(
    text_of(YEARLESS_SAFE, NO_WORDS), st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2999, 12, 31))
)
def test_without_future_words_a_yearless_day_is_not_later(text: str, issued: dt.date) -> None:
    """With no future cue or weekday, a yearless day is on or before the issue date (+1 day), unless in a range."""
    mentions = find_dates(text, issued)
    for i, m in enumerate(mentions):
        if m.day is None or has_year(m) or in_range(text, mentions, i):
            continue
        assert dt.date(m.year, m.month, m.day) <= issued + dt.timedelta(days=1)
