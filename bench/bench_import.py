"""Time a bulk import: the first N documents of a JSON Lines corpus into an empty archive.

    .venv/bin/python bench/bench_import.py [N] [corpus.jsonl]

Prints documents per second for the first run, and for a second run over the same
input (every document recognised and skipped), which is what an interrupted import's
re-run costs.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder import importer  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpus" / "kcna-co-jp.jsonl"


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    corpus = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT
    if not corpus.is_file():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        archive = Path(tmp) / "archive"
        (archive / "content").mkdir(parents=True)
        source = Path(tmp) / "input.jsonl"
        with corpus.open("rb") as handle:
            source.write_bytes(b"".join(itertools.islice(handle, n)))
        for label in ("first run", "re-run (all skipped)"):
            parser = argparse.ArgumentParser()
            importer.add_arguments(parser)
            args = parser.parse_args([str(source), "--root", str(archive), "--create-source", "--quiet"])
            started = time.perf_counter()
            status = importer.run(args)
            seconds = time.perf_counter() - started
            print(f"{label}: {n:,} documents in {seconds:.1f} s ({n / seconds:,.0f}/s), exit status {status}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
