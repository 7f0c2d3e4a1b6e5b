"""Add links and highlights to sanitised HTML without changing a single visible character.

Every linker (entity mentions, dates, annotations) works the same way: it reads the visible
text of one block (a paragraph, list item, cell …), says which character ranges to wrap, and
this module writes the wrapping elements back into the markup. Everything it does not wrap is
re-emitted from the original source, so a body's HTML changes only where a link or highlight
was added.

Rules kept here, once for every linker:
- a link (`a`) is never created inside an existing link, in code (`code`, `pre`, `kbd`,
  `samp`) or outside one text node; a span that breaks a rule is dropped;
- any other element (a `mark` highlight) may cross inline elements: it is then split into
  pieces that nest properly, and only the first piece keeps the `id`;
- text is re-escaped and attribute values are escaped, so nothing the caller passes (ids,
  URLs) can become markup.
"""

from __future__ import annotations

import bisect
import html as htmllib
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

# Token kinds.
TEXT, START, END, VOID, OTHER = range(5)

# Elements that live inside a line of text: they do not end a block's text.
INLINE = frozenset(
    "a abbr b bdi bdo br cite code data del dfn em i img ins kbd mark q s samp small span "
    "strong sub sup time u var wbr".split()
)
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# No link may be created inside these.
NO_LINK = frozenset("a code pre kbd samp script style".split())
# Their text is not shown to a reader.
OPAQUE = frozenset("script style template".split())
# Elements that may contain blocks (an aside can go at their end) …
FLOW = frozenset(
    "article aside blockquote caption dd details div figcaption figure footer header li main "
    "nav section td th".split()
)
# … and elements that may not (an aside placed in them would break the page's structure).
PHRASING = INLINE | frozenset("p h1 h2 h3 h4 h5 h6 dt pre summary legend".split())
# Footnote markers ("1", "↩") read as spaces to linkers: "Korea[^1]" is still the word Korea.
FOOTNOTE_CLASSES = frozenset({"footnote-ref", "footnote-backref"})
# What the footnotes extension writes inside them: a number, or the back arrow. Content can
# put the classes on its own links too, whose words must not be hidden from search.
_MARKER_TEXT = re.compile(r"[\s\d\u21a9\ufe0e]*")

_ATTR_NAME = re.compile(r"[a-z][a-z0-9_.:-]*\Z")


@dataclass(frozen=True)
class Span:
    """Wrap block text [start, end) in `<tag attrs>`; offsets are in the block's text."""

    start: int
    end: int
    tag: str = "mark"
    attrs: tuple[tuple[str, str], ...] = ()

    @property
    def is_link(self) -> bool:
        return self.tag == "a"


@dataclass(frozen=True)
class Point:
    """Where extra markup goes: in a block's text, before or after a token, or at the end."""

    kind: str  # "text", "before", "after" or "end"
    index: int = -1  # block for "text", token otherwise
    offset: int = 0


class Block:
    """The visible text of one block, as a linker sees it, and where links may go."""

    __slots__ = ("_ends", "_linkable", "_starts", "index", "text")

    def __init__(self, index: int, text: str, starts: Sequence[int], linkable: Sequence[bool]):
        self.index = index
        self.text = text
        self._starts = tuple(starts)
        self._ends = (*self._starts[1:], len(text))
        self._linkable = tuple(linkable)

    def can_link(self, start: int, end: int) -> bool:
        """True when [start, end) lies in one text node that is not in a link or code."""
        node = bisect.bisect_right(self._starts, start) - 1
        return 0 <= start < end and node >= 0 and end <= self._ends[node] and self._linkable[node]

    def node_at(self, offset: int) -> int:
        """The text node (in block order) holding the character at offset."""
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def __repr__(self) -> str:
        return f"Block({self.index}, {self.text!r})"


class _Tokens:
    """Flat tokens, each with its exact position in the source."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.kinds: list[int] = []
        self.names: list[str] = []
        self.texts: list[str] = []
        self.footnote: list[bool] = []


# The markup the sanitiser writes, and nothing else: text without "<", tags whose names are
# letters and digits, attributes with double-quoted values. In such HTML every token is
# what html.parser makes of it, so it is read with one regular expression (a fifth of the
# time); anything else (a comment, a bare "<", script, a raw capture) goes to html.parser.
_PLAIN_TOKEN = re.compile(
    r"([^<]+)"
    r'|<([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f]+[a-zA-Z][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*)[ \t\n\r\f]*(/?)>'
    r"|</([a-zA-Z][a-zA-Z0-9]*)[ \t\n\r\f]*>"
)
_ATTRIBUTE = re.compile(r'[ \t\n\r\f]+([a-zA-Z][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
# Elements whose content some html.parser reads as text (3.11: script and style; newer
# versions more): their markup is left to html.parser.
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes noscript plaintext".split())


def _plain_tokens(source: str) -> _Tokens | None:
    """Tokens of sanitised markup as html.parser would give them, or None for other markup."""
    tokens = _Tokens()
    add_start, add_kind, add_name = tokens.starts.append, tokens.kinds.append, tokens.names.append
    add_text, add_footnote = tokens.texts.append, tokens.footnote.append
    position, length = 0, len(source)
    match = _PLAIN_TOKEN.match
    while position < length:
        token = match(source, position)
        if token is None:
            return None
        text, start_name, attributes, closed, end_name = token.groups()
        add_start(position)
        if text is not None:
            add_kind(TEXT), add_name(""), add_text(htmllib.unescape(text)), add_footnote(False)
        elif start_name is not None:
            name = start_name.lower()
            if name in _RAW_TEXT:
                return None
            footnote = False
            if attributes and not closed:  # (the attributes, one after another: none is read inside a value)
                classes = {
                    c
                    for key, value in _ATTRIBUTE.findall(attributes)
                    if key.lower() == "class"
                    for c in htmllib.unescape(value).split()
                }
                footnote = bool(classes & FOOTNOTE_CLASSES)
            add_kind(VOID if closed or name in VOID_TAGS else START), add_name(name)
            add_text(""), add_footnote(footnote)
        else:
            name = end_name.lower()
            add_kind(OTHER if name in VOID_TAGS else END), add_name(name), add_text(""), add_footnote(False)
        position = token.end()
    return tokens


class _Tokenizer(HTMLParser, _Tokens):
    """Flat tokens with their exact source positions (html.parser only reports line:column)."""

    def __init__(self, source: str):
        HTMLParser.__init__(self, convert_charrefs=True)
        _Tokens.__init__(self)
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", source))]
        self.feed(source)
        self.close()

    def _add(self, kind: int, name: str = "", text: str = "", footnote: bool = False) -> None:
        line, column = self.getpos()
        self.starts.append(self._line_starts[line - 1] + column)
        self.kinds.append(kind)
        self.names.append(name)
        self.texts.append(text)
        self.footnote.append(footnote)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set()
        for key, value in attrs:
            if key == "class" and value:
                classes.update(value.split())
        footnote = bool(classes & FOOTNOTE_CLASSES)
        self._add(VOID if tag in VOID_TAGS else START, tag, footnote=footnote)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add(VOID, tag)

    def handle_endtag(self, tag: str) -> None:
        self._add(OTHER if tag in VOID_TAGS else END, tag)

    def handle_data(self, data: str) -> None:
        self._add(TEXT, text=data)

    def handle_comment(self, data: str) -> None:
        self._add(OTHER)

    def handle_decl(self, decl: str) -> None:
        self._add(OTHER)

    def handle_pi(self, data: str) -> None:
        self._add(OTHER)

    def unknown_decl(self, data: str) -> None:
        self._add(OTHER)


class Document:
    """Parsed HTML: tokens, the element tree (as parent/match indices) and the blocks' text."""

    def __init__(self, html: str):
        self.source = html
        self._tokenize(html)
        self._build_tree()
        self._build_blocks()

    # --- parsing -----------------------------------------------------------------------

    def _tokenize(self, html: str) -> None:
        t = _plain_tokens(html) or _Tokenizer(html)
        kinds, names, texts, raws, footnote = [], [], [], [], []
        bounds = [*t.starts, len(html)]
        if bounds[0] > 0:  # anything html.parser skipped before its first token
            kinds.append(OTHER), names.append(""), texts.append(""), footnote.append(False)
            raws.append(html[: bounds[0]])
        for k, kind in enumerate(t.kinds):
            raw = html[bounds[k] : bounds[k + 1]]
            if kind == TEXT and kinds and kinds[-1] == TEXT:  # one text node, reported in pieces
                texts[-1] += t.texts[k]
                raws[-1] += raw
                continue
            kinds.append(kind), names.append(t.names[k]), texts.append(t.texts[k])
            raws.append(raw), footnote.append(t.footnote[k])
        self.kinds, self.names, self.texts, self.raws = kinds, names, texts, raws
        self._footnote_tag = footnote

    def _build_tree(self) -> None:
        """Parent element and matching end tag of every token; flags inherited down the tree."""
        n = len(self.kinds)
        self.parent = [-1] * n
        self.match = [-1] * n
        self.linkable = [True] * n  # for elements and text: no link or code around
        self.masked = [False] * n  # inside a footnote marker
        stack: list[int] = []
        for i, kind in enumerate(self.kinds):
            up = stack[-1] if stack else -1
            self.parent[i] = up
            if up >= 0:
                self.linkable[i] = self.linkable[up]
                self.masked[i] = self.masked[up]
            if kind == START:
                self.linkable[i] = self.linkable[i] and self.names[i] not in NO_LINK
                self.masked[i] = self.masked[i] or self._footnote_tag[i]
                stack.append(i)
            elif kind == END:
                open_names = [self.names[s] for s in stack]
                if self.names[i] not in open_names:
                    self.kinds[i] = OTHER  # a stray end tag: kept as it is, ignored
                    continue
                while stack:
                    start = stack.pop()
                    if self.names[start] == self.names[i]:
                        self.match[start] = i
                        self.parent[i] = self.parent[start]
                        break
            elif kind == TEXT and self._in_opaque(up):
                self.kinds[i] = OTHER
            elif kind == TEXT and self.masked[i]:
                self.masked[i] = _MARKER_TEXT.fullmatch(self.texts[i]) is not None

    def _in_opaque(self, element: int) -> bool:
        while element >= 0:
            if self.names[element] in OPAQUE:
                return True
            element = self.parent[element]
        return False

    def _build_blocks(self) -> None:
        """Split the tokens into blocks at every tag that is not inline."""
        self.blocks: list[Block] = []
        self._block_tokens: list[tuple[int, int]] = []  # token range of each block
        self._block_nodes: list[list[int]] = []  # text tokens of each block
        self.text_offset = [0] * len(self.kinds)  # block text offset where each token starts
        first = 0
        for i, kind in enumerate([*self.kinds, START]):
            is_end = i == len(self.kinds)
            if is_end or (kind in (START, END, VOID) and self.names[i] not in INLINE):
                self._close_block(first, i)
                first = i + 1

    def _close_block(self, first: int, stop: int) -> None:
        nodes = [k for k in range(first, stop) if self.kinds[k] == TEXT]
        if all(self.texts[k].isspace() for k in nodes):
            return  # whitespace between blocks ("<ul>\n<li>") is no place for markup
        starts, parts, offset = [], [], 0
        for k in range(first, stop):
            self.text_offset[k] = offset
            if self.kinds[k] == TEXT:
                starts.append(offset)
                text = self.texts[k]
                parts.append(" " * len(text) if self.masked[k] else text)
                offset += len(text)
        index = len(self.blocks)
        self.blocks.append(Block(index, "".join(parts), starts, [self.linkable[k] for k in nodes]))
        self._block_tokens.append((first, stop))
        self._block_nodes.append(nodes)

    # --- reading -------------------------------------------------------------------------

    def visible_text(self) -> str:
        """What a reader sees: every text node, entities decoded, in document order."""
        return "".join(t for t, kind in zip(self.texts, self.kinds, strict=True) if kind == TEXT)

    def ancestors(self, token: int) -> list[int]:
        """Start tokens of the elements around a token, innermost first."""
        chain, element = [], self.parent[token]
        while element >= 0:
            chain.append(element)
            element = self.parent[element]
        return chain

    def _node_token(self, block: int, offset: int) -> int:
        """The text token holding the character just before offset in a block."""
        b = self.blocks[block]
        return self._block_nodes[block][b.node_at(max(0, offset - 1))]

    def point_after_text(self, block: int, offset: int) -> Point | None:
        """Just after block text offset, where a link may go: past any link or code around it."""
        token = self._node_token(block, offset)
        around = [e for e in self.ancestors(token) if self.names[e] in NO_LINK]
        if not around:
            return Point("text", block, offset)
        end = self.match[around[-1]]
        return Point("after", end) if end >= 0 else None

    def point_after_block(self, block: int, offset: int) -> Point:
        """The first place after the text at offset where a block element (an aside) may go.

        Inside a list item, cell or quote: at its end; after a paragraph or heading: right
        after it; never inside a paragraph, inline element or link.
        """
        chain = self.ancestors(self._node_token(block, offset))
        for level, element in enumerate(chain):
            outer = chain[level + 1 :]
            if any(self.names[o] in PHRASING for o in outer) or self.match[element] < 0:
                continue
            name = self.names[element]
            if name in FLOW:
                return Point("before", self.match[element])
            if name not in INLINE and (not outer or self.names[outer[0]] in FLOW):
                return Point("after", self.match[element])
        return Point("end")

    # --- writing -------------------------------------------------------------------------

    def render(
        self,
        spans: Mapping[int, Iterable[Span]] | None = None,
        inserts: Iterable[tuple[Point, str]] = (),
    ) -> str:
        """The HTML with spans (per block index) wrapped and trusted markup inserted."""
        per_block: dict[int, list[Span]] = {}
        for index, block_spans in sorted((spans or {}).items()):
            kept = _valid_spans(self.blocks[index], block_spans)
            if kept:
                per_block[index] = kept
        before: dict[int, list[str]] = defaultdict(list)
        after: dict[int, list[str]] = defaultdict(list)
        in_text: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        at_end: list[str] = []
        for point, markup in inserts:
            if point.kind == "text":
                in_text[point.index][point.offset].append(markup)
            elif point.kind == "before":
                before[point.index].append(markup)
            elif point.kind == "after":
                after[point.index].append(markup)
            else:
                at_end.append(markup)
        out: list[str] = []
        engine_blocks = sorted(set(per_block) | set(in_text))
        starts = {self._block_tokens[b][0]: b for b in engine_blocks}
        i = 0
        while i < len(self.kinds):
            if i in starts:
                b = starts[i]
                _BlockWriter(self, b, per_block.get(b, []), in_text.get(b, {}), before, after, out).write()
                i = self._block_tokens[b][1]
                continue
            out.extend(before.get(i, ()))
            out.append(self.raws[i])
            out.extend(after.get(i, ()))
            i += 1
        out.extend(at_end)
        return "".join(out)


def _valid_spans(block: Block, spans: Iterable[Span]) -> list[Span]:
    """Spans that can be written: in range, links in one linkable text node, links apart."""
    links, others = [], []
    for span in spans:
        _check_markup(span)
        if not 0 <= span.start < span.end <= len(block.text):
            continue
        if span.is_link:
            if block.can_link(span.start, span.end):
                links.append(span)
        else:
            others.append(span)
    return merge_spans(links) + others


def _check_markup(span: Span) -> None:
    if span.tag not in INLINE or span.tag in VOID_TAGS:
        raise ValueError(f"cannot wrap text in <{span.tag}>")
    for name, _ in span.attrs:
        if not _ATTR_NAME.match(name) or name.startswith("on"):
            raise ValueError(f"refusing attribute {name!r}")


def _open_tag(span: Span, first: bool) -> str:
    attrs = "".join(
        f' {name}="{htmllib.escape(value, quote=True)}"'
        for name, value in span.attrs
        if first or name != "id"
    )
    return f"<{span.tag}{attrs}>"


class _BlockWriter:
    """Writes one block's tokens with its spans wrapped, nesting every element properly.

    Spans still open when an inline element starts stay open across it only if they cover
    the whole element; otherwise they are closed before it and continue as new pieces
    inside. Links are never split: a highlight that ends inside a link is split instead.
    """

    def __init__(self, doc, block, spans, in_text, before, after, out):
        self.doc: Document = doc
        self.first, self.stop = doc._block_tokens[block]
        self.spans: list[Span] = sorted(spans, key=lambda s: (s.start, -s.end, s.is_link))
        self.in_text: Mapping[int, list[str]] = in_text
        self.before, self.after, self.out = before, after, out
        self.stack: list[int] = []  # indices into self.spans, outermost first
        self.floors: list[int] = [0]  # stack height when each open inline element started
        self.opened: set[int] = set()
        self.alive: list[int] = []  # spans started and not yet over, by start
        self.next_span = 0
        self.offset = 0
        self.nested = self._well_formed()

    def _well_formed(self) -> bool:
        """True when every inline element of the block starts and ends inside it, nested."""
        open_elements: list[int] = []
        for i in range(self.first, self.stop):
            kind = self.doc.kinds[i]
            if kind == START:
                open_elements.append(i)
            elif kind == END and (not open_elements or self.doc.match[open_elements.pop()] != i):
                return False
        return not open_elements

    def write(self) -> None:
        doc = self.doc
        for i in range(self.first, self.stop):
            self.out.extend(self.before.get(i, ()))
            kind = doc.kinds[i]
            if kind == TEXT:
                self._text(doc.texts[i], doc.raws[i])
            elif kind == START and self.nested:
                self._enter(i)
            elif kind == END and self.nested:
                self._close_to(self.floors.pop())
                self.out.append(doc.raws[i])
            elif kind in (START, END):
                self._close_to(0)
                self.out.append(doc.raws[i])
            else:
                self.out.append(doc.raws[i])
            self.out.extend(self.after.get(i, ()))
        self._close_to(0)

    # --- spans ----------------------------------------------------------------------

    def _advance(self, until: int) -> None:
        """Make `alive` hold the spans that start before `until` and end after `offset`."""
        while self.next_span < len(self.spans) and self.spans[self.next_span].start < until:
            self.alive.append(self.next_span)
            self.next_span += 1
        self.alive = [s for s in self.alive if self.spans[s].end > self.offset]

    def _open(self, s: int) -> None:
        self.out.append(_open_tag(self.spans[s], s not in self.opened))
        self.opened.add(s)
        self.stack.append(s)

    def _close_to(self, height: int) -> None:
        while len(self.stack) > height:
            self.out.append(f"</{self.spans[self.stack.pop()].tag}>")

    def _desired(self, at: int) -> list[int]:
        """The stack wanted for text from `at`: floor spans, then outer to inner."""
        floor = self.stack[: self.floors[-1]]
        active = [s for s in self.alive if self.spans[s].start <= at < self.spans[s].end and s not in floor]
        links = [s for s in active if self.spans[s].is_link]
        if links:  # highlights ending inside the link go inside it, so the link stays whole
            link = self.spans[links[0]]
            outer = [s for s in active if s < links[0] and self.spans[s].end >= link.end]
            inner = [s for s in active if s not in outer and s != links[0]]
            active = [*outer, links[0], *inner]
        return floor + active

    def _text(self, text: str, raw: str) -> None:
        if not text:
            self.out.append(raw)
            return
        start, stop = self.offset, self.offset + len(text)
        self._advance(stop)
        inserts = {k: v for k, v in self.in_text.items() if start < k <= stop}
        if not self.stack and not inserts and all(self.spans[s].is_link for s in self.alive):
            if self.alive:
                self._links_only(text, start)  # the common case: mention and date links
            else:
                self.out.append(raw)
            self.offset = stop
            self._advance(stop)
            return
        cuts = {start, stop, *inserts}
        for s in self.alive:
            cuts.update(p for p in (self.spans[s].start, self.spans[s].end) if start < p < stop)
        cuts_sorted = sorted(cuts)
        if len(cuts_sorted) == 2 and self._desired(start) == self.stack:
            self.out.append(raw)  # nothing changes in this text node
        else:
            for a, b in itertools.pairwise(cuts_sorted):
                self._switch(self._desired(a), inserts.get(a, ()))
                self.out.append(htmllib.escape(text[a - start : b - start], quote=False))
        self.offset = stop
        keep = len(self.stack)
        for level in range(self.floors[-1], len(self.stack)):
            if self.spans[self.stack[level]].end <= stop:
                keep = level
                break
        self._close_to(keep)
        self.out.extend(m for m in inserts.get(stop, ()))
        self._advance(stop)

    def _links_only(self, text: str, start: int) -> None:
        """Write a text node whose only spans are links (which lie inside it, apart)."""
        at = start
        for s in self.alive:
            span = self.spans[s]
            self.out.append(htmllib.escape(text[at - start : span.start - start], quote=False))
            self.out.append(_open_tag(span, True))
            self.out.append(htmllib.escape(text[span.start - start : span.end - start], quote=False))
            self.out.append("</a>")
            at = span.end
        self.out.append(htmllib.escape(text[at - start :], quote=False))

    def _switch(self, desired: list[int], inserts: Iterable[str]) -> None:
        common = 0
        while common < min(len(self.stack), len(desired)) and self.stack[common] == desired[common]:
            common += 1
        self._close_to(common)
        self.out.extend(inserts)
        for s in desired[common:]:
            self._open(s)

    def _enter(self, token: int) -> None:
        """An inline element starts: keep open only what covers all of it, then go in."""
        doc = self.doc
        inner_end = doc.text_offset[doc.match[token]]
        self._advance(self.offset + 1 if inner_end > self.offset else self.offset)
        for level, s in enumerate(self.stack):
            if self.spans[s].end < inner_end:
                self._close_to(level)
                break
        covering = [
            s
            for s in self.alive
            if not self.spans[s].is_link
            and self.spans[s].start <= self.offset
            and self.spans[s].end >= inner_end
            and s not in self.stack
            and inner_end > self.offset
        ]
        for s in covering:
            self._open(s)
        self.floors.append(len(self.stack))
        self.out.append(doc.raws[token])


def merge_spans(*lists: Iterable[Span]) -> list[Span]:
    """One list of non-overlapping spans: an earlier list wins, then longer, then earlier."""
    ranked = sorted(
        ((rank, -(s.end - s.start), s.start, n), s)
        for rank, spans in enumerate(lists)
        for n, s in enumerate(spans)
    )
    starts: list[int] = []
    ends: list[int] = []
    kept: list[Span] = []
    for _, span in ranked:
        k = bisect.bisect_right(starts, span.start)
        if k > 0 and ends[k - 1] > span.start:
            continue
        if k < len(starts) and starts[k] < span.end:
            continue
        starts.insert(k, span.start)
        ends.insert(k, span.end)
        kept.insert(k, span)
    return kept


def add_block_spans(html: str, find: Callable[[Block], Iterable[Span]]) -> str:
    """Wrap the spans `find` returns for each block (it may ask `block.can_link`)."""
    doc = Document(html)
    spans = {block.index: list(find(block)) for block in doc.blocks}
    if not any(spans.values()):
        return html
    return doc.render(spans)


def add_spans(html: str, find: Callable[[str], Iterable[Span]]) -> str:
    """Wrap the spans `find` returns for each block's visible text."""
    return add_block_spans(html, lambda block: find(block.text))


def visible_text(html: str) -> str:
    """What a reader sees of the HTML: its text nodes, entities decoded, tags dropped."""
    return Document(html).visible_text()
