"""`archive demo`: a generated archive is deterministic, valid, and never overwrites other work."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from builder import demo
from builder.cli import main as archive
from builder.model import ENTITY_TYPES, KINDS, REFERENCE_TYPES

N = 200
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def parse(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    _, front, body = text.split("---\n", 2)
    return yaml.load(front, Loader=yaml.BaseLoader), body


@pytest.fixture(scope="module")
def archive_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "a"
    demo.generate(root, N, seed=7)
    return root


@pytest.fixture(scope="module")
def statements(archive_root: Path) -> dict[str, tuple[Path, dict, str]]:
    out = {}
    for path in sorted((archive_root / "content" / "statements").rglob("*.md")):
        data, body = parse(path)
        out[path.stem] = (path, data, body)
    return out


@pytest.fixture(scope="module")
def entities(archive_root: Path) -> dict[str, dict]:
    out = {}
    for path in sorted((archive_root / "content" / "entities").rglob("*.md")):
        data, body = parse(path)
        data["body"] = body
        out[path.stem] = data
    return out


def test_same_seed_gives_identical_files(archive_root: Path, tmp_path: Path) -> None:
    """Generating twice with one seed gives byte-identical trees."""
    demo.generate(tmp_path / "b", N, seed=7)
    assert files(archive_root) == files(tmp_path / "b")


def test_other_seed_gives_other_archive(archive_root: Path, tmp_path: Path) -> None:
    """Another seed gives other statements."""
    demo.generate(tmp_path / "c", N, seed=8)
    mine, theirs = files(archive_root), files(tmp_path / "c")
    assert mine.keys() != theirs.keys()


def test_site_yaml_has_the_settings(archive_root: Path) -> None:
    """site.yaml names the title, description, base_url and language."""
    config = yaml.safe_load((archive_root / "site.yaml").read_text())
    assert {"title", "description", "base_url", "language"} <= set(config)


def test_statement_count_and_layout(statements: dict) -> None:
    """N statements, each in content/statements/<year of its date>/<id>.md."""
    assert len(statements) == N
    for statement_id, (path, data, _) in statements.items():
        assert SLUG.match(statement_id)
        assert statement_id.endswith(data["date"])
        assert path.parent.name == data["date"][:4]


def test_statement_front_matter_is_complete(statements: dict, entities: dict) -> None:
    """Required keys present, kinds known, sources are publications, listed entities exist."""
    for path, data, _ in statements.values():
        assert {"title", "date", "source", "kind", "entities", "source_url"} <= set(data), path
        dt.date.fromisoformat(data["date"])
        assert data["kind"] in KINDS
        assert entities[data["source"]]["type"] == "publication"
        assert data["entities"] and all(e in entities for e in data["entities"])
        if "retrieved" in data:
            assert data["retrieved"] >= data["date"]
        speaker = data.get("speaker")
        assert speaker is None or speaker in entities or speaker.startswith("A spokesperson")


def test_references_point_to_earlier_statements(statements: dict) -> None:
    """Every reference names an existing statement issued on an earlier day, with a known type."""
    count = 0
    for _, data, _ in statements.values():
        for ref in data.get("references", []):
            target = ref if isinstance(ref, str) else ref["id"]
            if isinstance(ref, dict):
                assert ref["type"] in REFERENCE_TYPES
            assert statements[target][1]["date"] < data["date"]
            count += 1
    assert count > N // 10


def test_annotation_quotes_are_in_the_body(statements: dict) -> None:
    """Each annotation quotes text that occurs, exactly, in its statement's body."""
    count = 0
    for path, data, body in statements.values():
        for note in data.get("annotations", []):
            assert note["quote"] in body, path
            assert note["note"]
            count += 1
    assert count > 0


def test_bodies_are_realistic_markdown(statements: dict, entities: dict) -> None:
    """Bodies average about 750 words and use emphasis, lists, tables, footnotes and dates."""
    bodies = [body for _, _, body in statements.values()]
    words = [len(b.split()) for b in bodies]
    assert 550 < sum(words) / len(words) < 950
    assert min(words) >= 150 and max(words) <= 2200
    text = "\n".join(bodies)
    for feature in (r"\*\*\w", r"(?m)^- ", r"(?m)^1\. ", r"(?m)^\|---", r"\[\^1\]: ", r"(?m)^## "):
        assert re.search(feature, text), feature
    assert re.search(
        r"\bOn (January|February|March|April|May|June|July|August|September|October|November|December) \d",
        text,
    )
    assert re.search(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b", text)
    assert "will be held on" in text


def test_bodies_mention_listed_entities(statements: dict, entities: dict) -> None:
    """Most listed entities are named in the body, by name or alias, sometimes possessive."""
    named = total = 0
    for _, data, body in statements.values():
        for entity_id in data["entities"]:
            entity = entities[entity_id]
            forms = [entity["name"], *entity.get("aliases", [])]
            total += 1
            named += any(form in body for form in forms)
    assert named / total > 0.8
    assert re.search(r"\w's ", "\n".join(body for _, _, body in statements.values()))


def test_entities_cover_every_type(entities: dict) -> None:
    """Default 30 entities for 200 statements, of every type, with 5 to 10 publications."""
    types = Counter(e["type"] for e in entities.values())
    assert sum(types.values()) == 30
    assert set(types) == set(ENTITY_TYPES) - {"other"}
    assert 5 <= types["publication"] <= 10
    assert any(e.get("aliases") for e in entities.values())


def test_fake_wikidata_ids_are_marked_synthetic(entities: dict) -> None:
    """An entity with a Wikidata id says in its description that the id is synthetic."""
    with_ids = [e for e in entities.values() if "wikidata" in e]
    assert with_ids
    for entity in with_ids:
        assert re.fullmatch(r"Q[1-9]\d*", entity["wikidata"])
        assert "synthetic" in entity["body"]


def test_names_are_unique_but_one_shared_alias(tmp_path: Path) -> None:
    """No two entities share a name or alias, except one pair on purpose in larger archives."""
    demo.generate(tmp_path / "big", 10, entities=300)
    owners: dict[str, set[str]] = {}
    for path in (tmp_path / "big" / "content" / "entities").rglob("*.md"):
        data, _ = parse(path)
        for name in [data["name"], *data.get("aliases", [])]:
            owners.setdefault(demo.name_key(name), set()).add(path.stem)
    shared = [k for k, v in owners.items() if len(v) > 1]
    assert len(shared) == 1
    assert len(owners[shared[0]]) == 2


def test_loads_without_problems(archive_root: Path) -> None:
    """The builder loads a generated archive with no errors and no warnings."""
    content = pytest.importorskip("builder.content")
    archive, problems = content.load_archive(archive_root)
    assert [str(p) for p in problems if p.severity in ("error", "warning")] == []
    assert len(archive.statements) == N
    assert len(archive.entities) == 30


def test_refuses_a_foreign_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A non-empty folder that is not a previous demo is left alone, with exit status 1."""
    (tmp_path / "notes.txt").write_text("mine")
    status = archive(["demo", "--statements", "5", "--out", str(tmp_path)])
    assert status == 1
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_regenerates_over_a_previous_demo(tmp_path: Path) -> None:
    """Running again over a demo replaces its statements; none of the old ones linger."""
    out = tmp_path / "d"
    assert archive(["demo", "--statements", "40", "--out", str(out), "--seed", "3"]) == 0
    assert archive(["demo", "--statements", "10", "--out", str(out), "--seed", "4"]) == 0
    assert len(list((out / "content" / "statements").rglob("*.md"))) == 10


def test_negative_count_is_a_usage_error(tmp_path: Path) -> None:
    """A negative --statements is refused with exit status 2."""
    assert archive(["demo", "--statements", "-1", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()
