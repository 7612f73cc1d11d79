"""``[package.build.config]`` of pixi-build-python: ``PythonBackendConfig``.

pixi ``crates/pixi_build_python/src/config.rs`` and ``crates/pixi_build_backend/src/
intermediate_backend.rs`` (``IntermediateBackend::new``, ``conda_outputs``):

* pixi hands the table to the backend through ``serde_value`` (a ``BTreeMap``), so keys arrive
  **sorted** at every level; the struct is ``#[serde(rename_all = "kebab-case",
  deny_unknown_fields)]`` and fields are read in that sorted order, so the first problem in
  sorted key order is the one reported, in serde's words (``unknown field `x`, expected one of
  ...``, ``invalid type: string "x", expected a boolean``, ...);
* the base config and **every** target config are parsed when the backend starts, whichever
  platform is built; errors read ``failed to parse configuration`` /
  ``failed to parse target configuration for <selector>``;
* only the **first** ``[package.build.target.<selector>]`` whose selector matches the host
  platform is merged (:meth:`PythonBackendConfig.merge_with_target`, ``merge_with_target_config``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pixiconf.diagnostics import Diagnostic, DiagnosticError, warning
from pixiconf.manifest.selectors import TargetSelector
from pixiconf.rust_format import rust_debug_str

#: ``FIELDS`` of the derived ``Deserialize``: fields in declaration order, each with its
#: aliases (a ``BTreeSet``, so ``debug-dir`` sorts before ``debug_dir``).
CONFIG_FIELDS = (
    "noarch",
    "extra-args",
    "env",
    "debug-dir",
    "debug_dir",
    "extra-input-globs",
    "compilers",
    "ignore-pyproject-manifest",
    "ignore-pypi-mapping",
    "pypi-conda-map",
    "abi3",
    "skip-pyc-compilation",
    "installer",
)
INSTALLERS = ("uv", "pip")
DEBUG_DIR_WARNING = (
    "`debug-dir` backend configuration is deprecated and ignored; debug data is "
    "now written to the build work directory."
)
PYPI_CONDA_MAP_TRUE = (
    "`true` is not supported; use a conda package name to map the package, or "
    "`false` to drop the dependency"
)
PYPI_CONDA_MAP_UNUSED = (
    "`pypi-conda-map` is set but the PyPI-to-conda mapping is disabled; set "
    "`ignore-pypi-mapping = false` to use it"
)


class ConfigError(ValueError):
    """A serde error; ``str()`` is serde's message."""


@dataclass(slots=True)
class PythonBackendConfig:
    noarch: bool | None = None
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    debug_dir: str | None = None
    extra_input_globs: list[str] = field(default_factory=list)
    compilers: list[str] | None = None
    ignore_pyproject_manifest: bool | None = None
    ignore_pypi_mapping_option: bool | None = None
    #: PyPI name → conda name, or ``False`` to drop the dependency (``None`` and ``false``).
    pypi_conda_map: dict[str, str | bool] | None = None
    abi3: bool | None = None
    #: ``true``/``false`` or a list of globs (``SkipPycCompilation``), default ``false``.
    skip_pyc_compilation: bool | list[str] = False
    installer: str | None = None

    def ignore_pypi_mapping(self) -> bool:
        """Mapping is off unless ``ignore-pypi-mapping = false`` (default ``true``)."""
        return True if self.ignore_pypi_mapping_option is None else self.ignore_pypi_mapping_option

    def skip_pyc_globs(self) -> list[str]:
        """``SkipPycCompilation::globs``: ``true`` skips ``**/*.py``."""
        if self.skip_pyc_compilation is True:
            return ["**/*.py"]
        if self.skip_pyc_compilation is False:
            return []
        return list(self.skip_pyc_compilation)

    def installer_name(self) -> str:
        return self.installer or "uv"

    def merge_with_target(self, target: PythonBackendConfig) -> PythonBackendConfig:
        """``merge_with_target_config``: the per-key rules of the backend."""
        env = dict(self.env)
        env.update(target.env)  # IndexMap::extend: existing keys keep their position
        if self.pypi_conda_map is None and target.pypi_conda_map is None:
            pypi_map = None
        else:
            pypi_map = dict(self.pypi_conda_map or {})
            pypi_map.update(target.pypi_conda_map or {})
        return replace(
            self,
            noarch=_or(target.noarch, self.noarch),
            env=env,
            debug_dir=self.debug_dir,
            extra_args=list(target.extra_args) if target.extra_args else list(self.extra_args),
            extra_input_globs=(
                list(target.extra_input_globs)
                if target.extra_input_globs
                else list(self.extra_input_globs)
            ),
            compilers=list(target.compilers)
            if target.compilers is not None
            else (list(self.compilers) if self.compilers is not None else None),
            ignore_pyproject_manifest=_or(
                target.ignore_pyproject_manifest, self.ignore_pyproject_manifest
            ),
            ignore_pypi_mapping_option=_or(
                target.ignore_pypi_mapping_option, self.ignore_pypi_mapping_option
            ),
            pypi_conda_map=pypi_map,
            abi3=_or(target.abi3, self.abi3),
            # a target replaces the base only when its globs are non-empty
            skip_pyc_compilation=(
                self.skip_pyc_compilation
                if not target.skip_pyc_globs()
                else target.skip_pyc_compilation
            ),
            installer=_or(target.installer, self.installer),
        )


def _or(first: Any, second: Any) -> Any:
    return first if first is not None else second


# --------------------------------------------------------------------------- parsing


def parse_config(value: Any) -> PythonBackendConfig:
    """Deserialize one config table like ``serde_json::from_value::<PythonBackendConfig>``
    (``pixi_build_python/src/config.rs``: the derived ``Deserialize`` visits the keys in the
    order they arrive, sorted; an unknown or repeated field is the first error).

    Raises :class:`ConfigError` with serde's message.
    """
    if not isinstance(value, dict):
        raise ConfigError(
            f"invalid type: {_unexpected(value)}, expected struct PythonBackendConfig"
        )
    config = PythonBackendConfig()
    seen: set[str] = set()
    for key in sorted(value):
        if key not in CONFIG_FIELDS:
            raise ConfigError(f"unknown field `{key}`, expected {_one_of(CONFIG_FIELDS)}")
        name = "debug-dir" if key == "debug_dir" else key
        if name in seen:
            raise ConfigError(f"duplicate field `{name}`")
        seen.add(name)
        attribute, read = _FIELD_READERS[name]
        setattr(config, attribute, read(value[key]))
    return config


def resolve_config(
    base: Any, targets: Sequence[tuple[TargetSelector, Any]], platform: str
) -> tuple[PythonBackendConfig, list[Diagnostic]]:
    """The config the backend uses for ``platform``: base merged with the first matching target.

    Every table is parsed first (``IntermediateBackend::new``); a failure raises a
    :class:`~pixiconf.diagnostics.DiagnosticError` with pixi's context line.
    """
    warnings: list[Diagnostic] = []
    try:
        config = parse_config(base if base is not None else {})
    except ConfigError as exc:
        raise DiagnosticError(Diagnostic(f"failed to parse configuration: {exc}")) from None
    if config.debug_dir is not None:
        warnings.append(warning(DEBUG_DIR_WARNING))
    parsed: list[tuple[TargetSelector, PythonBackendConfig]] = []
    for selector, raw in targets:
        try:
            parsed.append((selector, parse_config(raw)))
        except ConfigError as exc:
            raise DiagnosticError(
                Diagnostic(
                    f"failed to parse target configuration for {selector_display(selector)}: {exc}"
                )
            ) from None
    for selector, target in parsed:
        if selector.matches(platform):
            config = config.merge_with_target(target)
            break
    return config, warnings


def selector_display(selector: TargetSelector) -> str:
    """``pixi_build_types::TargetSelector`` display: the macOS family is ``macos``."""
    return "macos" if selector.kind == "family" and selector.value == "osx" else selector.value


# --------------------------------------------------------------------------- serde pieces


def _one_of(names: Sequence[str]) -> str:
    """serde's ``OneOf``."""
    if len(names) == 1:
        return f"`{names[0]}`"
    if len(names) == 2:
        return f"`{names[0]}` or `{names[1]}`"
    return "one of " + ", ".join(f"`{n}`" for n in names)


def _float(value: float) -> str:
    text = repr(value)
    if text in ("inf", "-inf", "nan"):
        return {"inf": "inf", "-inf": "-inf", "nan": "NaN"}[text]
    return text if any(c in text for c in ".e") else text + ".0"


def _unexpected(value: Any) -> str:
    """serde's ``Unexpected`` for a JSON value."""
    if isinstance(value, bool):
        return f"boolean `{str(value).lower()}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{_float(value)}`"
    if isinstance(value, str):
        return f"string {rust_debug_str(value)}"
    if isinstance(value, list):
        return "sequence"
    if isinstance(value, dict):
        return "map"
    return f"string {rust_debug_str(str(value))}"  # TOML datetimes reach serde as strings


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"invalid type: {_unexpected(value)}, expected a boolean")
    return value


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"invalid type: {_unexpected(value)}, expected a string")
    return value


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError(f"invalid type: {_unexpected(value)}, expected a sequence")
    return [_string(item) for item in value]


def _string_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"invalid type: {_unexpected(value)}, expected a map")
    return {key: _string(value[key]) for key in sorted(value)}


def _pypi_conda_map(value: Any) -> dict[str, str | bool]:
    if not isinstance(value, dict):
        raise ConfigError(f"invalid type: {_unexpected(value)}, expected a map")
    result: dict[str, str | bool] = {}
    for key in sorted(value):
        item = value[key]
        if isinstance(item, str):
            result[key] = item
        elif item is False or item is None:
            result[key] = False
        elif item is True:
            raise ConfigError(PYPI_CONDA_MAP_TRUE)
        else:
            raise ConfigError(
                f"invalid type: {_unexpected(item)}, expected a conda package name or `false`"
            )
    return result


def _skip_pyc(value: Any) -> bool | list[str]:
    if isinstance(value, bool):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ConfigError("data did not match any variant of untagged enum SkipPycCompilation")


def _installer(value: Any) -> str:
    if isinstance(value, str):
        if value not in INSTALLERS:
            raise ConfigError(f"unknown variant `{value}`, expected {_one_of(INSTALLERS)}")
        return value
    if isinstance(value, dict):
        if len(value) != 1:
            raise ConfigError("invalid value: map, expected map with a single key")
        ((variant, _),) = value.items()
        if variant not in INSTALLERS:
            raise ConfigError(f"unknown variant `{variant}`, expected {_one_of(INSTALLERS)}")
        raise ConfigError("invalid type: map, expected unit variant")
    raise ConfigError(f"invalid type: {_unexpected(value)}, expected string or map")


def _path_string(value: Any) -> str:
    """A ``PathBuf`` field."""
    if not isinstance(value, str):
        raise ConfigError(f"invalid type: {_unexpected(value)}, expected path string")
    return value


#: serde field -> (``PythonBackendConfig`` attribute, reader of its value).
_FIELD_READERS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "noarch": ("noarch", _bool),
    "extra-args": ("extra_args", _strings),
    "env": ("env", _string_map),
    "debug-dir": ("debug_dir", _path_string),
    "extra-input-globs": ("extra_input_globs", _strings),
    "compilers": ("compilers", _strings),
    "ignore-pyproject-manifest": ("ignore_pyproject_manifest", _bool),
    "ignore-pypi-mapping": ("ignore_pypi_mapping_option", _bool),
    "pypi-conda-map": ("pypi_conda_map", _pypi_conda_map),
    "abi3": ("abi3", _bool),
    "skip-pyc-compilation": ("skip_pyc_compilation", _skip_pyc),
    "installer": ("installer", _installer),
}
