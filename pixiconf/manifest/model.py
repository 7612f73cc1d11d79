"""The validated workspace manifest as plain data classes.

Mirrors the parts of ``crates/pixi_manifest`` the conformance operations observe:
``WorkspaceManifest`` (workspace metadata, features, environments), ``Feature`` with its
``Targets`` (a default target plus selector targets in document order) and ``Environment``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pixiconf.manifest.selectors import TargetSelector
from pixiconf.manifest.tables import Activation, Channel

DEFAULT = "default"
DEPENDENCY_KINDS = ("dependencies", "host-dependencies", "build-dependencies")


@dataclass(slots=True)
class Target:
    """One ``[target.<selector>]`` table (or the default target of a feature)."""

    dependencies: dict[str, Any] | None = None
    host_dependencies: dict[str, Any] | None = None
    build_dependencies: dict[str, Any] | None = None
    constraints: dict[str, Any] | None = None
    pypi_dependencies: dict[str, Any] | None = None
    dev: dict[str, Any] | None = None
    activation: Activation | None = None
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class Feature:
    name: str
    platforms: list[str] | None = None
    channels: list[Channel] | None = None
    channel_priority: str | None = None
    solve_strategy: str | None = None
    system_requirements: dict[str, Any] = field(default_factory=dict)
    pypi_options: dict[str, Any] | None = None
    default_target: Target = field(default_factory=Target)
    #: ``(selector, target)`` in document order; the last matching one has precedence.
    targets: list[tuple[TargetSelector, Target]] = field(default_factory=list)

    def targets_for(self, platform: str) -> list[Target]:
        """Targets that apply to ``platform``, least precedent first (default first)."""
        return [self.default_target] + [t for s, t in self.targets if s.matches(platform)]


@dataclass(slots=True)
class Environment:
    name: str
    features: list[str]
    solve_group: str | None = None
    no_default_feature: bool = False


@dataclass(slots=True)
class Workspace:
    name: str | None
    channels: list[Channel]
    platforms: list[str]
    channel_priority: str | None = None
    solve_strategy: str | None = None
    pypi_options: dict[str, Any] | None = None
    preview: bool | list[str] = False
    requires_pixi: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    #: ``[workspace.build-variants]``: key -> values as written.
    build_variants: dict[str, list[str]] = field(default_factory=dict)
    #: ``[workspace.target.<selector>.build-variants]`` in document order.
    build_variant_targets: list[tuple[TargetSelector, dict[str, list[str]]]] = field(
        default_factory=list
    )
    #: ``build-variants-files``: paths relative to the workspace root, in order.
    build_variants_files: list[str] = field(default_factory=list)

    def preview_enabled(self, flag: str) -> bool:
        # pixi quirk (crates/pixi_manifest/src/preview.rs): a boolean `preview`, even `false`,
        # counts as "all enabled" in `is_enabled`.
        if isinstance(self.preview, bool):
            return True
        return flag in self.preview


@dataclass(slots=True)
class WorkspaceManifest:
    workspace: Workspace
    features: dict[str, Feature]
    environments: dict[str, Environment]
    kind: str = "pixi"  # "pixi" | "pyproject"
    has_package: bool = False
    warnings: list[Any] = field(default_factory=list)

    @property
    def default_feature(self) -> Feature:
        return self.features[DEFAULT]
