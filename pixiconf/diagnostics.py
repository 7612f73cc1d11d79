"""Typed diagnostics: errors and warnings with a location, a label and a help text.

pixi renders its diagnostics with miette (``crates/pixi_toml/src/diagnostic.rs``): a message,
a labelled span in the source, and an optional ``help:`` line.  pixiconf keeps the same three
texts and renders them compiler-style, ``pixi.toml:12:1: error: <message>``, followed by the
label and help lines.  Library code never prints: warnings are collected and returned.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message about one place in one file."""

    message: str
    severity: Severity = Severity.ERROR
    file: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    label: str | None = None
    help: str | None = None
    #: Dotted key path the diagnostic is about, e.g. ``feature.test.dependencies``.
    key: str | None = None

    def located(self, file: str | None, line: int | None, column: int | None) -> Diagnostic:
        """Return a copy placed at ``file:line:column`` (keeps an existing location)."""
        if self.line is not None:
            return self if self.file or not file else replace(self, file=file)
        return replace(self, file=file or self.file, line=line, column=column)

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        """Render as ``file:line:col: severity: message`` plus label and help lines."""
        lines = [f"{self.location}: {self.severity}: {self.message}"]
        if self.label:
            lines.append(f"  | {self.label}")
        if self.help:
            lines.append(f"  = help: {self.help}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "label": self.label,
            "help": self.help,
            "key": self.key,
        }


def warning(message: str, **kwargs: object) -> Diagnostic:
    return Diagnostic(message, Severity.WARNING, **kwargs)  # type: ignore[arg-type]


class DiagnosticError(Exception):
    """Raised by the reference implementation for invalid input; carries diagnostics."""

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic]):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.render())

    @property
    def diagnostic(self) -> Diagnostic:
        return self.diagnostics[0]

    def render(self) -> str:
        return render_all(self.diagnostics)


class UnsupportedOperation(Exception):
    """The reference does not implement this operation or this form of input (a SKIP of the
    case, with the message as its reason; never a PASS)."""


def render_all(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(d.render() for d in diagnostics)


#: Characters a terminal acts on instead of showing: C0 controls but tab and newline (``ESC``
#: starts the ``\x1b]0;title\x07`` and colour sequences), DEL, C1 controls (``\x9b`` is CSI),
#: line and paragraph separators, bidirectional overrides and isolates (they reorder what is
#: shown), and lone surrogates (what a non-UTF-8 file name decodes to; no UTF-8 output takes
#: them).
UNSAFE_FOR_TERMINAL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str) -> str:
    """``text`` with every character of :data:`UNSAFE_FOR_TERMINAL` shown escaped (``\\x1b``,
    ``\\u202e``, ``\\udcff``): what a manifest, a file name or an argument holds is printed,
    never acted on.  Every diagnostic the command line prints goes through here."""
    return UNSAFE_FOR_TERMINAL.sub(_escaped, text)
