"""Worker processes for the costly per-item work of loading, linking, related statements
and rendering.

Workers are forked, so they start with everything the parent had computed (matchers,
views, indexes) without pickling it; only the items' numbers or small values go out and
results come back, in order. The output is the same whatever the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_THRESHOLD = 200  # items; below this, starting workers costs more than it saves


def worker_count(workers: int | None = None) -> int:
    """The number asked for, else one a core."""
    return workers if workers is not None else (os.cpu_count() or 1)


def fork_map(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    workers: int | None = None,
    *,
    threshold: int = PARALLEL_THRESHOLD,
    chunksize: int | None = None,
) -> Iterator[Result]:
    """function over items, in order: in forked workers when there are enough items.

    Items go to the workers in chunks (default: eight a worker); give chunksize=1 where
    items are few and each is much work. function must be a module-level function; what it
    needs beyond its item should be in module globals set before this is called (the
    workers see them as they were).
    """
    count = worker_count(workers)
    if count <= 1 or len(items) < threshold:
        yield from map(function, items)
        return
    chunk = chunksize or max(1, len(items) // (count * 8))
    with ProcessPoolExecutor(count, mp_context=get_context("fork")) as pool:
        yield from pool.map(function, items, chunksize=chunk)
