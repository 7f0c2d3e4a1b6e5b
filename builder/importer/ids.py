"""Statement ids made from title and date: readable, stable, unique in the archive.

An id is also the file's stem and part of the statement's URL, so it is kept short
(at most 60 characters), ASCII, and never reused: -2, -3 … are added when taken.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container

from anyascii import anyascii

from ..content import SLUG

MAX_LENGTH = 60
# Small words carry no meaning in an id; dropping them keeps more of the title.
_STOP_WORDS = frozenset("a an the of by for to on in and at with from as is are was be its it s".split())
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han ideographs, for a character class
# Han ideographs are words of one syllable each: spaced, they become the words of the id.
_HAN = re.compile(f"([{HAN}])")
_APOSTROPHES = re.compile(r"['’‘`´]")


_INITIALISM = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # "U.S." is one word, "us", not "u" and "s"


def slug_words(text: str) -> list[str]:
    """The title's words as lowercase ASCII: accents folded, other scripts transliterated
    (anyascii: 외무성 gives oemuseong, 河北 he bei, Заявление zayavlenie), so that a
    Korean or Chinese title gives a readable id, not "article-2019-11-17"."""
    spaced = _HAN.sub(
        r" \1 ", _INITIALISM.sub(lambda m: m.group().replace(".", ""), _APOSTROPHES.sub("", text))
    )
    return re.findall(r"[a-z0-9]+", anyascii(spaced).lower())


def base_id(title: str, date: dt.date, fallback: str = "statement") -> str:
    """`<title words>-<YYYY-MM-DD>`, cut at a word so the whole fits in MAX_LENGTH."""
    words = slug_words(title)
    meaningful = [w for w in words if w not in _STOP_WORDS] or words or slug_words(fallback)
    suffix = "-" + date.isoformat()
    room = MAX_LENGTH - len(suffix) - 3  # keep room for "-NN" when the id is taken
    prefix = ""
    for word in meaningful:
        candidate = f"{prefix}-{word}" if prefix else word
        if len(candidate) > room:
            break
        prefix = candidate
    if not prefix:  # a single very long word
        prefix = meaningful[0][:room] if meaningful else "statement"
    return prefix + suffix


def unique_id(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3` … : the first one no statement has."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def is_valid_id(value: str) -> bool:
    return bool(SLUG.match(value)) and len(value) <= 200
