"""What every operation does first: find the manifest pixi would use, load it, and name paths
as a case sees them.

A case's request is *confined* (the workspace is a temporary directory): discovery never walks
above the workspace's parent, and paths in observations and diagnostics are relative to the
workspace root.  The command line's requests are not confined: discovery walks up like pixi.
"""

from __future__ import annotations

from pathlib import Path

from pixiconf.diagnostics import Diagnostic
from pixiconf.manifest.load import load_manifest
from pixiconf.manifest.model import WorkspaceManifest
from pixiconf.operations.request import OperationRequest
from pixiconf.workspace.discovery import DiscoveredManifest, discover_workspace

__all__ = ["find_manifest", "load_workspace", "relative_path", "search_bound"]


def relative_path(request: OperationRequest, path: Path) -> str:
    """``path`` relative to the workspace root (``/``-separated), or as given outside it."""
    try:
        return path.resolve().relative_to(request.workspace_root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def search_bound(request: OperationRequest) -> Path | None:
    """The directory discovery stops at: the workspace's parent for a case, none otherwise."""
    return request.workspace_root.parent if request.confined else None


def find_manifest(request: OperationRequest) -> DiscoveredManifest:
    """The manifest pixi would use from the request's directory, ``manifest-path`` and
    environment (:func:`pixiconf.workspace.discovery.discover_workspace`)."""
    return discover_workspace(
        request.cwd,
        manifest_path=request.args.get("manifest-path"),
        env=request.env,
        stop_at=search_bound(request),
    )


def load_workspace(
    request: OperationRequest,
) -> tuple[DiscoveredManifest, WorkspaceManifest, list[Diagnostic]]:
    """The discovered manifest, parsed and validated, with the warnings of both steps."""
    found = find_manifest(request)
    manifest = load_manifest(
        found.path, display=relative_path(request, found.path), text=found.text
    )
    return found, manifest, [*found.warnings, *manifest.warnings]
