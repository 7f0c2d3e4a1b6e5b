"""`archive demo`: a fictional archive of any size, for trying the builder at scale.

Every choice comes from one `random.Random(seed)`, never the clock or the global generator,
so the same seed gives byte-identical files on any machine. Files are written as they are
made (only ids, dates and the entity table stay in memory), so 100,000 statements take
seconds and flat memory. Sentences are assembled from pools of phrases built once per run:
building each word anew for 75 million words would be far too slow.

All countries, organisations, people and publications are invented; Wikidata ids are fake
and every entity description says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import sys
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from random import Random
from typing import TypeVar

from .errors import UsageError

T = TypeVar("T")
MARKER = ".archive-demo"
START = dt.date(2005, 1, 3)
SPAN_DAYS = 20 * 365
MAX_ENTITIES = 5_000
MIN_ENTITIES = 12
CHARS_PER_WORD = 6  # average in generated text, space included: counting words is slower

# --- word stock (written for this generator) -------------------------------------------
# fmt: off

NOUNS = (
    "sovereignty", "policy", "sanctions", "pressure", "dialogue", "provocation", "peace",
    "security", "stability", "development", "cooperation", "confrontation", "aggression",
    "declaration", "agreement", "negotiation", "exercise", "deployment", "threat", "crisis",
    "region", "peninsula", "border", "harvest", "economy", "industry", "science", "delegation",
    "alliance", "interference", "principle", "position", "stance", "measure", "response",
    "warning", "demand", "proposal", "initiative", "treaty", "commitment", "responsibility",
    "situation", "tension", "deterrent", "capability", "independence", "friendship", "solidarity",
    "campaign", "mobilisation", "construction", "reform", "blockade", "embargo", "inspection",
    "verification", "summit", "talks", "communique", "resolution", "assembly", "congress",
    "allegation", "fabrication", "smear", "slander", "hostility", "rhetoric", "doctrine",
    "strategy", "ambition", "scheme", "plot", "manoeuvre", "ultimatum", "consequence", "future",
    "generation", "people", "nation", "homeland", "frontier", "waters", "airspace", "coast",
    "satellite", "launch", "reactor", "fuel", "grain", "fertiliser", "railway", "hydropower",
    "irrigation", "livestock", "fishery", "textile", "steel", "cement", "coal", "medicine",
)
ADJECTIVES = (
    "reckless", "hostile", "so-called", "unprecedented", "legitimate", "peaceful", "dangerous",
    "provocative", "unilateral", "sovereign", "principled", "consistent", "resolute", "firm",
    "heinous", "absurd", "shameless", "outdated", "futile", "brazen", "serious", "grave",
    "joint", "large-scale", "annual", "strategic", "tactical", "economic", "military",
    "diplomatic", "humanitarian", "bilateral", "multilateral", "regional", "international",
    "historic", "fraternal", "unjust", "illegal", "impartial", "lasting", "durable", "urgent",
    "fundamental", "practical", "tireless", "vigilant", "collective", "self-reliant", "modern",
)
VERBS_PAST = (
    "exposed", "condemned", "rejected", "denounced", "welcomed", "stressed", "reaffirmed",
    "clarified", "warned against", "called for", "pointed out", "noted", "underlined",
    "criticised", "refuted", "dismissed", "supported", "praised", "questioned", "challenged",
    "undermined", "strengthened", "reviewed", "discussed", "proposed", "demanded", "recalled",
)
VERBS_PRESENT = (
    "exposes", "reveals", "threatens", "undermines", "proves", "shows", "demands", "requires",
    "deserves", "reflects", "betrays", "confirms", "endangers", "strengthens", "defends",
    "violates", "ignores", "escalates", "justifies", "serves", "obstructs", "supports",
)
ADVERBS = (
    "once again", "clearly", "openly", "repeatedly", "firmly", "resolutely", "consistently",
    "deliberately", "flatly", "strongly", "in no uncertain terms", "unequivocally", "recently",
)
QUALIFIERS = (
    "the true nature of", "the hidden intention behind", "the dangerous logic of",
    "the very foundation of", "the long history of", "the latest round of", "the outcome of",
    "the spirit of", "the implementation of", "the consequences of", "any attempt at",
    "the legitimate right to", "the principle of", "the so-called question of",
)
TAILS = (
    "at a time when the situation remains tense",
    "in flagrant violation of the agreement",
    "regardless of the pressure from outside",
    "in the interest of lasting peace",
    "as the whole world knows",
    "in line with the demands of the times",
    "without any precondition",
    "on the eve of the anniversary",
    "in the face of mounting criticism",
    "as was made clear last year",
    "in the presence of foreign journalists",
    "despite repeated warnings",
    "for the sake of the next generation",
    "in a manner befitting a sovereign state",
    "to the surprise of many observers",
)
JOINERS = ("and", "but", "while", "because", "although", "since", "whereas", "so")
TAGS = (
    "sanctions", "nuclear", "diplomacy", "military-exercises", "economy", "agriculture",
    "human-rights", "missiles", "talks", "united-nations", "trade", "energy", "science",
    "culture", "sports", "anniversary", "border", "maritime", "aviation", "health", "education",
    "reunification", "alliance", "disarmament", "space", "fishing", "weather", "floods",
    "elections", "youth", "labour", "tourism", "railways", "shipping", "cyber", "media",
)
KIND_WEIGHTS = (
    ("statement", 25), ("article", 25), ("commentary", 15), ("report", 12),
    ("press-release", 8), ("speech", 6), ("interview", 5), ("letter", 4),
)
REFERENCE_TYPES = ("refers-to", "responds-to", "reiterates", "refutes", "quotes", "follows-up")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)

# Syllables for Korean-style romanised names, and for names of other invented languages.
KO_SYLLABLES = (
    "chol", "hyok", "myong", "song", "gwang", "nam", "sok", "yong", "ho", "il", "jin", "hui",
    "sun", "ok", "hwa", "chun", "gil", "dok", "su", "bom", "ryong", "hyon", "man", "sik", "ung",
    "hak", "rim", "kyong", "jun", "tae", "pyol", "gum", "ran", "chang", "sam", "u", "hun",
)
KO_SURNAMES = (
    "Ryom", "Thak", "Phyo", "Kye", "Sok", "Ju", "Myong", "Tong", "Hyon", "Paek", "Rim", "Mun",
    "Jang", "Yun", "Cha", "Jon", "Chae", "Pang", "Wi", "Sol",
)
OTHER_SYLLABLES = (
    "al", "ver", "mo", "ri", "ta", "sen", "dor", "ka", "lin", "mar", "es", "tho", "vi", "an",
    "bel", "cor", "du", "fen", "gal", "hes", "ist", "jor", "kel", "lum", "nor", "ost", "pra",
    "quin", "ros", "tav", "ul", "wen", "zar", "ede", "ira", "ony",
)
OTHER_SURNAME_ENDINGS = ("ov", "sen", "ez", "ard", "ini", "ski", "berg", "ou", "an", "")
PLACE_FORMS = ("{}-ri", "{} Bay", "{} Strait", "{} Islands", "{} County", "Port of {}", "{} City")
COUNTRY_FORMS = ("Republic of {}", "Kingdom of {}", "Federation of {}", "People's Republic of {}", "{}")
ROLES = (
    "Foreign Minister", "Vice-Minister", "spokesperson", "ambassador", "director",
    "premier", "chairperson", "general", "envoy", "researcher", "commentator", "secretary",
)
# Given names that belong to well-known living or historical people: never generated.
FAMOUS_GIVEN = {"jong un", "jong il", "il sung", "yo jong", "son hui", "yong ho", "jae in"}
# fmt: on


@dataclass
class DemoEntity:
    """An entity as the generator knows it: what to write, and how the text may name it."""

    id: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    variant: str | None = None  # spelling used in text but not listed (hyphenation)
    country: str | None = None
    role: str = ""


# --- small helpers ---------------------------------------------------------------------


def slug(text: str, limit: int = 60) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > limit and out:
            break
        out = f"{out}-{word}" if out else word
    return out or "x"


def name_key(text: str) -> str:
    """Spelling-insensitive key: two entities must never share it (except one pair on purpose)."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'()\-]*")


def scalar(text: str) -> str:
    """A YAML scalar as a person would write it: plain when safe, else double-quoted."""
    if (
        _PLAIN.fullmatch(text)
        and ": " not in text
        and " #" not in text
        and text.lower() not in _RESERVED
        and not text.endswith(":")
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def cum_zipf(n: int, exponent: float = 1.0) -> list[float]:
    """Cumulative Zipf weights: a few items very common, most rare, as in real archives."""
    return list(accumulate(1.0 / (rank**exponent) for rank in range(1, n + 1)))


def pick_weighted(rng: Random, items: Sequence[T], cum: Sequence[float]) -> T:
    return items[bisect_left(cum, rng.random() * cum[-1])]


def write(path: Path, text: str) -> None:
    """Bytes straight to the file: Python's text layer adds three system calls per file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_bytes(str(path), text.encode("utf-8"))


def _write_bytes(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


# --- names ------------------------------------------------------------------------------


class Namer:
    """Invents names that are unique in the archive, whatever their spelling."""

    def __init__(self, rng: Random):
        self.rng = rng
        self.taken: set[str] = set()

    def claim(self, *names: str) -> bool:
        keys = {name_key(n) for n in names}  # one entity's spellings may share a key
        if any(k in self.taken for k in keys):
            return False
        self.taken.update(keys)
        return True

    def word(self, syllables: Sequence[str], low: int = 2, high: int = 3) -> str:
        """An invented word; no syllable twice in a row (no 'Hyokhyok')."""
        parts: list[str] = []
        for _ in range(self.rng.randint(low, high)):
            part = self.rng.choice(syllables)
            while parts and part == parts[-1]:
                part = self.rng.choice(syllables)
            parts.append(part)
        return "".join(parts).capitalize()

    def korean_given(self) -> tuple[str, str]:
        while True:
            first, second = self.rng.choice(KO_SYLLABLES), self.rng.choice(KO_SYLLABLES)
            if first != second and f"{first} {second}" not in FAMOUS_GIVEN:
                return first, second


def make_person(namer: Namer, index: int, countries: list[DemoEntity]) -> DemoEntity:
    """A person: most with Korean-style names in one of three romanisations."""
    rng = namer.rng
    country = rng.choice(countries).id if countries else None
    role = rng.choice(ROLES)
    for _ in range(50):
        if rng.random() < 0.7:
            surname = rng.choice(KO_SURNAMES)
            first, second = namer.korean_given()
            spaced = f"{surname} {first.capitalize()} {second.capitalize()}"
            hyphen = f"{surname} {first.capitalize()}-{second}"
            joined = f"{surname} {first.capitalize()}{second}"
            name, variant, other = rng.sample([spaced, hyphen, joined], 3)
            aliases = [variant] if rng.random() < 0.5 else []
            if rng.random() < 0.2:
                aliases.append(other)
            unlisted = next((form for form in (variant, other) if form not in aliases), None)
        else:
            name = f"{namer.word(OTHER_SYLLABLES)} {namer.word(OTHER_SYLLABLES, 1, 2)}{rng.choice(OTHER_SURNAME_ENDINGS)}"
            aliases, unlisted = [], None
        if namer.claim(name, *aliases, *([unlisted] if unlisted else [])):
            return DemoEntity(slug(name), "person", name, aliases, unlisted, country, role)
    return _fallback(namer, "person", index)


def make_country(namer: Namer, index: int) -> DemoEntity:
    rng = namer.rng
    for _ in range(50):
        root = namer.word(KO_SYLLABLES if rng.random() < 0.4 else OTHER_SYLLABLES, 2, 3)
        if rng.random() < 0.5 and not root.endswith(("a", "i", "o", "u")):
            root += rng.choice(("ia", "a", "land", "ora"))
        name = rng.choice(COUNTRY_FORMS).format(root)
        aliases = [root] if name != root else []
        if name != root and rng.random() < 0.4:
            aliases.append("".join(w[0] for w in name.replace("'s", "").split() if w[0].isupper()))
        if namer.claim(name, *aliases):
            return DemoEntity(slug(root), "country", name, aliases)
    return _fallback(namer, "country", index)


def make_organization(namer: Namer, index: int, countries: list[DemoEntity]) -> DemoEntity:
    rng = namer.rng
    for _ in range(50):
        country = rng.choice(countries)
        root = country.aliases[0] if country.aliases else country.name
        word = namer.word(OTHER_SYLLABLES + KO_SYLLABLES, 2, 2)
        name, aliases = rng.choice(
            (
                (f"Ministry of Foreign Affairs of {root}", [f"{root} Foreign Ministry"]),
                (f"{root} Committee for {rng.choice(NOUNS).capitalize()}", []),
                (f"{word} Workers' Federation", []),
                (f"Central Military Commission of {root}", []),
                (f"{word} Institute for {rng.choice(NOUNS).capitalize()} Studies", []),
                (f"{root} Atomic Energy Board", [f"{root[:1]}AEB"]),
                (f"Council of {word} Nations", [f"C{word[:1]}N"]),
                (f"{word} Party of {root}", []),
            )
        )
        if namer.claim(name, *aliases):
            return DemoEntity(slug(name), "organization", name, aliases, country=country.id)
    return _fallback(namer, "organization", index)


def make_publication(namer: Namer, index: int, countries: list[DemoEntity]) -> DemoEntity:
    rng = namer.rng
    for _ in range(50):
        country = rng.choice(countries)
        root = country.aliases[0] if country.aliases else country.name
        word = namer.word(KO_SYLLABLES, 2, 2)
        name, aliases = rng.choice(
            (
                (f"{root} Central News Agency", [f"{root[:1]}CNA"]),
                (f"{word} Sinmun", []),
                (f"The {root} Daily", [f"{root} Daily"]),
                (f"Voice of {root}", []),
                (f"{word} Review", []),
                (f"{root} Foreign Ministry Bulletin", []),
            )
        )
        if namer.claim(name, *aliases):
            return DemoEntity(slug(name), "publication", name, aliases, country=country.id)
    return _fallback(namer, "publication", index)


def make_place(namer: Namer, index: int, countries: list[DemoEntity]) -> DemoEntity:
    rng = namer.rng
    for _ in range(50):
        word = namer.word(KO_SYLLABLES, 2, 2)
        form = rng.choice(PLACE_FORMS)
        name = form.format(word)
        variant = name.replace("-ri", "ri") if form == "{}-ri" else None
        aliases = [variant] if variant and rng.random() < 0.5 else []
        unlisted = variant if variant and not aliases else None
        if namer.claim(name, *aliases, *([unlisted] if unlisted else [])):
            country = rng.choice(countries).id if countries else None
            return DemoEntity(slug(name), "place", name, aliases, unlisted, country)
    return _fallback(namer, "place", index)


def make_event(namer: Namer, index: int, countries: list[DemoEntity]) -> DemoEntity:
    rng = namer.rng
    ordinals = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth")
    for _ in range(50):
        year = START.year + rng.randrange(20)
        word = namer.word(OTHER_SYLLABLES + KO_SYLLABLES, 2, 2)
        country = rng.choice(countries) if countries else None
        root = country.aliases[0] if country and country.aliases else word
        name, aliases = rng.choice(
            (
                (f"{rng.choice(ordinals)} Plenary Meeting of the {word} Assembly", []),
                (f"{word} Summit {year}", [f"{year} {word} Summit"]),
                (f"Exercise {word} {rng.choice(NOUNS).capitalize()} {year}", []),
                (f"{root} Talks in {word} {year}", []),
                (f"{rng.choice(ordinals)} Congress of the {word} Youth League", []),
            )
        )
        if namer.claim(name, *aliases):
            return DemoEntity(slug(name), "event", name, aliases)
    return _fallback(namer, "event", index)


def _fallback(namer: Namer, kind: str, index: int) -> DemoEntity:
    """When 50 tries all collide (tiny syllable space), a numbered name is still unique."""
    name = f"Demo {kind.capitalize()} {index}"
    namer.claim(name)
    return DemoEntity(slug(name), kind, name)


def make_entities(rng: Random, count: int) -> list[DemoEntity]:
    """Every type in realistic proportions; publications 5-10; ids unique."""
    namer = Namer(rng)
    n_countries = min(60, max(3, count * 6 // 100))
    n_publications = min(10, max(5, count // 100 + 5))
    rest = count - n_countries - n_publications
    n_orgs, n_places, n_events = rest * 25 // 100, rest * 12 // 100, rest * 10 // 100
    n_persons = rest - n_orgs - n_places - n_events
    countries = [make_country(namer, i) for i in range(n_countries)]
    made = list(countries)
    made += [make_publication(namer, i, countries) for i in range(n_publications)]
    made += [make_organization(namer, i, countries) for i in range(n_orgs)]
    made += [make_place(namer, i, countries) for i in range(n_places)]
    made += [make_event(namer, i, countries) for i in range(n_events)]
    made += [make_person(namer, i, countries) for i in range(n_persons)]
    _unique_ids(made)
    if count >= 60:
        _share_one_alias(rng, [e for e in made if e.type == "person"])
    return made


def _unique_ids(entities: list[DemoEntity]) -> None:
    seen: set[str] = set()
    for entity in entities:
        base, n = entity.id, 2
        while entity.id in seen:
            entity.id, n = f"{base}-{n}", n + 1
        seen.add(entity.id)


def _share_one_alias(rng: Random, persons: list[DemoEntity]) -> None:
    """Exactly one ambiguous alias, as real archives have (two people called the same)."""
    by_surname: dict[str, list[DemoEntity]] = {}
    for person in persons:
        surname = person.name.split()[0]
        if surname in KO_SURNAMES:
            by_surname.setdefault(surname, []).append(person)
    pairs = [group[:2] for _, group in sorted(by_surname.items()) if len(group) >= 2]
    if pairs:
        first, second = rng.choice(pairs)
        alias = f"Comrade {first.name.split()[0]}"
        first.aliases.append(alias)
        second.aliases.append(alias)


def entity_file(entity: DemoEntity, wikidata: str | None, names: dict[str, str]) -> str:
    lines = ["---", f"name: {scalar(entity.name)}", f"type: {entity.type}"]
    if entity.aliases:
        lines.append("aliases:")
        lines += [f"  - {scalar(a)}" for a in entity.aliases]
    if wikidata:
        lines.append(f"wikidata: {wikidata}")
    lines.append("---")
    about = {
        "person": f"a fictional {entity.role}",
        "country": "a fictional country",
        "organization": "a fictional organisation",
        "publication": "a fictional news publication",
        "place": "a fictional place",
        "event": "a fictional event",
    }[entity.type]
    text = f"{entity.name} is {about}"
    if entity.country and entity.country in names:
        text += f" of {names[entity.country]}"
    text += ", invented by `archive demo` for trying the builder."
    if wikidata:
        text += f" The Wikidata id {wikidata} is synthetic and does not describe this entity."
    return "\n".join(lines) + "\n\n" + text + "\n"


# --- text -------------------------------------------------------------------------------


class Phrases:
    """Pools of phrases and whole sentences, built once per run; statements draw from them.

    Drawing a ready sentence costs one random number; composing each of 75 million words
    anew would make 100,000 statements take minutes.
    """

    def __init__(self, rng: Random, sentences: int = 30_000, paragraphs: int = 40_000):
        namer = Namer(rng)
        invented_nouns = [
            namer.word(OTHER_SYLLABLES, 1, 2).lower() + rng.choice(("ance", "ity", "ism", "ure", "on"))
            for _ in range(1500)
        ]
        invented_adjs = [
            namer.word(OTHER_SYLLABLES, 1, 2).lower() + rng.choice(("ic", "al", "ish", "ive", "ous"))
            for _ in range(800)
        ]
        self.rng = rng
        self._nouns = (NOUNS, invented_nouns, cum_zipf(len(NOUNS), 0.6), cum_zipf(len(invented_nouns), 1.1))
        self._adjs = (
            ADJECTIVES,
            invented_adjs,
            cum_zipf(len(ADJECTIVES), 0.6),
            cum_zipf(len(invented_adjs), 1.1),
        )
        self.topics = [f"{self.adj().capitalize()} {self.noun().capitalize()}" for _ in range(2000)]
        self.subjects = [self.subject() for _ in range(sentences // 4)]
        self.predicates = [self.predicate() for _ in range(sentences // 2)]
        self.sentences = [self.sentence() for _ in range(sentences)]
        self.paragraphs = [self.paragraph() for _ in range(paragraphs)]

    def _word(self, stock: tuple[Sequence[str], Sequence[str], Sequence[float], Sequence[float]]) -> str:
        """Mostly common English, sometimes an invented word: a realistic, large vocabulary."""
        common, invented, common_cum, invented_cum = stock
        if self.rng.random() < 0.85:
            return pick_weighted(self.rng, common, common_cum)
        return pick_weighted(self.rng, invented, invented_cum)

    def noun(self) -> str:
        return self._word(self._nouns)

    def adj(self) -> str:
        return self._word(self._adjs)

    def subject(self) -> str:
        rng, noun, adj = self.rng, self.noun, self.adj
        return rng.choice(
            (
                f"the {adj()} {noun()}",
                f"the {noun()} of {noun()}",
                f"this {adj()} {noun()}",
                f"the {noun()} question",
                f"the {adj()} {noun()} {noun()}",
                f"the whole {noun()}",
                f"any {adj()} {noun()}",
            )
        )

    def predicate(self) -> str:
        rng, noun, adj = self.rng, self.noun, self.adj
        return rng.choice(
            (
                f"{rng.choice(VERBS_PRESENT)} {rng.choice(QUALIFIERS)} the {adj()} {noun()}",
                f"has {rng.choice(ADVERBS)} {rng.choice(VERBS_PAST)} the {adj()} {noun()}",
                f"{rng.choice(VERBS_PRESENT)} the {noun()} of {adj()} {noun()}",
                f"will never be {rng.choice(VERBS_PAST)} by the {adj()} {noun()}",
                f"cannot be separated from the {noun()} of the {noun()}",
                f"{rng.choice(VERBS_PRESENT)} nothing but {adj()} {noun()}",
                f"was {rng.choice(VERBS_PAST)} {rng.choice(ADVERBS)} by the {noun()}",
                f"remains the {adj()} {noun()} of the {noun()}",
                f"must {rng.choice(VERBS_PRESENT)[:-1]} {rng.choice(QUALIFIERS)} {noun()}",
                f"is {rng.choice(ADVERBS)} {rng.choice(VERBS_PAST)} as {adj()} {noun()}",
            )
        )

    def clause(self) -> str:
        return f"{self.rng.choice(self.subjects)} {self.rng.choice(self.predicates)}"

    def paragraph(self) -> tuple[str, tuple[str, ...]]:
        """A paragraph's text, and its sentences without the full stop (quotable)."""
        sentences = tuple(self.rng.choices(self.sentences, k=self.rng.randint(2, 6)))
        return ". ".join(sentences) + ".", sentences

    def sentence(self) -> str:
        rng = self.rng
        text, roll = self.clause(), rng.random()
        if roll < 0.35:
            text += f", {rng.choice(JOINERS)} {self.clause()}"
        elif roll < 0.55:
            text += f" {rng.choice(TAILS)}"
        return text[0].upper() + text[1:]


def format_day(day: dt.date, style: int) -> str:
    if style == 0:
        return f"{MONTHS[day.month - 1]} {day.day}"
    if style == 1:
        return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"
    if style == 2:
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


class Writer:
    """Writes one statement: front matter and a Markdown body of the length asked."""

    def __init__(self, rng: Random, phrases: Phrases, entities: list[DemoEntity]):
        self.rng = rng
        self.random = rng.random
        self.p = phrases
        self.sentences = phrases.sentences
        self.entities = entities
        self.popular = rng.sample(entities, len(entities))  # rank order for Zipf popularity
        self.entity_cum = cum_zipf(len(entities), 0.8)
        self.publications = [e for e in entities if e.type == "publication"]
        self.persons = [e for e in entities if e.type == "person"]
        self.organizations = [e for e in entities if e.type == "organization"] or entities
        self.lands = [e for e in entities if e.type in ("place", "country")] or entities
        self.kinds = [k for k, _ in KIND_WEIGHTS]
        self.kind_cum = list(accumulate(w for _, w in KIND_WEIGHTS))
        self.tag_cum = cum_zipf(len(TAGS), 0.7)

    # sentences

    def plain(self, plain: list[tuple[str, ...]]) -> str:
        """A ready sentence, remembered as a candidate quote for annotations."""
        pool = self.sentences
        text = pool[int(self.random() * len(pool))]
        plain.append((text,))
        return text + "."

    def mention(self, entity: DemoEntity) -> str:
        """How the text names an entity: its name, an alias, or an unlisted spelling."""
        rng = self.rng
        roll = rng.random()
        if entity.variant and roll < 0.15:
            form = entity.variant
        elif entity.aliases and roll < 0.45:
            form = rng.choice(entity.aliases)
        else:
            form = entity.name
        if entity.type == "person" and entity.role[0].isupper() and rng.random() < 0.3:
            form = f"{entity.role} {form}"
        return form

    def mentioning(self, mention: str) -> str:
        """A sentence naming an entity, sometimes in the possessive."""
        rng, p = self.rng, self.p
        roll = rng.random()
        if roll < 0.3:
            return f"{mention}'s {rng.choice(NOUNS)} {rng.choice(p.predicates)}."
        if roll < 0.45:
            return f"{rng.choice(self.sentences)}, according to {mention}."
        return f"{mention} {rng.choice(p.predicates)}."

    def date_sentence(self, day: dt.date) -> str:
        """Dates as statements write them: 'On November 14', '14 Nov 2019', 'in March 2018'."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:
            past = day - dt.timedelta(days=rng.randint(1, 300))
            return f"On {format_day(past, 0)}, {self.p.clause()}."
        if roll < 0.5:
            past = day - dt.timedelta(days=rng.randint(30, 2000))
            return f"{rng.choice(self.sentences)} on {format_day(past, 1)}."
        if roll < 0.75:
            past = day - dt.timedelta(days=rng.randint(30, 1500))
            return f"In {format_day(past, 2)}, {self.p.clause()}."
        future = day + dt.timedelta(days=rng.randint(3, 120))
        what = rng.choice(("The next round of talks", "The joint session", "The ceremony", "The vote"))
        return f"{what} will be held on {format_day(future, 0)}."

    # body

    def body(self, day: dt.date, mentions: list[DemoEntity], words: int) -> tuple[str, list[tuple[str, ...]]]:
        """Markdown of about `words` words; also the plain sentences, for annotation quotes."""
        rng = self.rng
        queue = [self.mention(e) for e in mentions for _ in range(rng.randint(1, 3))]
        rng.shuffle(queue)
        blocks: list[str] = []
        plain: list[tuple[str, ...]] = []
        footnote = None
        count = 0
        while count < words or queue:
            if len(blocks) % 5 == 4 and words > 1100:
                blocks.append(f"## {rng.choice(self.p.topics)}")
            block = self.block(day, queue, plain)
            if footnote is None and block[0].isupper() and "\n" not in block and rng.random() < 0.08:
                footnote = f"[^1]: {rng.choice(self.sentences)}."
                block = block.replace(". ", "[^1]. ", 1)
            blocks.append(block)
            count += len(block) // CHARS_PER_WORD
            if count > 2000:
                break
        if footnote:
            blocks.append(footnote)
        return "\n\n".join(blocks) + "\n", plain

    def block(self, day: dt.date, queue: list[str], plain: list[tuple[str, ...]]) -> str:
        """A paragraph mostly; sometimes a list, a table or a block quote."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.06:
            items = [
                self.mentioning(queue.pop()) if queue else self.plain(plain) for _ in range(rng.randint(3, 5))
            ]
            marker = rng.choice(("- ", "1. "))
            return self.plain(plain)[:-1] + ":\n\n" + "\n".join(marker + item for item in items)
        if roll < 0.075:
            return self.table(day)
        if roll < 0.09:
            return f"> {rng.choice(self.sentences)}."
        random, pool = self.random, self.p.paragraphs
        text, sentences = pool[int(random() * len(pool))]
        plain.append(sentences)
        if random() < 0.25:
            text = self.emphasise(text)
        if queue and random() < 0.8:
            text = f"{self.mentioning(queue.pop())} {text}"
        if queue and random() < 0.4:
            text = f"{text} {self.mentioning(queue.pop())}"
        if random() < 0.3:
            text = f"{text} {self.date_sentence(day)}"
        return text

    def emphasise(self, text: str) -> str:
        """Two words in italics or bold, as editors highlight a phrase."""
        words = text.split(" ", 3)
        if len(words) < 4 or not words[1].isalpha() or not words[2].isalpha():
            return text
        mark = self.rng.choice(("*", "**"))
        return f"{words[0]} {mark}{words[1]} {words[2]}{mark} {words[3]}"

    def table(self, day: dt.date) -> str:
        rng = self.rng
        noun_a, noun_b = rng.sample(NOUNS, 2)
        rows = [f"| Year | {noun_a.capitalize()} | {noun_b.capitalize()} |", "|---|---:|---:|"]
        for year in range(day.year - rng.randint(2, 4), day.year + 1):
            rows.append(f"| {year} | {rng.randint(1, 400)} | {rng.randint(1, 9000):,} |")
        return "\n".join(rows)


@dataclass
class History:
    """What later statements may refer to: ids and days of every statement so far."""

    ids: list[str] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def earlier_than(self, day: int) -> int:
        """How many statements were issued strictly before `day` (they come first)."""
        return bisect_left(self.days, day)


def title_for(w: Writer, kind: str, speaker: DemoEntity | None, about: list[DemoEntity]) -> str:
    rng = w.rng
    topic = rng.choice(w.p.topics)
    where = [e for e in about if e.type in ("place", "country")]
    other = where[0].name if where else rng.choice(w.lands).name
    who = speaker.name if speaker else rng.choice(w.organizations).name
    options = {
        "statement": (f"Statement on {topic}", f"{who} Rejects {topic}", f"Statement of {who}"),
        "article": (f"{topic} Reported in {other}", f"{other} Marks {topic}", f"Progress in {topic}"),
        "commentary": (f"Commentary: {topic} Will Bring Nothing", f"What Lies Behind {topic}"),
        "report": (f"Report on {topic} in {other}", f"Record {topic} in {other}"),
        "press-release": (f"Press Release on {topic}", f"{who} Announces {topic}"),
        "speech": (f"Speech by {who} on {topic}", f"{who} Addresses Meeting on {topic}"),
        "interview": (f"{who} Answers Questions on {topic}", f"Interview with {who}"),
        "letter": (f"Letter from {who} to {other}", f"{who} Sends Letter on {topic}"),
    }[kind]
    return rng.choice(options)


def statement_file(w: Writer, history: History, day: dt.date) -> tuple[str, str]:
    """(id, file text) of one statement; the id is recorded in `history`."""
    rng = w.rng
    kind = pick_weighted(rng, w.kinds, w.kind_cum)
    source = rng.choice(w.publications)
    speaker = rng.choice(w.persons) if w.persons and rng.random() < 0.45 else None
    picked = {}
    for _ in range(rng.randint(1, 6)):
        entity = pick_weighted(rng, w.popular, w.entity_cum)
        if entity.type != "publication":
            picked.setdefault(entity.id, entity)
    about = list(picked.values()) or [w.persons[0] if w.persons else w.entities[0]]
    title = title_for(w, kind, speaker, about)
    statement_id = _unique(history, f"{slug(title, 50)}-{day.isoformat()}")
    words = int(min(2000, max(150, rng.lognormvariate(6.5, 0.5))))
    listed = ([speaker] if speaker else []) + about
    extra = [pick_weighted(rng, w.popular, w.entity_cum)] if rng.random() < 0.1 else []
    body, plain = w.body(day, listed + extra, words)
    head = [
        "---",
        f"title: {scalar(title)}",
        f"date: {day.isoformat()}",
        f"source: {source.id}",
        f"kind: {kind}",
    ]
    if speaker:
        head.append(f"speaker: {speaker.id}")
    elif rng.random() < 0.2:
        org = rng.choice(w.organizations)
        head.append(f"speaker: {scalar('A spokesperson for the ' + org.name)}")
    head.append("entities:")
    head += [f"  - {e}" for e in dict.fromkeys(entity.id for entity in listed)]
    head += _references(rng, history, day)
    tags = sorted({pick_weighted(rng, TAGS, w.tag_cum) for _ in range(rng.randint(0, 4))})
    if tags:
        head.append("tags: [" + ", ".join(tags) + "]")
    if rng.random() < 0.4:
        head.append(f"summary: {scalar(w.mentioning(w.mention(about[0])))}")
    head.append(f"source_url: https://{source.id}.example/{day.year}/{day.month:02d}/{statement_id}.html")
    if rng.random() < 0.8:
        head.append(f"retrieved: {(day + dt.timedelta(days=rng.randint(0, 30))).isoformat()}")
    head += _annotations(rng, plain, body, history, day)
    head.append("---")
    history.ids.append(statement_id)
    history.days.append(day.toordinal())
    return statement_id, "\n".join(head) + "\n\n" + body


def _unique(history: History, base: str) -> str:
    candidate, n = base, 2
    while candidate in history.taken:
        candidate, n = f"{base}-{n}", n + 1
    history.taken.add(candidate)
    return candidate


def _references(rng: Random, history: History, day: dt.date) -> list[str]:
    """Mostly recent statements, as replies usually are; only ones issued on earlier days."""
    before = history.earlier_than(day.toordinal())
    if before == 0 or rng.random() > 0.3:
        return []
    chosen: list[str] = []
    for _ in range(rng.randint(1, 3)):
        back = int(rng.expovariate(1 / 50)) + 1 if rng.random() < 0.8 else rng.randint(1, before)
        target = history.ids[max(0, before - back)]
        if target not in chosen:
            chosen.append(target)
    lines = ["references:"]
    for target in chosen:
        if rng.random() < 0.5:
            lines.append(f"  - {target}")
        else:
            lines.append(f"  - {{id: {target}, type: {rng.choice(REFERENCE_TYPES)}}}")
    return lines


def _annotations(
    rng: Random, plain: list[tuple[str, ...]], body: str, history: History, day: dt.date
) -> list[str]:
    if not plain or rng.random() > 0.25:
        return []
    lines = ["annotations:"]
    for quote in dict.fromkeys(rng.choice(rng.choice(plain)) for _ in range(rng.randint(1, 3))):
        if quote not in body:  # emphasis or a footnote marker was added inside it
            continue
        earlier = dt.date.fromordinal(history.days[rng.randrange(len(history.days))]) if history.days else day
        note = rng.choice(
            (
                f"The same wording appears in a statement of {format_day(earlier, 3)}.",
                "Editor's note: this phrase is new in this statement.",
                f"Compare the position taken in {format_day(earlier, 2)}.",
            )
        )
        lines += [f"  - quote: {json.dumps(quote, ensure_ascii=False)}", f"    note: {scalar(note)}"]
    return lines if len(lines) > 1 else []


# --- the archive ------------------------------------------------------------------------


def days(rng: Random, count: int) -> list[dt.date]:
    """Issue days in order over about twenty years: several a day in a large archive."""
    gaps = [rng.expovariate(1.0) for _ in range(count)]
    scale = (SPAN_DAYS - 1) / (sum(gaps) or 1.0)
    out, at = [], 0.0
    for gap in gaps:
        at += gap * scale
        out.append(START + dt.timedelta(days=min(SPAN_DAYS - 1, int(at))))
    return out


def default_entities(statements: int) -> int:
    return min(MAX_ENTITIES, max(30, statements // 10))


def prepare(out: Path) -> None:
    """An empty folder or a previous demo (whose content is replaced); anything else is refused."""
    if out.exists() and not out.is_dir():
        raise DemoError(f"{out} is a file, not a folder (choose another --out)")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise DemoError(
                f"{out} is not empty and was not made by `archive demo` (choose an empty or new folder)"
            )
        shutil.rmtree(out / "content", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


class DemoError(Exception):
    """A folder the demo must not write into."""


def generate(out: Path, statements: int, seed: int = 1, entities: int | None = None) -> None:
    """Write a fictional archive of `statements` statements into `out`, deterministic by seed."""
    if statements < 0:
        raise DemoError("--statements must be 0 or more")
    count = (
        default_entities(statements)
        if entities is None
        else max(MIN_ENTITIES, min(entities, MAX_ENTITIES * 10))
    )
    prepare(out)
    rng = Random(seed)
    write(out / MARKER, f"archive demo --statements {statements} --seed {seed} --entities {count}\n")
    write(
        out / "site.yaml",
        "title: Demo archive\n"
        f"description: {scalar(f'A fictional archive of {statements:,} statements, generated by archive demo (seed {seed})')}\n"
        "base_url: http://localhost:8000/\n"
        "language: en\n",
    )
    table = make_entities(rng, count)
    names = {e.id: e.name for e in table}
    folders = {
        "person": "persons",
        "organization": "organizations",
        "country": "countries",
        "place": "places",
        "publication": "publications",
        "event": "events",
    }
    for i, entity in enumerate(table):
        wikidata = f"Q{90_000_000 + i}" if rng.random() < 0.3 else None
        write(
            out / "content" / "entities" / folders[entity.type] / f"{entity.id}.md",
            entity_file(entity, wikidata, names),
        )
    # Pools grow with the archive (up to a cap), so a small demo is quick to make.
    phrases = Phrases(rng, min(30_000, max(3_000, statements * 3)), min(40_000, max(1_000, statements * 2)))
    writer = Writer(rng, phrases, table)
    history = History()
    statement_dir = out / "content" / "statements"
    made_years: set[int] = set()
    for day in days(rng, statements):
        statement_id, text = statement_file(writer, history, day)
        folder = statement_dir / str(day.year)
        if day.year not in made_years:
            folder.mkdir(parents=True, exist_ok=True)
            made_years.add(day.year)
        _write_bytes(str(folder / f"{statement_id}.md"), text.encode("utf-8"))


# --- command line -----------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--statements", type=int, default=1000, metavar="N", help="how many statements (default 1000)"
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="an empty folder, or a previous demo"
    )
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="same seed, same files (default 1)")
    parser.add_argument(
        "--entities",
        type=int,
        default=None,
        metavar="M",
        help="how many entities (default N/10, from 30 to 5000; at least 12)",
    )


def run(args: argparse.Namespace) -> int:
    if args.statements < 0 or (args.entities is not None and args.entities < 1):
        raise UsageError("--statements must be 0 or more, and --entities 1 or more")
    try:
        generate(args.out, args.statements, args.seed, args.entities)
    except DemoError as err:
        print(f"archive demo: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"archive demo: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    print(
        f"wrote {args.statements:,} statements to {args.out} (build it with: archive build --root {args.out})"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="archive demo", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
