"""Bar charts drawn at build time as inline SVG: readable without JavaScript.

A chart is a picture for sighted readers and a list of links for everyone else: the SVG
is a labelled group whose bars with statements are links named in words ("November 2019:
3 statements"); empty bars and the printed numbers are hidden from screen readers, which
get the same numbers from the text alternative the templates put beside every chart.
Colours come from the page's stylesheet, so charts follow the light and dark schemes.
"""

from __future__ import annotations

import math
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


PHONE_WIDTH = 334  # CSS pixels a chart's bars have on a 390-pixel phone (style.css: .bar-chart)
LABEL_EM = 0.75  # the labels' font size in rem (style.css: .chart-labels)
CHAR_EM = 0.62  # a generous width of a digit or letter of the sans-serif font, in em
LABEL_GAP = 8  # CSS pixels kept clear between two labels


def label_step(bars: Sequence[Bar], width: int) -> int:
    """Show every n-th label so that none touches the next on a phone, the narrowest screen."""
    longest = max(len(part) for b in bars for part in b.label.split(" ", 1))
    needed = longest * CHAR_EM * LABEL_EM * 16 + LABEL_GAP
    slot = min(width * SCALE, PHONE_WIDTH) / len(bars)
    return max(1, math.ceil(needed / slot))


def bar_chart(bars: Sequence[Bar], title: str, *, height: int = 120, bar_width: int = 18) -> Markup:
    """Vertical bars, scaling to their container through viewBox, with their labels under them.

    The labels are HTML, not SVG text: they keep a readable size however much a narrow screen
    shrinks the bars, and every n-th only is written when a phone could not fit them all side
    by side. Each bar is centred in an equal share of the width, as each label is.
    """
    if not bars:
        return Markup("")
    top = max(b.value for b in bars) or 1
    gap = 4
    slot = bar_width + gap
    width = len(bars) * slot
    parts = [
        '<div class="bar-chart">',
        f'<svg class="chart" width="{width * SCALE:g}" height="{height * SCALE:g}" '
        f'viewBox="0 0 {width} {height}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
    ]
    for index, bar in enumerate(bars):
        x = gap // 2 + index * slot
        middle = f"{x + bar_width / 2:g}"
        h = round(bar.value / top * (height - 14)) if bar.value else 0
        y = height - h
        name = f"{bar.title or bar.label}: {_count(bar.value)}"
        empty = "" if h else " empty"  # a hairline on the baseline
        rect = f'<rect x="{x}" y="{min(y, height - 1)}" width="{bar_width}" height="{max(h, 1)}" class="bar{empty}"/>'
        if bar.href:
            parts.append(
                f'<a href="{escape(bar.href)}" aria-label="{escape(name)}"><title>{escape(name)}</title>{rect}</a>'
            )
        else:
            parts.append(f'<g aria-hidden="true"><title>{escape(name)}</title>{rect}</g>')
        if bar.value:
            parts.append(
                f'<text x="{middle}" y="{y - 3}" class="value" text-anchor="middle" aria-hidden="true">{bar.value}</text>'
            )
    parts.append("</svg>")
    step = label_step(bars, width)
    labels = []
    previous_second = None
    for index, bar in enumerate(bars):
        if index % step:
            labels.append("<span></span>")
            continue
        first, _, second = bar.label.partition(" ")
        shown = [escape(first)]
        if second and second != previous_second:
            shown.append(escape(second))
        previous_second = second
        labels.append("<span><span>" + "<br>".join(shown) + "</span></span>")
    parts.append('<div class="chart-labels" aria-hidden="true">' + "".join(labels) + "</div></div>")
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
