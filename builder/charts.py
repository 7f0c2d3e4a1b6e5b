"""Bar charts drawn at build time as inline SVG: readable without JavaScript.

A chart is a picture for sighted readers and a list of links for everyone else: the SVG
is a labelled group whose bars with statements are links named in words ("November 2019:
3 statements"); empty bars and the printed numbers are hidden from screen readers, which
get the same numbers from the text alternative the templates put beside every chart.
Colours come from the page's stylesheet, so charts follow the light and dark schemes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from .errors import count_of

SCALE = 1.5  # CSS pixels per chart unit at full size; a narrow screen shrinks the chart to fit


@dataclass(frozen=True)
class Bar:
    label: str  # short, under the bar: "Nov 19" (a second word is printed once per run, below)
    value: int
    href: str | None = None
    title: str = ""  # in words, for the link's name: "November 2019"


def _count(value: int) -> str:
    return count_of(value, "statement")


def bar_chart(bars: Sequence[Bar], title: str, *, height: int = 120, bar_width: int = 18) -> Markup:
    """Vertical bars with their labels; scales to its container through viewBox."""
    if not bars:
        return Markup("")
    top = max(b.value for b in bars) or 1
    gap = 4
    label_space = 30
    width = len(bars) * (bar_width + gap) + gap
    parts = [
        f'<svg class="chart" width="{width * SCALE:g}" height="{(height + label_space) * SCALE:g}" '
        f'viewBox="0 0 {width} {height + label_space}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    previous_second = None
    for index, bar in enumerate(bars):
        x = gap + index * (bar_width + gap)
        middle = f"{x + bar_width / 2:g}"
        h = round(bar.value / top * (height - 14)) if bar.value else 0
        y = height - h
        name = f"{bar.title or bar.label}: {_count(bar.value)}"
        rect = f'<rect x="{x}" y="{y}" width="{bar_width}" height="{max(h, 1)}" class="bar{"" if h else " empty"}"/>'
        if bar.href:
            parts.append(
                f'<a href="{escape(bar.href)}" aria-label="{escape(name)}"><title>{escape(name)}</title>{rect}</a>'
            )
        else:
            parts.append(f'<g aria-hidden="true"><title>{escape(name)}</title>{rect}</g>')
        texts = []
        if bar.value:
            texts.append(
                f'<text x="{middle}" y="{y - 3}" class="value" text-anchor="middle">{bar.value}</text>'
            )
        first, _, second = bar.label.partition(" ")
        texts.append(
            f'<text x="{middle}" y="{height + 12}" class="label" text-anchor="middle">{escape(first)}</text>'
        )
        if second and second != previous_second:
            texts.append(
                f'<text x="{middle}" y="{height + 24}" class="label" text-anchor="middle">{escape(second)}</text>'
            )
        previous_second = second
        parts.append('<g aria-hidden="true">' + "".join(texts) + "</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def ranked_bars(items: Sequence[tuple[str, int, str]], title: str) -> Markup:
    """Horizontal ranked bars (name, count, href) as an HTML list: wraps well on a phone."""
    if not items:
        return Markup("")
    top = max(count for _, count, _ in items) or 1
    rows = [f'<ol class="ranked" aria-label="{escape(title)}">']
    for name, count, href in items:
        share = max(1, round(count / top * 100))
        rows.append(
            f'<li><a href="{escape(href)}">{escape(name)}</a> '
            f'<span class="count">{_count(count)} together</span>'
            f'<svg class="rank-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">'
            f'<rect width="{share}" height="6"></rect></svg></li>'
        )
    rows.append("</ol>")
    return Markup("".join(rows))
