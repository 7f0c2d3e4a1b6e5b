"""The pipeline, stage after stage: load → link → render → index → write.

Each stage is a function of the previous stage's plain data; this module only runs them in
order, times them, and keeps the side effects (the output folder) at the edges.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import urls
from .cache import (
    CACHE_DIR,
    dump_signed,
    fingerprint,
    forget_build,
    input_signature,
    last_build,
    load_signed,
    record_build,
)
from .content import load_archive
from .errors import ArchiveError, Interrupted, Problem, count_of, errors, warnings
from .link import Links, link_archive
from .markup import plain_text, render_markdown, render_summary
from .model import Archive
from .progress import STAGES
from .render import THEME, PageReuse, capture_files, render_site, static_files
from .workers import Background, give_back_freed_memory, worker_count
from .write import (
    MARKER,
    check_output_folder,
    copy_files,
    discard,
    files_in,
    marker_identity,
    publish,
    spare_folder,
    staging_folder,
    sweep,
    take_spare,
    write_page,
)

if TYPE_CHECKING:
    from .reader_search import IndexPlan, ReaderIndexStats

# Statements up to which the readers' search index is made alongside the pages. Beyond, the
# render workers and the indexers together would need more memory than a laptop has (at
# 100,000 statements each alone peaks at several gigabytes), so they take turns.
ALONGSIDE_LIMIT = 30_000
# The render workers' niceness while the indexer runs alongside: the indexer is one process
# with the longer path (an edit's shard), so it keeps a core and the pages fill the rest.
RENDER_NICE = 10


@dataclass
class BuildResult:
    statements: int = 0
    entities: int = 0
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    unchanged: bool = False
    search_seconds: float = 0.0  # the search stage's own time, though it may run alongside render

    def summary(self) -> str:
        stages = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in self.timings.items())
        if self.unchanged:
            return f"nothing changed since the last build: {self.pages} pages left as they are; {stages}"
        return (
            f"built {self.statements} statements, {self.entities} entities, {self.pages} pages; "
            f"{count_of(len(warnings(self.problems)), 'warning')}; {stages}"
        )


class Stages:
    """Times each stage and tells an optional observer (the progress display)."""

    def __init__(self, on_stage: Callable[[str], None] | None = None):
        self.timings: dict[str, float] = {}
        self.on_stage = on_stage

    def in_order(self) -> dict[str, float]:
        """The timings in the pipeline's order (search planning starts before rendering)."""
        rank = {name: number for number, name in enumerate(STAGES)}
        return {
            name: self.timings[name] for name in sorted(self.timings, key=lambda n: rank.get(n, len(rank)))
        }

    @contextmanager
    def stage(self, name: str, announce: bool = True) -> Iterator[None]:
        """Time a stage (adding to its earlier parts); announce it unless it is such a part."""
        if self.on_stage and announce:
            self.on_stage(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def load_and_link(
    root: Path, base_url: str | None, stages: Stages, strict: bool = False, cache: bool = True
) -> tuple[Archive, Links, list[Problem]]:
    """Everything up to rendering: a complete, checked, linked archive, or ArchiveError.

    The build cache (.archive-cache/ under the root) spares re-parsing and re-linking
    files that did not change; `cache=False` ignores and leaves it.
    """
    with stages.stage("load"):
        archive, problems = load_archive(root, base_url, cache=cache)
    if errors(problems):
        raise ArchiveError(problems)
    with stages.stage("link"):
        links = link_archive(archive, cache_root=root if cache else None)
    problems = sorted(set(problems) | set(links.problems))
    if strict and warnings(problems):
        raise ArchiveError([_as_error(p) for p in warnings(problems)])
    return archive, links, problems


def _as_error(problem: Problem) -> Problem:
    return Problem(
        problem.path, problem.line, problem.message, problem.hint or "fix it, or build without --strict"
    )


def build(
    root: Path,
    out: Path | None = None,
    *,
    base_url: str | None = None,
    strict: bool = False,
    search: bool = True,
    cache: bool = True,
    on_stage: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the archive under root into out (default root/_site), replacing it whole.

    With the cache on, a build whose inputs (content, templates, settings, options, the
    builder's own code) are all unchanged since the last build into the same folder
    leaves that output as it is and says so.
    """
    out = out or root / "_site"
    stages = Stages(on_stage)
    signature = ""
    if cache:
        with stages.stage("check"):
            signature = input_signature(
                (root / "site.yaml", root / "content", root / "templates", THEME),
                (str(out), base_url, strict, search),
            )
            previous = last_build(root)
        if previous and previous[0] == signature and (out / MARKER).is_file():
            result = previous[1]
            result.timings = stages.timings
            result.unchanged = True
            result.search_seconds = 0.0  # nothing was indexed this time
            return result
        forget_build(root)
    archive, links, problems = load_and_link(root, base_url, stages, strict, cache)
    plan = None
    if search:
        with stages.stage("search", announce=False):  # its shards, to plan the cores with
            plan = _index_plan(archive, search_records_of(archive, links), cache)
    check_output_folder(out, root)
    pages_key = _pages_key(root, archive) if cache else ""
    reuse, has_record = _page_reuse(root, out, pages_key) if cache else (None, False)
    staging, spare_files = _staging(root, out, pages_key, reuse)
    taken = bool(spare_files)  # the spare, which is then the staging folder
    walking = indexing = None
    try:  # from here on, whatever stops the build (an error, Ctrl-C) removes the staging folder
        # What the spare holds besides what its record says (a file put there by hand, say),
        # found beside the render (0.3 s at 10,000 statements): the new site is all and only
        # what this build makes.
        walking = Background(files_in, staging, _not_swept) if taken else None
        result = BuildResult(len(archive.statements), len(archive.entities), problems=problems)
        indexers = min(plan.to_index(), worker_count()) if plan else 0
        # Side by side only when the indexers leave a core free (an edit re-indexes one shard):
        # a cold build's indexers use every core, and sharing them with rendering cost 10-15 %
        # more than taking turns (measured at 10,000 statements), while an edit gained 15-20 %.
        alongside = 0 < indexers < worker_count() and len(archive.statements) <= ALONGSIDE_LIMIT
        indexing = Background(_write_index, plan, staging) if alongside else None
        if plan and not alongside:
            # Taking turns: the records wait packed, sharing nothing with the archive, so that
            # letting go of the archive before indexing frees its memory (see below).
            plan.pack()
        give_back_freed_memory()  # before the render's workers fork: what linking let go of
        with stages.stage("render"):
            result.pages = render_site(
                archive,
                links,
                root,
                lambda page: write_page(staging, page.path, page.content, out),
                reuse=reuse,
                nice=RENDER_NICE if indexing else 0,
            )
            files = copy_files(staging, static_files(root)) + copy_files(staging, capture_files(root))
            if reuse is not None:
                if walking is not None:
                    held = spare_files | walking.result()
                    walking = None
                    sweep(staging, sorted(held.difference(reuse.current, files)))
                spare_files = set()
                reuse.rendered()  # what it kept of earlier builds is let go before indexing
            if not plan:
                shutil.rmtree(staging / urls.SEARCH_BUNDLE, ignore_errors=True)  # the spare's index
        if plan:
            with stages.stage("search"):  # what indexing takes beyond rendering, when alongside
                if indexing is None:
                    # Taking turns: the indexers need only the packed records. The pages,
                    # texts and links are let go and their memory handed back before the
                    # indexers start, the page digests set aside (at 100,000 statements the
                    # process beside the indexers held 0.89 GB instead of 1.07).
                    del archive, links
                    with reuse.set_aside() if reuse is not None else nullcontext():
                        give_back_freed_memory()
                        index_stats = _write_index(plan, staging)
                else:
                    index_stats = indexing.result()
            indexing = None
            result.search_seconds = index_stats.seconds
        with stages.stage("write"):
            spare = publish(staging, out, result.pages, keep_spare=has_record)
    except BaseException:
        for process in (indexing, walking):
            if process:
                process.cancel()
        discard(staging, out if taken else None)
        raise
    result.timings = stages.in_order()
    try:
        if reuse is not None:
            _record_pages(root, out, pages_key, reuse, files, spare)
        if cache:
            record_build(root, signature, result)
    except KeyboardInterrupt:
        raise Interrupted(
            "the new site is in place (the next build may take longer: its records were not kept)"
        ) from None
    return result


def _not_swept(name: str) -> bool:
    """Top-level names the sweep leaves: the marker, and the search stage's own folders."""
    return name in (MARKER, urls.SEARCH_BUNDLE) or name.startswith(f".{urls.SEARCH_BUNDLE}-")


PAGES = "pages.pickle"  # what the output holds: its page digests and its other files
SPARE = "spare.pickle"  # the same, of the spare (see write.take_spare)


def _page_reuse(root: Path, out: Path, key: str) -> tuple[PageReuse, bool]:
    """The previous build's page digests, if they describe the output folder as it is and
    were made with the same templates, settings, entity names and builder (key); and
    whether there is a record of what the output holds (then it can be kept as the spare)."""
    saved = load_signed(root / CACHE_DIR / PAGES)
    if not isinstance(saved, dict) or saved.get("out") != _output_identity(out):
        return PageReuse({}, None), False
    return PageReuse(saved["digests"] if saved.get("key") == key else {}, out), True


def _staging(root: Path, out: Path, key: str, reuse: PageReuse | None) -> tuple[Path, set[str]]:
    """The folder to build in: the spare, when its record says what it holds, and then the
    files it holds (its pages are reused in place where their digests are the same); else a
    new, empty folder."""
    record = load_signed(root / CACHE_DIR / SPARE) if reuse is not None else None
    if reuse is not None and _describes(record, spare_folder(out)):
        staging = take_spare(out)
        if staging is not None:
            if record["key"] == key:
                reuse.in_place = record["digests"]
            return staging, set(record["digests"]).union(record["files"])
    return staging_folder(out), set()


def _describes(record: object, folder: Path) -> bool:
    """Is this a whole record of what folder holds, wherever the folder was made?"""
    return (
        isinstance(record, dict)
        and {"key", "out", "digests", "files"} <= record.keys()
        and record["out"] is not None
        and tuple(record["out"][1:]) == marker_identity(folder)
    )


def _record_pages(root: Path, out: Path, key: str, reuse: PageReuse, files: list[str], spare: bool) -> None:
    """What the output holds, for the next build; the previous output's record goes with it
    when it became the spare."""
    (root / CACHE_DIR).mkdir(parents=True, exist_ok=True)
    if spare:
        (root / CACHE_DIR / PAGES).replace(root / CACHE_DIR / SPARE)
    else:
        (root / CACHE_DIR / SPARE).unlink(missing_ok=True)
    record = {"key": key, "out": _output_identity(out), "digests": reuse.current, "files": files}
    dump_signed(record, root / CACHE_DIR / PAGES)


def _pages_key(root: Path, archive: Archive) -> str:
    """What every page depends on besides its own context (see render.PageReuse)."""
    templates = hashlib.sha256()
    for folder in (THEME, root / "templates"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                templates.update(path.as_posix().encode() + b"\x00" + path.read_bytes() + b"\x00")
    names = sorted((e.id, e.name, e.type) for e in archive.entities.values())
    return fingerprint("pages", repr(archive.config), templates.hexdigest(), names)


def _output_identity(out: Path) -> tuple[str, int, int, int] | None:
    """Which build's output this folder is, and where (see write.marker_identity)."""
    identity = marker_identity(out)
    return (str(out.resolve()), *identity) if identity else None


def _index_plan(archive: Archive, records: list, cache: bool) -> IndexPlan:
    from .reader_search import plan_index

    return plan_index(
        records,
        base_path=urls.Urls(archive.config.base_url).base_path,
        language=archive.config.language,
        cache_dir=Path(archive.root) / CACHE_DIR if cache else None,
        max_shards=archive.config.search_shards,
    )


def _write_index(plan: IndexPlan, staging: Path) -> ReaderIndexStats:
    from .reader_search import write_index

    return write_index(plan, staging)


def search_records_of(archive: Archive, links: Links) -> list:
    """What the search indexes are made of: one record per statement and per entity."""
    from .searchdocs import SearchRecord

    site_urls = urls.Urls(archive.config.base_url)
    names = {e.id: e.name for e in archive.entities.values()}
    records = []
    for sid in links.chronological:
        s = archive.statements[sid]
        linked = links.statements[sid]
        about = sorted(set(s.entities) | {m.entity_id for m in linked.mentions})
        records.append(
            SearchRecord(
                id=s.id,
                page="statement",
                url=site_urls.path(urls.statement(s.id)),
                title=s.title,
                date=s.date.isoformat(),
                year=str(s.date.year),
                source_id=s.source,
                source=names.get(s.source, s.source),
                kind=s.kind,
                speaker=names.get(s.speaker, s.speaker) if s.speaker else "",
                speaker_id=s.speaker or "",
                entities=tuple(about),
                entity_names=tuple(names.get(e, e) for e in about),
                aliases=(),
                language=s.language,
                text=linked.text,
                summary=plain_text(render_summary(s.summary)) if s.summary else "",
                content_hash=s.content_hash,
            )
        )
    for entity in sorted(archive.entities.values(), key=lambda e: e.id):
        records.append(
            SearchRecord(
                id=entity.id,
                page="entity",
                url=site_urls.path(urls.entity(entity.id)),
                title=entity.name,
                date=None,
                year=None,
                source_id="",
                source="",
                kind="",
                speaker="",
                entities=(entity.id,),
                entity_names=(entity.name,),
                aliases=entity.aliases,
                language=archive.config.language,
                text=plain_text(render_markdown(entity.description)),
                summary="",
                content_hash=entity.content_hash,
            )
        )
    return records


def search_records(root: Path) -> list:
    """For `archive search`: the records of the archive as it is now, without writing a site."""
    archive, links, _ = load_and_link(root, None, Stages())
    return search_records_of(archive, links)


def check(root: Path) -> list[Problem]:
    """Every problem in the archive, without writing anything (`archive check`)."""
    from .link import unmentioned

    archive, problems = load_archive(root)
    if errors(problems):
        return problems
    links = link_archive(archive)
    return sorted(set(problems) | set(links.problems) | set(unmentioned(archive, links)))


def write_stats(path: Path, result: BuildResult) -> None:
    data = {
        "stages": {k: round(v, 4) for k, v in result.timings.items()},
        "statements": result.statements,
        "entities": result.entities,
        "pages": result.pages,
        "warnings": len(warnings(result.problems)),
        "search_seconds": round(result.search_seconds, 4),
    }
    path.write_text(json.dumps(data, indent=2) + "\n")
