"""Typed diagnostics: errors and warnings with a location, a label and a help text.

pixi renders its diagnostics with miette (``crates/pixi_toml/src/diagnostic.rs``): a message,
a labelled span in the source, and an optional ``help:`` line.  pixiconf keeps the same three
texts and renders them compiler-style, ``pixi.toml:12:1: error: <message>``, followed by the
label and help lines.  Library code never prints: warnings are collected and returned.
"""

from __future__ import annotations

import enum
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


def render_all(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(d.render() for d in diagnostics)
