"""Entity mentions: which words link to which entity, and how the HTML is changed."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.errors import WARNING
from builder.htmltext import Span, visible_text
from builder.markup import render_markdown
from builder.mentions import (
    MentionMatcher,
    canonical,
    excerpt,
    find_mentions_in_text,
    folded,
    link_mentions,
)
from builder.model import Entity
from tests.test_htmltext import check, html_st, well_formed_xml


def entity(entity_id: str, name: str, *aliases: str) -> Entity:
    return Entity(
        entity_id,
        f"content/entities/{entity_id}.md",
        name,
        aliases=aliases,
        lines=(("name", 2), ("aliases", 4)),
    )


ENTITIES = [
    entity("us", "United States", "US", "U.S."),
    entity("ussr", "Soviet Union", "USSR"),
    entity("dprk", "Democratic People's Republic of Korea", "DPRK", "North Korea"),
    entity("koreas", "the two Koreas", "Koreas"),
    entity("kim-il-sung", "Kim Il Sung"),
    entity("kim-il-sun", "Kim Il Sun"),
    entity("square", "Kim Il Sung Square"),
    entity("kju", "Kim Jong Un", "김정은"),
    entity("kim-il-sung-ko", "김일성"),
    entity("wpk", "Workers’ Party of Korea", "Workers' Party"),
    entity("juche", "juche"),
    entity("rok", "Republic of Korea", "South Korea"),
    entity("jose", "José Martí"),
]
MATCHER = MentionMatcher(ENTITIES)


def found(text: str, matcher: MentionMatcher = MATCHER, listed=()) -> list[tuple[str, str]]:
    """(matched text, entity) for each mention, in order."""
    return [(text[m.start : m.end], matcher.resolve(m, listed)) for m in matcher.find(text)]


def link(html: str, matcher: MentionMatcher = MATCHER, **options):
    options.setdefault("href", lambda e: f"/entities/{e}/")
    return link_mentions(html, matcher, **options)


# --- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entity_id"),
    [
        ("USSR", "us"),
        ("focus", "us"),
        ("USA", "us"),
        ("theUS", "us"),
        ("US2", "us"),
        ("Soviet Unions", "ussr"),
    ],
)
def test_whole_words_only(text, entity_id):
    """A name inside a longer word is not a mention."""
    assert entity_id not in [e for _, e in found(text)]


def test_us_inside_ussr_and_focus_is_not_the_us():
    """ "US" never matches inside "USSR" or "focus"; USSR is its own entity."""
    assert found("The USSR and focus.") == [("USSR", "ussr")]


def test_hyphen_is_a_word_boundary():
    """ "US" matches in "US-led"."""
    assert found("a US-led drill") == [("US", "us")]


def test_names_ending_in_punctuation():
    """A name like "U.S." matches before a space, not as the start of "U.S.A"."""
    assert found("the U.S. said; the U.S.A said") == [("U.S.", "us")]


def test_a_shorter_name_never_matches_inside_a_longer_word():
    """ "Kim Il Sun" never matches inside "Kim Il Sung"."""
    assert found("Kim Il Sung spoke; Kim Il Sun did not.") == [
        ("Kim Il Sung", "kim-il-sung"),
        ("Kim Il Sun", "kim-il-sun"),
    ]


def test_names_with_capitals_match_case_sensitively():
    """ "US" is not "us"; "Kim Il Sung" is not "kim il sung"."""
    assert found("let us go; kim il sung; KIM IL SUNG") == []


def test_lowercase_names_match_any_case():
    """An all-lowercase name matches whatever the case in the text."""
    assert found("juche, Juche and JUCHE") == [("juche", "juche"), ("Juche", "juche"), ("JUCHE", "juche")]


def test_longest_match_wins():
    """ "Kim Il Sung Square" is the place, not the person."""
    assert found("rallies in Kim Il Sung Square today") == [("Kim Il Sung Square", "square")]


def test_matches_never_overlap():
    """Overlapping candidates give one mention: the longest, then the leftmost."""
    matcher = MentionMatcher([entity("a", "North Korea Policy"), entity("b", "Korea Policy Group")])
    assert found("the North Korea Policy Group", matcher) == [("North Korea Policy", "a")]
    assert found("the North Korea Policy Groups", matcher) == [("North Korea Policy", "a")]
    matcher = MentionMatcher([entity("a", "North Korea"), entity("b", "Korea Policy Review")])
    assert found("North Korea Policy Review", matcher) == [("Korea Policy Review", "b")]


@pytest.mark.parametrize(
    ("text", "mention", "entity_id"),
    [
        ("the DPRK's army", "DPRK", "dprk"),
        ("the DPRK’s army", "DPRK", "dprk"),
        ("both Koreas' talks", "Koreas", "koreas"),
        ("both Koreas’ talks", "Koreas", "koreas"),
    ],
)
def test_possessives_count(text, mention, entity_id):
    """Possessives with either apostrophe are mentions of the name."""
    assert (mention, entity_id) in found(text)


@pytest.mark.parametrize(
    "text", ["the Workers' Party met", "the Workers’ Party met", "the Workers‘ Party met"]
)
def test_straight_and_typographic_apostrophes_are_the_same(text):
    """ "Workers' Party" and "Workers’ Party" are the same name, whichever the file uses."""
    assert [e for _, e in found(text)] == ["wpk"]


def test_typographic_name_matches_straight_text():
    """A name written with ’ in the entity file matches ' in a statement."""
    assert found("the Workers' Party of Korea") == [("Workers' Party of Korea", "wpk")]


@pytest.mark.parametrize(
    "text", ["Kim Jong Un", "Kim Jong-un", "Kim Jong-Un", "Kim Jong\u2011un", "Kim\nJong Un"]
)
def test_hyphen_or_space_between_syllables(text):
    """Romanisations with a hyphen or a space between syllables name the same person."""
    assert found(f"said {text} today") == [(text, "kju")]


def test_hyphenated_name_matches_spaced_text():
    """A name written with a hyphen in the entity file matches the spaced form."""
    matcher = MentionMatcher([entity("kjh", "Kim Yo-jong")])
    assert [e for _, e in found("Kim Yo Jong and Kim Yo-jong and Kim Yo-Jong", matcher)] == ["kjh"] * 3


def test_case_still_matters_after_a_space():
    """Only a syllable after a hyphen may change case: "Kim jong un" is not the name."""
    assert found("Kim jong un, Kim Jong un") == []


def test_hangul_names_are_whole_words_with_particles():
    """A Korean name matches alone or before a particle, not inside a longer word."""
    assert found("김정은 동지") == [("김정은", "kju")]
    assert found("김정은은 말했다") == [("김정은", "kju")]
    assert found("김정은의 담화") == [("김정은", "kju")]
    assert found("김일성광장에서") == []


def test_accented_letters_are_word_characters():
    """ "José Martí" does not match inside a longer word, and matches before punctuation."""
    assert found("José Martí, José Martíez") == [("José Martí", "jose")]


def test_combining_marks_are_word_characters():
    """A name followed by a combining accent is part of a longer word."""
    matcher = MentionMatcher([entity("jose", "Jose")])
    assert found("Jose\u0301 and Jose.", matcher) == [("Jose", "jose")]


def test_same_length_canonical_forms():
    """Matching copies keep every offset, so links land on the reader's exact text."""
    for text in ["Kim Jong‑un’s “İstanbul” ß ΣΑΣ", "ẞ\u0130x"]:
        assert len(canonical(text)) == len(text) == len(folded(canonical(text)))


# --- shared names ------------------------------------------------------------------------


def test_shared_alias_is_a_warning_naming_both_files():
    """Two entities sharing an alias give a warning with both paths and lines."""
    matcher = MentionMatcher([entity("rok", "Republic of Korea", "Korea"), entity("dprk", "DPRK", "Korea")])
    assert len(matcher.problems) == 1
    problem = matcher.problems[0]
    assert problem.severity == WARNING
    assert (problem.path, problem.line) == ("content/entities/dprk.md", 4)
    assert "content/entities/rok.md:4" in problem.message and '"Korea"' in problem.message
    assert "entities" in problem.hint


def test_a_name_shared_with_an_alias_cites_the_name_line():
    """When one entity's name is the other's alias, each file is cited at its own key."""
    matcher = MentionMatcher([entity("a", "Korea"), entity("b", "Other", "Korea")])
    assert str(matcher.problems[0]).startswith("content/entities/a.md:2: warning:")
    assert "content/entities/b.md:4" in matcher.problems[0].message


def test_lowercase_alias_shared_with_a_capitalised_one():
    """ "us" (any case) and "US" can name the same words: that is shared too."""
    matcher = MentionMatcher([entity("a", "us"), entity("b", "US")])
    assert len(matcher.problems) == 1


def test_different_cases_are_not_shared():
    """ "US" and "Us" never match the same words: no warning."""
    matcher = MentionMatcher([entity("a", "US"), entity("b", "Us")])
    assert matcher.problems == []
    assert found("US and Us", matcher) == [("US", "a"), ("Us", "b")]


def test_an_entity_repeating_its_own_name_is_not_shared():
    """A name repeated as an alias of the same entity is no problem."""
    assert MentionMatcher([entity("a", "Korea", "Korea", "Korea’s")]).problems == []


def test_shared_alias_is_linked_only_where_entities_names_exactly_one():
    """A shared alias links to the entity the statement lists, and nowhere otherwise."""
    matcher = MentionMatcher([entity("rok", "Republic of Korea", "Korea"), entity("dprk", "DPRK", "Korea")])
    html = "<p>Korea said.</p>"
    assert link(html, matcher).html == html
    assert link(html, matcher).mentions == ()
    assert link(html, matcher, listed=["rok", "dprk"]).html == html
    linked = link(html, matcher, listed=["dprk"])
    assert linked.html == '<p><a class="mention" href="/entities/dprk/">Korea</a> said.</p>'
    assert [(m.entity_id, m.count) for m in linked.mentions] == [("dprk", 1)]


def test_warning_text_is_safe_for_a_terminal():
    """Control characters in a hostile alias are escaped in the warning."""
    matcher = MentionMatcher([entity("a", "X\x1b[2J"), entity("b", "Y", "X\x1b[2J")])
    assert "\x1b" not in matcher.problems[0].message
    assert "\\u001b" in matcher.problems[0].message


# --- linking ----------------------------------------------------------------------------


def test_first_mode_links_only_the_first_mention_but_counts_all():
    """In "first" mode the first mention is linked; every mention is counted."""
    linked = link("<p>The DPRK and the DPRK.</p><p>DPRK again.</p>")
    assert linked.html.count('class="mention"') == 1
    assert linked.html.startswith('<p>The <a class="mention" href="/entities/dprk/">DPRK</a> and the DPRK.')
    assert [(m.entity_id, m.count) for m in linked.mentions] == [("dprk", 3)]


def test_all_mode_links_every_mention():
    """In "all" mode every mention is linked."""
    linked = link("<p>The DPRK and the DPRK.</p><p>DPRK again.</p>", mode="all")
    assert linked.html.count('class="mention"') == 3


def test_in_a_paragraph_in_capitals_an_everyday_word_is_no_abbreviation():
    """In "LET US ACHIEVE GENUINE DEMOCRACY" "US" is the pronoun, not the United States; in
    a cable or heading in capitals "THE DPRK" is still the DPRK; elsewhere "the US" is a name."""
    linked = link(
        "<h1>DPRK FOREIGN MINISTRY STATEMENT</h1><p>LET US ACHIEVE GENUINE DEMOCRACY AND REUNIFY KOREA!</p>"
        "<p>The US and the DPRK met.</p>",
        mode="all",
    )
    assert "LET US ACHIEVE" in linked.html
    assert linked.html.count('class="mention"') == 3
    assert [(m.entity_id, m.count) for m in linked.mentions] == [("dprk", 2), ("us", 1)]


def test_unknown_mode_is_refused():
    """A link mode other than first/all is a programming error, said plainly."""
    with pytest.raises(ValueError, match="first"):
        link("<p>x</p>", mode="some")


def test_reader_sees_the_original_text_in_the_link():
    """The link wraps the statement's own spelling, hyphen and apostrophe included."""
    linked = link("<p>Kim Jong-un and the Workers’ Party met.</p>")
    assert '<a class="mention" href="/entities/kju/">Kim Jong-un</a>' in linked.html
    assert '<a class="mention" href="/entities/wpk/">Workers’ Party</a>' in linked.html


def test_no_link_inside_a_link_or_code_and_the_next_mention_gets_it():
    """Mentions in links or code are not linked; the first linkable one is."""
    html = '<p><a href="https://x.org/">DPRK</a> and <code>DPRK</code> then DPRK.</p>'
    linked = link(html)
    assert linked.html == (
        '<p><a href="https://x.org/">DPRK</a> and <code>DPRK</code> then '
        '<a class="mention" href="/entities/dprk/">DPRK</a>.</p>'
    )
    assert linked.mentions[0].count == 3
    check(linked.html)


def test_no_link_in_attributes():
    """Names in attribute values stay untouched."""
    html = '<p title="DPRK US"><img alt="DPRK" src="x.png"> <abbr title="United States">US</abbr></p>'
    linked = link(html, mode="all")
    assert linked.html == (
        '<p title="DPRK US"><img alt="DPRK" src="x.png"> '
        '<abbr title="United States"><a class="mention" href="/entities/us/">US</a></abbr></p>'
    )


def test_a_name_split_by_markup_is_counted_not_linked():
    """ "Kim <em>Jong</em> Un" is a mention, but no link can wrap it whole."""
    linked = link("<p>Kim <em>Jong</em> Un</p>")
    assert "mention" not in linked.html
    assert [(m.entity_id, m.count) for m in linked.mentions] == [("kju", 1)]


def test_footnote_reference_after_a_name():
    """A Markdown footnote right after a name does not hide the name."""
    html = render_markdown("The DPRK[^1] said.\n\n[^1]: A note on the US.")
    linked = link(html)
    assert '<a class="mention" href="/entities/dprk/">DPRK</a><sup id="fnref:1">' in linked.html
    assert '<a class="mention" href="/entities/us/">US</a>' in linked.html
    check(linked.html)


def test_mentions_are_sorted_with_an_excerpt():
    """Mentions come sorted by entity id, each with words around its first mention."""
    linked = link("<p>The US met the DPRK.</p>")
    assert [m.entity_id for m in linked.mentions] == ["dprk", "us"]
    assert linked.mentions[0].excerpt == "The US met the DPRK."


def test_excerpt_is_cut_between_words():
    """A long text gives an excerpt of about 200 characters, cut at spaces, with "…"."""
    words = " ".join(f"word{i}" for i in range(200))
    text = f"{words} the DPRK said {words}"
    start = text.index("DPRK")
    cut = excerpt(text, start, start + 4)
    assert cut.startswith("…") and cut.endswith("…")
    assert "the DPRK said" in cut
    assert 150 <= len(cut) <= 210
    assert all(re.fullmatch(r"word\d+|the|DPRK|said", w) for w in cut.strip("…").split())


def test_excerpt_at_the_start_has_no_leading_ellipsis():
    """An excerpt beginning with the text does not start with "…"."""
    assert excerpt("DPRK said so.", 0, 4) == "DPRK said so."


def test_extra_spans_are_linked_in_the_same_walk_unless_a_mention_overlaps():
    """Date links are added too, except where they overlap a mention (even an unlinked one)."""
    matcher = MentionMatcher([entity("war", "June 25 War")])

    def dates(text):
        return [
            Span(m.start(), m.end(), "a", (("class", "date"), ("href", "/dates/06/25/")))
            for m in re.finditer("June 25", text)
        ]

    html = "<p>On June 25 the June 25 War began; the June 25 War ended.</p><p><code>June 25</code></p>"
    linked = link(html, matcher, extra=dates)
    assert linked.html == (
        '<p>On <a class="date" href="/dates/06/25/">June 25</a> the '
        '<a class="mention" href="/entities/war/">June 25 War</a> began; the June 25 War ended.</p>'
        "<p><code>June 25</code></p>"
    )


def test_no_entities_changes_nothing():
    """An archive without entities leaves bodies as they are."""
    html = "<p>Anything &amp; all</p>"
    assert link(html, MentionMatcher([])).html == html


def test_find_mentions_in_plain_text():
    """Plain text (an imported statement) gives counts per entity."""
    text = "The DPRK and the US. The DPRK’s answer. Korea."
    assert find_mentions_in_text(text, MATCHER) == {"dprk": 2, "us": 1}


def test_hostile_href_is_escaped():
    """A URL from the caller cannot break out of the href attribute."""
    linked = link("<p>DPRK</p>", href=lambda e: '"><script>alert(1)</script>')
    assert "<script>" not in linked.html
    check(linked.html)


# --- properties --------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_st, st.sampled_from(["first", "all"]))
def test_property_linking_keeps_text_and_structure(html, mode):
    """For any body: the visible text is unchanged, the HTML well-formed, links never nested."""
    linked = link(html, mode=mode, listed=["dprk"])
    assert visible_text(linked.html) == visible_text(html)
    check(linked.html)
    well_formed_xml(linked.html)
    for anchor in re.finditer(r'<a class="mention" href="/entities/([^/]+)/">(.*?)</a>', linked.html):
        shown = htmllib.unescape(anchor.group(2))
        assert MATCHER.find(shown) and MATCHER.find(shown)[0].candidates == (anchor.group(1),)
    if mode == "first":
        ids = re.findall(r'class="mention" href="/entities/([^/]+)/"', linked.html)
        assert len(ids) == len(set(ids))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("USRDPKabc -'’ɐ김정은은\n"))))
def test_property_text_mentions_are_whole_words(text):
    """Every mention found in plain text is a whole name, bounded by non-word characters."""
    for m in MATCHER.find(text):
        before = text[m.start - 1 : m.start]
        assert not (before.isalnum() and text[m.start].isalnum())
        hangul_particle = "\uac00" <= text[m.end - 1] <= "\ud7a3"
        assert (
            m.end == len(text) or not (text[m.end - 1].isalnum() and text[m.end].isalnum()) or hangul_particle
        )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n")), max_size=600), st.data())
def test_property_excerpt_holds_the_mention_and_stays_short(text, data):
    """An excerpt always shows the mention, whole words only, within about 200 characters."""
    text = f"{text} DPRK {text[::-1]}"
    start = data.draw(st.sampled_from([m.start() for m in re.finditer("DPRK", text)]))
    cut = excerpt(text, start, start + 4)
    assert "DPRK" in cut
    assert len(cut) <= 202
    inner = cut.removeprefix("…").removesuffix("…")
    left = r"(?<= )" if cut.startswith("…") else "^"  # cut between words, or the very start
    right = r"(?= )" if cut.endswith("…") else "$"
    assert re.search(left + re.escape(inner) + right, " ".join(text.split()))
