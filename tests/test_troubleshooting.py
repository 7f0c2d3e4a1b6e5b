"""The README's troubleshooting section lists every message the builder can give a maintainer.

The messages are read from the builder's source (every Problem, field problem, usage error,
archive error and import refusal), so a new message without an entry fails here.
"""

from __future__ import annotations

import ast
import re

from .conftest import PROJECT

# The call, and which positional argument holds the message.
MESSAGE_ARGUMENT = {
    "Problem": 2,
    "problem": 1,  # content._Fields.problem(key, message, …)
    "UsageError": 0,
    "ArchiveError": 0,
    "DemoError": 0,
    "refuse": 1,  # importer: refuse(draft, message, hint)
    "refused": 1,  # importer: refused(origin, message, hint)
}


def literal_parts(node: ast.expr) -> list[str]:
    """The fixed text of a message: a string, the constant parts of an f-string or a sum."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [part.value for part in node.values if isinstance(part, ast.Constant)]
    if isinstance(node, ast.BinOp):
        return literal_parts(node.left) + literal_parts(node.right)
    return []


def normal(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def message_fragments() -> dict[str, str]:
    """The most distinctive fixed fragment of every message in the builder, by its place."""
    found = {}
    for path in sorted((PROJECT / "builder").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            position = MESSAGE_ARGUMENT.get(name or "")
            if position is None or len(node.args) <= position:
                continue
            parts = [normal(p).strip(" :;,.'\"()") for p in literal_parts(node.args[position])]
            fragment = max(parts, key=len, default="")
            if len(fragment) >= 6:  # messages made wholly of values carry no wording of their own
                found[f"{path.relative_to(PROJECT).as_posix()}:{node.lineno}"] = fragment
    return found


def troubleshooting() -> str:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Troubleshooting\n(.*?)^## ", readme, re.MULTILINE | re.DOTALL)
    assert match, "README.md has a '## Troubleshooting' section"
    return normal(match.group(1))


def test_every_message_is_in_the_troubleshooting_section() -> None:
    """Each message the builder writes (its fixed wording) appears in README's Troubleshooting."""
    fragments = message_fragments()
    assert len(fragments) > 100, "the messages were found in the source"
    section = troubleshooting()
    missing = {place: text for place, text in fragments.items() if text not in section}
    assert missing == {}


def test_every_entry_says_what_to_do() -> None:
    """Every row of the troubleshooting tables has a second column with advice."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) > 100
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert len(cells) == 2 and len(cells[1]) > 5, row
