"""What the table parsers of one pixi manifest share while they read it.

pixi threads these facts through ``TomlManifest::into_workspace_manifest``
(``crates/pixi_manifest/src/toml/manifest.rs``): the ``pixi-build`` preview flag (it changes how
``[host-dependencies]`` and source specs are judged), the ``[workspace.dependencies]`` pool that
``{ workspace = true }`` entries inherit from, the workspace itself and the root directory that
``license-file``/``readme`` and ``build-variants-files`` are checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixiconf.manifest.model import Workspace
from pixiconf.manifest.package import WorkspaceProperties, workspace_properties
from pixiconf.manifest.source import ManifestSource


@dataclass(slots=True)
class ManifestContext:
    """One manifest being parsed; warnings are collected in ``source.warnings``."""

    source: ManifestSource
    root: Path | None
    #: ``[tool.pixi]`` of a pyproject.toml rather than a pixi.toml.
    pyproject: bool = False
    #: ``preview = ["pixi-build"]`` (known once ``[workspace]`` is read).
    pixi_build: bool = False
    #: ``[workspace.dependencies]``: name → spec as written.
    pool: dict[str, Any] = field(default_factory=dict)
    workspace: Workspace | None = None

    def package_properties(self, package_raw: Any = None) -> WorkspaceProperties:
        """What a ``[package]`` of this manifest (the section, or an inline package definition)
        inherits: ``WorkspaceManifest::workspace_package_properties``
        (``crates/pixi_manifest/src/manifests/workspace.rs``)."""
        data = self.source.data
        pixi = data if not self.pyproject else (data.get("tool") or {}).get("pixi") or {}
        ws_raw = pixi.get("workspace", pixi.get("project"))
        return workspace_properties(
            self.workspace,
            dependencies=self.pool,
            raw_workspace=ws_raw if isinstance(ws_raw, dict) else {},
            package_raw=package_raw,
            root=self.root,
        )
