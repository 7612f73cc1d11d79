"""Which function answers which operation of CASE-FORMAT.md §3 in the reference.

:func:`run_operation` dispatches an :class:`~pixiconf.operations.request.OperationRequest` by
its ``op``; an operation of the contract the reference lacks raises
:class:`~pixiconf.diagnostics.UnsupportedOperation`, an unknown one a diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable

from pixiconf.diagnostics import Diagnostic, DiagnosticError, UnsupportedOperation
from pixiconf.operations.request import CONTRACT_OPERATIONS, OperationRequest, OperationResult

Operation = Callable[[OperationRequest], OperationResult]


def operations() -> dict[str, Operation]:
    """Operation name → the reference's function (imported on first use: a case that only
    reads a manifest does not load the solver or the build backend)."""
    from pixiconf.operations import build, lock, workspace

    return {
        "discover": workspace.discover,
        "check": workspace.check,
        "environments": workspace.environments,
        "resolve": workspace.resolve,
        "recipe": build.recipe,
        "variants": build.variants,
        "build-string": build.build_string,
        "map-pypi": build.map_pypi,
        "lock": lock.lock,
        "lock-check": lock.lock_check,
    }


def run_operation(request: OperationRequest) -> OperationResult:
    """Run ``request`` with the reference."""
    operation = operations().get(request.op)
    if operation is None:
        if request.op in CONTRACT_OPERATIONS:
            raise UnsupportedOperation(f"operation '{request.op}' is not implemented yet")
        raise DiagnosticError(
            Diagnostic(
                f"unknown operation '{request.op}'",
                help="expected one of " + ", ".join(f"'{o}'" for o in CONTRACT_OPERATIONS),
            )
        )
    return operation(request)
