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
    """A text's distinctive-enough words (stop words left out) and how often each occurs."""

    words: tuple[str, ...]
    counts: tuple[int, ...]


NO_WORDS = WordCounts((), ())


def word_counts(text: str) -> WordCounts:
    """Counted once per statement, where it is linked (in a worker, and cached)."""
    counts = Counter(_WORD.findall(text.lower()))
    for word in _STOP.intersection(counts):
        del counts[word]
    return WordCounts(tuple(counts), tuple(counts.values()))


@dataclass(frozen=True)
class Features:
    """What one statement is about, for relatedness."""

    id: str
    entities: tuple[str, ...]
    days: tuple[str, ...]
    words: WordCounts
    date_ordinal: int


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
    features: Sequence[Features], count: int, workers: int | None = None
) -> dict[str, tuple[str, ...]]:
    """Up to `count` related statement ids for each statement, best first, deterministic."""
    global _index
    terms = _top_terms(features, workers)
    postings: dict[str, list[int]] = defaultdict(list)
    weights: dict[str, float] = {}
    total = max(len(features), 1)
    for index, f in enumerate(features):
        keys = [("e:" + e, 3.0) for e in f.entities] + [("d:" + d, 2.0) for d in f.days]
        keys += [("t:" + t, 1.0) for t in terms[index]]
        for key, boost in keys:
            postings[key].append(index)
            weights[key] = boost
    idf = {key: weights[key] * math.log(1 + total / len(ids)) for key, ids in postings.items()}
    _index = _Index(features, terms, postings, idf, count)
    try:
        best = list(fork_map(_related_to, range(len(features)), workers))
    finally:
        _index = None
    return {f.id: tuple(features[other].id for other in ids) for f, ids in zip(features, best, strict=True)}


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
    return ["e:" + e for e in f.entities] + ["d:" + d for d in f.days] + ["t:" + t for t in terms]


def _top_terms(features: Sequence[Features], workers: int | None) -> list[tuple[str, ...]]:
    """Each statement's most distinctive words by tf-idf (ties broken alphabetically)."""
    global _frequency
    frequency: Counter[str] = Counter()
    for f in features:
        frequency.update(f.words.words)
    _frequency = (features, frequency, max(len(features), 1))
    try:
        return list(fork_map(_top_terms_of, range(len(features)), workers))
    finally:
        _frequency = None


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
