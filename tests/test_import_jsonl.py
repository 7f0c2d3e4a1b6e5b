"""JSON Lines bulk imports: every line a document, bad lines refused by number, re-runs skip."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from builder.content import load_archive
from builder.errors import ERROR
from builder.importer.store import split_front_matter

from .conftest import SHARED, run, tree, write_archive

CORPUS = SHARED / "corpus"
LINES = 150  # per corpus file: enough for every kind of record, fast enough for the suite


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_archive(
        tmp_path / "archive",
        {
            "content/entities/kcna.md": "---\nname: Korean Central News Agency\ntype: publication\naliases: [KCNA]\n---\n"
        },
    )


def record(**fields: object) -> str:
    base = {
        "title": "Notice on the harbour",
        "date": "2020-01-02",
        "source": "KCNA",
        "body": "The harbour is closed.\n\nIt opens again in spring.",
    }
    base.update(fields)
    return json.dumps(base, ensure_ascii=False)


def only_statement(root: Path) -> tuple[dict, str]:
    paths = list(root.glob("content/statements/*/*.md"))
    assert len(paths) == 1
    split = split_front_matter(paths[0].read_text(encoding="utf-8"))
    assert split is not None
    return split.data, split.body


def test_record_becomes_statement_with_its_line_as_capture(root: Path, tmp_path: Path) -> None:
    """A record's fields fill the statement; the line's own bytes are its capture."""
    line = record(
        speaker="Spokesman for the Foreign Ministry",
        url="http://kcna.example/item/1.html",
        lang="en",
        body="Pyongyang, January 2 (KCNA) -- The harbour is closed.\n\nIt opens again in spring.",
    )
    path = tmp_path / "docs.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    assert run("import", str(path), "--root", str(root)) == 0
    data, body = only_statement(root)
    assert data["title"] == "Notice on the harbour"
    assert data["date"] == "2020-01-02"
    assert data["source"] == "kcna"
    assert data["speaker"] == "Spokesman for the Foreign Ministry"
    assert data["source_url"] == "http://kcna.example/item/1.html"
    assert body == "Pyongyang, January 2 (KCNA) -- The harbour is closed.\n\nIt opens again in spring."
    capture = root / "content" / data["captures"][0]["file"]
    assert capture.suffix == ".json" and capture.read_bytes() == line.encode("utf-8")


def test_bad_lines_are_refused_by_number_and_the_rest_imports(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Broken JSON, a non-object, a missing body and a bad field type are each refused with their line."""
    path = tmp_path / "docs.jsonl"
    path.write_text(
        "\n".join(
            [
                record(title="First good one"),
                '{"title": "broken", "date": ',
                "[1, 2, 3]",
                record(title="No body", body=""),
                "",
                record(title=["not", "text"]),
                record(title="Second good one", body="Another text entirely."),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert run("import", str(path), "--root", str(root)) == 1
    err = capsys.readouterr().err
    assert f"{path}:2: not valid JSON" in err
    assert f"{path}:3: the line is not a JSON object" in err
    assert f"{path}:4: the document has no 'body' text" in err
    assert f"{path}:6: 'title' must be text, not list" in err
    assert "Traceback" not in err
    assert len(list(root.glob("content/statements/2020/*.md"))) == 2


def test_one_date_for_several_records_is_refused_before_importing(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--date would give every record of a file the same day (a speech of 1947 and one of
    2015 alike): with more than one document it is refused, exit 2, nothing written."""
    path = tmp_path / "speeches.jsonl"
    path.write_text(
        record(date=None, year=1947, title="Speech of 1947")
        + "\n"
        + record(date="2015-10-01", title="Speech of 2015")
        + "\n",
        encoding="utf-8",
    )
    assert run("import", str(path), "--root", str(root), "--date", "2000-01-01") == 2
    assert "--date gives every document one day, but the input holds 2 documents" in capsys.readouterr().err
    assert not list(root.glob("content/statements/*/*.md"))


def test_year_without_day_is_refused_unless_date_given(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A record with date null and only a `year` is not imported; --date makes it importable."""
    path = tmp_path / "speech.jsonl"
    path.write_text(
        record(date=None, year=2001, title="Statement by Arden in the General Debate") + "\n",
        encoding="utf-8",
    )
    assert run("import", str(path), "--root", str(root)) == 1
    err = capsys.readouterr().err
    assert "only the year (2001) is known, not the day" in err and "--date" in err
    assert run("import", str(path), "--root", str(root), "--date", "2001-11-10") == 0
    data, _ = only_statement(root)
    assert data["date"] == "2001-11-10"


def test_record_date_that_is_no_day_is_refused(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A `date` like 2019-02-30 or 20240101 is reported as such on its line, never repaired,
    nor replaced by a day the text names."""
    path = tmp_path / "docs.jsonl"
    body = "On January 2 the harbour closed.\n\nIt opens again in spring."
    path.write_text(
        record(date="2019-02-30") + "\n" + record(date=20240101, body=body) + "\n", encoding="utf-8"
    )
    assert run("import", str(path), "--root", str(root)) == 1
    err = capsys.readouterr().err
    assert f"{path}:1: 'date' is \"2019-02-30\", not a real day written YYYY-MM-DD" in err
    assert f"{path}:2: 'date' is 20240101, not a real day" in err
    assert not list(root.glob("content/statements/*/*.md"))
    path.write_text(record(date="12/03/2024") + "\n", encoding="utf-8")
    assert run("import", str(path), "--root", str(root), "--date", "2024-03-12") == 0  # --date overrides
    data, _ = only_statement(root)
    assert data["date"] == "2024-03-12"


def test_a_byte_order_mark_is_read_past(root: Path, tmp_path: Path) -> None:
    """A file saved as "UTF-8 with BOM" (Windows editors) imports like any other."""
    path = tmp_path / "docs.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + record().encode("utf-8") + b"\r\n")
    assert run("import", str(path), "--root", str(root)) == 0
    data, _ = only_statement(root)
    assert data["title"] == "Notice on the harbour"


def test_id_with_many_documents_is_a_usage_error(root: Path, tmp_path: Path) -> None:
    """--id names one statement, so a file of several documents with --id is refused up front."""
    path = tmp_path / "docs.jsonl"
    path.write_text(record() + "\n" + record(title="Other", body="Other text.") + "\n", encoding="utf-8")
    assert run("import", str(path), "--root", str(root), "--id", "harbour-notice") == 2
    assert not (root / "content" / "statements").exists()


def corpus_sample(tmp_path: Path) -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"../shared not present: {CORPUS}")
    samples = []
    for name in ("kcna-co-jp.jsonl", "kcna-kp.jsonl", "ungdc.jsonl"):
        with (CORPUS / name).open("rb") as handle:
            lines = list(itertools.islice(handle, LINES))
        sample = tmp_path / name
        sample.write_bytes(b"".join(lines))
        samples.append(sample)
    return samples


def test_bulk_corpus_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The corpus imports in bulk; undated UN speeches are refused with the reason; the archive loads cleanly."""
    samples = corpus_sample(tmp_path)
    root = write_archive(tmp_path / "archive", {})
    (root / "content").mkdir()
    undated = sum(
        1 for line in samples[2].read_text(encoding="utf-8").splitlines() if json.loads(line)["date"] is None
    )
    assert run("import", *map(str, samples), "--root", str(root), "--create-source", "--quiet") == 1
    out, err = capsys.readouterr()
    assert f"{3 * LINES - undated} imported" in out and f"{undated} refused" in out
    assert err.count("only the year") == undated
    archive, problems = load_archive(root)
    assert [str(p) for p in problems if p.severity == ERROR] == []
    assert len(archive.statements) == 3 * LINES - undated
    assert {e.name for e in archive.entities.values()} == {
        "Korean Central News Agency",
        "United Nations General Assembly",
    }
    kinds = {s.kind for s in archive.statements.values()}
    assert {"statement", "article"} <= kinds
    before = tree(root)
    assert run("import", *map(str, samples), "--root", str(root), "--create-source", "--quiet") == 1
    assert f"{3 * LINES - undated} skipped" in capsys.readouterr().out
    assert tree(root) == before


def test_bulk_import_builds_into_a_site(tmp_path: Path) -> None:
    """An archive made by a bulk import of the corpus builds into a site with a page per statement."""
    build_module = pytest.importorskip("builder.build", reason="the build stage is not installed yet")
    samples = corpus_sample(tmp_path)
    root = write_archive(tmp_path / "archive", {})
    (root / "content").mkdir()
    run("import", str(samples[1]), "--root", str(root), "--create-source", "--quiet")
    result = build_module.build(root, None, search=False)
    assert not [p for p in result.problems if p.severity == ERROR]
    assert len(list((root / "_site").rglob("index.html"))) > LINES


def test_unsafe_url_and_odd_language_are_left_out(root: Path, tmp_path: Path) -> None:
    """A javascript: url and a language that is no language code never reach the front matter."""
    path = tmp_path / "docs.jsonl"
    path.write_text(record(url="javascript:alert(1)", lang="English!") + "\n", encoding="utf-8")
    assert run("import", str(path), "--root", str(root)) == 0
    data, _ = only_statement(root)
    assert "source_url" not in data and "language" not in data
    _, problems = load_archive(root)
    assert [p for p in problems if p.severity == ERROR] == []


def test_a_records_source_may_be_a_publications_id(root: Path, tmp_path: Path) -> None:
    """`"source": "tessin-herald"` (the entity's id, as the refusal's hint lists it) finds the
    publication named "The Herald of Tessin"."""
    (root / "content/entities/tessin-herald.md").write_text(
        "---\nname: The Herald of Tessin\ntype: publication\n---\n", encoding="utf-8"
    )
    path = tmp_path / "docs.jsonl"
    path.write_text(record(source="tessin-herald") + "\n", encoding="utf-8")
    assert run("import", str(path), "--root", str(root)) == 0
    data, _ = only_statement(root)
    assert data["source"] == "tessin-herald"


@pytest.mark.parametrize(
    "body",
    [
        "The harbour is closed.\r\n\r\nIt opens again in spring.\r\n\r\nShips wait outside.",
        "The harbour is closed.\nIt opens again in spring.\nShips wait outside.",
        "The harbour is closed.\r\nIt opens again in spring.\n\n\nShips wait outside.\n",
    ],
)
def test_a_body_keeps_its_paragraphs_whatever_the_line_breaks(root: Path, tmp_path: Path, body: str) -> None:
    """Windows line breaks and single newlines separate paragraphs, as in a text capture."""
    path = tmp_path / "docs.jsonl"
    path.write_text(record(body=body) + "\n", encoding="utf-8")
    assert run("import", str(path), "--root", str(root)) == 0
    _, written = only_statement(root)
    assert written == "The harbour is closed.\n\nIt opens again in spring.\n\nShips wait outside."


def test_kcnas_end_marker_closing_a_body_is_left_out(root: Path, tmp_path: Path) -> None:
    """A record's body ending "… in spring. -0-" ends "… in spring."."""
    path = tmp_path / "docs.jsonl"
    path.write_text(
        record(body="The harbour is closed.\n\nIt opens again in spring. -0-") + "\n", encoding="utf-8"
    )
    assert run("import", str(path), "--root", str(root)) == 0
    assert only_statement(root)[1] == "The harbour is closed.\n\nIt opens again in spring."
