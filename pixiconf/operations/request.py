"""What an operation gets and gives (CASE-FORMAT.md §3).

An :class:`OperationRequest` names one of :data:`CONTRACT_OPERATIONS`, its arguments, and the
materialised workspace it runs in; the reference answers with an :class:`OperationResult` (the
observation and its warnings) or raises :class:`~pixiconf.diagnostics.DiagnosticError`.
Implementations (:mod:`pixiconf.implementations`) take the same request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixiconf.diagnostics import Diagnostic

#: Operations defined by CASE-FORMAT.md version 1, §3.
CONTRACT_OPERATIONS = (
    "discover",
    "check",
    "environments",
    "resolve",
    "recipe",
    "variants",
    "build-string",
    "map-pypi",
    "lock",
    "lock-check",
)


@dataclass(frozen=True, slots=True)
class OperationRequest:
    """Everything an implementation gets for one run of one case."""

    op: str
    args: Mapping[str, Any]
    #: The materialised workspace root (a fresh temporary directory).
    workspace_root: Path
    #: Directory to run from: ``workspace_root / case.cwd``.
    cwd: Path
    #: The complete environment for the run (already restricted to the safe set + case env).
    env: Mapping[str, str]
    #: Seconds an external process may take.
    timeout: float = 60.0
    #: Offline PyPI→conda table from the case (``pypi-mapping``), if any.
    pypi_mapping: Mapping[str, str | bool] | None = None
    #: Keep discovery inside the workspace root's parent (cases: never leave the temp dir).
    #: The command line sets this to False to walk up like pixi does.
    confined: bool = True
    #: The case's local channels: name → ``file://`` URL (``{{channels.NAME}}``).
    channels: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class OperationResult:
    """The reference's answer: the observation (plain data) and the warnings it gave."""

    value: Any
    warnings: list[Diagnostic] = field(default_factory=list)
