"""`archive import`: raw captures (.txt, .html, .jsonl) into statements, with provenance.

    archive import PATH... [--root DIR] [--id ID] [--source ID] [--create-source]
                   [--kind KIND] [--date YYYY-MM-DD] [--year YYYY] [--title TEXT]
                   [--dry-run] [--force] [--quiet] [--leads FILE]

What is written (paths under the archive root):
  content/statements/YYYY/<id>.md        the statement: front matter, then the body
  content/captures/YYYY/<sha256>.<ext>   the capture, byte for byte (.txt, .html; a JSON
                                         Lines record is kept as its own line, .json)
  content/versions/<id>/v<N>.md          an earlier text, when a new capture differs
  content/entities/publications/<id>.md  with --create-source only
  content/.backup/NNNN/…                 with --force: the files it replaced

Decisions (each has a test):
  * Dates are never guessed: --date; else a full date the document states (record
    field, page metadata or a date shown by the headline, a date line above the text,
    a signed-off date, a dateline with a year); else the day and month its opening
    names ("… statement on Nov. 17:", "Pyongyang, November 17 (KCNA) --") with --year.
    Dates in teaser lists are never read. A known year without a day is refused.
  * `retrieved` only when the capture says it: a "Retrieved:" line at the top of a
    text capture, SingleFile's "saved date", the Wayback Machine's capture time, a
    record's `retrieved`. A file's modification time proves nothing and is not used.
  * Kind and speaker come from an opening "X issued the following <kind>" (an answer
    to a question is an interview), else from the headline ("…: KCNA Commentary"),
    else --kind, else article. Title: the page's own, else --title, else "Statement
    by a spokesman for …" from the opening, else its first sentence.
  * Same capture bytes or same text already in the archive: skipped. A new capture of
    a statement (--id, same source URL, or same date, source and title with 80 % of
    the words in common) whose text differs: a new version. --force replaces instead.

Exit status: 0 when every document was imported or skipped, 1 when any was refused
(each refusal says why and which option to pass), 2 when the command was called wrongly,
130 when interrupted (every file written is complete; run the same command again).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from ..config import load_config
from ..errors import UsageError, VisibleWriter, did_you_mean
from ..model import KINDS
from .apply import Writer, carry_out
from .dates import parse_iso_day
from .entities import EntityFinder, unknown_names
from .ids import is_valid_id
from .inputs import count, expand, read_input
from .leads import leads_csv
from .plan import Options, Plan, plan_draft, refuse
from .report import DETAIL_LIMIT, Report
from .store import ArchiveIndex, forget_folders, write_atomic

__all__ = ["add_arguments", "run"]

SUGGEST_SAMPLE = 2_000  # texts the unmatched-names hint is computed from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `archive import` (the CLI's parser calls this)."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="capture files (.txt, .html, .htm, .jsonl) or folders of them",
    )
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the archive's folder, holding content/ (default: .)"
    )
    parser.add_argument(
        "--id",
        dest="statement_id",
        metavar="ID",
        help="the statement's id; an existing id gets the capture as a new version",
    )
    parser.add_argument("--source", metavar="ID", help="the publication entity the capture comes from")
    parser.add_argument(
        "--create-source",
        action="store_true",
        help="add a publication entity for a source the archive does not know yet",
    )
    parser.add_argument(
        "--kind", choices=KINDS, help="the kind, where the text does not say it (default: article)"
    )
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="the statement's date (overrides what the capture says)"
    )
    parser.add_argument(
        "--year", metavar="YYYY", help="the year, for a text that names only the day and month"
    )
    parser.add_argument("--title", help="the title, for a capture without one of its own")
    parser.add_argument("--dry-run", action="store_true", help="write nothing; show what would be written")
    parser.add_argument(
        "--force", action="store_true", help="import again / replace an existing statement (a backup is kept)"
    )
    parser.add_argument("--quiet", action="store_true", help="print only refusals and the summary")
    parser.add_argument(
        "--leads", type=Path, metavar="FILE", help="write the teasers found (other articles) to FILE as CSV"
    )


def run(args: argparse.Namespace) -> int:
    """Import every document of every PATH; see the module docstring for the exit status."""
    try:
        opts = _options(args)
        index = _load_index(opts)
        inputs = expand(list(args.paths))
        total = sum(count(path) for _, path in inputs)
        if opts.statement_id and total > 1:
            raise UsageError(f"--id names one statement, but the input holds {total} documents")
        if opts.date is not None and total > 1:  # one day for all would date each wrongly but one
            raise UsageError(
                f"--date gives every document one day, but the input holds {total} documents: "
                "import them one at a time with --date, give each record its date, or pass --year"
            )
    except UsageError as err:
        print(f"archive import: error: {err}", file=VisibleWriter(sys.stderr))
        return 2
    forget_folders()
    for warning in index.warnings:
        print(f"warning: {warning}", file=VisibleWriter(sys.stderr))
    report = Report(opts.quiet, opts.dry_run)
    report.detailed = total <= DETAIL_LIMIT
    writer = Writer(opts.root, opts.dry_run)
    finder = EntityFinder(index.entities)
    texts: list[str] = []
    interrupted = False
    with _progress(total, enabled=not opts.quiet and sys.stdout.isatty()) as advance:
        try:
            for shown, path in inputs:
                for draft in read_input(shown, path):
                    plan = _decide_and_write(draft, opts, index, writer, finder)
                    if plan.written:
                        texts.append("\n\n".join(plan.draft.paragraphs))
                    report.document(plan)
                    advance()
        except KeyboardInterrupt:
            interrupted = True
    leads_written = _finish(opts, report, writer, finder, index, texts, interrupted)
    if interrupted:
        return 130
    if not any(report.counts.values()):
        shown = ", ".join(str(p) for p in args.paths)
        print(
            f"archive import: nothing to import: {shown} holds no document "
            "(an empty file, or a folder without .txt, .html, .htm or .jsonl files)",
            file=VisibleWriter(sys.stderr),
        )
        return 1
    return 1 if report.counts["refused"] or not leads_written else 0


def _decide_and_write(
    draft, opts: Options, index: ArchiveIndex, writer: Writer, finder: EntityFinder
) -> Plan:
    plan = plan_draft(draft, opts, index)
    if plan.written:
        new_source = (
            plan.new_source.id if plan.new_source and plan.new_source.id not in index.entities else None
        )
        writer.begin()
        try:
            carry_out(plan, index, writer, finder)
        except OSError as err:
            writer.undo()
            if new_source:
                index.entities.pop(new_source, None)
            where = f" in {Path(err.filename).parent}" if err.filename else ""
            return refuse(
                draft,
                f"could not write the files{where} ({err.strerror or err}); nothing of it was kept",
                "check that the archive's folders are writable",
            )
    return plan


def _finish(
    opts: Options,
    report: Report,
    writer: Writer,
    finder: EntityFinder,
    index: ArchiveIndex,
    texts: list[str],
    interrupted: bool,
) -> bool:
    """The closing report; False when the leads could not be written."""
    written = True
    if opts.dry_run and not opts.quiet:
        report.dry_run_files(writer.shown)
    unknown: list[tuple[str, int]] = []
    sample = texts[:SUGGEST_SAMPLE]  # a sample is enough for hints; a whole bulk load is slow
    if sample and not opts.quiet:
        unknown = unknown_names(sample, index.entities, 20, 1 if len(texts) <= DETAIL_LIMIT else 3)
    report.entity_summary(finder.counts, unknown, sampled=len(sample) if len(texts) > len(sample) else 0)
    report.leads_summary()
    if opts.leads_file is not None:
        if opts.dry_run:
            print(
                f"leads: would write {len(report.leads)} row(s) to {opts.leads_file}",
                file=VisibleWriter(sys.stdout),
            )
        else:
            try:
                write_atomic(opts.leads_file, leads_csv(report.leads).encode("utf-8"))
            except OSError as err:
                print(
                    f"archive import: cannot write {opts.leads_file}: {err.strerror} "
                    "(the statements were imported; only the leads file is missing)",
                    file=VisibleWriter(sys.stderr),
                )
                written = False
    report.summary(interrupted)
    return written


def _options(args: argparse.Namespace) -> Options:
    """The arguments checked; a mistake is a UsageError (exit status 2)."""
    root = Path(args.root)
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder (pass --root DIR, the archive's folder)")
    if not (root / "content").is_dir() and not (root / "site.yaml").is_file():
        raise UsageError(f"{root} holds no archive (no content/ folder or site.yaml): pass --root DIR")
    date = None
    if args.date is not None:
        date = parse_iso_day(args.date)
        if date is None:
            raise UsageError(f"--date {args.date!r} is not a real day (write it YYYY-MM-DD, e.g. 2019-11-17)")
    year = None
    if args.year is not None:
        if not (str(args.year).isdigit() and len(str(args.year)) == 4):
            raise UsageError(f"--year {args.year!r} is not a year (write it YYYY, e.g. 2019)")
        year = int(args.year)
    if date and year and date.year != year:
        raise UsageError(f"--date {date.isoformat()} and --year {year} disagree")
    statement_id = getattr(args, "statement_id", None)
    if statement_id is not None and not is_valid_id(statement_id):
        raise UsageError(
            f"--id {statement_id!r} is not a valid id (lowercase letters, digits and single hyphens)"
        )
    if args.source is not None and not is_valid_id(args.source):
        raise UsageError(
            f"--source {args.source!r} is not a valid id (lowercase letters, digits and single hyphens)"
        )
    title = args.title.strip() if args.title and args.title.strip() else None
    if args.leads is not None:
        _check_leads_file(Path(args.leads))
    config, _ = load_config(root)  # defaults when site.yaml is missing or wrong
    return Options(
        root=root,
        statement_id=statement_id,
        source=args.source,
        kind=args.kind,
        date=date,
        year=year,
        title=title,
        dry_run=args.dry_run,
        force=args.force,
        quiet=args.quiet,
        leads_file=args.leads,
        create_source=getattr(args, "create_source", False),
        max_bytes=config.max_file_bytes,
    )


def _check_leads_file(path: Path) -> None:
    """Before importing: the leads can be written there (afterwards it would be too late)."""
    if path.is_dir():
        raise UsageError(f"--leads {path} is a folder: give a file name, e.g. {path / 'leads.csv'}")
    if not path.parent.is_dir():
        raise UsageError(f"--leads {path}: the folder {path.parent} does not exist")


def _load_index(opts: Options) -> ArchiveIndex:
    index = ArchiveIndex.load(opts.root)
    if opts.source is not None:
        entity = index.entities.get(opts.source)
        if entity is None and opts.create_source:
            return index  # the plan adds a publication with this id
        if entity is None:
            publications = [e.id for e in index.publications()]
            hint = (
                did_you_mean(opts.source, publications)
                or f"publications: {', '.join(publications) or 'none yet'}"
            )
            raise UsageError(
                f"--source {opts.source!r} is not an entity of the archive ({hint}); "
                "add --create-source to add it as a new publication"
            )
        if entity.type != "publication":
            raise UsageError(f"--source {opts.source!r} is a {entity.type}, not a publication")
    return index


@contextlib.contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[], None]]:
    """A progress bar on a terminal; a no-op otherwise (pipes, --quiet, tests)."""
    if not enabled or total < 2:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
    ) as bar:
        task = bar.add_task("import", total=total)
        yield lambda: bar.advance(task)
