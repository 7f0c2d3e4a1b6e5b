"""`archive serve`: the open tab reloads after an edit; a build error shows, serving goes on."""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.serve import Preview

from .browser import chromium
from .conftest import ENTITIES, STATEMENTS, run, write_archive

FEES = "content/statements/2024/fees-2024-03-02.md"


@pytest.fixture
def preview(archive: Path) -> Iterator[Preview]:
    serving = Preview(archive, 0, log=lambda text: None)
    serving.start()
    try:
        yield serving
    finally:
        serving.stop()


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def wait_for_build(preview: Preview, after: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while preview.build_number <= after:
        assert time.monotonic() < deadline, "no rebuild after the edit"
        time.sleep(0.05)


def edit(root: Path, old: str, new: str) -> None:
    path = root / FEES
    path.write_text(path.read_text().replace(old, new, 1))


def test_served_pages_carry_the_reload_script_built_pages_do_not(preview: Preview) -> None:
    """Only the preview server adds /_archive/reload.js; the files it serves from stay clean."""
    status, page = fetch(preview.url + "statements/fees-2024-03-02/")
    assert status == 200
    assert '<script src="/_archive/reload.js" data-build="1" defer></script></body>' in page
    assert "reload.js" not in (preview.out / "statements/fees-2024-03-02/index.html").read_text()
    assert fetch(preview.url + "_archive/build-id") == (200, "1")
    assert fetch(preview.url + "static/style.css")[0] == 200
    assert 'href="' + preview.url in page, "links point at the preview, not at site.yaml's base_url"


def test_an_error_is_shown_then_clears_itself(preview: Preview, archive: Path) -> None:
    """A bad date: the banner names file and line over the last good page; fixing it removes it."""
    edit(archive, "date: 2024-03-02", "date: 2024-02-30")
    wait_for_build(preview, 1)
    status, page = fetch(preview.url + "statements/fees-2024-03-02/")
    assert status == 200, "the last good build is still served"
    assert 'id="archive-build-error" role="alert"' in page
    assert f"{FEES}:3: " in page and "Ministry comments on harbour fees" in page
    edit(archive, "date: 2024-02-30", "date: 2024-03-02")
    wait_for_build(preview, 2)
    status, page = fetch(preview.url + "statements/fees-2024-03-02/")
    assert "archive-build-error" not in page


def test_a_first_build_that_fails_still_serves_an_error_page(tmp_path: Path) -> None:
    """With no good build yet, every page is the error page, until the archive is fixed."""
    bad = dict(STATEMENTS)
    bad[FEES] = bad[FEES].replace("source: gazette", "source: nowhere")
    root = write_archive(tmp_path / "a", {**ENTITIES, **bad})
    serving = Preview(root, 0, log=lambda text: None)
    serving.start()
    try:
        status, page = fetch(serving.url)
        assert status == 500 and "could not be built" in page and "nowhere" in page
        (root / FEES).write_text((root / FEES).read_text().replace("source: nowhere", "source: gazette"))
        wait_for_build(serving, 1)
        status, page = fetch(serving.url)
        assert status == 200 and "Test Archive" in page
    finally:
        serving.stop()


def test_site_yaml_is_watched(preview: Preview, archive: Path) -> None:
    """Saving site.yaml rebuilds too, also when the editor saves by replacing the file."""
    replacement = archive / "site.yaml.tmp"
    replacement.write_text((archive / "site.yaml").read_text().replace("Test Archive", "Renamed Archive"))
    replacement.replace(archive / "site.yaml")
    wait_for_build(preview, 1)
    assert "Renamed Archive" in fetch(preview.url)[1]


def test_a_templates_folder_made_while_serving_is_watched(preview: Preview, archive: Path) -> None:
    """templates/ made after the preview started rebuilds the site, and a later edit in it too."""
    assert not (archive / "templates").exists()
    (archive / "templates").mkdir()
    page = archive / "templates" / "404.html"
    page.write_text('{% extends "base.html" %}{% block main %}<h1>Lost at sea</h1>{% endblock %}')
    wait_for_build(preview, 1)
    deadline = time.monotonic() + 20
    while "Lost at sea" not in fetch(preview.url + "404.html")[1]:
        assert time.monotonic() < deadline, "the new template was not used"
        time.sleep(0.1)
    built = preview.build_number
    time.sleep(0.5)  # the new folder's own watcher has started
    page.write_text('{% extends "base.html" %}{% block main %}<h1>Adrift</h1>{% endblock %}')
    wait_for_build(preview, built)
    deadline = time.monotonic() + 20
    while "Adrift" not in fetch(preview.url + "404.html")[1]:
        assert time.monotonic() < deadline, "an edit in the new folder was not seen"
        time.sleep(0.1)


def test_a_content_folder_deleted_and_made_again_is_watched(preview: Preview, archive: Path) -> None:
    """content/ moved away and a copy moved in (a restored backup) rebuilds, and an edit in the
    new folder rebuilds again: the watch on the old folder does not see it."""
    shutil.copytree(archive / "content", archive / "restored")
    (archive / "content").rename(archive / "old-content")
    (archive / "restored").rename(archive / "content")
    wait_for_build(preview, 1)
    deadline = time.monotonic() + 30
    title = "Ministry comments on harbour fees"
    for attempt in range(1000):  # the new folder's watcher starts after the rebuild: edit till seen
        edit(archive, f"title: {title}", f"title: Quayside fees {attempt}")
        title = f"Quayside fees {attempt}"
        time.sleep(1)
        if title in fetch(preview.url + "statements/fees-2024-03-02/")[1]:
            break
        assert time.monotonic() < deadline, "an edit in the new content/ was not seen"


def test_serve_without_site_yaml_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`archive serve --root` on a folder without site.yaml exits 2 with one line."""
    assert run("serve", "--root", str(tmp_path), "--port", "0") == 2
    assert "no site.yaml" in capsys.readouterr().err


def test_the_open_tab_reloads_after_an_edit(preview: Preview, archive: Path) -> None:
    """In Chromium: edit a title, the open page shows it; break the file, the banner shows; fix, it goes."""
    with chromium() as browser:
        tab = browser.new_page()
        tab.goto(preview.url + "statements/fees-2024-03-02/")
        assert tab.locator("h1").inner_text() == "Ministry comments on harbour fees"
        edit(archive, "title: Ministry comments on harbour fees", "title: Ministry revises harbour fees")
        tab.locator("h1", has_text="Ministry revises harbour fees").wait_for(timeout=20000)
        edit(archive, "date: 2024-03-02", "date: 2024-13-02")
        banner = tab.locator("#archive-build-error")
        banner.wait_for(timeout=20000)
        assert "fees-2024-03-02.md:3" in banner.inner_text()
        assert tab.locator("h1").inner_text() == "Ministry revises harbour fees"
        edit(archive, "date: 2024-13-02", "date: 2024-03-02")
        banner.wait_for(state="detached", timeout=20000)


def test_serve_stopped_with_sigterm_cleans_up(archive: Path, tmp_path: Path) -> None:
    """`kill` (SIGTERM) stops the preview as Ctrl-C does: its temporary site is removed."""
    import os
    import signal
    import subprocess
    import sys

    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", "--root", str(archive), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    try:
        assert process.stdout is not None
        while not (line := process.stdout.readline()).startswith("Serving"):
            assert line, "the preview did not start"
        assert list(temp.glob("archive-serve-*"))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not list(temp.glob("archive-serve-*"))
