"""site.yaml: the archive's settings, validated with the line of each mistake."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ERROR, WARNING, Problem, did_you_mean
from .frontmatter import decode, parse_yaml
from .model import SiteConfig

LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\Z")  # a language tag: en, ko, zh-Hant

CONFIG_FILE = "site.yaml"
_INT_KEYS = {"page_size", "home_size", "feed_size", "related_count", "search_shards", "max_file_bytes"}
# Keys an earlier version documented and that now do nothing: a warning, not an error.
_RETIRED = {
    "show_build_time": "pages carry no build time, so that the same content gives byte-identical pages",
}
_KNOWN = {f.name for f in fields(SiteConfig)} - {"extra"}
_LINK_MODES = ("first", "all")


def load_config(root: Path, base_url: str | None = None) -> tuple[SiteConfig, list[Problem]]:
    """Read site.yaml under root; every problem is reported, defaults fill the gaps."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return SiteConfig(), [
            Problem(
                CONFIG_FILE,
                0,
                "site.yaml not found",
                f"run in the archive's folder or pass --root (looked in {root})",
            )
        ]
    text, problems = decode(CONFIG_FILE, path.read_bytes(), 1_000_000)
    if text is None:
        return SiteConfig(), problems
    data, lines, problems = parse_yaml(CONFIG_FILE, text)
    if problems:
        return SiteConfig(), problems
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return SiteConfig(), [Problem(CONFIG_FILE, 1, "site.yaml must be a mapping of keys to values")]
    values, problems = _validate(data, lines)
    if base_url is not None:
        values["base_url"] = base_url
    problems += _check_base_url(
        values.get("base_url", SiteConfig.base_url), lines.get("base_url", 0), given=base_url is not None
    )
    if any(p.severity == ERROR for p in problems):
        return SiteConfig(), problems
    values["base_url"] = normalise_base_url(values.get("base_url", SiteConfig.base_url))
    return SiteConfig(**values), problems


def _validate(data: dict[Any, Any], lines: dict[str, int]) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in data.items():
        key = str(key)
        line = lines.get(key, 1)
        if key in _RETIRED:
            problems.append(
                Problem(CONFIG_FILE, line, f"'{key}' has no effect: {_RETIRED[key]}", "remove it", WARNING)
            )
        elif key not in _KNOWN:
            problems.append(Problem(CONFIG_FILE, line, f"unknown key '{key}'", did_you_mean(key, _KNOWN)))
        elif key in _INT_KEYS:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(Problem(CONFIG_FILE, line, f"'{key}' must be a whole number above 0"))
            else:
                values[key] = value
        elif key == "link_mentions" and value not in _LINK_MODES:
            problems.append(Problem(CONFIG_FILE, line, "'link_mentions' must be 'first' or 'all'"))
        elif key == "language" and not (isinstance(value, str) and LANGUAGE.fullmatch(value)):
            problems.append(
                Problem(
                    CONFIG_FILE,
                    line,
                    f"'language' is '{value}', not a language code",
                    "write it like en or ko",
                )
            )
        elif not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append(Problem(CONFIG_FILE, line, f"'{key}' must be text"))
        else:
            values[key] = str(value)
    return values, problems


def _check_base_url(url: str, line: int, given: bool = False) -> list[Problem]:
    """A full http(s) address of a folder: no query, fragment or space, which every link
    joined to it would carry (https://example.org/x?y=1/about/)."""
    parts = urlsplit(url)
    where, line = ("--base-url", 0) if given else (CONFIG_FILE, line)
    hint = "write it like https://someone.github.io/archive/"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [Problem(where, line, f"base_url '{url}' is not a full http(s) URL", hint)]
    if parts.query or parts.fragment or "?" in url or "#" in url or any(c.isspace() for c in url):
        return [Problem(where, line, f"base_url '{url}' has a query, a fragment or a space", hint)]
    return []


def normalise_base_url(url: str) -> str:
    """Always end with '/', so that joining a relative path never drops a segment."""
    return url if url.endswith("/") else url + "/"
