"""Reading what pixi prints on stderr: warnings, INFO log lines, skipped dependencies.

pixi (``crates/pixi_cli/src/lib.rs``) reports diagnostics with miette: a warning is a block
that starts with ``⚠`` (``!`` without unicode) and goes on with indented lines (source frame,
``help:``); log records of ``tracing`` are lines with the level (``WARN``, ``INFO``) and the
target (``pixi_core::lock_file::outdated: ``) before the message.

Manifest warnings come in one ``WARN`` record (``pixi_core/src/workspace/discovery.rs``,
``WorkspaceLocator::locate``): a header ``Encountered N warning[s] while parsing the
manifest:`` and then each warning's miette report (``⚠ message``, its source frame drawn with
box characters, ``help:``), indented.  The header is not a warning: every ``⚠`` under it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Warning_", "info_messages", "parse_warnings", "skipped_dependencies"]

_BLOCK_START = re.compile(r"^\s*(?:⚠|WARN)\s+(?:[A-Za-z_][\w]*(?:::[\w]+)+:\s+)?(.*)$")
#: The header of the manifest warnings' record (``discovery.rs``); not itself a warning.
_HEADER = re.compile(r"^Encountered \d+ warnings? while parsing the manifest:$")
_INFO = re.compile(r"^\s*(?:\S+\s+)?INFO\s+(?:[A-Za-z_][\w]*(?:::[\w]+)*:\s+)?(.*)$")
_SKIPPED = re.compile(
    r"Failed to convert dependency to conda environment spec: (.*?)\. "
    r"Skipping dependency"
)


@dataclass(frozen=True, slots=True)
class Warning_:
    """One warning: its message (the first line) and the whole block (help included)."""

    message: str
    text: str


def parse_warnings(stderr: str) -> list[Warning_]:
    """Every warning block of ``stderr`` in order (``Encountered N warnings`` is not one)."""
    out: list[Warning_] = []
    current: list[str] | None = None
    message = ""
    for line in stderr.splitlines():
        start = _BLOCK_START.match(line)
        if start:
            if current is not None:
                out.append(Warning_(message, "\n".join(current)))
            message = start.group(1).strip()
            # the header opens no warning; the `⚠` reports indented below it are the warnings
            current = None if _HEADER.match(message) else [message]
        elif current is not None and line[:1].isspace() and line.strip():
            current.append(line.strip())
        elif current is not None:
            out.append(Warning_(message, "\n".join(current)))
            current = None
    if current is not None:
        out.append(Warning_(message, "\n".join(current)))
    return out


def info_messages(stderr: str, needle: str) -> list[str]:
    """Messages of INFO log lines that contain ``needle``, in order, each once.  A message
    goes on over the following lines until the next log record or diagnostic (tracing prints
    a multi-line message as it is)."""
    out: list[str] = []
    current: list[str] | None = None
    for line in [*stderr.splitlines(), "Error:"]:
        found = _INFO.match(line)
        if current is not None and (found or _RECORD.match(line)):
            message = "\n".join(current)
            if needle in message and message not in out:
                out.append(message)
            current = None
        if found:
            current = [found.group(1)]
        elif current is not None:
            current.append(line)
    return out


_RECORD = re.compile(r"^\s*(?:\S+\s+)?(?:TRACE|DEBUG|INFO|WARN|ERROR)\s|^\s*(?:⚠|×|Error:)")


def skipped_dependencies(stderr: str) -> list[str]:
    """Names ``pixi workspace export conda-environment`` skipped (source dependencies: no
    match spec), from its ``tracing::warn!`` with the name's ``Debug`` form."""
    names = []
    for found in _SKIPPED.finditer(stderr):
        quoted = re.findall(r'"((?:[^"\\]|\\.)*)"', found.group(1))
        if quoted:
            names.append(quoted[-1])
    return names
