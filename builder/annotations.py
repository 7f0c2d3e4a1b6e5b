"""Annotations: anchor each editor's note to the exact passage of the body it explains.

The passage is found in the body's visible text (whitespace and typographic quotes are
normalised for finding only; the text itself never changes), highlighted with
`<mark class="annotated" id="passage-N">`, followed by a lettered link to its note, and the
note is placed right after the block that holds the passage as
`<aside class="annotation" id="note-N">`. N counts annotations from 1 in front-matter order,
found or not, so `#note-N` stays the same when another annotation's quote stops matching or
a new one is added. What readers see is a letter ("a", "b" … "z", "aa" …) given in reading
order (where the passages end, as their links are read), so the margin reads a, b, c and no
letter is mistaken for a footnote's number; notes after the same block follow that order.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Sequence

from .htmltext import Document, Point, Span
from .model import Annotation

_APOSTROPHES = "'’‘‛`´ʼ"
_DOUBLE_QUOTES = '"“”„‟'
_QUOTES = str.maketrans({**dict.fromkeys(_APOSTROPHES, "'"), **dict.fromkeys(_DOUBLE_QUOTES, '"')})
_EQUIVALENT = {"'": f"[{re.escape(_APOSTROPHES)}]", '"': f"[{re.escape(_DOUBLE_QUOTES)}]"}


def normalise(text: str) -> str:
    """A quote as it is matched: straight quotes, single spaces, no outer whitespace."""
    return " ".join(text.translate(_QUOTES).split())


def _pattern(quote: str) -> re.Pattern[str] | None:
    """A regex for the quote: any run of whitespace for a space, any apostrophe for '."""
    parts = []
    for c in normalise(quote):
        if c == " ":
            parts.append(r"\s+")
        elif c in _EQUIVALENT:
            parts.append(_EQUIVALENT[c])
        else:
            parts.append(re.escape(c))
    return re.compile("".join(parts)) if parts else None


class _Passages:
    """The blocks' text joined (a block boundary reads as whitespace), to find quotes in."""

    def __init__(self, texts: Sequence[str]):
        self.texts = texts
        self.block_starts = []
        offset = 0
        for text in texts:
            self.block_starts.append(offset)
            offset += len(text) + 1
        self.text = "\n".join(texts)

    def find(self, quote: str, occurrence: int) -> tuple[int, int] | None:
        """The occurrence-th (from 1, not overlapping) place of the quote, as joined offsets."""
        pattern = _pattern(quote)
        if pattern is None or occurrence < 1:
            return None
        for n, hit in enumerate(pattern.finditer(self.text), start=1):
            if n == occurrence:
                return hit.start(), hit.end()
        return None

    def pieces(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """The passage split by block: (block, start, end) in each block's text."""
        first = bisect.bisect_right(self.block_starts, start) - 1
        last = bisect.bisect_right(self.block_starts, end - 1) - 1
        found = []
        for block in range(first, last + 1):
            base = self.block_starts[block]
            s, e = max(start, base) - base, min(end - base, len(self.texts[block]))
            if self.texts[block][s:e].strip():
                found.append((block, s, e))
        return found


def note_label(index: int) -> str:
    """The letter readers see for the index-th note in reading order (from 0): a … z, aa …"""
    label, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("a") + rest) + label
    return label


def note_ref(n: int, label: str) -> str:
    """The lettered link from a passage to its note."""
    return f'<sup class="note-ref"><a href="#note-{n}" aria-label="Annotation {label}">{label}</a></sup>'


def note_aside(n: int, label: str, note_html: str) -> str:
    """The note itself, with a link back to its passage and a permalink to cite it by."""
    return (
        f'<aside class="annotation" id="note-{n}" role="note" aria-label="Annotation {label}">'
        f'<a class="note-number" href="#passage-{n}" aria-label="Back to passage {label}">{label}</a>'
        f'{note_html}<a class="permalink" href="#note-{n}">permalink</a></aside>'
    )


def anchor_annotations(
    html: str, annotations: Sequence[Annotation], notes_html: Sequence[str]
) -> tuple[str, tuple[bool, ...], tuple[tuple[int, str], ...]]:
    """The body with each found passage highlighted and its note beside it; which were
    found; and the notes in reading order, (N of `#note-N`, the letter readers see).

    `notes_html` are the notes already rendered and sanitised, in the same order.
    """
    if len(annotations) != len(notes_html):
        raise ValueError("one rendered note is needed per annotation")
    if not annotations:
        return html, (), ()
    doc = Document(html)
    passages = _Passages([block.text for block in doc.blocks])
    spans: dict[int, list[Span]] = defaultdict(list)
    inserts: list[tuple[Point, str]] = []
    asides: list[tuple[Point, str]] = []
    found = []
    placed = []  # (where the passage ends, where it starts, n, its pieces, its note)
    order = []
    for n, (annotation, note) in enumerate(zip(annotations, notes_html, strict=True), start=1):
        hit = passages.find(annotation.quote, annotation.occurrence)
        pieces = passages.pieces(*hit) if hit else []
        found.append(bool(pieces))
        if pieces:
            placed.append((hit[1], hit[0], n, pieces, note))
    for index, (_, _, n, pieces, note) in enumerate(sorted(placed, key=lambda p: p[:3])):
        label = note_label(index)
        order.append((n, label))
        for k, (block, start, end) in enumerate(pieces):
            attrs = (("class", "annotated"), ("id", f"passage-{n}")) if k == 0 else (("class", "annotated"),)
            spans[block].append(Span(start, end, "mark", attrs))
        block, _, end = pieces[-1]
        ref_at = doc.point_after_text(block, end)
        if ref_at is not None:
            inserts.append((ref_at, note_ref(n, label)))
        asides.append((doc.point_after_block(block, end), note_aside(n, label, note)))
    return doc.render(spans, inserts + asides), tuple(found), tuple(order)
