"""Worker processes for the costly per-item work of loading, linking, related statements
and rendering.

Workers are forked, so they start with everything the parent had computed (matchers,
views, indexes) without pickling it; only the items' numbers or small values go out and
results come back, in order. The output is the same whatever the number of workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from multiprocessing.connection import Connection
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
    nice: int = 0,
    fresh_every: int | None = None,
) -> Iterator[Result]:
    """function over items, in order: in forked workers when there are enough items.

    Items go to the workers in chunks (default: eight a worker); give chunksize=1 where
    items are few and each is much work. function must be a module-level function; what it
    needs beyond its item should be in module globals set before this is called (the
    workers see them as they were). nice > 0 lowers the workers' priority (see os.nice).

    fresh_every: newly forked workers take over after that many items. A worker shares the
    parent's memory until it reads it: CPython then writes each object's reference count,
    and the kernel copies the page, so a long-lived worker comes to hold a copy of all it
    has read; a fresh one starts shared again.
    """
    count = worker_count(workers)
    if count <= 1 or len(items) < threshold:
        yield from map(function, items)
        return
    step = fresh_every or len(items) or 1
    chunk = chunksize or max(1, min(step, len(items)) // (count * 8))
    for start in range(0, len(items), step):
        with ProcessPoolExecutor(
            count, mp_context=get_context("fork"), initializer=os.nice if nice else None, initargs=(nice,)
        ) as pool:
            yield from pool.map(function, items[start : start + step], chunksize=chunk)


class Background:
    """A function running in a forked process beside the parent's own work.

    The search indexes need only the linked archive, not the rendered pages, so they are
    made while the pages render: the indexer is one process a shard, and after an edit (one
    shard to index) it would otherwise leave a core idle. result() waits and raises the
    function's error as if it had been called here; cancel() stops it.
    """

    def __init__(self, function: Callable[..., Result], *args: object):
        context = get_context("fork")
        self._answer, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_outcome, args=(sender, os.getpid(), function, args))
        self._process.start()
        sender.close()

    def result(self, timeout: float | None = None) -> object:
        """The function's value, once it is done (TimeoutError after `timeout` seconds)."""
        if timeout is not None and not self._answer.poll(timeout):
            self.cancel()
            raise TimeoutError(f"no answer from a worker process in {timeout:.0f} s")
        try:
            kind, value = self._answer.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(
                f"a worker process ended without an answer (exit status {self._process.exitcode})"
            ) from None
        finally:
            self._answer.close()
        self._process.join()
        if kind == "error":
            raise value
        return value

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._answer.close()


def _send_outcome(sender: Connection, parent: int, function: Callable[..., object], args: tuple) -> None:
    end_with_parent(parent)
    try:
        outcome: tuple[str, object] = ("value", function(*args))
    except BaseException as error:  # every error goes back to the parent
        outcome = ("error", error)
    try:
        sender.send(outcome)
    except Exception as error:  # an error that cannot be pickled
        sender.send(("error", RuntimeError(f"{outcome[1]!r} ({error})")))
    sender.close()


def end_with_parent(parent: int) -> None:
    """Linux: be killed when the parent dies (a killed build or `archive search` leaves no
    indexer writing into the cache behind it); elsewhere the parent's own clean-up is all
    there is."""
    try:
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def give_back_freed_memory() -> None:
    """Collect what is no longer reachable and hand the heap's free pages back to the system.

    Objects in a reference cycle (the renderer and its templates' globals) wait for the
    collector; and CPython returns a freed text to malloc, which keeps its pages for reuse
    unless trimmed (glibc). Without both, a process that has let go of most of its objects
    still holds their memory, and processes started after it (the search indexers) find
    that much less.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        _libc().malloc_trim(0)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
