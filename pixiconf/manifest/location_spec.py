"""Source locations: ``[dev]`` entries and ``[package.build] source``, and the checks of
``subdirectory`` and of ``url``/``git`` values that conda specs share with them.

Follows ``crates/pixi_spec/src/toml.rs`` (``impl Deserialize for TomlLocationSpec``,
``TomlLocationSpec::validate_field_combinations``, ``into_source_location_spec`` and the
``SourceSpecError`` texts) and ``crates/pixi_spec/src/subdirectory.rs`` (``Subdirectory::new``).
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import urlsplit

from pixiconf.manifest.source import KeyPath, ManifestSource

#: The source location keys, in ``TomlSpec`` and ``TomlLocationSpec`` read order.
SOURCE_KEYS = ("url", "git", "path", "branch", "rev", "tag", "lfs", "subdirectory")
#: ``impl Deserialize for TomlLocationSpec`` read order.
LOCATION_KEYS = (*SOURCE_KEYS, "md5", "sha256")


def check_digest(source: ManifestSource, path: KeyPath, text: str, size: int) -> None:
    """``pixi_toml::TomlDigest``: ``hex::decode_to_slice`` into a digest of ``size`` bytes."""
    if len(text) % 2:
        raise source.error(path, "Odd number of digits")
    if len(text) // 2 != size:
        raise source.error(path, "Invalid string length")
    for index, char in enumerate(text):
        if char not in "0123456789abcdefABCDEF":
            raise source.error(path, f"Invalid character {char!r} at position {index}")


def check_url(source: ManifestSource, path: KeyPath, value: Any) -> str:
    """``TomlFromStr<Url>``: the url crate rejects a value without a scheme."""
    text = source.from_str(path, value)
    scheme = urlsplit(text).scheme
    if not scheme or not scheme[0].isalpha() or ":" not in text:
        raise source.error(path, "relative URL without a base")
    return text


def subdirectory_error(text: str) -> str | None:
    """``Subdirectory::new``: not absolute, and ``..`` may not climb above the root."""
    if posixpath.isabs(text):  # ``Path::is_absolute`` on Unix, or a leading ``/``
        return f"subdirectory path cannot be absolute: {text}"
    depth = 0
    for part in text.split("/"):
        if part == "..":
            if depth == 0:
                return f"subdirectory path escapes its root: {text}"
            depth -= 1
        elif part not in ("", "."):
            depth += 1
    return None


def check_location_value(source: ManifestSource, path: KeyPath, key: str, value: Any) -> None:
    """The type of one location (or other string) key: ``url``/``git`` are URLs, ``lfs`` a
    boolean, ``md5``/``sha256`` digests, anything else a string."""
    if key in ("url", "git"):
        check_url(source, path, value)
    elif key == "lfs":
        source.boolean(path, value)
    elif key in ("md5", "sha256"):
        check_digest(source, path, source.string(path, value), 16 if key == "md5" else 32)
    else:
        source.string(path, value)


def read_location_table(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    """``impl Deserialize for TomlLocationSpec``: the ten location keys, typed; nothing else."""
    t = source.reader(path, value)
    for key in LOCATION_KEYS:
        item = t.optional(key)
        if item is not None:
            check_location_value(source, (*path, key), key, item)
    t.finalize()
    return dict(value)


def location_error(table: dict[str, Any]) -> str | None:
    """The ``SourceSpecError`` of ``TomlLocationSpec::into_source_location_spec``, or ``None``."""
    if "git" not in table and any(k in table for k in ("branch", "rev", "tag", "lfs")):
        return "`branch`, `rev`, `tag`, and `lfs` are only valid when `git` is specified"
    kinds = [k for k in ("git", "path", "url") if k in table]
    if not kinds:
        return "must specify one of `path`, `url`, or `git`"
    non_url = ", ".join(f"`{k}`" for k in ("git", "path") if k in table)
    if non_url:
        for field in ("sha256", "md5"):
            if field in table:
                return f"`{field}` cannot be used with {non_url}"
    if len(kinds) > 1:
        return "only one of `url`, `path`, or `git` can be specified"
    if "git" in table and sum(k in table for k in ("branch", "rev", "tag")) > 1:
        return "only one of `branch`, `rev`, or `tag` can be specified"
    if kinds[0] in ("git", "url") and "subdirectory" in table:
        return subdirectory_error(table["subdirectory"])
    return None


def dev_dependency(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    """One ``[dev]`` entry.  ``TomlTarget::into_workspace_target`` wraps the conversion error
    as ``failed to parse dev dependency: <error>``, a ``GenericError`` without a span."""
    table = read_location_table(source, path, value)
    error = location_error(table)
    if error is not None:
        raise source.error(path, f"failed to parse dev dependency: {error}")
    return table
