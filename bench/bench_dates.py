"""Time the date finder: N statements of about W words, paragraph by paragraph.

    .venv/bin/python bench/bench_dates.py [N] [W] [corpus.jsonl]

Statements are made from the real corpus (paragraphs taken in order until each has W
words, issued on the first source document's date), so the density of dates is a real
archive's. Prints statements, characters, mentions found and the time taken.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.dates import find_dates  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpus" / "kcna-co-jp.jsonl"


def paragraphs(corpus: Path) -> Iterator[tuple[str, dt.date]]:
    """The corpus's paragraphs with their documents' dates, over and over."""
    with corpus.open(encoding="utf-8") as handle:
        documents = [json.loads(line) for line in handle]
    dated = [(d["body"], dt.date.fromisoformat(d["date"])) for d in documents if d.get("date")]
    for body, date in itertools.cycle(dated):
        for paragraph in body.split("\n\n"):
            yield paragraph, date


def statements(corpus: Path, n: int, words: int) -> list[tuple[list[str], dt.date]]:
    """N statements, each a list of paragraphs of about `words` words in all."""
    source = paragraphs(corpus)
    made = []
    for _ in range(n):
        blocks, count, issued = [], 0, None
        while count < words:
            paragraph, date = next(source)
            issued = issued or date
            blocks.append(paragraph)
            count += len(paragraph.split())
        assert issued is not None
        made.append((blocks, issued))
    return made


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    words = int(sys.argv[2]) if len(sys.argv) > 2 else 750
    corpus = Path(sys.argv[3]) if len(sys.argv) > 3 else DEFAULT
    if not corpus.is_file():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    made = statements(corpus, n, words)
    chars = sum(len(b) for blocks, _ in made for b in blocks)
    started = time.perf_counter()
    found = sum(len(find_dates(block, issued)) for blocks, issued in made for block in blocks)
    took = time.perf_counter() - started
    print(
        f"{n} statements of ~{words} words ({chars / 1e6:.1f} MB): {found} date mentions "
        f"in {took:.2f} s ({chars / 1e6 / took:.1f} MB/s, {took / n * 1e6:.0f} µs per statement)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
