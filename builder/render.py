"""Render stage: the Archive and its Links as pages, through the theme's Jinja2 templates.

Rendering only reads what the earlier stages made. Pages are yielded one at a time as
(path, bytes), so the write stage can stream them and memory stays flat at scale.
A template in the site's own templates/ folder overrides the built-in one of that name.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import urls
from .charts import Bar, bar_chart, ranked_bars
from .errors import ArchiveError, Problem
from .link import Links
from .markup import render_inline, render_markdown
from .model import ENTITY_TYPES, KINDS, REFERENCE_INVERSE_LABELS, REFERENCE_LABELS, Archive, Entity, Statement

THEME = Path(__file__).resolve().parent.parent / "templates"
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
ENTITY_TYPE_TITLES = {
    "person": "People",
    "organization": "Organisations",
    "country": "Countries",
    "place": "Places",
    "publication": "Publications",
    "event": "Events",
    "other": "Other",
}


@dataclass(frozen=True)
class Page:
    path: str  # relative to the output folder, e.g. statements/x/index.html
    content: bytes


@dataclass(frozen=True)
class Card:
    """What a list shows of one statement."""

    id: str
    url: str
    title: str
    date: dt.date
    source: str
    source_url: str
    kind: str
    speaker: str | None
    summary: str


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    items: Sequence[Any]
    prev_url: str | None
    next_url: str | None
    first_url: str
    last_url: str


def long_date(value: dt.date) -> str:
    """'17 November 2019', the same in every locale."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def environment(root: Path) -> jinja2.Environment:
    """Site templates first, then the built-in theme; autoescape always on."""
    loaders = [jinja2.FileSystemLoader(str(root / "templates"))] if (root / "templates").is_dir() else []
    loaders.append(jinja2.FileSystemLoader(str(THEME)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["month_name"] = lambda m: MONTHS[m - 1]
    return env


class Renderer:
    """Holds the views every page shares, computed once; each method yields pages."""

    def __init__(self, archive: Archive, links: Links, root: Path):
        self.archive = archive
        self.links = links
        self.site = archive.config
        self.urls = urls.Urls(self.site.base_url)
        self.env = environment(root)
        self.cards = {sid: self._card(archive.statements[sid]) for sid in links.chronological}
        self.newest = tuple(reversed(links.chronological))
        self.month_counts = Counter()
        for day, ids in links.by_day.items():
            self.month_counts[(day.year, day.month)] += len(ids)
        self.env.globals.update(
            site=self.site,
            url=self.urls.path,
            abs_url=self.urls.absolute,
            asset=lambda name: self.urls.path("static/" + name),
            entity_url=lambda entity_id: self.urls.path(urls.entity(entity_id)),
            statement_url=lambda sid: self.urls.path(urls.statement(sid)),
            day_url=lambda d: self.urls.path(urls.day(d)),
            month_url=lambda y, m: self.urls.path(urls.month(y, m)),
            year_url=lambda y: self.urls.path(urls.year(y)),
            kind_url=lambda k: self.urls.path(urls.kind(k)),
            tag_url=lambda t: self.urls.path(urls.tag(t)),
            entity_name=self.entity_name,
            is_entity=archive.entities.__contains__,
            card=self.cards.__getitem__,
        )

    # -- shared views -------------------------------------------------------------------

    def entity_name(self, entity_id: str) -> str:
        entity = self.archive.entities.get(entity_id)
        return entity.name if entity else entity_id

    def _card(self, s: Statement) -> Card:
        return Card(
            id=s.id,
            url=self.urls.path(urls.statement(s.id)),
            title=s.title,
            date=s.date,
            source=self.entity_name(s.source),
            source_url=self.urls.path(urls.entity(s.source)),
            kind=s.kind,
            speaker=self.entity_name(s.speaker) if s.speaker else None,
            summary=s.summary or "",
        )

    def page(self, rel: str, template: str, **context: Any) -> Page:
        try:
            html = self.env.get_template(template).render(page_url=rel, **context)
        except jinja2.TemplateSyntaxError as err:
            raise ArchiveError(
                [Problem(err.filename or template, err.lineno, f"template error: {err.message}")]
            ) from None
        except jinja2.TemplateError as err:
            raise ArchiveError(
                [
                    Problem(
                        f"templates/{template}",
                        0,
                        f"template error while making /{rel}: {err}",
                        "fix the template",
                    )
                ]
            ) from None
        return Page(urls.output_file(rel), html.encode("utf-8"))

    def paginated(self, rel: str, template: str, ids: Sequence[str], **context: Any) -> Iterator[Page]:
        size = self.site.page_size
        count = max(1, math.ceil(len(ids) / size))
        for number in range(1, count + 1):
            items = [self.cards[i] for i in ids[(number - 1) * size : number * size]]
            pager = Pager(
                number=number,
                count=count,
                items=items,
                prev_url=self.urls.path(urls.page(rel, number - 1)) if number > 1 else None,
                next_url=self.urls.path(urls.page(rel, number + 1)) if number < count else None,
                first_url=self.urls.path(rel),
                last_url=self.urls.path(urls.page(rel, count)),
            )
            yield self.page(urls.page(rel, number), template, pager=pager, **context)

    # -- pages ----------------------------------------------------------------------------

    def pages(self) -> Iterator[Page]:
        yield self.home()
        yield from self.paginated("statements/", "statements.html", self.newest)
        for position, sid in enumerate(self.links.chronological):
            yield self.statement(sid, position)
        for sid, versions in self.archive.versions.items():
            if sid in self.archive.statements:
                yield self.versions(sid, versions)
        yield from self.dates()
        yield from self.entities()
        yield from self.kinds()
        yield from self.tags()
        yield self.withdrawn()
        yield self.page("search/", "search.html")
        not_found = self.page("404.html", "404.html")
        yield Page("404.html", not_found.content)
        yield Page(".nojekyll", b"")

    def home(self) -> Page:
        counts = {
            "statements": len(self.archive.statements),
            "entities": len(self.archive.entities),
            "sources": sum(1 for e in self.archive.entities.values() if e.type == "publication"),
            "days": len(self.links.by_day),
        }
        return self.page(
            "",
            "home.html",
            newest=[self.cards[i] for i in self.newest[: self.site.home_size]],
            counts=counts,
            chart=self._months_chart(
                self.links.chronological, "Statements per month, last 24 months", last=24
            ),
            years=self._year_counts(),
            kinds=[(k, len(self.links.by_kind[k])) for k in KINDS if k in self.links.by_kind],
            sources=[
                (e, len(self.links.by_source.get(e.id, ()))) for e in self._entities_of_type("publication")
            ],
        )

    def statement(self, sid: str, position: int) -> Page:
        s = self.archive.statements[sid]
        linked = self.links.statements[sid]
        order = self.links.chronological
        return self.page(
            urls.statement(sid),
            "statement.html",
            s=s,
            card=self.cards[sid],
            body=Markup(linked.html),
            mentions=linked.mentions,
            tagged=[self.archive.entities[e] for e in s.entities if e in self.archive.entities],
            mentioned=[
                self.archive.entities[m.entity_id] for m in linked.mentions if m.entity_id not in s.entities
            ],
            references=[
                (REFERENCE_LABELS[r.type], self.cards[r.id]) for r in s.references if r.id in self.cards
            ],
            referenced_by=[
                (REFERENCE_INVERSE_LABELS[c.type], self.cards[c.id])
                for c in self.links.referenced_by.get(sid, ())
            ],
            related=[self.cards[r] for r in self.links.related.get(sid, ())],
            previous=self.cards[order[position - 1]] if position > 0 else None,
            next=self.cards[order[position + 1]] if position + 1 < len(order) else None,
            versions=self.archive.versions.get(sid, ()),
            summary=Markup(render_inline(s.summary)) if s.summary else None,
        )

    def versions(self, sid: str, versions: Sequence[Any]) -> Page:
        from .wordiff import word_diff_html

        s = self.archive.statements[sid]
        texts = [v.body for v in versions] + [s.body]
        steps = [
            {"number": n + 2, "diff": Markup(word_diff_html(texts[n], texts[n + 1]))}
            for n in range(len(texts) - 1)
        ]
        return self.page(
            urls.versions(sid), "versions.html", s=s, card=self.cards[sid], versions=versions, steps=steps
        )

    def dates(self) -> Iterator[Page]:
        issued = self.links.by_day
        mentioned = self.links.mentioned_on
        days = sorted(set(issued) | set(mentioned))
        months = sorted({(d.year, d.month) for d in days} | set(self.links.mentioned_in_month))
        years = sorted({y for y, _ in months})
        yield self.page("dates/", "dates.html", years=self._year_counts(years))
        days_in_month: dict[tuple[int, int], list[dt.date]] = {}
        for d in days:
            days_in_month.setdefault((d.year, d.month), []).append(d)
        for year in years:
            month_list = [(m, self._month_count(year, m)) for (y, m) in months if y == year]
            yield self.page(
                urls.year(year),
                "year.html",
                year=year,
                months=month_list,
                calendars=[self._calendar(year, m) for (y, m) in months if y == year],
                chart=bar_chart(
                    [Bar(MONTHS[m - 1][:3], self._month_count(year, m), None) for m in range(1, 13)],
                    f"Statements per month in {year}",
                ),
                total=sum(self._month_count(year, m) for m in range(1, 13)),
                prev_url=self._neighbour_year(years, year, -1),
                next_url=self._neighbour_year(years, year, 1),
            )
        for year, month in months:
            ids = [i for d in days_in_month.get((year, month), ()) for i in issued.get(d, ())]
            yield self.page(
                urls.month(year, month),
                "month.html",
                year=year,
                month=month,
                month_calendar=self._calendar(year, month),
                issued=[self.cards[i] for i in reversed(ids)],
                mentioned=[self.cards[i] for i in self.links.mentioned_in_month.get((year, month), ())],
                prev_url=self._neighbour_month(months, (year, month), -1),
                next_url=self._neighbour_month(months, (year, month), 1),
            )
        for index, day in enumerate(days):
            yield self.page(
                urls.day(day),
                "day.html",
                day=day,
                issued=[self.cards[i] for i in issued.get(day, ())],
                mentioned=[self.cards[i] for i in mentioned.get(day, ())],
                prev_url=self.urls.path(urls.day(days[index - 1])) if index > 0 else None,
                next_url=self.urls.path(urls.day(days[index + 1])) if index + 1 < len(days) else None,
            )

    def entities(self) -> Iterator[Page]:
        groups = [
            (
                ENTITY_TYPE_TITLES[t],
                [(e, len(self.links.by_entity.get(e.id, ()))) for e in self._entities_of_type(t)],
            )
            for t in ENTITY_TYPES
        ]
        yield self.page("entities/", "entities.html", groups=[g for g in groups if g[1]])
        for entity in sorted(self.archive.entities.values(), key=lambda e: e.id):
            yield from self.entity(entity)

    def entity(self, entity: Entity) -> Iterator[Page]:
        ids = self.links.by_entity.get(entity.id, ())
        published = self.links.by_source.get(entity.id, ()) if entity.type == "publication" else ()
        mentions = {
            sid: m for sid in ids for m in self.links.statements[sid].mentions if m.entity_id == entity.id
        }
        years = Counter(self.archive.statements[i].date.year for i in ids)
        timeline = (
            bar_chart(
                [
                    Bar(str(y), years.get(y, 0), self.urls.path(urls.year(y)))
                    for y in range(min(years), max(years) + 1)
                ],
                f"Statements about {entity.name} per year",
            )
            if years
            else Markup("")
        )
        together = [
            (self.entity_name(e), n, self.urls.path(urls.entity(e)))
            for e, n in self.links.cooccurring.get(entity.id, ())
        ]
        yield from self.paginated(
            urls.entity(entity.id),
            "entity.html",
            ids,
            entity=entity,
            description=Markup(render_markdown(entity.description)) if entity.description.strip() else None,
            mentions=mentions,
            total=len(ids),
            published=[self.cards[i] for i in published[: self.site.page_size]],
            published_total=len(published),
            timeline=timeline,
            years=sorted(years.items()),
            together=ranked_bars(together, f"Entities named together with {entity.name}"),
            together_list=together,
            type_title=ENTITY_TYPE_TITLES[entity.type],
        )

    def kinds(self) -> Iterator[Page]:
        kinds = [(k, len(self.links.by_kind[k])) for k in KINDS if k in self.links.by_kind]
        yield self.page("kinds/", "kinds.html", kinds=kinds)
        for kind, _ in kinds:
            yield from self.paginated(urls.kind(kind), "kind.html", self.links.by_kind[kind], kind=kind)

    def tags(self) -> Iterator[Page]:
        by_slug: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for tag, ids in self.links.by_tag.items():
            slug = urls.tag_slug(tag)
            by_slug.setdefault(slug, []).extend(ids)
            names.setdefault(slug, tag)
        position = {sid: n for n, sid in enumerate(self.links.chronological)}
        tags = sorted(((names[s], len(set(ids))) for s, ids in by_slug.items()), key=lambda t: t[0].lower())
        yield self.page("tags/", "tags.html", tags=tags)
        for slug, ids in sorted(by_slug.items()):
            ordered = sorted(set(ids), key=lambda i: -position[i])
            yield from self.paginated(urls.tag(names[slug]), "tag.html", ordered, tag=names[slug])

    def withdrawn(self) -> Page:
        items = sorted(
            (s for s in self.archive.statements.values() if s.withdrawn),
            key=lambda s: (s.withdrawn, s.id),
            reverse=True,
        )
        return self.page(
            "withdrawn/", "withdrawn.html", items=[(self.cards[s.id], s.withdrawn) for s in items]
        )

    # -- helpers ----------------------------------------------------------------------------

    def _entities_of_type(self, entity_type: str) -> list[Entity]:
        return sorted(
            (e for e in self.archive.entities.values() if e.type == entity_type),
            key=lambda e: (e.name.lower(), e.id),
        )

    def _year_counts(self, years: Sequence[int] | None = None) -> list[tuple[int, int]]:
        counts = Counter(d.year for d, ids in self.links.by_day.items() for _ in ids)
        return [(y, counts.get(y, 0)) for y in (years if years is not None else sorted(counts))]

    def _month_count(self, year: int, month: int) -> int:
        return self.month_counts.get((year, month), 0)

    def _months_chart(self, ids: Sequence[str], title: str, last: int) -> Markup:
        counts = Counter(
            (self.archive.statements[i].date.year, self.archive.statements[i].date.month) for i in ids
        )
        if not counts:
            return Markup("")
        end = max(counts)
        months = []
        year, month = end
        for _ in range(last):
            months.append((year, month))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.reverse()
        bars = [
            Bar(f"{MONTHS[m - 1][:3]} {str(y)[2:]}", counts.get((y, m), 0), self.urls.path(urls.month(y, m)))
            for y, m in months
        ]
        return bar_chart(bars, title)

    def _calendar(self, year: int, month: int) -> dict[str, Any]:
        """A month as weeks of days, each with its counts, for the calendar overview."""
        first = dt.date(year, month, 1)
        next_first = dt.date(year + month // 12, month % 12 + 1, 1)
        weeks: list[list[dict[str, Any] | None]] = [[None] * first.weekday()]
        day = first
        while day < next_first:
            issued = len(self.links.by_day.get(day, ()))
            mentioned = len(self.links.mentioned_on.get(day, ()))
            has_page = issued or mentioned
            weeks[-1].append(
                {
                    "day": day.day,
                    "issued": issued,
                    "mentioned": mentioned,
                    "url": self.urls.path(urls.day(day)) if has_page else None,
                }
            )
            if len(weeks[-1]) == 7:
                weeks.append([])
            day += dt.timedelta(days=1)
        if weeks[-1]:
            weeks[-1] += [None] * (7 - len(weeks[-1]))
        else:
            weeks.pop()
        return {"year": year, "month": month, "weeks": weeks, "url": self.urls.path(urls.month(year, month))}

    def _neighbour_year(self, years: Sequence[int], year: int, step: int) -> str | None:
        index = years.index(year) + step
        return self.urls.path(urls.year(years[index])) if 0 <= index < len(years) else None

    def _neighbour_month(
        self, months: Sequence[tuple[int, int]], month: tuple[int, int], step: int
    ) -> str | None:
        index = months.index(month) + step
        return self.urls.path(urls.month(*months[index])) if 0 <= index < len(months) else None


def render_site(archive: Archive, links: Links, root: Path) -> Iterator[Page]:
    """Every page of the site, in a fixed order."""
    return Renderer(archive, links, root).pages()


def static_files(root: Path) -> Iterator[tuple[str, Path]]:
    """The theme's static assets, a site's own files of the same name winning."""
    seen: dict[str, Path] = {}
    for folder in (THEME / "static", root / "templates" / "static"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    seen["static/" + path.relative_to(folder).as_posix()] = path
    yield from sorted(seen.items())
