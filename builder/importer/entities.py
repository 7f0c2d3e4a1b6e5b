"""Entities on import: the linker's own mention finder tags a new statement at once.

builder/mentions.py (the linker's matcher) and builder/suggest.py (capitalised names that
match no entity) are used when they are installed; without them the importer still
works and simply leaves `entities` empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .. import model


class EntityFinder:
    """Entity ids mentioned in a text, most mentioned first (ties by id)."""

    def __init__(self, entities: dict[str, model.Entity]):
        self._entities = entities
        self._size = -1
        self._matcher = None
        self._find = None
        self.counts: Counter[str] = Counter()  # over the whole run, for the report
        try:
            from ..mentions import MentionMatcher, find_mentions_in_text
        except ImportError:
            self.available = False
            return
        self.available = True
        self._make = MentionMatcher
        self._find = find_mentions_in_text

    def __call__(self, text: str) -> list[str]:
        if not self.available or self._find is None:
            return []
        if self._size != len(self._entities):  # --create-source added one: match it too
            self._matcher = self._make([self._entities[k] for k in sorted(self._entities)])
            self._size = len(self._entities)
        found = self._find(text, self._matcher, ())
        ids = sorted((k for k in found if k in self._entities), key=lambda k: (-found[k], k))
        self.counts.update({k: found[k] for k in ids})
        return ids


def unknown_names(
    texts: Iterable[str], entities: dict[str, model.Entity], limit: int, min_count: int
) -> list[tuple[str, int]]:
    """Capitalised names in the texts that no entity has, most frequent first."""
    try:
        from ..suggest import suggest_entities
    except ImportError:
        return []
    known = [name for entity in entities.values() for name in entity.names]
    return [
        (str(name), int(count))
        for name, count in suggest_entities(texts, known, limit=limit, min_count=min_count)
    ]
