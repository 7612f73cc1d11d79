"""The dependency tables of ``[package]``: ``run-``, ``host-``, ``build-dependencies``,
``run-constraints``, ``extra-dependencies.<group>``, ``run-exports.<bucket>``, their
``"if(<expression>)"`` sub-tables and the deprecated ``[package.target.<selector>]`` tables.

Follows ``crates/pixi_manifest/src/toml/package_target.rs`` (``impl Deserialize for
TomlPackageTarget``, ``into_package_target``: which pins each table allows,
``TomlRunExportsTarget::resolve``, ``reject_url_run_exports``), ``toml/run_exports.rs``
(``TomlRunExports``), ``toml/package.rs`` (``split_section``, ``target_selector_expression``,
``package_target_replacement_help``), ``target.rs`` (``parse_if_expression``) and
``utils/inheritable_package_map.rs`` (``ConditionalInheritablePackageMap``; entries:
:mod:`pixiconf.manifest.inheritable`).  The deprecated target tables lower to
``host_platform == '<subdir>'`` (subdirs and platform names) or the bare family
(``unix``/``linux``/``win``/``osx``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pixiconf.manifest.inheritable import Inheritable, read_inheritable_map, resolve_inherited
from pixiconf.manifest.pins import Pin
from pixiconf.manifest.selectors import TargetSelector, read_selector, reject_glob_in_package
from pixiconf.manifest.source import KeyPath, ManifestSource
from pixiconf.manifest.specs import CONDA_ARCHIVES, is_source_spec

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
#: The tables of a target, with the :class:`PackageTarget` field each fills, in the order
#: ``into_package_target`` resolves them.
DEPENDENCY_TABLES = (
    ("run-dependencies", "run"),
    ("run-constraints", "run_constraints"),
    ("host-dependencies", "host"),
    ("build-dependencies", "build"),
)
#: The help of the pin errors in tables without pins.
_NO_PIN_HELP = (
    "Pins are supported in `[package.run-dependencies]`, "
    "`[package.host-dependencies]`, and the `[package.run-exports]` tables"
)


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
class Section:
    """A dependency table split into its plain entries and its ``if(...)`` sub-tables."""

    plain: dict[str, Any] | None
    conditional: list[tuple[str, KeyPath, dict[str, Any]]]
    path: KeyPath


@dataclass(slots=True)
class LegacyTarget:
    """One ``[package.target.<selector>]`` table: its raw tables (``extra-dependencies`` as a
    table of groups)."""

    selector: TargetSelector
    path: KeyPath
    tables: dict[str, Any]


@dataclass(slots=True)
class PackageDependencies:
    """The dependency tables of ``[package]`` as read (``None``/empty when absent)."""

    sections: dict[str, Section | None]
    extras: dict[str, Section]
    run_exports: dict[str, Section]
    targets: list[LegacyTarget]


# -- reading (TomlPackage::deserialize) ---------------------------------------------------


def parse_if_expression(key: str) -> str | None:
    """``parse_if_expression`` (``crates/pixi_manifest/src/target.rs``)."""
    if not (key.startswith("if(") and key.endswith(")")):
        return None
    inner = key[3:-1].strip()
    return inner or None


def read_section(src: ManifestSource, path: KeyPath, value: Any) -> Section:
    """``ConditionalInheritablePackageMap``: plain entries plus ``if(...)`` sub-tables."""
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
            sub_path = (*path, key)
            conditional.append((expression, sub_path, read_inheritable_map(src, sub_path, item)))
        else:
            plain[key] = item
    return Section(read_inheritable_map(src, path, plain) if plain else None, conditional, path)


def read_extras(src: ManifestSource, path: KeyPath, value: Any) -> dict[str, Section]:
    """``extra-dependencies``: a section per group."""
    table = src.table(path, value)
    return {group: read_section(src, (*path, group), item) for group, item in table.items()}


def read_run_exports(src: ManifestSource, path: KeyPath, value: Any) -> dict[str, Section]:
    """``TomlRunExports``: a section per bucket."""
    t = src.reader(path, value)
    result = {}
    for bucket in RUN_EXPORT_BUCKETS:
        section = t.optional(bucket, lambda p, v: read_section(src, p, v))
        if section is not None:
            result[bucket] = section
    t.finalize()
    return result


def read_legacy_targets(src: ManifestSource, path: KeyPath, value: Any) -> list[LegacyTarget]:
    """``[package.target.<selector>]`` tables (``TomlPackageTarget``; no wildcard selector)."""
    targets: list[LegacyTarget] = []
    for key, item in src.table(path, value).items():
        sel_path = (*path, key)
        selector = read_selector(src, sel_path, key)
        t = src.reader(sel_path, item)
        tables = {k: t.optional(k) for k in PACKAGE_TARGET_KEYS}
        t.finalize()
        if tables.get("extra-dependencies") is not None:
            tables["extra-dependencies"] = src.table(
                (*sel_path, "extra-dependencies"), tables["extra-dependencies"]
            )
        reject_glob_in_package(src, sel_path, selector)
        targets.append(LegacyTarget(selector, sel_path, tables))
    return targets


# -- resolving (TomlPackage::into_manifest) -----------------------------------------------


def target_selector_expression(selector: TargetSelector) -> str:
    """``target_selector_expression``: subdirs and platform names compare ``host_platform``,
    families stay the bare rattler-build boolean (``macos`` → ``osx``)."""
    if selector.kind in ("subdir", "name"):
        return f"host_platform == '{selector.value}'"
    return selector.value


def into_package_targets(
    src: ManifestSource,
    pool: dict[str, Any],
    package_name: str | None,
    tables: PackageDependencies,
) -> tuple[PackageTarget, dict[str, PackageTarget]]:
    """The unconditional target and the conditional ones (expression → target, first seen
    first: run, run-constraints, host, build, then the run-export buckets, then extras, then
    the lowered ``[package.target]`` tables)."""
    resolver = _Resolver(src, pool, package_name)
    default = _default_target(resolver, tables)
    conditional: dict[str, PackageTarget] = {}
    _fold_conditions(resolver, tables, conditional)
    for target in tables.targets:
        _lower_legacy_target(resolver, target, conditional)
    return default, conditional


@dataclass(slots=True)
class _Resolver:
    source: ManifestSource
    pool: dict[str, Any]
    package_name: str | None

    def resolve(self, section: str, path: KeyPath, specs: dict[str, Any]) -> dict[str, Any]:
        """``InheritablePackageMap::resolve`` + the pin matrix of ``into_package_target``."""
        result: dict[str, Any] = {}
        for name, spec in specs.items():
            spec_path = (*path, name)
            if isinstance(spec, Inheritable):
                spec = resolve_inherited(self.source, self.pool, name, spec)
            if isinstance(spec, Pin):
                _check_pin(self.source, section, spec_path, name, spec, self.package_name)
            if section.startswith("run-exports.") and isinstance(spec, dict):
                _check_run_export(self.source, section, spec_path, spec)
            result[name] = spec
        return result


def _default_target(resolver: _Resolver, tables: PackageDependencies) -> PackageTarget:
    default = PackageTarget()
    for key, attr in DEPENDENCY_TABLES:
        section = tables.sections.get(key)
        if section is not None and section.plain is not None:
            setattr(default, attr, resolver.resolve(key, section.path, section.plain))
    for group, section in tables.extras.items():
        if section.plain is not None:
            default.extras[group] = resolver.resolve(
                "extra-dependencies", section.path, section.plain
            )
    for bucket, section in tables.run_exports.items():
        if section.plain is not None:
            default.run_exports[bucket] = resolver.resolve(
                f"run-exports.{bucket}", section.path, section.plain
            )
    return default


def _fold_conditions(
    resolver: _Resolver, tables: PackageDependencies, conditional: dict[str, PackageTarget]
) -> None:
    """The ``if(...)`` sub-tables fold into one target per expression."""
    for key, attr in DEPENDENCY_TABLES:
        section = tables.sections.get(key)
        for expression, sub_path, specs in section.conditional if section else []:
            target = conditional.setdefault(expression, PackageTarget())
            setattr(target, attr, resolver.resolve(key, sub_path, specs))
    for bucket in RUN_EXPORT_BUCKETS:
        section = tables.run_exports.get(bucket)
        for expression, sub_path, specs in section.conditional if section else []:
            target = conditional.setdefault(expression, PackageTarget())
            target.run_exports[bucket] = resolver.resolve(f"run-exports.{bucket}", sub_path, specs)
    for group, section in tables.extras.items():
        for expression, sub_path, specs in section.conditional:
            target = conditional.setdefault(expression, PackageTarget())
            target.extras[group] = resolver.resolve("extra-dependencies", sub_path, specs)


def _lower_legacy_target(
    resolver: _Resolver, legacy: LegacyTarget, conditional: dict[str, PackageTarget]
) -> None:
    """A ``[package.target.<selector>]`` table becomes the target of its expression (a
    deprecation warning); an ``if(...)`` table of the same expression is an error."""
    src = resolver.source
    selector, sel_path, tables = legacy.selector, legacy.path, legacy.tables
    expression = target_selector_expression(selector)
    _warn_deprecated_target(src, sel_path, expression, tables)
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
    for key, attr in DEPENDENCY_TABLES:
        if tables.get(key) is not None:
            specs = read_inheritable_map(src, (*sel_path, key), tables[key])
            setattr(target, attr, resolver.resolve(key, (*sel_path, key), specs))
    for group, specs in (tables.get("extra-dependencies") or {}).items():
        group_path = (*sel_path, "extra-dependencies", group)
        target.extras[group] = resolver.resolve(
            "extra-dependencies", group_path, read_inheritable_map(src, group_path, specs)
        )
    conditional[expression] = target


def _warn_deprecated_target(
    src: ManifestSource, path: KeyPath, expression: str, tables: dict[str, Any]
) -> None:
    """The deprecation, with ``package_target_replacement_help``."""
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
    src.warn(
        path,
        "the `[package.target]` tables are deprecated in favor of conditional dependencies",
        label="deprecated target selector",
        help="Move the dependencies under a conditional dependency table instead:\n"
        + "\n".join(lines),
    )


def _check_pin(
    src: ManifestSource, section: str, path: KeyPath, name: str, spec: Pin, package_name: str | None
) -> None:
    """``into_package_target``: pins in run/host dependencies, run-exports, nowhere else."""
    own = package_name is not None and name.lower() == package_name.lower()
    if section in ("run-dependencies", "host-dependencies"):
        _check_dependency_pin(src, section, path, spec, own)
    elif section.startswith("run-exports."):
        if package_name is not None:
            _check_run_export_pin(src, path, name, spec, package_name, own)
    else:
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


def _check_dependency_pin(
    src: ManifestSource, section: str, path: KeyPath, spec: Pin, own: bool
) -> None:
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


def _check_run_export_pin(
    src: ManifestSource, path: KeyPath, name: str, spec: Pin, package_name: str, own: bool
) -> None:
    """``validate_run_export_pin``: ``pin-subpackage`` names the package itself,
    ``pin-compatible`` anything else."""
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


def _check_run_export(
    src: ManifestSource, section: str, path: KeyPath, spec: dict[str, Any]
) -> None:
    """``reject_url_run_exports`` and ``into_run_export_constraints``."""
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
