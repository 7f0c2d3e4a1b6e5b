"""The importer's pure parts: escaping, front matter, ids, dates, what a text says it is."""

from __future__ import annotations

import datetime as dt
import html
import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.frontmatter import read_document
from builder.importer.body import clean_paragraph, to_markdown
from builder.importer.capture import parse_text
from builder.importer.dates import date_line, dateline, find_dates
from builder.importer.describe import describe, kind_from_title
from builder.importer.ids import MAX_LENGTH, base_id, unique_id
from builder.importer.yamlout import dump_front_matter
from builder.markup import render_markdown

MARKDOWN_HOSTILE = st.text(
    alphabet=st.sampled_from([*list("#*_-+>`[]()!<>&\\{}|:=~^.0123456789 abcXY\t'\""), "\xa0", "é", "한"]),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(MARKDOWN_HOSTILE)
def test_escaped_paragraph_renders_as_the_same_text(text: str) -> None:
    """Whatever characters a captured paragraph holds, the rendered page shows exactly them."""
    expected = clean_paragraph(text)
    if not expected:
        return
    rendered = render_markdown(to_markdown([text]))
    assert set(re.findall(r"</?([a-zA-Z][\w-]*)", rendered)) <= {"p"}
    shown = html.unescape(re.sub(r"</?p>", "", rendered)).strip()
    assert " ".join(shown.split()) == " ".join(expected.split())


# Text as content holds it: the loader drops control characters (tab and line ends aside).
CONTENT_TEXT = st.characters(
    exclude_categories=("Cs",),
    exclude_characters=[chr(c) for c in [*range(9), 11, 12, *range(14, 32), *range(127, 160)]],
)


@settings(max_examples=300, deadline=None)
@given(
    st.text(CONTENT_TEXT, min_size=1, max_size=60), st.lists(st.text(CONTENT_TEXT, max_size=20), max_size=3)
)
def test_front_matter_reads_back_unchanged(value: str, items: list[str]) -> None:
    """Any title, and any list of texts, reads back through the archive's loader as written
    (control characters aside, which the loader drops)."""
    written = dump_front_matter(
        {"title": value, "tags": items, "captures": [{"file": value, "sha256": "0" * 64}]}
    )
    doc, problems = read_document("x.md", (written + "\nbody\n").encode("utf-8"), 10_000_000)
    assert problems == [] and doc is not None
    assert doc.data["title"] == value
    assert doc.data["tags"] == items
    assert doc.data["captures"] == [{"file": value, "sha256": "0" * 64}]


def test_front_matter_keeps_dates_plain_and_leaves_out_empty_keys() -> None:
    """Days are written YYYY-MM-DD unquoted; keys without a value are not written."""
    text = dump_front_matter(
        {"title": "yes", "date": dt.date(2019, 11, 17), "speaker": None, "entities": ["a"]}
    )
    assert text == '---\ntitle: "yes"\ndate: 2019-11-17\nentities:\n  - a\n---\n'


def test_ids_are_short_readable_and_unique() -> None:
    """An id is title words and the day, at most 60 characters, with -2 when taken; titles
    in other scripts are transliterated (a Korean or Chinese title is no "commentary-…");
    a dotted initialism is one word ("U.S." is "us", not a lone "u")."""
    day = dt.date(2019, 11, 17)
    assert base_id("Statement by a spokesman for the DPRK Foreign Ministry", day) == (
        "statement-spokesman-dprk-foreign-ministry-2019-11-17"
    )
    long_id = base_id(
        "Japan's Discharge of Nuclear-polluted Water Is a Crime against All Humanity and Nature", day
    )
    assert len(long_id) <= MAX_LENGTH and long_id.startswith("japans-discharge-nuclear-polluted")
    assert base_id("武汉的声音", day, "commentary") == "wu-han-de-sheng-yin-2019-11-17"
    assert base_id("외무성 대변인 담화", day) == "oemuseong-daebyeonin-damhwa-2019-11-17"
    assert base_id("Заявление МИД", day) == "zayavlenie-mid-2019-11-17"
    assert base_id("— … —", day, "commentary") == "commentary-2019-11-17"
    assert base_id("Förderung für Gebäude", day) == "forderung-fur-gebaude-2019-11-17"
    assert (
        base_id("KCNA Slams U.S. over U.N. Resolution", day) == "kcna-slams-us-over-un-resolution-2019-11-17"
    )
    assert unique_id("a-2019-11-17", {"a-2019-11-17", "a-2019-11-17-2"}) == "a-2019-11-17-3"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("November 17, 2019", (2019, 11, 17)),
        ("Sunday, Nov. 17, 2019", (2019, 11, 17)),
        ("17. Januar 2022", (2022, 1, 17)),
        ("Datum 25.01.2022", (2022, 1, 25)),
        ("Published: 2019-11-17 10:30", (2019, 11, 17)),
        ("2020年02月19日", (2020, 2, 19)),
        ("[Juche113.8.4.]", (2024, 8, 4)),
        ("2019.11.17. Sunday", (2019, 11, 17)),
        ("17/11/2019", (2019, 11, 17)),
        ("05/06/2019", None),
        ("Posted on November 17, 2019 by admin", (2019, 11, 17)),
        ("Nov. 17", (None, 11, 17)),
        ("The meeting on November 17, 2019 was long.", None),
        ("13/14/2019", None),
        ("17 ноября 2019 г.", (2019, 11, 17)),
        ("주체108(2019)년 11월 17일", (2019, 11, 17)),
        ("2019-11-17 10:23:45 来源：新华网", (2019, 11, 17)),
        ("(평양 11월 17일발 조선중앙통신)", (None, 11, 17)),
        ("新华社平壤11月17日电", (None, 11, 17)),
        ("Juche 108 (2019)", None),
    ],
)
def test_date_lines(line: str, expected: tuple | None) -> None:
    """A line that is a date (with a label or weekday at most) gives it; prose does not."""
    found = date_line(line)
    assert (found and (found.year, found.month, found.day)) == expected


def test_datelines_and_dates_in_prose() -> None:
    """A news dateline gives its day (year or not) and agency; a 30th of February is no date."""
    date, agency, _start = dateline("Pyongyang, November 17 (KCNA) -- A spokesman said")
    assert (date.year, date.month, date.day, agency) == (None, 11, 17, "KCNA")
    assert date.resolve(2019) == dt.date(2019, 11, 17)
    assert find_dates("on February 30, 2019")[0].resolve() is None
    date, agency, start = dateline("新华社平壤11月17日电 朝鲜外务省发言人17日发表谈话。")
    assert ((date.month, date.day), agency, start) == ((11, 17), "新华社", 13)


def test_a_year_written_in_the_text_dates_a_day_without_one() -> None:
    """A Juche year alone above the text, or the signed-off date, gives the year; a
    dateline alone on its line is the day, not the first paragraph."""
    above = parse_text("Press Statement\n\nJuche 108 (2019)\n\nThe committee issued it on November 17:\n")
    assert above.year == 2019 and above.title == "Press Statement"
    korean = parse_text(
        "외무성 대변인 담화\n\n(평양 11월 17일발 조선중앙통신)\n\n대변인은 17일 담화를 발표하였다.\n\n"
        "우리는 이것을 규탄한다.\n\n주체108(2019)년 11월 17일\n평양\n"
    )
    assert (korean.head_date.month, korean.head_date.day, korean.year) == (11, 17, 2019)
    assert korean.title == "외무성 대변인 담화"
    assert korean.paragraphs[0] == "대변인은 17일 담화를 발표하였다."
    assert "조선중앙통신" in korean.publication_names


@pytest.mark.parametrize(
    ("opening", "kind", "speaker"),
    [
        (
            "A spokesman for the DPRK Foreign Ministry issued the following statement on Nov. 17:",
            "statement",
            "Spokesman for the DPRK Foreign Ministry",
        ),
        (
            "Pyongyang, January 1 (KCNA) -- A spokesman for the Foreign Ministry gave the following answer to a question raised by KCNA:",
            "interview",
            "Spokesman for the Foreign Ministry",
        ),
        (
            "The Foreign Ministry released the following press release on Monday:",
            "press-release",
            "Foreign Ministry",
        ),
        (
            "Members of the Iranian Parliament issued a statement on January 25 to denounce the vote.",
            None,
            None,
        ),
        (
            "The Foreign Ministry of the DPRK on Friday issued the following statement:",
            "statement",
            "Foreign Ministry of the DPRK",
        ),
        (
            "DPRK Foreign Minister Choe Son Hui on October 19 issued the following press statement:",
            "statement",
            "DPRK Foreign Minister Choe Son Hui",
        ),
        (
            "The Supreme Command of the Korean People's Army Tuesday issued the following communique:",
            "statement",
            "Supreme Command of the Korean People's Army",
        ),
    ],
)
def test_what_the_opening_says(opening: str, kind: str | None, speaker: str | None) -> None:
    """Opening "X issued the following <kind>" gives kind and speaker; "X issued a statement …" does not."""
    found = describe([opening, "Second paragraph."])
    assert (found.kind, found.speaker) == (kind, speaker)


@pytest.mark.parametrize(
    "name",
    [
        "USA Today",
        "The Association of Released Political Prisoners",
        "The Committee for Today's Children",
        "The Sunday Times Editorial Board",
        "Friends of Sent Down Youth",
    ],
)
def test_an_issuer_whose_name_holds_a_day_or_a_verb_keeps_it(name: str) -> None:
    """Only a day or a verb at the end of the issuer is cut: names keep their own words."""
    found = describe([f"{name} released the following statement:", "Text."])
    assert found.speaker == name.removeprefix("The ")


def test_a_headline_s_issuer_stops_before_the_verb_it_is_given() -> None:
    """ "Statement of Syrian Party Issued" names the Syrian Party, not "Syrian Party Issued"."""
    assert describe(["Text."], "Statement of Syrian Party Issued").speaker == "Syrian Party"
    assert describe(["Text."], "Statement of DPRK FM Spokesman Posted by Bodies of Peru").speaker == (
        "DPRK FM Spokesman"
    )


def test_title_derived_from_the_announcement() -> None:
    """A capture without a title gets one that says who issued what."""
    found = describe(["A spokesman for the DPRK Foreign Ministry issued the following statement on Nov. 17:"])
    assert found.title == "Statement by a spokesman for the DPRK Foreign Ministry"
    assert (found.day.month, found.day.day, found.day.year) == (11, 17, None)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Japan's Discharge of Nuclear-polluted Water Is Crime: KCNA Commentary", "commentary"),
        ("Statement of DPRK FM Spokesman", "statement"),
        ("DPRK FM Spokesman Answers Question Put by KCNA", "interview"),
        ("DPRK delegation on Kim Young Sam's speech", None),
        ("KCNA Refutes US Statement on Human Rights", None),
    ],
)
def test_kind_from_headline(title: str, kind: str | None) -> None:
    """A headline gives a kind only where the kind noun heads or closes it."""
    assert kind_from_title(title) == kind


def test_head_of_a_capture_gives_title_and_date() -> None:
    """Breadcrumbs and bylines aside, the headline and the date line above the text are read."""
    capture = parse_text(
        "Home > News > Politics\nMinistry answers the Council\nBy Staff Writer\n17 November 2019\n"
        "The ministry answered the Council today.\nShare\nMore from Tessin Herald\nOther story one\nOther story two\n"
    )
    assert capture.title == "Ministry answers the Council"
    assert (capture.head_date.year, capture.head_date.month, capture.head_date.day) == (2019, 11, 17)
    assert capture.paragraphs == ["The ministry answered the Council today."]
    assert capture.publication_names == ["Tessin Herald"]
    assert [text for text, _ in capture.leads] == ["Other story one", "Other story two"]


def test_hard_wrapped_lines_join_into_paragraphs() -> None:
    """A line that continues a sentence joins the one before; a finished sentence ends a paragraph."""
    capture = parse_text(
        "The Council said that the quota figures\nwere final, and the anti-\nDPRK vote stands.\nA second paragraph.\n"
    )
    assert capture.paragraphs == [
        "The Council said that the quota figures were final, and the anti-DPRK vote stands.",
        "A second paragraph.",
    ]


def test_page_date_stamp_and_sign_off_date_the_text() -> None:
    """A site line under the text ("www.kcna.kp (Juche113.1.5.)") or a signed-off date gives the date."""
    stamped = parse_text(
        "Press Statement of Vice Department Director\n"
        "Pyongyang, January 5 (KCNA) -- Kim Yo Jong issued the following press statement on Friday:\n"
        "It is a mere lie.\n-0-\nwww.kcna.kp (Juche113.1.5.)\n"
    )
    assert (stamped.head_date.year, stamped.head_date.month, stamped.head_date.day) == (2024, 1, 5)
    assert stamped.paragraphs[-1] == "It is a mere lie."  # KCNA's end marker "-0-" is not the text's
    assert stamped.publication_names == ["kcna.kp"]
    signed = parse_text(
        "The Foreign Ministry issued the following statement:\nThe resolution is void.\n"
        "Foreign Ministry\nPort Tessin, November 17, 2019\nMore from the Herald\nOther story\nDecember 1, 2026\n"
    )
    assert (signed.head_date.year, signed.head_date.month, signed.head_date.day) == (2019, 11, 17)
    assert signed.paragraphs[-1] == "Port Tessin, November 17, 2019"


def test_a_capture_that_states_no_language_is_given_its_scripts() -> None:
    """Hangul gives ko, kana ja, Han alone zh, Hebrew he, Arabic script ar, or fa or ur
    by their own letters; Latin or Cyrillic letters name no language."""
    from builder.importer.inputs import script_language

    assert script_language(["أصدرت وزارة الخارجية بيانا اليوم."]) == "ar"
    assert script_language(["وزارت امور خارجه گزارش داد."]) == "fa"
    assert script_language(["وزارت خارجہ نے بیان جاری کیا۔ یہ بڑی بات ہے"]) == "ur"
    assert script_language(["משרד החוץ פרסם הודעה."]) == "he"

    assert script_language(["외무성 대변인 담화를 발표하였다. UN 결의는 도발이다."]) == "ko"
    assert script_language(["外務省報道官が談話を発表した。"]) == "ja"
    assert script_language(["武汉的声音有硬核的温度。新华社"]) == "zh"
    assert script_language(["The spokesman said so.", "Заявление МИД"]) is None
    assert script_language(["2019 — 11 — 17"]) is None


def test_dated_list_followed_by_prose_is_part_of_the_text() -> None:
    """A chronology (date line, sentence, …) with the statement going on below it is kept;
    the same dated lines closing the text are a teaser list."""
    chronology = textwrap.dedent(
        """\
        White Paper on Hostile Acts

        Pyongyang, December 1, 2019 (KCNA) -- The Institute published a white paper.

        The white paper lists the following acts:

        November 5, 2019
        The U.S. staged a combined air drill.

        November 14, 2019
        The U.S. railroaded a resolution at the UN.

        The white paper concludes that the hostile policy goes on.
        """
    )
    kept = parse_text(chronology)
    assert kept.paragraphs[2:] == [
        "November 5, 2019",
        "The U.S. staged a combined air drill.",
        "November 14, 2019",
        "The U.S. railroaded a resolution at the UN.",
        "The white paper concludes that the hostile policy goes on.",
    ]
    assert kept.leads == [] and kept.dropped == []
    teasers = parse_text(chronology.rsplit("\n\n", 1)[0] + "\n")
    assert teasers.paragraphs[-1] == "The white paper lists the following acts:"
    assert [date for _, date in teasers.leads] == ["2019-11-05", "2019-11-14"]


def test_clean_paragraph_drops_invisible_format_characters() -> None:
    """The place every capture's text is cleaned (text, saved pages, records) drops them; the
    zero-width joiner and non-joiner, which Persian, Indic scripts and emoji spell with, stay."""
    assert (
        clean_paragraph("\ufeffprod\u00aduct zero\u200bwidth word\u2060joined")
        == "product zerowidth wordjoined"
    )
    assert clean_paragraph("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f469\u200d\U0001f4bb") == (
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f469\u200d\U0001f4bb"
    )


@pytest.mark.parametrize(
    ("capture", "title"),
    [
        (
            "朝鲜外务省发言人发表谈话\n2019-11-17 10:23:45 来源：新华网\n新华社平壤11月17日电 发言人17日发表谈话。\n",
            "朝鲜外务省发言人发表谈话",
        ),
        (
            "北朝鮮外務省報道官が談話\n\n2019年11月17日\n\n外務省のスポークスマンは談話を発表した。\n",
            "北朝鮮外務省報道官が談話",
        ),
        (
            "Obituary\n\nPyongyang, December 10, 2019 (KCNA) -- The Central Committee announces it.\n",
            "Obituary",
        ),
        ("News\nGreetings\nPyongyang, December 10 (KCNA) -- Kim Jong Un sent greetings.\n", "Greetings"),
        ("Home\nNews\nPyongyang, December 10 (KCNA) -- Kim Jong Un sent greetings.\n", None),
        ("Politics\nMinistry answers the Council\nThe ministry answered.\n", "Ministry answers the Council"),
    ],
)
def test_headline_in_any_script_and_of_one_word(capture: str, title: str | None) -> None:
    """Han or kana headlines have no spaces; a one-word headline counts where no longer line
    is above the text, a section name ("News") never."""
    assert parse_text(capture).title == title


def test_an_editors_credit_ends_the_text() -> None:
    """ "【责任编辑：王明】" under a Chinese article is the page's, not the statement's."""
    capture = parse_text(
        "谈话\n新华社平壤11月17日电 发言人发表谈话。\n谈话说，这是挑衅。\n【责任编辑：王明】\n相关新闻\n朝鲜举行文化节\n"
    )
    assert capture.paragraphs == ["新华社平壤11月17日电 发言人发表谈话。", "谈话说，这是挑衅。"]
    assert [text for text, _ in capture.leads] == ["朝鲜举行文化节"]


@pytest.mark.parametrize(
    "ending", ["acts. -0-\n", "acts.\n-0-\n", "acts.\n\n- 0 -\n\nwww.kcna.kp\n", "acts.-0-\n", "acts.-0\n"]
)
def test_kcnas_end_marker_is_not_the_texts(ending: str) -> None:
    """ "-0-" closing the last paragraph or on its own line ends the text and is left out,
    also glued to the last sentence and without its last dash ("acts.-0")."""
    capture = parse_text(
        "Pyongyang, November 17 (KCNA) -- The U.S. is warned.\nIt will pay for its " + ending
    )
    assert capture.paragraphs == [
        "Pyongyang, November 17 (KCNA) -- The U.S. is warned.",
        "It will pay for its acts.",
    ]
    assert capture.leads == [] and not any("-0-" in p for p in capture.paragraphs)


def test_a_text_ending_on_a_link_or_a_key_like_line_keeps_it() -> None:
    """Only provenance closes a text: a link the text cites last, or its last paragraph
    starting "Date:", stay the statement's; "Retrieved: …" with the address beside it goes."""
    cited = parse_text("Report\n\nRead it on its website at\n\nhttps://sfc.example.org/annual.pdf\n")
    assert cited.paragraphs[-1] == "https://sfc.example.org/annual.pdf" and "url" not in cited.headers
    dated = parse_text("Report\n\nThe council met.\n\nDate: the figures were collected in March.\n")
    assert (
        dated.paragraphs[-1] == "Date: the figures were collected in March." and "date" not in dated.headers
    )
    noted = parse_text("Report\n\nThe council met.\n\nRetrieved: 2019-11-18\nhttps://sfc.example.org/r\n")
    assert noted.paragraphs[-1] == "The council met."
    assert noted.headers == {"retrieved": "2019-11-18", "url": "https://sfc.example.org/r"}


def test_a_score_is_no_end_marker() -> None:
    """Only after a sentence's end, or apart, is "-0" KCNA's mark: "won 3-0" stays."""
    from builder.importer.capture import without_end_mark

    assert without_end_mark(["The team won 3-0"]) == ["The team won 3-0"]
    assert without_end_mark(["It arrived on Thursday.-0-"]) == ["It arrived on Thursday."]  # a record's body


def test_a_long_chronology_is_read_in_linear_time() -> None:
    """A white paper listing thousands of dated events: four times the lines take about four
    times as long, not sixteen (each line once asked whether prose followed, to the end)."""
    import time

    from builder.importer.capture import parse_text

    def chronology(events: int) -> str:
        pairs = "".join(
            f"March {i % 28 + 1}, 1950\nThe council met again in session {i}.\n\n" for i in range(events)
        )
        return (
            f"White Paper\n\nThe institute published a white paper on the council.\n\n{pairs}It ends here.\n"
        )

    def seconds(text: str) -> float:
        started = time.perf_counter()
        parse_text(text)
        return time.perf_counter() - started

    small, large = chronology(300), chronology(1200)
    seconds(small)  # warm the regular expressions
    assert parse_text(large).paragraphs[-1] == "It ends here."
    assert min(seconds(large) for _ in range(2)) < 9 * min(seconds(small) for _ in range(3))
