"""The ``[package]`` section of a pixi manifest: model and strict parser.

Follows pixi 0.77 ``crates/pixi_manifest/src/toml/package.rs`` (``TomlPackage::deserialize``,
``TomlPackage::into_manifest``), ``toml/package_target.rs``, ``toml/build_backend.rs``,
``toml/build_target.rs`` and ``utils/inheritable_package_map.rs``:

* every table is read with :class:`~pixiconf.manifest.source.Table`, so unknown keys give pixi's
  ``Unexpected keys, expected only ...`` list in pixi's read order;
* ``name``/``version``/... resolve direct value → ``{ workspace = true }`` → the ``[project]``
  defaults of a pyproject manifest;
* dependency tables hold plain entries plus ``"if(<expression>)"`` sub-tables; the deprecated
  ``[package.target.<selector>]`` tables lower to ``host_platform == '<subdir>'`` (subdirs and
  platform names) or the bare family (``unix``/``linux``/``win``/``osx``).

Dependency specs are kept as written (a version string, the spec table as a mapping, or a
:class:`Pin`); inherited entries are the ``[workspace.dependencies]`` spec with the member's
overrides layered on top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixiconf.diagnostics import DiagnosticError
from pixiconf.manifest.location_spec import location_error, read_location_table
from pixiconf.manifest.pins import parse_pin
from pixiconf.manifest.selectors import SelectorError, TargetSelector, parse_selector
from pixiconf.manifest.source import KeyPath, ManifestSource, Table, toml_type_name
from pixiconf.manifest.spdx import spdx_error
from pixiconf.manifest.specs import check_package_name, check_version_spec, conda_spec

#: ``TomlPackage::deserialize`` read order.
PACKAGE_KEYS = (
    "name",
    "version",
    "description",
    "authors",
    "license",
    "license-file",
    "readme",
    "homepage",
    "repository",
    "documentation",
    "host-dependencies",
    "build-dependencies",
    "run-dependencies",
    "extra-dependencies",
    "run-constraints",
    "run-exports",
    "publish",
    "build",
    "target",
)
#: ``TomlPackageTarget::deserialize`` read order.
PACKAGE_TARGET_KEYS = (
    "run-dependencies",
    "run-constraints",
    "host-dependencies",
    "build-dependencies",
    "extra-dependencies",
)
#: ``TomlRunExports`` buckets.
RUN_EXPORT_BUCKETS = ("noarch", "strong", "weak", "strong-constraints", "weak-constraints")
#: ``TomlPackageBuild::deserialize`` read order (``configuration`` is a deprecated alias).
BUILD_KEYS = (
    "backend",
    "channels",
    "additional-dependencies",
    "source",
    "flags",
    "config",
    "target",
    "build-string-prefix",
    "build-number",
    "secrets",
)
#: Keys ``TomlBuildBackend`` reads itself before handing the rest to ``TomlSpec``.
BACKEND_OWN_KEYS = ("name", "channels", "additional-dependencies", "workspace")
CONDA_ARCHIVES = (".conda", ".tar.bz2")
#: rattler ``is_valid_record_flag``.
_RECORD_FLAG = re.compile(r"\A[a-z0-9_]+(:[a-z0-9_]+)?\Z")
#: Fields a ``{ workspace = true }`` entry may not restate (``parse_workspace_marker``).
WORKSPACE_OWNED_FIELDS = ("version", "path", "git", "url")
#: The help of the pin errors in tables without pins.
_NO_PIN_HELP = (
    "Pins are supported in `[package.run-dependencies]`, "
    "`[package.host-dependencies]`, and the `[package.run-exports]` tables"
)


@dataclass(frozen=True, slots=True)
class Pin:
    """A ``{ pin-compatible = ... }`` or ``{ pin-subpackage = ... }`` entry."""

    kind: str
    value: Any


@dataclass(slots=True)
class PackageTarget:
    """One dependency target: the unconditional entries, or one condition's entries."""

    run: dict[str, Any] | None = None
    run_constraints: dict[str, Any] | None = None
    host: dict[str, Any] | None = None
    build: dict[str, Any] | None = None
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: bucket name (``noarch``, ``strong``, ``weak``, ``strong-constraints``,
    #: ``weak-constraints``) → specs.
    run_exports: dict[str, dict[str, Any]] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not any(
            (self.run, self.run_constraints, self.host, self.build, self.extras, self.run_exports)
        )


@dataclass(slots=True)
class Backend:
    name: str
    #: The backend spec as written (``"*"`` when only a name is given).
    spec: Any = "*"


@dataclass(slots=True)
class PackageBuild:
    backend: Backend
    channels: list[str] | None = None
    additional_dependencies: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] | None = None
    #: ``[package.build.config]`` as written (``None`` when absent).
    config: Any = None
    #: ``[package.build.target.<selector>.config]`` in manifest order (targets without a
    #: ``config`` are dropped, like ``into_build_system`` does).
    target_config: list[tuple[TargetSelector, Any]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    build_string_prefix: str | None = None
    build_number: int | None = None
    #: A ``BTreeSet``: sorted and unique.
    secrets: list[str] = field(default_factory=list)


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


# --------------------------------------------------------------------------- entry points


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


# --------------------------------------------------------------------------- parser


@dataclass(slots=True)
class _Inheritable:
    """A ``{ workspace = ... }`` marker, resolved after deserialisation."""

    flag: bool
    overrides: dict[str, Any]
    path: KeyPath


@dataclass(slots=True)
class _Section:
    """A dependency table split into its plain entries and its ``if(...)`` sub-tables."""

    plain: dict[str, Any] | None
    conditional: list[tuple[str, KeyPath, dict[str, Any]]]
    path: KeyPath


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

    # -- TomlPackage::deserialize ---------------------------------------------------------

    def parse(self, path: KeyPath, raw: Any) -> PackageManifest:
        src = self.source
        t = src.reader(path, raw)
        name = t.optional("name", lambda p, v: self._inheritable_field(p, v, src.string))
        version = t.optional("version", lambda p, v: self._inheritable_field(p, v, self._version))
        description = t.optional(
            "description", lambda p, v: self._inheritable_field(p, v, src.string)
        )
        authors = t.optional("authors", lambda p, v: self._inheritable_field(p, v, src.strings))
        license_ = t.optional("license", lambda p, v: self._inheritable_field(p, v, src.string))
        license_file = t.optional(
            "license-file", lambda p, v: self._inheritable_field(p, v, src.from_str)
        )
        readme = t.optional("readme", lambda p, v: self._inheritable_field(p, v, src.from_str))
        urls = {
            key: t.optional(key, lambda p, v: self._inheritable_field(p, v, self._url))
            for key in ("homepage", "repository", "documentation")
        }
        sections = {
            key: t.optional(key, self._section)
            for key in ("host-dependencies", "build-dependencies", "run-dependencies")
        }
        extras = t.optional("extra-dependencies", self._extras) or {}
        sections["run-constraints"] = t.optional("run-constraints", self._section)
        run_exports = t.optional("run-exports", self._run_exports) or {}
        publish = t.optional("publish", src.boolean)
        build_raw = t.required("build")
        target_raw = t.optional("target")
        t.finalize()
        build = self._build((*path, "build"), build_raw)
        targets = (
            self._legacy_targets((*path, "target"), target_raw) if target_raw is not None else []
        )

        # -- TomlPackage::into_manifest ---------------------------------------------------
        ws = self.workspace
        name = self._resolve(name, ws.name, self.defaults.name, "name")
        version = self._resolve(version, ws.version, self.defaults.version, "version")

        default = PackageTarget()
        conditional: dict[str, PackageTarget] = {}
        order = (
            ("run-dependencies", "run"),
            ("run-constraints", "run_constraints"),
            ("host-dependencies", "host"),
            ("build-dependencies", "build"),
        )
        for key, attr in order:
            section = sections.get(key)
            if section is not None and section.plain is not None:
                setattr(default, attr, self._resolve_map(key, section.path, section.plain, name))
        for group, section in extras.items():
            if section.plain is not None:
                default.extras[group] = self._resolve_map(
                    "extra-dependencies", section.path, section.plain, name
                )
        for bucket, section in run_exports.items():
            if section.plain is not None:
                default.run_exports[bucket] = self._resolve_map(
                    f"run-exports.{bucket}", section.path, section.plain, name
                )

        # Conditional sub-tables fold into one target per expression, first seen first:
        # run, run-constraints, host, build, then the run-export buckets, then extras.
        for key, attr in order:
            section = sections.get(key)
            for expression, sub_path, specs in section.conditional if section else []:
                target = conditional.setdefault(expression, PackageTarget())
                setattr(target, attr, self._resolve_map(key, sub_path, specs, name))
        for bucket in RUN_EXPORT_BUCKETS:
            section = run_exports.get(bucket)
            for expression, sub_path, specs in section.conditional if section else []:
                target = conditional.setdefault(expression, PackageTarget())
                target.run_exports[bucket] = self._resolve_map(
                    f"run-exports.{bucket}", sub_path, specs, name
                )
        for group, section in extras.items():
            for expression, sub_path, specs in section.conditional:
                target = conditional.setdefault(expression, PackageTarget())
                target.extras[group] = self._resolve_map(
                    "extra-dependencies", sub_path, specs, name
                )

        for selector, sel_path, tables in targets:
            expression = target_selector_expression(selector)
            self._deprecated_target(sel_path, selector, expression, tables)
            if expression in conditional:
                raise src.error(
                    sel_path,
                    f"duplicate condition: `[package.target.{selector}]` is equivalent to "
                    f'`"if({expression})"`',
                    label="this target table lowers to the same condition",
                    help=f'Move the dependencies into the `"if({expression})"` tables and remove '
                    f"the `[package.target.{selector}]` table",
                )
            target = PackageTarget()
            for key, attr in order:
                if tables.get(key) is not None:
                    specs = self._plain_map((*sel_path, key), tables[key])
                    setattr(target, attr, self._resolve_map(key, (*sel_path, key), specs, name))
            for group, specs in (tables.get("extra-dependencies") or {}).items():
                group_path = (*sel_path, "extra-dependencies", group)
                target.extras[group] = self._resolve_map(
                    "extra-dependencies", group_path, self._plain_map(group_path, specs), name
                )
            conditional[expression] = target

        if isinstance(license_, str):
            error = spdx_error(license_)
            if error is not None:
                raise src.error(
                    (*path, "license"), "'license' is not a valid SPDX expression", label=error
                )
        license_file = self._resolve_file(
            license_file, ws.license_file, build.source, (*path, "license-file")
        )
        readme = self._resolve_file(readme, ws.readme, build.source, (*path, "readme"))

        return PackageManifest(
            name=name,
            version=version,
            build=build,
            dependencies=default,
            conditional=conditional,
            description=self._resolve(
                description, ws.description, self.defaults.description, "description"
            ),
            authors=self._resolve(authors, ws.authors, self.defaults.authors, "authors"),
            license=self._resolve(license_, ws.license, None, "license"),
            license_file=license_file,
            readme=readme,
            homepage=self._resolve(urls["homepage"], ws.homepage, None, "homepage"),
            repository=self._resolve(urls["repository"], ws.repository, None, "repository"),
            documentation=self._resolve(
                urls["documentation"], ws.documentation, None, "documentation"
            ),
            publish=bool(publish),
        )

    # -- fields ---------------------------------------------------------------------------

    def _inheritable_field(self, path: KeyPath, value: Any, convert) -> Any:
        """``WorkspaceInheritableField<T>``: a table may only hold ``workspace``."""
        if isinstance(value, dict):
            t = self.source.reader(path, value)
            flag = t.optional("workspace", self.source.boolean)
            t.finalize()
            if flag is not None:
                return _Inheritable(flag, {}, path)
        return convert(path, value)

    def _resolve(self, value: Any, workspace_value: Any, default: Any, field_name: str) -> Any:
        """``resolve_optional_field_with_defaults``: direct → workspace → defaults."""
        if isinstance(value, _Inheritable):
            if not value.flag:
                raise self.source.error(
                    value.path,
                    "`workspace` cannot be false",
                    help="By default no fields are inherited from the workspace",
                )
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
        if isinstance(value, _Inheritable):
            if not value.flag:
                raise self.source.error(
                    value.path,
                    "`workspace` cannot be false",
                    help="By default no fields are inherited from the workspace",
                )
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

    def _url(self, path: KeyPath, value: Any) -> str:
        from pixiconf.manifest.url import url_error

        text = self.source.from_str(path, value)
        error = url_error(text)
        if error is not None:
            raise self.source.error(path, error)
        return text

    # -- dependency tables ----------------------------------------------------------------

    def _section(self, path: KeyPath, value: Any) -> _Section:
        """``ConditionalInheritablePackageMap``: plain entries plus ``if(...)`` sub-tables."""
        src = self.source
        table = src.table(path, value)
        plain: dict[str, Any] = {}
        conditional: list[tuple[str, KeyPath, dict[str, Any]]] = []
        for key, item in table.items():
            if "(" in key:
                expression = parse_if_expression(key)
                if expression is None:
                    raise src.error(
                        (*path, key),
                        f"`{key}` is not a valid selector. Wrap the expression in "
                        "`if(...)`, e.g. `if(host_platform == 'linux-64')`",
                    )
                conditional.append((expression, (*path, key), self._plain_map((*path, key), item)))
            else:
                plain[key] = item
        return _Section(self._plain_map(path, plain) if plain else None, conditional, path)

    def _plain_map(self, path: KeyPath, value: Any) -> dict[str, Any]:
        """``InheritablePackageMap::deserialize``: names are checked, specs parsed."""
        src = self.source
        table = src.table(path, value)
        result: dict[str, Any] = {}
        seen: set[str] = set()
        for name, spec in table.items():
            spec_path = (*path, name)
            check_package_name(src, spec_path, name)
            if name.lower() in seen:
                raise src.error(
                    spec_path, f"duplicate key: `{name}`", label="duplicate defined here"
                )
            seen.add(name.lower())
            result[name] = self._entry(spec_path, spec)
        return result

    def _entry(self, path: KeyPath, value: Any) -> Any:
        """``parse_inheritable_entry``."""
        src = self.source
        if isinstance(value, str):
            check_version_spec(src, path, value)
            return value
        if not isinstance(value, dict):
            raise src.error(path, f"expected a string or a table, found {toml_type_name(value)}")
        if "workspace" in value:
            flag = src.expect((*path, "workspace"), value["workspace"], bool, "a boolean")
            remaining = {k: v for k, v in value.items() if k != "workspace"}
            if not flag:
                if remaining:
                    raise src.error(
                        path, "`workspace = false` cannot be combined with other fields"
                    )
                return _Inheritable(False, {}, (*path, "workspace"))
            for owned in WORKSPACE_OWNED_FIELDS:
                if owned in remaining:
                    raise src.error(
                        (*path, owned), f"`{owned}` is mutually exclusive with `workspace`"
                    )
            if remaining:
                self._spec_table(path, remaining, allow_empty=True)
            return _Inheritable(True, remaining, (*path, "workspace"))
        pin = parse_pin(src, path, value)  # package_dependency_spec.rs, pixi_spec pin.rs
        if pin is not None:
            return Pin(*pin)
        return self._spec_table(path, value)

    def _spec_table(
        self, path: KeyPath, value: dict[str, Any], *, allow_empty: bool = False
    ) -> Any:
        if allow_empty and not any(
            k in value
            for k in (
                "version",
                "build",
                "build-number",
                "file-name",
                "channel",
                "subdir",
                "md5",
                "sha256",
                "git",
                "url",
                "path",
            )
        ):
            # overrides of an inherited entry only have to be known keys
            t = self.source.reader(path, value)
            from pixiconf.manifest.specs import CONDA_SPEC_KEYS

            for key in CONDA_SPEC_KEYS:
                t.optional(key)
            t.finalize()
            return dict(value)
        return conda_spec(self.source, path, value)

    def _resolve_map(
        self, section: str, path: KeyPath, specs: dict[str, Any], package_name: str | None
    ) -> dict[str, Any]:
        """``InheritablePackageMap::resolve`` + the pin matrix of ``into_package_target``."""
        src = self.source
        result: dict[str, Any] = {}
        for name, spec in specs.items():
            spec_path = (*path, name)
            if isinstance(spec, _Inheritable):
                if not spec.flag:
                    raise src.error(
                        spec.path,
                        "`workspace` cannot be false",
                        help="Remove the `workspace = false` entry; inheritance from "
                        "the workspace is opt-in.",
                    )
                pool = self.workspace.dependencies
                base = next((v for k, v in pool.items() if k.lower() == name.lower()), None)
                if base is None:
                    raise src.error(
                        spec.path,
                        f"the workspace does not define `{name}` in `[workspace.dependencies]`",
                        help="Add the package to `[workspace.dependencies]` in the "
                        "workspace `pixi.toml`.",
                    )
                spec = _layer(base, spec.overrides)
            self._check_pin(section, spec_path, name, spec, package_name)
            self._check_run_export(section, spec_path, spec)
            result[name] = spec
        return result

    def _check_pin(
        self, section: str, path: KeyPath, name: str, spec: Any, package_name: str | None
    ) -> None:
        if not isinstance(spec, Pin):
            return
        src = self.source
        own = package_name is not None and name.lower() == package_name.lower()
        if section in ("run-dependencies", "host-dependencies"):
            if spec.kind == "pin-subpackage":
                raise src.error(
                    path,
                    f"`pin-subpackage` is not allowed in `[package.{section}]`",
                    label="pin-subpackage used here",
                    help="`pin-subpackage` pins the package itself for its consumers and "
                    "is only supported in the `[package.run-exports]` tables",
                )
            if own:
                raise src.error(
                    path,
                    "`pin-compatible` cannot reference the package's own name",
                    label="pin-compatible used here",
                    help="`pin-compatible` pins a dependency to the version it resolved "
                    "to in the build or host environment, and a package is never "
                    "part of its own; use `pin-subpackage` in `[package.run-exports]` "
                    "to pin the package itself for consumers",
                )
            return
        if section.startswith("run-exports."):
            if package_name is None:
                return
            if spec.kind == "pin-subpackage" and not own:
                raise src.error(
                    path,
                    f"`pin-subpackage` can only reference the package's own name "
                    f"(`{package_name}`), not `{name}`",
                    label="pin-subpackage used here",
                    help=f"Use `{package_name} = {{ pin-subpackage = ... }}` to pin this "
                    f"package for its consumers, or `{name} = {{ pin-compatible = ... }}` "
                    "to pin a dependency to the version it resolved to",
                )
            if spec.kind == "pin-compatible" and own:
                raise src.error(
                    path,
                    f"`pin-compatible` cannot reference the package's own name (`{package_name}`)",
                    label="pin-compatible used here",
                    help=f"Use `{package_name} = {{ pin-subpackage = ... }}` to pin this "
                    "package for its consumers",
                )
            return
        help_text = (
            "The build environment is resolved first, so there is no earlier environment "
            "to pin against"
            if section == "build-dependencies"
            else _NO_PIN_HELP
        )
        raise src.error(
            path,
            f"`{spec.kind}` is not allowed in `[package.{section}]`",
            label=f"{spec.kind} used here",
            help=help_text,
        )

    def _check_run_export(self, section: str, path: KeyPath, spec: Any) -> None:
        if not section.startswith("run-exports.") or not isinstance(spec, dict):
            return
        src = self.source
        if "url" in spec:
            raise src.error(
                path,
                "url specs are not supported in `[package.run-exports]`",
                label="url spec specified here",
                help="Use a version spec or a `path` or `git` source spec instead",
            )
        location = spec.get("path")
        if isinstance(location, str) and location.split("?")[0].endswith(CONDA_ARCHIVES):
            raise src.error(
                path,
                "paths to package archives are not supported in `[package.run-exports]`",
                label="package archive path specified here",
                help="Use a version spec or a `path` source spec pointing at a source "
                "directory instead",
            )
        if section.endswith("-constraints") and is_source_spec(spec):
            raise src.error(
                path,
                "source specs are not supported in run-export constraints",
                label="source spec specified here",
                help="A constraint only restricts the version of a package that is "
                "installed for another reason; use a version spec instead",
            )

    def _extras(self, path: KeyPath, value: Any) -> dict[str, _Section]:
        table = self.source.table(path, value)
        return {group: self._section((*path, group), item) for group, item in table.items()}

    def _run_exports(self, path: KeyPath, value: Any) -> dict[str, _Section]:
        t = self.source.reader(path, value)
        result = {}
        for bucket in RUN_EXPORT_BUCKETS:
            section = t.optional(bucket, self._section)
            if section is not None:
                result[bucket] = section
        t.finalize()
        return result

    # -- [package.target] -----------------------------------------------------------------

    def _legacy_targets(
        self, path: KeyPath, value: Any
    ) -> list[tuple[TargetSelector, KeyPath, dict]]:
        src = self.source
        targets: list[tuple[TargetSelector, KeyPath, dict]] = []
        for key, item in src.table(path, value).items():
            sel_path = (*path, key)
            selector = _selector(src, sel_path, key)
            t = src.reader(sel_path, item)
            tables = {k: t.optional(k) for k in PACKAGE_TARGET_KEYS}
            t.finalize()
            if tables.get("extra-dependencies") is not None:
                tables["extra-dependencies"] = src.table(
                    (*sel_path, "extra-dependencies"), tables["extra-dependencies"]
                )
            if selector.kind == "glob":
                raise src.error(
                    sel_path,
                    f"the wildcard target selector '{selector}' is not supported "
                    "in package targets",
                    label="wildcard target selector specified here",
                    help="Use a concrete platform name, such as `linux-64`, instead of a wildcard.",
                )
            targets.append((selector, sel_path, tables))
        return targets

    def _deprecated_target(
        self, path: KeyPath, selector: TargetSelector, expression: str, tables: dict[str, Any]
    ) -> None:
        lines = [
            f'  [package.{key}."if({expression})"]'
            for key in (
                "build-dependencies",
                "host-dependencies",
                "run-dependencies",
                "run-constraints",
            )
            if tables.get(key) is not None
        ]
        if tables.get("extra-dependencies"):
            lines.append(f'  [package.extra-dependencies.<group>."if({expression})"]')
        self.source.warn(
            path,
            "the `[package.target]` tables are deprecated in favor of conditional dependencies",
            label="deprecated target selector",
            help="Move the dependencies under a conditional dependency table instead:\n"
            + "\n".join(lines),
        )

    # -- [package.build] ------------------------------------------------------------------

    def _build(self, path: KeyPath, value: Any) -> PackageBuild:
        src = self.source
        t = src.reader(path, value)
        backend = t.required("backend", self._backend)
        channels = t.optional("channels", self._channels)
        additional = t.optional("additional-dependencies", self._binary_map) or {}
        source = t.optional("source", self._build_source)
        flags = t.optional("flags", self._flags) or []
        config = t.optional("config")
        if config is None and t.contains("configuration"):
            config = t.remaining.pop("configuration")
            src.warn(
                (*path, "configuration"),
                "The `configuration` field is deprecated. Use `config` instead.",
                label="replace this with 'config'",
            )
        target_raw = t.optional("target")
        prefix = t.optional("build-string-prefix", src.string)
        number = t.optional("build-number", self._build_number)
        # ``TomlBTreeSet<String>``: pixi_toml says ``expected array``.
        secrets = t.optional(
            "secrets", lambda p, v: src.strings(p, src.expect(p, v, list, "array"))
        )
        t.finalize()

        backend_name, backend_spec, backend_channels, backend_additional = backend
        if backend_channels is not None:
            if not backend_channels:
                raise src.error(
                    (*path, "backend", "channels"),
                    "No channels specified for the build backend dependencies",
                )
            channels_used = backend_channels
        elif channels is not None:
            if not channels:
                raise src.error(
                    (*path, "channels"), "No channels specified for the build backend dependencies"
                )
            channels_used = channels
        else:
            channels_used = None

        target_config: list[tuple[TargetSelector, Any]] = []
        for key, item in (
            src.table((*path, "target"), target_raw).items() if target_raw is not None else []
        ):
            sel_path = (*path, "target", key)
            selector = _selector(src, sel_path, key)
            tt = src.reader(sel_path, item)
            item_config = tt.optional("config")
            if item_config is None and tt.contains("configuration"):
                item_config = tt.remaining.pop("configuration")
                src.warn(
                    (*sel_path, "configuration"),
                    "The `configuration` field is deprecated. Use `config` instead.",
                    label="replace this with 'config'",
                )
            tt.finalize()
            if selector.kind == "glob":
                raise src.error(
                    sel_path,
                    f"the wildcard target selector '{selector}' is not supported "
                    "in package targets",
                    label="wildcard target selector specified here",
                    help="Use a concrete platform name, such as `linux-64`, instead of a wildcard.",
                )
            if item_config is not None:
                target_config.append((selector, item_config))

        return PackageBuild(
            backend=Backend(backend_name, backend_spec),
            channels=channels_used,
            additional_dependencies=backend_additional or additional,
            source=source,
            config=config,
            target_config=target_config,
            flags=flags,
            build_string_prefix=prefix,
            build_number=number,
            secrets=sorted(set(secrets or [])),
        )

    def _backend(
        self, path: KeyPath, value: Any
    ) -> tuple[str, Any, list[str] | None, dict[str, Any]]:
        """``TomlBuildBackend::deserialize``: own keys first, the rest is a ``TomlSpec``."""
        src = self.source
        table = src.table(path, value)
        t = Table(src, path, table)
        name = t.required("name", src.from_str)
        check_package_name(src, (*path, "name"), name)
        channels = t.optional("channels", self._channels)
        additional = t.optional("additional-dependencies", self._binary_map) or {}
        marker = t.optional("workspace", src.boolean)
        remaining = dict(t.remaining)
        if marker is False:
            raise src.error(
                (*path, "workspace"),
                "`workspace` cannot be false; inheritance from the workspace is opt-in",
            )
        if marker is True:
            for owned in WORKSPACE_OWNED_FIELDS:
                if owned in remaining:
                    raise src.error(
                        (*path, "workspace"), f"`{owned}` is mutually exclusive with `workspace`"
                    )
            base = next(
                (v for k, v in self.workspace.dependencies.items() if k.lower() == name.lower()),
                None,
            )
            if base is None:
                raise src.error(
                    (*path, "workspace"),
                    f"the workspace does not define `{name}` in `[workspace.dependencies]`",
                    help="Add the package to `[workspace.dependencies]` in the workspace "
                    "`pixi.toml`.",
                )
            if remaining:
                self._spec_table(path, remaining, allow_empty=True)
            spec = _layer(base, remaining)
        elif remaining:
            spec = conda_spec(src, path, remaining)
        else:
            spec = "*"
        if is_source_spec(spec):
            raise src.error(path, "build backends cannot be defined as source dependencies")
        return name, spec, channels, additional

    def _channels(self, path: KeyPath, value: Any) -> list[str]:
        # ``TomlWith<_, Vec<TomlFromStr<_>>>``: pixi_toml's ``Vec`` says ``expected array``.
        items = self.source.expect(path, value, list, "array")
        return [self.source.from_str((*path, str(i)), item) for i, item in enumerate(items)]

    def _binary_map(self, path: KeyPath, value: Any) -> dict[str, Any]:
        """A ``UniquePackageMap``: entries parse like any dependency, then
        ``InheritablePackageMap::into_direct`` rejects pins and ``workspace`` markers."""
        src = self.source
        result: dict[str, Any] = {}
        for name, spec in src.table(path, value).items():
            spec_path = (*path, name)
            check_package_name(src, spec_path, name)
            if isinstance(spec, dict) and "workspace" in spec:
                src.expect((*spec_path, "workspace"), spec["workspace"], bool, "a boolean")
                raise src.error(
                    (*spec_path, "workspace"),
                    "`workspace` inheritance is not supported in this table",
                )
            if isinstance(spec, dict) and parse_pin(src, spec_path, spec) is not None:
                raise src.error(
                    spec_path,
                    "`pin-subpackage` and `pin-compatible` are only supported "
                    "in package dependency tables",
                )
            result[name] = conda_spec(src, spec_path, spec)
        return result

    def _build_source(self, path: KeyPath, value: Any) -> dict[str, Any]:
        # toml/build_backend.rs spec_from_spanned_toml_location: the SourceSpecError unwrapped.
        src = self.source
        table = read_location_table(src, path, value)
        error = location_error(table)
        if error is not None:
            raise src.error(path, error)
        if "git" in table and "lfs" in table:
            raise src.error(path, "`lfs` is not supported for build sources")
        return table

    def _build_number(self, path: KeyPath, value: Any) -> int:
        """An ``Option<u64>``: toml-span's integer deserialiser names the Rust type."""
        number = self.source.expect(path, value, int, "u64")
        if not 0 <= number < 2**64:
            raise self.source.error(path, "out of range of 'u64'")
        return number

    def _flags(self, path: KeyPath, value: Any) -> list[str]:
        """``TomlWith<_, Vec<TomlFromStr<Flag>>>``: rattler ``Flag::from_str`` (``flags.rs``)."""
        items = self.source.expect(path, value, list, "array")
        flags = []
        for i, item in enumerate(items):
            flag = self.source.from_str((*path, str(i)), item)
            if not _RECORD_FLAG.match(flag):
                raise self.source.error(
                    (*path, str(i)),
                    f"'{flag}' is not a valid flag. Flags must match ^[a-z0-9_]+(:[a-z0-9_]+)?$",
                )
            flags.append(flag)
        return flags


# --------------------------------------------------------------------------- helpers


def parse_if_expression(key: str) -> str | None:
    """``parse_if_expression`` (``crates/pixi_manifest/src/target.rs``)."""
    if not (key.startswith("if(") and key.endswith(")")):
        return None
    inner = key[3:-1].strip()
    return inner or None


def target_selector_expression(selector: TargetSelector) -> str:
    """``target_selector_expression``: subdirs and platform names compare ``host_platform``,
    families stay the bare rattler-build boolean (``macos`` → ``osx``)."""
    if selector.kind in ("subdir", "name"):
        return f"host_platform == '{selector.value}'"
    return selector.value


def is_source_spec(spec: Any) -> bool:
    """``PixiSpec::is_source``: git, or a path/url that is not a conda archive."""
    if not isinstance(spec, dict):
        return False
    if "git" in spec:
        return True
    location = spec.get("path") or spec.get("url")
    if not isinstance(location, str):
        return False
    return not location.split("?")[0].split("#")[0].endswith(CONDA_ARCHIVES)


def _layer(base: Any, overrides: dict[str, Any]) -> Any:
    """``TomlSpec::layer_overrides``: the workspace spec with the member's extra fields."""
    if not overrides:
        return base
    merged = {"version": base} if isinstance(base, str) else dict(base)
    merged.update(overrides)
    return merged


def _selector(source: ManifestSource, path: KeyPath, key: str) -> TargetSelector:
    try:
        return parse_selector(key)
    except SelectorError as exc:
        raise source.error(path, str(exc)) from None


def _relative_to(path: Path, root: Path) -> str:
    import os

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


def package_error(message: str, **kwargs: Any) -> DiagnosticError:
    from pixiconf.diagnostics import Diagnostic

    return DiagnosticError(Diagnostic(message, **kwargs))


# --------------------------------------------------------------------------- locating a package


#: Top-level keys of a manifest (``TomlManifest::deserialize``), for member package manifests.
MANIFEST_KEYS = (
    "workspace",
    "project",
    "package",
    "target",
    "dependencies",
    "host-dependencies",
    "build-dependencies",
    "constraints",
    "exclude-newer",
    "pypi-dependencies",
    "pypi-exclude-newer",
    "dev",
    "activation",
    "tasks",
    "feature",
    "environments",
    "pypi-options",
    "system-requirements",
)
