"""The workspace operations of CASE-FORMAT.md §3: ``discover``, ``check``, ``environments``,
``resolve``.

- ``discover``: ``{manifest: <path relative to the workspace root>}``, the manifest pixi picks
  (:mod:`pixiconf.workspace.discovery`); the walk never leaves the case;
- ``check``: ``{warnings: [...]}`` of a manifest that parses and validates
  (:mod:`pixiconf.manifest`), or its first error;
- ``environments``: every environment's features, solve group and platforms;
- ``resolve``: one environment on one platform, features and targets merged
  (:mod:`pixiconf.workspace.environments`).
"""

from __future__ import annotations

from pixiconf.diagnostics import Diagnostic, DiagnosticError
from pixiconf.operations.context import find_manifest, load_workspace, relative_path
from pixiconf.operations.request import OperationRequest, OperationResult
from pixiconf.workspace.environments import environments_observation
from pixiconf.workspace.environments import resolve as resolve_environment


def discover(request: OperationRequest) -> OperationResult:
    """``{manifest: <path relative to the workspace root>}``; the walk never leaves the case."""
    found = find_manifest(request)
    return OperationResult({"manifest": relative_path(request, found.path)}, list(found.warnings))


def check(request: OperationRequest) -> OperationResult:
    _, _, warnings = load_workspace(request)
    return OperationResult({"warnings": [w.message for w in warnings]}, warnings)


def environments(request: OperationRequest) -> OperationResult:
    _, manifest, warnings = load_workspace(request)
    return OperationResult(environments_observation(manifest), warnings)


def resolve(request: OperationRequest) -> OperationResult:
    platform = request.args.get("platform")
    if not isinstance(platform, str):
        raise DiagnosticError(
            Diagnostic("the 'resolve' operation requires the argument 'platform'")
        )
    environment = request.args.get("environment", "default")
    _, manifest, warnings = load_workspace(request)
    return OperationResult(resolve_environment(manifest, str(environment), platform), warnings)
