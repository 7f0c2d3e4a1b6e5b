"""Link stage: turn each statement's Markdown into linked HTML, and compute every relation.

Per statement (independent, so it runs in parallel): Markdown to sanitised HTML, entity
mentions and date mentions linked, annotations anchored to their passages. Across the
archive (one pass each): references both ways, statements per entity, day, month, year,
kind, tag and source, co-occurring entities, related statements.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import urls
from .annotations import anchor_annotations
from .cache import CACHE_DIR, Store, dump_signed, fingerprint, load_signed
from .dates import find_dates
from .errors import INFO, WARNING, Problem
from .htmltext import Span
from .markup import plain_text, render_markdown
from .mentions import MentionCount, MentionMatcher, link_mentions
from .model import Archive, Statement
from .related import NO_WORDS, Features, Relatedness, WordCounts, related_statements, word_counts
from .workers import COPY_LIMIT, PARALLEL_THRESHOLD, fork_map


@dataclass(frozen=True)
class LinkedStatement:
    """A statement as linking found it: its linked HTML, its plain text, what it mentions.

    The HTML and the text are kept compressed (pack): each is read once or twice a build
    (the page, the data record, the search record, a feed), and together they were 11 KB of
    the 36 a linked statement held in memory (demo statements of 750 words).
    """

    id: str
    packed_html: bytes  # see html
    packed_text: bytes  # see text
    mentions: tuple[MentionCount, ...] = ()
    days: tuple[dt.date, ...] = ()
    months: tuple[tuple[int, int], ...] = ()
    annotations_found: tuple[bool, ...] = ()
    notes: tuple[str, ...] = ()
    note_order: tuple[tuple[int, str], ...] = ()  # the found notes as read: (N, letter)
    words: WordCounts = NO_WORDS  # for related statements; let go of once they are found

    @property
    def html(self) -> str:
        """The body as linked, annotated HTML."""
        return unpack(self.packed_html)

    @property
    def text(self) -> str:
        """The body's plain text (what search indexes, and excerpts are cut from)."""
        return unpack(self.packed_text)


def pack(text: str) -> bytes:
    """A text compressed (zlib's fastest level: real statements' text 2.3 times smaller)."""
    return zlib.compress(text.encode("utf-8"), 1)


def unpack(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8")


@dataclass(frozen=True)
class Citation:
    """One end of a reference: the other statement and the kind of relation."""

    id: str
    type: str


@dataclass(frozen=True)
class Links:
    """Everything the render stage needs beyond the Archive itself; relations as ids."""

    statements: dict[str, LinkedStatement]
    chronological: tuple[str, ...]  # oldest first, by (date, id)
    referenced_by: dict[str, tuple[Citation, ...]]
    by_entity: dict[str, tuple[str, ...]]  # tagged or mentioned, newest first
    by_day: dict[dt.date, tuple[str, ...]]  # issued that day
    mentioned_on: dict[dt.date, tuple[str, ...]]  # days mentioned in bodies, but their own
    mentioned_in_month: dict[tuple[int, int], tuple[str, ...]]
    by_kind: dict[str, tuple[str, ...]]
    by_tag: dict[str, tuple[str, ...]]
    by_source: dict[str, tuple[str, ...]]
    cooccurring: dict[str, tuple[tuple[str, int], ...]]
    related: dict[str, tuple[str, ...]]
    problems: tuple[Problem, ...] = field(default=())


# Set before workers fork, so each worker has the automaton without pickling it per task.
_matcher: MentionMatcher | None = None
_mode = "first"
_urls = urls.Urls("/")


def link_archive(archive: Archive, workers: int | None = None, cache_root: Path | None = None) -> Links:
    """The whole link stage: per-statement linking (parallel), then the relations.

    With `cache_root`, a statement whose file and the entities are unchanged since the
    last build is not linked again (its result is in the build cache).
    """
    global _matcher, _mode, _urls
    _matcher = MentionMatcher(archive.entities.values())
    _mode = archive.config.link_mentions
    _urls = urls.Urls(archive.config.base_url)
    ordered = sorted(archive.statements.values(), key=lambda s: (s.date, s.id))
    names = tuple((e.id, e.names) for e in sorted(archive.entities.values(), key=lambda e: e.id))
    store = Store(cache_root, "linked", (_mode, archive.config.base_url, names))
    linked: dict[str, LinkedStatement] = {}
    todo = []
    for s in ordered:
        hit = store.get((s.id, s.content_hash))
        if hit is None:
            todo.append(s)
        else:
            linked[s.id] = hit
    for s, result in zip(todo, _link_all(todo, workers), strict=True):
        store.put((s.id, s.content_hash), result)
        linked[s.id] = result
    store.save()
    problems = list(_matcher.problems)
    for statement in ordered:
        problems += _annotation_problems(statement, linked[statement.id])
    saved = cache_root / CACHE_DIR / RELATED if cache_root is not None else None
    before = load_signed(saved) if saved is not None else None
    depends_on = fingerprint("related", store.key, archive.config.related_count)
    links, after = _relations(
        archive,
        ordered,
        linked,
        problems,
        workers,
        before if isinstance(before, Relatedness) else None,
        depends_on,
    )
    if saved is not None and not _same_relatedness(before, after):
        dump_signed(after, saved)
    return links


RELATED = "related.pickle"


def _same_relatedness(before: object, after: Relatedness) -> bool:
    """Whether the saved answer is this one (one made by other code is never compared whole:
    its fields may differ)."""
    return isinstance(before, Relatedness) and before.depends_on == after.depends_on and before == after


# Set before the workers fork: the statements to link, which they read where the parent
# holds them.
_to_link: Sequence[Statement] = ()
LINK_CHUNK = 100  # statements a worker links at a time


def _link_all(statements: Sequence[Statement], workers: int | None) -> Iterator[LinkedStatement]:
    """link_statement over statements, in order, in workers when there are enough.

    What goes out to a worker is a range of numbers, not the statements: pickled, each
    worker held copies of the chunks given to it (0.4 GB each at 100,000 statements). And
    fresh workers take over past the copy limit, since reading the statements copies them.
    """
    global _to_link
    _to_link = statements
    chunks = [
        range(start, min(start + LINK_CHUNK, len(statements)))
        for start in range(0, len(statements), LINK_CHUNK)
    ]
    parallel = workers if len(statements) >= PARALLEL_THRESHOLD else 1
    try:
        for linked in fork_map(_link_chunk, chunks, parallel, threshold=0, copy_limit=COPY_LIMIT):
            yield from linked
    finally:
        _to_link = ()


def _link_chunk(numbers: range) -> list[LinkedStatement]:
    return [link_statement(_to_link[number]) for number in numbers]


def _date_finder(
    issued: dt.date, found: list[tuple[int, int, int | None]]
) -> Callable[[str], Iterable[Span]]:
    """Date links for one text, resolved against the day it was issued; found days are kept."""

    def date_spans(text: str) -> Iterable[Span]:
        for mention in find_dates(text, issued):
            found.append((mention.year, mention.month, mention.day))
            if mention.day is None:
                rel = urls.month(mention.year, mention.month)
            else:
                rel = urls.day(dt.date(mention.year, mention.month, mention.day))
            yield Span(mention.start, mention.end, "a", (("class", "date"), ("href", _urls.path(rel))))

    return date_spans


def _entity_href(entity_id: str) -> str:
    return _urls.path(urls.entity(entity_id))


def link_statement(statement: Statement) -> LinkedStatement:
    """One statement's body as linked, annotated HTML, with what it mentions."""
    assert _matcher is not None
    found_days: list[tuple[int, int, int | None]] = []
    body = render_markdown(statement.body)
    linked = link_mentions(
        body,
        _matcher,
        listed=statement.entities,
        href=_entity_href,
        mode=_mode,
        extra=_date_finder(statement.date, found_days),
    )
    notes = tuple(_link_note(a.note, statement, found_days) for a in statement.annotations)
    html, found, note_order = anchor_annotations(linked.html, statement.annotations, notes)
    days = sorted({dt.date(y, m, d) for y, m, d in found_days if d is not None})
    months = sorted({(y, m) for y, m, d in found_days if d is None})
    text = plain_text(body)
    return LinkedStatement(
        id=statement.id,
        packed_html=pack(html),
        packed_text=pack(text),
        mentions=linked.mentions,
        days=tuple(days),
        months=tuple(months),
        annotations_found=tuple(found),
        notes=notes,
        note_order=note_order,
        words=word_counts(text),
    )


def _link_note(note: str, statement: Statement, found_days: list[tuple[int, int, int | None]]) -> str:
    """An editor's note: Markdown without footnotes (their ids would clash with the body's),
    with its entity and date mentions linked like the body's (its days get pages too)."""
    assert _matcher is not None
    html = render_markdown(note, footnotes=False)
    return link_mentions(
        html,
        _matcher,
        listed=statement.entities,
        href=_entity_href,
        mode="first",
        extra=_date_finder(statement.date, found_days),
    ).html


def _annotation_problems(statement: Statement, linked: LinkedStatement) -> list[Problem]:
    problems = []
    for annotation, found in zip(statement.annotations, linked.annotations_found, strict=True):
        if not found:
            quote = annotation.quote if len(annotation.quote) <= 60 else annotation.quote[:57] + "…"
            where = "" if annotation.occurrence == 1 else f" {annotation.occurrence} times"
            problems.append(
                Problem(
                    statement.path,
                    annotation.line,
                    f'annotation quote not found{where} in the body: "{quote}"',
                    "copy the passage exactly from the text",
                    WARNING,
                )
            )
    return problems


def unmentioned(archive: Archive, links: Links) -> list[Problem]:
    """For `archive check`: entities listed in `entities` that the body never names."""
    problems = []
    for statement in archive.statements.values():
        named = {m.entity_id for m in links.statements[statement.id].mentions}
        problems += [
            Problem(
                statement.path,
                statement.line_of("entities"),
                f"entity '{e}' is listed but the text never names it",
                severity=INFO,
            )
            for e in statement.entities
            if e not in named
        ]
    return problems


def _newest_first(ids: Iterable[str], position: dict[str, int]) -> tuple[str, ...]:
    return tuple(sorted(set(ids), key=lambda i: -position[i]))


def _relations(
    archive: Archive,
    ordered: Sequence[Statement],
    linked: dict[str, LinkedStatement],
    problems: list[Problem],
    workers: int | None,
    before: Relatedness | None,
    depends_on: str,
) -> tuple[Links, Relatedness]:
    """The archive's relations; related statements are redone from `before` where an edit
    reaches (see related.py), and returned to be kept for the next build."""
    position = {s.id: index for index, s in enumerate(ordered)}
    referenced_by: dict[str, list[Citation]] = defaultdict(list)
    by_entity: dict[str, list[str]] = defaultdict(list)
    by_day: dict[dt.date, list[str]] = defaultdict(list)
    mentioned_on: dict[dt.date, list[str]] = defaultdict(list)
    mentioned_in_month: dict[tuple[int, int], list[str]] = defaultdict(list)
    by_kind: dict[str, list[str]] = defaultdict(list)
    by_tag: dict[str, list[str]] = defaultdict(list)
    by_source: dict[str, list[str]] = defaultdict(list)
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    features = []
    for s in ordered:
        link = linked[s.id]
        for ref in s.references:
            if ref.id in archive.statements:
                referenced_by[ref.id].append(Citation(s.id, ref.type))
        about = sorted(set(s.entities) | {m.entity_id for m in link.mentions})
        for entity_id in about:
            by_entity[entity_id].append(s.id)
            pairs[entity_id].update(e for e in about if e != entity_id)
        by_day[s.date].append(s.id)
        for day in link.days:
            if day != s.date:  # its own dateline: listed under "issued" already
                mentioned_on[day].append(s.id)
        for month in link.months:
            mentioned_in_month[month].append(s.id)
        by_kind[s.kind].append(s.id)
        for tag in s.tags:
            by_tag[tag].append(s.id)
        by_source[s.source].append(s.id)
        features.append(
            Features(
                s.id,
                tuple(about),
                tuple(d.isoformat() for d in link.days),
                link.words,
                s.date.toordinal(),
                s.content_hash,
            )
        )

    def grouped(table: dict) -> dict:
        return {key: _newest_first(ids, position) for key, ids in sorted(table.items())}

    related = related_statements(features, archive.config.related_count, workers, before, depends_on)
    return Links(
        statements={sid: replace(link, words=NO_WORDS) for sid, link in linked.items()},
        chronological=tuple(s.id for s in ordered),
        referenced_by={
            k: tuple(sorted(v, key=lambda c: -position[c.id])) for k, v in sorted(referenced_by.items())
        },
        by_entity=grouped(by_entity),
        by_day=grouped(by_day),
        mentioned_on=grouped(mentioned_on),
        mentioned_in_month=grouped(mentioned_in_month),
        by_kind=grouped(by_kind),
        by_tag=grouped(by_tag),
        by_source=grouped(by_source),
        cooccurring={
            k: tuple(sorted(c.items(), key=lambda item: (-item[1], item[0]))[:12])
            for k, c in sorted(pairs.items())
        },
        related=related.related,
        problems=tuple(sorted(set(problems))),
    ), related
