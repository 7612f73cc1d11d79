"""The one TOML reader of the reference: TOML 1.1, as pixi reads its manifests.

pixi 0.77 parses every manifest (``pixi.toml``, ``pyproject.toml``, ``mojoproject.toml``, package
manifests) with ``toml_span::parse`` (``crates/pixi_manifest/src/discovery.rs``
``WorkspaceDiscoverer::discover``, ``crates/pixi_manifest/src/toml/mod.rs`` ``FromTomlStr``) from
toml-span 0.7.1, which implements TOML 1.1 (toml-span 0.7.0 "Support TOML 1.1":
``de.rs`` ``Deserializer::inline_table`` accepts newlines, comments and a trailing comma inside
an inline table; ``tokens.rs`` decodes the ``\\e`` and ``\\xHH`` escapes).  pixi-build-python
reads ``pyproject.toml`` with the ``toml`` crate 1.1 (``+spec-1.1.0`` in pixi's Cargo.lock), also
TOML 1.1.  The stdlib :mod:`tomllib` of Python 3.11-3.13 is TOML 1.0, so the reference reads
with tomli 2.5 or newer (2.4 is the first tomli that implements TOML 1.1, 2.5 the first that
limits nesting and key parts, which the located errors for hostile input rely on).

Everything that reads TOML goes through :func:`loads` (or :func:`parse`), so the choice of
reader is made here only.  Known differences from toml-span, which no case pins:

- the wording of syntax errors is tomli's (``Unclosed inline table``), not toml-span's
  (``expected a comma, found an identifier``); the line is the same, the column may differ by
  one (toml-span points at the offending character, tomli sometimes just before it);
- tomli reads TOML 1.1's times without seconds and every date/time value, toml-span has no
  date/time values at all (such a value fails later, as a wrong type, instead of as syntax);
- inline arrays and tables nested deeper than tomli's limit (400 levels) are an error here.
"""

from __future__ import annotations

import re
from typing import Any

import tomli

from pixiconf.diagnostics import Diagnostic, DiagnosticError

__all__ = ["TOMLDecodeError", "loads", "parse", "syntax_diagnostic"]

#: The error :func:`loads` raises for invalid TOML (it has ``msg``, ``lineno`` and ``colno``).
TOMLDecodeError = tomli.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """Parse TOML 1.1 text; raises :data:`TOMLDecodeError` for invalid text, placed at its
    line and column.

    Besides tomli's syntax errors this covers what tomli raises without a place: nesting or
    dotted keys beyond its limits (a :class:`RecursionError`), and an integer of more digits
    than Python converts (a :class:`ValueError`, ``sys.get_int_max_str_digits``).  toml-span
    0.7.1 reads an integer as an ``i64`` (``de.rs`` ``Deserializer::integer``) and reports one
    that does not fit as ``invalid number`` (``ErrorKind::InvalidNumber``); such an integer
    gets that message here.
    """
    try:
        return tomli.loads(text)
    except (RecursionError, ValueError) as exc:
        message = exc.msg if isinstance(exc, TOMLDecodeError) else str(exc)
        if "more than the allowed" in message:  # tomli's limits; it may give no or a wrong place
            raise TOMLDecodeError(message, text, _too_deep_at(text, message)) from None
        if isinstance(exc, TOMLDecodeError):
            raise
        if isinstance(exc, RecursionError):
            raise TOMLDecodeError("nesting too deep", text, 0) from None
        raise TOMLDecodeError("invalid number", text, _long_integer_at(text)) from None


#: Where tomli stops nesting inline arrays and tables (``MAX_INLINE_NESTING``) and key parts.
_MAX_NESTING, _MAX_KEY_PARTS = 400, 1000
#: What the nesting scan steps over: a string (basic, literal, multi-line; an unterminated one
#: runs to the end of the text), a comment, a bracket, or a dot between key parts.
_NESTING_TOKEN = re.compile(
    r"""
      \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)   # a multi-line basic string
    | '''(?:[^']|'(?!''))*(?:'''|$)           # a multi-line literal string
    | "(?:[^"\\\n]|\\.)*"?                      # a basic string
    | '[^'\n]*'?                                # a literal string
    | \#[^\n]*                                  # a comment
    | ([\[{]) | ([\]}]) | (\n) | (\.)
""",
    re.VERBOSE,
)
#: An integer literal of thousands of digits (Python converts at most 4,300 by default).
_LONG_INTEGER = re.compile(r"(?<![\w.'\"])[+-]?[0-9][0-9_]{4000,}(?![\w.])")


def _too_deep_at(text: str, message: str) -> int:
    """The offset where ``text`` first nests deeper than tomli allows, or has a dotted key of
    more parts than it allows (``message`` says which); 0 if the scan finds neither."""
    depth = dots = 0
    for token in _NESTING_TOKEN.finditer(text):
        if token.group(1):
            depth += 1
            if depth > _MAX_NESTING and "nested" in message:
                return token.start()
        elif token.group(2):
            depth = max(depth - 1, 0)
        elif token.group(3):
            dots = 0
        elif token.group(4):
            dots += 1
            if dots >= _MAX_KEY_PARTS and "parts" in message:
                return token.start()
    return 0


def _long_integer_at(text: str) -> int:
    """The offset of the first integer literal too long for Python to convert (0 if none)."""
    found = _LONG_INTEGER.search(text)
    return found.start() if found else 0


def syntax_diagnostic(
    error: TOMLDecodeError | RecursionError,
    text: str,
    file: str | None,
    *,
    help: str | None = None,
) -> Diagnostic:
    """A located diagnostic for a TOML syntax error: tomli's message at its 1-based line and
    column, labelled with the offending line as pixi's miette snippet shows it."""
    if not isinstance(error, TOMLDecodeError):
        return Diagnostic(str(error), file=file, help=help)
    line, column = error.lineno, error.colno
    lines = text.split("\n")
    label = _excerpt(lines[line - 1], column) if 0 < line <= len(lines) else ""
    return Diagnostic(
        error.msg, file=file, line=line, column=column, label=label or None, help=help
    )


#: The longest offending line a label shows whole; a longer one shows a window around the
#: column (a 200 KB line of brackets is no label).
_LABEL_WIDTH = 160


def _excerpt(line: str, column: int) -> str:
    line = line.strip()
    if len(line) <= _LABEL_WIDTH:
        return line
    start = max(0, min(column - 1 - _LABEL_WIDTH // 2, len(line) - _LABEL_WIDTH))
    end = start + _LABEL_WIDTH
    return ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")


def parse(text: str, file: str | None, *, help: str | None = None) -> dict[str, Any]:
    """:func:`loads`, with a syntax error raised as a located :class:`DiagnosticError`."""
    try:
        return loads(text)
    except (TOMLDecodeError, RecursionError) as exc:
        raise DiagnosticError(syntax_diagnostic(exc, text, file, help=help)) from None
