"""Load a manifest file (pixi.toml, pyproject.toml or mojoproject.toml) into a model."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, DiagnosticError
from .model import WorkspaceManifest
from .parse import parse_manifest_data
from .pyproject import (
    PyprojectError,
    apply_pyproject,
    check_project_table,
    project_defaults,
    resolve_groups,
)
from .source import ManifestSource

MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def read_text(path: Path, display: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise DiagnosticError(Diagnostic(
                f"manifest is too large ({size} bytes, at most {MAX_MANIFEST_BYTES})", file=display))
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DiagnosticError(Diagnostic(f"manifest is not valid UTF-8: {exc}", file=display)) from None
    except OSError as exc:
        raise DiagnosticError(Diagnostic(f"could not read manifest: {exc.strerror}", file=display)) from None


def load_manifest(path: Path, *, display: str | None = None, text: str | None = None) -> WorkspaceManifest:
    """Parse and validate the workspace manifest at ``path``.

    ``display`` is the file name used in diagnostics (default: the file name).
    """
    display = display or path.name
    if text is None:
        text = read_text(path, display)
    source = ManifestSource.parse(display, text)
    root = path.parent
    if path.name != "pyproject.toml":
        return parse_manifest_data(source, source.data, root)
    return _load_pyproject(source, root)


def _load_pyproject(source: ManifestSource, root: Path) -> WorkspaceManifest:
    data = source.data
    tool = data.get("tool")
    pixi = tool.get("pixi") if isinstance(tool, dict) else None
    if pixi is None:
        raise DiagnosticError(Diagnostic("Missing field `tool.pixi`", file=source.name))
    source.prefix = ("tool", "pixi")
    pixi = source.table((), pixi)
    try:
        if "project" in data:
            check_project_table(data["project"])
        groups_raw = data.get("dependency-groups") or {}
        groups = resolve_groups(data.get("project") or {}, groups_raw if isinstance(groups_raw, dict) else {})
    except PyprojectError as exc:
        source.prefix = ()
        raise source.error(exc.path, str(exc)) from None
    manifest = parse_manifest_data(source, pixi, root, pyproject=True,
                                   external={**project_defaults(data), "features": list(groups)})
    apply_pyproject(source, data, manifest.features, groups)
    return manifest
