"""Search figures for `make bench`: first-query bytes in a browser, and the whoosh index's times.

python bench/bench_search.py bytes SITE_ROOT --base /archive/ [--query Q ...]
    SITE_ROOT is the folder served as the web root (the site itself lies at SITE_ROOT/archive/).
    Prints what headless Chromium downloads for a first query, per file and in total, raw and
    as a gzip-ing host (GitHub Pages) would send it.
python bench/bench_search.py whoosh ARCHIVE_ROOT [--query Q ...]
    Prints the whoosh index's cold time, its update time after one changed statement, and
    the search time of each query (median of 5, after start-up).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ALREADY_COMPRESSED = (".pf_meta", ".pf_index", ".pf_filter", ".pf_fragment", ".pagefind")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def first_query_bytes(site_root: Path, base: str, query: str, open_filters: bool = False) -> dict:
    """Bytes a fresh browser downloads to show the first page of results for query."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site_root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    files: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = browser.new_page()

            def note(response):
                name = response.url.split("?")[0]
                if name in seen:  # shards share one WebAssembly: the browser's cache answers again
                    return
                seen.add(name)
                try:
                    body = response.body()
                except Exception:
                    return
                sent = len(body) if name.endswith(ALREADY_COMPRESSED) else len(gzip.compress(body, 6))
                files.append((name.split(base, 1)[-1], len(body), min(sent, len(body))))

            page.on("response", note)
            page.goto(f"http://127.0.0.1:{server.server_address[1]}{base}search/?q={quote(query)}")
            page.wait_for_function(
                "() => /result/.test(document.getElementById('search-status').textContent)", timeout=60_000
            )
            page.wait_for_load_state("networkidle")
            status = page.locator("#search-status").inner_text()
            if open_filters:
                page.click("#search-filters summary")
                page.wait_for_selector("#search-filter-groups fieldset", timeout=60_000)
                page.wait_for_load_state("networkidle")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return {
        "query": query,
        "status": status,
        "requests": len(files),
        "raw": sum(raw for _, raw, _ in files),
        "gzip": sum(sent for _, _, sent in files),
        "files": sorted(files, key=lambda f: -f[1]),
    }


def whoosh_figures(root: Path, queries: list[str]) -> dict:
    from builder import maintainer_search as ms
    from builder.build import search_records

    started = time.perf_counter()
    records = search_records(root)
    load = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "whoosh"
        cpu, wall = time.process_time(), time.perf_counter()
        cold = ms.update_index(cache, records)
        cold_cpu = time.process_time() - cpu
        edited = list(records)
        edited[len(edited) // 2] = replace(
            edited[len(edited) // 2], text=edited[len(edited) // 2].text + " edited"
        )
        one = ms.update_index(cache, edited)
        latency = {}
        for query in queries:
            times = []
            for _ in range(5):
                tick = time.perf_counter()
                ms.search(cache, query, 10)
                times.append(time.perf_counter() - tick)
            latency[query] = round(statistics.median(times) * 1000, 1)
    return {
        "records": len(records),
        "load_and_link_s": round(load, 2),
        "cold_s": round(cold.seconds, 2),
        "cold_cpu_s": round(cold_cpu, 2),
        "one_change_s": round(one.seconds, 3),
        "search_ms": latency,
        "wall_s": round(time.perf_counter() - wall, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    size = sub.add_parser("bytes")
    size.add_argument("site_root", type=Path)
    size.add_argument("--base", default="/archive/")
    size.add_argument("--query", action="append")
    size.add_argument("--filters", action="store_true", help="also open the filter panel")
    size.add_argument("--files", action="store_true", help="list every file")
    size.add_argument("--json", action="store_true", help="print the figures as JSON")
    whoosh = sub.add_parser("whoosh")
    whoosh.add_argument("root", type=Path)
    whoosh.add_argument("--query", action="append")
    args = parser.parse_args()
    if args.what == "bytes" and args.json:
        results = [
            first_query_bytes(args.site_root, args.base, q, args.filters) for q in args.query or ["nuclear"]
        ]
        print(json.dumps(results, indent=1))
    elif args.what == "bytes":
        for query in args.query or ["nuclear"]:
            result = first_query_bytes(args.site_root, args.base, query, args.filters)
            print(
                f"{query!r}: {result['status']} {result['requests']} requests, "
                f"{result['raw'] / 1024:.0f} KB raw, {result['gzip'] / 1024:.0f} KB gzip'd"
            )
            if args.files:
                for name, raw, sent in result["files"]:
                    print(f"    {raw / 1024:8.1f} KB  {sent / 1024:8.1f} KB  {name}")
    else:
        print(
            json.dumps(
                whoosh_figures(
                    args.root, args.query or ["nuclear", "title:sanctions", "date:[2019-11-01 TO 2019-11-30]"]
                ),
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
