"""Make a Pagefind bundle byte-identical from one build to the next, and drop what we do not serve.

The bundle is handled in memory, as Pagefind's GetFiles returns it: its WriteFiles replies
before its last writes reach the disk (tokio files dropped unflushed) and the indexer exits
the moment its input closes, so files read or kept after WriteFiles can be truncated.

Pagefind 1.5 writes each filter's values in hash-map order, and its hash seed is random per
process: two runs over the same records give different filter files, hence a different
metadata file and entry file (measured: every other file is identical). We re-encode each
filter file with its values sorted, name it by its content, and point the metadata file and
the entry file at the new names. The files are gzip'd CBOR behind a "pagefind_dcd" signature;
we refuse to touch a bundle whose files do not decode and re-encode to the very same bytes, so
a future Pagefind format is left alone (valid, only not canonical) rather than broken.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from collections.abc import Callable
from typing import Any

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
# What the search page loads; Pagefind's own UI bundles and unused WebAssembly are not served.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
)
RUNTIME = ("pagefind.js", "pagefind-worker.js")  # loaded from the outermost bundle only

Files = dict[str, bytes]  # path inside the bundle (posix) -> content


class FormatChanged(Exception):
    """The bundle is not in the format this module knows."""


def canonicalise(files: Files) -> bool:
    """Rewrite the filter and metadata files canonically, in place; False if left as written."""
    try:
        entry_text = files[ENTRY].decode("utf-8")
        entry = json.loads(entry_text)
        if _dump_entry(entry) != entry_text:
            return False
        rewritten = dict(files)
        for language in sorted(entry.get("languages", {})):
            _canonical_language(rewritten, entry["languages"][language])
    except (FormatChanged, KeyError, TypeError, ValueError, IndexError):
        return False
    rewritten[ENTRY] = _dump_entry(entry).encode("utf-8")
    files.clear()
    files.update(rewritten)
    return True


def prune(files: Files) -> None:
    """Drop Pagefind's UI files and the WebAssembly of languages the bundle does not use."""
    entry = json.loads(files[ENTRY])
    used = {
        f"wasm.{index.get('wasm') or 'unknown'}.pagefind" for index in entry.get("languages", {}).values()
    }
    for path in list(files):
        if path in UNUSED or (path.startswith("wasm.") and path.endswith(".pagefind") and path not in used):
            del files[path]


def decode(data: bytes) -> Any:
    """The value in a gzip'd Pagefind file (metadata, filter, index, fragment)."""
    try:
        raw = gzip.decompress(data)
    except (gzip.BadGzipFile, EOFError, OSError) as error:
        raise FormatChanged(str(error)) from error
    if not raw.startswith(SIGNATURE):
        raise FormatChanged("no Pagefind signature")
    body = raw[len(SIGNATURE) :]
    value, end = _decode(body, 0)
    if end != len(body) or _encode(value) != body:
        raise FormatChanged("does not re-encode to the same bytes")
    return value


def _canonical_language(files: Files, index: dict[str, Any]) -> None:
    """Sort every filter's values, then rename the filter and metadata files by their content."""
    prefix = index["hash"].split("_")[0]
    meta = decode(files.pop(f"pagefind.{index['hash']}.pf_meta"))
    if not (isinstance(meta, list) and len(meta) > 3 and isinstance(meta[3], list)):
        raise FormatChanged("metadata without a filter list")
    old = [(name, decode(files.pop(f"filter/{file_hash}.pf_filter"))) for name, file_hash in meta[3]]
    filters = []
    for name, data in old:  # all old files are out before a new name could meet one
        if not (isinstance(data, list) and len(data) == 2 and isinstance(data[1], list)):
            raise FormatChanged("filter file without a value list")
        data[1] = sorted(data[1], key=lambda value: str(value[0]))
        filters.append([name, _store(files, "filter/{}.pf_filter", data, prefix, 7)])
    meta[3] = sorted(filters, key=lambda pair: pair[0])
    index["hash"] = _store(files, "pagefind.{}.pf_meta", meta, prefix, 10)


def _store(files: Files, pattern: str, value: Any, prefix: str, digits: int) -> str:
    """Add value as a gzip'd Pagefind file named by its content; returns the new hash."""
    data = gzip.compress(SIGNATURE + _encode(value), compresslevel=9, mtime=0)
    new_hash = f"{prefix}_{hashlib.sha256(data).hexdigest()[:digits]}"
    files[pattern.format(new_hash)] = data
    return new_hash


def share_wasm(entry: bytes, depth: int, drop_copy: Callable[[str], bool]) -> bytes | None:
    """The entry file of a bundle `depth` folders below another, pointing at that bundle's
    WebAssembly for every language whose own copy drop_copy(name) removed (it does where the
    bytes are the same); None if none.

    Pagefind fetches `<bundle>/wasm.<name>.pagefind`, <name> being the entry's `wasm` field;
    the name `<name>/../../wasm.<name>` (one `..` more a folder of depth) makes the browser's
    URL resolution land on the outer bundle's file, so a reader downloads it once.
    """
    parsed = json.loads(entry)
    changed = False
    for index in parsed.get("languages", {}).values():
        name = index.get("wasm")
        if isinstance(name, str) and "/" not in name and drop_copy(name):
            index["wasm"] = f"{name}/" + "../" * (depth + 1) + f"wasm.{name}"
            changed = True
    return _dump_entry(parsed).encode("utf-8") if changed else None


def _dump_entry(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


# -- the subset of CBOR (RFC 8949) Pagefind writes: integers, strings, arrays, maps ----------


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        argument = info
    elif info <= 27:
        size = 1 << (info - 24)
        argument = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise FormatChanged(f"indefinite or reserved CBOR item {head:#x}")
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major == 2:
        return bytes(data[at : at + argument]), at + argument
    if major == 3:
        return data[at : at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = []
        for _ in range(argument):
            key, at = _decode(data, at)
            value, at = _decode(data, at)
            pairs.append((key, value))
        return _Map(pairs), at
    if major == 7 and info < 24:
        return _Simple(info), at
    if major == 7 and info in (25, 26, 27):
        return _Float(head, data[at - (1 << (info - 24)) : at]), at
    raise FormatChanged(f"unknown CBOR item {head:#x}")


class _Map(list):
    """A CBOR map kept as ordered pairs, so it re-encodes byte for byte."""


class _Simple(int):
    """false, true, null, undefined: kept as their CBOR simple value."""


class _Float:
    def __init__(self, head: int, raw: bytes):
        self.head, self.raw = head, raw


def _encode(value: Any) -> bytes:
    if isinstance(value, _Simple):
        return bytes([0xE0 | int(value)])
    if isinstance(value, _Float):
        return bytes([value.head]) + value.raw
    if isinstance(value, bool):
        raise FormatChanged("unexpected boolean")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, _Map):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value)
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    raise FormatChanged(f"cannot encode {type(value).__name__}")


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if argument < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, argument)
    raise FormatChanged("integer too large for CBOR")
