"""The Python reference implementation, wrapped in the runner interface."""

from __future__ import annotations

from pixiconf import PIXI_VERSION, __version__
from pixiconf.diagnostics import DiagnosticError, UnsupportedOperation
from pixiconf.implementations.base import Failed, Observed, Outcome, Unsupported
from pixiconf.operations.registry import run_operation
from pixiconf.operations.request import OperationRequest


class ReferenceImplementation:
    """Runs operations in-process with :mod:`pixiconf.operations`."""

    name = "reference"
    #: Picklable and side-effect free between requests: the case runner runs it in a worker
    #: process it can kill when an operation times out (:mod:`pixiconf.corpus.isolation`).
    process_safe = True

    def version(self) -> str:
        return f"pixiconf {__version__} (pixi {PIXI_VERSION} semantics)"

    def run(self, request: OperationRequest) -> Outcome:
        try:
            result = run_operation(request)
        except UnsupportedOperation as exc:
            return Unsupported(str(exc))
        except DiagnosticError as exc:
            return Failed(
                message=exc.render(),
                warnings=tuple(w.render() for w in getattr(exc, "warnings", ())),
                exit_code=1,
            )
        return Observed(
            value=result.value,
            warnings=tuple(w.render() for w in result.warnings),
        )
