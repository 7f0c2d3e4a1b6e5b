"""What `archive build` shows while it works: a progress bar over the stages, on a terminal only.

A script or CI log gets no bar (and no control characters), just the summary line, and
`--quiet` leaves only the problems. The bar is driven by the build's own stage callback,
so it shows the stages the build really runs, in the order it runs them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

STAGES = ("check", "load", "link", "render", "search", "write")
LABELS = {
    "check": "Looking for changes since the last build",
    "load": "Reading and checking content",
    "link": "Linking mentions, dates and annotations",
    "render": "Writing pages, feeds and data",
    "search": "Indexing for search",
    "write": "Publishing the site",
}


@contextmanager
def stage_display(
    *, search: bool, quiet: bool = False, stream: TextIO | None = None
) -> Iterator[Callable[[str], None] | None]:
    """An on_stage callback that drives a progress bar, or None when nothing should show."""
    stream = stream or sys.stdout
    if quiet or not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    stages = [s for s in STAGES if search or s != "search"]
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} stages"),
        TimeElapsedColumn(),
        console=Console(file=stream),
        transient=True,
    )
    task = progress.add_task("Starting", total=len(stages))

    def on_stage(name: str) -> None:
        done = stages.index(name) if name in stages else 0
        progress.update(task, completed=done, description=LABELS.get(name, name))

    with progress:
        yield on_stage
        progress.update(task, completed=len(stages), description="Done")
