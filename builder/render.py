"""Render stage: the Archive and its Links as pages, through the theme's Jinja2 templates.

Rendering only reads what the earlier stages made. Pages are yielded one at a time as
(path, bytes), so the write stage can stream them and memory stays flat at scale.
A template in the site's own templates/ folder overrides the built-in one of that name.
Besides the HTML pages, the render stage makes every other file a reader or a machine
fetches: Atom feeds, citations, data exports, sitemap.xml and robots.txt.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import functools
import hashlib
import io
import math
import os
import pickle
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from . import cite, discovery, export, urls
from .bodyhtml import headings_in_order, mark_languages
from .charts import Bar, bar_chart, ranked_bars
from .errors import ArchiveError, Problem
from .feeds import Feed, FeedEntry, absolute_links, entry_xml, feed_xml
from .link import Links, unpack
from .markup import render_markdown, render_summary
from .model import ENTITY_TYPES, KINDS, REFERENCE_INVERSE_LABELS, REFERENCE_LABELS, Archive, Entity, Statement
from .workers import COPY_LIMIT, PARALLEL_THRESHOLD, fork_map, worker_count
from .write import Unchanged

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


SECTION_SIZE = 200  # statement pages in one part of the work (see Renderer.sections)
ENTITIES_A_SECTION = 100  # entity pages in one part of the work


# Languages written right to left (their primary subtags): Arabic, Persian, Urdu, Pashto,
# Sindhi, Kurdish (Sorani), Uyghur, Dhivehi, Hebrew, Yiddish, Syriac. The theme's own words
# are English, so pages run left to right; a text in one of these runs right to left, and
# the page's words inside it left to right again.
RIGHT_TO_LEFT = frozenset("ar fa ur ps sd ckb ug dv he yi syr".split())


RIGHT_TO_LEFT_SCRIPTS = frozenset("arab hebr syrc thaa nkoo adlm rohg".split())


def right_to_left(language: str) -> bool:
    """By the script subtag where there is one ("pa-Arab" yes, "sd-Deva" no), else by the
    language."""
    parts = language.lower().split("-")
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    return script in RIGHT_TO_LEFT_SCRIPTS if script else parts[0] in RIGHT_TO_LEFT


def _rtl_attr(language: str) -> Markup:
    """` dir="rtl"` on a text in a right-to-left language, else nothing."""
    return Markup(' dir="rtl"') if right_to_left(language) else Markup("")


def _editor_attrs(site_language: str, around: str) -> Markup:
    """The editors' words (a summary, a note: in the site's language) inside a text in
    `around`: the site's lang where it differs, and its direction where the two differ."""
    if around == site_language:
        return Markup("")
    way = right_to_left(site_language)
    turned = Markup(f' dir="{"rtl" if way else "ltr"}"') if way != right_to_left(around) else Markup("")
    return Markup(f' lang="{escape(site_language)}"') + turned


def _ui_attrs(site_language: str, around: str) -> Markup:
    """The page's own words inside a text in `around`: the site's lang where it differs,
    and left to right where the text runs right to left."""
    lang = Markup(f' lang="{escape(site_language)}"') if around != site_language else Markup("")
    return lang + (Markup(' dir="ltr"') if right_to_left(around) else Markup(""))


@dataclass(frozen=True)
class DatePlan:
    """Which days and months get pages, shared by the date sections."""

    days: list[dt.date]
    months: list[tuple[int, int]]
    years: list[int]
    days_in_month: dict[tuple[int, int], list[dt.date]]
    month_ids: dict[tuple[int, int], list[str]]


@dataclass(frozen=True)
class Page:
    path: str  # relative to the output folder, e.g. statements/x/index.html
    # Unchanged: the same bytes as this file of an earlier build; an iterator: a large
    # file's bytes in pieces, written as they are made
    content: bytes | Iterator[bytes] | Unchanged


@dataclass
class PageReuse:
    """What the previous build made from what: a page whose template, address and context
    pickle to the same digest as then is the same bytes, so it is taken from the previous
    output instead of being rendered again (everything else a template can read, such as
    settings, templates, entity names and the builder's code, is in the table's key).

    `current` ends with every file the render made, a digest or "" for each (so that a
    later build taking this one's folder as its spare knows what it holds)."""

    previous: dict[str, str]  # output path -> digest of the previous build
    previous_out: Path | None  # the previous build's output folder, where those files are
    current: dict[str, str] = field(default_factory=dict)
    in_place: dict[str, str] = field(default_factory=dict)  # the same, of the folder being built
    known: dict[int, tuple[object, bytes]] = field(default_factory=dict, repr=False)  # see _DigestPickler

    def digest(self, rel: str, template: str, lastmod: dt.date | None, context: dict[str, Any]) -> str | None:
        buffer = io.BytesIO()
        pickler = _DigestPickler(buffer, self.known)
        try:
            pickler.dump((rel, template, lastmod, context))
        except Exception:  # something that does not pickle: render it every time
            return None
        return hashlib.blake2b(buffer.getbuffer(), digest_size=16).hexdigest()

    @contextlib.contextmanager
    def set_aside(self) -> Iterator[None]:
        """Meanwhile, this build's digests are one object, pickled: a dict of their strings
        (330,000 at 100,000 statements), which came from the workers between the parent's
        own pages, would keep the memory around them from being handed back."""
        digests, self.current = pickle.dumps(self.current, protocol=pickle.HIGHEST_PROTOCOL), {}
        try:
            yield
        finally:
            self.current = pickle.loads(digests)

    def same_bytes(self, path: str, content: bytes) -> Unchanged | None:
        """For a file not made from a template: where these bytes are already, if anywhere."""
        return self.unchanged(path, hashlib.blake2b(content, digest_size=16).hexdigest())

    def unchanged(self, path: str, digest: str) -> Unchanged | None:
        """Which earlier build's file a page of this digest can be, if any."""
        self.current[path] = digest
        if self.in_place.get(path) == digest:
            return Unchanged.IN_PLACE
        if (
            self.previous.get(path) == digest
            and self.previous_out is not None
            and os.path.isfile(os.path.join(self.previous_out, path))
        ):
            return Unchanged.PREVIOUS
        return None

    def rendered(self) -> None:
        """Let go of the earlier builds' digests once the pages are made (330,000 of each
        at 100,000 statements): only `current` is kept, for the next build."""
        self.previous, self.in_place, self.known = {}, {}, {}

    def made(self, page: Page) -> None:
        """Every file the render makes is in `current`, with a digest or ""."""
        self.current.setdefault(page.path, "")


class _DigestPickler(pickle.Pickler):
    """Pickles a page's context for its digest. The archive's objects that many pages show
    (a statement's card on every list of it, an entity on every statement page naming it)
    are each pickled and hashed once a build, and pages take that hash in their place: a
    10,000-statement site's contexts pickled to 440 MB, 3 s of an edit's render, most of it
    the same objects again."""

    def __init__(self, buffer: io.BytesIO, known: dict[int, tuple[object, bytes]]):
        super().__init__(buffer, protocol=5)
        self.fast = True  # no memo: equal values give equal bytes, shared or not
        # id -> (the object, kept so that its id stays its own; its hash): one entry for each
        # statement, entity and card a process shows (mention counts, two million at 100,000
        # statements, are pickled as they are)
        self.known = known

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) not in _SHOWN_ON_MANY_PAGES:
            return NotImplemented
        entry = self.known.get(id(obj))
        if entry is None or entry[0] is not obj:
            entry = self.known[id(obj)] = (obj, _hash_of(obj))
        return (_derived, (type(obj).__qualname__, entry[1]))


def _hash_of(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest()


class Derived:
    """A context value made by a pure function of its arguments (and of the settings, which
    are in the page table's key). A page's digest pickles the function's name and the
    arguments instead of the value, so a page that is reused never pays for making it
    (citations, JSON-LD, the body's HTML); or, given, a smaller `key` that determines the
    arguments (a data part's: each statement's file hash rather than the statement)."""

    __slots__ = ("args", "key", "make")

    def __init__(self, make: Callable[..., Any], *args: Any, key: Any = None):
        self.make, self.args = make, args
        self.key = args if key is None else key

    def value(self) -> Any:
        return self.make(*self.args)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_derived, (self.make.__qualname__, self.key))


def _derived(name: str, key: tuple[Any, ...]) -> None:
    """What a Derived value pickles as: for digests only, never unpickled."""
    raise TypeError(f"{name}: a digest's stand-in, not a value")


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
    language: str


_SHOWN_ON_MANY_PAGES = frozenset((Statement, Entity, Card))


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
    env.filters["mark_languages"] = lambda text, lang: Markup(mark_languages(str(escape(text)), lang))
    return env


class Renderer:
    """Holds the views every page shares, computed once; each method yields pages."""

    def __init__(self, archive: Archive, links: Links, root: Path, reuse: PageReuse | None = None):
        self.reuse = reuse
        self.archive = archive
        self.links = links
        self.site = archive.config
        self.urls = urls.Urls(self.site.base_url)
        self.root = root
        self.env = environment(root)
        self.cards = {sid: self._card(archive.statements[sid]) for sid in links.chronological}
        self.newest = tuple(reversed(links.chronological))
        self.month_counts: Counter[tuple[int, int]] = Counter()
        for day, ids in links.by_day.items():
            self.month_counts[(day.year, day.month)] += len(ids)
        self.modified = {sid: discovery.modified(archive.statements[sid]) for sid in links.chronological}
        self.latest = max(self.modified.values(), default=None)
        self.sitemap: list[discovery.SitemapUrl] = []
        self._entries: dict[str, tuple[dt.date, str]] = {}
        self._entity_refs: dict[str, dict[str, Any]] = {}
        self._summaries: dict[str, str] = {}
        # The same few hundred addresses are asked for on every page: quote each once.
        path = functools.lru_cache(maxsize=65536)(self.urls.path)
        self.env.globals.update(
            site=self.site,
            url=path,
            abs_url=self.urls.absolute,
            asset=lambda name: path("static/" + name),
            entity_url=lambda entity_id: path(urls.entity(entity_id)),
            statement_url=lambda sid: path(urls.statement(sid)),
            day_url=lambda d: path(urls.day(d)),
            month_url=lambda y, m: path(urls.month(y, m)),
            year_url=lambda y: path(urls.year(y)),
            kind_url=lambda k: path(urls.kind(k)),
            tag_url=lambda t: path(urls.tag(t)),
            entity_name=self.entity_name,
            is_entity=archive.entities.__contains__,
            capture_url=lambda file: self.urls.path(urls.capture(file)),
            card=self.cards.__getitem__,
            lang_attr=self.lang_attr,
            ui_lang_attr=self.ui_lang_attr,
            dir_attr=_rtl_attr,
            editor_attrs=lambda language: _editor_attrs(self.site.language, language),
        )

    # -- shared views -------------------------------------------------------------------

    def summary_html(self, sid: str) -> str:
        """A statement's summary as inline HTML, made once (page, JSON-LD and feeds use it)."""
        html = self._summaries.get(sid)
        if html is None:
            html = self._summaries[sid] = render_summary(self.archive.statements[sid].summary or "")
        return html

    def lang_attr(self, language: str) -> Markup:
        """` lang="ko"` on an element whose text is not in the site's language, else nothing;
        with ` dir="rtl"` on a text in a right-to-left language."""
        lang = Markup(f' lang="{escape(language)}"') if language != self.site.language else Markup("")
        return lang + _rtl_attr(language)

    def ui_lang_attr(self, language: str) -> Markup:
        """` lang="en"` (the site's) on the page's own words inside a text in another language,
        ` dir="ltr"` inside one written right to left."""
        return _ui_attrs(self.site.language, language)

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
            language=s.language,
        )

    def page(
        self, rel: str, template: str, *, lastmod: dt.date | None = None, listed: bool = True, **context: Any
    ) -> Page:
        """One HTML page; `listed` pages go into sitemap.xml with their last-modified day."""
        path = urls.output_file(rel)
        if listed:
            self.sitemap.append(discovery.SitemapUrl(self.urls.absolute(rel), lastmod))
            if self.reuse is not None:
                digest = self.reuse.digest(rel, template, lastmod, context)
                unchanged = self.reuse.unchanged(path, digest) if digest is not None else None
                if unchanged is not None:
                    return Page(path, unchanged)
        context = {
            key: value.value() if isinstance(value, Derived) else value for key, value in context.items()
        }
        try:
            html = self.env.get_template(template).render(page_url=rel, **context)
        except jinja2.TemplateSyntaxError as err:
            raise ArchiveError([_syntax_problem(err, template, self.root)]) from None
        except Exception as err:  # a template's own mistake ({{ 1/0 }}, url(None), a missing include)
            raise ArchiveError([_template_problem(err, template, rel, self.root)]) from None
        return Page(path, html.encode("utf-8"))

    def paginated(
        self,
        rel: str,
        template: str,
        ids: Sequence[str],
        per_page: Callable[[Sequence[str]], dict[str, Any]] | None = None,
        **context: Any,
    ) -> Iterator[Page]:
        """A list in pages; per_page(ids of a page) gives what only that page shows of them."""
        size = self.site.page_size
        count = max(1, math.ceil(len(ids) / size))
        for number in range(1, count + 1):
            shown = ids[(number - 1) * size : number * size]
            items = [self.cards[i] for i in shown]
            pager = Pager(
                number=number,
                count=count,
                items=items,
                prev_url=self.urls.path(urls.page(rel, number - 1)) if number > 1 else None,
                next_url=self.urls.path(urls.page(rel, number + 1)) if number < count else None,
                first_url=self.urls.path(rel),
                last_url=self.urls.path(urls.page(rel, count)),
            )
            lastmod = self.last_modified(i.id for i in items)
            extra = per_page(shown) if per_page else {}
            yield self.page(
                urls.page(rel, number), template, pager=pager, lastmod=lastmod, **context, **extra
            )

    # -- pages ----------------------------------------------------------------------------

    def file(self, path: str, content: bytes | Iterator[bytes]) -> Page:
        """A file not made from a template (citation, feed, data), reused when unchanged
        (a file in pieces is written every time: its bytes are known only as it is written)."""
        if isinstance(content, bytes) and self.reuse is not None:
            unchanged = self.reuse.same_bytes(path, content)
            if unchanged is not None:
                return Page(path, unchanged)
        return Page(path, content)

    def derived_file(self, path: str, content: Derived) -> Page:
        """A file made by a pure function (see Derived): reused without making it when its
        function and key are the previous build's."""
        if self.reuse is not None:
            digest = self.reuse.digest(path, "", None, {"file": content})
            unchanged = self.reuse.unchanged(path, digest) if digest is not None else None
            if unchanged is not None:
                return Page(path, unchanged)
        return Page(path, content.value())

    def load_templates(self) -> None:
        """Every template compiled before any page is made (and before workers fork): a
        template that is not UTF-8 or not valid Jinja is reported with its line."""
        for name in self.env.list_templates(filter_func=lambda name: name.endswith(".html")):
            try:
                self.env.get_template(name)
            except jinja2.TemplateSyntaxError as err:
                raise ArchiveError([_syntax_problem(err, name, self.root)]) from None
            except UnicodeDecodeError as err:
                path = _template_path(self.env, name)
                line = path.read_bytes()[: err.start].count(b"\n") + 1 if path else 0
                raise ArchiveError(
                    [
                        Problem(
                            _shown(str(path or name), self.root),
                            line,
                            "the template is not UTF-8 text",
                            "save it as UTF-8",
                        )
                    ]
                ) from None

    def pages(self) -> Iterator[Page]:
        for section in self.sections:
            yield from section()
        yield from self.closing_pages()

    @functools.cached_property
    def sections(self) -> list[Callable[[], Iterable[Page]]]:
        """The site's pages in parts of about equal work, in order, each independent of the
        others: workers can make them side by side (see render_site)."""
        return [make for make, _ in self._sections]

    @functools.cached_property
    def whole_sections(self) -> frozenset[int]:
        """The sections that each read the whole archive (the home page, the list of all
        statements, the months, kinds and tags). A worker making one copies most of the
        parent's memory it reads (at 100,000 statements, 0.3-0.7 GB each), so in a parallel
        build the parent makes them itself while the workers make the rest."""
        return frozenset(number for number, (_, whole) in enumerate(self._sections) if whole)

    @functools.cached_property
    def _sections(self) -> list[tuple[Callable[[], Iterable[Page]], bool]]:
        """Each section, and whether it reads the whole archive."""
        entities = sorted(self.archive.entities.values(), key=lambda e: e.id)
        days = self._date_plan.days
        return [
            (lambda: [self.home()], True),
            (lambda: self.paginated("statements/", "statements.html", self.newest), True),
            *((section, False) for section in self._statement_sections()),
            (self.data_files, True),
            (self.all_versions, False),
            (self.dates_index_and_years, True),
            (self.months, True),
            *(
                (functools.partial(self.days_between, start, start + SECTION_SIZE * 4), False)
                for start in range(0, len(days), SECTION_SIZE * 4)
            ),
            (
                lambda: [
                    self.page("entities/", "entities.html", lastmod=self.latest, groups=self._entity_groups())
                ],
                True,
            ),
            *(
                (functools.partial(self.entities_between, entities, start, start + ENTITIES_A_SECTION), False)
                for start in range(0, len(entities), ENTITIES_A_SECTION)
            ),
            (self.kinds, True),
            (self.tags, True),
            (self.single_pages, True),
        ]

    def closing_pages(self) -> Iterator[Page]:
        """What lists every page made before (the sitemap), and the site-wide files."""
        yield self.site_feed()
        for path, content in discovery.sitemap_files(self.sitemap, self.urls.absolute):
            yield Page(path, content)
        yield Page("robots.txt", discovery.robots_txt(self.urls.absolute("sitemap.xml")))

    def statements_between(self, start: int, end: int) -> Iterator[Page]:
        for position in range(start, min(end, len(self.links.chronological))):
            yield from self.statement(self.links.chronological[position], position)

    def all_versions(self) -> Iterator[Page]:
        for sid, versions in sorted(self.archive.versions.items()):
            if sid in self.archive.statements:
                yield self.versions(sid, versions)

    def _statement_sections(self) -> Iterator[Callable[[], Iterable[Page]]]:
        """The statement pages, SECTION_SIZE a section, each data part just before the
        section where its statements begin. A part reads all its statements, so a worker
        comes to hold a copy of them (see fork_map's copy_limit); next to their pages, that
        copy is made in the pool that reads them anyway, not all of it in one worker (at
        100,000 statements, when the data was one section, the render stage's peak was
        there)."""
        ids = self.links.chronological
        parts_at: dict[int, list[export.StatementPart]] = {}
        position = 0
        for part in self.data_parts:
            parts_at.setdefault(position // SECTION_SIZE, []).append(part)
            position += len(part.ids)
        for number, start in enumerate(range(0, len(ids), SECTION_SIZE)):
            for part in parts_at.get(number, ()):
                yield functools.partial(self.data_part, part)
            yield functools.partial(self.statements_between, start, start + SECTION_SIZE)

    def data_part(self, part: export.StatementPart) -> Iterator[Page]:
        """A part's statements and their graph (or, for export.whole_archive, the archive's),
        its files made again only when one of its statements or their links changed."""
        inputs = [export.record_inputs(self.archive.statements[sid], self.links) for sid in part.ids]
        key = [export.record_key(i) for i in inputs]
        for extension in ("jsonl", "csv"):
            path = export.part_path(part, extension)
            make = Derived(export.statements_part, path, inputs, self.urls, key=(path, key))
            yield self.derived_file(path, make)
        graph = export.graph_inputs(self.archive, self.links, part)
        make = Derived(export.graph_part, part.name, *graph, self.site.title, self.urls)
        yield self.derived_file(export.graph_path(part), make)

    def data_files(self) -> Iterator[Page]:
        """The index of the data files, and the entities (the parts are sections of their own)."""
        whole = self.whole_data
        yield self.file("data/index.json", export.data_index(self.data_parts, whole, self.urls.absolute))
        yield self.file(
            "data/entities.json", export.entities_json(self.archive, self.links, self.urls.absolute)
        )
        if whole is not None:
            yield from self.data_part(whole)

    @functools.cached_property
    def data_parts(self) -> list[export.StatementPart]:
        return export.statement_parts(self.archive, self.links.chronological)

    @functools.cached_property
    def whole_data(self) -> export.StatementPart | None:
        """The one-file archive, when it is small enough for one (see export.whole_archive)."""
        return export.whole_archive(self.data_parts)

    def single_pages(self) -> Iterator[Page]:
        yield self.withdrawn()
        yield self.about()
        yield self.page("search/", "search.html", listed=False)
        not_found = self.page("404.html", "404.html", listed=False)
        yield Page("404.html", not_found.content)
        yield Page(".nojekyll", b"")

    def home(self) -> Page:
        counts = {
            "statements": len(self.archive.statements),
            "entities": len(self.archive.entities),
            "sources": sum(1 for e in self.archive.entities.values() if e.type == "publication"),
            "days": len(self.links.by_day),
        }
        chart, chart_rows = self._months_chart(self.links.chronological, "Statements per month", last=24)
        site_ld = discovery.website_ld(
            self.site.title, self.urls.absolute(""), self.site.description, self.urls.absolute("search/")
        )
        return self.page(
            "",
            "home.html",
            lastmod=self.latest,
            newest=[self.cards[i] for i in self.newest[: self.site.home_size]],
            counts=counts,
            chart=chart,
            chart_rows=chart_rows,
            years=self._year_counts(),
            kinds=[(k, len(self.links.by_kind[k])) for k in KINDS if k in self.links.by_kind],
            sources=[
                (e, len(self.links.by_source.get(e.id, ()))) for e in self._entities_of_type("publication")
            ],
            json_ld=discovery.json_ld(site_ld),
        )

    def statement(self, sid: str, position: int) -> Iterator[Page]:
        """The statement's page, and its citation as BibTeX and CSL-JSON files beside it."""
        s = self.archive.statements[sid]
        linked = self.links.statements[sid]
        order = self.links.chronological
        referenced_by = self.links.referenced_by.get(sid, ())
        cited = self._cited(s)
        rel = urls.statement(sid)
        yield self.page(
            rel,
            "statement.html",
            lastmod=self.last_modified([sid, *(c.id for c in referenced_by)]),
            s=s,
            card=self.cards[sid],
            body=Derived(self._page_body, linked.packed_html, s.language),
            mentions=linked.mentions,
            tagged=[self.archive.entities[e] for e in s.entities if e in self.archive.entities],
            mentioned=[
                self.archive.entities[m.entity_id] for m in linked.mentions if m.entity_id not in s.entities
            ],
            references=[
                (REFERENCE_LABELS[r.type], self.cards[r.id]) for r in s.references if r.id in self.cards
            ],
            referenced_by=[(REFERENCE_INVERSE_LABELS[c.type], self.cards[c.id]) for c in referenced_by],
            related=[self.cards[r] for r in self.links.related.get(sid, ())],
            previous=self.cards[order[position - 1]] if position > 0 else None,
            next=self.cards[order[position + 1]] if position + 1 < len(order) else None,
            versions=self.archive.versions.get(sid, ()),
            summary=Markup(self.summary_html(sid)) if s.summary else None,
            summary_text=discovery.plain_text(self.summary_html(sid), 1000) if s.summary else "",
            notes=linked.note_order,
            cite=Derived(_citation_forms, cited),
            json_ld=Derived(_statement_json_ld, self._statement_facts(s, linked)),
            modified=self.modified[sid],
        )
        yield self.derived_file(rel + "cite.bib", Derived(_bibtex_file, cited))
        yield self.derived_file(rel + "cite.json", Derived(_csl_file, cited))

    def versions(self, sid: str, versions: Sequence[Any]) -> Page:
        from .wordiff import word_diff_html

        s = self.archive.statements[sid]
        texts = [v.body for v in versions] + [s.body]
        steps = [
            {"number": n + 2, "diff": Markup(word_diff_html(texts[n], texts[n + 1]))}
            for n in range(len(texts) - 1)
        ]
        return self.page(
            urls.versions(sid),
            "versions.html",
            lastmod=self.modified[sid],
            s=s,
            card=self.cards[sid],
            versions=versions,
            steps=steps,
        )

    @functools.cached_property
    def _date_plan(self) -> DatePlan:
        issued = self.links.by_day
        mentioned = self.links.mentioned_on
        days = sorted(set(issued) | set(mentioned))
        months = sorted({(d.year, d.month) for d in days} | set(self.links.mentioned_in_month))
        days_in_month: dict[tuple[int, int], list[dt.date]] = {}
        for d in days:
            days_in_month.setdefault((d.year, d.month), []).append(d)
        month_ids = {
            (y, m): [
                i for d in days_in_month.get((y, m), ()) for i in (*issued.get(d, ()), *mentioned.get(d, ()))
            ]
            + list(self.links.mentioned_in_month.get((y, m), ()))
            for y, m in months
        }
        return DatePlan(days, months, sorted({y for y, _ in months}), days_in_month, month_ids)

    def dates_index_and_years(self) -> Iterator[Page]:
        plan = self._date_plan
        months, years, month_ids = plan.months, plan.years, plan.month_ids
        yield self.page("dates/", "dates.html", lastmod=self.latest, years=self._year_counts(years))
        for year in years:
            in_year = [m for (y, m) in months if y == year]
            counts = [(m, self._month_count(year, m)) for m in in_year]
            yield self.page(
                urls.year(year),
                "year.html",
                lastmod=self.last_modified(i for m in in_year for i in month_ids[(year, m)]),
                year=year,
                months=counts,
                calendars=[self._calendar(year, m) for m in in_year],
                chart=bar_chart(
                    [
                        Bar(
                            MONTHS[m - 1][:3],
                            self._month_count(year, m),
                            self.urls.path(urls.month(year, m)) if m in in_year else None,
                            f"{MONTHS[m - 1]} {year}",
                        )
                        for m in range(1, 13)
                    ],
                    f"Statements issued per month in {year}",
                ),
                total=sum(n for _, n in counts),
                prev_url=self._neighbour_year(years, year, -1),
                next_url=self._neighbour_year(years, year, 1),
            )

    def months(self) -> Iterator[Page]:
        plan = self._date_plan
        months, days_in_month, issued = plan.months, plan.days_in_month, self.links.by_day
        for index, (year, month) in enumerate(months):
            ids = [i for d in days_in_month.get((year, month), ()) for i in issued.get(d, ())]
            yield self.page(
                urls.month(year, month),
                "month.html",
                lastmod=self.last_modified(plan.month_ids[(year, month)]),
                year=year,
                month=month,
                month_calendar=self._calendar(year, month),
                issued=[self.cards[i] for i in reversed(ids)],
                mentioned=[self.cards[i] for i in self.links.mentioned_in_month.get((year, month), ())],
                prev_url=self.urls.path(urls.month(*months[index - 1])) if index > 0 else None,
                next_url=self.urls.path(urls.month(*months[index + 1])) if index + 1 < len(months) else None,
            )

    def days_between(self, start: int, end: int) -> Iterator[Page]:
        days, issued, mentioned = self._date_plan.days, self.links.by_day, self.links.mentioned_on
        for index in range(start, min(end, len(days))):
            day = days[index]
            yield self.page(
                urls.day(day),
                "day.html",
                lastmod=self.last_modified((*issued.get(day, ()), *mentioned.get(day, ()))),
                day=day,
                issued=[self.cards[i] for i in issued.get(day, ())],
                mentioned=[self.cards[i] for i in mentioned.get(day, ())],
                prev_url=self.urls.path(urls.day(days[index - 1])) if index > 0 else None,
                next_url=self.urls.path(urls.day(days[index + 1])) if index + 1 < len(days) else None,
                prev_day=days[index - 1] if index > 0 else None,
                next_day=days[index + 1] if index + 1 < len(days) else None,
            )

    def _entity_groups(self) -> list[tuple[str, list[tuple[Entity, int]]]]:
        groups = [
            (
                ENTITY_TYPE_TITLES[t],
                [(e, len(self.links.by_entity.get(e.id, ()))) for e in self._entities_of_type(t)],
            )
            for t in ENTITY_TYPES
        ]
        return [g for g in groups if g[1]]

    def entities_between(self, entities: Sequence[Entity], start: int, end: int) -> Iterator[Page]:
        for entity in entities[start:end]:
            yield from self.entity(entity)

    def entity(self, entity: Entity) -> Iterator[Page]:
        """The entity's pages and, when it has statements, its feed."""
        ids = self.links.by_entity.get(entity.id, ())
        published = self.links.by_source.get(entity.id, ()) if entity.type == "publication" else ()
        mentions = {
            sid: m for sid in ids for m in self.links.statements[sid].mentions if m.entity_id == entity.id
        }
        if published:
            timeline, timeline_rows = self._timeline(published, f"Statements published by {entity.name}")
        else:
            timeline, timeline_rows = self._timeline(ids, f"Statements that name {entity.name}")
        together = [
            (self.entity_name(e), n, self.urls.path(urls.entity(e)))
            for e, n in self.links.cooccurring.get(entity.id, ())
        ]
        url = self.urls.absolute(urls.entity(entity.id))
        feed = urls.entity(entity.id) + "feed.xml" if ids else None
        yield from self.paginated(
            urls.entity(entity.id),
            "entity.html",
            ids,
            lambda shown: {"mentions": {sid: mentions[sid] for sid in shown if sid in mentions}},
            entity=entity,
            description=Derived(_entity_description, entity.description, self.site.language),
            total=len(ids),
            published=[self.cards[i] for i in published[: self.site.page_size]],
            published_total=len(published),
            timeline=timeline,
            timeline_rows=timeline_rows,
            timeline_title="Statements published by" if published else "Statements that name",
            together=ranked_bars(together, f"Entities named together with {entity.name}"),
            together_list=together,
            type_title=ENTITY_TYPE_TITLES[entity.type],
            feeds=[(f"Statements that name {entity.name}", self.urls.path(feed))] if feed else [],
            feed_url=self.urls.path(feed) if feed else None,
            json_ld=Derived(_entity_json_ld, entity, url, self.site.title, self.urls.absolute("")),
        )
        if feed:
            yield self.feed(
                feed,
                Feed(
                    title=f"{entity.name} · {self.site.title}",
                    subtitle=f"Statements that name {entity.name}, newest first",
                    feed_url=self.urls.absolute(feed),
                    page_url=url,
                    author=self._feed_author(),
                    language=self.site.language,
                ),
                ids,
            )

    def kinds(self) -> Iterator[Page]:
        kinds = [(k, len(self.links.by_kind[k])) for k in KINDS if k in self.links.by_kind]
        yield self.page("kinds/", "kinds.html", lastmod=self.latest, kinds=kinds)
        for kind, _ in kinds:
            feed = urls.kind(kind) + "feed.xml"
            yield from self.paginated(
                urls.kind(kind),
                "kind.html",
                self.links.by_kind[kind],
                kind=kind,
                feeds=[(f"{kind.capitalize()} · {self.site.title}", self.urls.path(feed))],
                feed_url=self.urls.path(feed),
            )
            yield self.feed(
                feed,
                Feed(
                    title=f"{kind.capitalize()} · {self.site.title}",
                    subtitle=f"Statements of the kind {kind}, newest first",
                    feed_url=self.urls.absolute(feed),
                    page_url=self.urls.absolute(urls.kind(kind)),
                    author=self._feed_author(),
                    language=self.site.language,
                ),
                self.links.by_kind[kind],
            )

    def tags(self) -> Iterator[Page]:
        by_slug: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for tag, ids in self.links.by_tag.items():
            slug = urls.tag_slug(tag)
            by_slug.setdefault(slug, []).extend(ids)
            names.setdefault(slug, tag)
        position = {sid: n for n, sid in enumerate(self.links.chronological)}
        tags = sorted(((names[s], len(set(ids))) for s, ids in by_slug.items()), key=lambda t: t[0].lower())
        yield self.page("tags/", "tags.html", lastmod=self.latest, tags=tags)
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
            "withdrawn/",
            "withdrawn.html",
            lastmod=items[0].withdrawn if items else None,
            items=[(self.cards[s.id], s.withdrawn) for s in items],
        )

    def about(self) -> Page:
        """What the archive is, and how to follow, cite and download it."""
        kinds = [k for k in KINDS if k in self.links.by_kind]
        return self.page(
            "about/",
            "about.html",
            lastmod=self.latest,
            counts={"statements": len(self.archive.statements), "entities": len(self.archive.entities)},
            kinds=kinds,
            data_parts=[
                (
                    p.name,
                    len(p.ids),
                    export.part_path(p, "jsonl"),
                    export.part_path(p, "csv"),
                    export.graph_path(p),
                )
                for p in self.data_parts
            ],
            data_whole=self.whole_data is not None,
        )

    # -- feeds ------------------------------------------------------------------------------

    def site_feed(self) -> Page:
        """/feed.xml: the newest statements with their whole text."""
        newest = self.newest[: self.site.feed_size]
        entries = [(self.modified[sid], entry_xml(self._feed_entry(sid, full=True))) for sid in newest]
        feed = Feed(
            title=self.site.title,
            subtitle=self.site.description,
            feed_url=self.urls.absolute("feed.xml"),
            page_url=self.urls.absolute(""),
            author=self._feed_author(),
            language=self.site.language,
        )
        return self.file("feed.xml", feed_xml(feed, entries))

    def feed(self, rel: str, feed: Feed, ids: Sequence[str]) -> Page:
        """A feed of the newest `feed_size` of ids (given newest first), summaries only."""
        return self.file(rel, feed_xml(feed, [self._entry(sid) for sid in ids[: self.site.feed_size]]))

    def _entry(self, sid: str) -> tuple[dt.date, str]:
        """A statement's summary entry, made once: it appears in several feeds."""
        entry = self._entries.get(sid)
        if entry is None:
            entry = self._entries[sid] = (self.modified[sid], entry_xml(self._feed_entry(sid, full=False)))
        return entry

    def _feed_entry(self, sid: str, full: bool) -> FeedEntry:
        s = self.archive.statements[sid]
        linked = self.links.statements[sid]
        permalink = self.urls.absolute(urls.statement(sid))
        if s.summary:
            summary = discovery.plain_text(self.summary_html(sid), 300)
        else:  # already text: stripping "tags" from it would cut quoted markup, and cost
            summary = discovery.shorten(linked.text, 300)
        return FeedEntry(
            url=permalink,
            title=s.title,
            published=s.date,
            updated=self.modified[sid],
            author=self.entity_name(s.speaker) if s.speaker else self.entity_name(s.source),
            summary=summary,
            categories=(s.kind, *s.tags),
            language=s.language,
            content_html=absolute_links(linked.html, permalink) if full else None,
        )

    def _feed_author(self) -> str:
        return self.site.author or self.site.title

    # -- citation and structured data -----------------------------------------------------------

    def _cited(self, s: Statement) -> cite.CitedStatement:
        return cite.CitedStatement(
            id=s.id,
            title=s.title,
            date=s.date,
            permalink=self.urls.absolute(urls.statement(s.id)),
            source=self.entity_name(s.source),
            site_title=self.site.title,
            kind=s.kind,
            author=self.entity_name(s.speaker) if s.speaker else None,
            editors=self.site.author,
            language=s.language,
            summary=s.summary or "",
            source_url=s.source_url,
            retrieved=s.retrieved,
        )

    def entity_ref(self, entity_id: str) -> dict[str, Any]:
        ref = self._entity_refs.get(entity_id)
        if ref is None:
            entity = self.archive.entities[entity_id]
            ref = self._entity_refs[entity_id] = discovery.entity_ref(
                entity, self.urls.absolute(urls.entity(entity_id))
            )
        return ref

    def _statement_facts(self, s: Statement, linked: Any) -> discovery.StatementFacts:
        entities = self.archive.entities
        if s.source in entities:
            source = self.entity_ref(s.source)
        else:
            source = {"@type": "Organization", "name": s.source}
        speaker = None
        if s.speaker:
            speaker = (
                self.entity_ref(s.speaker)
                if s.speaker in entities
                else {"@type": "Person", "name": s.speaker}
            )
        about = discovery.unique(self.entity_ref(e) for e in s.entities if e in entities)
        about_ids = {ref["@id"] for ref in about}
        mentions = discovery.unique(
            self.entity_ref(m.entity_id) for m in linked.mentions if m.entity_id in entities
        )
        return discovery.StatementFacts(
            statement=s,
            url=self.urls.absolute(urls.statement(s.id)),
            source=source,
            speaker=speaker,
            about=about,
            mentions=tuple(m for m in mentions if m["@id"] not in about_ids),
            site_name=self.site.title,
            site_url=self.urls.absolute(""),
            description=discovery.plain_text(self.summary_html(s.id), 1000) if s.summary else "",
        )

    # -- helpers ----------------------------------------------------------------------------

    def _page_body(self, packed_html: bytes, language: str) -> Markup:
        return Markup(self._body(unpack(packed_html), language))

    def _body(self, html: str, language: str) -> str:
        """Linked HTML for the page: headings in order, other languages marked, notes in the site's."""
        html = mark_languages(headings_in_order(html), language)
        around = _editor_attrs(self.site.language, language)
        if around:
            html = html.replace('<aside class="annotation" ', f'<aside class="annotation"{around} ')
        return html

    def last_modified(self, ids: Iterable[str]) -> dt.date | None:
        """The newest content day among some statements: a page's lastmod in the sitemap."""
        return max((self.modified[i] for i in ids), default=None)

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

    def _months_chart(
        self, ids: Sequence[str], title: str, last: int
    ) -> tuple[Markup, list[tuple[str, int, str]]]:
        """The last `last` months up to the newest statement, as bars linked to month pages."""
        counts = Counter(
            (self.archive.statements[i].date.year, self.archive.statements[i].date.month) for i in ids
        )
        if not counts:
            return Markup(""), []
        first, end = min(counts), max(counts)
        span = (end[0] - first[0]) * 12 + end[1] - first[1] + 1
        months = _months_back(end, min(last, span))  # none before the first statement: not "nothing issued"
        rows = [
            (f"{MONTHS[m - 1]} {y}", counts.get((y, m), 0), self.urls.path(urls.month(y, m)))
            for y, m in months
        ]
        bars = [
            Bar(f"{MONTHS[m - 1][:3]} {str(y)[2:]}", n, href if n else None, label)
            for (y, m), (label, n, href) in zip(months, rows, strict=True)
        ]
        return bar_chart(bars, title), rows

    def _timeline(self, ids: Sequence[str], title: str) -> tuple[Markup, list[tuple[str, int, str]]]:
        """Statements over time: per month over a short span, else per year."""
        if not ids:
            return Markup(""), []
        dates = [self.archive.statements[i].date for i in ids]
        first, last = min(dates), max(dates)
        span = (last.year - first.year) * 12 + last.month - first.month + 1
        if span <= 24:
            counts = Counter((d.year, d.month) for d in dates)
            months = _months_back((last.year, last.month), max(span, 6))
            rows = [
                (f"{MONTHS[m - 1]} {y}", counts.get((y, m), 0), self.urls.path(urls.month(y, m)))
                for y, m in months
            ]
            bars = [
                Bar(f"{MONTHS[m - 1][:3]} {str(y)[2:]}", n, href if n else None, label)
                for (y, m), (label, n, href) in zip(months, rows, strict=True)
            ]
            return bar_chart(bars, title + ", per month"), [r for r in rows if r[1]]
        years = Counter(d.year for d in dates)
        rows = [
            (str(y), years.get(y, 0), self.urls.path(urls.year(y))) for y in range(first.year, last.year + 1)
        ]
        bars = [Bar(label, n, href if n else None, label) for label, n, href in rows]
        return bar_chart(bars, title + ", per year"), [r for r in rows if r[1]]

    def _calendar(self, year: int, month: int) -> dict[str, Any]:
        """A month as weeks of days, each with its counts, for the calendar overview."""
        first = dt.date(year, month, 1)
        weeks: list[list[dict[str, Any] | None]] = [[None] * first.weekday()]
        for number in range(1, calendar.monthrange(year, month)[1] + 1):  # (December 9999 has no next month)
            day = first.replace(day=number)
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
        if weeks[-1]:
            weeks[-1] += [None] * (7 - len(weeks[-1]))
        else:
            weeks.pop()
        return {"year": year, "month": month, "weeks": weeks, "url": self.urls.path(urls.month(year, month))}

    def _neighbour_year(self, years: Sequence[int], year: int, step: int) -> str | None:
        index = years.index(year) + step
        return self.urls.path(urls.year(years[index])) if 0 <= index < len(years) else None


def _syntax_problem(err: jinja2.TemplateSyntaxError, template: str, root: Path) -> Problem:
    return Problem(_shown(err.filename or template, root), err.lineno, f"template error: {err.message}")


def _template_problem(err: Exception, template: str, rel: str, root: Path) -> Problem:
    """Where in which template a page failed: the innermost template line in the traceback
    (Jinja gives template frames their file and line), else the page's template."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.endswith(".html")]
    where, line = (
        (_shown(frames[-1].filename, root), frames[-1].lineno or 0)
        if frames
        else (f"templates/{template}", 0)
    )
    if isinstance(err, jinja2.TemplateNotFound):
        what = f"the template {err.name!r} was not found"
    elif isinstance(err, jinja2.TemplateError):
        what = str(err)
    else:
        what = f"{type(err).__name__}: {err}"
    return Problem(where, line, f"template error while making /{rel}: {what}", "fix the template")


def _shown(filename: str, root: Path) -> str:
    """A template's path as problems show paths: relative to the archive when inside it."""
    try:
        return Path(filename).relative_to(root).as_posix()
    except ValueError:
        return filename


def _template_path(env: jinja2.Environment, name: str) -> Path | None:
    """The file a template name reads (the archive's templates/ first, then the theme)."""
    for loader in getattr(env.loader, "loaders", ()):
        for folder in getattr(loader, "searchpath", ()):
            if (Path(folder) / name).is_file():
                return Path(folder) / name
    return None


def _pre_text(text: str) -> Markup:
    """Text for a <pre>: only &, < and > need escaping there; quotes stay readable and short."""
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _months_back(end: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """`count` months ending with `end`, oldest first."""
    year, month = end
    months = []
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


# Set before the workers fork, so each has the renderer (and its shared views) for free.
_renderer: Renderer | None = None
_write: Callable[[Page], None] | None = None


def render_site(
    archive: Archive,
    links: Links,
    root: Path,
    write: Callable[[Page], None],
    workers: int | None = None,
    reuse: PageReuse | None = None,
    nice: int = 0,
) -> int:
    """Make every page of the site and hand each to write; returns how many there were.

    With workers, each worker makes whole sections and writes their pages itself (no page
    travels between processes), and the sitemap and digests come back in section order, so
    the site is the same bytes whatever the number of workers. With `reuse`, unchanged pages
    come as Page(path, Unchanged...) and reuse.current is filled. `nice` lowers the workers'
    priority (for work that runs beside them and should keep its core).
    """
    renderer = Renderer(archive, links, root, reuse)
    renderer.load_templates()  # compiled once (before workers fork), mistakes found first
    if worker_count(workers) < 2 or len(archive.statements) < PARALLEL_THRESHOLD:
        return _write_all(renderer.pages(), write, reuse)
    return _pages_in_parallel(renderer, write, workers, nice)


def _write_all(pages: Iterable[Page], write: Callable[[Page], None], reuse: PageReuse | None) -> int:
    return sum(1 for _ in _written(pages, write, reuse))


def _written(pages: Iterable[Page], write: Callable[[Page], None], reuse: PageReuse | None) -> Iterator[None]:
    """Each page written and noted (see PageReuse.made), a step a page."""
    for page in pages:
        write(page)
        if reuse is not None:
            reuse.made(page)
        yield


def _pages_in_parallel(
    renderer: Renderer, write: Callable[[Page], None], workers: int | None, nice: int = 0
) -> int:
    """The sections that read the whole archive are made by this process, a page at a time
    while it waits for its workers, which make the others (see Renderer.whole_sections); the
    sitemap and digests are then taken in section order. Beside a search indexer (nice), the
    workers, which yield to it, make them all: this process would take the indexer's core
    (at 1,000 statements the render stage went from 5.0 to 7.2 s, the indexer's from 3.4 to
    4.6)."""
    global _renderer, _write
    sections = range(len(renderer.sections))  # listed before the fork: workers share it
    own = frozenset() if nice else renderer.whole_sections
    to_workers = [number for number in sections if number not in own]
    made: dict[int, SectionResult] = {}
    own_share = (step for number in sorted(own) for step in _section(number, made))
    _renderer, _write = renderer, write
    try:
        results = fork_map(
            _make_section,
            to_workers,
            workers,
            threshold=0,
            chunksize=1,
            nice=nice,
            copy_limit=COPY_LIMIT,
            meanwhile=own_share,
        )
        made.update(zip(to_workers, results, strict=True))
    finally:
        own_share.close()  # a section left half made (an error) puts the renderer back first
        _renderer, _write = None, None
    count = 0
    for number in sections:
        pages, sitemap, digests = made.pop(number)
        renderer.sitemap.extend(sitemap)
        if renderer.reuse is not None:
            renderer.reuse.current.update(digests)
        count += pages
    return count + _write_all(renderer.closing_pages(), write, renderer.reuse)


SectionResult = tuple[int, list[discovery.SitemapUrl], dict[str, str]]


def _make_section(number: int) -> SectionResult:
    """In a worker: make and write one section's pages; how many, and the sitemap entries
    and page digests they add."""
    made: dict[int, SectionResult] = {}
    for _ in _section(number, made):
        pass
    return made[number]


def _section(number: int, made: dict[int, SectionResult]) -> Iterator[None]:
    """Make and write one section's pages, a step a page; then made[number] says how many,
    and the sitemap entries and page digests they add (the renderer's own stay as they were)."""
    assert _renderer is not None and _write is not None
    reuse = _renderer.reuse
    kept = reuse.current if reuse is not None else {}
    if reuse is not None:
        reuse.current = {}
    before = len(_renderer.sitemap)
    try:
        count = 0
        for _ in _written(_renderer.sections[number](), _write, reuse):
            count += 1
            yield
        made[number] = (count, _renderer.sitemap[before:], reuse.current if reuse is not None else {})
    finally:
        del _renderer.sitemap[before:]
        if reuse is not None:
            reuse.current = kept


def capture_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Raw captures under content/captures/, published for provenance (never content/.backup/).

    Symbolic links leading out of content/ are skipped, as the loader refuses them too.
    """
    folder = root / "content" / "captures"
    if not folder.is_dir():
        return
    content_root = (root / "content").resolve()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith(".") and path.resolve().is_relative_to(content_root):
            yield urls.capture(path.relative_to(root / "content").as_posix()), path


def static_files(root: Path) -> Iterator[tuple[str, Path]]:
    """The theme's static assets, a site's own files of the same name winning."""
    seen: dict[str, Path] = {}
    for folder in (THEME / "static", root / "templates" / "static"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    seen["static/" + path.relative_to(folder).as_posix()] = path
    yield from sorted(seen.items())


def _citation_forms(cited: cite.CitedStatement) -> dict[str, Any]:
    """The three forms of "Cite this" on a statement's page."""
    return {
        "chicago": cite.chicago_html(cited),
        "bibtex": _pre_text(_bibtex(cited)),
        "csl": _pre_text(_csl(cited)),
    }


# A changed statement's page and its two citation files show the same BibTeX and CSL-JSON,
# made one after the other: each is made once.
_bibtex = functools.lru_cache(maxsize=4)(cite.bibtex)
_csl = functools.lru_cache(maxsize=4)(cite.csl_json)


def _bibtex_file(cited: cite.CitedStatement) -> bytes:
    return _bibtex(cited).encode("utf-8")


def _csl_file(cited: cite.CitedStatement) -> bytes:
    return _csl(cited).encode("utf-8")


@functools.lru_cache(maxsize=4)  # an entity's pages, and its JSON-LD, one after the other
def _description_html(markdown: str) -> str:
    return headings_in_order(render_markdown(markdown)) if markdown.strip() else ""


def _entity_description(markdown: str, language: str) -> Markup | None:
    html = _description_html(markdown)
    return Markup(mark_languages(html, language)) if html else None


def _entity_json_ld(entity: Entity, url: str, site_title: str, site_url: str) -> Markup:
    description = discovery.plain_text(_description_html(entity.description))
    return discovery.json_ld(discovery.entity_ld(entity, url, description, site_title, site_url))


def _statement_json_ld(facts: discovery.StatementFacts) -> Markup:
    return discovery.json_ld(discovery.statement_ld(facts))
