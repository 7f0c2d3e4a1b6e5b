"""Data for researchers: JSON Lines, CSV, entities and the link graph load back to the archive."""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.content import load_archive
from builder.export import STATEMENT_FIELDS, csv_row, read_csv

from .conftest import ENTITIES, STATEMENTS, build, data_text, write_archive

HOSTILE = {
    "content/statements/2024/formula-2024-03-12.md": """\
        ---
        title: "=HYPERLINK(\\"https://evil.example\\",\\"click\\")"
        date: 2024-03-12
        source: gazette
        summary: "+1, -1, @sum and 'quoted'"
        tags: ["-tag", "a, b; c"]
        references: [{id: earlier-2023-12-30, type: refers-to}]
        ---
        - a list that starts the body

        Line two with "quotes", commas, and a tab\there.
        """,
    "content/statements/2023/earlier-2023-12-30.md": """\
        ---
        title: The year before
        date: 2023-12-30
        source: gazette
        ---
        Arden said nothing.
        """,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = write_archive(tmp_path_factory.mktemp("export") / "a", {**ENTITIES, **STATEMENTS, **HOSTILE})
    return root, build(root, "--base-url", "https://someone.github.io/archive/")


def as_statement_fields(s) -> dict:
    """What a statement's own file says, in the export's terms."""
    return {
        "id": s.id,
        "title": s.title,
        "date": s.date.isoformat(),
        "source": s.source,
        "kind": s.kind,
        "speaker": s.speaker,
        "entities": list(s.entities),
        "references": [{"id": r.id, "type": r.type} for r in s.references],
        "tags": list(s.tags),
        "summary": s.summary,
        "language": s.language,
        "source_url": s.source_url,
        "retrieved": s.retrieved.isoformat() if s.retrieved else None,
        "withdrawn": s.withdrawn.isoformat() if s.withdrawn else None,
        "annotations": [
            {"quote": a.quote, "note": a.note, "occurrence": a.occurrence} for a in s.annotations
        ],
        "body": s.body,
    }


def jsonl_records(site: Path) -> list[dict]:
    """Every statement record, the parts read in the order data/index.json lists them."""
    parts = json.loads((site / "data/index.json").read_text())["statements"]
    return [json.loads(line) for p in parts for line in data_text(_local(site, p["jsonl"])).splitlines()]


def _local(site: Path, url: str) -> Path:
    return site / url.removeprefix("https://someone.github.io/archive/")


def test_jsonl_loads_back_to_the_statements(built: tuple[Path, Path]) -> None:
    """Every statement is one JSON line holding every front-matter field and the body, oldest
    first across the parts."""
    root, site = built
    archive, _ = load_archive(root)
    records = jsonl_records(site)
    assert [r["id"] for r in records] == sorted(
        archive.statements, key=lambda i: (archive.statements[i].date, i)
    )
    for record in records:
        assert list(record) == list(STATEMENT_FIELDS)
        expected = as_statement_fields(archive.statements[record["id"]])
        assert {k: record[k] for k in expected} == expected
        assert record["url"] == f"https://someone.github.io/archive/statements/{record['id']}/"


def test_statements_come_one_file_a_year(built: tuple[Path, Path]) -> None:
    """data/index.json lists a JSON Lines and a CSV file per year, with its count and first and
    last days; each file holds that year's statements only; nothing else is in the folder."""
    _, site = built
    parts = json.loads((site / "data/index.json").read_text())["statements"]
    assert [(p["part"], p["count"], p["first"], p["last"]) for p in parts] == [
        ("2023", 1, "2023-12-30", "2023-12-30"),
        ("2024", 4, "2024-03-02", "2024-03-12"),
    ]
    for part in parts:
        lines = data_text(_local(site, part["jsonl"])).splitlines()
        assert [json.loads(line)["date"][:4] for line in lines] == [part["part"]] * part["count"]
    assert sorted(p.name for p in (site / "data/statements").iterdir()) == [
        "2023.csv.gz", "2023.jsonl.gz", "2024.csv.gz", "2024.jsonl.gz",
    ]  # fmt: skip


def test_a_year_of_many_statements_comes_by_month(built: tuple[Path, Path], monkeypatch) -> None:
    """A year with more than PART_LIMIT statements is split into its months, in order; the
    other years stay whole."""
    from builder import export

    root, _ = built
    archive, _ = load_archive(root)
    chronological = sorted(archive.statements, key=lambda i: (archive.statements[i].date, i))
    monkeypatch.setattr(export, "PART_LIMIT", 3)
    parts = export.statement_parts(archive, chronological)
    assert [(p.name, len(p.ids)) for p in parts] == [("2023", 1), ("2024-03", 4)]
    assert [i for p in parts for i in p.ids] == chronological
    monkeypatch.setattr(export, "PART_LIMIT", 0)
    assert [p.name for p in export.statement_parts(archive, chronological)] == ["2023-12", "2024-03"]


def _csv_parts(site: Path) -> list[Path]:
    return sorted((site / "data/statements").glob("*.csv.gz"))


def test_csv_loads_back_to_the_same_records(built: tuple[Path, Path]) -> None:
    """Each CSV part read back (one leading ' stripped) equals its JSON Lines part, field for field."""
    _, site = built
    assert len(_csv_parts(site)) == 2
    for path in _csv_parts(site):
        lines = data_text(path.with_name(path.name.replace(".csv.gz", ".jsonl.gz"))).splitlines()
        assert list(read_csv(path)) == [json.loads(line) for line in lines]


def test_csv_cells_never_start_a_formula(built: tuple[Path, Path]) -> None:
    """A spreadsheet opening the CSV sees no cell starting with = + - @ (they get a leading ')."""
    _, site = built
    rows = []
    for path in _csv_parts(site):
        part = list(csv.reader(io.StringIO(data_text(path), newline="")))
        assert part[0] == list(STATEMENT_FIELDS)
        rows += part[1:]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    formula = next(r for r in rows if r[0] == "formula-2024-03-12")
    assert formula[STATEMENT_FIELDS.index("title")].startswith("'=HYPERLINK")
    assert formula[STATEMENT_FIELDS.index("body")].startswith("'- a list")


def test_entities_json(built: tuple[Path, Path]) -> None:
    """entities.json lists every entity with its fields and how many statements name it."""
    _, site = built
    entities = {e["id"]: e for e in json.loads((site / "data/entities.json").read_text())["entities"]}
    assert sorted(entities) == ["arden", "council", "gazette"]
    assert entities["arden"]["aliases"] == ["Arden"] and entities["arden"]["type"] == "country"
    assert entities["council"]["statements"] == 2
    assert entities["gazette"]["published"] == 5
    assert entities["gazette"]["url"] == "https://someone.github.io/archive/entities/gazette/"


def test_graph_links_statements_entities_and_days(built: tuple[Path, Path]) -> None:
    """A graph a year: every link of a part joins two nodes of that part (a statement of
    another year it refers to, too); the parts' nodes agree; references, mentions, sources
    and days are there; each statement's links are in its year's part only."""
    _, site = built
    parts = json.loads((site / "data/index.json").read_text())["statements"]
    nodes: dict[str, dict] = {}
    links: list[dict] = []
    for part in parts:
        graph = json.loads(_local(site, part["graph"]).read_text())
        assert graph["directed"] and graph["multigraph"] and graph["graph"]["part"] == part["part"]
        own = {n["id"]: n for n in graph["nodes"]}
        for link in graph["links"]:
            assert link["source"] in own and link["target"] in own, link
            assert own[link["source"]]["date"][:4] == part["part"], link
        for node_id, node in own.items():
            assert nodes.setdefault(node_id, node) == node
        links += graph["links"]
    assert (
        {"statement", "entity", "day"}
        <= {n["type"] for n in nodes.values()}
        <= {"statement", "entity", "day", "month"}
    )
    kinds = [(l["source"], l["target"], l["kind"]) for l in links]  # noqa: E741
    assert len(kinds) == len(set(kinds))
    assert ("statement:reply-2024-03-09", "statement:fees-2024-03-02", "responds-to") in kinds
    assert ("statement:formula-2024-03-12", "statement:earlier-2023-12-30", "refers-to") in kinds
    assert ("statement:fees-2024-03-02", "entity:council", "tagged") in kinds
    assert ("statement:fees-2024-03-02", "entity:arden", "mentions") in kinds
    assert ("statement:fees-2024-03-02", "entity:gazette", "published-by") in kinds
    assert ("statement:earlier-2023-12-30", "entity:gazette", "published-by") in kinds
    assert ("statement:fees-2024-03-02", "day:2024-03-02", "issued-on") in kinds
    assert ("statement:fees-2024-03-02", "day:2024-02-27", "mentions-day") in kinds
    assert nodes["day:2024-03-02"]["url"] == "https://someone.github.io/archive/dates/2024/03/02/"
    assert nodes["entity:arden"] == {
        "id": "entity:arden", "type": "entity", "label": "Republic of Arden", "entity_type": "country",
        "wikidata": None, "url": "https://someone.github.io/archive/entities/arden/",
    }  # fmt: skip


def test_a_small_archive_also_comes_in_one_file_each(built: tuple[Path, Path]) -> None:
    """Up to PART_LIMIT statements, data/statements.jsonl, .csv and data/graph.json hold the
    whole archive: the parts' records in order, and the parts' graphs composed."""
    _, site = built
    index = json.loads((site / "data/index.json").read_text())
    whole = index["whole"]
    assert (whole["count"], whole["first"], whole["last"]) == (5, "2023-12-30", "2024-03-12")
    assert [_local(site, whole[k]).relative_to(site).as_posix() for k in ("jsonl", "csv", "graph")] == [
        "data/statements.jsonl", "data/statements.csv", "data/graph.json",
    ]  # fmt: skip
    parts = index["statements"]
    jsonl = "".join(data_text(_local(site, p["jsonl"])) for p in parts)
    assert (site / "data/statements.jsonl").read_text() == jsonl
    assert list(read_csv(site / "data/statements.csv")) == jsonl_records(site)
    graph = json.loads((site / "data/graph.json").read_text())
    assert graph["graph"] == {"name": "Test Archive", "url": "https://someone.github.io/archive/"}
    composed = [json.loads(_local(site, p["graph"]).read_text()) for p in parts]
    assert sorted(graph["nodes"], key=lambda n: n["id"]) == sorted(
        {n["id"]: n for g in composed for n in g["nodes"]}.values(), key=lambda n: n["id"]
    )
    links = [json.dumps(link) for g in composed for link in g["links"]]
    assert sorted(map(json.dumps, graph["links"])) == sorted(links)


def test_a_large_archive_comes_in_parts_only(built: tuple[Path, Path], monkeypatch) -> None:
    """Past PART_LIMIT statements one file would pass what GitHub takes: no whole files."""
    from builder import export

    root, _ = built
    archive, _ = load_archive(root)
    chronological = sorted(archive.statements, key=lambda i: (archive.statements[i].date, i))
    assert export.whole_archive(export.statement_parts(archive, chronological)).ids == tuple(chronological)
    monkeypatch.setattr(export, "PART_LIMIT", 4)
    assert export.whole_archive(export.statement_parts(archive, chronological)) is None
    assert export.whole_archive([]) is None


def test_about_page_documents_the_data(built: tuple[Path, Path]) -> None:
    """/about/ links every data file and names every statement field; the footer links /about/."""
    _, site = built
    about = (site / "about/index.html").read_text()
    for name in (
        "statements.jsonl",
        "statements.csv",
        "graph.json",
        "statements/2023.jsonl.gz",
        "statements/2024.csv.gz",
        "graph/2024.json",
        "index.json",
        "entities.json",
    ):
        assert f'href="/archive/data/{name}"' in about
    for field in STATEMENT_FIELDS:
        assert f"<code>{field}</code>" in about, field
    assert 'href="/archive/about/"' in (site / "index.html").read_text()


def test_the_statement_files_are_made_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large archive's exports are never whole in memory: they come in pieces of CHUNK
    records that join into one header and every record once."""
    from builder import export

    monkeypatch.setattr(export, "CHUNK", 2)
    records = [dict.fromkeys(STATEMENT_FIELDS, "=x") | {"id": f"s{i}"} for i in range(5)]
    lines = list(export.statements_jsonl(records))
    assert len(lines) == 3
    assert [json.loads(line)["id"] for line in b"".join(lines).splitlines()] == [f"s{i}" for i in range(5)]
    pieces = list(export.statements_csv(records))
    assert len(pieces) == 1 + 3  # the header, then the records two by two
    rows = list(csv.reader(b"".join(pieces).decode().splitlines()))
    assert rows[0] == list(STATEMENT_FIELDS) and [row[0] for row in rows[1:]] == [f"s{i}" for i in range(5)]
    assert b"".join(export.statements_csv([])).decode().splitlines() == [",".join(STATEMENT_FIELDS)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(codec="utf-8")) | st.sampled_from(['"', ",", "\r\n", "\n", " ", ""]),
        min_size=2,
        max_size=6,
    )
)
def test_csv_rows_are_those_of_the_csv_module(cells: list[str]) -> None:
    """The fast row writer gives the bytes Python's csv module gives, whatever the cells hold."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    assert csv_row(cells) == out.getvalue()


def test_each_data_part_is_made_beside_its_statements_pages(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Among the render's sections, a data part comes just before the statement pages where
    its statements begin: the pool of workers that reads a part's statements for their
    pages exports them, rather than one worker reading every statement."""
    from builder import render
    from builder.build import Stages, load_and_link

    root, _ = built
    archive, links, _ = load_and_link(root, None, Stages())
    monkeypatch.setattr(render, "SECTION_SIZE", 1)
    sections = render.Renderer(archive, links, root, None).sections
    order = [
        (s.func.__name__, s.args[0].name if s.func.__name__ == "data_part" else s.args[0])
        for s in sections
        if isinstance(s, functools.partial) and s.func.__name__ in ("data_part", "statements_between")
    ]
    assert order == [
        ("data_part", "2023"), ("statements_between", 0),
        ("data_part", "2024"), ("statements_between", 1),
        ("statements_between", 2), ("statements_between", 3), ("statements_between", 4),
    ]  # fmt: skip


def test_an_archive_without_statements_has_no_parts(tmp_path: Path) -> None:
    """A new archive, entities only: it builds, its data index lists no statement files, and
    the About page says there are none rather than showing an empty table."""
    site = build(write_archive(tmp_path / "a", ENTITIES))
    assert json.loads((site / "data/index.json").read_text())["statements"] == []
    about = (site / "about/index.html").read_text()
    assert "No statements yet." in about and "data-files" not in about
    assert not (site / "data/statements").exists() and not (site / "data/statements.jsonl").exists()
    assert "whole" not in json.loads((site / "data/index.json").read_text())


def test_the_parts_are_gzip_that_joins(built: tuple[Path, Path]) -> None:
    """Each part is a gzip stream with no time or name in it (a build's bytes do not depend
    on when it ran), and the parts joined (`cat *.jsonl.gz | gunzip`) are the whole archive."""
    _, site = built
    parts = sorted((site / "data/statements").glob("*.jsonl.gz"))
    for part in parts:
        head = part.read_bytes()[:10]
        assert head[:3] == b"\x1f\x8b\x08" and head[3] == 0 and head[4:8] == b"\0\0\0\0"
    joined = gzip.decompress(b"".join(p.read_bytes() for p in parts))
    assert joined == (site / "data/statements.jsonl").read_bytes()


def test_a_statement_without_text_reads_back_from_csv_as_in_json_lines(tmp_path: Path) -> None:
    """An empty body and text are "" in JSON Lines and "" read back from the CSV (not null,
    which means a missing value)."""
    root = write_archive(
        tmp_path / "a",
        {
            **ENTITIES,
            "content/statements/2024/empty-2024-03-13.md": "---\ntitle: No text\ndate: 2024-03-13\nsource: gazette\n---\n",
        },
    )
    site = build(root)
    (csv_part,) = _csv_parts(site)
    jsonl = data_text(csv_part.with_name(csv_part.name.replace(".csv.gz", ".jsonl.gz"))).splitlines()
    assert list(read_csv(csv_part)) == [json.loads(line) for line in jsonl]
    assert json.loads(jsonl[0])["body"] == ""
