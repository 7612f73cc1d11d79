"""``[workspace] preview``: ``true``/``false`` or a list of flag names.

Follows ``crates/pixi_manifest/src/toml/preview.rs`` (``impl Deserialize for TomlPreview``,
``KnownOrUnknownPreviewFlag``, ``TomlPreview::into_preview``: unknown flags are a warning).
Whether a flag counts as enabled is ``Workspace.preview_enabled`` (:mod:`pixiconf.manifest.model`).
"""

from __future__ import annotations

from typing import Any

from pixiconf.manifest.source import KeyPath, ManifestSource, toml_type_name

PIXI_BUILD = "pixi-build"
KNOWN_PREVIEW_FLAGS = (PIXI_BUILD,)


def parse_preview(src: ManifestSource, path: KeyPath, value: Any) -> bool | list[str]:
    if isinstance(value, bool):
        return value
    if not isinstance(value, list):
        raise src.error(
            path,
            'expected bool or list of flags e.g `true` or `["pixi-build"]`, '
            f"found {toml_type_name(value)}",
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
