"""A synchronous client for `pagefind --service`, the indexer behind Pagefind's Python and Node APIs.

Why not `pagefind.index.PagefindIndex`: its response loop sleeps 100 ms before reading each
response, so it adds at most ten records a second (measured: 200 records in 20 s), and a
crashed or misbehaving indexer leaves its futures unresolved for ever. This client speaks the
same documented message format to the same binary (the one `pagefind[bin]` installs, found
through `pagefind.service.get_executable`), keeps up to WINDOW requests in flight, and turns
every failure (missing binary, error reply, dead process, timeout) into ArchiveError.

Messages are base64-encoded JSON objects `{"message_id", "payload"}`, each followed by a comma,
on the indexer's stdin and stdout.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import subprocess
import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import ArchiveError

WINDOW = 64  # requests in flight: enough to keep the indexer busy, bounded memory in the pipes
REPLY_TIMEOUT = 300.0  # seconds to wait for one reply before giving up on the indexer
WRITE_TIMEOUT = 1800.0  # building a shard of 11,000 statements takes 40-90 s on this 2-core machine
STDERR_TAIL = 4000


def executable() -> Path:
    """The Pagefind binary, or ArchiveError saying how to get one."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        get_executable = None
    found = get_executable() if get_executable else None
    if found is None or not Path(found).exists():
        raise ArchiveError(
            "search: the Pagefind indexer was not found (install it with `pip install 'pagefind[bin]'`, "
            "set PAGEFIND_BINARY_PATH, or build with --no-search)"
        )
    return Path(found)


class PagefindService:
    """One `pagefind --service` process; use as a context manager so it is always stopped."""

    def __init__(self, binary: Path | None = None):
        self.binary = binary or executable()
        self._replies: dict[int, dict[str, Any]] = {}
        self._done = threading.Condition()
        self._closed = False
        self._stderr = bytearray()
        self._next_id = 0
        self.peak_rss = 0  # bytes, read from /proc before the process ends (Linux)
        try:
            self._process = subprocess.Popen(
                [str(self.binary), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                # Ctrl-C is the build's to handle (it stops the indexer in close()); the
                # indexer stopping on its own first would read as a failure of Pagefind.
                start_new_session=True,
            )
        except OSError as error:
            raise ArchiveError(
                f"search: could not start the Pagefind indexer {self.binary}: {error}"
            ) from error
        self._threads = [
            threading.Thread(target=target, args=(stream,), daemon=True)
            for target, stream in (
                (self._read_replies, self._process.stdout),
                (self._read_stderr, self._process.stderr),
            )
        ]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests -------------------------------------------------------------------------

    def call(self, payload: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Send one request and wait for its reply."""
        return self.wait(self.send(payload), timeout)

    def call_all(self, payloads: Iterable[dict[str, Any]]) -> int:
        """Send many requests in order, at most WINDOW unanswered at a time; returns how many."""
        pending: deque[int] = deque()
        count = 0
        for payload in payloads:
            if len(pending) >= WINDOW:
                self.wait(pending.popleft())
            pending.append(self.send(payload))
            count += 1
        while pending:
            self.wait(pending.popleft())
        return count

    def send(self, payload: dict[str, Any]) -> int:
        self._next_id += 1
        message = json.dumps({"message_id": self._next_id, "payload": payload}, ensure_ascii=False)
        try:
            assert self._process.stdin is not None
            self._process.stdin.write(base64.b64encode(message.encode("utf-8")) + b",")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise self._failure(f"the indexer stopped reading ({error})", ended=True) from error
        return self._next_id

    def wait(self, message_id: int, timeout: float | None = None) -> dict[str, Any]:
        timeout = REPLY_TIMEOUT if timeout is None else timeout
        with self._done:
            arrived = self._done.wait_for(lambda: message_id in self._replies or self._closed, timeout)
            reply = self._replies.pop(message_id, None)
        if reply is None:
            raise self._failure(
                "the indexer stopped" if arrived else f"no reply from the indexer in {timeout:.0f} s"
            )
        if reply.get("type") == "Error":
            raise ArchiveError(f"search: Pagefind refused a request: {reply.get('message', reply)}")
        return reply

    def close(self) -> None:
        """Stop the indexer, noting its peak memory first."""
        self.peak_rss = max(self.peak_rss, _peak_rss(self._process.pid))
        with contextlib.suppress(OSError):
            if self._process.stdin:
                self._process.stdin.close()
        if self._process.poll() is None:
            self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    # -- reader threads -------------------------------------------------------------------

    def _read_replies(self, stream: Any) -> None:
        """Split stdout at commas; a reply may be tens of megabytes (GetFiles), so scan new bytes only."""
        buffer = bytearray()
        try:
            while chunk := stream.read1(1 << 20):
                scan_from = len(buffer)
                buffer += chunk
                while (comma := buffer.find(b",", scan_from)) != -1:
                    self._deliver(bytes(buffer[:comma]))
                    del buffer[: comma + 1]
                    scan_from = 0
        finally:
            with self._done:
                self._closed = True
                self._done.notify_all()

    def _deliver(self, message: bytes) -> None:
        try:
            reply = json.loads(base64.b64decode(message, validate=True))
        except (binascii.Error, ValueError):
            self._stderr += b"\n(unreadable reply) " + message[:200]
            return
        message_id = reply.get("message_id")
        payload = reply.get("payload") or {}
        if message_id is None and payload.get("original_message"):
            try:
                message_id = json.loads(payload["original_message"]).get("message_id")
            except (ValueError, AttributeError):
                message_id = None
        if message_id is not None:
            with self._done:
                self._replies[message_id] = payload
                self._done.notify_all()

    def _read_stderr(self, stream: Any) -> None:
        while chunk := stream.read1(1 << 12):
            self._stderr += chunk
            del self._stderr[:-STDERR_TAIL]

    def _failure(self, what: str, ended: bool = False) -> ArchiveError:
        """ended: the indexer closed its end of a pipe (it is gone, or going), whether or not
        its output has been seen to end yet."""
        if ended or self._closed:  # the process is gone: let its last words and exit status arrive
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=2)
            self._threads[1].join(timeout=2)
        detail = self._stderr.decode("utf-8", "replace").strip()
        code = self._process.poll()
        status = f" (exit status {code})" if code is not None else ""
        return ArchiveError(
            f"search: Pagefind failed: {what}{status}" + (f": {detail[-800:]}" if detail else "")
        )


def _peak_rss(pid: int) -> int:
    """Peak resident memory of a live process in bytes (VmHWM), 0 where /proc is missing."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def version() -> str:
    """The indexer's version, part of the cache key: a new Pagefind writes a different bundle."""
    try:
        from importlib.metadata import version as package_version

        return package_version("pagefind_bin")
    except Exception:
        return os.environ.get("PAGEFIND_BINARY_PATH", "unknown")
