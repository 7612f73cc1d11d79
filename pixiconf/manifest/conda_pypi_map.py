"""``[workspace] conda-pypi-map``: per-channel conda → PyPI name mapping overrides.

Follows ``crates/pixi_manifest/src/toml/conda_pypi_map.rs`` (``impl Deserialize for
CondaPypiMap``, ``CondaPypiMapEntry`` and ``TomlCondaPypiMapValue``) and the deprecation of an
empty map in ``toml/workspace.rs`` (``TomlWorkspace::into_workspace``).
"""

from __future__ import annotations

from typing import Any

from pixiconf.manifest.source import KeyPath, ManifestSource, toml_type_name

MAPPING_MODES = ("overlay", "replace")


def parse_conda_pypi_map(src: ManifestSource, path: KeyPath, value: Any) -> Any:
    """``false`` or a table of channel → entry; ``true`` and ``{}`` are special-cased."""
    if value is True:
        raise src.error(
            path,
            "`conda-pypi-map = true` is not supported; use `false` to disable "
            "the mapping, or a table to configure it",
        )
    if value is False:
        return value
    if not isinstance(value, dict):
        raise src.error(path, f"expected a table or `false`, found {toml_type_name(value)}")
    for channel, entry in value.items():
        _entry(src, (*path, channel), entry)
    if not value:
        src.warn(
            path,
            "`conda-pypi-map = {}` is deprecated",
            help="Use `conda-pypi-map = false` to disable all PyPI name derivation, or "
            '`conda-pypi-map = { conda-forge = { mapping-mode = "replace" } }` to '
            "avoid default mapping lookups while keeping the conda-forge same-name "
            "heuristic.",
        )
    return value


def _entry(src: ManifestSource, path: KeyPath, entry: Any) -> None:
    """One channel (``CondaPypiMapEntry``): a location string, ``false``, or a table of
    ``location``, ``mapping``, ``mapping-mode`` and ``same-name-heuristic`` setting at least one."""
    if _string_or_false(
        src,
        path,
        entry,
        "`true` is not supported; use `false` to disable the mapping for this "
        "channel, or a string or table to configure it",
    ):
        return
    if not isinstance(entry, dict):
        raise src.error(path, f"expected a string, table or `false`, found {toml_type_name(entry)}")
    t = src.reader(path, entry)
    t.optional("location", src.string)
    mapping = t.optional("mapping", src.table)
    for name, names in (mapping or {}).items():
        _mapping_value(src, (*path, "mapping", name), names)
    t.optional("mapping-mode", lambda p, v: src.enum(p, v, MAPPING_MODES))
    t.optional("same-name-heuristic", src.boolean)
    t.finalize()
    if not entry:
        raise src.error(
            path,
            "expected at least one of `location`, `mapping`, `mapping-mode` or "
            "`same-name-heuristic`",
            help="An empty table has no effect. Use `<channel> = false` to disable the "
            'mapping for this channel, or `<channel> = { mapping-mode = "replace" }` '
            "to skip the default mapping data. The same-name heuristic keeps its "
            "per-channel default (on for conda-forge, off otherwise) unless you set "
            "`same-name-heuristic`.",
        )


def _mapping_value(src: ManifestSource, path: KeyPath, value: Any) -> None:
    """``TomlCondaPypiMapValue``: a PyPI name, a list of names, or ``false`` (not on PyPI)."""
    if _string_or_false(
        src,
        path,
        value,
        "`true` is not supported; use a string or a list of strings to map the "
        "package to PyPI name(s), or `false` to mark it as not a PyPI package",
    ):
        return
    if not isinstance(value, list):
        raise src.error(
            path, f"expected a string, a list of strings or `false`, found {toml_type_name(value)}"
        )
    src.strings(path, value)


def _string_or_false(src: ManifestSource, path: KeyPath, value: Any, true_message: str) -> bool:
    """Whether ``value`` is a plain string or ``false`` (nothing more to check); ``true`` is an
    error with ``true_message``."""
    if value is True:
        raise src.error(path, true_message)
    return isinstance(value, str) or value is False
