"""``pin-subpackage`` / ``pin-compatible`` dependency values.

Every dependency table that goes through ``PackageDependencySpec`` parses pins
(``crates/pixi_manifest/src/package_dependency_spec.rs``, ``impl Deserialize for
PackageDependencySpec``; the pin table itself is ``crates/pixi_spec/src/pin.rs``, ``impl
Deserialize for Pin``).  Which tables accept them is decided afterwards: the workspace tables
reject every pin (``ResolvedPackageMap::try_into_unique`` / ``into_pixi_specs`` in
``utils/inheritable_package_map.rs``, :func:`pin_not_allowed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pixiconf.diagnostics import DiagnosticError
from pixiconf.manifest.source import KeyPath, ManifestSource, toml_type_name

PIN_KINDS = ("pin-subpackage", "pin-compatible")
#: The help of ``TomlTarget::into_workspace_target`` for pins in workspace tables.
WORKSPACE_PIN_HELP = "Pins are only supported in package dependency tables"


@dataclass(frozen=True, slots=True)
class Pin:
    """A ``{ pin-compatible = ... }`` or ``{ pin-subpackage = ... }`` entry of a package table."""

    kind: str
    value: Any


def parse_pin(src: ManifestSource, path: KeyPath, value: dict[str, Any]) -> tuple[str, Any] | None:
    """The ``(kind, value)`` of a pin entry, or ``None`` when ``value`` names no pin."""
    kinds = [k for k in PIN_KINDS if k in value]
    if not kinds:
        return None
    if len(kinds) > 1:
        raise src.error(path, "`pin-subpackage` and `pin-compatible` cannot be combined")
    kind = kinds[0]
    if len(value) > 1:
        other = next(k for k in value if k not in PIN_KINDS)
        raise src.error(path, f"`{kind}` cannot be combined with other fields (found `{other}`)")
    pin = value[kind]
    if pin is False:
        raise src.error(
            (*path, kind),
            f"`{kind} = false` has no meaning; remove the key or use a table to configure the pin",
        )
    if isinstance(pin, dict):
        _pin_table(src, (*path, kind), pin)
    elif pin is not True:
        raise src.error(
            (*path, kind), f"expected a boolean or a table, found {toml_type_name(pin)}"
        )
    return kind, pin


def _pin_table(src: ManifestSource, path: KeyPath, value: dict[str, Any]) -> None:
    """``impl Deserialize for Pin``: bounds, ``exact`` and ``build``; ``exact`` stands alone."""
    t = src.reader(path, value)
    bounds = [t.optional(key, src.string) for key in ("lower-bound", "upper-bound")]
    exact = t.optional("exact", src.boolean)
    build = t.optional("build", src.string)
    t.finalize()
    if exact and (any(b is not None for b in bounds) or build is not None):
        raise src.error(
            path, "`exact = true` cannot be combined with `lower-bound`, `upper-bound`, or `build`"
        )


def pin_not_allowed(
    src: ManifestSource, path: KeyPath, kind: str, section: str, help: str = WORKSPACE_PIN_HELP
) -> DiagnosticError:
    """``pin_not_allowed_error``."""
    return src.error(
        path, f"`{kind}` is not allowed in `{section}`", label=f"{kind} used here", help=help
    )
