"""Bar charts drawn at build time as inline SVG: readable without JavaScript.

Each chart carries a <title> and <desc> for screen readers, and the numbers are also
given as text next to it by the templates, so the picture is never the only source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str | None = None


def bar_chart(bars: Sequence[Bar], title: str, *, height: int = 120, bar_width: int = 18) -> Markup:
    """Vertical bars with their labels; scales to its container through viewBox."""
    if not bars:
        return Markup("")
    top = max(b.value for b in bars) or 1
    gap = 4
    label_space = 28
    width = len(bars) * (bar_width + gap) + gap
    total_height = height + label_space
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {total_height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        "<desc>" + escape(", ".join(f"{b.label}: {b.value}" for b in bars)) + "</desc>",
    ]
    for index, bar in enumerate(bars):
        x = gap + index * (bar_width + gap)
        h = round(bar.value / top * (height - 14)) if bar.value else 0
        y = height - h
        rect = (
            f'<rect x="{x}" y="{y}" width="{bar_width}" height="{h}" class="bar">'
            f"<title>{escape(bar.label)}: {bar.value}</title></rect>"
        )
        if bar.href:
            rect = f'<a href="{escape(bar.href)}">{rect}</a>'
        parts.append(rect)
        if bar.value:
            parts.append(
                f'<text x="{x + bar_width / 2:g}" y="{y - 3}" class="value" text-anchor="middle">{bar.value}</text>'
            )
        parts.append(
            f'<text x="{x + bar_width / 2:g}" y="{height + 14}" class="label" text-anchor="middle">'
            f"{escape(bar.label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def ranked_bars(items: Sequence[tuple[str, int, str]], title: str) -> Markup:
    """Horizontal ranked bars (name, count, href) as an HTML list: wraps well on a phone."""
    if not items:
        return Markup("")
    top = max(count for _, count, _ in items) or 1
    rows = [f'<ol class="ranked" aria-label="{escape(title)}">']
    for name, count, href in items:
        share = round(count / top * 100)
        rows.append(
            f'<li><a href="{escape(href)}">{escape(name)}</a> <span class="count">{count}</span>'
            f'<svg class="rank-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">'
            f'<rect width="{share}" height="6"></rect></svg></li>'
        )
    rows.append("</ol>")
    return Markup("".join(rows))
