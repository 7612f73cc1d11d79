"""Map dotted TOML key paths to source positions, for diagnostics.

The TOML reader (:mod:`.toml`) gives values but no positions.  This index scans the text once
for table headers, ``key = value`` lines (dotted keys included) and keys of inline tables, and
records the line and column where each key path first appears.  Inline tables may span lines
and hold comments and a trailing comma (TOML 1.1, as toml-span 0.7.1 ``de.rs``
``Deserializer::inline_table`` reads them): their keys are placed on the line they are on.  It
is deliberately tolerant: a key it cannot place falls back to its nearest placed parent, and
finally to line 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_BARE_KEY = r"[A-Za-z0-9_$-]+"
_KEY_PART = rf'(?:{_BARE_KEY}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED_KEY})\s*\]\]?")
_ASSIGN = re.compile(rf"\s*({_DOTTED_KEY})\s*=")
_PART = re.compile(_KEY_PART)

Position = tuple[int, int]  # 1-based line, column


def split_dotted(text: str) -> list[str]:
    parts = []
    for match in _PART.finditer(text):
        raw = match.group(0)
        if raw[0] in "\"'":
            raw = raw[1:-1]
        parts.append(raw)
    return parts


#: A node of the index: key part → child node, and under ``_AT`` (no key part is ``None``) the
#: position where that key path first appears.  A trie keeps recording and finding linear in
#: the number of key parts: a header of tens of thousands of dotted parts costs as many steps,
#: not their square (as recording every prefix of a tuple would).
_Node = dict
_AT = None


@dataclass
class LocationIndex:
    """Positions of key paths in one TOML document."""

    root: _Node = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str) -> LocationIndex:
        index = cls()
        table = index.root  # the node of the current table header
        in_multiline: str | None = None
        scanner = _InlineScanner(index)
        in_inline = False
        for lineno, line in enumerate(text.splitlines(), start=1):
            if in_inline:
                in_inline = scanner.feed(line, lineno, 0)
                continue
            if in_multiline:
                if in_multiline in line:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                table = index._record(
                    index.root, split_dotted(header.group(1)), lineno, line.index("[") + 1
                )
                continue
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            key = index._record(table, split_dotted(assign.group(1)), lineno, assign.start(1) + 1)
            rest = line[assign.end() :]
            if "{" in rest:
                scanner.start(key)
                in_inline = scanner.feed(rest, lineno, assign.end())
                continue
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
        return index

    def _record(self, node: _Node, parts: Sequence[str], line: int, column: int) -> _Node:
        """Place every key path from ``node`` along ``parts`` not placed yet at
        ``line:column``; return the node of the whole path."""
        for part in parts:
            child = node.get(part)
            if child is None:
                child = node[part] = {_AT: (line, column)}
            node = child
        return node

    def find(self, key: Sequence[str]) -> Position | None:
        """Where ``key`` first appears, else its nearest placed parent, else ``None``."""
        node, found = self.root, None
        for part in key:
            node = node.get(part)
            if node is None:
                break
            found = node[_AT]
        return found


#: The next thing the inline scanner looks at, one group per kind (``lastindex``): 1 an opening
#: bracket, 2 a closing one, 3 a comma, 4 a comment, 5 a multi-line string's opening; no group:
#: a one-line string, skipped whole (an unterminated one runs to the end of the line).
_INLINE_TOKEN = re.compile(
    r"""([{\[])|([}\]])|(,)|(#)|(""\"|''')|"[^"\\]*(?:\\.[^"\\]*)*"?|'[^']*'?"""
)
_OPEN, _CLOSE, _COMMA, _COMMENT = 1, 2, 3, 4
#: The end of an open multi-line string: its delimiter, and up to two more quotes that belong
#: to the string (``"""a"""""`` is ``a""``).
_MULTILINE_END = {
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""(?:"{0,2})'),
    "'''": re.compile(r"(?:[^']|'(?!''))*'''(?:'{0,2})"),
}
#: A key of an inline table with its ``=``; when its value is plain and on one line (a string
#: without escapes, a number, a boolean, a flat array of those), also the value and the ``,`` or
#: ``}`` after it (group 2), so the usual ``{ version = ">=1", extras = ["a"] }`` needs no token
#: search.
_PLAIN_SCALAR = r"""(?>"[^"\\]*+"|'[^']*+'|[^\s,{}\[\]#"']++)"""
_INLINE_ENTRY = re.compile(
    rf"[ \t]*({_DOTTED_KEY})[ \t]*=[ \t]*"
    rf"(?:(?:{_PLAIN_SCALAR}|\[(?:[ \t,]*+{_PLAIN_SCALAR})*+[ \t,]*+\])[ \t]*([,}}]))?"
)
#: Nothing more on this line, or only a comment: a key may still come on a later line.
_NOTHING_MORE = re.compile(r"[ \t]*(?:#|$)")


class _InlineScanner:
    """Keys of the inline tables in one value, which may span lines (TOML 1.1).

    :meth:`start` begins a value; :meth:`feed` takes one line (or the rest of the assignment
    line) at a time and says whether the value goes on.  It tracks the open inline tables and
    arrays, strings (multi-line ones across lines) and comments, and records each key that
    starts an inline table's entry, after ``{`` or ``,``, possibly on a later line.
    """

    def __init__(self, index: LocationIndex):
        self.index = index
        self.current: _Node = index.root
        #: Open brackets: ``{`` (True) or ``[`` (False) and the node of the key owning them.
        self.stack: list[tuple[bool, _Node]] = []
        self.expect_key = False
        self.string: str | None = None  # delimiter of an open multi-line string

    def start(self, key: _Node) -> None:
        self.current = key
        self.stack.clear()
        self.expect_key = False
        self.string = None

    def feed(self, text: str, lineno: int, offset: int) -> bool:
        """Scan one line; ``True`` while the value is still open at its end."""
        pos = 0
        if self.string is not None:
            end = _MULTILINE_END[self.string].match(text)
            if end is None:
                return True
            self.string = None
            pos = end.end()
        while pos >= 0:
            if self.expect_key:
                pos = self._key(text, pos, lineno, offset)
                if pos < 0 or self.expect_key:
                    continue
            pos = self._token(text, pos)
        return bool(self.stack) or self.string is not None

    def _key(self, text: str, pos: int, lineno: int, offset: int) -> int:
        """After an inline table's ``{`` or ``,``: record the key of the next entry.  Returns
        where to go on (``expect_key`` stays set after a plain value and its ``,``), or -1 when
        the line is done."""
        entry = _INLINE_ENTRY.match(text, pos)
        if entry is None:
            # A blank rest of the line or a comment: the key may come on a later line.
            if _NOTHING_MORE.match(text, pos) is not None:
                return -1
            self.expect_key = False
            return pos
        stack = self.stack
        self.current = self.index._record(
            stack[-1][1], split_dotted(entry.group(1)), lineno, offset + entry.start(1) + 1
        )
        separator = entry.group(2)
        if separator == ",":
            return entry.end()
        self.expect_key = False
        if separator == "}":
            self.current = stack.pop()[1]
            if not stack:
                return -1
        return entry.end()

    def _token(self, text: str, pos: int) -> int:
        """The next bracket, comma, comment or string from ``pos``; -1 when the line is done
        (or the value closed)."""
        token = _INLINE_TOKEN.search(text, pos)
        if token is None:
            return -1
        pos = token.end()
        kind = token.lastindex
        stack = self.stack
        if kind == _OPEN:
            self.expect_key = text[pos - 1] == "{"
            stack.append((self.expect_key, self.current))
        elif kind == _COMMA:
            self.expect_key = bool(stack) and stack[-1][0]
        elif kind == _CLOSE:
            if stack:
                self.current = stack.pop()[1]
            if not stack:
                return -1
        elif kind == _COMMENT:
            return -1
        elif kind is not None:  # a multi-line string: skip to its end, maybe on a later line
            delimiter = text[pos - 3 : pos]
            end = _MULTILINE_END[delimiter].match(text, pos)
            if end is None:
                self.string = delimiter
                return -1
            pos = end.end()
        return pos
