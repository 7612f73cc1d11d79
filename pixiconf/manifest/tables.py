"""Small tables and values: ``[activation]``, channels, ``[system-requirements]``, the
``TomlIndexSet`` arrays and the ``channel-priority``/``solve-strategy`` choices.

Sources: ``crates/pixi_manifest/src/activation.rs``, ``toml/channel.rs``
(``PrioritizedChannel``), ``toml/system_requirements.rs``, ``crates/pixi_toml``
(``TomlIndexSet``, ``TomlEnum``) and ``crates/pixi_manifest/src/workspace.rs``
(``ChannelPriority``, ``SolveStrategy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pixiconf.manifest.exclude_newer import read_exclude_newer
from pixiconf.manifest.source import KeyPath, ManifestSource, toml_type_name

#: ``ChannelPriority`` and ``SolveStrategy`` values, in pixi's ``TomlEnum`` order.
CHANNEL_PRIORITIES = ("strict", "flexible", "disabled")
SOLVE_STRATEGIES = ("highest", "lowest", "lowest-direct")


def index_set(source: ManifestSource, path: KeyPath, value: Any) -> list[Any]:
    """pixi_toml ``TomlIndexSet`` (workspace channels, feature platforms) says
    ``expected array, found ...``, without the article toml-span's ``Vec`` uses."""
    return source.expect(path, value, list, "array")


def index_set_strings(source: ManifestSource, path: KeyPath, value: Any) -> list[str]:
    return source.strings(path, index_set(source, path, value))


@dataclass(frozen=True, slots=True)
class Activation:
    scripts: list[str] | None = None
    env: dict[str, str] | None = None


def parse_activation(source: ManifestSource, path: KeyPath, value: Any) -> Activation:
    table = source.reader(path, value)
    scripts = table.optional("scripts", source.strings)
    env = table.optional("env", source.table)
    table.finalize()
    if env is not None:
        for key, item in env.items():
            source.string((*path, "env", key), item)
    return Activation(scripts=scripts, env=env)


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel as written: a name/URL/path, with an optional priority."""

    channel: str
    priority: int | None = None
    exclude_newer: str | None = None

    @property
    def sort_priority(self) -> int:
        return self.priority or 0


def parse_channel(source: ManifestSource, path: KeyPath, value: Any) -> Channel:
    if isinstance(value, str):
        return Channel(value)
    if not isinstance(value, dict):
        raise source.error(path, f"expected a string or table, found {toml_type_name(value)}")
    table = source.reader(path, value)
    channel = table.required("channel", source.from_str)  # TomlFromStr<NamedChannelOrUrl>
    priority = table.optional("priority")
    if priority is not None:
        # toml-span integer! macro: expected(stringify!(i32))
        source.expect((*path, "priority"), priority, int, "i32")
        if not -(2**31) <= priority < 2**31:
            raise source.error((*path, "priority"), "out of range of 'i32'")
    # ``TomlFromStr<ExcludeNewer>`` (``toml/channel.rs``)
    exclude_newer = table.optional("exclude-newer", lambda p, v: read_exclude_newer(source, p, v))
    table.finalize()
    return Channel(channel, priority, exclude_newer)


def parse_channels(source: ManifestSource, path: KeyPath, value: Any) -> list[Channel]:
    items = source.array(path, value)
    channels: list[Channel] = []
    for i, item in enumerate(items):
        channel = parse_channel(source, (*path, str(i)), item)
        if channel in channels:
            # an IndexSet<PrioritizedChannel>: only an entry equal in channel, priority and
            # exclude-newer is dropped; the same channel with another priority stays until
            # ``prioritized_channels`` de-duplicates after sorting.
            continue
        channels.append(channel)
    return channels


# Read order of toml/system_requirements.rs (the order of its "Unexpected keys" list).
SYSTEM_REQUIREMENT_KEYS = ("macos", "linux", "cuda", "libc", "archspec")


def parse_system_requirements(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    from rattler import Version

    table = source.reader(path, value)
    result: dict[str, Any] = {}
    for key in SYSTEM_REQUIREMENT_KEYS:
        item = table.optional(key)
        if item is None:
            continue
        key_path = (*path, key)
        if key == "libc" and isinstance(item, dict):
            libc = source.reader(key_path, item)
            family = libc.optional("family", source.string)
            version = libc.required("version")
            libc.finalize()
            version = _version_text(source, (*key_path, "version"), version)
            result[key] = {"family": family or "glibc", "version": version}
        elif key == "libc" and not isinstance(item, str):
            raise source.error(
                key_path, f"expected a string or table, found {toml_type_name(item)}"
            )
        elif key == "archspec":
            result[key] = source.string(key_path, item)
        else:
            result[key] = _version_text(source, key_path, item)
    table.finalize()
    for key in ("linux", "cuda", "macos", "libc"):
        text = result.get(key)
        text = text["version"] if isinstance(text, dict) else text
        if text is not None:
            try:
                Version(text)
            except Exception as exc:
                raise source.error((*path, key), str(exc)) from None
    return result


def _version_text(source: ManifestSource, path: KeyPath, value: Any) -> str:
    # ``TomlFromStr<Version>`` calls ``take_string(Some("expected a string"))`` and toml-span
    # prints ``expected {expected}, found {found}``: the word "expected" appears twice.
    if not isinstance(value, str):
        raise source.error(path, f"expected expected a string, found {toml_type_name(value)}")
    return value
