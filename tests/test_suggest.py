"""Entity suggestions: which capitalised phrases become candidates, and how they are counted."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.suggest import phrases, suggest_entities

TEXTS = [
    "On November 14, a resolution was railroaded at the Third Committee of the UN General Assembly. "
    "Kim Yo Jong said the White House was behind it.",
    "The White House denied it. But Kim Yo Jong repeated that the Third Committee of the UN General "
    "Assembly had been reduced to a marionette of the US.",
    "Worse still, the US frequents the White House. In Pyongyang the DPRK's Foreign Ministry spoke.",
    "Pyongyang answered. The Foreign Ministry of the DPRK said so in Pyongyang.",
]


def words(text: str) -> list[str]:
    return [phrase for phrase, _ in phrases(text)]


def test_frequent_phrases_are_suggested_with_counts() -> None:
    """The archive's repeated names come out, most frequent first, with their counts."""
    suggested = suggest_entities(TEXTS, ["US", "DPRK"])
    assert suggested == [
        ("Pyongyang", 3),
        ("White House", 3),
        ("Kim Yo Jong", 2),
        ("Third Committee of the UN General Assembly", 2),
    ]


def test_order_is_count_then_phrase() -> None:
    """Ties are broken by the phrase, so the list is the same on every run."""
    suggested = suggest_entities(TEXTS, ["US", "DPRK"])
    assert suggested == sorted(suggested, key=lambda item: (-item[1], item[0]))
    assert suggested[:2] == [("Pyongyang", 3), ("White House", 3)]


def test_known_names_and_aliases_are_left_out_whatever_their_spelling() -> None:
    """A phrase that is an entity's name or alias, in any case or hyphenation, is not suggested."""
    texts = ["Kim Jong-un met Kim Jong Un. KIM JONG UN and the Workers’ Party. Workers' Party again."] * 2
    suggested = dict(suggest_entities(texts, ["kim jong un", "Workers' Party"]))
    assert suggested == {}


def test_a_known_name_after_a_title_or_role_is_that_name() -> None:
    """ "Foreign Minister Sol Hyontae" and "Chief Negotiator Sol Hyontae" name a known entity:
    neither is suggested; an unknown name after a title is suggested without it."""
    texts = [
        "Foreign Minister Sol Hyontae and Chief Negotiator Sol Hyontae met Vice-Minister Jang Uman. "
        "Later Foreign Minister Phyo Jinrim spoke."
    ] * 2
    assert dict(suggest_entities(texts, ["Sol Hyontae", "Jang Uman"])) == {"Phyo Jinrim": 2}
    assert suggest_entities(["The President spoke. Then the President left. President."] * 2, []) == []


def test_min_count_and_limit() -> None:
    """Phrases seen fewer than min_count times are left out; at most `limit` are given."""
    texts = ["Arden met Borland and Castia in Dunmore. Then Arden and Borland left."]
    assert suggest_entities(texts, [], min_count=2) == [("Arden", 2), ("Borland", 2)]
    assert suggest_entities(texts, [], min_count=1, limit=3) == [("Arden", 2), ("Borland", 2), ("Castia", 1)]
    assert suggest_entities(texts, [], limit=0) == []


def test_sentence_openers_are_not_names() -> None:
    """'The', 'But', 'Worse' and 'In' at a sentence start are not candidates, nor part of one."""
    suggested = dict(suggest_entities(TEXTS * 3, ["US", "DPRK"], min_count=1))
    assert not {"The", "But", "Worse", "In", "On", "The White House"} & set(suggested)
    assert suggested["White House"] == 9


def test_a_single_word_at_a_sentence_start_needs_a_mid_sentence_use() -> None:
    """'Pyongyang' at a sentence start counts because it also appears mid-sentence; 'Modern' does not."""
    texts = ["Pyongyang answered. Modern methods failed.", "Modern ways. He was in Pyongyang."]
    suggested = dict(suggest_entities(texts, [], min_count=1))
    assert suggested["Pyongyang"] == 2
    assert "Modern" not in suggested


def test_connectors_join_names_but_never_end_them() -> None:
    """'of', 'the', 'for' join words of one name; a trailing connector is dropped."""
    assert words("at the Ministry of Foreign Affairs of the Republic today") == [
        "Ministry of Foreign Affairs of the Republic"
    ]
    assert words("the Council of the interior") == ["Council"]
    assert words("the Committee for the Peaceful Reunification of the Fatherland said") == [
        "Committee for the Peaceful Reunification of the Fatherland"
    ]


def test_and_joins_one_name_only_after_of() -> None:
    """'Ministry of Trade and Industry' is one name; 'Japan and China' are two."""
    assert words("the Ministry of Trade and Industry") == ["Ministry of Trade and Industry"]
    assert words("both Japan and China") == ["Japan", "China"]
    assert words("the Bank of England and Bank of France") == ["Bank of England", "Bank of France"]


def test_possessives_and_punctuation_end_a_phrase() -> None:
    """'the DPRK's Foreign Ministry' is two phrases; a plural possessive stays inside a name."""
    assert words("the DPRK's Foreign Ministry") == ["DPRK", "Foreign Ministry"]
    assert words("the Workers' Party of Korea and the Korean People's Army") == [
        "Workers' Party of Korea",
        "Korean People's Army",
    ]
    assert words("Japan, China. Russia\nKorea") == ["Japan", "China", "Russia", "Korea"]


def test_titles_months_and_initialisms() -> None:
    """Titles are left out, months and weekdays break a phrase, initialisms keep their dots."""
    assert words("when President Kim Il Sung met Comrade Kim Jong Un") == ["Kim Il Sung", "Kim Jong Un"]
    assert words("the UN Security Council on Monday and the Assembly in November") == [
        "UN Security Council",
        "Assembly",
    ]
    assert words("the U.S. and the DPRK-U.S. talks at Mt. Paektu") == ["U.S.", "DPRK-U.S.", "Mt. Paektu"]
    assert words("I said Unit No. 24") == ["Unit"]
    assert words("as Foreign Minister Ri Son Gwon and the Prime Minister said at the General Assembly") == [
        "Ri Son Gwon",
        "Prime Minister",
        "General Assembly",
    ]


def test_the_most_frequent_spelling_is_shown() -> None:
    """Variant spellings count together under the most frequent one."""
    texts = ["Kim Yo-jong spoke. Then Kim Yo Jong and Kim Yo Jong again."]
    assert suggest_entities(texts, []) == [("Kim Yo Jong", 3)]


def test_non_latin_capitals_count() -> None:
    """Capitalised words of other alphabets are candidates too."""
    assert words("the Élysée Palace and Владимир Путин met") == ["Élysée Palace", "Владимир Путин"]


def test_long_texts_are_read_in_linear_time() -> None:
    """Long runs of capitals and long texts cost time in proportion to their length."""
    texts = ["Abc " * 100_000, "Abc of " * 100_000, "A" * 200_000, "The White House said. " * 20_000]
    started = time.perf_counter()
    suggest_entities(texts, [])
    assert time.perf_counter() - started < 5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=5), st.lists(st.text(max_size=10), max_size=3))
def test_any_text_gives_sorted_known_free_suggestions(texts: list[str], known: list[str]) -> None:
    """For any texts and names: no error, sorted, counts at least min_count, no known name."""
    suggested = suggest_entities(texts, known, min_count=1)
    assert suggested == sorted(suggested, key=lambda item: (-item[1], item[0]))
    assert all(count >= 1 and phrase.strip() == phrase and phrase for phrase, count in suggested)
    folded = {" ".join(k.casefold().split()) for k in known}
    assert not any(
        phrase.casefold() in folded for phrase, _ in suggested if "-" not in phrase and "'" not in phrase
    )
