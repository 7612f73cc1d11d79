"""Reference operations: discover, check, environments, resolve (CASE-FORMAT.md §3)."""

from __future__ import annotations

from .diagnostics import Diagnostic, DiagnosticError
from .environments import environments_observation
from .environments import resolve as resolve_environment
from .implementations.base import OperationRequest
from .manifest.load import load_manifest
from .manifest.model import WorkspaceManifest
from .operations import OperationResult


def _relative(request: OperationRequest, path) -> str:
    try:
        return path.resolve().relative_to(request.workspace_root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _bound(request: OperationRequest):
    return request.workspace_root.parent if request.confined else None


def discover(request: OperationRequest) -> OperationResult:
    """``{manifest: <path relative to the workspace root>}``; the walk never leaves the case."""
    from .discovery import discover_workspace

    found = discover_workspace(request.cwd, manifest_path=request.args.get("manifest-path"),
                               env=request.env, stop_at=_bound(request))
    return OperationResult({"manifest": _relative(request, found.path)}, list(found.warnings))


def _load(request: OperationRequest) -> tuple[WorkspaceManifest, list[Diagnostic]]:
    from .discovery import discover_workspace

    found = discover_workspace(request.cwd, manifest_path=request.args.get("manifest-path"),
                               env=request.env, stop_at=_bound(request))
    manifest = load_manifest(found.path, display=_relative(request, found.path), text=found.text)
    return manifest, [*found.warnings, *manifest.warnings]


def check(request: OperationRequest) -> OperationResult:
    _, warnings = _load(request)
    return OperationResult({"warnings": [w.message for w in warnings]}, warnings)


def environments(request: OperationRequest) -> OperationResult:
    manifest, warnings = _load(request)
    return OperationResult(environments_observation(manifest), warnings)


def resolve(request: OperationRequest) -> OperationResult:
    platform = request.args.get("platform")
    if not isinstance(platform, str):
        raise DiagnosticError(Diagnostic("the 'resolve' operation requires the argument 'platform'"))
    environment = request.args.get("environment", "default")
    manifest, warnings = _load(request)
    return OperationResult(resolve_environment(manifest, str(environment), platform), warnings)
