"""The ``[workspace]`` table (or its deprecated name ``[project]``).

Follows ``crates/pixi_manifest/src/toml/workspace.rs`` (``impl Deserialize for TomlWorkspace``
and ``TomlWorkspaceTarget``, ``TomlWorkspace::into_workspace``, ``convert_build_variant_files``,
``WorkspaceDependencyMap``) and ``toml/s3_options.rs``.  ``preview`` is
:mod:`pixiconf.manifest.preview`, ``platforms`` :mod:`pixiconf.manifest.platforms`,
``pypi-options`` :mod:`pixiconf.manifest.pypi_options`, ``conda-pypi-map``
:mod:`pixiconf.manifest.conda_pypi_map`.  Named ``workspace_table`` so as not to be confused with
the :mod:`pixiconf.workspace` layer (discovery and environments).
"""

from __future__ import annotations

from typing import Any

from pixiconf.manifest import pypi_options as pypi
from pixiconf.manifest.conda_pypi_map import parse_conda_pypi_map
from pixiconf.manifest.context import ManifestContext
from pixiconf.manifest.exclude_newer import read_exclude_newer
from pixiconf.manifest.model import Workspace
from pixiconf.manifest.platforms import parse_platform_list
from pixiconf.manifest.preview import PIXI_BUILD, parse_preview
from pixiconf.manifest.selectors import TargetSelector, read_selector
from pixiconf.manifest.source import KeyPath, ManifestSource, toml_type_name
from pixiconf.manifest.spdx import spdx_error
from pixiconf.manifest.specs import conda_dependency_map
from pixiconf.manifest.tables import CHANNEL_PRIORITIES, SOLVE_STRATEGIES, index_set, parse_channels
from pixiconf.manifest.url import URL_KEYS, read_url


def parse_workspace(
    ctx: ManifestContext, path: KeyPath, raw: Any, external: dict[str, Any]
) -> Workspace:
    """``TomlWorkspace::deserialize`` then the checks of ``into_workspace``; ``external`` holds
    what a pyproject's ``[project]`` table supplies (``ExternalWorkspaceProperties``).  Sets
    ``ctx.pool`` to ``[workspace.dependencies]``."""
    src = ctx.source
    t = src.reader(path, raw)
    name = t.optional("name", src.string)
    # ``TomlFromStr`` fields (version, license-file, readme, urls, exclude-newer): ``src.from_str``
    version = t.optional("version", lambda p, v: _version(src, p, v))
    description = t.optional("description", src.string)
    authors = t.optional("authors", src.strings)
    channels = t.required("channels", lambda p, v: parse_channels(src, p, index_set(src, p, v)))
    channel_priority = t.optional(
        "channel-priority", lambda p, v: src.enum(p, v, CHANNEL_PRIORITIES)
    )
    solve_strategy = t.optional("solve-strategy", lambda p, v: _solve_strategy(src, p, v))
    platforms = t.optional("platforms", lambda p, v: parse_platform_list(src, p, v)) or []
    license_ = t.optional("license", src.string)
    files = {key: t.optional(key, src.from_str) for key in ("license-file", "readme")}
    meta: dict[str, Any] = {
        key: t.optional(key, lambda p, v: read_url(src, p, v)) for key in URL_KEYS
    }
    t.optional("conda-pypi-map", lambda p, v: parse_conda_pypi_map(src, p, v))
    ws_pypi = t.optional("pypi-options", lambda p, v: pypi.parse_pypi_options(src, p, v))
    t.optional("s3-options", lambda p, v: _s3_options(src, p, v))
    preview = t.optional("preview", lambda p, v: parse_preview(src, p, v))
    ws_target = t.optional("target", src.table)
    # ``Vec<Spanned<TomlFromStr<PathBuf>>>``: each entry says ``expected expected a string``
    variant_files = t.optional(
        "build-variants-files",
        lambda p, v: [src.from_str((*p, str(i)), item) for i, item in enumerate(src.array(p, v))],
    )
    build_variants = t.optional("build-variants", lambda p, v: _build_variants(src, p, v))
    # ``TomlVersionSpecStr``: ``take_string("a version specifier string")``; the spec itself
    # is checked by discovery (``requires-pixi`` is read before the manifest is parsed).
    requires_pixi = t.optional(
        "requires-pixi", lambda p, v: src.expect(p, v, str, "a version specifier string")
    )
    t.optional("exclude-newer", lambda p, v: read_exclude_newer(src, p, v))
    pool = t.optional("dependencies", lambda p, v: conda_dependency_map(src, p, v))
    t.finalize()

    variant_targets = _variant_targets(src, (*path, "target"), ws_target or {})
    _check_license(src, path, license_)
    _check_files(ctx, path, files, variant_files or [])
    ctx.pool = pool or {}
    if not (preview is True or preview is False or PIXI_BUILD in (preview or [])):
        _reject_source_pool(src, (*path, "dependencies"), ctx.pool)
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


# -- single keys --------------------------------------------------------------------------


def _version(src: ManifestSource, path: KeyPath, value: Any) -> str:
    """``TomlFromStr<Version>``: rattler's conda version parser."""
    from rattler import Version

    version = src.from_str(path, value)
    try:
        Version(version)
    except Exception as exc:
        raise src.error(path, str(exc)) from None
    return version


def _solve_strategy(src: ManifestSource, path: KeyPath, value: Any) -> str:
    """``TomlWorkspace`` reads ``solve-strategy`` as ``TomlFromStr<SolveStrategy>``: strum's
    ``EnumString`` error, not the ``TomlEnum`` list that features and environments print."""
    text = src.from_str(path, value)
    if text not in SOLVE_STRATEGIES:
        raise src.error(path, "Matching variant not found")
    return text


def _s3_options(src: ManifestSource, path: KeyPath, value: Any) -> Any:
    """``[workspace.s3-options.<bucket>]`` (``toml/s3_options.rs``): three required keys."""
    for name, opts in src.table(path, value).items():
        t = src.reader((*path, name), opts)
        t.required("endpoint-url", lambda p, v: read_url(src, p, v))  # ``TomlFromStr<Url>``
        t.required("region", src.string)
        t.required("force-path-style", src.boolean)
        t.finalize()
    return value


def _build_variants(src: ManifestSource, path: KeyPath, value: Any) -> Any:
    """``build-variants``: each key holds an array of strings."""
    for key, item in src.table(path, value).items():
        if isinstance(item, list):
            src.strings((*path, key), item)
        else:
            raise src.error((*path, key), f"expected an array, found {toml_type_name(item)}")
    return value


# -- checks of into_workspace -------------------------------------------------------------


def _variant_targets(
    src: ManifestSource, path: KeyPath, targets: dict[str, Any]
) -> list[tuple[TargetSelector, Any]]:
    """``[workspace.target.<selector>]`` (``TomlWorkspaceTarget``): only ``build-variants``;
    targets without them are dropped."""
    variant_targets = []
    for sel, target in targets.items():
        sel_path = (*path, sel)
        selector = read_selector(src, sel_path, sel)
        tt = src.reader(sel_path, target)
        target_variants = tt.optional("build-variants", lambda p, v: _build_variants(src, p, v))
        tt.finalize()
        if target_variants is not None:
            variant_targets.append((selector, target_variants))
    return variant_targets


def _check_license(src: ManifestSource, path: KeyPath, license_: str | None) -> None:
    """``into_workspace``: ``spdx::Expression::parse`` (strict), see :mod:`~.spdx`."""
    if license_ is None:
        return
    error = spdx_error(license_)
    if error is not None:
        raise src.error((*path, "license"), "'license' is not a valid SPDX expression", label=error)


def _check_files(
    ctx: ManifestContext, path: KeyPath, files: dict[str, str | None], variant_files: list[str]
) -> None:
    """``license-file``, ``readme`` and ``build-variants-files`` (``convert_build_variant_files``)
    must exist below the workspace root."""
    root = ctx.root
    if root is None:
        return
    for key, value in files.items():
        if value is not None and not (root / value).is_file():
            raise ctx.source.error((*path, key), f"'{root / value}' does not exist")
    for i, value in enumerate(variant_files):
        if not (root / value).is_file():
            raise ctx.source.error(
                (*path, "build-variants-files", str(i)), f"'{root / value}' does not exist"
            )


def _reject_source_pool(src: ManifestSource, path: KeyPath, pool: dict[str, Any]) -> None:
    """Without ``pixi-build``, ``[workspace.dependencies]`` holds no source specs
    (``into_workspace``, ``toml_spec_is_source``: any ``path`` or ``git`` entry)."""
    for dep, spec in pool.items():
        if isinstance(spec, dict) and ("path" in spec or "git" in spec):
            raise src.error(
                path,
                "conda source dependencies are not allowed without enabling "
                "the 'pixi-build' preview flag",
                label=f"source dependency `{dep}`",
                help="Run `pixi workspace preview add pixi-build` to enable the preview flag",
            )
