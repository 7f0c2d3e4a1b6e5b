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


@dataclass(frozen=True)
class Features:
    """What one statement is about, for relatedness."""

    id: str
    entities: tuple[str, ...]
    days: tuple[str, ...]
    text: str
    date_ordinal: int


def related_statements(features: Sequence[Features], count: int) -> dict[str, tuple[str, ...]]:
    """Up to `count` related statement ids for each statement, best first, deterministic."""
    terms = _top_terms(features)
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
    result: dict[str, tuple[str, ...]] = {}
    for index, f in enumerate(features):
        scores: Counter[int] = Counter()
        budget = CANDIDATE_BUDGET
        # Rarest features first: they say most, and the budget keeps each statement's cost
        # bounded however large the archive grows.
        keys = sorted(
            (k for k in dict.fromkeys(_keys(f, terms[index])) if 2 <= len(postings[k]) <= MAX_POSTINGS),
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
        best = heapq.nsmallest(
            count,
            scores.items(),
            key=lambda item: (
                -round(item[1], 9),
                abs(features[item[0]].date_ordinal - f.date_ordinal),
                features[item[0]].id,
            ),
        )
        result[f.id] = tuple(features[other].id for other, _ in best)
    return result


def _keys(f: Features, terms: Sequence[str]) -> list[str]:
    return ["e:" + e for e in f.entities] + ["d:" + d for d in f.days] + ["t:" + t for t in terms]


def _top_terms(features: Sequence[Features]) -> list[tuple[str, ...]]:
    """Each statement's most distinctive words by tf-idf (ties broken alphabetically)."""
    counts = [
        Counter(w for w in (m.lower() for m in _WORD.findall(f.text)) if w not in _STOP) for f in features
    ]
    document_frequency: Counter[str] = Counter()
    for c in counts:
        document_frequency.update(c.keys())
    total = max(len(features), 1)
    top: list[tuple[str, ...]] = []
    for c in counts:
        scored = sorted(
            (
                (tf * math.log(total / document_frequency[w]), w)
                for w, tf in c.items()
                if document_frequency[w] > 1
            ),
            key=lambda item: (-item[0], item[1]),
        )
        top.append(tuple(w for _, w in scored[:TERMS_PER_STATEMENT]))
    return top
