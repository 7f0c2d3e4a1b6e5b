"""Entity mentions: find every name and alias of every entity in one pass over a text.

One Aho-Corasick automaton holds all names of the archive (built once per build); each
text is scanned once, whatever the number of entities. Matching happens on a canonical
copy of the text of the same length, so offsets map back 1:1 and the reader's text is
never changed:
- typographic apostrophes and quotes read as straight ones ("Workers’ Party");
- hyphens read as spaces ("Kim Jong-un" is "Kim Jong Un"), and after a hyphen the case
  of a syllable's first letter does not matter, since romanisations differ there;
- a name with a capital letter matches with its exact case ("US" is not "us"); an
  all-lowercase name matches in any case;
- only whole words match: no letter, digit or combining mark right before or after, so
  "US" is not in "USSR" or "focus" but is in "US-led" and "US's", and "U.S." is not in
  "U.S.A"; a Korean particle may follow a Hangul name ("김정은은");
- the longest match wins and matches never overlap.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import ahocorasick

from .errors import WARNING, Problem
from .htmltext import Block, Span, add_block_spans
from .model import Entity

HYPHENS = "-\u2010\u2011"
_CANONICAL = {
    **dict.fromkeys("’‘‛`´ʼ′", "'"),
    **dict.fromkeys("“”„‟″", '"'),
    **dict.fromkeys(HYPHENS, " "),
    **dict.fromkeys("\t\n\r\f\v\u00a0\u2007\u202f", " "),
}
# A regex finds the few characters to replace much faster than str.translate walks them all.
_TO_REPLACE = re.compile("[" + re.escape("".join(_CANONICAL)) + "]")
# Postpositions that follow a Korean noun without a space.
KOREAN_PARTICLES = frozenset(
    "은 는 이 가 을 를 의 에 와 과 도 로 만 께 에서 에게 께서 으로 까지 부터 보다 처럼 이다 이며 이고 "
    "과의 와의 에도 로서 에서의 에서도 에게서 으로서 로부터".split()
)
EXCERPT_WIDTH = 200


def canonical(text: str) -> str:
    """The text as the matcher reads it: same length, quotes straight, hyphens as spaces."""
    return _TO_REPLACE.sub(lambda m: _CANONICAL[m.group()], text)


def folded(text: str) -> str:
    """A lowercase copy of the same length (characters whose lowercase is longer stay)."""
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lower.replace("ς", "σ")


def is_word_char(c: str) -> bool:
    return c.isalnum() or (c > "\u02ff" and unicodedata.category(c)[0] == "M")


def _is_hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3" or "\u1100" <= c <= "\u11ff" or "\u3130" <= c <= "\u318f"


@dataclass(frozen=True)
class Match:
    """A mention in a text: where, and which entities the words may name."""

    start: int
    end: int
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class _Name:
    entity_id: str
    shown: str  # the name as written in the entity file
    cased: str | None  # canonical form when case matters, else None
    hyphen_after: frozenset[int]  # positions following a hyphen in the written name


@dataclass(frozen=True)
class MentionCount:
    """How often a statement names an entity, and the words around the first time."""

    entity_id: str
    count: int
    excerpt: str


@dataclass(frozen=True)
class LinkedBody:
    html: str
    mentions: tuple[MentionCount, ...]  # by entity id


class MentionMatcher:
    """All names of all entities, ready to find mentions; `problems` lists shared names."""

    def __init__(self, entities: Iterable[Entity]):
        self.problems: list[Problem] = []
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        by_key: dict[str, list[_Name]] = defaultdict(list)
        owners: dict[str, Entity] = {}
        for entity in sorted(entities, key=lambda e: e.id):
            owners[entity.id] = entity
            for name in entity.names:
                written = " ".join(name.split())
                if not written:
                    continue
                key, item = _pattern(entity.id, written)
                if all(other != item for other in by_key[key]):
                    by_key[key].append(item)
        for key, items in by_key.items():
            self._automaton.add_word(key, (len(key), tuple(items)))
            self.problems += _shared(items, owners)
        self.empty = not by_key
        if not self.empty:
            self._automaton.make_automaton()
        self.problems.sort()

    def find(self, text: str) -> list[Match]:
        """Mentions in a text, in order: whole words, longest first, never overlapping."""
        if self.empty or not text:
            return []
        canon = canonical(text)
        found: dict[tuple[int, int], set[str]] = defaultdict(set)
        for last, (length, names) in self._automaton.iter(folded(canon)):
            start, end = last + 1 - length, last + 1
            if not _whole_word(canon, start, end):
                continue
            for name in names:
                if name.cased is None or _same_case(name, text, canon, start):
                    found[start, end].add(name.entity_id)
        return [Match(s, e, tuple(sorted(found[s, e]))) for s, e in _longest_first(found)]

    @staticmethod
    def resolve(match: Match, listed: Collection[str]) -> str | None:
        """The entity a match names: the only candidate, or the only one the statement lists."""
        if len(match.candidates) == 1:
            return match.candidates[0]
        named = [c for c in match.candidates if c in listed]
        return named[0] if len(named) == 1 else None


def _pattern(entity_id: str, written: str) -> tuple[str, _Name]:
    canon = canonical(written)
    cased = canon if any(c.isupper() for c in written) else None
    after_hyphen = frozenset(i + 1 for i, c in enumerate(written) if c in HYPHENS)
    return folded(canon), _Name(entity_id, written, cased, after_hyphen)


def _whole_word(canon: str, start: int, end: int) -> bool:
    """No letter or digit right before or after ("U.S." is not in "U.S.A"), bar Korean particles."""
    if start > 0 and is_word_char(canon[start - 1]):
        return False
    if end < len(canon) and is_word_char(canon[end]):
        return _is_hangul(canon[end - 1]) and _particle_follows(canon, end)
    return True


def _particle_follows(canon: str, end: int) -> bool:
    for size in (3, 2, 1):
        stop = end + size
        if canon[end:stop] in KOREAN_PARTICLES and (stop >= len(canon) or not is_word_char(canon[stop])):
            return True
    return False


def _same_case(name: _Name, text: str, canon: str, start: int) -> bool:
    """Exact case, except the first letter of a syllable after a hyphen (text or name)."""
    pattern = name.cased
    assert pattern is not None
    if canon.startswith(pattern, start):
        return True
    for i, (t, p) in enumerate(zip(canon[start : start + len(pattern)], pattern, strict=True)):
        if t != p and not (i > 0 and (text[start + i - 1] in HYPHENS or i in name.hyphen_after)):
            return False
    return True


def _longest_first(found: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping ranges, chosen longest first, then leftmost; returned in order."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(found, key=lambda r: (r[0] - r[1], r[0])):
        k = bisect.bisect_right(starts, start)
        if (k > 0 and ends[k - 1] > start) or (k < len(starts) and starts[k] < end):
            continue
        starts.insert(k, start)
        ends.insert(k, end)
    return list(zip(starts, ends, strict=True))


def _overlap(a: _Name, b: _Name) -> bool:
    """True when some text would match both names (they share the automaton key)."""
    if a.cased is None or b.cased is None:
        return True
    return _same_case(a, b.shown, canonical(b.shown), 0) or _same_case(b, a.shown, canonical(a.shown), 0)


def _shared(items: Sequence[_Name], owners: dict[str, Entity]) -> list[Problem]:
    problems = []
    reported: set[tuple[str, str]] = set()
    for a, b in combinations(items, 2):
        pair = (min(a.entity_id, b.entity_id), max(a.entity_id, b.entity_id))
        if a.entity_id == b.entity_id or pair in reported or not _overlap(a, b):
            continue
        reported.add(pair)
        first, second = owners[pair[0]], owners[pair[1]]
        name = a if a.entity_id == first.id else b
        other = b if name is a else a
        problems.append(
            Problem(
                first.path,
                _line(first, name.shown),
                f"the name {_shown(name.shown)} is shared with entity '{second.id}' "
                f"({second.path}:{_line(second, other.shown)})",
                "it is linked only in statements whose `entities` list names exactly one of them",
                WARNING,
            )
        )
    return problems


def _line(entity: Entity, written: str) -> int:
    key = "name" if " ".join(entity.name.split()) == written else "aliases"
    return entity.line_of(key)


def _shown(text: str) -> str:
    """A name for a message: quoted, control characters escaped, shortened."""
    clean = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
    return '"' + (clean if len(clean) <= 60 else clean[:57] + "…") + '"'


def find_mentions_in_text(text: str, matcher: MentionMatcher, listed: Collection[str] = ()) -> dict[str, int]:
    """How often each entity is named in a plain text, by entity id."""
    counts: Counter[str] = Counter()
    listed = frozenset(listed)
    for match in matcher.find(text):
        entity = matcher.resolve(match, listed)
        if entity is not None:
            counts[entity] += 1
    return dict(sorted(counts.items()))


def link_mentions(
    html: str,
    matcher: MentionMatcher,
    *,
    listed: Sequence[str] = (),
    href: Callable[[str], str],
    mode: str = "first",
    extra: Callable[[str], Iterable[Span]] | None = None,
) -> LinkedBody:
    """Link mentions in sanitised HTML to their entity pages, and count them.

    mode "first" links only the first linkable mention of each entity, "all" links all;
    every mention is counted. `extra` adds other links (dates) in the same walk; they are
    dropped where they overlap a mention.
    """
    if mode not in ("first", "all"):
        raise ValueError(f"link mode must be 'first' or 'all', not {mode!r}")
    names = frozenset(listed)
    counts: Counter[str] = Counter()
    first_seen: dict[str, tuple[int, int, int]] = {}
    linked: set[str] = set()
    texts: list[str] = []

    def find(block: Block) -> list[Span]:
        texts.append(block.text)
        spans = []
        matches = matcher.find(block.text)
        shouting = _shouting(block.text)
        for match in matches:
            entity = matcher.resolve(match, names)
            if entity is None or (shouting and block.text[match.start : match.end] in EVERYDAY_IN_CAPITALS):
                continue
            counts[entity] += 1
            first_seen.setdefault(entity, (len(texts) - 1, match.start, match.end))
            if (mode == "all" or entity not in linked) and block.can_link(match.start, match.end):
                linked.add(entity)
                spans.append(
                    Span(match.start, match.end, "a", (("class", "mention"), ("href", href(entity))))
                )
        if extra is not None:
            spans += _outside(extra(block.text), matches)
        return spans

    body = add_block_spans(html, find)
    starts = [0]
    for text in texts:
        starts.append(starts[-1] + len(text) + 1)
    whole = " ".join(texts)
    mentions = []
    for entity in sorted(counts):
        block, start, end = first_seen[entity]
        cut = excerpt(whole, starts[block] + start, starts[block] + end)
        mentions.append(MentionCount(entity, counts[entity], cut))
    return LinkedBody(body, tuple(mentions))


# Abbreviations that are everyday words too: in a block in capitals ("LET US ACHIEVE
# GENUINE DEMOCRACY") they are the words ("us"), while DPRK, KCNA or UN stay names.
EVERYDAY_IN_CAPITALS = frozenset(
    "US IT AS IN ON AT NO OR AN AM IS WE HE ME MY SO TO DO GO UP OF BY WHO MAY CAN ALL ONE NOW NEW AID ARMS".split()
)


def _shouting(text: str) -> bool:
    """A block in capitals, where an abbreviation that is also a word is the word."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def _outside(spans: Iterable[Span], matches: Sequence[Match]) -> list[Span]:
    """Spans that overlap no mention (even one not linked): a name is not a date."""
    starts = [m.start for m in matches]
    kept = []
    for span in spans:
        k = bisect.bisect_left(starts, span.end)  # matches starting before the span ends
        if k == 0 or matches[k - 1].end <= span.start:
            kept.append(span)
    return kept


def excerpt(text: str, start: int, end: int, width: int = EXCERPT_WIDTH) -> str:
    """About `width` characters around text[start:end], cut between words, with "…"."""
    before = " ".join(text[max(0, start - width) : start].split())
    middle = " ".join(text[start:end].split())
    after = " ".join(text[end : end + width].split())
    if text[max(0, start - 1) : start].isspace() and before:
        before += " "
    if text[end : end + 1].isspace() and after:
        after = " " + after
    room = max(0, width - len(middle))
    left = min(len(before), room // 3)
    right = min(len(after), room - left)
    left = min(len(before), room - right)
    head = before[len(before) - left :]
    if left < len(before) or start > width:
        cut = head.find(" ")
        head = "…" + (head[cut + 1 :] if cut >= 0 else "")
    tail = after[:right]
    if right < len(after) or end + width < len(text):
        cut = tail.rfind(" ")
        tail = (tail[:cut] if cut >= 0 else "") + "…"
    return (head + middle + tail).strip()
