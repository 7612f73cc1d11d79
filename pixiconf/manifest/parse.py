"""Turn a parsed pixi manifest (pixi.toml, or ``[tool.pixi]`` of pyproject.toml) into a model.

Follows ``crates/pixi_manifest/src/toml/manifest.rs`` (``impl Deserialize for TomlManifest``,
``TomlManifest::into_workspace_manifest``), ``toml/workspace.rs``, ``toml/feature.rs``,
``toml/target.rs`` and ``toml/environment.rs``.  The key lists below are in the order pixi
reads them, which is the order of its ``Unexpected keys, expected only ...`` messages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pixiconf.diagnostics import DiagnosticError
from pixiconf.manifest import pypi_options as pypi
from pixiconf.manifest.conda_pypi_map import parse_conda_pypi_map
from pixiconf.manifest.exclude_newer import read_exclude_newer, read_exclude_newer_map
from pixiconf.manifest.location_spec import dev_dependency
from pixiconf.manifest.model import (
    DEFAULT,
    Environment,
    Feature,
    Target,
    Workspace,
    WorkspaceManifest,
)
from pixiconf.manifest.pins import parse_pin, pin_not_allowed
from pixiconf.manifest.selectors import (
    SelectorError,
    parse_selector,
    subdir,
    subdir_error,
    validate_platform_name,
)
from pixiconf.manifest.source import KeyPath, ManifestSource, Table
from pixiconf.manifest.spdx import spdx_error
from pixiconf.manifest.specs import (
    check_package_name,
    check_spec_combinations,
    check_spec_keys,
    conda_dependency_map,
    conda_spec,
    pypi_dependency_map,
)
from pixiconf.manifest.tables import parse_activation, parse_channels, parse_system_requirements
from pixiconf.manifest.tasks import parse_tasks
from pixiconf.manifest.url import url_error

CHANNEL_PRIORITIES = ("strict", "flexible", "disabled")
SOLVE_STRATEGIES = ("highest", "lowest", "lowest-direct")
KNOWN_PREVIEW_FLAGS = ("pixi-build",)
ENVIRONMENT_NAME = re.compile(r"^[a-z0-9-]+$")
PIXI_BUILD = "pixi-build"


class ManifestParser:
    """Parses one manifest source; collects warnings in ``source.warnings``."""

    def __init__(self, source: ManifestSource, root: Path | None, *, pyproject: bool = False):
        self.source = source
        self.root = root
        self.pyproject = pyproject
        self.pixi_build = False
        self.pool: dict[str, Any] = {}

    # -- entry point ----------------------------------------------------------------------

    def parse(
        self, data: dict[str, Any], external: dict[str, Any] | None = None
    ) -> WorkspaceManifest:
        src = self.source
        top = Table(src, (), dict(data))
        top.ignore("$schema") if isinstance(data.get("$schema"), str) else None
        if "$schema" in top.remaining:
            raise src.error(("$schema",), "expected a string, found " + _type(data["$schema"]))
        if "tool" in top.remaining:
            src.table(("tool",), top.remaining.pop("tool"))

        if top.contains("workspace"):
            workspace_raw = top.required("workspace")
            workspace_key = "workspace"
        else:
            workspace_raw = top.optional("project")
            workspace_key = "project"
            if workspace_raw is not None:
                src.warn(
                    ("project",),
                    "The `project` field is deprecated. Use `workspace` instead.",
                    label="replace this with 'workspace'",
                )
        package_raw = top.optional("package")
        target_raw = top.optional("target")
        root_tables = {
            k: top.optional(k)
            for k in (
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
            )
        }
        feature_raw = top.optional("feature")
        environments_raw = top.optional("environments")
        pypi_options_raw = top.optional("pypi-options")
        sysreq_raw = top.optional("system-requirements")
        top.finalize()

        if workspace_raw is None:
            raise src.error((), "Missing field `project/workspace`")
        workspace = self._workspace((workspace_key,), workspace_raw, external or {})
        self._current_workspace = workspace
        self.pixi_build = workspace.preview_enabled(PIXI_BUILD)

        for kind in ("host-dependencies", "build-dependencies"):
            if root_tables[kind] is not None and not self.pixi_build:
                src.warn(
                    (kind,),
                    f"The `{kind}` field is deprecated. Use `dependencies` instead.",
                    label="replace this with 'dependencies'",
                )

        default = Feature(
            DEFAULT,
            channel_priority=workspace.channel_priority,
            solve_strategy=workspace.solve_strategy,
            pypi_options=(
                pypi.parse_pypi_options(src, ("pypi-options",), pypi_options_raw)
                if pypi_options_raw is not None
                else None
            ),
            default_target=self._target((), root_tables, is_root=True),
        )
        if sysreq_raw is not None:
            default.system_requirements = parse_system_requirements(
                src, ("system-requirements",), sysreq_raw
            )
            if default.system_requirements:
                self._sysreq_warning(
                    ("system-requirements",), default.system_requirements, workspace.platforms
                )
        if target_raw is not None:
            default.targets = self._targets(("target",), target_raw, workspace.platforms, None)

        features: dict[str, Feature] = {DEFAULT: default}
        feature_table = src.table(("feature",), feature_raw) if feature_raw is not None else {}
        for name, raw in feature_table.items():
            path = ("feature", name)
            if name == DEFAULT:
                raise src.error(
                    path,
                    "The feature 'default' is reserved and cannot be redefined",
                    help="All tables at the root of the document are implicitly "
                    "added to the 'default' feature, use those instead.",
                )
            features[name] = self._feature(path, name, raw, workspace)

        for name in (external or {}).get("features", []):
            features.setdefault(name, Feature(name))
        environments = self._environments(environments_raw, features)

        used = {f for env in environments.values() for f in env.features}
        for name in feature_table:
            if name not in used:
                src.warn(
                    ("feature", name),
                    f"The feature '{name}' is defined but not used in any environment. "
                    "Dependencies of unused features are not resolved or checked, and use "
                    "wildcard (*) version specifiers by default, disregarding any set "
                    "`pinning-strategy`",
                    help="Remove the feature from the manifest or add it to an environment",
                )

        self._extend_platforms(workspace, features)
        manifest = WorkspaceManifest(
            workspace, features, environments, kind="pyproject" if self.pyproject else "pixi"
        )
        if package_raw is not None:
            self._package(package_raw)
            manifest.has_package = True
        return manifest

    # -- [workspace] ----------------------------------------------------------------------

    def _workspace(self, path: KeyPath, raw: Any, external: dict[str, Any]) -> Workspace:
        src = self.source
        t = src.reader(path, raw)
        meta: dict[str, Any] = {}
        name = t.optional("name", src.string)
        # ``TomlFromStr`` fields (version, license-file, readme, urls, exclude-newer): ``src.from_str``
        version = t.optional("version", src.from_str)
        if version is not None:
            from rattler import Version

            try:
                Version(version)
            except Exception as exc:
                raise src.error((*path, "version"), str(exc)) from None
        description = t.optional("description", src.string)
        authors = t.optional("authors", src.strings)
        channels = t.required(
            "channels", lambda p, v: parse_channels(src, p, self._index_set(p, v))
        )
        channel_priority = t.optional(
            "channel-priority", lambda p, v: src.enum(p, v, CHANNEL_PRIORITIES)
        )
        solve_strategy = t.optional("solve-strategy", self._workspace_solve_strategy)
        platforms = t.optional("platforms", self._platform_list) or []
        license_ = t.optional("license", src.string)
        license_file = t.optional("license-file", src.from_str)
        readme = t.optional("readme", src.from_str)
        for key in ("homepage", "repository", "documentation"):
            meta[key] = t.optional(key, self._url)
        t.optional("conda-pypi-map", self._conda_pypi_map)
        ws_pypi = t.optional("pypi-options", lambda p, v: pypi.parse_pypi_options(src, p, v))
        t.optional("s3-options", self._s3_options)
        preview = t.optional("preview", self._preview)
        ws_target = t.optional("target", src.table)
        # ``Vec<Spanned<TomlFromStr<PathBuf>>>``: each entry says ``expected expected a string``
        variant_files = t.optional(
            "build-variants-files",
            lambda p, v: [
                src.from_str((*p, str(i)), item) for i, item in enumerate(src.array(p, v))
            ],
        )
        build_variants = t.optional("build-variants", self._build_variants)
        # ``TomlVersionSpecStr``: ``take_string("a version specifier string")``; the spec itself
        # is checked by discovery (``requires-pixi`` is read before the manifest is parsed).
        requires_pixi = t.optional(
            "requires-pixi", lambda p, v: src.expect(p, v, str, "a version specifier string")
        )
        t.optional("exclude-newer", lambda p, v: read_exclude_newer(src, p, v))
        pool = t.optional("dependencies", lambda p, v: conda_dependency_map(src, p, v))
        t.finalize()

        variant_targets = []
        for sel, target in (ws_target or {}).items():
            sel_path = (*path, "target", sel)
            selector = self._selector(sel_path, sel)
            tt = src.reader(sel_path, target)
            target_variants = tt.optional("build-variants", self._build_variants)
            tt.finalize()
            if target_variants is not None:
                variant_targets.append((selector, target_variants))

        if license_ is not None:
            # toml/workspace.rs into_workspace: spdx::Expression::parse (strict), see spdx.py
            error = spdx_error(license_)
            if error is not None:
                raise src.error(
                    (*path, "license"), "'license' is not a valid SPDX expression", label=error
                )
        for key, value in (("license-file", license_file), ("readme", readme)):
            if value is not None and self.root is not None and not (self.root / value).is_file():
                raise src.error((*path, key), f"'{self.root / value}' does not exist")
        # toml/workspace.rs convert_build_variant_files
        for i, value in enumerate(variant_files or []):
            if self.root is not None and not (self.root / value).is_file():
                raise src.error(
                    (*path, "build-variants-files", str(i)), f"'{self.root / value}' does not exist"
                )
        self.pool = pool or {}
        if pool and not (preview is True or preview is False or PIXI_BUILD in (preview or [])):
            for dep, spec in pool.items():
                if isinstance(spec, dict) and ("path" in spec or "git" in spec):
                    raise src.error(
                        (*path, "dependencies"),
                        "conda source dependencies are not allowed without enabling "
                        "the 'pixi-build' preview flag",
                        label=f"source dependency `{dep}`",
                        help="Run `pixi workspace preview add pixi-build` to enable "
                        "the preview flag",
                    )
        meta.update(
            version=version or external.get("version"),
            description=description or external.get("description"),
            authors=authors or external.get("authors"),
            license=license_,
        )
        return Workspace(
            name=name if name is not None else external.get("name"),
            channels=channels,
            platforms=platforms,
            channel_priority=channel_priority,
            solve_strategy=solve_strategy,
            pypi_options=ws_pypi,
            preview=preview if preview is not None else [],
            requires_pixi=requires_pixi,
            metadata=meta,
            build_variants=build_variants or {},
            build_variant_targets=variant_targets,
            build_variants_files=variant_files or [],
        )

    def _workspace_solve_strategy(self, path: KeyPath, value: Any) -> str:
        """``TomlWorkspace`` reads ``solve-strategy`` as ``TomlFromStr<SolveStrategy>``: strum's
        ``EnumString`` error, not the ``TomlEnum`` list that features and environments print."""
        text = self.source.from_str(path, value)
        if text not in SOLVE_STRATEGIES:
            raise self.source.error(path, "Matching variant not found")
        return text

    def _platform_list(self, path: KeyPath, value: Any) -> list[str]:
        src = self.source
        names: list[str] = []
        for i, item in enumerate(src.array(path, value)):
            item_path = (*path, str(i))
            if isinstance(item, dict):
                from pixiconf.diagnostics import UnsupportedOperation

                raise UnsupportedOperation(
                    "platform entries written as tables (rich platforms with virtual packages) "
                    "are not modelled by the reference yet"
                )
            if not isinstance(item, str):  # ``TomlPixiPlatform``: a string or a table
                raise src.error(item_path, f"expected a string or table, found {_type(item)}")
            name = item
            if subdir(name) is None:
                raise src.error(item_path, subdir_error(name))
            if name in names:
                raise src.error(item_path, f"duplicate key: `{name}`", label="duplicate key")
            names.append(name)
        return names

    def _index_set(self, path: KeyPath, value: Any) -> list[Any]:
        """pixi_toml ``TomlIndexSet`` (workspace channels, feature platforms) says
        ``expected array, found ...``, without the article toml-span's ``Vec`` uses."""
        return self.source.expect(path, value, list, "array")

    def _index_set_strings(self, path: KeyPath, value: Any) -> list[str]:
        return self.source.strings(path, self._index_set(path, value))

    def _url(self, path: KeyPath, value: Any) -> str:
        text = self.source.from_str(path, value)
        error = url_error(text)
        if error is not None:
            raise self.source.error(path, error)
        return text

    def _preview(self, path: KeyPath, value: Any) -> bool | list[str]:
        src = self.source
        if isinstance(value, bool):
            return value
        if not isinstance(value, list):
            raise src.error(
                path,
                'expected bool or list of flags e.g `true` or `["pixi-build"]`, '
                f"found {_type(value)}",
            )
        # ``KnownOrUnknownPreviewFlag``: ``take_string("a preview flag name")``
        flags = [
            src.expect((*path, str(i)), f, str, "a preview flag name") for i, f in enumerate(value)
        ]
        unknown = [f for f in flags if f not in KNOWN_PREVIEW_FLAGS]
        if unknown:
            s, are = ("s", "are") if len(unknown) > 1 else ("", "is")
            src.warn(
                path,
                f"The preview flag{s}: {', '.join(unknown)} {are} defined in the "
                "manifest but un-used in pixi",
                label=", ".join(f"'{u}' is unknown" for u in unknown),
            )
        return flags

    def _conda_pypi_map(self, path: KeyPath, value: Any) -> Any:
        return parse_conda_pypi_map(self.source, path, value)

    def _s3_options(self, path: KeyPath, value: Any) -> Any:
        src = self.source
        for name, opts in src.table(path, value).items():
            t = src.reader((*path, name), opts)
            t.required("endpoint-url", self._url)  # ``TomlFromStr<Url>``
            t.required("region", src.string)
            t.required("force-path-style", src.boolean)
            t.finalize()
        return value

    def _build_variants(self, path: KeyPath, value: Any) -> Any:
        src = self.source
        for key, item in src.table(path, value).items():
            if isinstance(item, list):
                src.strings((*path, key), item)
            else:
                raise src.error((*path, key), f"expected an array, found {_type(item)}")
        return value

    # -- targets and features -------------------------------------------------------------

    def _selector(self, path: KeyPath, key: str):
        try:
            return parse_selector(key)
        except SelectorError as exc:
            raise self.source.error(path, str(exc)) from None

    def _target(self, path: KeyPath, tables: dict[str, Any], *, is_root: bool = False) -> Target:
        src = self.source
        deps = {}
        for kind in ("dependencies", "host-dependencies", "build-dependencies", "constraints"):
            raw = tables.get(kind)
            if raw is None:
                continue
            if kind in ("host-dependencies", "build-dependencies") and self.pixi_build:
                # toml/target.rs into_workspace_target: a target table names its selector.
                table = (
                    f"target.{self._selector(path, path[-1])}.{kind}"
                    if len(path) >= 2 and path[-2] == "target"
                    else kind
                )
                raise src.error(
                    (*path, kind),
                    f"When `pixi-build` is enabled, {kind} can only be specified for a package.",
                    help=f"Did you mean [package.{table}]?",
                )
            deps[kind] = self._inheritable((*path, kind), raw)
        target = Target(
            dependencies=deps.get("dependencies"),
            host_dependencies=deps.get("host-dependencies"),
            build_dependencies=deps.get("build-dependencies"),
            constraints=deps.get("constraints"),
        )
        if tables.get("exclude-newer") is not None:
            read_exclude_newer_map(
                src, (*path, "exclude-newer"), tables["exclude-newer"], pypi=False
            )
        if tables.get("pypi-dependencies") is not None:
            target.pypi_dependencies = {
                name: [spec]
                for name, spec in pypi_dependency_map(
                    src, (*path, "pypi-dependencies"), tables["pypi-dependencies"]
                ).items()
            }
        if tables.get("pypi-exclude-newer") is not None:
            read_exclude_newer_map(
                src, (*path, "pypi-exclude-newer"), tables["pypi-exclude-newer"], pypi=True
            )
        if tables.get("dev") is not None:
            dev = src.table((*path, "dev"), tables["dev"])
            target.dev = {}
            for name, spec in dev.items():
                check_package_name(src, (*path, "dev", name), name)
                target.dev[name] = dev_dependency(src, (*path, "dev", name), spec)
        if tables.get("activation") is not None:
            target.activation = parse_activation(src, (*path, "activation"), tables["activation"])
        if tables.get("tasks") is not None:
            target.tasks = parse_tasks(src, (*path, "tasks"), tables["tasks"])
        return target

    def _inheritable(self, path: KeyPath, raw: Any) -> dict[str, Any]:
        """A dependency table whose entries may be ``{ workspace = true }``.

        ``[dependencies]``, ``[host-dependencies]`` and ``[build-dependencies]`` are
        ``DependencyTable``s: an entry may carry an inline ``package = {...}`` definition
        (``utils/package_map.rs`` ``deserialize_dependency_table``), converted once the table is
        resolved (``TomlTarget::into_workspace_target``).  ``[constraints]`` is an
        ``InheritablePackageMap``, where ``package`` is an unknown spec key.  Pins parse in all
        four and are then rejected (``ResolvedPackageMap::try_into_unique``/``into_pixi_specs``).
        """
        src = self.source
        table = src.table(path, raw)
        kind = path[-1]
        result: dict[str, Any] = {}
        inline: dict[str, tuple[KeyPath, dict[str, Any]]] = {}
        pin_used: tuple[KeyPath, str] | None = None
        seen: set[str] = set()
        for name, spec in table.items():
            spec_path = (*path, name)
            # package_map.rs deserialize_dependency_table: PackageName normalises to lowercase.
            if name.lower() in seen:
                raise src.error(
                    spec_path, f"duplicate key: `{name}`", label="duplicate defined here"
                )
            seen.add(name.lower())
            package = None
            if kind != "constraints" and isinstance(spec, dict) and "package" in spec:
                package = self._peel_inline_package((*spec_path, "package"), spec["package"])
                spec = {k: v for k, v in spec.items() if k != "package"}
            if isinstance(spec, dict) and "workspace" in spec:
                # inheritable_package_map.rs parse_inheritable_entry / parse_workspace_marker
                flag = src.expect((*spec_path, "workspace"), spec["workspace"], bool, "a boolean")
                if not flag and len(spec) > 1:
                    raise src.error(
                        spec_path, "`workspace = false` cannot be combined with other fields"
                    )
                for owned in ("version", "path", "git", "url"):
                    if owned in spec:
                        raise src.error(
                            (*spec_path, owned), f"`{owned}` is mutually exclusive with `workspace`"
                        )
                overrides = {k: v for k, v in spec.items() if k != "workspace"}
                if overrides:
                    # the overrides are a ``TomlSpec`` (unknown keys and types are rejected)
                    check_spec_keys(src, spec_path, overrides)
                if not flag:
                    raise src.error(
                        (*spec_path, "workspace"),
                        "`workspace` cannot be false",
                        help="Remove the `workspace = false` entry; inheritance from the "
                        "workspace is opt-in.",
                    )
                if name not in self.pool:
                    raise src.error(
                        spec_path,
                        f"the workspace does not define `{name}` in `[workspace.dependencies]`",
                        help="Add the package to `[workspace.dependencies]` in the "
                        "workspace `pixi.toml`.",
                    )
                check_package_name(src, spec_path, name)
                result[name] = self._inherit(spec_path, self.pool[name], overrides)
            else:
                pin = parse_pin(src, spec_path, spec) if isinstance(spec, dict) else None
                check_package_name(src, spec_path, name)
                if pin is not None:
                    pin_used = pin_used or (spec_path, pin[0])
                    continue
                result[name] = conda_spec(src, spec_path, spec)
                if package is not None and not _is_source_spec(result[name]):
                    raise src.error(
                        spec_path,
                        "an inline package definition requires a `git`, `path` "
                        "or `url` source location",
                    )
            if package is not None:
                inline[name] = ((*spec_path, "package"), package)
            if _is_source_spec(result[name]):
                if kind == "constraints":  # toml/target.rs into_workspace_target
                    raise src.error(
                        spec_path,
                        "source specifications are not supported in `[constraints]`, "
                        f"but '{name}' is a source specification",
                        label="source specification specified here",
                        help="constraints only apply to packages resolved from channels, "
                        "not source packages",
                    )
                if not self.pixi_build:  # inheritable_package_map.rs InheritablePackageMap::resolve
                    raise src.error(
                        spec_path,
                        "conda source dependencies are not allowed without "
                        "enabling the 'pixi-build' preview flag",
                        label="source dependency specified here",
                        help="Run `pixi workspace preview add pixi-build` to enable the "
                        "preview flag",
                    )
        for name, (package_path, _) in inline.items():
            if not _is_source_spec(result[name]):  # an inherited entry: checked once resolved
                raise src.error(
                    package_path[:-1],
                    "an inline package definition requires a `git`, "
                    "`path` or `url` source location",
                )
        if pin_used is not None:
            raise pin_not_allowed(src, pin_used[0], pin_used[1], f"[{kind}]")
        for name, (package_path, package) in inline.items():
            self._inline_package(package_path, name, package)
        return result

    def _inherit(self, path: KeyPath, base: Any, overrides: dict[str, Any]) -> Any:
        """``finalize_inherited``: the pool spec with the member's fields layered on top
        (``TomlSpec::layer_overrides``), checked again as a whole (``TomlSpec::into_spec``)."""
        if not overrides:
            return base
        merged = {"version": base} if isinstance(base, str) else dict(base)
        merged.update(overrides)
        try:
            check_spec_combinations(self.source, path, merged)
        except DiagnosticError as exc:
            raise self.source.error(
                (*path, "workspace"),
                "cannot apply member overrides to inherited "
                f"workspace dependency: {exc.diagnostic.message}",
            ) from None
        return merged

    def _peel_inline_package(self, path: KeyPath, raw: Any) -> dict[str, Any]:
        """``peel_inline_package``: a ``[package]`` table without ``name`` or ``build.source``."""
        src = self.source
        package = src.table(path, raw)
        if "build" not in package:  # TomlPackage::deserialize (th.required("build"))
            raise src.error(
                path, "missing field 'build' in table", label="table with missing field"
            )
        if "name" in package:
            raise src.error(
                path,
                "an inline package definition cannot set `name`; it is taken from "
                "the dependency key",
            )
        if isinstance(package["build"], dict) and "source" in package["build"]:
            raise src.error(
                path,
                "an inline package definition cannot set `build.source`; the source "
                "is taken from the dependency spec",
            )
        return package

    def _inline_package(self, path: KeyPath, name: str, package: dict[str, Any]) -> None:
        """``InlinePackageManifest::from_toml_package``: the inline table as a ``[package]`` named
        after the dependency, inheriting the workspace's package properties (no defaults)."""
        from pixiconf.manifest.package import PackageDefaults, parse_package, workspace_properties

        src = self.source
        pixi = src.data if not self.pyproject else (src.data.get("tool") or {}).get("pixi") or {}
        ws_raw = pixi.get("workspace", pixi.get("project"))
        properties = workspace_properties(
            self._current_workspace,
            dependencies=self.pool,
            raw_workspace=ws_raw if isinstance(ws_raw, dict) else {},
            root=self.root,
        )
        parse_package(
            src,
            path,
            package,
            workspace=properties,
            root=self.root,
            defaults=PackageDefaults(name=name),
        )

    def _target_tables(self, path: KeyPath, raw: Any) -> dict[str, Any]:
        t = self.source.reader(path, raw)
        tables = {
            k: t.optional(k)
            for k in (
                "dependencies",
                "host-dependencies",
                "build-dependencies",
                "constraints",
                "pypi-dependencies",
                "dev",
                "activation",
                "tasks",
            )
        }
        t.finalize()
        return tables

    def _targets(
        self,
        path: KeyPath,
        raw: Any,
        workspace_platforms: list[str],
        feature: tuple[str, list[str] | None] | None,
    ):
        src = self.source
        ordered: list[tuple[Any, Target]] = []
        for key, value in src.table(path, raw).items():
            sel_path = (*path, key)
            selector = self._selector(sel_path, key)
            self._check_selector_matches(sel_path, selector, workspace_platforms, feature)
            target = self._target(sel_path, self._target_tables(sel_path, value))
            for i, (existing, _) in enumerate(ordered):
                if existing.identity == selector.identity:
                    ordered[i] = (existing, target)  # same selector: replaced, keeps position
                    break
            else:
                ordered.append((selector, target))
        return ordered

    def _check_selector_matches(self, path, selector, workspace_platforms, feature) -> None:
        from pixiconf.manifest.selectors import all_subdirs

        # ``TomlFeature::into_feature``: warn about the workspace when no declared workspace
        # platform matches; otherwise about a feature whose own ``platforms`` contain none of
        # the matching workspace platforms.  The suggestions start with those matching
        # workspace platforms (``create_unsupported_selector_warning``).
        matching = [p for p in workspace_platforms if selector.matches(p)]
        owner = "workspace"
        if matching:
            if feature is None or feature[1] is None or any(p in feature[1] for p in matching):
                return
            owner = (
                f"environment '{feature[0].split(':', 1)[1]}'"
                if feature[0].startswith("environment:")
                else f"feature '{feature[0]}'"
            )
        suggestions = list(matching)
        if selector.kind == "family":
            for name in all_subdirs():  # rattler ``Platform::all()`` order
                if selector.matches(name) and name not in suggestions:
                    suggestions.append(name)
        if not suggestions and selector.kind != "glob":
            suggestions.append(str(selector))
        if selector.kind == "glob":
            help_text = (
                f"Declare a platform whose name matches '{selector}', using "
                "`pixi workspace platform add <name>`"
            )
        elif len(suggestions) == 1:
            help_text = (
                f"Add '{suggestions[0]}' to the supported platforms, using "
                f"`pixi workspace platform add {suggestions[0]}`"
            )
        else:
            help_text = (
                "Add one of "
                + ", ".join(f"'{s}'" for s in suggestions)
                + f" to the supported platforms, using `pixi workspace platform add {suggestions[0]}`"
            )
        self.source.warn(
            path,
            f"The target selector '{selector}' does not match any of "
            f"the platforms supported by the {owner}",
            label="target selector specified here",
            help=help_text,
        )

    def _feature_like(
        self, path: KeyPath, name: str, t: Table, workspace: Workspace, *, inline: bool
    ) -> Feature:
        src = self.source
        feature = Feature(name)
        if not inline or t.contains("platforms") or inline:
            feature.platforms = t.optional("platforms", self._index_set_strings)
        for platform_name in feature.platforms or []:
            # ``TomlFeature::into_feature``: every entry must be a ``PixiPlatformName``
            # (``TomlError::InvalidPlatform``), before the subdir check of
            # ``extend_originals_with_referenced_subdirs``.
            try:
                validate_platform_name(platform_name)
            except SelectorError:
                raise DiagnosticError(
                    self.source.diagnostic(
                        (*path, "platforms"), f"{platform_name} is not a valid platform name"
                    )
                ) from None
        feature.channels = t.optional("channels", lambda p, v: parse_channels(src, p, v))
        feature.channel_priority = t.optional(
            "channel-priority", lambda p, v: src.enum(p, v, CHANNEL_PRIORITIES)
        )
        feature.solve_strategy = t.optional(
            "solve-strategy", lambda p, v: src.enum(p, v, SOLVE_STRATEGIES)
        )
        target_raw = t.optional("target")
        kinds = (
            ("dependencies", "pypi-dependencies", "dev", "constraints")
            if inline
            else (
                "dependencies",
                "host-dependencies",
                "build-dependencies",
                "constraints",
                "pypi-dependencies",
                "dev",
            )
        )
        tables = {k: t.optional(k) for k in kinds}
        if not inline:
            for kind in ("host-dependencies", "build-dependencies"):
                if tables.get(kind) is not None and not self.pixi_build:
                    src.warn(
                        (*path, kind),
                        f"The `{kind}` field is deprecated. Use `dependencies` instead.",
                        label="replace this with 'dependencies'",
                    )
        tables["activation"] = t.optional("activation")
        tables["tasks"] = t.optional("tasks")
        pypi_raw = t.optional("pypi-options")
        if not inline:
            sysreq = t.optional("system-requirements")
            if sysreq is not None:
                feature.system_requirements = parse_system_requirements(
                    src, (*path, "system-requirements"), sysreq
                )
                if feature.system_requirements:
                    # No workspace context in TomlFeature::deserialize: no subdirs.
                    self._sysreq_warning(
                        (*path, "system-requirements"), feature.system_requirements, []
                    )
        t.finalize()
        if pypi_raw is not None:
            feature.pypi_options = pypi.parse_pypi_options(src, (*path, "pypi-options"), pypi_raw)
        feature.default_target = self._target(path, tables)
        if target_raw is not None:
            feature.targets = self._targets(
                (*path, "target"), target_raw, workspace.platforms, (name, feature.platforms)
            )
        return feature

    def _feature(self, path: KeyPath, name: str, raw: Any, workspace: Workspace) -> Feature:
        return self._feature_like(
            path, name, self.source.reader(path, raw), workspace, inline=False
        )

    def _sysreq_warning(self, path: KeyPath, sysreqs: dict[str, Any], subdirs: list[str]) -> None:
        self.source.warn(
            path,
            "the `[system-requirements]` table is deprecated in favor of "
            "virtual packages on `platforms`",
            label="declare these on the `platforms` entries instead",
            help="e.g. " + _sysreqs_as_platforms(sysreqs, subdirs),
        )

    # -- [environments] -------------------------------------------------------------------

    def _environments(self, raw: Any, features: dict[str, Feature]) -> dict[str, Environment]:
        src = self.source
        table = src.table(("environments",), raw) if raw is not None else {}
        environments: dict[str, Environment] = {}
        if DEFAULT not in table:
            environments[DEFAULT] = Environment(DEFAULT, [])
        workspace = self._current_workspace
        for name, value in table.items():
            path = ("environments", name)
            if not ENVIRONMENT_NAME.match(name):
                raise src.error(
                    path,
                    f"Failed to parse environment name '{name}', please use "
                    "only lowercase letters, numbers and dashes",
                )
            solve_group, no_default = None, False
            inline_feature: Feature | None = None
            if isinstance(value, list):
                listed = src.strings(path, value)
            elif isinstance(value, dict):
                t = src.reader(path, value)
                listed = t.optional("features", src.strings)
                solve_group = t.optional("solve-group", src.string)
                no_default = bool(t.optional("no-default-feature", src.boolean))
                inline_name = f"environment:{name}"
                inline_feature = self._feature_like(path, inline_name, t, workspace, inline=True)
                if not _feature_has_content(inline_feature):
                    inline_feature = None
                # ``TomlEnvironment::deserialize``: without `features`, a `solve-group` or
                # inline content (``TomlEnvironmentInline::is_empty``) the table is rejected,
                # even if it sets `no-default-feature` or an empty `tasks` table.
                if listed is None and solve_group is None and inline_feature is None:
                    raise src.error(
                        path, "missing field 'features' in table", label="table with missing field"
                    )
                listed = listed or []
            else:
                # toml/environment.rs impl Deserialize for TomlEnvironmentList
                raise src.error(path, f"expected either a map or a sequence, found {_type(value)}")

            seen: set[str] = set()
            for i, feature_name in enumerate(listed):
                item_path = (
                    (*path, "features", str(i)) if isinstance(value, dict) else (*path, str(i))
                )
                if feature_name not in features:
                    raise src.error(
                        item_path,
                        f"The feature '{feature_name}' is not defined in the manifest",
                        help="Add the feature to the manifest",
                    )
                if feature_name in seen:
                    raise src.error(
                        item_path,
                        f"The feature '{feature_name}' is included more than once.",
                        label="the feature is included here",
                        help="Since the order of the features matters, a duplicate "
                        "feature is ambiguous",
                    )
                seen.add(feature_name)
            names = list(listed)
            if inline_feature is not None:
                features[inline_feature.name] = inline_feature
                names.insert(0, inline_feature.name)
            used = [features[f] for f in names] + ([] if no_default else [features[DEFAULT]])
            self._check_environment_combination(path, used)
            environments[name] = Environment(name, names, solve_group, no_default)
        return environments

    def _check_environment_combination(self, path: KeyPath, used: list[Feature]) -> None:
        from pixiconf.manifest.system_requirements import SystemRequirementsConflict, union_all

        try:
            union_all([f.system_requirements for f in used])
        except SystemRequirementsConflict as exc:
            raise self.source.error(
                path, str(exc), label="while resolving system requirements of features defined here"
            ) from None
        combined: dict[str, Any] = {}
        try:
            for feature in used:
                if feature.pypi_options is not None:
                    combined = pypi.union(combined, feature.pypi_options)
        except pypi.PypiOptionsConflict as exc:
            raise self.source.error(
                path, str(exc), label="while resolving pypi options of features defined here"
            ) from None

    # -- platforms ------------------------------------------------------------------------

    def _extend_platforms(self, workspace: Workspace, features: dict[str, Feature]) -> None:
        """A subdir named by a feature but missing from the workspace is appended
        (``extend_originals_with_referenced_subdirs``); other names are an error."""
        for feature in features.values():
            for name in feature.platforms or []:
                if name in workspace.platforms:
                    continue
                label = (
                    f"feature '{feature.name}'"
                    if not feature.name.startswith("environment:")
                    else f"environment '{feature.name.split(':', 1)[1]}'"
                )
                if subdir(name) is None:
                    raise DiagnosticError(
                        self.source.diagnostic(
                            ("feature", feature.name, "platforms"),
                            f"{label} references platform '{name}' which is neither declared in the "
                            f"workspace nor a valid conda subdir: {subdir_error(name)}",
                        )
                    )
                workspace.platforms.append(name)

    def _package(self, raw: Any) -> None:
        src = self.source
        # ``TomlPackage::deserialize`` (``th.required("build")?``) runs while the whole manifest
        # is deserialised, before ``into_workspace_manifest`` checks the preview flag.
        table = src.table(("package",), raw)
        if "build" not in table:
            raise src.error(
                ("package",), "missing field 'build' in table", label="table with missing field"
            )
        if not self.pixi_build:
            raise src.error(
                ("package",),
                "[package] section is only allowed when the `pixi-build` preview flag is enabled",
                help="Run `pixi workspace preview add pixi-build` to enable the preview flag",
            )
        # ``TomlPackage::into_manifest``: the rest of the section (pixiconf/manifest/package.py).
        from pixiconf.manifest.package import package_defaults, parse_package, workspace_properties

        pixi = src.data if not self.pyproject else (src.data.get("tool") or {}).get("pixi") or {}
        ws_raw = pixi.get("workspace", pixi.get("project"))
        properties = workspace_properties(
            self._current_workspace,
            dependencies=self.pool,
            raw_workspace=ws_raw if isinstance(ws_raw, dict) else {},
            package_raw=table,
            root=self.root,
        )
        parse_package(
            src,
            ("package",),
            table,
            workspace=properties,
            root=self.root,
            defaults=package_defaults(src.data if self.pyproject else None),
        )


# ``toml/platform.rs`` FRIENDLY_VIRTUAL_PACKAGES order (archspec/windows never come from sysreqs).
_FRIENDLY_VIRTUAL_PACKAGES = (
    ("cuda", "__cuda"),
    ("archspec", "__archspec"),
    ("glibc", "__glibc"),
    ("linux", "__linux"),
    ("macos", "__osx"),
    ("windows", "__win"),
)


def _sysreqs_as_platforms(sysreqs: dict[str, Any], subdirs: list[str]) -> str:
    """The help of the `[system-requirements]` deprecation: ``system_requirements_as_platforms``
    (``toml/platform.rs``) over ``SystemRequirements::to_declared_virtual_packages``, filtered per
    subdir by ``virtual_package_applies_to_subdir``; no subdirs falls back to ``linux-64``."""
    candidates: list[tuple[str, str]] = []
    for key, conda in (("linux", "__linux"), ("cuda", "__cuda"), ("macos", "__osx")):
        if sysreqs.get(key) is not None:
            candidates.append((conda, sysreqs[key]))
    libc = sysreqs.get("libc")
    if libc is not None:
        family, version = (
            (libc.get("family") or "glibc", libc["version"])
            if isinstance(libc, dict)
            else ("glibc", libc)
        )
        candidates.append((f"__{family}", version))
    entries = []
    for subdir_name in dict.fromkeys(subdirs or ["linux-64"]):
        linux, osx = subdir_name.startswith("linux-"), subdir_name.startswith("osx-")
        applies = [
            (n, v)
            for n, v in candidates
            if (
                linux
                if n in ("__linux", "__glibc", "__musl", "__eglibc")
                else osx
                if n == "__osx"
                else not osx
                if n == "__cuda"
                else True
            )
        ]
        friendly = [
            f'{key} = "{dict(applies)[conda]}"'
            for key, conda in _FRIENDLY_VIRTUAL_PACKAGES
            if conda in dict(applies)
        ]
        raw = [
            f'{n} = "{v}"'
            for n, v in sorted(applies)
            if n not in {c for _, c in _FRIENDLY_VIRTUAL_PACKAGES}
        ]
        pairs = friendly + raw
        entries.append(
            f'{{ name = "my-{subdir_name}", platform = "{subdir_name}", {", ".join(pairs)} }}'
            if pairs
            else f'"{subdir_name}"'
        )
    return f"platforms = [{', '.join(entries)}]"


def _is_source_spec(spec: Any) -> bool:
    """``PixiSpec::is_source``: git, or a path/url that is not a conda archive
    (``pixi_spec/src/toml.rs`` ``TomlSpec::validate_field_combinations``)."""
    if not isinstance(spec, dict):
        return False
    if "git" in spec:
        return True
    location = spec.get("path") or spec.get("url")
    if not isinstance(location, str):
        return False
    return not location.split("?")[0].split("#")[0].endswith((".conda", ".tar.bz2"))


def _feature_has_content(feature: Feature) -> bool:
    t = feature.default_target
    return any(
        [
            feature.platforms is not None,
            feature.channels is not None,
            feature.channel_priority is not None,
            feature.solve_strategy is not None,
            feature.pypi_options is not None,
            bool(feature.targets),
            t.dependencies is not None,
            t.pypi_dependencies is not None,
            t.dev is not None,
            t.constraints is not None,
            t.activation is not None,
            bool(t.tasks),
        ]
    )


def _type(value: Any) -> str:
    from pixiconf.manifest.source import toml_type_name

    return toml_type_name(value)


def parse_manifest_data(
    source: ManifestSource,
    data: dict[str, Any],
    root: Path | None,
    *,
    pyproject: bool = False,
    external: dict[str, Any] | None = None,
) -> WorkspaceManifest:
    parser = ManifestParser(source, root, pyproject=pyproject)
    manifest = parser.parse(data, external)
    manifest.warnings = [*source.log_warnings, *source.warnings]
    return manifest
