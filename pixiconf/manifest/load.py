"""Load a manifest file (pixi.toml, pyproject.toml or mojoproject.toml) into a model, and a
package manifest (``[package]``) together with the workspace it belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixiconf.diagnostics import Diagnostic, DiagnosticError
from pixiconf.manifest import toml
from pixiconf.manifest.document import MANIFEST_KEYS, parse_manifest_data
from pixiconf.manifest.model import WorkspaceManifest
from pixiconf.manifest.package import (
    PackageManifest,
    check_package_table,
    package_defaults,
    parse_package,
    workspace_properties,
)
from pixiconf.manifest.preview import PIXI_BUILD
from pixiconf.manifest.pyproject import (
    PyprojectError,
    apply_pyproject,
    check_project_table,
    project_defaults,
    resolve_groups,
)
from pixiconf.manifest.source import ManifestSource, Table

MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def read_text(path: Path, display: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise DiagnosticError(
                Diagnostic(
                    f"manifest is too large ({size} bytes, at most {MAX_MANIFEST_BYTES})",
                    file=display,
                )
            )
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DiagnosticError(
            Diagnostic(f"manifest is not valid UTF-8: {exc}", file=display)
        ) from None
    except OSError as exc:
        raise DiagnosticError(
            Diagnostic(f"could not read manifest: {exc.strerror}", file=display)
        ) from None


def load_manifest(
    path: Path, *, display: str | None = None, text: str | None = None
) -> WorkspaceManifest:
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
        groups = resolve_groups(
            data.get("project") or {}, groups_raw if isinstance(groups_raw, dict) else {}
        )
    except PyprojectError as exc:
        source.prefix = ()
        raise source.error(exc.path, str(exc)) from None
    manifest = parse_manifest_data(
        source,
        pixi,
        root,
        pyproject=True,
        external={**project_defaults(data), "features": list(groups)},
    )
    apply_pyproject(source, data, manifest.features, groups)
    return manifest


PACKAGE_MANIFEST_NAMES = ("pixi.toml", "pyproject.toml")


@dataclass(slots=True)
class LoadedPackage:
    """A parsed package manifest with the workspace it belongs to."""

    package: PackageManifest
    #: The manifest file holding ``[package]`` (pixi.toml or pyproject.toml).
    manifest_path: Path
    workspace: Any  # pixiconf.manifest.model.WorkspaceManifest
    warnings: list[Any] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.manifest_path.parent


def load_package(
    workspace_path: Path,
    *,
    workspace_text: str | None = None,
    package: str | None = None,
    base: Path | None = None,
    display: Any = None,
) -> LoadedPackage:
    """Load the workspace at ``workspace_path`` and the package manifest ``package``.

    ``package`` is a manifest file or a directory holding one, relative to ``base`` (default:
    the workspace directory); ``None`` means the workspace manifest itself.  ``display`` maps a
    path to the file name used in diagnostics.  The workspace manifest is fully validated
    first (as pixi loads it before discovering a package).
    """
    show = display or (lambda p: p.name)
    manifest = load_manifest(workspace_path, display=show(workspace_path), text=workspace_text)
    warnings = list(manifest.warnings)
    if package is None:
        path = workspace_path
    else:
        path = (base or workspace_path.parent) / package
        if path.is_dir():
            found = next((path / n for n in PACKAGE_MANIFEST_NAMES if (path / n).is_file()), None)
            if found is None:
                raise DiagnosticError(
                    Diagnostic(f"could not find pixi.toml or pyproject.toml at directory {package}")
                )
            path = found
        elif not path.is_file():
            raise DiagnosticError(Diagnostic(f"the package manifest '{package}' does not exist"))

    is_workspace_manifest = path.resolve() == workspace_path.resolve()
    text = (
        workspace_text
        if is_workspace_manifest and workspace_text is not None
        else read_text(path, show(path))
    )
    source = ManifestSource.parse(show(path), text)
    pyproject = path.name == "pyproject.toml"
    data = source.data
    if pyproject:
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        pixi = tool.get("pixi")
        if not isinstance(pixi, dict) or "package" not in pixi:
            raise _not_a_package(path)
        source.prefix = ("tool", "pixi")
        data = pixi
    if "package" not in data:
        raise _not_a_package(path)
    if not is_workspace_manifest:
        top = Table(source, (), dict(data))
        for key in MANIFEST_KEYS:
            top.optional(key)
        top.ignore("$schema", "tool")
        top.finalize()
    raw = check_package_table(
        source, data["package"], pixi_build=manifest.workspace.preview_enabled(PIXI_BUILD)
    )

    ws_source = data if is_workspace_manifest else _workspace_data(workspace_path, workspace_text)
    ws_raw = ws_source.get("workspace", ws_source.get("project"))
    ws_raw = ws_raw if isinstance(ws_raw, dict) else {}
    properties = workspace_properties(
        manifest.workspace,
        dependencies=ws_raw.get("dependencies")
        if isinstance(ws_raw.get("dependencies"), dict)
        else {},
        raw_workspace=ws_raw,
        package_raw=ws_source.get("package"),
        root=workspace_path.parent,
    )
    defaults = package_defaults(source.data if pyproject else None)
    parsed = parse_package(
        source, ("package",), raw, workspace=properties, defaults=defaults, root=path.parent
    )
    if not is_workspace_manifest:
        warnings.extend(source.warnings)
    return LoadedPackage(parsed, path, manifest, warnings)


def _workspace_data(path: Path, text: str | None) -> dict[str, Any]:
    data = toml.loads(text if text is not None else path.read_text(encoding="utf-8"))
    if path.name == "pyproject.toml":
        return ((data.get("tool") or {}).get("pixi")) or {}
    return data


def _not_a_package(path: Path) -> DiagnosticError:
    return DiagnosticError(
        Diagnostic(
            f"the {path.name} does not describe a package",
            help="A [package] section is missing in the manifest",
        )
    )
