"""Reading YAML safely: front matter of content files, and site.yaml.

Content comes from hostile sources and careless editors, so reading is defensive: a size
limit, UTF-8 only, byte-order marks and CRLF accepted, no YAML tags beyond the safe set,
no anchors or aliases (they are how "billion laughs" bombs are built), bounded nesting.
Dates stay strings here so that an impossible day is reported with its line, not raised.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import ESCAPE_SEQUENCE, Problem

try:  # the C parser is several times faster; the resolver and constructor stay safe
    _BaseLoader = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc]

MAX_DEPTH = 16
MAX_NODES = 20_000


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that leaves timestamps as strings (validated later, with a line)."""


_DROPPED = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
# YAML 1.1 reads yes/no/on/off as booleans: a title "No" or a tag "on" would turn into
# False. Only true and false are booleans here.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class Document:
    """One parsed file: its front matter, the line of each top-level key, and its body."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    sha256: str = ""


def decode(path: str, raw: bytes, max_bytes: int) -> tuple[str | None, list[Problem]]:
    """Bytes to text, or the reason why not: too large, binary, or not UTF-8."""
    if len(raw) > max_bytes:
        return None, [
            Problem(
                path,
                0,
                f"file is {len(raw):,} bytes, over the limit of {max_bytes:,}",
                "split it, or raise max_file_bytes in site.yaml",
            )
        ]
    if b"\x00" in raw:
        return None, [Problem(path, 0, "binary file (it contains NUL bytes)", "remove it")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return None, [Problem(path, line, "file is not UTF-8 text", "save it as UTF-8")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def parse_yaml(path: str, text: str, first_line: int = 1) -> tuple[Any, dict[str, int], list[Problem]]:
    """Safe YAML to Python values, with the file line of each top-level key."""
    loader = _Loader(text)
    line_of = _LineOf(text, first_line)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}, []
        problem = _check_shape(path, node, line_of)
        if problem:
            return None, {}, [problem]
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = line_of(mark) if mark else first_line
        what = err.problem or err.context or "invalid YAML"
        lines = text.split("\n")
        bad_line = lines[line - first_line] if mark and line - first_line < len(lines) else ""
        hint = "indent with spaces, not tabs" if bad_line.startswith("\t") or "tab" in str(what) else ""
        return None, {}, [Problem(path, line, f"YAML syntax error: {what}", hint)]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as err:
        return None, {}, [Problem(path, first_line, f"YAML error: {err}")]
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key, line = str(key_node.value), line_of(key_node.start_mark)
                lines.setdefault(key, line)
                lines.update(_item_lines(key, line, value_node, line_of))
    return data, lines, []


def _item_lines(key: str, line: int, node: yaml.Node, line_of: _LineOf) -> dict[str, int]:
    """The line of each item of a list written one item a line ("annotations.2": 14), so
    that a problem with the second annotation points at it; none for a list on one line."""
    if (
        not isinstance(node, yaml.SequenceNode)
        or not node.value
        or line_of(node.value[-1].start_mark) == line
    ):
        return {}
    return {f"{key}.{index}": line_of(item.start_mark) for index, item in enumerate(node.value, 1)}


class _LineOf:
    """The file line of a YAML mark, counting "\n" only: YAML also breaks lines at U+2028,
    U+2029 and U+0085, which editors show inside a line, so its own line numbers can be off."""

    def __init__(self, text: str, first_line: int):
        self.first_line = first_line
        self.breaks = [match.start() for match in re.finditer("\n", text)]

    def __call__(self, mark: yaml.Mark) -> int:
        return self.first_line + bisect.bisect_left(self.breaks, mark.index)


def _check_shape(path: str, root: yaml.Node, line_of: _LineOf) -> Problem | None:
    """Refuse aliases, deep nesting and huge documents before constructing anything."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            return Problem(
                path,
                line_of(node.start_mark),
                "YAML anchors and aliases (&, *) are not allowed",
                "write the value out",
            )
        seen.add(id(node))
        count += 1
        if depth > MAX_DEPTH:
            return Problem(path, line_of(node.start_mark), f"values nested more than {MAX_DEPTH} levels deep")
        if count > MAX_NODES:
            return Problem(path, line_of(node.start_mark), f"more than {MAX_NODES:,} values in one document")
        if isinstance(node, yaml.MappingNode):
            duplicate = _duplicate_key(path, node, line_of)
            if duplicate:
                return duplicate
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return None


def _duplicate_key(path: str, node: yaml.MappingNode, line_of: _LineOf) -> Problem | None:
    """A key written twice: YAML keeps the last silently, so the first would be lost unseen."""
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode):
            line = line_of(key.start_mark)
            if key.value in seen:
                return Problem(
                    path,
                    line,
                    f"key '{key.value}' is written twice (first on line {seen[key.value]})",
                    "keep one of them",
                )
            seen[key.value] = line
    return None


# Control characters (a YAML "\u0001", a stray byte in a body), with the escape sequences
# they begin: HTML may not carry them (parse errors, boxes on screen), nor XML, and no text
# of an archive needs them. Tab and line ends stay.
_CONTROLS = re.compile(ESCAPE_SEQUENCE + "|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _without_controls(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROLS.sub("", value) if _CONTROLS.search(value) else value
    if isinstance(value, dict):
        return {key: _without_controls(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_controls(item) for item in value]
    return value


def read_document(path: str, raw: bytes, max_bytes: int) -> tuple[Document | None, list[Problem]]:
    """A content file: `---`, YAML front matter, `---`, then the Markdown body."""
    text, problems = decode(path, raw, max_bytes)
    if text is None:
        return None, problems
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, [
            Problem(
                path,
                1,
                "missing front matter",
                "start the file with a line '---', the YAML keys, then another '---'",
            )
        ]
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return None, [Problem(path, 1, "front matter is not closed", "add a line '---' after the keys")]
    data, key_lines, problems = parse_yaml(path, "\n".join(lines[1:end]), first_line=2)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [
            Problem(path, 2, "front matter must be a mapping of keys to values", "write 'key: value' lines")
        ]
    body = _CONTROLS.sub("", "\n".join(lines[end + 1 :])).strip("\n")
    doc = Document(
        data=_without_controls(data),
        lines=key_lines,
        body=body + "\n" if body else "",
        body_line=end + 2,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    return doc, []
