"""Hypothesis strategies for generated pixi workspaces, plus an independent oracle.

The strategies build a small description of a workspace (:class:`GenManifest`) and render it
to ``pixi.toml`` text with **tomlkit**.  The oracle functions below compute what pixi 0.77
does with that description *from the generated data*, without going through
``pixiconf.manifest`` (so a parsing mistake in the reference shows up as a mismatch):

* selector matching (``TargetSelector::matches`` in ``crates/pixi_manifest/src/target.rs``):
  ``linux``/``win``/``osx``/``macos``/``unix`` by family, a conda subdir by equality, a glob
  against the platform name with ``*`` as the only wildcard;
* two keys that parse to the same selector (``osx``/``macos``, ``linux-*``/``linux-**``) are
  one ``IndexMap`` entry: the first key keeps its position, the last value wins
  (``Targets::from_default_and_user_defined``);
* inside one feature, the default target comes first and the matching selector targets follow
  in document order; later ones override per package/key (``Feature::dependencies``,
  ``Targets::resolve_for_platform``);
* inside one target, build-dependencies override host-dependencies override dependencies
  (``WorkspaceTarget::combined_dependencies``).

Only bare conda subdirs are used as workspace platforms (the reference does not model rich
platforms).  All names are drawn from small pools so that collisions (the interesting cases)
happen often.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import tomlkit
from hypothesis import strategies as st

# -- pools ---------------------------------------------------------------------------------

#: Candidate workspace platforms (bare conda subdirs).
PLATFORMS = ("linux-64", "linux-aarch64", "osx-64", "osx-arm64", "win-64")
#: Valid subdirs that are never workspace platforms here; a feature naming one makes the
#: reference append it to the workspace (``extend_originals_with_referenced_subdirs``).
EXTRA_SUBDIRS = ("linux-ppc64le", "win-arm64")
FAMILY_SELECTORS = ("linux", "unix", "win", "osx", "macos")
GLOB_SELECTORS = ("linux-*", "osx-*", "*-64", "*arm64", "win-*", "*", "l*x-**", "osx-**")
#: Custom platform names: valid selectors that match none of our subdir platforms.
NAME_SELECTORS = ("gpu-box", "cuda-node")
SELECTORS = FAMILY_SELECTORS + PLATFORMS + EXTRA_SUBDIRS + GLOB_SELECTORS + NAME_SELECTORS
#: Mostly selectors that match several platforms, so that matching targets overlap often.
BROAD_SELECTORS = (
    FAMILY_SELECTORS + GLOB_SELECTORS + ("linux-64", "osx-arm64", "gpu-box", "win-arm64")
)

FEATURE_NAMES = ("cuda", "cpu", "test", "lint", "docs", "py311")
PACKAGES = ("numpy", "pandas", "scipy", "rich", "zlib", "python")
VERSION_SPECS = (">=1", "<2", "1.2.*", "*", ">=3.10,<3.13", "==1.0", ">=2.1")
TABLE_SPECS = ({"version": ">=1", "channel": "conda-forge"}, {"version": "<3", "build": "py*"})
TASK_NAMES = ("build", "test", "lint", "serve")
ENV_KEYS = ("APP_MODE", "LOG_LEVEL", "DATA_DIR", "CUDA_HOME")
CHANNELS = ("conda-forge", "bioconda", "pytorch", "nvidia", "robostack", "my-channel")

INDEX_URLS = (
    "https://pypi.org/simple",
    "https://mirror.example.com",  # the url crate prints this with a trailing "/" ...
    "https://mirror.example.com/",  # ... so these three are the same index
    "https://Mirror.Example.COM/",  # (hosts are case-insensitive and printed lower-case)
    "https://pypi.example.org/simple/",
)
EXTRA_INDEX_URLS = (
    "https://extra-a.example.org/simple",
    "https://extra-b.example.org/simple",
    "https://download.pytorch.org/whl/cpu",
)
FIND_LINKS = (
    {"url": "https://wheels.example.org/links"},
    {"path": "./wheels"},
    {"path": "../shared-wheels"},
)
PYPI_NAMES = ("numpy", "scipy", "pandas", "torch")
INDEX_STRATEGIES = ("first-index", "unsafe-first-match", "unsafe-best-match")
PRERELEASE_MODES = ("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit")
#: Single-valued pypi-options keys, each with pixi's conflict message prefix
#: (``PypiOptionsMergeError`` in ``crates/pixi_manifest/src/pypi/pypi_options.rs``).
PYPI_SINGLE_VALUED = {
    "index-url": "multiple primary pypi indexes are not supported",
    "index-strategy": "multiple index strategies are not supported",
    "prerelease-mode": "multiple prerelease modes are not supported",
    "skip-wheel-filename-check": "multiple skip-wheel-filename-check values are not supported",
}
PYPI_LISTS = ("extra-index-urls", "find-links")
PYPI_SETS = ("no-build", "no-binary", "no-build-isolation")


# -- the generated description ---------------------------------------------------------------


@dataclass(frozen=True)
class GenChannel:
    name: str
    priority: int | None = None
    as_table: bool = False  # write ``{channel = ...}`` even without a priority

    @property
    def sort_priority(self) -> int:
        return self.priority or 0

    def to_toml(self) -> Any:
        if self.priority is None and not self.as_table:
            return self.name
        table = tomlkit.inline_table()
        table["channel"] = self.name
        if self.priority is not None:
            table["priority"] = self.priority
        return table


@dataclass(frozen=True)
class GenTarget:
    dependencies: dict[str, Any] = field(default_factory=dict)
    host_dependencies: dict[str, Any] = field(default_factory=dict)
    build_dependencies: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, str] = field(default_factory=dict)
    scripts: tuple[str, ...] | None = None
    env: dict[str, str] | None = None

    def combined(self) -> dict[str, Any]:
        """build over host over run (``WorkspaceTarget::combined_dependencies``)."""
        return {**self.dependencies, **self.host_dependencies, **self.build_dependencies}


@dataclass(frozen=True)
class GenFeature:
    name: str
    platforms: tuple[str, ...] | None = None
    channels: tuple[GenChannel, ...] | None = None
    default: GenTarget = field(default_factory=GenTarget)
    #: ``(selector key as written, target)`` in document order.
    targets: tuple[tuple[str, GenTarget], ...] = ()
    pypi_options: dict[str, Any] | None = None


@dataclass(frozen=True)
class GenEnv:
    name: str
    features: tuple[str, ...]
    no_default: bool = False
    solve_group: str | None = None
    table_form: bool = False


@dataclass(frozen=True)
class GenManifest:
    platforms: tuple[str, ...]
    channels: tuple[GenChannel, ...]
    default: GenFeature
    features: tuple[GenFeature, ...] = ()
    environments: tuple[GenEnv, ...] = ()
    workspace_pypi_options: dict[str, Any] | None = None
    inline_tables: bool = False  # write dependency/task tables inline

    def feature(self, name: str) -> GenFeature:
        if name == "default":
            return self.default
        return next(f for f in self.features if f.name == name)

    def environment(self, name: str) -> GenEnv:
        if name == "default" and all(e.name != "default" for e in self.environments):
            return GenEnv("default", ())
        return next(e for e in self.environments if e.name == name)

    def with_environments(self, *envs: GenEnv) -> GenManifest:
        return replace(self, environments=tuple(envs))

    def to_toml(self) -> str:
        return render(self)


# -- oracle ----------------------------------------------------------------------------------


def selector_identity(key: str) -> tuple[str, str]:
    """Keys with equal identity are the same ``TargetSelector`` (hash/eq on the value)."""
    if key in FAMILY_SELECTORS:
        return ("family", "osx" if key == "macos" else key)
    if "*" in key:
        return ("glob", re.sub(r"\*+", "*", key))
    return ("platform", key)


def selector_matches(key: str, platform: str) -> bool:
    family = platform.split("-", 1)[0]
    if key in FAMILY_SELECTORS:
        wanted = {
            "linux": {"linux"},
            "unix": {"linux", "osx"},
            "win": {"win"},
            "osx": {"osx"},
            "macos": {"osx"},
        }[key]
        return family in wanted
    if "*" in key:
        pattern = ".*".join(re.escape(part) for part in key.split("*"))
        return re.fullmatch(pattern, platform) is not None
    return key == platform


def effective_targets(feature: GenFeature) -> list[tuple[str, GenTarget]]:
    """Selector targets after keys with the same identity collapse (first position, last value)."""
    order: list[tuple[str, str]] = []
    by_identity: dict[tuple[str, str], tuple[str, GenTarget]] = {}
    for key, target in feature.targets:
        identity = selector_identity(key)
        if identity in by_identity:
            first_key, _ = by_identity[identity]
            by_identity[identity] = (first_key, target)
        else:
            order.append(identity)
            by_identity[identity] = (key, target)
    return [by_identity[i] for i in order]


def targets_for(feature: GenFeature, platform: str) -> list[GenTarget]:
    """Least precedent first: the default target, then matching targets in document order."""
    return [feature.default] + [
        t for key, t in effective_targets(feature) if selector_matches(key, platform)
    ]


def feature_dependencies(feature: GenFeature, platform: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for target in targets_for(feature, platform):
        result.update(target.combined())
    return result


def feature_tasks(feature: GenFeature, platform: str) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for target in targets_for(feature, platform):
        result.update({name: {"cmd": cmd} for name, cmd in target.tasks.items()})
    return result


def feature_activation_env(feature: GenFeature, platform: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for target in targets_for(feature, platform):
        result.update(target.env or {})
    return result


def feature_scripts(feature: GenFeature, platform: str) -> list[str]:
    """The most precedent target that has ``scripts`` wins as a whole (no union)."""
    scripts: list[str] = []
    for target in targets_for(feature, platform):
        if target.scripts is not None:
            scripts = list(target.scripts)
    return scripts


def env_features(manifest: GenManifest, env: GenEnv) -> list[GenFeature]:
    names = list(env.features) + ([] if env.no_default else ["default"])
    return [manifest.feature(n) for n in names]


def workspace_platforms(manifest: GenManifest) -> list[str]:
    """Declared platforms plus subdirs that only features name (appended)."""
    result = list(manifest.platforms)
    for feature in (manifest.default, *manifest.features):
        for name in feature.platforms or ():
            if name not in result:
                result.append(name)
    return result


def env_platforms(manifest: GenManifest, env: GenEnv) -> list[str]:
    features = env_features(manifest, env)
    return [
        p
        for p in workspace_platforms(manifest)
        if all(f.platforms is None or p in f.platforms for f in features)
    ]


def normalize_url(url: str) -> str:
    """How the ``url`` crate prints an http(s) URL: lower-case scheme and host, path >= "/"."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}/{path}"


# -- strategies ------------------------------------------------------------------------------

#: Mostly version strings, sometimes a table spec (kept as a mapping by the observation).
specs = st.sampled_from(VERSION_SPECS + VERSION_SPECS + TABLE_SPECS)


@cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    """Strategies are built once: constructing and validating them per draw is slow."""
    return st.integers(low, high)


@cache
def _subsets(
    pool: tuple[Any, ...], min_size: int = 0, max_size: int | None = None, unique: bool = True
) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(pool), unique=unique, min_size=min_size, max_size=max_size)


_BOOLS = st.booleans()
_PRIORITIES = st.none() | st.integers(-3, 3)


@st.composite
def channel_lists(
    draw, *, min_size: int = 0, equal_priorities: bool = False
) -> tuple[GenChannel, ...]:
    """A channel list; a name may repeat (pixi keeps entries that differ in priority)."""
    names = draw(_subsets(CHANNELS, min_size, 4, unique=False))
    result = []
    for name in names:
        if equal_priorities:
            priority = None
            as_table = draw(_BOOLS)
        else:
            priority = draw(_PRIORITIES)
            as_table = priority is None and draw(_BOOLS)
        result.append(GenChannel(name, priority, as_table))
    return tuple(result)


class _SpecSource:
    """Draws dependency specs; with ``distinct`` every draw is a new, unique spec."""

    def __init__(self, draw, distinct: bool):
        self.draw = draw
        self.distinct = distinct
        self.counter = 0

    def __call__(self) -> Any:
        if self.distinct:
            self.counter += 1
            return f">={self.counter}.0"
        return self.draw(specs)


ALL_CONTENT = frozenset({"dependencies", "tasks", "activation"})


def _dep_map(draw, spec: _SpecSource, *, max_size: int = 3) -> dict[str, Any]:
    # Four of the packages, so that tables often name the same package.
    names = draw(_subsets(PACKAGES[:4], 0, max_size))
    return {name: spec() for name in names}


def _aliases(key: str) -> tuple[str, ...]:
    """Other keys that parse to the same selector as ``key``."""
    if key in ("osx", "macos"):
        return ("macos" if key == "osx" else "osx",)
    if "*" in key:
        return (key.replace("*", "**", 1),)
    return ()


def _draw_target(draw, spec: _SpecSource, content: frozenset[str], label: str) -> GenTarget:
    deps: dict[str, Any] = {}
    host: dict[str, Any] = {}
    build: dict[str, Any] = {}
    if "dependencies" in content:
        deps = _dep_map(draw, spec)
        extra = draw(_ints(0, 3))  # 0: none, 1: host, 2: build, 3: both
        host = _dep_map(draw, spec, max_size=2) if extra in (1, 3) else {}
        build = _dep_map(draw, spec, max_size=1) if extra in (2, 3) else {}
    task_map: dict[str, str] = {}
    if "tasks" in content and draw(_ints(0, 3)) > 0:
        for name in draw(_subsets(TASK_NAMES[:3], 1, 2)):
            task_map[name] = f"echo {label}-{name}-{draw(_ints(0, 9))}"
    scripts = env = None
    if "activation" in content:
        kind = draw(_ints(0, 3))  # 0: none, 1: scripts, 2: env, 3: both
        if kind in (1, 3):
            scripts = tuple(f"{label}-{i}.sh" for i in range(draw(_ints(0, 2))))
        if kind in (2, 3):
            # ``env = {}`` is written sometimes: an empty table is still an `env`.
            keys = draw(_subsets(ENV_KEYS[:3], 0 if draw(_ints(0, 9)) == 0 else 1, 3))
            env = {k: f"{label}:{k.lower()}:{draw(_ints(0, 9))}" for k in keys}
    return GenTarget(deps, host, build, task_map, scripts, env)


@cache
def _optional_channels(equal_priorities: bool):
    return st.none() | channel_lists(equal_priorities=equal_priorities)


def _draw_feature(
    draw,
    name: str,
    spec: _SpecSource,
    *,
    platform_pool: tuple[str, ...],
    restrict_platforms: bool,
    channels: bool,
    targets: int,
    content: frozenset[str],
    equal_priorities: bool,
    selectors: tuple[str, ...],
) -> GenFeature:
    platforms = None
    if restrict_platforms and draw(_ints(0, 9)) < 4:
        pool = platform_pool + (EXTRA_SUBDIRS if draw(_ints(0, 9)) == 0 else ())
        platforms = tuple(draw(_subsets(pool, 0 if draw(_ints(0, 19)) == 0 else 1, len(pool))))
    feature_channels = draw(_optional_channels(equal_priorities)) if channels else None
    default = _draw_target(draw, spec, content, name)
    target_list: list[tuple[str, GenTarget]] = []
    if targets:
        keys = draw(_subsets(selectors, 0, targets))
        if keys and draw(_ints(0, 3)) == 0:  # the same selector written twice
            aliases = [a for k in keys for a in _aliases(k) if a not in keys]
            if aliases:
                keys.insert(draw(_ints(0, len(keys))), draw(st.sampled_from(aliases)))
        target_list = [(key, _draw_target(draw, spec, content, f"{name}@{key}")) for key in keys]
    return GenFeature(name, platforms, feature_channels, default, tuple(target_list))


@st.composite
def manifests(
    draw,
    *,
    min_features: int = 0,
    max_features: int = 3,
    restrict_platforms: bool = True,
    channels: bool = True,
    targets: int = 4,
    content: frozenset[str] = ALL_CONTENT,
    distinct_specs: bool = False,
    equal_priorities: bool = False,
    selectors: tuple[str, ...] = SELECTORS,
) -> GenManifest:
    """A workspace without ``[environments]`` (tests add the environments they need).

    ``targets`` is the most selector tables per feature (0: none), drawn from ``selectors``.
    ``content`` selects what targets hold: ``dependencies`` (with host/build), ``tasks``,
    ``activation``.  ``distinct_specs`` makes every generated spec unique, so a resolved spec
    tells where it was written.
    """
    spec = _SpecSource(draw, distinct_specs)
    platforms = tuple(draw(_subsets(PLATFORMS, 1, len(PLATFORMS))))
    ws_channels = (
        draw(channel_lists(min_size=1, equal_priorities=equal_priorities))
        if channels
        else (GenChannel("conda-forge"),)
    )
    default = _draw_feature(
        draw,
        "default",
        spec,
        platform_pool=platforms,
        restrict_platforms=False,
        channels=False,
        targets=targets,
        content=content,
        equal_priorities=equal_priorities,
        selectors=selectors,
    )
    names = draw(_subsets(FEATURE_NAMES, min_features, max_features))
    features = tuple(
        _draw_feature(
            draw,
            n,
            spec,
            platform_pool=platforms,
            restrict_platforms=restrict_platforms,
            channels=channels,
            targets=targets,
            content=content,
            equal_priorities=equal_priorities,
            selectors=selectors,
        )
        for n in names
    )
    return GenManifest(platforms, ws_channels, default, features, inline_tables=draw(_BOOLS))


PYPI_KEYS = (
    "index-url",
    "extra-index-urls",
    "find-links",
    "no-build",
    "no-binary",
    "no-build-isolation",
    "index-strategy",
    "prerelease-mode",
    "skip-wheel-filename-check",
)
_PACKAGE_SET = st.just(True) | _subsets(PYPI_NAMES, 1, 3)


@st.composite
def pypi_options(draw, *, allow_empty: bool = True) -> dict[str, Any] | None:
    """A ``[pypi-options]`` table (``None``: not written).  Lists and sets are never empty."""
    if allow_empty and draw(_ints(0, 4)) == 0:
        return None
    options: dict[str, Any] = {}
    keys = draw(_subsets(PYPI_KEYS, 0, 5))
    if draw(_BOOLS):  # single-valued keys often, so that features disagree often
        single = draw(st.sampled_from(tuple(PYPI_SINGLE_VALUED)))
        keys = keys if single in keys else [*keys, single]
    for key in keys:
        if key == "index-url":
            options[key] = draw(st.sampled_from(INDEX_URLS))
        elif key == "extra-index-urls":
            options[key] = draw(_subsets(EXTRA_INDEX_URLS, 1, 2))
        elif key == "find-links":
            options[key] = [dict(FIND_LINKS[i]) for i in draw(_subsets((0, 1, 2), 1, 2))]
        elif key in PYPI_SETS:
            options[key] = draw(_PACKAGE_SET)
        elif key == "index-strategy":
            options[key] = draw(st.sampled_from(INDEX_STRATEGIES))
        elif key == "prerelease-mode":
            options[key] = draw(st.sampled_from(PRERELEASE_MODES))
        else:
            options[key] = draw(_BOOLS)
    return options


# -- rendering with tomlkit ------------------------------------------------------------------


def _table(mapping: dict[str, Any], inline: bool):
    table = tomlkit.inline_table() if inline else tomlkit.table()
    for key, value in mapping.items():
        if isinstance(value, dict):
            sub = tomlkit.inline_table()
            sub.update(value)
            table[key] = sub
        else:
            table[key] = value
    return table


def _add_target_content(container, target: GenTarget, inline: bool) -> None:
    for key, deps in (
        ("dependencies", target.dependencies),
        ("host-dependencies", target.host_dependencies),
        ("build-dependencies", target.build_dependencies),
    ):
        if deps:
            container[key] = _table(deps, inline)
    if target.tasks:
        container["tasks"] = _table(target.tasks, inline)
    if target.scripts is not None or target.env is not None:
        activation = tomlkit.table()
        if target.scripts is not None:
            activation["scripts"] = list(target.scripts)
        if target.env is not None:
            activation["env"] = _table(target.env, True)
        container["activation"] = activation


def _add_targets(container, feature: GenFeature, inline: bool) -> None:
    if not feature.targets:
        return
    targets = tomlkit.table(is_super_table=True)
    for key, target in feature.targets:
        table = tomlkit.table()  # not a super table: an empty target still gets its header
        _add_target_content(table, target, inline)
        targets[key] = table
    container["target"] = targets


def _pypi_table(options: dict[str, Any]):
    table = tomlkit.table()
    for key, value in options.items():
        if key == "find-links":
            array = tomlkit.array()
            for item in value:
                entry = tomlkit.inline_table()
                entry.update(item)
                array.append(entry)
            table[key] = array
        else:
            table[key] = value
    return table


def render(manifest: GenManifest) -> str:
    doc = tomlkit.document()
    workspace = tomlkit.table()
    workspace["name"] = "generated"
    channels = tomlkit.array()
    for channel in manifest.channels:
        channels.append(channel.to_toml())
    workspace["channels"] = channels
    workspace["platforms"] = list(manifest.platforms)
    if manifest.workspace_pypi_options is not None:
        workspace["pypi-options"] = _pypi_table(manifest.workspace_pypi_options)
    doc["workspace"] = workspace

    default = manifest.default
    _add_target_content(doc, default.default, manifest.inline_tables)
    _add_targets(doc, default, manifest.inline_tables)
    if default.pypi_options is not None:
        doc["pypi-options"] = _pypi_table(default.pypi_options)

    if manifest.features:
        features = tomlkit.table(is_super_table=True)
        for feature in manifest.features:
            table = tomlkit.table()
            if feature.platforms is not None:
                table["platforms"] = list(feature.platforms)
            if feature.channels is not None:
                array = tomlkit.array()
                for channel in feature.channels:
                    array.append(channel.to_toml())
                table["channels"] = array
            if feature.pypi_options is not None:
                table["pypi-options"] = _pypi_table(feature.pypi_options)
            _add_target_content(table, feature.default, manifest.inline_tables)
            _add_targets(table, feature, manifest.inline_tables)
            features[feature.name] = table
        doc["feature"] = features

    if manifest.environments:
        environments = tomlkit.table()
        for env in manifest.environments:
            if env.table_form or env.no_default or env.solve_group is not None:
                value = tomlkit.inline_table()
                value["features"] = list(env.features)
                if env.solve_group is not None:
                    value["solve-group"] = env.solve_group
                if env.no_default:
                    value["no-default-feature"] = True
                environments[env.name] = value
            else:
                environments[env.name] = list(env.features)
        doc["environments"] = environments
    return tomlkit.dumps(doc)
