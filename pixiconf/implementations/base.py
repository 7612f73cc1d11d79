"""The interface between the case runner and an implementation.

CASE-FORMAT.md §3: an implementation turns an ``op`` and its ``args``, run in a materialised
case workspace, into an *observation* (plain data), a failure with a message, or reports the
operation as *unsupported*.  The plugin and the corpus only ever see these three outcomes, so a
subprocess-backed implementation plugs in without touching either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pixiconf.operations.request import OperationRequest


@dataclass(frozen=True, slots=True)
class Observed:
    """The operation succeeded and produced ``value``."""

    value: Any
    warnings: tuple[str, ...] = ()
    #: Free text shown on failure (e.g. the command line and its output).
    transcript: str = ""
    #: Key paths the implementation cannot observe (JSON pointers as in mismatch lines, ``*``
    #: standing for any one key or index): the matcher does not compare what is below them.
    unobserved: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Failed:
    """The operation failed (a raised diagnostic, or a non-zero exit)."""

    message: str
    warnings: tuple[str, ...] = ()
    transcript: str = ""
    exit_code: int | None = None
    #: True when the implementation did not finish within its timeout.
    timed_out: bool = False
    #: True when the implementation crashed (a panic, death by a signal): reported as CRASH.
    crashed: bool = False
    #: ``("/error",)`` when the implementation shows that the operation fails but not the
    #: message the rule gives (an external binary whose commands print another text): the
    #: failure is compared, the ``error`` substrings are not.
    unobserved: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unsupported:
    """The implementation cannot observe this operation (reported as SKIP, never PASS)."""

    reason: str
    details: Mapping[str, Any] = field(default_factory=dict)


Outcome = Observed | Failed | Unsupported


@runtime_checkable
class Implementation(Protocol):
    """What the runner needs from an implementation."""

    #: Short name used in reports and expectation files, e.g. ``reference``.
    name: str

    def version(self) -> str:
        """Version string recorded in reports."""
        ...

    def run(self, request: OperationRequest) -> Outcome:
        """Run one operation; must not raise for bad input (return :class:`Failed`)."""
        ...
