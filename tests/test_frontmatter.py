"""The front-matter reader under hostile input: a clear problem or correct output, never a crash."""

from __future__ import annotations

import time

from hypothesis import example, given, settings
from hypothesis import strategies as st

from builder.frontmatter import MAX_DEPTH, read_document

LIMIT = 1_000_000


def read(text: str | bytes, limit: int = LIMIT):
    raw = text.encode() if isinstance(text, str) else text
    return read_document("s.md", raw, limit)


def test_billion_laughs_is_refused_quickly() -> None:
    """A YAML alias bomb is refused before it is expanded (no hang, no memory blow-up)."""
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for n in range(1, 10):
        bomb += f"{chr(97 + n)}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}"] * 9) + "]\n"
    bomb += "---\nbody\n"
    start = time.perf_counter()
    doc, problems = read(bomb)
    assert doc is None
    assert "anchors and aliases" in problems[0].message
    assert time.perf_counter() - start < 1


def test_deep_nesting_is_refused() -> None:
    """Values nested deeper than the limit are refused with a message, not a RecursionError."""
    deep = "---\nx: " + "[" * (MAX_DEPTH + 5) + "1" + "]" * (MAX_DEPTH + 5) + "\n---\n"
    doc, problems = read(deep)
    assert doc is None and "nested more than" in problems[0].message
    very_deep = "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    doc, problems = read(very_deep)
    assert doc is None and problems


def test_size_limit() -> None:
    """A file over the configured limit is refused, naming the limit and the setting."""
    doc, problems = read("---\ntitle: x\n---\n" + "a" * 200, limit=100)
    assert doc is None
    assert "over the limit of 100" in problems[0].message and "max_file_bytes" in problems[0].hint


def test_binary_file() -> None:
    """A binary file (NUL bytes) is refused as binary."""
    doc, problems = read(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert doc is None and "binary" in problems[0].message


def test_bom_crlf() -> None:
    """A byte-order mark and CRLF line ends are read as ordinary text, lines intact."""
    doc, problems = read(
        b"\xef\xbb\xbf---\r\ntitle: T\r\ndate: 2020-01-01\r\n---\r\nLine one\r\nLine two\r\n"
    )
    assert problems == []
    assert doc.data == {"title": "T", "date": "2020-01-01"}
    assert doc.lines == {"title": 2, "date": 3}
    assert doc.body == "Line one\nLine two\n"


def test_tab_indentation_is_explained() -> None:
    """Tabs used for indentation give a YAML error with its line and a hint."""
    doc, problems = read("---\ntitle: T\nannotations:\n\t- quote: x\n---\n")
    assert doc is None
    assert problems[0].line == 4 and "tabs" in problems[0].hint


def test_unsafe_tags_are_refused() -> None:
    """Python object tags never construct objects (safe loader)."""
    doc, problems = read("---\nx: !!python/object/apply:os.system ['echo hacked']\n---\n")
    assert doc is None and problems


def test_dates_stay_text() -> None:
    """Dates are left as text so an impossible day is reported, not raised."""
    doc, problems = read("---\ndate: 2024-02-31\n---\n")
    assert problems == [] and doc.data["date"] == "2024-02-31"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_never_crash(raw: bytes) -> None:
    """Whatever the bytes, the reader returns a document or problems, never raises."""
    doc, problems = read(b"---\n" + raw)
    assert (doc is None) == bool(problems) or doc is not None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_any_text_front_matter_never_crashes(front: str, body: str) -> None:
    """Any text between the fences gives a document with a dict, or problems with a line."""
    doc, problems = read(f"---\n{front}\n---\n{body}")
    if doc is None:
        assert problems and all(p.line >= 0 for p in problems)
    else:
        assert isinstance(doc.data, dict)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
        st.text(st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")), max_size=40),
        max_size=8,
    )
)
@example({"__": "\u2028", "_": ""})  # YAML breaks lines at U+2028; files (and editors) do not
def test_round_trip_of_plain_keys(values: dict[str, str]) -> None:
    """Keys written as quoted YAML strings come back unchanged, each with its own line."""
    import json

    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in values.items()]
    doc, problems = read("---\n" + "\n".join(lines) + "\n---\nbody\n")
    assert problems == []
    assert doc.data == values
    assert doc.lines == {k: i + 2 for i, k in enumerate(values)}
