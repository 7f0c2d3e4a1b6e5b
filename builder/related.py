"""Related statements: shared entities, shared mentioned days and shared distinctive words.

This is whoosh's more-like-this idea (query with a document's top tf-idf terms) done over
an in-memory inverted index of the whole archive, so that it needs no search index at
build time and scores every statement in one pass. Features carried by more than
`MAX_POSTINGS` statements say little about relatedness and are skipped, and each
statement scores at most `CANDIDATE_BUDGET` postings, rarest features first, which keeps
the cost linear in the archive's size.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .workers import fork_map

MAX_POSTINGS = 200
CANDIDATE_BUDGET = 800
TERMS_PER_STATEMENT = 12
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_STOP = frozenset(
    """about above after again against also been before being below between both cannot could
    does doing down during each from further have having here into itself just more most must
    once only other ought ours over same shall should some such than that their theirs them
    then there these they this those through under until very were what when where which while
    whom will with would your yours said says also upon among within without because since""".split()
)


class WordCounts(NamedTuple):
    """A text's distinctive-enough words (stop words left out) and how often each occurs.

    The words are kept as one string, split when read: as a tuple, every statement held
    its own copies (about 300 words, 15 KB a statement, 1.5 GB at 100,000 statements),
    and making the statements share one copy of each word cost the build a pass over all
    of them (0.8 s of one process at 10,000 statements) every time.
    """

    spaced: str  # the words, each once, separated by spaces (a word has none)
    counts: tuple[int, ...]

    @property
    def words(self) -> list[str]:
        return self.spaced.split(" ") if self.spaced else []


NO_WORDS = WordCounts("", ())


def word_counts(text: str) -> WordCounts:
    """Counted once per statement, where it is linked (in a worker, and cached)."""
    counts = Counter(_WORD.findall(text.lower()))
    for word in _STOP.intersection(counts):
        del counts[word]
    return WordCounts(" ".join(counts), tuple(counts.values()))


@dataclass(frozen=True)
class Features:
    """What one statement is about, for relatedness."""

    id: str
    entities: tuple[str, ...]
    days: tuple[str, ...]
    words: WordCounts
    date_ordinal: int
    stamp: str = ""  # changes whenever the fields above may (the statement file's hash)


@dataclass(frozen=True)
class Relatedness:
    """What one build worked out, kept so that the next can redo only what an edit touches."""

    depends_on: str  # settings and entities the features were made with (see link.py)
    stamps: dict[str, str]  # statement id -> Features.stamp
    frequency: Counter[str]  # statements a word occurs in
    terms: dict[str, tuple[str, ...]]  # statement id -> its most distinctive words
    postings: dict[str, tuple[str, ...]]  # feature key -> the statements carrying it, in order
    dates: dict[str, int]  # statement id -> its date's ordinal
    related: dict[str, tuple[str, ...]]  # the answer


# Set before the workers fork (see workers.fork_map): what choosing one statement's terms
# and scoring its neighbours read.
_frequency: tuple[Sequence[Features], Counter[str], int] | None = None
_index: _Index | None = None


@dataclass(frozen=True)
class _Index:
    features: Sequence[Features]
    terms: list[tuple[str, ...]]
    postings: dict[str, list[int]]
    idf: dict[str, float]
    count: int


def related_statements(
    features: Sequence[Features],
    count: int,
    workers: int | None = None,
    before: Relatedness | None = None,
    depends_on: str = "",
) -> Relatedness:
    """Up to `count` related statement ids for each statement, best first, deterministic.

    With `before` (the previous build's answer, made with the same `depends_on`) and as
    many statements as then, only the statements an edit can change are scored again: the
    edited ones, and those sharing a feature whose statements or weight changed. The answer
    is the one scoring every statement would give (tests check it on random edits).
    """
    global _index
    total = max(len(features), 1)
    frequency: Counter[str] = Counter()
    for f in features:
        frequency.update(f.words.words)
    usable = before is not None and before.depends_on == depends_on and len(before.stamps) == len(features)
    last = before if usable else None
    changed = {f.id for f in features if not (last and f.stamp and last.stamps.get(f.id) == f.stamp)}
    terms = _top_terms(features, frequency, workers, last, changed)
    postings: dict[str, list[int]] = defaultdict(list)
    weights: dict[str, float] = {}
    for index, f in enumerate(features):
        for key, boost in _weighted_keys(f, terms[index]):
            postings[key].append(index)
            weights[key] = boost
    idf = {key: weights[key] * math.log(1 + total / len(ids)) for key, ids in postings.items()}
    by_id = {key: tuple(features[i].id for i in ids) for key, ids in postings.items()}
    todo = _to_score(features, terms, by_id, last, changed) if last else list(range(len(features)))
    _index = _Index(features, terms, postings, idf, count)
    try:
        best = dict(zip(todo, fork_map(_related_to, todo, workers), strict=True))
    finally:
        _index = None
    related = {
        f.id: tuple(features[other].id for other in best[i]) if i in best else last.related[f.id]  # type: ignore[union-attr]
        for i, f in enumerate(features)
    }
    return Relatedness(
        depends_on,
        {f.id: f.stamp for f in features},
        frequency,
        {f.id: terms[i] for i, f in enumerate(features)},
        by_id,
        {f.id: f.date_ordinal for f in features},
        related,
    )


def _to_score(
    features: Sequence[Features],
    terms: list[tuple[str, ...]],
    by_id: dict[str, tuple[str, ...]],
    before: Relatedness,
    changed: set[str],
) -> list[int]:
    """The statements whose related list an edit can change: a statement's scores depend on
    its own keys, the statements carrying each and their weights, and its candidates' dates."""
    moved = {k for k in by_id.keys() | before.postings.keys() if by_id.get(k) != before.postings.get(k)}
    moved.update(  # a statement whose date moved reorders the ties among others' candidates
        k
        for i, f in enumerate(features)
        if f.id in changed and before.dates.get(f.id) != f.date_ordinal
        for k in _keys(f, terms[i])
    )
    return [
        i
        for i, f in enumerate(features)
        if f.id in changed or terms[i] != before.terms[f.id] or not moved.isdisjoint(_keys(f, terms[i]))
    ]


def _related_to(index: int) -> tuple[int, ...]:
    """The best statements for one statement: the highest scores, then the nearest in time."""
    assert _index is not None
    features, postings, idf = _index.features, _index.postings, _index.idf
    f = features[index]
    scores: Counter[int] = Counter()
    budget = CANDIDATE_BUDGET
    # Rarest features first: they say most, and the budget keeps each statement's cost
    # bounded however large the archive grows.
    keys = sorted(
        (k for k in dict.fromkeys(_keys(f, _index.terms[index])) if 2 <= len(postings[k]) <= MAX_POSTINGS),
        key=lambda k: (-idf[k], k),
    )
    for key in keys:
        if budget <= 0:
            break
        ids = postings[key]
        budget -= len(ids)
        weight = idf[key]
        for other in ids:
            if other != index:
                scores[other] += weight
    if len(scores) > _index.count:
        # Only candidates that can be among the best need the full ordering: those scoring
        # (within rounding) at least the count-th highest score.
        cutoff = heapq.nlargest(_index.count, scores.values())[-1] - 1e-8
        candidates = [item for item in scores.items() if item[1] >= cutoff]
    else:
        candidates = list(scores.items())
    best = heapq.nsmallest(
        _index.count,
        candidates,
        key=lambda item: (
            -round(item[1], 9),
            abs(features[item[0]].date_ordinal - f.date_ordinal),
            features[item[0]].id,
        ),
    )
    return tuple(other for other, _ in best)


def _keys(f: Features, terms: Sequence[str]) -> list[str]:
    return [key for key, _ in _weighted_keys(f, terms)]


def _weighted_keys(f: Features, terms: Sequence[str]) -> list[tuple[str, float]]:
    """An entity says most about relatedness, a mentioned day less, a shared word least."""
    return (
        [("e:" + e, 3.0) for e in f.entities]
        + [("d:" + d, 2.0) for d in f.days]
        + [("t:" + t, 1.0) for t in terms]
    )


def _top_terms(
    features: Sequence[Features],
    frequency: Counter[str],
    workers: int | None,
    before: Relatedness | None,
    changed: set[str],
) -> list[tuple[str, ...]]:
    """Each statement's most distinctive words by tf-idf (ties broken alphabetically).

    A statement's words are scored against how many statements carry each; with `before`
    only the changed statements and those carrying a word whose count changed are redone.
    """
    global _frequency
    if before is None:
        todo = list(range(len(features)))
    else:
        drift = {w for w in frequency.keys() | before.frequency.keys() if frequency[w] != before.frequency[w]}
        todo = [i for i, f in enumerate(features) if f.id in changed or not drift.isdisjoint(f.words.words)]
    _frequency = (features, frequency, max(len(features), 1))
    try:
        fresh = dict(zip(todo, fork_map(_top_terms_of, todo, workers), strict=True))
    finally:
        _frequency = None
    return [fresh[i] if i in fresh else before.terms[f.id] for i, f in enumerate(features)]  # type: ignore[union-attr]


def _top_terms_of(index: int) -> tuple[str, ...]:
    assert _frequency is not None
    features, frequency, total = _frequency
    words = features[index].words
    scored = sorted(
        (
            (tf * math.log(total / frequency[w]), w)
            for w, tf in zip(words.words, words.counts, strict=True)
            if frequency[w] > 1
        ),
        key=lambda item: (-item[0], item[1]),
    )
    return tuple(w for _, w in scored[:TERMS_PER_STATEMENT])
