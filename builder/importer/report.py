"""What an import did, said plainly: one line per document, then leads and a summary.

Refusals go to stderr (they are why the exit status is 1), everything else to stdout.
With many documents the per-document details are left out; --quiet keeps only the
refusals and the summary.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from ..errors import VisibleWriter, count_of
from .leads import Lead
from .plan import Plan

DETAIL_LIMIT = 20  # documents up to which each one's date, kind, entities are shown
_DRY_RUN = {"imported": "would import", "replaced": "would replace"}  # nothing was


class Report:
    def __init__(self, quiet: bool, dry_run: bool, out: TextIO | None = None, err: TextIO | None = None):
        self.quiet = quiet
        self.dry_run = dry_run
        self._out = out
        self._err = err
        self.counts: Counter[str] = Counter()
        self.reasons: dict[str, Counter[str]] = {"skipped": Counter(), "refused": Counter()}
        self.leads: list[Lead] = []
        self.detailed = True

    @property
    def out(self) -> VisibleWriter:
        """stdout as it is now (a progress bar swaps it for its own while it runs); what is
        printed quotes captures, so their control characters are shown as codes."""
        return VisibleWriter(self._out or sys.stdout)

    @property
    def err(self) -> VisibleWriter:
        return VisibleWriter(self._err or sys.stderr)

    def document(self, plan: Plan) -> None:
        """Report one document as soon as it is decided (and written)."""
        self.counts[plan.action] += 1
        if plan.action in ("skipped", "refused"):
            self.reasons[plan.action][_reason_kind(plan.reason)] += 1
        if plan.action != "skipped":  # a skipped capture's leads were reported when it came in
            self.leads.extend(plan.draft.leads)
        if plan.action == "refused":
            hint = f" ({plan.hint})" if plan.hint else ""
            print(f"refused   {plan.draft.origin}: {plan.reason}{hint}", file=self.err)
            return
        if self.quiet:
            return
        would = "would be " if self.dry_run else ""
        if plan.action == "skipped":
            print(f"skipped   {plan.draft.origin}: {plan.reason}", file=self.out)
        elif plan.action == "version":
            print(
                f"version   {plan.rel} {would}updated with the text of {plan.draft.origin}; the earlier text "
                f"{would}kept as content/versions/{plan.statement_id}/v{plan.version_number}.md",
                file=self.out,
            )
        else:
            action = _DRY_RUN.get(plan.action, plan.action) if self.dry_run else plan.action
            print(f"{action:9} {plan.rel} <- {plan.draft.origin}", file=self.out)
        if self.detailed and plan.written:
            self._details(plan)

    def _details(self, plan: Plan) -> None:
        fm = plan.front_matter
        speaker = f", speaker {fm['speaker']}" if fm.get("speaker") else ""
        print(
            f"          date {fm['date']} from {plan.date_note}; kind {fm['kind']}{speaker}; source {fm['source']}",
            file=self.out,
        )
        if plan.new_source is not None:
            print(f"          new publication entity {plan.new_source.rel}", file=self.out)
        if plan.entities:
            print(f"          entities: {', '.join(plan.entities)}", file=self.out)
        for note in plan.draft.notes:
            print(f"          {note}", file=self.out)

    def dry_run_files(self, shown: Iterable[tuple[str, str]]) -> None:
        for path, text in shown:
            print(f"--- would write {path}", file=self.out)
            print(text.rstrip("\n") if text.startswith("(") else _front_matter_only(text), file=self.out)

    def entity_summary(self, found: Counter[str], unknown: list[tuple[str, int]], sampled: int = 0) -> None:
        if self.quiet:
            return
        if found:
            top = ", ".join(
                f"{k} ({n})" for k, n in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
            )
            print(f"entities found: {top}", file=self.out)
        if unknown:
            names = ", ".join(f"{name} ({n})" for name, n in unknown)
            where = f" (in the first {sampled:,} texts)" if sampled else ""
            print(f"names that match no entity{where}: {names}", file=self.out)

    def leads_summary(self) -> None:
        if self.quiet or not self.leads:
            return
        unique = list(dict.fromkeys((lead.text, lead.date) for lead in self.leads))
        print(f"leads: {len(unique)} teaser(s) name other articles (not imported):", file=self.out)
        for text, date in unique[:50]:
            print(f"  {date or '?':10}  {_shorten(text, 90)}", file=self.out)
        if len(unique) > 50:
            print(f"  … and {len(unique) - 50} more (write them all with --leads FILE)", file=self.out)

    def summary(self, interrupted: bool = False) -> None:
        c = self.counts
        parts = [
            f"{c['imported']} imported",
            count_of(c["version"], "new version"),
            f"{c['replaced']} replaced",
            f"{c['skipped']} skipped",
            f"{c['refused']} refused",
        ]
        for action in ("skipped", "refused"):
            if sum(self.reasons[action].values()) > 1:
                grouped = sorted(self.reasons[action].items(), key=lambda kv: (-kv[1], kv[0]))
                print(f"{action}, by reason:", file=self.out)
                for reason, count in grouped[:10]:
                    print(f"  {count:6d}  {reason}", file=self.out)
        line = ", ".join(parts)
        if self.dry_run:
            line += " (dry run: nothing was written)"
        if interrupted:
            line += "; interrupted: every file written is complete, run the same command again to continue"
        print(line, file=self.out)


def _reason_kind(reason: str) -> str:
    """A reason with its particulars (names, numbers) blanked, to count alike reasons together."""
    return re.sub(r"'[^']*'|(?<!SHA-)\b\d[\d,.]*", "…", reason)


def _front_matter_only(text: str) -> str:
    """The front matter and the first lines of the body, for a dry run's listing."""
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i] == "---"), len(lines) - 1)
    body = [line for line in lines[end + 1 :] if line.strip()]
    more = f"\n(… {len(body) - 2} more paragraph(s))" if len(body) > 2 else ""
    return "\n".join(lines[: end + 1] + [_shorten(b, 100) for b in body[:2]]) + more


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
