"""Load stage: read every content file, validate it, and give one complete Archive.

Each file is parsed on its own (`parse_statement`, `parse_entity`: pure functions of the
path and bytes, so they can run in parallel and be cached by content hash); relations
between files (sources, entities, references, duplicate ids) are checked afterwards.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import urls
from .cache import Store
from .config import LANGUAGE, load_config
from .errors import ERROR, WARNING, Problem, did_you_mean
from .frontmatter import Document, read_document
from .markup import MAX_INDENT, costly_blocks, deep_blocks
from .model import (
    ENTITY_TYPES,
    KINDS,
    REFERENCE_TYPES,
    Annotation,
    Archive,
    Capture,
    Entity,
    Reference,
    SiteConfig,
    Statement,
    Version,
)
from .workers import fork_map

CONTENT = "content"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: "$" would let a final newline in
WIKIDATA = re.compile(r"^Q[1-9][0-9]*\Z")
SHA256 = re.compile(r"^[0-9a-f]{64}\Z")

STATEMENT_KEYS = {
    "title",
    "date",
    "source",
    "kind",
    "speaker",
    "entities",
    "references",
    "tags",
    "summary",
    "language",
    "source_url",
    "retrieved",
    "annotations",
    "withdrawn",
    "captures",
}
ENTITY_KEYS = {"name", "type", "aliases", "wikidata"}
VERSION_KEYS = {"statement", "version", "retrieved", "sha256", "capture"}


class _Fields:
    """Typed access to one file's front matter that records each problem with its line."""

    def __init__(self, path: str, doc: Document):
        self.path = path
        self.doc = doc
        self.problems: list[Problem] = []

    def line(self, key: str) -> int:
        """The line of a key, or of a list's item ("annotations.2"), else of its list."""
        lines = self.doc.lines
        return lines.get(key) or lines.get(key.partition(".")[0], 1)

    def problem(self, key: str, message: str, hint: str = "", severity: str = ERROR) -> None:
        self.problems.append(Problem(self.path, self.line(key), message, hint, severity))

    def unknown_keys(self, known: set[str]) -> None:
        for key in self.doc.data:
            if str(key) not in known:
                hint = did_you_mean(str(key), known) or "known keys: " + ", ".join(sorted(known))
                self.problem(str(key), f"unknown key '{key}'", hint)

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.doc.data.get(key)
        if value is None:
            if required:
                self.problems.append(
                    Problem(
                        self.path, 1, f"missing required key '{key}'", f"add '{key}: …' to the front matter"
                    )
                )
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(key, f"'{key}' must be text, not a {type(value).__name__}")
            return None
        text = str(value).strip()
        if required and not text:
            self.problem(key, f"'{key}' is empty")
            return None
        return text or None

    def day(self, key: str, required: bool = False) -> dt.date | None:
        raw = self.text(key, required)
        if raw is None:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise ValueError
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.problem(
                key, f"'{key}' is '{raw}', not a real day", "write it as YYYY-MM-DD, e.g. 2019-11-17"
            )
            return None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.doc.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
        ):
            self.problem(key, f"'{key}' must be a list of texts")
            return ()
        return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))

    def choice(self, key: str, choices: Iterable[str], default: str) -> str:
        value = self.text(key)
        if value is None:
            return default
        options = tuple(choices)
        if value not in options:
            hint = did_you_mean(value, options) or "one of: " + ", ".join(options)
            self.problem(key, f"'{key}' is '{value}', which is not known", hint)
            return default
        return value

    def url(self, key: str) -> str | None:
        value = self.text(key)
        if value and urlsplit(value).scheme not in ("http", "https"):
            self.problem(key, f"'{key}' must be an http(s) URL, not '{value[:60]}'")
            return None
        return value


def parse_statement(path: str, raw: bytes, config: SiteConfig) -> tuple[Statement | None, list[Problem]]:
    """One statement file to a Statement, with every problem found in it."""
    doc, problems = read_document(path, raw, config.max_file_bytes)
    if doc is None:
        return None, problems
    f = _Fields(path, doc)
    f.unknown_keys(STATEMENT_KEYS)
    statement_id = _id_from_path(f, path)
    title = f.text("title", required=True)
    date = f.day("date", required=True)
    source = f.text("source", required=True)
    statement = Statement(
        id=statement_id,
        path=path,
        title=title or "",
        date=date or dt.date(1970, 1, 1),
        source=source or "",
        kind=f.choice("kind", KINDS, "article"),
        speaker=f.text("speaker"),
        entities=f.texts("entities"),
        references=_references(f),
        tags=f.texts("tags"),
        summary=f.text("summary"),
        language=_language(f, config.language),
        source_url=f.url("source_url"),
        retrieved=f.day("retrieved"),
        annotations=_annotations(f),
        withdrawn=f.day("withdrawn"),
        captures=_captures(f),
        body=doc.body,
        body_line=doc.body_line,
        lines=tuple(sorted(doc.lines.items())),
        content_hash=doc.sha256,
    )
    if not doc.body.strip():
        f.problems.append(
            Problem(path, doc.body_line, "the statement has no text after the front matter", severity=WARNING)
        )
    f.problems += _costly_paragraphs(path, doc.body, doc.body_line)
    if f.problems and any(p.severity == ERROR for p in f.problems):
        return statement, f.problems
    return statement, f.problems


def parse_entity(path: str, raw: bytes, config: SiteConfig) -> tuple[Entity | None, list[Problem]]:
    """One entity file to an Entity, with every problem found in it."""
    doc, problems = read_document(path, raw, config.max_file_bytes)
    if doc is None:
        return None, problems
    f = _Fields(path, doc)
    f.unknown_keys(ENTITY_KEYS)
    entity_id = _id_from_path(f, path)
    name = f.text("name", required=True)
    wikidata = f.text("wikidata")
    if wikidata and not WIKIDATA.match(wikidata):
        f.problem("wikidata", f"'wikidata' is '{wikidata}', not a Wikidata id", "write it like Q423")
        wikidata = None
    aliases = tuple(a for a in f.texts("aliases") if a != name)
    entity = Entity(
        id=entity_id,
        path=path,
        name=name or entity_id,
        type=f.choice("type", ENTITY_TYPES, "other"),
        aliases=aliases,
        wikidata=wikidata,
        description=doc.body,
        lines=tuple(sorted(doc.lines.items())),
        content_hash=doc.sha256,
    )
    return entity, f.problems


def parse_version(path: str, raw: bytes, config: SiteConfig) -> tuple[Version | None, list[Problem]]:
    """An earlier text of a statement, kept by the importer under content/versions/<id>/."""
    doc, problems = read_document(path, raw, config.max_file_bytes)
    if doc is None:
        return None, problems
    f = _Fields(path, doc)
    f.unknown_keys(VERSION_KEYS)
    statement_id = f.text("statement", required=True) or Path(path).parent.name
    number = doc.data.get("version")
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        f.problem("version", "'version' must be a whole number from 1")
        number = 1
    version = Version(
        statement_id=statement_id,
        number=number,
        path=path,
        body=doc.body,
        retrieved=f.day("retrieved"),
        sha256=f.text("sha256"),
        capture=f.text("capture"),
    )
    return version, f.problems


def _costly_paragraphs(path: str, body: str, body_line: int) -> list[Problem]:
    """Paragraphs the renderer shows as plain text because Markdown would take too long on them."""
    if len(body) < 2000:
        return []
    return [
        Problem(
            path,
            body_line + offset,
            "this paragraph holds too many brackets or markup characters to read as Markdown; "
            "it is shown as plain text",
            "split it into shorter paragraphs, or remove the stray characters",
            severity=WARNING,
        )
        for offset, _ in sorted(costly_blocks(body))
    ] + [
        Problem(
            path,
            body_line + offset,
            f"this paragraph nests lists or quotes more than {MAX_INDENT} columns deep, past what "
            "Markdown can read; it is shown as plain text",
            "nest it less deeply",
            severity=WARNING,
        )
        for offset in deep_blocks(body)
    ]


def _id_from_path(f: _Fields, path: str) -> str:
    stem = Path(path).stem
    if not SLUG.match(stem):
        f.problems.append(
            Problem(
                path,
                0,
                f"'{stem}' is not a valid id",
                "rename the file: lowercase letters, digits and single hyphens, e.g. fm-statement-2019-11-17.md",
            )
        )
    return stem


def _language(f: _Fields, default: str) -> str:
    value = f.text("language") or default
    if not LANGUAGE.fullmatch(value):
        f.problem("language", f"'language' is '{value}', not a language code", "write it like en or ko")
        return default
    return value


def _references(f: _Fields) -> tuple[Reference, ...]:
    value = f.doc.data.get("references")
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    refs: list[Reference] = []
    for index, item in enumerate(value, 1):
        line = f.line(f"references.{index}")
        if isinstance(item, str):
            refs.append(Reference(item.strip(), "refers-to", line))
        elif isinstance(item, dict) and isinstance(item.get("id"), str) and set(item) <= {"id", "type"}:
            kind = item.get("type", "refers-to")
            if kind not in REFERENCE_TYPES:
                hint = did_you_mean(str(kind), REFERENCE_TYPES) or "one of: " + ", ".join(REFERENCE_TYPES)
                f.problem(f"references.{index}", f"reference type '{kind}' is not known", hint)
                kind = "refers-to"
            refs.append(Reference(item["id"].strip(), kind, line))
        else:
            f.problem(f"references.{index}", "each reference must be a statement id or {id: …, type: …}")
    return tuple(refs)


def _annotations(f: _Fields) -> tuple[Annotation, ...]:
    value = f.doc.data.get("annotations")
    if value is None:
        return ()
    if not isinstance(value, list):
        f.problem("annotations", "'annotations' must be a list of {quote: …, note: …}")
        return ()
    notes: list[Annotation] = []
    for index, item in enumerate(value, 1):
        key = f"annotations.{index}"
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("quote"), str)
            or not isinstance(item.get("note"), str)
        ):
            f.problem(key, f"annotation {index} must have a 'quote' and a 'note', both text")
            continue
        extra = set(item) - {"quote", "note", "occurrence"}
        if extra:
            f.problem(
                key,
                f"annotation {index} has unknown key '{sorted(extra)[0]}'",
                "keys: quote, note, occurrence",
            )
        occurrence = item.get("occurrence", 1)
        if isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 1:
            f.problem(key, f"annotation {index}: 'occurrence' must be a whole number from 1")
            occurrence = 1
        if not item["quote"].strip():
            f.problem(key, f"annotation {index} has an empty quote")
            continue
        notes.append(Annotation(item["quote"], item["note"], occurrence, f.line(key)))
    return tuple(notes)


def _captures(f: _Fields) -> tuple[Capture, ...]:
    value = f.doc.data.get("captures")
    if value is None:
        return ()
    if not isinstance(value, list):
        f.problem("captures", "'captures' must be a list of {sha256, file, retrieved, source_url}")
        return ()
    captures: list[Capture] = []
    for item in value:
        if (
            not isinstance(item, dict)
            or not SHA256.match(str(item.get("sha256", "")))
            or not isinstance(item.get("file"), str)
        ):
            f.problem("captures", "each capture needs 'sha256' (64 hex digits) and 'file'")
            continue
        retrieved = None
        if item.get("retrieved") is not None:
            try:
                retrieved = dt.date.fromisoformat(str(item["retrieved"]))
            except ValueError:
                f.problem("captures", f"capture retrieved '{item['retrieved']}' is not a real day")
        if not _inside_captures(item["file"]):
            f.problem(
                "captures",
                f"capture file '{item['file'][:80]}' is not a path under captures/",
                "write it like captures/2019/<sha256>.txt, relative to content/",
            )
            continue
        url = item.get("source_url")
        captures.append(Capture(str(item["sha256"]), item["file"], retrieved, str(url) if url else None))
    return tuple(captures)


def _inside_captures(file: str) -> bool:
    """A capture's path stays in content/captures/: no absolute path, no '..', no backslash."""
    parts = file.split("/")
    return (
        len(parts) >= 2
        and parts[0] == "captures"
        and "\\" not in file
        and all(part not in ("", ".", "..") and not part.startswith(".") for part in parts)
    )


def content_files(root: Path, folder: str) -> Iterator[tuple[str, Path]]:
    """Markdown files under content/<folder>, sorted, as (relative path, absolute path).

    Symlinks are followed only where they stay inside content/: a link leading out is a
    way to publish files the maintainer never meant to (e.g. ~/.ssh), so it is refused.
    """
    base = root / CONTENT / folder
    if not base.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for name in dirnames:  # os.walk does not enter a linked folder: say so (see _read)
            if (Path(dirpath) / name).is_symlink():
                full = Path(dirpath) / name
                yield full.relative_to(root).as_posix(), full
        for name in sorted(filenames):
            if name.endswith(".md") and not name.startswith("."):
                full = Path(dirpath) / name
                yield full.relative_to(root).as_posix(), full


def _read(root: Path, rel: str, full: Path) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes. Only a symbolic link is resolved (content_files never enters a
    linked folder, so nothing else can lead out)."""
    try:
        if not full.is_symlink():
            return full.read_bytes(), []
        if not full.resolve().is_relative_to((root / CONTENT).resolve()):
            return None, [
                Problem(rel, 0, "symbolic link leads out of content/", "copy the file into content/ instead")
            ]
        if full.is_dir():
            return None, [
                Problem(
                    rel,
                    0,
                    "a linked folder is not read",
                    "move its files here, or link each file",
                    severity=WARNING,
                )
            ]
        return full.read_bytes(), []
    except OSError as err:
        return None, [Problem(rel, 0, f"cannot read the file: {err.strerror}")]


def load_archive(
    root: Path, base_url: str | None = None, *, cache: bool = False
) -> tuple[Archive, list[Problem]]:
    """Every file read once and checked, then the relations between files checked.

    With `cache`, a file whose bytes are unchanged since the last build is not parsed
    again: its record comes from the build cache, keyed by path and content hash.
    """
    config, problems = load_config(root, base_url)
    parsed = Store(root if cache else None, "parsed", (config,))
    statements: dict[str, Statement] = {}
    entities: dict[str, Entity] = {}
    versions: dict[str, list[Version]] = {}
    for entity in _load_folder(root, "entities", config, parse_entity, problems, parsed):
        _add_unique(entities, entity, problems, "entity")
    for statement in _load_folder(root, "statements", config, parse_statement, problems, parsed):
        _add_unique(statements, statement, problems, "statement")
    for version in _load_folder(root, "versions", config, parse_version, problems, parsed):
        versions.setdefault(version.statement_id, []).append(version)
    problems += check_relations(statements, entities)
    problems += check_tags(statements)
    parsed.save()
    archive = Archive(
        root=str(root),
        config=config,
        statements=statements,
        entities=entities,
        versions={k: tuple(sorted(v, key=lambda v: v.number)) for k, v in sorted(versions.items())},
    )
    return archive, sorted(set(problems))


# Set before the workers fork (see _load_folder): the files they parse, and how.
_to_parse: list[tuple[str, bytes]] = []
_parser: Callable[[str, bytes], Any] | None = None


LOAD_BATCH = 2000  # files read before their parsing is shared out: bounds the raw bytes held


def _load_folder(
    root: Path, folder: str, config: SiteConfig, parse: Any, problems: list[Problem], parsed: Store
) -> list[Any]:
    """Every file of content/<folder> read, in order; those the cache lacks parsed, by one
    worker a core when there are many."""
    records: list[Any] = []
    files = content_files(root, folder)
    while batch := list(itertools.islice(files, LOAD_BATCH)):
        for record, parse_problems in _load_batch(root, batch, config, parse, problems, parsed):
            problems += parse_problems
            if record is not None:
                records.append(record)
    return records


def _load_batch(
    root: Path,
    batch: list[tuple[str, Path]],
    config: SiteConfig,
    parse: Any,
    problems: list[Problem],
    parsed: Store,
) -> Iterator[tuple[Any, list[Problem]]]:
    global _to_parse, _parser
    found: list[tuple[tuple[str, bytes], Any]] = []  # (key, cached result or None)
    missing: list[tuple[str, bytes]] = []
    for rel, full in batch:
        raw, read_problems = _read(root, rel, full)
        problems += read_problems
        if raw is not None:
            key = (rel, hashlib.sha256(raw).digest())
            found.append((key, parsed.get(key)))
            if found[-1][1] is None:
                missing.append((rel, raw))
    _to_parse, _parser = missing, functools.partial(parse, config=config)
    try:
        fresh = iter(list(fork_map(_parse, range(len(missing)))))
    finally:
        _to_parse, _parser = [], None
    for key, cached in found:
        if cached is None:
            cached = next(fresh)
            parsed.put(key, cached)
        yield cached


def _parse(number: int) -> Any:
    assert _parser is not None
    rel, raw = _to_parse[number]
    return _parser(rel, raw)


def _add_unique(table: dict[str, Any], record: Any, problems: list[Problem], what: str) -> None:
    first = table.get(record.id)
    if first is not None:
        problems.append(
            Problem(
                record.path,
                0,
                f"duplicate {what} id '{record.id}': {first.path} has it too",
                "rename one of the files",
            )
        )
        return
    table[record.id] = record


def check_tags(statements: dict[str, Statement]) -> list[Problem]:
    """Tags written differently that share one page ("a/b" and "a b" are both /tags/a-b/):
    the site lists them as one tag, so the maintainer is told (case alone is no difference)."""
    seen: dict[str, dict[str, tuple[str, Statement]]] = defaultdict(dict)  # page -> form -> first use
    for s in sorted(statements.values(), key=lambda s: s.path):
        for tag in s.tags:
            seen[urls.tag_slug(tag)].setdefault(tag.casefold(), (tag, s))
    problems = []
    for slug, forms in sorted(seen.items()):
        (first, first_statement), *others = forms.values()
        for form, statement in others:
            problems.append(
                Problem(
                    statement.path,
                    statement.line_of("tags"),
                    f"the tag '{form}' shares the page /tags/{slug}/ with the tag '{first}' "
                    f"({first_statement.path}): they are listed as one tag",
                    "write the tag the same way in both, or rename one",
                    severity=WARNING,
                )
            )
    return problems


def check_relations(statements: dict[str, Statement], entities: dict[str, Entity]) -> list[Problem]:
    """Ids that must point at something: sources, entities, references."""
    problems: list[Problem] = []
    publications = [e.id for e in entities.values() if e.type == "publication"]
    for s in statements.values():
        if s.source:
            source = entities.get(s.source)
            if source is None:
                hint = did_you_mean(s.source, publications) or "add an entity file with 'type: publication'"
                problems.append(Problem(s.path, s.line_of("source"), f"unknown source '{s.source}'", hint))
            elif source.type != "publication":
                problems.append(
                    Problem(
                        s.path,
                        s.line_of("source"),
                        f"source '{s.source}' is a {source.type}, not a publication",
                        "set 'type: publication' in its file, or name another source",
                    )
                )
        for entity_id in s.entities:
            if entity_id not in entities:
                problems.append(
                    Problem(
                        s.path,
                        s.line_of("entities"),
                        f"unknown entity '{entity_id}'",
                        did_you_mean(entity_id, entities) or "add a file under content/entities/",
                    )
                )
        for ref in s.references:
            if ref.id == s.id:
                problems.append(Problem(s.path, ref.line, "a statement cannot reference itself"))
            elif ref.id not in statements:
                problems.append(
                    Problem(
                        s.path,
                        ref.line,
                        f"unknown statement '{ref.id}' in references",
                        did_you_mean(ref.id, statements),
                    )
                )
    return problems
