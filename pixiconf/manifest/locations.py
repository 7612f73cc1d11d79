"""Map dotted TOML key paths to source positions, for diagnostics.

``tomllib`` gives values but no positions.  This index scans the text once for table headers,
``key = value`` lines (dotted keys included) and keys of inline tables, and records the line
and column where each key path first appears.  It is deliberately tolerant: a key it cannot
place falls back to its nearest placed parent, and finally to line 1.
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


@dataclass
class LocationIndex:
    """Positions of key paths in one TOML document."""

    positions: dict[tuple[str, ...], Position] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str) -> LocationIndex:
        index = cls()
        prefix: tuple[str, ...] = ()
        in_multiline: str | None = None
        for lineno, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if in_multiline in line:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                prefix = tuple(split_dotted(header.group(1)))
                index._record(prefix, lineno, line.index("[") + 1)
                continue
            assign = _ASSIGN.match(line)
            if not assign:
                continue
            key = prefix + tuple(split_dotted(assign.group(1)))
            index._record(key, lineno, assign.start(1) + 1)
            rest = line[assign.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
            if "{" in rest:
                index._scan_inline(key, rest, lineno, assign.end())
        return index

    def _scan_inline(self, key: tuple[str, ...], rest: str, lineno: int, offset: int) -> None:
        stack: list[tuple[str, ...]] = []
        current = key
        pos = 0
        while pos < len(rest):
            ch = rest[pos]
            if ch in "\"'":
                end = rest.find(ch, pos + 1)
                pos = len(rest) if end < 0 else end + 1
                continue
            if ch == "{":
                stack.append(current)
                match = _ASSIGN.match(rest, pos + 1)
                if match:
                    current = stack[-1] + tuple(split_dotted(match.group(1)))
                    self._record(current, lineno, offset + match.start(1) + 1)
                    pos = match.end()
                    continue
            elif ch == "}":
                current = stack.pop() if stack else key
            elif ch == "," and stack:
                match = _ASSIGN.match(rest, pos + 1)
                if match:
                    current = stack[-1] + tuple(split_dotted(match.group(1)))
                    self._record(current, lineno, offset + match.start(1) + 1)
                    pos = match.end()
                    continue
            pos += 1

    def _record(self, key: tuple[str, ...], line: int, column: int) -> None:
        for depth in range(1, len(key) + 1):
            self.positions.setdefault(key[:depth], (line, column))

    def find(self, key: Sequence[str]) -> Position | None:
        key = tuple(key)
        while key:
            if key in self.positions:
                return self.positions[key]
            key = key[:-1]
        return None
