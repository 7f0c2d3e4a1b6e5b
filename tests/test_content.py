"""Validation: every maintainer mistake is reported as path:line: message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.content import load_archive
from builder.errors import ERROR

from .conftest import ENTITIES, STATEMENTS, run, write_archive

GOOD = """\
---
title: A statement
date: 2024-03-02
source: gazette
---
Text.
"""


def problems_for(
    tmp_path: Path, text: str, name: str = "content/statements/2024/bad.md", extra: dict | None = None
):
    root = write_archive(tmp_path / "a", {**ENTITIES, **(extra or {}), name: text})
    _, problems = load_archive(root)
    return [str(p) for p in problems if p.severity == ERROR]


def test_valid_archive_has_no_problems(archive: Path) -> None:
    """The fixture archive loads with every statement and entity and no errors."""
    loaded, problems = load_archive(archive)
    assert [p for p in problems if p.severity == ERROR] == []
    assert sorted(loaded.statements) == ["fees-2024-03-02", "reply-2024-03-09", "third-2024-03-10"]
    assert loaded.statements["reply-2024-03-09"].references[0].type == "responds-to"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("title: A statement\n", ""), "bad.md:1: missing required key 'title'"),
        (GOOD.replace("date: 2024-03-02\n", ""), "bad.md:1: missing required key 'date'"),
        (GOOD.replace("source: gazette\n", ""), "bad.md:1: missing required key 'source'"),
        (GOOD.replace("2024-03-02", "2024-02-31"), "bad.md:3: 'date' is '2024-02-31', not a real day"),
        (GOOD.replace("2024-03-02", "March 2"), "bad.md:3: 'date' is 'March 2', not a real day"),
        (GOOD.replace("gazette", "gazete"), "bad.md:4: unknown source 'gazete' (did you mean 'gazette'?)"),
        (GOOD.replace("gazette", "arden"), "bad.md:4: source 'arden' is a country, not a publication"),
        (
            GOOD.replace("---\nText", "entities: [ardn]\n---\nText"),
            "bad.md:5: unknown entity 'ardn' (did you mean 'arden'?)",
        ),
        (
            GOOD.replace("---\nText", "references: [nope]\n---\nText"),
            "bad.md:5: unknown statement 'nope' in references",
        ),
        (
            GOOD.replace("---\nText", "titel: x\n---\nText"),
            "bad.md:5: unknown key 'titel' (did you mean 'title'?)",
        ),
        (
            GOOD.replace("---\nText", "kind: statment\n---\nText"),
            "bad.md:5: 'kind' is 'statment', which is not known (did you mean 'statement'?)",
        ),
        (GOOD.replace("title: A statement", "title: [unclosed"), "bad.md:3: YAML syntax error"),
        (GOOD.replace("---\nText", "  bad indent: x\n---\nText"), "bad.md:5: YAML syntax error"),
        ("Just text, no front matter.\n", "bad.md:1: missing front matter"),
        ("---\ntitle: x\n", "bad.md:1: front matter is not closed"),
        (
            GOOD.replace("---\nText", "annotations: [{quote: x}]\n---\nText"),
            "bad.md:5: annotation 1 must have a 'quote' and a 'note'",
        ),
        (
            GOOD.replace("---\nText", "retrieved: 2024-13-01\n---\nText"),
            "bad.md:5: 'retrieved' is '2024-13-01', not a real day",
        ),
        (
            GOOD.replace("---\nText", "source_url: javascript:alert(1)\n---\nText"),
            "bad.md:5: 'source_url' must be an http(s) URL",
        ),
    ],
)
def test_each_mistake_is_reported_with_its_line(tmp_path: Path, text: str, expected: str) -> None:
    """Each kind of mistake gives its own message at the line of the offending key."""
    found = problems_for(tmp_path, text)
    assert any(expected in p for p in found), found


def test_invalid_id_is_reported(tmp_path: Path) -> None:
    """A file name that is not a slug is refused with what to rename it to."""
    found = problems_for(tmp_path, GOOD, name="content/statements/2024/Bad Name.md")
    assert any("'Bad Name' is not a valid id" in p for p in found)


def test_an_id_ending_in_a_newline_is_refused(tmp_path: Path) -> None:
    """A file name ending in a newline is no id ("$" would have let it in, making a folder
    "statements/okid\\n/" and links to okid%0A/)."""
    found = problems_for(tmp_path, GOOD, name="content/statements/2024/okid\n.md")
    assert any("is not a valid id" in p for p in found), found


def test_duplicate_id_names_both_files(tmp_path: Path) -> None:
    """Two statements with the same id in different folders: the message names both."""
    found = problems_for(
        tmp_path,
        GOOD,
        name="content/statements/2024/same.md",
        extra={"content/statements/2023/same.md": GOOD},
    )
    assert any("duplicate statement id 'same'" in p and "2023/same.md" in p for p in found)


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    """A file in another encoding is named, with the line of the first bad byte."""
    root = write_archive(tmp_path / "a", ENTITIES)
    path = root / "content/statements/latin.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(GOOD.replace("Text.", "Caf\xe9.").encode("latin-1"))
    _, problems = load_archive(root)
    assert "content/statements/latin.md:6: file is not UTF-8 text (save it as UTF-8)" in [
        str(p) for p in problems
    ]


def test_unknown_site_yaml_key_suggests(tmp_path: Path) -> None:
    """site.yaml mistakes are reported with their line and a suggestion."""
    root = write_archive(
        tmp_path / "a", ENTITIES, site_yaml="title: T\nbase_url: https://x.org/\npage_sise: 3\n"
    )
    _, problems = load_archive(root)
    assert "site.yaml:3: unknown key 'page_sise' (did you mean 'page_size'?)" in [str(p) for p in problems]


def test_a_retired_site_yaml_key_is_a_warning_and_the_rest_still_applies(tmp_path: Path) -> None:
    """show_build_time never added anything (pages stay byte-identical): a site.yaml that
    has it builds, with a warning saying to remove it, and its other settings are kept."""
    root = write_archive(
        tmp_path / "a",
        ENTITIES,
        site_yaml="title: T\nbase_url: https://x.org/\nshow_build_time: true\npage_size: 7\n",
    )
    archive, problems = load_archive(root)
    assert [str(p) for p in problems] == [
        "site.yaml:3: warning: 'show_build_time' has no effect: pages carry no build time, so that the "
        "same content gives byte-identical pages (remove it)"
    ]
    assert archive.config.page_size == 7


@pytest.mark.parametrize(
    ("yaml", "expected"),
    [
        ("language: not a lang!!\n", "site.yaml:3: 'language' is 'not a lang!!', not a language code"),
        ("", "site.yaml:2: base_url 'https://x.org/x?y=1' has a query, a fragment or a space"),
    ],
    ids=["language", "base_url with a query"],
)
def test_site_yaml_values_are_reported_once_at_their_line(tmp_path: Path, yaml: str, expected: str) -> None:
    """A bad site-wide language is one problem of site.yaml, not one per statement; a
    base_url with a query, fragment or space (which every link would carry) is refused."""
    base = "https://x.org/x?y=1" if not yaml else "https://x.org/"
    root = write_archive(
        tmp_path / "a", {**ENTITIES, **STATEMENTS}, site_yaml=f"title: T\nbase_url: {base}\n{yaml}"
    )
    _, problems = load_archive(root)
    assert [str(p) for p in problems] == [
        expected
        + (" (write it like en or ko)" if yaml else " (write it like https://someone.github.io/archive/)")
    ]


def test_a_bad_base_url_option_is_named_as_the_option(tmp_path: Path) -> None:
    """--base-url given on the command line is reported as the option, not as site.yaml."""
    root = write_archive(tmp_path / "a", ENTITIES)
    _, problems = load_archive(root, "javascript:alert(1)")
    assert [p.path for p in problems] == ["--base-url"]


def test_every_problem_in_one_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`archive check` reports all problems at once and exits 1, with no traceback."""
    root = write_archive(
        tmp_path / "a",
        {
            **ENTITIES,
            "content/statements/a.md": GOOD.replace("2024-03-02", "2024-02-30"),
            "content/statements/b.md": GOOD.replace("gazette", "nowhere"),
        },
    )
    assert run("check", "--root", str(root)) == 1
    err = capsys.readouterr().err
    assert "content/statements/a.md:3:" in err
    assert "content/statements/b.md:4:" in err
    assert "Traceback" not in err


def test_crlf_bom_and_tabs_in_body_are_read(tmp_path: Path) -> None:
    """Files saved on Windows (BOM, CRLF) load the same as any other."""
    root = write_archive(tmp_path / "a", ENTITIES)
    path = root / "content/statements/win.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        b"\xef\xbb\xbf" + GOOD.replace("Text.", "Text\twith a tab.").replace("\n", "\r\n").encode()
    )
    loaded, problems = load_archive(root)
    assert [p for p in problems if p.severity == ERROR] == []
    assert loaded.statements["win"].title == "A statement"
    assert "\r" not in loaded.statements["win"].body


def test_contract_line_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An impossible date is reported at the line of `date:` (the contract's example)."""
    root = write_archive(tmp_path / "a", {**ENTITIES, **STATEMENTS})
    path = root / "content/statements/2024/fees-2024-03-02.md"
    path.write_text(path.read_text().replace("date: 2024-03-02", "date: 2024-02-31"))
    assert run("check", "--root", str(root)) == 1
    assert "fees-2024-03-02.md:3: 'date' is '2024-02-31', not a real day" in capsys.readouterr().err


def test_files_parsed_by_workers_load_as_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the size where workers start, the archive and its problems are the same as
    when one process parses every file (a broken file among them)."""
    from builder import content
    from builder.workers import PARALLEL_THRESHOLD

    root = tmp_path / "big"
    assert run("demo", "--statements", str(PARALLEL_THRESHOLD + 40), "--out", str(root)) == 0
    broken = root / "content" / "statements" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    together = load_archive(root, None, cache=False)
    monkeypatch.setattr(content, "fork_map", lambda function, items: map(function, items))
    alone = load_archive(root, None, cache=False)
    assert len(together[0].statements) > PARALLEL_THRESHOLD
    assert any(p.path.endswith("broken.md") for p in together[1])
    assert together == alone


def tagged_pair(tmp_path: Path, first: str, second: str) -> list:
    """The problems of an archive of two statements with these tags (YAML lists)."""

    def statement(day: int, tags: str) -> str:
        return f"---\ntitle: T{day}\ndate: 2024-03-0{day}\nsource: gazette\ntags: {tags}\n---\nText.\n"

    root = write_archive(
        tmp_path / "a",
        {
            **ENTITIES,
            "content/statements/2024/one-2024-03-01.md": statement(1, first),
            "content/statements/2024/two-2024-03-02.md": statement(2, second),
        },
    )
    return load_archive(root)[1]


def test_tags_written_differently_that_share_a_page_are_reported(tmp_path: Path) -> None:
    """ "a/b" and "a b" are both /tags/a-b/: a warning names both statements; tags of
    punctuation or emoji alone each get their own page, not one shared "tag" page."""
    from builder import urls

    problems = tagged_pair(tmp_path, '["a/b", "Fees"]', '["a b", "fees"]')
    assert [str(p) for p in problems] == [
        "content/statements/2024/two-2024-03-02.md:5: warning: the tag 'a b' shares the page /tags/a-b/ "
        "with the tag 'a/b' (content/statements/2024/one-2024-03-01.md): they are listed as one tag "
        "(write the tag the same way in both, or rename one)"
    ]
    slugs = {urls.tag_slug(tag) for tag in ("!!!", "???", "🌊", "tag")}
    assert len(slugs) == 4 and all(slug.replace("-", "").isalnum() for slug in slugs)


def test_a_problem_never_writes_contents_control_characters(tmp_path: Path) -> None:
    """Problems quote content (here an unknown key); an escape sequence in it (one that
    would retitle and clear the terminal) is shown as codes, never written."""
    found = problems_for(
        tmp_path, GOOD.replace("source: gazette\n", 'source: gazette\n"pwn\\e]0;OWNED\\a\\e[2J": 1\n')
    )
    shown = "\n".join(found)
    assert (
        "unknown key 'pwn\\x1b]0;OWNED\\x07\\x1b[2J'" in shown and "\x1b" not in shown and "\x07" not in shown
    )


def test_control_characters_in_content_are_dropped_with_their_escape_sequences(tmp_path: Path) -> None:
    """A title's "\\u0001" or colour sequence and a body's stray control bytes never reach the
    pages (HTML may not carry them); tabs and line ends stay."""
    root = write_archive(
        tmp_path / "a",
        {
            **ENTITIES,
            "content/statements/2024/ctrl-2024-03-01.md": (
                '---\ntitle: "Quay\\u0001 \\e[31mboard\\e[0m met"\ndate: 2024-03-01\nsource: gazette\n'
                'tags: ["a\\u0002b"]\n---\nThe quay\x01 board\x1b[2J met.\tIt sat.\n'
            ),
        },
    )
    archive, _ = load_archive(root)
    statement = archive.statements["ctrl-2024-03-01"]
    assert statement.title == "Quay board met" and statement.tags == ("ab",)
    assert statement.body == "The quay board met.\tIt sat.\n"


def test_an_escape_never_closed_takes_only_itself(tmp_path: Path) -> None:
    """A stray "ESC ]" (a title sequence never closed) drops its escape alone, never the text
    after it: the rest of the statement stays."""
    root = write_archive(
        tmp_path / "a",
        {
            **ENTITIES,
            "content/statements/2024/ctrl-2024-03-01.md": (
                "---\ntitle: Chant\ndate: 2024-03-01\nsource: gazette\n---\n"
                "The chant \x1b]0 was heard.\n\nAbout two thousand came.\n"
            ),
        },
    )
    archive, _ = load_archive(root)
    assert (
        archive.statements["ctrl-2024-03-01"].body == "The chant ]0 was heard.\n\nAbout two thousand came.\n"
    )


def test_a_problem_with_one_item_of_a_list_points_at_that_item(tmp_path: Path) -> None:
    """The second annotation's missing quote and the second reference's unknown id are
    reported at their own lines, not at the line of `annotations:` or `references:`."""
    from builder.build import check

    text = (
        "---\ntitle: A statement\ndate: 2024-03-02\nsource: gazette\n"
        "references:\n"  # line 5
        "  - fees-2024-03-02\n"
        "  - id: no-such-statement\n"  # line 7
        "    type: responds-to\n"
        "annotations:\n"
        "  - quote: Text\n"
        "    note: Found.\n"
        "  - quote: words it never says\n"  # line 12
        "    note: Not found.\n"
        "---\nText.\n"
    )
    bad = "content/statements/2024/bad.md"
    root = write_archive(tmp_path / "a", {**ENTITIES, **STATEMENTS, bad: text})
    found = [str(p) for p in check(root)]
    assert any(p.startswith(f"{bad}:7: unknown statement 'no-such-statement'") for p in found), found
    (root / bad).write_text(text.replace("no-such-statement", "third-2024-03-10"))
    found = [str(p) for p in check(root)]
    assert any(p.startswith(f"{bad}:12: warning: annotation quote not found") for p in found), found
