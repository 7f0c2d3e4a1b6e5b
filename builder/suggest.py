"""Candidates for new entity files: frequent capitalised phrases that no entity names yet.

A phrase is a run of capitalised words ("Kim Yo Jong", "White House", "U.S.", "Mt.
Paektu"), which may hold lowercase connectors between two of its words ("Third
Committee of the UN General Assembly"). Punctuation ends a phrase, and so does a
possessive ("the DPRK's Foreign Ministry" gives "DPRK" and "Foreign Ministry"), except
the plural ones of names ("Workers' Party of Korea", "Democratic People's Republic").
An "and" joins two names unless it follows an "of" ("Ministry of Trade and Industry" is
one name; "Japan and China", "Bank of X and Bank of Y" are two). Months, weekdays and
"I" are never part of a phrase; a person's title is left out ("President Kim Il Sung",
"Foreign Minister Kim Il Sung" count as "Kim Il Sung"), and a phrase that ends in a known
name is that name, whatever the words before it ("Chief Negotiator Kim Song").

Sentence starts capitalise ordinary words, so a common opening word ("The", "But",
"According") never begins a candidate, and a single word at a sentence start counts
only if that word also stands alone, capitalised, in the middle of some sentence of the
archive ("Pyongyang" does; "Worse" does not).

Phrases are compared as the mention matcher compares names: case, apostrophes and
hyphens folded ("Kim Jong-un" is "Kim Jong Un"); a candidate shows its most frequent
spelling. One regular-expression pass per text finds the runs; memory grows with the
number of distinct phrases, not with the archive.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from .dates import MONTHS, WEEKDAYS
from .mentions import canonical

CONNECTORS = frozenset("of the for and de du des da dos la le von van der al el bin".split())
# Words that open sentences: never the first word of a candidate, nor one on their own.
OPENERS = frozenset(
    """
    A About According After Again Against Ahead All Along Also Although Among An And Another Any
    Are As At Because Before Being Besides Both But By Can Could Despite During Each Either Even
    Every Everything Finally First For From Furthermore Had Has Have Having He Her Here His How
    However If In Indeed Instead Is It Its Just Last Later Let Many Meanwhile Moreover Most Much
    My Neither Never Nevertheless Next No Nor Not Nothing Now Of On Once One Only Or Other
    Otherwise Our Over Rather Recently Second She Since So Some Still Such That The Their Them
    Then There Therefore These They This Those Though Thus To Today Tomorrow Under Unless Until
    Upon Was We Were What Whatever When Where Whether Which While Who Whoever Why With Without
    Worse Would Yes Yesterday Yet You Your Present Speaking Referring Noting Pointing Stressing
    Recalling Saying Calling Asked Dear Thanks Thank
    """.split()
)
# A person's title before a name: "President Kim Il Sung" is a mention of "Kim Il Sung".
# Words of a title before it are left out with it ("Foreign Minister Ri Son Gwon").
TITLES = frozenset(
    """
    Comrade Comrades Mr Mr. Mrs Mrs. Ms Ms. Dr Dr. Madam President Premier Chairman Chairwoman
    Marshal Leader Minister Vice-Minister Secretary Ambassador Envoy Senator Governor Mayor
    Chancellor King Queen Prince Princess Colonel Admiral Spokesman Spokeswoman Spokesperson
    """.split()
)
TITLE_WORDS = 3  # the most words a title may have before the name
# Capitalised possessors that stay inside a name ("Democratic People's Republic of Korea").
PLURALS = frozenset(
    "People Peoples Children Women Men Youth Workers Farmers Veterans Martyrs Writers Students".split()
)
NEVER = frozenset({"I", *MONTHS, *WEEKDAYS})
# Words that end a run without being part of a name ("Neighbourhood Unit No. 24").
TRAILING = frozenset({"No", "Nos"})
MAX_WORDS = 10  # a longer run of capitals is a heading or a shout, not a name


def _uppercase_class() -> str:
    """A character class of the Basic Multilingual Plane's capital letters (re has no \\p{Lu})."""
    ranges, start = [], None
    for code in range(0x10001):
        capital = code < 0x10000 and (chr(code).isupper() or chr(code).istitle())
        if capital and start is None:
            start = code
        elif not capital and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    return "[" + "".join(ranges) + "]"


_NEVER = "|".join(sorted(NEVER, key=len, reverse=True)).replace(".", r"\.")
# One capitalised word: an initialism with dots ("U.S."), an abbreviation with its dot
# ("Mt."), or letters with inner hyphens and apostrophes ("Kim Jong-un", "DPRK's").
_CAPITAL_WORD = (
    rf"(?<![\w'’‐‑-])(?!(?:{_NEVER})(?![\w'’]))"
    rf"(?:(?:[A-Z]\.){{2,}}|(?:Mt|St|Ft|Mr|Mrs|Ms|Dr|Gen|Lt|Col|Gov|Sen|Prof)\.(?=[ \t\u00a0])"
    rf"|{_uppercase_class()}(?:\w|[-‐‑'’](?=\w)|\.(?=[A-Z]\.))*(?:(?<=\.[A-Z])\.)?)"
)
# Between two words of a phrase: spaces, after a possessive's apostrophe; never a line
# break or other punctuation.
_GAP = r"['’]?[ \t\u00a0]+"
_CONNECTOR = rf"(?:{'|'.join(sorted(CONNECTORS))}){_GAP}"
# Connectors between two capitalised words, never a lone "the" ("in Pyongyang the DPRK").
_RUN = re.compile(rf"{_CAPITAL_WORD}(?:{_GAP}(?:(?!the\s)(?:{_CONNECTOR})+)?{_CAPITAL_WORD})*")
_TOKEN = re.compile(r"\S+")
_SPACE = re.compile(r"[ \t\u00a0]")
_SINGULAR_POSSESSIVE = re.compile(r"['’][sS]$")
_POSSESSIVE = re.compile(r"['’][sS]$|(?<=s)['’]$")
# What stands before a sentence's first word: its end, a dash, a colon, or nothing.
_OPENS = re.compile(r"(?:^|[.!?:;\n—–-])[\s\"'“‘(\[]*$")


def normalised(name: str) -> str:
    """How names compare: case-folded, straight apostrophes, hyphens as spaces, single spaces."""
    return " ".join(canonical(name).casefold().split())


def suggest_entities(
    texts: Iterable[str], known_names: Iterable[str], *, limit: int = 50, min_count: int = 2
) -> list[tuple[str, int]]:
    """The most frequent capitalised phrases that match no known name, with their counts.

    Sorted by count (highest first), then phrase; at most `limit`, each seen at least
    `min_count` times.
    """
    known = {normalised(name) for name in known_names}
    ends: dict[str, bool] = {}  # normalised -> whether it ends with a known name
    keys: dict[str, str] = {}  # phrase -> normalised, since most phrases recur
    counts: Counter[str] = Counter()
    spellings: defaultdict[str, Counter[str]] = defaultdict(Counter)
    openers: Counter[str] = Counter()  # single words seen at a sentence start
    alone: set[str] = set()  # single words seen alone in mid-sentence
    for text in texts:
        for phrase, at_start in phrases(text):
            key = keys.get(phrase) or keys.setdefault(phrase, normalised(phrase))
            if key in known or _ends_with_known(key, known, ends):
                continue
            spellings[key][phrase] += 1
            single = " " not in key
            if single and at_start:
                openers[key] += 1
                continue
            counts[key] += 1
            if single:
                alone.add(key)
    for key in alone:
        counts[key] += openers.get(key, 0)
    ranked = heapq.nsmallest(
        max(limit, 0),
        ((-count, _spelling(spellings[key])) for key, count in counts.items() if count >= min_count),
    )
    return [(phrase, -negative) for negative, phrase in ranked]


def _ends_with_known(key: str, known: set[str], ends: dict[str, bool]) -> bool:
    """Whether a phrase is a known name after words a title list lacks ("Chief Negotiator
    Kim Song" names "Kim Song"): its mention is already linked."""
    found = ends.get(key)
    if found is None:
        words = key.split(" ")
        found = ends[key] = any(" ".join(words[i:]) in known for i in range(1, len(words)))
    return found


def _spelling(seen: Counter[str]) -> str:
    """The most frequent spelling of a phrase; the first in code-point order on a tie."""
    return min(seen.items(), key=lambda item: (-item[1], item[0]))[0]


def phrases(text: str) -> Iterator[tuple[str, bool]]:
    """Each capitalised phrase of a text, and whether it opens a sentence."""
    for run in _RUN.finditer(text):
        start, words = run.start(), run.group()
        at_start = _OPENS.search(text, max(0, start - 6), start) is not None
        if _SPACE.search(words) is None:  # one word: most runs
            # (nor a title alone: "President" names nobody)
            if words not in OPENERS and words not in NEVER and words not in TRAILING and words not in TITLES:
                phrase = _POSSESSIVE.sub("", words)
                if len(phrase) > 1:
                    yield phrase, at_start
            continue
        tokens = [(t.start() + start, t.end() + start) for t in _TOKEN.finditer(words)]
        yield from _split(text, tokens, at_start)


def _split(text: str, tokens: list[tuple[int, int]], at_start: bool) -> Iterator[tuple[str, bool]]:
    """The phrases of one run: split after a singular possessive and at an "and" joining two names."""
    words = [text[s:e] for s, e in tokens]
    for i, word in enumerate(words):
        if i + 1 < len(words) and _SINGULAR_POSSESSIVE.search(word) and word[:-2] not in PLURALS:
            yield from _trimmed(text, tokens[: i + 1], words[: i + 1], at_start)
            yield from _split(text, tokens[i + 1 :], at_start=False)
            return
        if word == "and" and _and_lists(words, i):
            yield from _trimmed(text, tokens[:i], words[:i], at_start)
            yield from _split(text, tokens[i + 1 :], at_start=False)
            return
    yield from _trimmed(text, tokens, words, at_start)


def _and_lists(words: list[str], i: int) -> bool:
    """Whether the "and" at words[i] joins two names rather than belonging to one.

    It belongs to one name only after an "of" or "for", before no other and not before
    "the": "Ministry of Trade and Industry", but "Party of Korea and the Korean Army".
    """
    before, after = set(words[:i]), set(words[i + 1 :])
    return not (before & {"of", "for"}) or bool(after & {"of", "for"}) or words[i + 1 : i + 2] == ["the"]


def _title_end(words: list[str], first: int, last: int) -> int:
    """Where the name begins after a title of up to TITLE_WORDS capitalised words ending in
    one of TITLES ("Vice-Minister", "Foreign Minister"), if a capitalised name follows."""
    end = first
    for i in range(first, min(first + TITLE_WORDS, last - 1)):
        if not words[i][0].isupper():
            break
        if words[i] in TITLES and words[i + 1][0].isupper():
            end = i + 1
    return end


def _trimmed(
    text: str, tokens: list[tuple[int, int]], words: list[str], at_start: bool
) -> Iterator[tuple[str, bool]]:
    """The phrase without leading openers, titles and connectors, nor trailing connectors."""
    first, last = 0, len(words)
    while last > first and (words[last - 1] in CONNECTORS or words[last - 1] in TRAILING):
        last -= 1
    while first < last and (words[first] in OPENERS or words[first] in CONNECTORS):
        first += 1
        at_start = False
    title = _title_end(words, first, last)
    if title > first:
        first, at_start = title, False
    if first == last or last - first > MAX_WORDS:
        return
    phrase = _POSSESSIVE.sub("", text[tokens[first][0] : tokens[last - 1][1]])
    if len(phrase) > 1 and phrase not in NEVER and phrase not in TITLES:
        yield phrase, at_start
