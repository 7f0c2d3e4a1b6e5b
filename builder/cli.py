"""The `archive` command: build, check, search, import, demo, entities, serve.

Exit status: 0 done, 1 problems in the content (each reported as path:line: message),
2 the command was called wrongly. No traceback reaches a maintainer for either.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .errors import ERROR, INFO, WARNING, ArchiveError, Interrupted, Problem, UsageError, count_of

# Subcommands that live in their own modules, each with add_arguments(parser) and run(args).
PLUGGED = {
    "search": ("builder.maintainer_search", "search the archive (whoosh query language, fielded)"),
    "import": ("builder.importer", "turn raw captures (.txt, .html, .jsonl) into statements"),
    "demo": ("builder.demo", "generate a synthetic archive to try the tool at scale"),
    "serve": ("builder.serve", "build, serve on localhost, rebuild and reload on change"),
}


class _Parser(argparse.ArgumentParser):
    """argparse that exits with status 2 and one line, as usage errors should."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        sys.exit(2)


def _root_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the archive's folder, holding site.yaml (default: .)"
    )


def parser() -> argparse.ArgumentParser:
    main = _Parser(
        prog="archive", description="Static site generator for annotated archives of public statements."
    )
    sub = main.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    build = sub.add_parser(
        "build", help="build the archive into a static site", description="Build content/ into _site/."
    )
    _root_argument(build)
    build.add_argument("--out", type=Path, help="output folder (default: _site under the root)")
    build.add_argument(
        "--base-url", help="override site.yaml's base_url, e.g. https://someone.github.io/archive/"
    )
    build.add_argument("--strict", action="store_true", help="fail on warnings too")
    build.add_argument("--no-search", action="store_true", help="skip the search indexes")
    build.add_argument("--no-cache", action="store_true", help="ignore the build cache (.archive-cache/)")
    build.add_argument("--quiet", action="store_true", help="print only problems")
    build.add_argument("--stats", type=Path, help="write stage timings and counts as JSON to this file")

    check = sub.add_parser(
        "check", help="report every problem in the archive without writing", description="Check the archive."
    )
    _root_argument(check)
    check.add_argument(
        "--links", action="store_true", help="also check every internal link of the built site"
    )
    check.add_argument(
        "--out", type=Path, help="the built site to check links in (default: _site under the root)"
    )

    entities = sub.add_parser("entities", help="entity tools", description="Entity tools.")
    _root_argument(entities)
    entities.add_argument(
        "--suggest", action="store_true", help="list frequent names that match no entity yet"
    )
    entities.add_argument("--limit", type=int, default=50, help="how many suggestions (default 50)")

    for name, (module, help_text) in PLUGGED.items():
        command = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        try:
            importlib.import_module(module).add_arguments(command)
        except ImportError:
            command.set_defaults(unavailable=module)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return _dispatch(args)
    except ArchiveError as err:
        _report(err.problems)
        return 1
    except UsageError as err:
        print(f"archive: error: {err}", file=sys.stderr)
        return 2
    except Interrupted as err:
        print(f"archive: interrupted; {err.what}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("archive: interrupted; nothing was changed", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `archive search x | head -1`: the reader has all it wanted
        _quiet_stdout()
        return 141  # as if killed by SIGPIPE, the shell's convention
    except OSError as err:  # the machine's, not the content's: a full disk, a folder not ours
        where = f"{err.filename}: " if err.filename else ""
        print(
            f"archive: error: {where}{err.strerror or err}; nothing was changed"
            " (free some space, or check the folder's permissions, and run it again)",
            file=sys.stderr,
        )
        return 1


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit finds no broken pipe
    to complain about."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _dispatch(args: argparse.Namespace) -> int:
    if getattr(args, "unavailable", None):
        raise UsageError(
            f"'{args.command}' is not available in this installation ({args.unavailable} missing)"
        )
    if args.command == "build":
        return _build(args)
    if args.command == "check":
        return _check(args)
    if args.command == "entities":
        return _entities(args)
    module = PLUGGED[args.command][0]
    return int(importlib.import_module(module).run(args))


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    count = sum(1 for p in problems if p.severity == ERROR)
    if count:
        print(f"{count_of(count, 'error')}; nothing was written", file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from .build import build
    from .progress import stage_display

    root = args.root.resolve()
    if args.stats:
        _check_stats_file(args.stats.resolve(), root)
    with stage_display(search=not args.no_search, quiet=args.quiet) as on_stage:
        result = build(
            root,
            args.out.resolve() if args.out else None,
            base_url=args.base_url,
            strict=args.strict,
            search=not args.no_search,
            cache=not args.no_cache,
            on_stage=on_stage,
        )
    try:
        return _built(args, result)
    except KeyboardInterrupt:
        raise Interrupted("the new site is in place") from None


def _built(args: argparse.Namespace, result: Any) -> int:
    """What the command says once the new site is in place."""
    from .build import write_stats

    for problem in result.problems:
        if problem.severity != INFO:
            print(problem, file=sys.stderr)
    if args.stats:
        try:
            write_stats(args.stats, result)
        except OSError as err:
            print(
                f"archive: error: cannot write {args.stats}: {err.strerror or err} (the site was built)",
                file=sys.stderr,
            )
            return 1
    if not args.quiet:
        print(result.summary())
    return 0


def _check_stats_file(path: Path, root: Path) -> None:
    """Before building: --stats names a file it may write (never one of the archive's own)."""
    own = [(root / name).resolve() for name in ("content", "templates", "site.yaml", "static")]
    if any(path == place or place in path.parents for place in own):
        raise UsageError(
            f"--stats {path} is one of the archive's own files: give a file outside content/, e.g. stats.json"
        )
    if path.is_dir():
        raise UsageError(f"--stats {path} is a folder: give a file name, e.g. {path / 'stats.json'}")
    if not path.parent.is_dir():
        raise UsageError(f"--stats {path}: the folder {path.parent} does not exist")
    if path.exists() and not _is_stats(path):
        raise UsageError(
            f"--stats {path} exists and is not a stats file this command wrote: give another name"
        )


def _is_stats(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "stages" in data


def _check(args: argparse.Namespace) -> int:
    from .build import check

    root = args.root.resolve()
    problems = check(root)
    if args.links and not any(p.severity == ERROR for p in problems):
        from .linkcheck import check_links

        problems += check_links((args.out or root / "_site").resolve())
    for problem in problems:
        print(problem, file=sys.stderr if problem.severity == ERROR else sys.stdout)
    severities = Counter(p.severity for p in problems)
    print(
        f"{count_of(severities[ERROR], 'error')}, {count_of(severities[WARNING], 'warning')}, "
        f"{count_of(severities[INFO], 'note')}"
    )
    return 1 if severities[ERROR] else 0


def _entities(args: argparse.Namespace) -> int:
    if not args.suggest:
        raise UsageError("say what to do, e.g. `archive entities --suggest`")
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    from .build import Stages, load_and_link
    from .suggest import suggest_entities

    archive, links, _ = load_and_link(args.root.resolve(), None, Stages())
    known = [name for e in archive.entities.values() for name in e.names]
    texts = (links.statements[sid].text for sid in links.chronological)
    for phrase, count in suggest_entities(texts, known, limit=args.limit):
        print(f"{count:6d}  {phrase}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
