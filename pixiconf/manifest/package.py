"""The ``[package]`` section of a pixi manifest: its model, the package fields and the
assembly of the whole section.

Follows pixi 0.77 ``crates/pixi_manifest/src/toml/package.rs`` (``TomlPackage::deserialize``,
``WorkspaceInheritableField``, ``TomlPackage::into_manifest`` with
``resolve_optional_field_with_defaults`` and ``check_resolved_file``,
``WorkspacePackageProperties``, ``PackageDefaults``) and ``pyproject.rs``
(``get_package_defaults``):

* every table is read with :class:`~pixiconf.manifest.source.Table`, so unknown keys give pixi's
  ``Unexpected keys, expected only ...`` list in pixi's read order;
* ``name``/``version``/... resolve direct value → ``{ workspace = true }`` → the ``[project]``
  defaults of a pyproject manifest.

The dependency tables (plain entries, ``"if(<expression>)"`` sub-tables, run-exports, the
deprecated ``[package.target.<selector>]`` tables) are :mod:`pixiconf.manifest.package_target`;
``[package.build]`` is :mod:`pixiconf.manifest.build_backend`.  Dependency specs are kept as
written (a version string, the spec table as a mapping, or a :class:`Pin`); inherited entries
are the ``[workspace.dependencies]`` spec with the member's overrides layered on top.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixiconf.manifest.build_backend import Backend, PackageBuild, parse_build
from pixiconf.manifest.inheritable import Inheritable
from pixiconf.manifest.package_target import (
    PackageDependencies,
    PackageTarget,
    into_package_targets,
    parse_if_expression,
    read_extras,
    read_legacy_targets,
    read_run_exports,
    read_section,
    target_selector_expression,
)
from pixiconf.manifest.pins import Pin
from pixiconf.manifest.source import KeyPath, ManifestSource
from pixiconf.manifest.spdx import spdx_error
from pixiconf.manifest.specs import is_source_spec
from pixiconf.manifest.url import URL_KEYS, read_url

#: Re-exported: the model of the whole section and what the pixi-build layer reads from it.
__all__ = [
    "Backend",
    "PackageBuild",
    "PackageDefaults",
    "PackageManifest",
    "PackageTarget",
    "Pin",
    "WorkspaceProperties",
    "check_package_table",
    "is_source_spec",
    "package_defaults",
    "parse_if_expression",
    "parse_package",
    "target_selector_expression",
    "workspace_properties",
]
#: The ``[package]`` dependency tables read as sections, in ``TomlPackage::deserialize`` order.
SECTION_KEYS = ("host-dependencies", "build-dependencies", "run-dependencies")


@dataclass(slots=True)
class PackageManifest:
    """``pixi_manifest::PackageManifest`` as the python backend sees it (its project model)."""

    name: str | None
    version: str | None
    build: PackageBuild
    dependencies: PackageTarget
    #: condition expression → target, in pixi's order (see :func:`parse_package`).
    conditional: dict[str, PackageTarget] = field(default_factory=dict)
    description: str | None = None
    authors: list[str] | None = None
    license: str | None = None
    #: relative to the package root, as pixi's ``pathdiff::diff_paths`` gives it
    license_file: str | None = None
    readme: str | None = None
    homepage: str | None = None
    repository: str | None = None
    documentation: str | None = None
    publish: bool = False


@dataclass(slots=True)
class WorkspaceProperties:
    """``WorkspacePackageProperties``: what ``{ workspace = true }`` fields inherit."""

    name: str | None = None
    version: str | None = None
    description: str | None = None
    authors: list[str] | None = None
    license: str | None = None
    license_file: Path | None = None
    readme: Path | None = None
    homepage: str | None = None
    repository: str | None = None
    documentation: str | None = None
    #: ``[workspace.dependencies]``: name → spec as written.
    dependencies: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class PackageDefaults:
    """``PackageDefaults`` from the ``[project]`` table of a pyproject manifest."""

    name: str | None = None
    version: str | None = None
    description: str | None = None
    authors: list[str] | None = None


# -- entry points -------------------------------------------------------------------------


def package_defaults(document: dict[str, Any] | None) -> PackageDefaults:
    """``get_package_defaults`` (``crates/pixi_manifest/src/pyproject.rs``) for a pyproject
    document (``None`` for a pixi.toml): ``[project]`` values, then ``[tool.poetry]``."""
    if not document:
        return PackageDefaults()
    project = document.get("project") if isinstance(document.get("project"), dict) else None
    tool = document.get("tool") if isinstance(document.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    version = None
    if project is not None and isinstance(project.get("version"), str):
        version = _pep440_display(project["version"])
    if version is None and isinstance(poetry.get("version"), str):
        version = _conda_version_display(poetry["version"])
    description = (project or {}).get("description") or poetry.get("description")
    authors = None
    if project is not None and isinstance(project.get("authors"), list):
        authors = []
        for contact in project["authors"]:
            if not isinstance(contact, dict):
                continue
            if "name" in contact and "email" in contact:
                authors.append(f"{contact['name']} <{contact['email']}>")
            elif "name" in contact or "email" in contact:
                authors.append(contact.get("name") or contact.get("email"))
    elif isinstance(poetry.get("authors"), list):
        authors = [a for a in poetry["authors"] if isinstance(a, str)]
    name = (
        project.get("name")
        if project is not None and isinstance(project.get("name"), str)
        else None
    )
    return PackageDefaults(
        name=name,
        version=version,
        description=description if isinstance(description, str) else None,
        authors=authors,
    )


def workspace_properties(
    workspace: Any,
    *,
    dependencies: dict[str, Any] | None = None,
    raw_workspace: dict[str, Any] | None = None,
    package_raw: Any = None,
    root: Path | None = None,
) -> WorkspaceProperties:
    """``WorkspaceManifest::workspace_package_properties`` from the reference's workspace model.

    ``workspace`` is a :class:`pixiconf.manifest.model.Workspace`; ``raw_workspace`` the raw
    ``[workspace]`` table (for ``license-file``/``readme``, which the model does not keep);
    ``package_raw`` the raw ``[package]`` table of the same manifest: pixi names an unnamed
    workspace after a direct ``[package].name`` (``TomlManifest::into_workspace_manifest``).
    """
    meta = dict(getattr(workspace, "metadata", None) or {})
    name = getattr(workspace, "name", None)
    raw_name = (raw_workspace or {}).get("name")
    if (
        raw_name is None
        and isinstance(package_raw, dict)
        and isinstance(package_raw.get("name"), str)
    ):
        name = package_raw["name"]
    raw = raw_workspace or {}

    def file(key: str) -> Path | None:
        value = raw.get(key)
        if isinstance(value, str) and root is not None:
            return root / value
        return None

    version = meta.get("version")
    return WorkspaceProperties(
        name=name,
        version=_conda_version_display(version) if isinstance(version, str) else None,
        description=meta.get("description"),
        authors=meta.get("authors"),
        license=meta.get("license"),
        license_file=file("license-file"),
        readme=file("readme"),
        homepage=meta.get("homepage"),
        repository=meta.get("repository"),
        documentation=meta.get("documentation"),
        dependencies=dict(dependencies or {}),
    )


def parse_package(
    source: ManifestSource,
    path: KeyPath,
    raw: Any,
    *,
    workspace: WorkspaceProperties | None = None,
    defaults: PackageDefaults | None = None,
    root: Path | None = None,
) -> PackageManifest:
    """Parse and resolve a ``[package]`` table (``TomlPackage::deserialize`` + ``into_manifest``).

    The caller checks the ``pixi-build`` preview flag (pixi checks it between the two steps).
    Deprecation warnings go to ``source.warnings``.  ``root`` is the package directory used
    to check ``license-file``/``readme`` (``None`` skips the check).
    """
    return _PackageParser(
        source, workspace or WorkspaceProperties(), defaults or PackageDefaults(), root
    ).parse(path, raw)


def check_package_table(source: ManifestSource, raw: Any, *, pixi_build: bool) -> dict[str, Any]:
    """The ``[package]`` table: ``TomlPackage::deserialize`` requires ``build`` (while the whole
    manifest is deserialised), then ``into_workspace_manifest`` requires ``pixi-build``."""
    table = source.table(("package",), raw)
    if "build" not in table:
        raise source.error(
            ("package",), "missing field 'build' in table", label="table with missing field"
        )
    if not pixi_build:
        raise source.error(
            ("package",),
            "[package] section is only allowed when the `pixi-build` preview flag is enabled",
            help="Run `pixi workspace preview add pixi-build` to enable the preview flag",
        )
    return table


# -- parser -------------------------------------------------------------------------------


class _PackageParser:
    def __init__(
        self,
        source: ManifestSource,
        workspace: WorkspaceProperties,
        defaults: PackageDefaults,
        root: Path | None,
    ):
        self.source = source
        self.workspace = workspace
        self.defaults = defaults
        self.root = root

    def parse(self, path: KeyPath, raw: Any) -> PackageManifest:
        """``TomlPackage::deserialize`` then ``into_manifest``."""
        src = self.source
        t = src.reader(path, raw)
        fields: dict[str, Any] = {
            key: t.optional(key, lambda p, v, c=convert: self._inheritable_field(p, v, c))
            for key, convert in (
                ("name", src.string),
                ("version", self._version),
                ("description", src.string),
                ("authors", src.strings),
                ("license", src.string),
                ("license-file", src.from_str),
                ("readme", src.from_str),
                *((key, lambda p, v: read_url(src, p, v)) for key in URL_KEYS),
            )
        }
        sections = {
            key: t.optional(key, lambda p, v: read_section(src, p, v)) for key in SECTION_KEYS
        }
        extras = t.optional("extra-dependencies", lambda p, v: read_extras(src, p, v)) or {}
        sections["run-constraints"] = t.optional(
            "run-constraints", lambda p, v: read_section(src, p, v)
        )
        run_exports = t.optional("run-exports", lambda p, v: read_run_exports(src, p, v)) or {}
        publish = t.optional("publish", src.boolean)
        build_raw = t.required("build")
        target_raw = t.optional("target")
        t.finalize()
        build = parse_build(src, (*path, "build"), build_raw, self.workspace.dependencies)
        targets = (
            read_legacy_targets(src, (*path, "target"), target_raw)
            if target_raw is not None
            else []
        )
        dependencies = PackageDependencies(sections, extras, run_exports, targets)
        return self._into_manifest(path, fields, dependencies, build, bool(publish))

    def _into_manifest(
        self,
        path: KeyPath,
        fields: dict[str, Any],
        dependencies: PackageDependencies,
        build: PackageBuild,
        publish: bool,
    ) -> PackageManifest:
        """``TomlPackage::into_manifest``: name and version first (the pins need the name),
        the dependency targets, then the license and files."""
        ws, defaults = self.workspace, self.defaults
        name = self._resolve(fields["name"], ws.name, defaults.name, "name")
        version = self._resolve(fields["version"], ws.version, defaults.version, "version")
        default, conditional = into_package_targets(
            self.source, ws.dependencies, name, dependencies
        )
        license_ = fields["license"]
        if isinstance(license_, str):
            error = spdx_error(license_)
            if error is not None:
                raise self.source.error(
                    (*path, "license"), "'license' is not a valid SPDX expression", label=error
                )
        license_file = self._resolve_file(
            fields["license-file"], ws.license_file, build.source, (*path, "license-file")
        )
        readme = self._resolve_file(fields["readme"], ws.readme, build.source, (*path, "readme"))
        return PackageManifest(
            name=name,
            version=version,
            build=build,
            dependencies=default,
            conditional=conditional,
            description=self._resolve(
                fields["description"], ws.description, defaults.description, "description"
            ),
            authors=self._resolve(fields["authors"], ws.authors, defaults.authors, "authors"),
            license=self._resolve(license_, ws.license, None, "license"),
            license_file=license_file,
            readme=readme,
            homepage=self._resolve(fields["homepage"], ws.homepage, None, "homepage"),
            repository=self._resolve(fields["repository"], ws.repository, None, "repository"),
            documentation=self._resolve(
                fields["documentation"], ws.documentation, None, "documentation"
            ),
            publish=publish,
        )

    # -- fields ---------------------------------------------------------------------------

    def _inheritable_field(self, path: KeyPath, value: Any, convert) -> Any:
        """``WorkspaceInheritableField<T>``: a table may only hold ``workspace``."""
        if isinstance(value, dict):
            t = self.source.reader(path, value)
            flag = t.optional("workspace", self.source.boolean)
            t.finalize()
            if flag is not None:
                return Inheritable(flag, {}, path)
        return convert(path, value)

    def _check_inherits(self, value: Inheritable) -> None:
        """``workspace_cannot_be_false``."""
        if not value.flag:
            raise self.source.error(
                value.path,
                "`workspace` cannot be false",
                help="By default no fields are inherited from the workspace",
            )

    def _resolve(self, value: Any, workspace_value: Any, default: Any, field_name: str) -> Any:
        """``resolve_optional_field_with_defaults``: direct → workspace → defaults."""
        if isinstance(value, Inheritable):
            self._check_inherits(value)
            if workspace_value is None:
                raise self.source.error(
                    value.path, f"the workspace does not define a '{field_name}'"
                )
            return workspace_value
        if value is None:
            return default
        return value

    def _resolve_file(
        self, value: Any, workspace_value: Path | None, build_source: Any, path: KeyPath
    ) -> str | None:
        """``check_resolved_file``: a direct path must exist below the package root (or the
        ``build.source`` path); git/url sources skip the check."""
        if isinstance(build_source, dict) and ("git" in build_source or "url" in build_source):
            return None
        root = self.root
        if root is not None and isinstance(build_source, dict) and "path" in build_source:
            root = root / str(build_source["path"])
        if root is None:
            return None
        if isinstance(value, Inheritable):
            self._check_inherits(value)
            return _relative_to(workspace_value, root) if workspace_value is not None else None
        if value is None:
            return None
        full = root / value
        if not full.is_file():
            raise self.source.error(path, f"'{full}' does not exist")
        return _relative_to(full, root)

    def _version(self, path: KeyPath, value: Any) -> str:
        text = self.source.from_str(path, value)
        return _conda_version_display(text, lambda message: self.source.error(path, message))


# -- helpers ------------------------------------------------------------------------------


def _relative_to(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _conda_version_display(text: str, error=None) -> str:
    """A conda version as rattler's ``Version`` displays it (``1.01`` → ``1.1``)."""
    from rattler import Version

    try:
        return str(Version(text))
    except Exception as exc:
        if error is not None:
            raise error(str(exc)) from None
        return text


def _pep440_display(text: str) -> str | None:
    """A ``[project].version`` as pep440_rs displays it, then parsed as a conda version."""
    from packaging.version import InvalidVersion, Version

    try:
        normal = str(Version(text))
    except InvalidVersion:
        return None
    try:
        return _conda_version_display(normal, lambda m: ValueError(m))
    except ValueError:
        return None
