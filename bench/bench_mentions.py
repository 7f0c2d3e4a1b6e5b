"""Time entity-mention linking and annotation anchoring on synthetic data.

    .venv/bin/python bench/bench_mentions.py [ENTITIES] [STATEMENTS ...]

Defaults: 5,000 entities (a name and three aliases each) and runs of 1,000 and 10,000
statement bodies of about 750 words, already rendered to HTML, in one process. Prints the
time to build the matcher, then per run the time to link every body (mentions and a date
finder in the same walk) and to anchor two annotations per body. Times are CPU seconds of
this process (wall-clock time on a shared machine says more about the neighbours).
"""

from __future__ import annotations

import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.annotations import anchor_annotations  # noqa: E402
from builder.htmltext import Span  # noqa: E402
from builder.mentions import MentionMatcher, link_mentions  # noqa: E402
from builder.model import Annotation, Entity  # noqa: E402

SYLLABLES = "kim ri pak choe jong un il sung song hyon chol nam yong su hui min gwang hyok ju dok".split()
WORDS = (
    "the of and to in a is that for on with as by was this are it from at be which has its an "
    "statement said government ministry people republic peace security nuclear military forces "
    "talks sanctions resolution council region policy against hostile will must never would "
    "spokesman foreign press answer question declared measures joint drills provocation"
).split()
DATE = re.compile(r"\b(?:January|March|November) \d{1,2}\b")


def entities(count: int, rng: random.Random) -> list[Entity]:
    made = []
    for i in range(count):
        parts = [rng.choice(SYLLABLES).title() for _ in range(3)]
        name = f"{parts[0]} {parts[1]} {parts[2]} {i}"
        aliases = (
            f"{parts[0]} {parts[1]}-{parts[2].lower()} {i}",
            f"{parts[1]}{i}{parts[2]}".upper(),
            f"Ent{i}",
        )
        made.append(Entity(f"e{i}", f"content/entities/e{i}.md", name, "person", aliases))
    return made


def body(people: list[Entity], rng: random.Random) -> str:
    paragraphs = []
    for _ in range(10):
        words = [rng.choice(WORDS) for _ in range(70)]
        for _ in range(2):
            words[rng.randrange(70)] = rng.choice(rng.choice(people).names)
        words[rng.randrange(70)] = "November 14"
        words[rng.randrange(70)] = "<em>Korea’s</em>"
        text = " ".join(words)
        paragraphs.append(f"<p>{text[0].upper()}{text[1:]}.</p>")
    return "\n".join(paragraphs)


def dates(text: str):
    return [
        Span(m.start(), m.end(), "a", (("class", "date"), ("href", "/dates/"))) for m in DATE.finditer(text)
    ]


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    runs = [int(n) for n in sys.argv[2:]] or [1_000, 10_000]
    rng = random.Random(7)
    people = entities(count, rng)
    started = time.process_time()
    matcher = MentionMatcher(people)
    print(
        f"matcher: {count:,} entities, {sum(len(e.names) for e in people):,} names in {time.process_time() - started:.2f} s"
    )
    bodies = [body(people, rng) for _ in range(max(runs))]
    words = len(re.sub("<[^>]+>", "", bodies[0]).split())
    print(f"bodies: about {words} words, {len(bodies[0]):,} characters of HTML each")
    for n in runs:
        started = time.process_time()
        linked = [
            link_mentions(b, matcher, listed=(), href=lambda e: f"/entities/{e}/", mode="first", extra=dates)
            for b in bodies[:n]
        ]
        link_seconds = time.process_time() - started
        mentions = sum(m.count for lb in linked for m in lb.mentions)
        started = time.process_time()
        notes = ["<p>A note.</p>", "<p>Another.</p>"]
        for lb in linked:
            anchor_annotations(
                lb.html, [Annotation("November 14", "x"), Annotation("security", "y", 2)], notes
            )
        anchor_seconds = time.process_time() - started
        print(
            f"{n:,} statements: linking {link_seconds:.1f} s ({1000 * link_seconds / n:.2f} ms each, "
            f"{mentions:,} mentions), annotations {anchor_seconds:.1f} s ({1000 * anchor_seconds / n:.2f} ms each)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
