"""Leads: other articles a page's teaser lists name, worth capturing later.

A teaser is cut mid-sentence and dated by the site's listing, so it is never imported as
a statement and its date is never a statement's date; it is only reported (and written
as CSV with --leads) so that maintainers can go and capture the full text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Lead:
    """Opening words of a teaser, the date the list gave it (as ISO day when readable)."""

    text: str
    date: str
    capture: str  # the input file it was found in


def leads_csv(leads: Iterable[Lead]) -> str:
    """CSV with a header row (text, date, capture); each lead once, in the order found."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["text", "date", "capture"])
    seen: set[tuple[str, str]] = set()
    for lead in leads:
        if (lead.text, lead.date) in seen:
            continue
        seen.add((lead.text, lead.date))
        writer.writerow([_defuse(lead.text), lead.date, lead.capture])
    return out.getvalue()


def _defuse(cell: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula; a quote stops it."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
