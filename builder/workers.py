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
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from multiprocessing.connection import Connection
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

PARALLEL_THRESHOLD = 200  # items; below this, starting workers costs more than it saves
# The memory of its own a worker that reads much of the parent's memory (linking, rendering)
# may come to hold before freshly forked workers take over (see fork_map's copy_limit). At
# 100,000 statements a render worker of a pool of 120 sections came to hold 0.8 GB, beside a
# parent of 3.2 GB; a worker of the demo's 10,000 statements stays under it throughout.
COPY_LIMIT = 256 * 2**20


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
    copy_limit: int | None = None,
    meanwhile: Iterator[object] | None = None,
) -> Iterator[Result]:
    """function over items, in order: in forked workers when there are enough items.

    Items go to the workers in chunks (default: eight a worker); give chunksize=1 where
    items are few and each is much work. function must be a module-level function; what it
    needs beyond its item should be in module globals set before this is called (the
    workers see them as they were). nice > 0 lowers the workers' priority (see os.nice).

    copy_limit: items go one at a time, and newly forked workers take over once a worker
    holds more than that many bytes of its own. A worker shares the parent's memory until
    it reads it: CPython then writes each object's reference count, and the kernel copies
    the page, so a long-lived worker comes to hold a copy of all it has read; a fresh one
    starts shared again.

    meanwhile: the parent's own share of the work, a step at each next(): taken while it
    waits for the workers (with copy_limit), else before their results; all of it is done
    before the last result comes.
    """
    meanwhile = meanwhile if meanwhile is not None else iter(())
    count = worker_count(workers)
    if count <= 1 or len(items) < threshold:
        results: Iterator[Result] = map(function, items)
        _finish(meanwhile)
        yield from results
        return
    if copy_limit is not None:
        yield from _map_within(function, items, count, nice, copy_limit, meanwhile)
        return
    chunk = chunksize or max(1, len(items) // (count * 8))
    with _pool(count, nice) as pool:
        with ctrl_c_deferred():  # the workers are forked at the first item given out
            results = pool.map(function, items, chunksize=chunk)  # all given out at once
        _finish(meanwhile)
        yield from results


def _finish(steps: Iterator[object]) -> None:
    for _ in steps:
        pass


@contextlib.contextmanager
def _pool(count: int, nice: int) -> Iterator[ProcessPoolExecutor]:
    """count forked workers, their priority lowered by nice. On an error or Ctrl-C the items
    not begun are dropped and those in flight (a second or so of work) end cleanly: a worker
    stopped half-way through sending its result would leave the pool's reader waiting for
    the rest of the message, and the process unable to exit."""
    pool = ProcessPoolExecutor(
        count, mp_context=get_context("fork"), initializer=_start_worker, initargs=(os.getpid(), nice)
    )
    try:
        yield pool
    finally:  # (after a whole run no item is left to drop)
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int, nice: int) -> None:
    """In a worker: Ctrl-C is the parent's to handle (a terminal sends it to every process of
    the build; a worker that stopped too would print its traceback, break the pool, and
    could leave the parent waiting for a message it never finishes); it ends with the
    parent; nice."""
    _ignore_ctrl_c()
    end_with_parent(parent)
    if nice:
        os.nice(nice)


@contextlib.contextmanager
def ctrl_c_deferred() -> Iterator[None]:
    """Ctrl-C held back while workers are forked: a worker born as it arrives would stop
    before it could ignore it. The parent gets it as soon as they are started."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _ignore_ctrl_c() -> None:
    """In a forked process, born with Ctrl-C held back (ctrl_c_deferred): ignore it for good."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _map_within(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    count: int,
    nice: int,
    limit: int,
    meanwhile: Iterator[object],
) -> Iterator[Result]:
    """fork_map with copy_limit: two items a worker in flight, results in order, and a fresh
    pool, after the items in flight, when a worker reports more of its own memory than limit;
    the parent takes steps of its own while the next result is not there."""
    waiting = True  # steps of the parent's own are left
    position = 0
    while position < len(items):
        with _pool(count, nice) as pool:
            pending: deque[Future[tuple[Result, int]]] = deque()
            full = False
            while True:
                while not full and position < len(items) and len(pending) < 2 * count:
                    with ctrl_c_deferred():  # the workers are forked at the first item given out
                        pending.append(pool.submit(_with_own_memory, function, items[position]))
                    position += 1
                if not pending:
                    break
                while waiting and not pending[0].done():
                    waiting = next(meanwhile, _DONE) is not _DONE
                result, own = pending.popleft().result()
                full = full or own > limit
                yield result
    _finish(meanwhile)


_DONE = object()


def _with_own_memory(function: Callable[[Item], Result], item: Item) -> tuple[Result, int]:
    """In a worker: function(item), and the bytes this process holds that no other shares."""
    return function(item), own_memory()


def own_memory() -> int:
    """Bytes of this process's memory that it does not share (Linux; elsewhere 0)."""
    own = 0
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    own += int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return own


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
        with ctrl_c_deferred():
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
    _ignore_ctrl_c()  # Ctrl-C is the parent's: it cancels this process
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
