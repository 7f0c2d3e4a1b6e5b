"""`archive serve`: build, serve on localhost, rebuild on every save and reload the open tab.

The preview builds into a temporary folder with base_url set to the local address, so
`_site` (the folder that is deployed) is never touched. Its HTML pages are served with two
additions the build itself never writes: a small script (a file, as the pages' CSP wants)
that polls the build number and reloads when it changes, and, while the last build failed,
a banner with its problems. Serving goes on through errors: the last good build stays up,
and the banner goes away by itself with the next good build.
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from .errors import ArchiveError, UsageError

SERVE_PREFIX = "/_archive/"
POLL_MS = 400

RELOAD_JS = f"""// Live reload for `archive serve`: never part of a built site.
(function () {{
  "use strict";
  var me = document.currentScript;
  var shown = me ? me.getAttribute("data-build") : null;
  function poll() {{
    fetch("{SERVE_PREFIX}build-id", {{ cache: "no-store" }})
      .then(function (r) {{ return r.text(); }})
      .then(function (id) {{
        if (shown !== null && id.trim() !== shown) {{ location.reload(); return; }}
        setTimeout(poll, {POLL_MS});
      }}, function () {{ setTimeout(poll, {POLL_MS * 3}); }});
  }}
  setTimeout(poll, {POLL_MS});
}})();
"""

OVERLAY_CSS = """/* The build-error banner of `archive serve`. */
#archive-build-error {
  position: fixed; inset: 0 0 auto 0; z-index: 1000; max-height: 60vh; overflow: auto;
  margin: 0; padding: 1rem 1.25rem; background: #5c0000; color: #fff;
  font: 0.95rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  box-shadow: 0 2px 12px rgba(0, 0, 0, 0.4);
}
#archive-build-error strong { display: block; font-size: 1.05rem; margin-bottom: 0.5rem; }
#archive-build-error pre { white-space: pre-wrap; margin: 0; }
"""

ERROR_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · archive serve</title></head>
<body><main><h1>The archive could not be built</h1>
<p>Fix the problems below and save: this page reloads by itself.</p></main></body>
</html>
"""


class Preview:
    """One archive being previewed: its server, its watchers and its latest build."""

    def __init__(
        self, root: Path, port: int = 8000, *, search: bool = False, log: Callable[[str], None] | None = None
    ):
        self.root = root
        self.search = search
        self.log = log or (lambda text: print(text, flush=True))
        self.workdir = Path(tempfile.mkdtemp(prefix="archive-serve-"))
        self.out = self.workdir / "site"
        self.build_number = 0
        self.error: str | None = None
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._watching: dict[Path, int] = {}  # folders watched recursively, and their inodes
        try:
            self.server = http.server.ThreadingHTTPServer(
                ("127.0.0.1", port), functools.partial(_Handler, preview=self)
            )
        except OSError as err:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise UsageError(f"cannot serve on port {port}: {err.strerror} (pass another --port)") from None
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    # -- building ---------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Build once; on failure keep the last good site and remember the problems."""
        from .build import build

        start = time.perf_counter()
        try:
            result = build(self.root, self.out, base_url=self.url, search=self.search)
        except ArchiveError as err:
            self.error = "\n".join(str(p) for p in err.problems) or str(err)
            self.log(
                f"{self.error}\nbuild failed: still serving the last good build; fix and save to rebuild"
            )
        except Exception:  # a bug must not stop the preview: show it, keep serving
            self.error = traceback.format_exc()
            self.log(f"{self.error}\nbuild crashed: still serving the last good build")
        else:
            self.error = None
            for problem in result.problems:
                if problem.severity != "info":
                    self.log(str(problem))
            self.log(f"{result.summary()} ({time.perf_counter() - start:.2f}s)")
        self.build_number += 1

    def _build_loop(self) -> None:
        while not self._stop.is_set():
            if self._dirty.wait(0.2):
                time.sleep(0.05)  # let an editor finish writing all it saves at once
                self._dirty.clear()
                if not self._stop.is_set():
                    self.rebuild()

    # -- watching ---------------------------------------------------------------------------

    def watched(self) -> list[Path]:
        """content/, the site's templates/ and the built-in theme: watched recursively."""
        from .render import THEME

        folders = [self.root / "content", self.root / "templates", THEME]
        return [f for f in folders if f.is_dir()]

    def _watch(
        self,
        paths: list[Path],
        recursive: bool,
        accept: Callable[[Path], bool],
        ready: threading.Event | None = None,
    ) -> None:
        import watchfiles

        def keep(_change: object, path: str) -> bool:
            return accept(Path(path))

        for changes in watchfiles.watch(
            *paths,
            watch_filter=keep,
            recursive=recursive,
            stop_event=self._stop,
            debounce=100,
            rust_timeout=200,
            yield_on_timeout=True,  # the first (empty) yield says the watch is in place
        ):
            if ready is not None:
                ready.set()
            if not changes:
                continue
            if not recursive:
                self._watch_new_folders({Path(path) for _, path in changes})
            self._dirty.set()

    def _watch_new_folders(self, paths: set[Path]) -> None:
        """content/ or templates/ made after the preview started, or deleted and made again
        (a restored backup, a moved-in copy): watched from now on. A watch follows the folder
        it began on, so a new folder under the same name is known by its inode."""
        for folder in sorted(paths):
            inode = _inode(folder)
            if inode is not None and self._watching.get(folder) != inode:
                self._watching[folder] = inode
                self._start(self._watch, [folder], True, _not_hidden)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    # -- running ----------------------------------------------------------------------------

    def start(self) -> None:
        """First build, then serve and watch in background threads."""
        self.rebuild()
        own = {self.root / "site.yaml", self.root / "content", self.root / "templates"}
        self._watching = {folder: _inode(folder) or 0 for folder in self.watched()}
        self._start(self.server.serve_forever)
        self._start(self._build_loop)
        ready = threading.Event(), threading.Event()
        self._start(self._watch, sorted(self._watching), True, _not_hidden, ready[0])
        # The root itself, not recursively: site.yaml (also when an editor saves by renaming),
        # and content/ or templates/ when they are made.
        self._start(self._watch, [self.root], False, lambda p: p in own, ready[1])
        for event in ready:  # an edit made once "Serving" is printed is seen
            event.wait(10)

    def stop(self) -> None:
        self._stop.set()
        if self._threads:  # shutdown() waits for serve_forever, which a first build's Ctrl-C never began
            self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- what the server adds to pages ------------------------------------------------------------

    def decorate(self, page: str) -> str:
        """A built HTML page with the reload script and, after a failed build, the banner."""
        script = f'<script src="{SERVE_PREFIX}reload.js" data-build="{self.build_number}" defer></script>'
        head = f'<link rel="stylesheet" href="{SERVE_PREFIX}serve.css">'
        banner = ""
        if self.error is not None:
            banner = (
                '<div id="archive-build-error" role="alert"><strong>Build failed: the page shows the last good build.</strong>'
                f"<pre>{html.escape(self.error)}</pre></div>"
            )
        page = page.replace("</head>", head + "</head>", 1)
        at = page.rfind("</body>")
        if at < 0:
            return page + banner + script
        return page[:at] + banner + script + page[at:]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the latest build, HTML decorated, and the preview's own few files."""

    def __init__(self, *args: object, preview: Preview, **kwargs: object):
        self.preview = preview
        super().__init__(*args, directory=str(preview.out), **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal is for build messages

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        own = {
            f"{SERVE_PREFIX}build-id": (str(self.preview.build_number), "text/plain; charset=utf-8"),
            f"{SERVE_PREFIX}reload.js": (RELOAD_JS, "text/javascript; charset=utf-8"),
            f"{SERVE_PREFIX}serve.css": (OVERLAY_CSS, "text/css; charset=utf-8"),
        }
        if path in own:
            self._send(200, *own[path])
            return
        target = Path(self.translate_path(path))
        if target.is_dir():
            if not path.endswith("/"):
                super().do_GET()  # the redirect to the folder's address
                return
            target = target / "index.html"
        if target.suffix == ".html" or not target.exists():
            self._send_page(target)
            return
        super().do_GET()

    def _send_page(self, target: Path) -> None:
        if target.is_file():
            status, page = 200, target.read_text(encoding="utf-8", errors="replace")
        elif (self.preview.out / "404.html").is_file():
            status, page = 404, (self.preview.out / "404.html").read_text(encoding="utf-8", errors="replace")
        else:
            status, page = 404 if self.preview.error is None else 500, ERROR_PAGE
        self._send(status, self.preview.decorate(page), "text/html; charset=utf-8")

    def _send(self, status: int, text: str, content_type: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="the archive's folder, holding site.yaml (default: .)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0 picks a free one)"
    )
    parser.add_argument(
        "--search",
        action="store_true",
        help="also build the search indexes (slower rebuilds; off by default)",
    )


def run(args: argparse.Namespace) -> int:
    root = args.root.resolve()
    if not (root / "site.yaml").is_file():
        raise UsageError(f"no site.yaml in {root} (pass --root, the folder that holds it)")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0 to 65535)")
    preview = Preview(root, args.port, search=args.search)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)  # `kill` cleans up as Ctrl-C does
    try:  # from the first build on: a signal at any moment stops the preview and cleans up
        preview.start()
        print(
            f"Serving {preview.url}  (watching content/, templates/ and site.yaml; Ctrl-C stops)", flush=True
        )
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        preview.stop()
    return 0


def _not_hidden(path: Path) -> bool:
    return not path.name.startswith(".")


def _inode(folder: Path) -> int | None:
    try:
        status = folder.stat()
    except OSError:
        return None
    return status.st_ino if stat.S_ISDIR(status.st_mode) else None


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
