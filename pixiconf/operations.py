"""The operations of CASE-FORMAT.md §3, as pure functions of a case workspace.

Each operation takes an :class:`~pixiconf.implementations.base.OperationRequest` and returns
an :class:`OperationResult` (observation + warnings) or raises
:class:`~pixiconf.diagnostics.DiagnosticError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostic, DiagnosticError
from .implementations.base import CONTRACT_OPERATIONS, OperationRequest


class UnsupportedOperation(Exception):
    """The reference does not (yet) implement this operation."""


@dataclass(slots=True)
class OperationResult:
    value: Any
    warnings: list[Diagnostic] = field(default_factory=list)


Operation = Callable[[OperationRequest], OperationResult]


def _operations() -> dict[str, Operation]:
    from . import ops, ops_build, ops_lock

    return {
        "discover": ops.discover,
        "check": ops.check,
        "environments": ops.environments,
        "resolve": ops.resolve,
        "recipe": ops_build.recipe,
        "variants": ops_build.variants,
        "build-string": ops_build.build_string,
        "map-pypi": ops_build.map_pypi,
        "lock": ops_lock.lock,
        "lock-check": ops_lock.lock_check,
    }


def run_operation(request: OperationRequest) -> OperationResult:
    operations = _operations()
    op = operations.get(request.op)
    if op is None:
        if request.op in CONTRACT_OPERATIONS:
            raise UnsupportedOperation(f"operation '{request.op}' is not implemented yet")
        raise DiagnosticError(
            Diagnostic(
                f"unknown operation '{request.op}'",
                help="expected one of " + ", ".join(f"'{o}'" for o in CONTRACT_OPERATIONS),
            )
        )
    return op(request)
