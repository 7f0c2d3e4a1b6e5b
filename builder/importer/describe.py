"""What a document is, read from its own words: kind, speaker, a title, the day it names.

A statement that reproduces itself says so in its opening sentence: "A spokesman for the
Foreign Ministry issued the following statement on Nov. 17:". The word "following" is the
sign: "X issued a statement denouncing …" is an article about a statement, not one. The
kinds recognised, and the words that give them, are listed in `KIND_WORDS` (documented in
the importer's README); an answer to a news agency's question counts as an interview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import TextDate, dateline, find_dates

# Checked in this order: the first kind whose words occur in the announced noun phrase wins.
KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("press-release", r"press release|news release"),
    ("interview", r"answers?|repl(?:y|ies)|questions?|interview"),
    ("commentary", r"commentary|editorial"),
    ("speech", r"speech|address|remarks|lecture"),
    ("letter", r"(?:open )?letter|message"),
    ("report", r"report|memorandum|white paper|indictment|bulletin"),
    ("statement", r"statement|declaration|communiqu[eé]|notice|announcement|appeal|warning"),
    ("article", r"article"),
)
# In a headline the kind noun counts at the start ("Statement of …", "Letter to …"), at
# the end after a colon or dash (": KCNA Commentary") or as "X's statement"; elsewhere it
# usually names what an article is about ("… on Kim Young Sam's speech" aside).
_TITLE_NOUNS: tuple[tuple[str, str], ...] = (
    ("press-release", r"press release"),
    ("commentary", r"commentary|editorial"),
    ("interview", r"interview"),
    ("statement", r"(?:press |joint )?statement|declaration|communiqu[eé]"),
    ("speech", r"speech|address"),
    ("letter", r"(?:open )?letter"),
    ("report", r"memorandum|white paper|indictment|report"),
)
_TITLE_KINDS: tuple[tuple[str, str], ...] = (
    ("interview", r"\banswers?\b.{0,40}\bquestions?\b|\brepl(?:y|ies)\b.{0,40}\bquestions?\b"),
    *(
        (
            kind,
            rf"^(?:{nouns})\b|[:|\-–—]\s*(?:[\w.]+\s+){{0,3}}(?:{nouns})$"
            rf"|^(?!.*\b(?:on|about|against|to|at)\b).*['’]s\s+(?:{nouns})$",
        )
        for kind, nouns in _TITLE_NOUNS
    ),
)
_VERBS = (
    r"(?:has |have |had )?(?:issued|issues|released|releases|made public|makes public|published"
    r"|publishes|gave|gives|sent|sends|delivered|delivers|made|makes|answered|answers|carried)"
)
_ANNOUNCE = re.compile(
    rf"^(?P<who>.{{2,200}}?)\s+{_VERBS}\s+the\s+following\s+(?P<what>[^:;.]{{1,160}}?)"
    r"(?P<tail>\s+(?:on|in|to|at|via|through|regarding|concerning|over|about|as|with|for|after)\b[^:]*)?"
    r"\s*(?::|\.|$)",
    re.IGNORECASE,
)
_STATEMENT_OF = re.compile(
    r"^(?:press\s+|joint\s+)?statement\s+(?:of|by)\s+(?:the\s+)?(?P<who>.{3,120})$", re.IGNORECASE
)
_QUESTION = re.compile(
    r"\bto\s+(?:a|the)\s+questions?(?:\s+(?:raised|put|asked)\s+by\s+"
    r"(?!Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)[A-Z][\w.-]*)?"
)
_ARTICLES = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:][\"'”’»)]*(?=\s|$)")
# Words that end with a full stop without ending the sentence ("on Nov. 17", "Mr. Kim").
_ABBREVIATIONS = frozenset(
    "jan feb febr mar apr jun jul aug sep sept oct nov dec mr mrs ms dr st no nos gen col lt "
    "sgt prof jr sr vs etc e.g i.e u.s u.n u.k cf p pp vol art para fig ca approx".split()
)


@dataclass(frozen=True)
class Description:
    """What the opening of a text says about it; every field None when it says nothing."""

    kind: str | None = None
    speaker: str | None = None
    title: str | None = None  # derived, for documents without a title of their own
    day: TextDate | None = None  # the day the opening names (dateline or announcement)
    agency: str | None = None  # "(KCNA)" in a dateline


def describe(paragraphs: list[str], title: str | None = None) -> Description:
    """Kind, speaker, derived title and named day from the first paragraph (and title)."""
    first = paragraphs[0] if paragraphs else ""
    day, agency, start = dateline(first)
    opening = first[start:].strip()
    sentence = first_sentence(opening)
    announced = _ANNOUNCE.match(sentence)
    kind = speaker = derived = None
    if announced:
        who = _who_alone(announced.group("who").strip(" ,"))
        what = announced.group("what").strip()
        kind = kind_of(what)
        if _looks_like_speaker(who):
            speaker = _capitalise(_ARTICLES.sub("", who))
            derived = _derived_title(kind, what, who, announced.group("tail") or "")
        if day is None:
            named = find_dates(announced.group("tail") or "")
            day = named[0] if named else None
    if kind is None and title:
        kind = kind_from_title(title)
    if speaker is None and title:
        m = _STATEMENT_OF.match(title.strip())
        speaker = _who_alone(m.group("who").strip()) or None if m else None
    if derived is None:
        derived = _title_from_sentence(sentence)
    return Description(kind, speaker, derived, day, agency)


def kind_of(noun_phrase: str) -> str | None:
    """The archive's kind for an announced noun phrase ("press statement" -> statement)."""
    for kind, words in KIND_WORDS:
        if re.search(rf"\b(?:{words})\b", noun_phrase, re.IGNORECASE):
            return kind
    return None


def kind_from_title(title: str) -> str | None:
    for kind, pattern in _TITLE_KINDS:
        if re.search(pattern, title, re.IGNORECASE):
            return kind
    return None


def first_sentence(text: str) -> str:
    """Up to the first sentence end (a colon counts: announcements end with one)."""
    for m in _SENTENCE_END.finditer(text):
        word = re.search(r"([\w.]*)$", text[: m.start()]).group(1).lower()
        if m.group(0)[0] == "." and (word in _ABBREVIATIONS or len(word) == 1):
            continue
        return text[: m.end()].strip()
    return text.strip()


# What a sentence or headline adds at the end of an issuer's name: a day ("… on Friday",
# "… Tuesday", "… on October 19", "… today") or a publishing verb, alone or with its agent or
# one word ("… Issued", "… Posted by Bodies of Peru", "… supported abroad"). Only at the end:
# "USA Today", "The Sunday Times" and "Association of Released Political Prisoners" keep theirs.
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH_DAY = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}"
_PUBLISHING = (
    r"(?i:issued|published|hailed|posted|supported|released|carried|backed|adopted|circulated"
    r"|distributed|reported|sent|delivered|announced)"
)
_AFTER_WHO = re.compile(
    rf",?\s+(?:(?:on|this|last)\s+)?(?:{_WEEKDAY}|{_MONTH_DAY})$"
    r"|,?\s+(?:today|yesterday|tonight)$"
    rf"|\s+{_PUBLISHING}(?:\s+by\s+.*|\s+[a-z]+)?$"
)


def _who_alone(who: str) -> str:
    """The issuer's name without the day or the verb a sentence or headline adds to it."""
    first, _, rest = who.partition(" ")
    return (first + " " + _AFTER_WHO.sub("", " " + rest).strip()).strip() if rest else first


def _looks_like_speaker(who: str) -> bool:
    words = who.split()
    return 1 <= len(words) <= 16 and (who[0].isupper() or who.lower().startswith(("a ", "an ", "the ")))


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _derived_title(kind: str | None, what: str, who: str, tail: str) -> str:
    """Titles like "Statement by a spokesman for …" or "Answer by … to a question raised by KCNA"."""
    who = who[:1].lower() + who[1:] if _ARTICLES.match(who) else who
    if kind == "interview":
        question = _QUESTION.search(what + tail)
        extra = " " + question.group(0) if question else ""
        return _capitalise(f"answer by {who}{extra}")
    return _capitalise(f"{what} by {who}")


def _title_from_sentence(sentence: str, limit: int = 100) -> str | None:
    """The opening sentence, cut at a word near `limit` characters, as a last resort."""
    text = sentence.strip().rstrip(":").strip()
    if not text:
        return None
    if len(text) <= limit:
        return text.rstrip(".")
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:-–— ")
    return cut + " …"
