"""Related statements: redone after an edit only where it can change, with the answer of a full pass."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.related import Features, WordCounts, related_statements

VOCABULARY = [f"word{n:02d}" for n in range(40)]
ENTITIES = [f"entity-{n}" for n in range(12)]
DAYS = [f"2024-01-{n:02d}" for n in range(1, 15)]
ROOMY = 50  # an archive's proportions: many words, entities and days, each in few statements


def statement(rng: random.Random, number: int, version: int = 0, scale: int = 1) -> Features:
    """A small world by default, where statements share much; scale makes it roomier."""
    vocabulary = [f"{w}x{n}" for w in VOCABULARY for n in range(scale)]
    entities = [f"{e}x{n}" for e in ENTITIES for n in range(scale)]
    days = [f"{d}x{n}" for d in DAYS for n in range(scale)]
    words = sorted(set(rng.sample(vocabulary, rng.randint(3, 15))))
    return Features(
        id=f"s{number}",
        entities=tuple(sorted(set(rng.sample(entities, rng.randint(0, 3))))),
        days=tuple(sorted(set(rng.sample(days, rng.randint(0, 2))))),
        words=WordCounts(" ".join(words), tuple(rng.randint(1, 4) for _ in words)),
        date_ordinal=738000 + rng.randint(0, 60),
        stamp=f"{number}.{version}.{rng.random()}",
    )


def in_order(features: list[Features]) -> list[Features]:
    return sorted(features, key=lambda f: (f.date_ordinal, f.id))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    size=st.integers(2, 60),
    edits=st.lists(
        st.tuples(st.sampled_from(["change", "reword", "rename", "redate"]), st.integers(0, 10**6)),
        max_size=4,
    ),
)
def test_after_edits_the_answer_is_that_of_a_full_pass(
    seed: int, size: int, edits: list[tuple[str, int]]
) -> None:
    """Changing a statement's words, entities, days or date, or renaming it (adding one and
    deleting another), gives exactly the related statements of scoring everything again."""
    rng = random.Random(seed)
    features = [statement(rng, n) for n in range(size)]
    before = related_statements(in_order(features), 3, workers=1, depends_on="x")
    for number, (edit, pick) in enumerate(edits):
        index = pick % len(features)
        old = features[index]
        if edit == "change":
            features[index] = statement(rng, int(old.id[1:]), number + 1)
            features[index] = Features(old.id, *list(vars(features[index]).values())[1:])
        elif edit == "reword":  # the same entities, days and date: the benchmark's edit
            words = statement(rng, 0).words
            features[index] = Features(
                old.id, old.entities, old.days, words, old.date_ordinal, old.stamp + "w"
            )
        elif edit == "redate":
            features[index] = Features(
                old.id, old.entities, old.days, old.words, old.date_ordinal + 1 + pick % 5, old.stamp + "'"
            )
        else:
            features[index] = statement(rng, 1000 + number)
    again = related_statements(in_order(features), 3, workers=1, before=before, depends_on="x")
    full = related_statements(in_order(features), 3, workers=1, depends_on="x")
    assert again == full


def test_an_edit_scores_few_statements_again(monkeypatch) -> None:
    """Only the statements an edit can reach are scored again, not the whole archive."""
    from builder import related

    rng = random.Random(7)
    features = in_order([statement(rng, n, scale=ROOMY) for n in range(400)])
    before = related_statements(features, 3, workers=1, depends_on="x")
    scored: list[int] = []
    real = related._related_to
    monkeypatch.setattr(related, "_related_to", lambda index: scored.append(index) or real(index))
    edited = features[100]
    features[100] = Features(
        edited.id, edited.entities, edited.days, edited.words, edited.date_ordinal, "new"
    )
    again = related_statements(features, 3, workers=1, before=before, depends_on="x")
    assert 100 in scored and len(scored) < 40, len(scored)
    assert again == related_statements(features, 3, workers=1, depends_on="x")


def test_other_settings_or_more_statements_score_everything(monkeypatch) -> None:
    from builder import related

    rng = random.Random(3)
    features = in_order([statement(rng, n) for n in range(30)])
    before = related_statements(features, 3, workers=1, depends_on="x")
    scored: list[int] = []
    real = related._related_to
    monkeypatch.setattr(related, "_related_to", lambda index: scored.append(index) or real(index))
    related_statements(features, 3, workers=1, before=before, depends_on="y")
    assert len(scored) == 30
    scored.clear()
    more = in_order([*features, statement(rng, 99)])
    assert related_statements(more, 3, workers=1, before=before, depends_on="x") == related_statements(
        more, 3, workers=1, depends_on="x"
    )
    assert len(scored) == 31 * 2
