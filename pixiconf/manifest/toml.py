"""The one TOML reader of the reference: TOML 1.1, as pixi reads its manifests.

pixi 0.77 parses every manifest (``pixi.toml``, ``pyproject.toml``, ``mojoproject.toml``, package
manifests) with ``toml_span::parse`` (``crates/pixi_manifest/src/discovery.rs``
``WorkspaceDiscoverer::discover``, ``crates/pixi_manifest/src/toml/mod.rs`` ``FromTomlStr``) from
toml-span 0.7.1, which implements TOML 1.1 (toml-span 0.7.0 "Support TOML 1.1":
``de.rs`` ``Deserializer::inline_table`` accepts newlines, comments and a trailing comma inside
an inline table; ``tokens.rs`` decodes the ``\\e`` and ``\\xHH`` escapes).  pixi-build-python
reads ``pyproject.toml`` with the ``toml`` crate 1.1 (``+spec-1.1.0`` in pixi's Cargo.lock), also
TOML 1.1.  The stdlib :mod:`tomllib` of Python 3.11-3.13 is TOML 1.0, so the reference reads
with tomli 2.4 or newer, the first tomli that implements TOML 1.1.

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

from typing import Any

import tomli

from ..diagnostics import Diagnostic, DiagnosticError

__all__ = ["TOMLDecodeError", "loads", "parse", "syntax_diagnostic"]

#: The error :func:`loads` raises for invalid TOML (it has ``msg``, ``lineno`` and ``colno``).
TOMLDecodeError = tomli.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """Parse TOML 1.1 text; raises :data:`TOMLDecodeError` or :class:`RecursionError`
    (nesting too deep)."""
    return tomli.loads(text)


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
    label = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return Diagnostic(error.msg, file=file, line=line, column=column, label=label or None,
                      help=help)


def parse(text: str, file: str | None, *, help: str | None = None) -> dict[str, Any]:
    """:func:`loads`, with a syntax error raised as a located :class:`DiagnosticError`."""
    try:
        return loads(text)
    except (TOMLDecodeError, RecursionError) as exc:
        raise DiagnosticError(syntax_diagnostic(exc, text, file, help=help)) from None
