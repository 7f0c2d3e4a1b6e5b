"""Korean words in their dictionary forms, so a search for 서울 or 전하다 finds 서울은 and 전했다.

Korean attaches particles and endings to the word they follow (서울은, 서울에서, 전했다), and
neither Pagefind nor whoosh can take them apart. kiwipiepy, a morphological analyser, does:
we keep the content words (nouns, verb and adjective stems, roots) of every Hangul text.
Its model takes a second or two and ~100 MB to load, so it is loaded only when a text
with Hangul is met, once per process.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

from .errors import ArchiveError

HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")

# Kiwi's part-of-speech tags (Sejong tag set) of the morphemes a reader would search for.
NOUN_TAGS = ("NNG", "NNP", "NR", "XR", "SH")
PREDICATE_TAGS = ("VV", "VA")  # verb and adjective stems: searched as stem + 다
DERIVING_TAGS = ("XSV", "XSA")  # 발표 + 하 → 발표하다


def has_hangul(text: str) -> bool:
    return HANGUL.search(text) is not None


@functools.cache
def _analyser() -> Any:
    """The kiwipiepy analyser, loaded on first use (slow; most archives never need it)."""
    try:
        from kiwipiepy import Kiwi
    except ImportError as error:  # pragma: no cover - kiwipiepy is a dependency
        raise ArchiveError(
            f"Korean text needs the kiwipiepy package ({error}); install it with `pip install kiwipiepy`"
        ) from error
    return Kiwi(num_workers=-1)  # every core for batches; results do not depend on it


_inherited: list[Any] = []  # analysers made before a fork, kept (see _after_fork)


def _after_fork() -> None:
    """A forked process has none of the analyser's worker threads (they stayed in the parent),
    so using the parent's analyser would wait for them for ever: the child makes its own. The
    parent's is kept, never destroyed, as destroying it would also wait for those threads."""
    if _analyser.cache_info().currsize:
        _inherited.append(_analyser())
        _analyser.cache_clear()


os.register_at_fork(after_in_child=_after_fork)


def base_forms(text: str) -> tuple[str, ...]:
    """The distinct Korean content words of text in dictionary form, in order of first use."""
    if not has_hangul(text):
        return ()
    return _terms(_analyser().tokenize(text))


def base_forms_many(texts: Iterable[str]) -> Iterator[tuple[str, ...]]:
    """base_forms for many texts; Kiwi analyses a batch faster than one call per text."""
    texts = list(texts)
    korean = [i for i, text in enumerate(texts) if has_hangul(text)]
    found: dict[int, tuple[str, ...]] = {}
    if korean:
        analysed = _analyser().tokenize([texts[i] for i in korean])
        found = {i: _terms(tokens) for i, tokens in zip(korean, analysed, strict=True)}
    for i in range(len(texts)):
        yield found.get(i, ())


def _terms(tokens: Iterable[Any]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    previous = None
    for token in tokens:
        tag = token.tag.split("-")[0]  # kiwi marks irregular stems as VV-I, VA-R, …
        if tag in NOUN_TAGS and has_hangul(token.form):
            seen.setdefault(token.form, None)
        elif tag in PREDICATE_TAGS:
            seen.setdefault(token.form + "다", None)
        elif tag in DERIVING_TAGS and previous is not None and previous.tag in ("NNG", "XR"):
            seen.setdefault(previous.form + token.form + "다", None)
        previous = token
    return tuple(seen)
