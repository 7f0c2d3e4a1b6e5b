"""`archive import` of plain-text captures: what a maintainer sees in the archive afterwards."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest

from builder import importer
from builder.content import load_archive
from builder.errors import ERROR
from builder.importer.store import split_front_matter
from builder.wordiff import word_diff_html

from .conftest import SHARED, run, tree, write_archive

FIXTURES = Path(__file__).parent / "fixtures" / "import"
REAL = SHARED / "captures" / "000_ec23bf7c69f42157.txt"
REAL_ID = "statement-spokesman-dprk-foreign-ministry-2019-11-17"

ENTITIES = {
    "content/entities/publications/pyongyang-times.md": """\
        ---
        name: The Pyongyang Times
        type: publication
        aliases: [Pyongyang Times]
        ---
        """,
    "content/entities/publications/kcna.md": """\
        ---
        name: Korean Central News Agency
        type: publication
        aliases: [KCNA]
        ---
        """,
    "content/entities/publications/tessin-herald.md": """\
        ---
        name: Tessin Herald
        type: publication
        ---
        """,
    "content/entities/countries/dprk.md": """\
        ---
        name: Democratic People's Republic of Korea
        type: country
        aliases: [DPRK]
        ---
        """,
    "content/entities/organizations/icc.md": """\
        ---
        name: International Criminal Court
        type: organization
        ---
        """,
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An archive with publications and a few entities, and no statements yet."""
    return write_archive(tmp_path / "archive", ENTITIES)


@pytest.fixture
def real_capture() -> Path:
    if not REAL.is_file():
        pytest.skip(f"../shared not present: {REAL}")
    return REAL


def statement(root: Path, statement_id: str) -> tuple[dict, str]:
    path = next(root.glob(f"content/statements/*/{statement_id}.md"))
    split = split_front_matter(path.read_text(encoding="utf-8"))
    assert split is not None
    return split.data, split.body


def imported_text(root: Path, capture: Path, text: str, *options: str) -> tuple[dict, str]:
    """Write a text capture, import it (it must be imported) and read back its one statement."""
    capture.write_text(text, encoding="utf-8")
    assert run("import", str(capture), "--root", str(root), *options) == 0
    (path,) = root.glob("content/statements/*/*.md")
    return statement(root, path.stem)


def paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def no_errors(root: Path) -> None:
    _, problems = load_archive(root)
    errors = [str(p) for p in problems if p.severity == ERROR]
    assert errors == []


def test_real_capture_becomes_the_statement_alone(root: Path, real_capture: Path) -> None:
    """The Pyongyang Times capture imports with --year into the thirteen paragraphs, dated 2019-11-17."""
    assert run("import", str(real_capture), "--root", str(root), "--year", "2019") == 0
    data, body = statement(root, REAL_ID)
    assert data["date"] == "2019-11-17"
    assert data["kind"] == "statement"
    assert data["speaker"] == "Spokesman for the DPRK Foreign Ministry"
    assert data["source"] == "pyongyang-times"
    lines = real_capture.read_text(encoding="utf-8").splitlines()
    assert paragraphs(body) == lines[:13]
    assert paragraphs(body)[0].startswith("A spokesman for the DPRK Foreign Ministry")
    assert paragraphs(body)[-1].endswith("the so-called International Criminal Court.")
    for teaser_word in ("More From", "February 02, 2026", "Medvedev", "More Articles"):
        assert teaser_word not in body
    no_errors(root)


def test_real_capture_is_kept_byte_for_byte(root: Path, real_capture: Path) -> None:
    """The original capture is under content/captures/ with its SHA-256, listed in `captures`."""
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    data, _ = statement(root, REAL_ID)
    sha = hashlib.sha256(real_capture.read_bytes()).hexdigest()
    assert data["captures"] == [{"sha256": sha, "file": f"captures/2019/{sha}.txt"}]
    assert (root / "content" / data["captures"][0]["file"]).read_bytes() == real_capture.read_bytes()
    assert "retrieved" not in data  # a .txt file's mtime proves nothing


def test_real_capture_without_year_is_refused(
    root: Path, real_capture: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a year the capture is refused, and the message names --year and --date."""
    assert run("import", str(real_capture), "--root", str(root)) == 1
    err = capsys.readouterr().err
    assert "--year" in err and "--date" in err and "Nov. 17" in err
    assert not (root / "content" / "statements").exists()


def test_teaser_dates_never_date_the_statement(root: Path, real_capture: Path) -> None:
    """The list's dates (February 2026) are leads' dates, not the statement's."""
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    assert not list(root.glob("content/statements/2026/*"))


def test_leads_are_reported_and_written_as_csv(
    root: Path, real_capture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The teasers appear in the report and in the --leads CSV (text, date, capture), each once."""
    leads = tmp_path / "leads.csv"
    run("import", str(real_capture), "--root", str(root), "--year", "2019", "--leads", str(leads))
    out = capsys.readouterr().out
    assert "leads: 20 teaser(s)" in out
    rows = list(csv.DictReader(leads.open(encoding="utf-8")))
    assert len(rows) == 20
    assert rows[0]["text"].startswith("Russian President Vladimir Putin in a letter on January 27")
    assert rows[0]["date"] == "2026-02-02" and rows[-1]["date"] == "2026-01-31"
    assert rows[0]["capture"] == str(real_capture)
    assert not list(root.glob("content/statements/*/*putin*"))


@pytest.mark.parametrize("where", ["a folder", "a missing folder"])
def test_a_leads_file_that_cannot_be_written_is_refused_before_importing(
    root: Path, real_capture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """--leads naming a folder, or a file in no folder, stops the import before it starts
    (afterwards the capture would be in the archive and its leads lost), creating nothing."""
    leads = tmp_path if where == "a folder" else tmp_path / "nowhere" / "leads.csv"
    before = tree(root)
    assert run("import", str(real_capture), "--root", str(root), "--year", "2019", "--leads", str(leads)) == 2
    assert f"--leads {leads}" in capsys.readouterr().err
    assert tree(root) == before and not (tmp_path / "nowhere").exists()


def test_a_failed_write_keeps_nothing_of_the_document(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """When the statement cannot be written, the capture and the new publication written
    before it are removed (a build would publish the capture alone), and the message names
    the folder; the next document still imports."""
    import errno

    from builder.importer import apply

    capture = tmp_path / "capture.txt"
    capture.write_text(
        "Pyongyang Times\n\nNov. 17 — A spokesman for the DPRK Foreign Ministry issued the following "
        "statement on Nov. 17.\n\nThe resolution is a provocation.\n",
        encoding="utf-8",
    )
    real_write = apply.write_atomic

    def refusing(path: Path, data: bytes) -> None:
        if "statements" in path.parts:
            raise PermissionError(errno.EACCES, "Permission denied", str(path.parent / f".{path.name}.tmp"))
        real_write(path, data)

    monkeypatch.setattr(apply, "write_atomic", refusing)
    before = tree(root)
    args = (
        "import",
        str(capture),
        "--root",
        str(root),
        "--year",
        "2019",
        "--source",
        "new-paper",
        "--create-source",
    )
    assert run(*args) == 1
    err = capsys.readouterr().err
    assert "could not write the files in" in err and "content/statements/2019" in err
    assert tree(root) == before
    monkeypatch.setattr(apply, "write_atomic", real_write)
    assert run(*args) == 0
    assert (root / "content/entities/publications/new-paper.md").is_file()


@pytest.mark.parametrize("kind", ["utf-16", "pipe"])
def test_files_that_are_no_text_are_refused_saying_what_they_are(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """A UTF-16 capture is refused as UTF-16 (not as "binary"); a named pipe is refused, not
    read for ever."""
    import os

    path = tmp_path / "capture.txt"
    if kind == "pipe":
        os.mkfifo(path)
    else:
        path.write_bytes("Pyongyang, November 17 (KCNA) -- A statement.".encode("utf-16"))
    assert run("import", str(path), "--root", str(root), "--year", "2019") == 1
    expected = "the file is UTF-16 text (save it as UTF-8)" if kind == "utf-16" else "not a regular file"
    assert expected in capsys.readouterr().err


def test_reimport_is_skipped(root: Path, real_capture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Importing the same capture again writes nothing and says it was already there."""
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    before = tree(root)
    capsys.readouterr()
    assert run("import", str(real_capture), "--root", str(root), "--year", "2019") == 0
    assert tree(root) == before
    assert f"skipped   {real_capture}: already in the archive as '{REAL_ID}'" in capsys.readouterr().out


def test_same_text_in_other_bytes_is_skipped(root: Path, real_capture: Path, tmp_path: Path) -> None:
    """A copy with other line endings (other bytes, same text) is recognised as a re-import."""
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    before = tree(root)
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(real_capture.read_bytes().replace(b"\n", b"\r\n"))
    assert run("import", str(crlf), "--root", str(root), "--year", "2019") == 0
    assert tree(root) == before


def changed_capture(real_capture: Path, tmp_path: Path) -> Path:
    text = real_capture.read_text(encoding="utf-8").replace(
        "Therefore, we have no willingness to meet such dialogue partner.",
        "Therefore, we have no desire at all to meet such a dialogue partner.",
    )
    path = tmp_path / "second-capture.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_changed_capture_becomes_version_two(root: Path, real_capture: Path, tmp_path: Path) -> None:
    """A second capture with one sentence changed is version 2; the old text is kept as version 1."""
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    _, old_body = statement(root, REAL_ID)
    second = changed_capture(real_capture, tmp_path)
    assert run("import", str(second), "--root", str(root), "--year", "2019") == 0
    data, new_body = statement(root, REAL_ID)
    assert len(list(root.glob("content/statements/*/*.md"))) == 1
    assert "no desire at all" in new_body
    assert [c["sha256"] for c in data["captures"]] == [
        hashlib.sha256(real_capture.read_bytes()).hexdigest(),
        hashlib.sha256(second.read_bytes()).hexdigest(),
    ]
    version = split_front_matter((root / f"content/versions/{REAL_ID}/v1.md").read_text(encoding="utf-8"))
    assert version is not None
    assert version.data["statement"] == REAL_ID and version.data["version"] == 1
    assert version.data["sha256"] == data["captures"][0]["sha256"]
    assert version.body.strip() == old_body.strip()
    archive, problems = load_archive(root)
    assert [p for p in problems if p.severity == ERROR] == []
    assert [v.number for v in archive.versions[REAL_ID]] == [1]


def test_version_diff_shows_exactly_the_changed_sentence(
    root: Path, real_capture: Path, tmp_path: Path
) -> None:
    """The word diff between version 1 and 2 marks only the changed words of that sentence."""
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    run("import", str(changed_capture(real_capture, tmp_path)), "--root", str(root), "--year", "2019")
    old = split_front_matter((root / f"content/versions/{REAL_ID}/v1.md").read_text(encoding="utf-8"))
    _, new_body = statement(root, REAL_ID)
    diff = word_diff_html(old.body, new_body)
    changed = [line for line in diff.split("\n") if "<del>" in line or "<ins>" in line]
    assert changed == [
        "<p>Therefore, we have no <del>willingness</del> <ins>desire at all</ins> to meet such <ins>a</ins> dialogue partner.</p>"
    ]


def test_id_option_adds_a_version_to_that_statement(
    root: Path, real_capture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--id names the statement a differently titled capture is a new text of; the report
    says which of the capture's date and title the statement does not take (a wrong --id
    shows there)."""
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    capsys.readouterr()
    other = tmp_path / "other.txt"
    other.write_text(
        "The Pyongyang Times\nNovember 18, 2019\nThe statement was reissued with a new text.\n",
        encoding="utf-8",
    )
    assert run("import", str(other), "--root", str(root), "--id", REAL_ID) == 0
    data, body = statement(root, REAL_ID)
    assert body.strip() == "The statement was reissued with a new text."
    assert data["date"] == "2019-11-17"  # the statement keeps its date and title
    assert (root / f"content/versions/{REAL_ID}/v1.md").is_file()
    out = capsys.readouterr().out
    assert "the capture is dated 2019-11-18; the statement keeps its date 2019-11-17" in out


def test_force_replaces_after_a_backup(root: Path, real_capture: Path) -> None:
    """--force imports again over the existing statement; the old file is copied to content/.backup/."""
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    path = next(root.glob(f"content/statements/*/{REAL_ID}.md"))
    path.write_text(
        path.read_text(encoding="utf-8").replace("kind: statement", "kind: commentary"), encoding="utf-8"
    )
    edited = path.read_bytes()
    assert run("import", str(real_capture), "--root", str(root), "--year", "2019", "--force") == 0
    backup = root / f"content/.backup/0001/statements/2019/{REAL_ID}.md"
    assert backup.read_bytes() == edited
    data, _ = statement(root, REAL_ID)
    assert data["kind"] == "statement"
    assert len(data["captures"]) == 1
    no_errors(root)


def test_dry_run_writes_nothing_and_shows_the_files(
    root: Path, real_capture: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run leaves the archive as it was and prints the paths and front matter it would write."""
    before = tree(root)
    assert run("import", str(real_capture), "--root", str(root), "--year", "2019", "--dry-run") == 0
    assert tree(root) == before
    out = capsys.readouterr().out
    assert f"would import content/statements/2019/{REAL_ID}.md <- " in out and "imported " not in out
    assert f"--- would write content/statements/2019/{REAL_ID}.md" in out
    assert "title: Statement by a spokesman for the DPRK Foreign Ministry" in out
    assert "--- would write content/captures/2019/" in out
    assert "dry run: nothing was written" in out


def test_unknown_source_is_refused_with_the_option_to_pass(
    tmp_path: Path, real_capture: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A capture naming a publication the archive lacks is refused; the message names --source."""
    root = write_archive(tmp_path / "empty", {})
    (root / "content").mkdir()
    assert run("import", str(real_capture), "--root", str(root), "--year", "2019") == 1
    err = capsys.readouterr().err
    assert "no publication in the archive matches 'Pyongyang Times'" in err and "--source" in err


def test_create_source_adds_the_publication(tmp_path: Path, real_capture: Path) -> None:
    """--create-source writes a publication entity for the name the capture gives."""
    root = write_archive(tmp_path / "empty", {})
    (root / "content").mkdir()
    assert run("import", str(real_capture), "--root", str(root), "--year", "2019", "--create-source") == 0
    entity = split_front_matter(
        (root / "content/entities/publications/pyongyang-times.md").read_text(encoding="utf-8")
    )
    assert entity is not None and entity.data == {"name": "Pyongyang Times", "type": "publication"}
    data, _ = statement(root, REAL_ID)
    assert data["source"] == "pyongyang-times"
    no_errors(root)


def test_create_source_with_a_new_id_adds_that_publication(tmp_path: Path, real_capture: Path) -> None:
    """--source NEW-ID --create-source: the publication gets the id asked for, the capture's name."""
    root = write_archive(tmp_path / "empty", {})
    (root / "content").mkdir()
    args = ("--year", "2019", "--source", "pt", "--create-source")
    assert run("import", str(real_capture), "--root", str(root), *args) == 0
    entity = split_front_matter((root / "content/entities/publications/pt.md").read_text(encoding="utf-8"))
    assert entity is not None and entity.data == {"name": "Pyongyang Times", "type": "publication"}
    data, _ = statement(root, REAL_ID)
    assert data["source"] == "pt"
    no_errors(root)


def test_speaker_becomes_an_entity_id_when_the_archive_knows_it(root: Path, real_capture: Path) -> None:
    """A speaker matching an entity's name or alias is written as that entity's id."""
    (root / "content/entities/people/fm-spokesman.md").parent.mkdir(parents=True)
    (root / "content/entities/people/fm-spokesman.md").write_text(
        "---\nname: DPRK Foreign Ministry spokesman\ntype: person\n"
        "aliases: [Spokesman for the DPRK Foreign Ministry]\n---\n",
        encoding="utf-8",
    )
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    data, _ = statement(root, REAL_ID)
    assert data["speaker"] == "fm-spokesman"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Nachricht vom 17. November 2019 über Zölle.".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unreadable_captures_are_refused_without_traceback(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    """Binary and non-UTF-8 files are refused with a one-line reason (exit status 1)."""
    path = tmp_path / "capture.txt"
    path.write_bytes(content)
    assert run("import", str(path), "--root", str(root)) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_and_unknown_files_are_refused(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing path and a file of an unknown kind are each refused, by name."""
    odd = tmp_path / "scan.pdf"
    odd.write_bytes(b"%PDF-1.4")
    assert run("import", str(tmp_path / "nowhere.txt"), str(odd), "--root", str(root)) == 1
    err = capsys.readouterr().err
    assert "nowhere.txt: no such file or folder" in err
    assert "scan.pdf: '.pdf' is not a kind of file the importer reads" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--date", "2019-02-30"],
        ["--date", "17.11.2019"],
        ["--year", "19"],
        ["--source", "nonexistent"],
        ["--source", "dprk"],
        ["--id", "Not An Id"],
        ["--source", "../elsewhere", "--create-source"],
        ["--date", "2019-11-17", "--year", "2020"],
    ],
)
def test_usage_errors_exit_2(
    root: Path, real_capture: Path, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong option value is a usage error (exit status 2) that says what to write instead."""
    assert run("import", str(real_capture), "--root", str(root), *args) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
    assert not (root / "content" / "statements").exists()


def test_root_without_archive_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--root pointing at a folder with no archive is refused before anything is read."""
    assert run("import", "x.txt", "--root", str(tmp_path)) == 2
    assert "holds no archive" in capsys.readouterr().err


def test_headers_give_url_and_retrieved_and_lists_are_left_out(root: Path) -> None:
    """URL:/Retrieved: lines give provenance; Share/Print and the Related list stay out of the text."""
    assert run("import", str(FIXTURES / "related-capture.txt"), "--root", str(root)) == 0
    data, body = statement(root, "council-rejects-ministrys-demands-2021-03-05")
    assert data["title"] == "Council rejects the ministry's demands"
    assert data["source"] == "tessin-herald"
    assert data["source_url"] == "https://herald.example/2021/03/05/council-reply"
    assert data["retrieved"] == "2021-03-06"
    assert data["captures"][0]["retrieved"] == "2021-03-06"
    assert paragraphs(body) == [
        "The Straits Fisheries Council on Friday rejected the demands the Valdorian Foreign Ministry made in its statement of March 2.",
        "In a reply published on its website, the Council said that the quota figures were based on its own survey and would not be changed.",
        "The Council's chair is expected to meet the ministry's delegation next week.",
    ]


def test_teaser_list_without_heading_is_cut_off(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Date/teaser pairs after the text end it, even without a "More …" heading; KCNA is the source."""
    assert run("import", str(FIXTURES / "teaser-capture.txt"), "--root", str(root), "--year", "2019") == 0
    path = next(root.glob("content/statements/2019/*.md"))
    split = split_front_matter(path.read_text(encoding="utf-8"))
    assert split.data["date"] == "2019-11-20"
    assert split.data["source"] == "kcna"
    assert (
        paragraphs(split.body)[-1]
        == "It calls on all peace-loving people of the world to raise their voices against the drills."
    )
    assert "Vietnamese" not in split.body
    assert "2026-02-01  A tree nursery" in capsys.readouterr().out


def test_entities_are_filled_from_mentions(
    root: Path, real_capture: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The new statement lists the entities its text names, and the report prints them."""
    pytest.importorskip("builder.mentions")
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    data, _ = statement(root, REAL_ID)
    assert data["entities"] == ["dprk", "icc"]
    assert "entities found: dprk (" in capsys.readouterr().out


def test_interrupted_import_leaves_complete_files_and_resumes(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import stopped midway leaves whole files only; running it again finishes the job."""
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text(
        "".join(
            f'{{"title": "Notice number {n}", "date": "2020-01-{n:02d}", "source": "KCNA", '
            f'"body": "Text of notice {n} about the harbour."}}\n'
            for n in range(1, 6)
        ),
        encoding="utf-8",
    )
    real = importer.carry_out
    calls = {"n": 0}

    def stop_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "carry_out", stop_on_third)
    assert run("import", str(jsonl), "--root", str(root)) == 130
    assert len(list(root.glob("content/statements/2020/*.md"))) == 2
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]
    no_errors(root)
    monkeypatch.setattr(importer, "carry_out", real)
    assert run("import", str(jsonl), "--root", str(root)) == 0
    assert len(list(root.glob("content/statements/2020/*.md"))) == 5


def test_no_markup_from_a_capture_reaches_the_statement(root: Path, tmp_path: Path) -> None:
    """'<' in captured text is written as an entity and Markdown syntax is escaped: it renders as text."""
    from builder.markup import render_markdown

    capture = tmp_path / "hostile.txt"
    capture.write_text(
        "Source: Tessin Herald\nDate: 2020-03-05\n"
        "1. The readers wrote <script>alert(1)</script> and <img src=x onerror=alert(2)>.\n"
        "# Not a heading, and *not emphasis*, and [not a link](javascript:alert(3)).\n",
        encoding="utf-8",
    )
    assert run("import", str(capture), "--root", str(root)) == 0
    path = next(root.glob("content/statements/2020/*.md"))
    _, body = statement(root, path.stem)
    assert "<script" not in body and "<img" not in body
    html = render_markdown(body)
    assert "<script" not in html and "<img" not in html and "<h1" not in html and "<em>" not in html
    assert "<a " not in html
    text = re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert "1. The readers wrote <script>alert(1)</script>" in text
    assert "# Not a heading, and *not emphasis*, and [not a link](javascript:alert(3))." in text


def _variants(lines: list[str]) -> dict[str, list[str]]:
    """The real capture laid out as other sites and other ways of copying would lay it out."""
    import textwrap

    body, tail = lines[:13], lines[13:]
    teasers = [line for line in tail if line not in ("More From Pyongyang Times", "More Articles")]
    items = [teasers[i : i + 2] for i in range(0, len(teasers), 3)]  # (text, date), no repeat
    return {
        "headline and date line on top": [
            'DPRK FM Spokesman Denounces "Resolution"',
            "November 17, 2019",
            *body,
            *tail,
        ],
        "blank lines between paragraphs": [x for line in body for x in (line, "")] + tail,
        "text/date pairs, no heading": body + [x for item in items for x in item],
        "date/text pairs, no heading": body + [x for item in items for x in item[::-1]],
        "share buttons": ["Home", "Share", "Facebook", *body, "Share", "Print", *tail],
        "ticker above the headline": [
            "Latest",
            *items[0],
            "FM Spokesman on Resolution",
            "November 17, 2019",
            *body,
            *tail,
        ],
        "Related heading": [*body, "Related Articles", *teasers],
        "hard-wrapped at 60": [w for line in body for w in textwrap.wrap(line, 60)] + tail,
        "hard-wrapped, blank lines": [w for line in body for w in [*textwrap.wrap(line, 60), ""]] + tail,
    }


@pytest.mark.parametrize("layout", list(_variants([""] * 80)))
def test_other_layouts_of_the_capture_give_the_same_text(
    real_capture: Path, tmp_path: Path, root: Path, layout: str
) -> None:
    """Headlines, blank lines, wrapping, buttons and teaser lists laid out otherwise: same 13 paragraphs."""
    lines = real_capture.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "variant.txt"
    path.write_text("\n".join(_variants(lines)[layout]) + "\n", encoding="utf-8")
    assert run("import", str(path), "--root", str(root), "--year", "2019", "--source", "pyongyang-times") == 0
    created = next(root.glob("content/statements/*/*.md"))
    split = split_front_matter(created.read_text(encoding="utf-8"))
    assert split.data["date"] == "2019-11-17"
    assert paragraphs(split.body) == lines[:13]


def test_names_matching_no_entity_are_printed(
    root: Path, real_capture: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report lists capitalised names no entity has, as builder.suggest finds them."""
    import sys
    import types

    try:
        import builder.suggest  # noqa: F401
    except ImportError:  # not installed yet: stand in with the agreed interface

        def suggest_entities(texts, known_names, limit=50, min_count=2):
            words = re.findall(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", " ".join(texts))
            return [(w, words.count(w)) for w in sorted(set(words)) if w not in known_names][:limit]

        monkeypatch.setitem(
            sys.modules, "builder.suggest", types.SimpleNamespace(suggest_entities=suggest_entities)
        )
    run("import", str(real_capture), "--root", str(root), "--year", "2019")
    out = capsys.readouterr().out
    assert "names that match no entity: " in out
    assert "White House" in out.split("names that match no entity: ", 1)[1]


@pytest.mark.parametrize("kind", ["empty file", "empty folder"])
def test_nothing_to_import_is_said(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """An empty JSON Lines file or a folder without captures is no silent success."""
    if kind == "empty file":
        path = tmp_path / "docs.jsonl"
        path.write_text("\n", encoding="utf-8")
    else:
        path = tmp_path / "captures"
        path.mkdir()
    assert run("import", str(path), "--root", str(root)) == 1
    assert f"nothing to import: {path} holds no document" in capsys.readouterr().err


def test_content_s_control_characters_never_reach_the_terminal(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A record's source and a file's name are printed with their escape sequences (retitle,
    clipboard, clear) shown as codes; a capture's text, speaker and dry-run listing lose
    them, as the archive's loader would."""
    esc = "\x1b]0;PWNED\x07\x1b[2J\x1b[31m"
    text = tmp_path / f"name{esc}.txt"
    text.write_text(
        f"A spokesman for the {esc}Ministry issued the following statement on Nov. 17, 2019:\n\n"
        f"The harbour {esc}fees stand.\n",
        encoding="utf-8",
    )
    records = tmp_path / "records.jsonl"
    records.write_text(
        '{"title": "t", "date": "2019-11-20", "source": "nosuch\\u001b]52;c;cHduZWQ=\\u0007", "body": "b"}\n'
    )
    run("import", str(text), "--source", "tessin-herald", "--root", str(root))
    run("import", str(text), "--source", "kcna", "--dry-run", "--root", str(root))
    run("import", str(records), "--root", str(root))
    out, err = capsys.readouterr()
    assert "\\x1b]0;PWNED\\x07" in out and "\\x1b]52;c" in err  # the file's name, the record's source
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "speaker Spokesman for the Ministry" in out
    (path,) = root.glob("content/statements/2019/*.md")
    assert paragraphs(statement(root, path.stem)[1])[-1] == "The harbour fees stand."


def test_headline_right_above_the_dateline_is_the_title(root: Path, tmp_path: Path) -> None:
    """A headline copied with no blank line before "Pyongyang, November 17, 2019 (KCNA) --"
    is the title; the dateline dates the statement and its announcement gives the speaker."""
    data, body = imported_text(
        root,
        tmp_path / "headline.txt",
        "Spokesman for DPRK Foreign Ministry Slams U.S. Sanctions\n"
        "Pyongyang, November 17, 2019 (KCNA) -- A spokesman for the Foreign Ministry of the DPRK "
        "issued the following statement on Sunday:\n\n"
        "The U.S. announced new unilateral sanctions against the DPRK.\n\n"
        "This is a hostile act that cannot be tolerated.\n",
    )
    assert data["title"] == "Spokesman for DPRK Foreign Ministry Slams U.S. Sanctions"
    assert data["date"] == "2019-11-17"
    assert data["speaker"] == "Spokesman for the Foreign Ministry of the DPRK"
    assert paragraphs(body)[0].startswith("Pyongyang, November 17, 2019 (KCNA) -- A spokesman")


def test_a_juche_year_above_the_text_gives_the_year_of_the_day_it_names(root: Path, tmp_path: Path) -> None:
    """ "Juche 108 (2019)" on its own line and "on November 17" in the opening: 2019-11-17,
    and the report says where the year came from."""
    data, body = imported_text(
        root,
        tmp_path / "juche.txt",
        "Statement of Korea Asia-Pacific Peace Committee\n\nJuche 108 (2019)\n\n"
        "A spokesman for the Korea Asia-Pacific Peace Committee issued the following statement on November 17:\n\n"
        "The Japanese reactionaries must stop their hostile acts.\n",
        "--source",
        "kcna",
    )
    assert data["date"] == "2019-11-17"
    assert data["title"] == "Statement of Korea Asia-Pacific Peace Committee"
    assert "Juche" not in body


def test_invisible_characters_are_removed_from_text_and_title(root: Path, tmp_path: Path) -> None:
    """Soft hyphens, zero-width spaces, word joiners and BOMs inside words are dropped, so
    the words are found as written; paragraphs stay as they were."""
    data, body = imported_text(
        root,
        tmp_path / "invisible.txt",
        "Notice on the Ex\u00adport Ban\n\nNovember 17, 2019\n\n"
        "The prod\u00aduct is banned from ex\u200bport.\n\u200b\nThe har\u2060bour\ufeff is closed.\n",
        "--source",
        "kcna",
    )
    assert data["title"] == "Notice on the Export Ban"
    assert paragraphs(body) == ["The product is banned from export.", "The harbour is closed."]


def test_invisible_characters_are_removed_from_a_records_body(root: Path, tmp_path: Path) -> None:
    """JSON Lines records lose them too (saved pages lose them where their text is cleaned)."""
    path = tmp_path / "docs.jsonl"
    record = '{"title": "Ban\\u200b", "date": "2019-11-17", "body": "The prod\\u00aduct\\u2060 is banned."}'
    path.write_text(record + "\n", encoding="utf-8")
    assert run("import", str(path), "--root", str(root), "--source", "kcna") == 0
    (written,) = root.glob("content/statements/2019/*.md")
    data, body = statement(root, written.stem)
    assert (data["title"], paragraphs(body)) == ("Ban", ["The product is banned."])


MULTI = """\
    Retrieved: 2019-11-20
    URL: https://kcna.example/listing

    Spokesman for DPRK Foreign Ministry Slams U.S. Sanctions
    Pyongyang, November 17 (KCNA) -- A spokesman for the Foreign Ministry of the DPRK issued the following statement on Sunday:
    The U.S. announced new unilateral sanctions against the DPRK.
    This is a hostile act that cannot be tolerated.

    KCNA Commentary on Japan's Moves
    Pyongyang, November 18 (KCNA) -- Japan is stepping up its moves to become a military power.
    This is a dangerous attempt to revive militarism, a KCNA commentary says.

    Kim Jong Un Sends Greetings to Cuban Leader

    Pyongyang, November 19 (KCNA) -- Kim Jong Un sent a message of greeting to the Cuban leader.
    The message wished him success in his work.
    """


def test_a_capture_of_several_statements_imports_each(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each headline with a dateline under it starts a statement of its own: its lines are
    its capture, its first line is in the report; the capture's Retrieved line is every
    statement's, its URL only the first's."""
    import textwrap

    capture = tmp_path / "listing.txt"
    capture.write_text(textwrap.dedent(MULTI), encoding="utf-8")
    assert run("import", str(capture), "--root", str(root), "--year", "2019") == 0
    out = capsys.readouterr().out
    assert f"{capture}:1" in out and f"{capture}:9" in out and f"{capture}:13" in out
    found = {}
    for path in root.glob("content/statements/2019/*.md"):
        data, body = statement(root, path.stem)
        found[data["date"]] = (data, paragraphs(body))
    assert sorted(found) == ["2019-11-17", "2019-11-18", "2019-11-19"]
    data, body = found["2019-11-18"]
    assert data["title"] == "KCNA Commentary on Japan's Moves" and data["source"] == "kcna"
    assert data["retrieved"] == "2019-11-20" and "source_url" not in data
    assert body == [
        "Pyongyang, November 18 (KCNA) -- Japan is stepping up its moves to become a military power.",
        "This is a dangerous attempt to revive militarism, a KCNA commentary says.",
    ]
    assert (root / "content" / data["captures"][0]["file"]).read_text(encoding="utf-8") == "".join(
        textwrap.dedent(MULTI).splitlines(keepends=True)[8:12]
    )
    first, _ = found["2019-11-17"]
    assert first["title"] == "Spokesman for DPRK Foreign Ministry Slams U.S. Sanctions"
    assert first["source_url"] == "https://kcna.example/listing"
    assert found["2019-11-19"][0]["title"] == "Kim Jong Un Sends Greetings to Cuban Leader"


def test_id_for_a_capture_of_several_statements_is_a_usage_error(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--id names one statement: a capture holding three is refused before anything is written."""
    import textwrap

    capture = tmp_path / "listing.txt"
    capture.write_text(textwrap.dedent(MULTI), encoding="utf-8")
    before = tree(root)
    assert run("import", str(capture), "--root", str(root), "--year", "2019", "--id", "one") == 2
    assert "the input holds 3 documents" in capsys.readouterr().err
    assert tree(root) == before


def test_provenance_noted_below_the_text_is_read_as_provenance(root: Path, tmp_path: Path) -> None:
    """ "Retrieved:" and the page's address pasted under the copied text (a bare URL or
    "URL: …") are the capture's provenance, not the statement's last paragraph."""
    data, body = imported_text(
        root,
        tmp_path / "below.txt",
        "Statement of DPRK FM Spokesman\n\n"
        "A spokesman for the DPRK Foreign Ministry issued the following statement on 17 November 2019:\n\n"
        "The U.S. should stop its hostile policy.\n\n"
        "Retrieved: 2019-11-18\nhttp://www.kcna.kp/en/article/q/abc.kcmsf\n",
        "--source",
        "kcna",
    )
    assert str(data["retrieved"]) == "2019-11-18"
    assert data["source_url"] == "http://www.kcna.kp/en/article/q/abc.kcmsf"
    assert paragraphs(body)[-1] == "The U.S. should stop its hostile policy."
