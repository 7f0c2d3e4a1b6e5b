"""What to do with one document: import it, add a version, skip it, or refuse it (and why).

Deciding is kept apart from writing so that --dry-run shows exactly what a real run
would write, and so each rule can be tested on its own:

* the same capture bytes (SHA-256) or the same text already in the archive: skipped;
* a new capture of a statement already there (the --id given, the same source URL, or
  the same date, source and title with at least 80 % of the words in common) whose text
  differs: a new version, the old text moved to content/versions/<id>/;
* the date: --date; else a full date the document states; else the day its opening
  names with the year from --year (or a year the record states). Never guessed;
* the source: --source, else the publication the capture names (or a page shows as its
  site's name), matched by name or
  alias (or created with --create-source).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import model
from ..wordiff import paragraphs as plain_paragraphs
from .body import to_markdown
from .dates import parse_iso_day
from .draft import Draft
from .ids import base_id, slug_words, unique_id
from .store import ArchiveIndex, Existing, body_key, normal_name, read_statement

SIMILAR = 0.8  # share of words two captures must have in common to be the same statement


@dataclass(frozen=True)
class Options:
    """The command line, checked."""

    root: Path
    statement_id: str | None = None
    source: str | None = None
    kind: str | None = None
    date: dt.date | None = None
    year: int | None = None
    title: str | None = None
    dry_run: bool = False
    force: bool = False
    quiet: bool = False
    leads_file: Path | None = None
    create_source: bool = False
    max_bytes: int = 2_000_000  # site.yaml's max_file_bytes: the loader refuses bigger files


@dataclass
class NewSource:
    """A publication entity --create-source will add."""

    id: str
    name: str
    aliases: tuple[str, ...]
    rel: str


@dataclass
class Plan:
    """The decision for one document, with everything needed to carry it out."""

    action: str  # imported | version | replaced | skipped | refused
    draft: Draft
    reason: str = ""
    hint: str = ""
    statement_id: str = ""
    rel: str = ""  # the statement file, relative to the root
    front_matter: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    capture_rel: str = ""  # relative to content/
    sha256: str = ""
    old_rel: str = ""  # the file a version or replacement supersedes
    version_number: int = 0  # for a version: the number the old text gets
    date_note: str = ""
    new_source: NewSource | None = None
    entities: list[str] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return self.action in ("imported", "version", "replaced")


def skip(draft: Draft, reason: str, hint: str = "") -> Plan:
    return Plan("skipped", draft, reason, hint)


def refuse(draft: Draft, reason: str, hint: str = "") -> Plan:
    return Plan("refused", draft, reason, hint)


def plan_draft(draft: Draft, opts: Options, index: ArchiveIndex) -> Plan:
    """The decision for one draft, given the archive as it stands (this run included)."""
    if draft.problem:
        return refuse(draft, draft.problem, draft.hint)
    if not draft.paragraphs:
        return refuse(draft, "no text found in the capture", "is it the right file?")
    sha = hashlib.sha256(draft.capture).hexdigest()
    body = to_markdown(draft.paragraphs)
    size = len(body.encode("utf-8"))
    if size > opts.max_bytes - 20_000:
        return refuse(
            draft,
            f"the text is {size:,} bytes, too long for one statement file",
            "split it, or raise max_file_bytes in site.yaml",
        )
    key = body_key(body)
    known = index.by_sha.get(sha) or index.by_body.get(key)
    if known and not opts.force:
        why = "same capture bytes (SHA-256)" if index.by_sha.get(sha) else "same text"
        return skip(draft, f"already in the archive as '{known}': {why}", "pass --force to import it again")
    named = index.by_id.get(opts.statement_id or "")  # --id of a statement: a new text of it
    date, date_note, problem = resolve_date(draft, opts)
    if date is None and named is not None and parse_iso_day(named.date):
        date, date_note = parse_iso_day(named.date), f"the statement '{named.id}'"
    if date is None:
        return refuse(draft, *problem)
    source, new_source, problem = resolve_source(draft, opts, index)
    if source is None and named is not None and named.source:
        source, new_source = named.source, None
    if source is None:
        return refuse(draft, *problem)
    title = choose_title(draft, opts)
    plan = Plan("imported", draft, sha256=sha, body=body, date_note=date_note, new_source=new_source)
    plan.front_matter = front_matter(draft, opts, index, title, date, source)
    target = find_target(draft, opts, index, sha, key, title, date, source, body)
    _place(plan, target, opts, index, date)
    return plan


def _place(plan: Plan, target: Existing | None, opts: Options, index: ArchiveIndex, date: dt.date) -> None:
    """The statement's id and file, and the capture's file: new, or those of the target."""
    year = f"{date.year:04d}"
    if target is None:
        plan.statement_id = opts.statement_id or unique_id(
            base_id(plan.front_matter["title"], date, plan.front_matter["kind"]), index.by_id
        )
        plan.rel = f"content/statements/{year}/{plan.statement_id}.md"
    else:
        plan.statement_id, plan.old_rel = target.id, target.rel
        plan.action = "replaced" if opts.force else "version"
        if plan.action == "version":  # the statement keeps its file, date and title
            plan.rel = target.rel
            year = target.date[:4] if parse_iso_day(target.date) else year
            plan.draft.notes.extend(_kept_apart(plan, target))
        else:
            plan.rel = f"content/statements/{year}/{plan.statement_id}.md"
    plan.capture_rel = f"captures/{year}/{plan.sha256}.{plan.draft.capture_ext}"


def _kept_apart(plan: Plan, target: Existing) -> list[str]:
    """What a new version's capture says otherwise than the statement it joins (a wrong --id
    is seen here): the statement keeps its own date and title."""
    fm, notes = plan.front_matter, []
    if target.date and str(fm["date"]) != target.date:
        notes.append(f"the capture is dated {fm['date']}; the statement keeps its date {target.date}")
    if target.title and normal_name(fm["title"]) != normal_name(target.title):
        notes.append(f"the capture's title is '{fm['title']}'; the statement keeps '{target.title}'")
    if notes:
        notes.append(
            f"if the capture is not a new text of '{target.id}', restore the statement from "
            f"content/versions/{target.id}/ and import the capture without --id"
        )
    return notes


def resolve_date(draft: Draft, opts: Options) -> tuple[dt.date | None, str, tuple[str, str]]:
    """(day, where it came from, or (why not, what to pass)). Dates are never guessed."""
    if opts.date is not None:
        return opts.date, "--date", ("", "")
    if draft.date_issue:  # never repaired, nor replaced by a day the text names
        return (
            None,
            "",
            (draft.date_issue, 'correct it (e.g. "2019-11-17"), leave the field out, or pass --date'),
        )
    if draft.date is not None:
        if opts.year is not None and opts.year != draft.date.year:
            return (
                None,
                "",
                (
                    f"the document is dated {draft.date.isoformat()} ({draft.date_from}) but --year says {opts.year}",
                    "pass --date YYYY-MM-DD to set the date yourself",
                ),
            )
        return draft.date, draft.date_from, ("", "")
    day = draft.day
    if day is not None and day.year is not None:
        if opts.year is not None and opts.year != day.year:
            return (
                None,
                "",
                (f"the text says '{day.text}' but --year says {opts.year}", "pass --date YYYY-MM-DD"),
            )
        resolved = day.resolve()
        if resolved is not None:
            return resolved, f"the text ('{day.text}')", ("", "")
    year = opts.year if opts.year is not None else draft.year
    if day is not None:
        if year is None:
            return (
                None,
                "",
                (
                    f"the text gives the day ('{day.text}') but not the year",
                    "pass --year YYYY or --date YYYY-MM-DD",
                ),
            )
        resolved = day.resolve(year)
        if resolved is None:
            return None, "", (f"'{day.text}' is not a real day in {year}", "pass --date YYYY-MM-DD")
        origin = "--year" if opts.year is not None else draft.year_from
        return resolved, f"the day from the text ('{day.text}'), the year from {origin}", ("", "")
    if year is not None:
        return (
            None,
            "",
            (
                f"only the year ({year}) is known, not the day",
                "give the document its day, or import it alone with --date YYYY-MM-DD; dates are never guessed",
            ),
        )
    return (
        None,
        "",
        (
            "no date found in the capture",
            "pass --date YYYY-MM-DD, or --year YYYY when the text names the day and month",
        ),
    )


def resolve_source(
    draft: Draft, opts: Options, index: ArchiveIndex
) -> tuple[str | None, NewSource | None, tuple[str, str]]:
    """The publication entity id, a publication to create, or why there is none."""
    if opts.source and (opts.source in index.entities or not opts.create_source):
        return opts.source, None, ("", "")
    if opts.source:  # --create-source with a new id: named as the capture names it, if it does
        named = (
            draft.publication_names[0] if draft.publication_names else opts.source.replace("-", " ").title()
        )
        new = new_source(named, index)
        rel = f"content/entities/publications/{opts.source}.md"
        return opts.source, NewSource(opts.source, new.name, new.aliases, rel), ("", "")
    found = match_publication(
        draft.publication_names, draft.hostnames, index.publications(), draft.site_names
    )
    if found:
        return found, None, ("", "")
    ids = [e.id for e in index.publications()]
    known = (
        ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "") if ids else "none yet"
    )
    named = draft.publication_names[0] if draft.publication_names else None
    if named and opts.create_source:
        new = new_source(named, index)
        return new.id, new, ("", "")
    if named:
        return (
            None,
            None,
            (
                f"no publication in the archive matches '{named}'",
                f"pass --source ID (publications: {known}); or add a publication entity with that name "
                "or alias; or pass --create-source",
            ),
        )
    return (
        None,
        None,
        (
            "the capture names no publication",
            f"pass --source ID; publications: {known}",
        ),
    )


def match_publication(
    names: list[str], hosts: list[str], publications: list[model.Entity], site_names: list[str] = ()
) -> str | None:
    """The publication a capture names: its id, or its exact name or alias, first; then the
    name a page shows for its site (a web address is often no publication's name); then its
    host; then one named within."""
    ids = {e.id for e in publications}
    for name in names:
        if name.strip() in ids:
            return name.strip()
    table = {normal_name(n): e.id for e in publications for n in e.names}
    for name in [*names, *site_names]:
        if normal_name(name) in table:
            return table[normal_name(name)]
    for host in hosts:
        host = host.casefold().removeprefix("www.")
        if host in table:
            return table[host]
    best: tuple[int, int, str] | None = None
    for name in names:
        lowered = normal_name(name)
        for alias, entity_id in table.items():
            m = re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", lowered)
            if m and len(alias) >= 3:
                candidate = (m.start(), -len(alias), entity_id)
                best = candidate if best is None or candidate < best else best
        if best:
            return best[2]
    return None


def new_source(named: str, index: ArchiveIndex) -> NewSource:
    """A publication entity for a name like "Korean Central News Agency (KCNA), English …"."""
    main = named.split(",")[0].strip() or named.strip()
    abbreviations = tuple(a.strip() for a in re.findall(r"\(([^()]{2,20})\)", main))
    name = re.sub(r"\s*\([^()]*\)", "", main).strip() or main
    slug = "-".join(slug_words(name))[:50].strip("-") or "publication"
    entity_id = unique_id(slug, index.entities) if slug not in index.entities else slug
    if entity_id in index.entities and index.entities[entity_id].type != "publication":
        entity_id = unique_id(slug, index.entities)
    return NewSource(entity_id, name, abbreviations, f"content/entities/publications/{entity_id}.md")


def choose_title(draft: Draft, opts: Options) -> str:
    """The document's own title, else --title, else one derived from its opening."""
    for title in (draft.title, opts.title, draft.derived_title):
        if title and title.strip():
            return " ".join(title.replace("\u00ad", "").split())
    return "Untitled"


def speaker_value(speaker: str | None, index: ArchiveIndex) -> str | None:
    """An entity id when an entity has the speaker's name (or alias), else the text."""
    if not speaker:
        return None
    wanted = normal_name(speaker)
    for entity in sorted(index.entities.values(), key=lambda e: e.id):
        if entity.type != "publication" and any(normal_name(n) == wanted for n in entity.names):
            return entity.id
    return speaker


def front_matter(
    draft: Draft, opts: Options, index: ArchiveIndex, title: str, date: dt.date, source: str
) -> dict[str, Any]:
    """The new statement's keys, in the order a maintainer reads them."""
    data: dict[str, Any] = {
        "title": title,
        "date": date,
        "source": source,
        "kind": draft.kind or opts.kind or "article",
        "speaker": speaker_value(draft.speaker, index),
        "entities": None,  # filled from mentions when the plan is carried out
        "language": draft.language,
        "source_url": draft.source_url,
        "retrieved": draft.retrieved,
    }
    return data


def capture_entry(plan: Plan) -> dict[str, Any]:
    entry: dict[str, Any] = {"sha256": plan.sha256, "file": plan.capture_rel}
    if plan.draft.retrieved:
        entry["retrieved"] = plan.draft.retrieved
    if plan.draft.source_url:
        entry["source_url"] = plan.draft.source_url
    return entry


def find_target(
    draft: Draft,
    opts: Options,
    index: ArchiveIndex,
    sha: str,
    key: str,
    title: str,
    date: dt.date,
    source: str,
    body: str,
) -> Existing | None:
    """The statement this capture is a new text (or, with --force, a replacement) of."""
    if opts.statement_id:
        return index.by_id.get(opts.statement_id)
    if opts.force:
        same = index.by_sha.get(sha) or index.by_body.get(key)
        if same:
            return index.by_id.get(same)
    if draft.source_url and draft.source_url in index.by_url:
        return index.by_id.get(index.by_url[draft.source_url])
    for candidate in index.by_title.get((date.isoformat(), source, normal_name(title)), []):
        existing = index.by_id.get(candidate)
        if existing is None or (
            existing.source_url and draft.source_url and existing.source_url != draft.source_url
        ):
            continue
        old = read_statement(index.root, existing.rel)
        if old is not None and similarity(old.body, body) >= SIMILAR:
            return existing
    return None


def similarity(old_body: str, new_body: str) -> float:
    """Share of words in common (0..1), cheap bounds first."""
    old = " ".join(plain_paragraphs(old_body)).split()
    new = " ".join(plain_paragraphs(new_body)).split()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return matcher.quick_ratio()
    return matcher.ratio()
