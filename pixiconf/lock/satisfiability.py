"""Is a ``pixi.lock`` still up to date with its manifest?  pixi's rules, conda packages only.

Sources (pixi 0.77, ``crates/pixi_core/src/lock_file/``):

* ``outdated.rs`` ``find_unsatisfiable_targets``: the order of the checks and the messages a
  reason is reported with (pixi logs them: ``environment 'X' is out of date because ...``);
* ``satisfiability/environment.rs`` ``verify_environment_satisfiability``: channels, extra
  locked platforms, platform definitions (subdir and virtual packages), solve strategy,
  channel priority, PyPI prerelease mode;
* ``satisfiability/platform.rs`` ``verify_platform_satisfiability`` and
  ``verify_package_platform_satisfiability``: duplicates, constraints, every manifest spec
  and every transitive ``depends`` matched by a locked record (or a virtual package), no
  unused records;
* ``satisfiability/errors.rs``: the texts (``EnvironmentUnsat``, ``PlatformUnsat``, Display);
* ``platform_rename.rs`` ``align_platform_names`` and ``platform.rs`` ``resolve_lock_platform``:
  how locked platform entries are matched to workspace platforms;
* ``crates/pixi_manifest``: workspace platforms (``platform.rs``), the ``[system-requirements]``
  migration (``toml/manifest.rs`` ``migrate_system_requirements_to_platforms``) and platform
  composition per environment (``platform_composition.rs``).

Only the lock file and the manifest are compared: no channel is read, nothing touches the
network.  Things this check cannot decide without pixi's PyPI resolver or a build backend
(PyPI dependencies, source packages, ``[dev]`` dependencies, ``exclude-newer`` cut-offs) raise
:class:`~pixiconf.operations.UnsupportedOperation` instead of guessing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rattler import (
    BuildString,
    Channel,
    ChannelConfig,
    MatchSpec,
    NamelessMatchSpec,
    PackageRecord,
)

from pixiconf.diagnostics import UnsupportedOperation
from pixiconf.lock.platform_rename import (
    align_platform_names,
    customised,
    is_subdir_default,
    parse_locked_virtual_package,
)
from pixiconf.lock.read import LockedCondaPackage, LockedEnvironment, LockedPlatform, PixiLock
from pixiconf.lock.virtual_packages import LockPlatform, PlatformModel, solver_virtual_packages
from pixiconf.manifest import pypi_options as pypi
from pixiconf.manifest.model import DEFAULT, Environment, Feature, WorkspaceManifest
from pixiconf.manifest.specs import is_source_spec
from pixiconf.workspace.environments import (
    DEFAULT_CHANNEL_PRIORITY,
    channel_priority,
    environment_features,
    feature_dependencies,
    feature_supports,
    group_features,
    prioritized_channels,
    solve_strategy,
)

__all__ = [
    "LockCheck",
    "align_platform_names",
    "check_lock",
    "condition_is_met",
    "manifest_match_spec",
    "parse_locked_virtual_package",
    "workspace_platforms",
]

CHANNEL_ALIAS = "https://conda.anaconda.org/"

# --------------------------------------------------------------------------------------------
# Workspace platforms (the model is shared with the lock writer: .virtual_packages)
# --------------------------------------------------------------------------------------------


def _solve_groups(manifest: WorkspaceManifest) -> dict[str, list[Environment]]:
    groups: dict[str, list[Environment]] = {}
    for env in manifest.environments.values():
        if env.solve_group is not None:
            groups.setdefault(env.solve_group, []).append(env)
    return groups


@dataclass(slots=True)
class _Workspace:
    """The platform model plus every environment's platforms; ``declared`` holds every
    workspace platform once the environments and solve groups are composed
    (``register_composed_platforms``)."""

    model: PlatformModel
    environments: dict[str, list[LockPlatform]]
    declared: list[LockPlatform]

    @classmethod
    def of(cls, manifest: WorkspaceManifest) -> _Workspace:
        model = PlatformModel(manifest.workspace.platforms, manifest.features.values())
        environments = {
            env.name: model.environment_platforms(
                [f.name for f in environment_features(manifest, env)]
            )
            for env in manifest.environments.values()
        }
        composed = [p for platforms in environments.values() for p in platforms]
        for members in _solve_groups(manifest).values():
            composed += model.environment_platforms(
                [f.name for f in group_features(manifest, members)]
            )
        return cls(model, environments, model.workspace_platforms(composed))


def workspace_platforms(manifest: WorkspaceManifest) -> list[LockPlatform]:
    """pixi's ``workspace.platforms`` after the ``[system-requirements]`` migration and
    ``register_composed_platforms``, in its order: what locked names are aligned to and what
    the ``p1``, ``p2``, ... aliases of the written lock number."""
    return _Workspace.of(manifest).declared


# --------------------------------------------------------------------------------------------
# Lock platforms matched to workspace platforms (platform_rename.rs, platform.rs)
# --------------------------------------------------------------------------------------------


def _resolve_lock_platform(lock: PixiLock, platform: LockPlatform) -> LockedPlatform | None:
    """``resolve_lock_platform_for``: by name, else a subdir row that records no virtual
    packages or all the declared ones."""
    found = lock.platform(platform.name)
    if found is not None:
        return found
    candidate = lock.platform(platform.subdir)
    if candidate is None:
        return None
    declared = [str(vp) for vp in platform.virtual_packages]
    locked = list(candidate.virtual_packages)
    if not locked or all(d in locked for d in declared):
        return candidate
    return None


# --------------------------------------------------------------------------------------------
# Manifest specs as rattler match specs
# --------------------------------------------------------------------------------------------

#: Table keys of a binary spec and their match-spec bracket names.
_BRACKET_KEYS = (
    ("version", "version"),
    ("build", "build"),
    ("build-number", "build_number"),
    ("file-name", "fn"),
    ("channel", "channel"),
    ("subdir", "subdir"),
    ("md5", "md5"),
    ("sha256", "sha256"),
    ("license", "license"),
    ("when", "when"),
)


def _needs_source_or_archive(spec: Any) -> bool:
    """A source spec (``PixiSpec::is_source``) or a url/path conda archive: neither is
    verified by lock-check."""
    return is_source_spec(spec) or (isinstance(spec, dict) and ("url" in spec or "path" in spec))


def manifest_match_spec(name: str, spec: Any) -> MatchSpec:
    """``BinarySpec::try_into_nameless_match_spec`` + ``MatchSpec::from_nameless``."""
    if isinstance(spec, str):
        fields = [("version", spec)]
    else:
        fields = [(bracket, str(spec[key])) for key, bracket in _BRACKET_KEYS if key in spec]
    parts = [f'{bracket}="{value}"' for bracket, value in fields]
    if isinstance(spec, dict) and spec.get("extras"):
        parts.append("extras=[" + ", ".join(spec["extras"]) + "]")
    if isinstance(spec, dict) and spec.get("flags"):
        parts.append("flags=[" + ", ".join(spec["flags"]) + "]")
    return MatchSpec(f"{name}[{', '.join(parts)}]" if parts else name, strict=False)


def _nameless(spec: Any) -> NamelessMatchSpec:
    return NamelessMatchSpec.from_match_spec(manifest_match_spec("x", spec))


# --------------------------------------------------------------------------------------------
# Conditions (``when=``) and matching
# --------------------------------------------------------------------------------------------


def _virtual_record(vp: Any) -> PackageRecord:
    """A rattler ``GenericVirtualPackage`` as a record a match spec can test (name, version
    and build, as ``MatchesMatchspec for GenericVirtualPackage`` compares them)."""
    return PackageRecord(
        name=vp.name.normalized,
        version=str(vp.version),
        build=BuildString(str(vp.build_string)),
        build_number=0,
        subdir="noarch",
    )


class _Records:
    """``PixiRecordsByName``: locked records of one platform, by normalised name."""

    def __init__(self, records: list[LockedCondaPackage]):
        self.records = records
        self.index: dict[str, int] = {}
        for i, record in enumerate(records):
            self.index.setdefault(record.name.lower(), i)

    def by_name(self, name: str) -> int | None:
        return self.index.get(name.lower())


def _split_condition(text: str) -> list[str]:
    """Tokens of a ``when=`` expression: ``(``, ``)``, ``and``, ``or`` and leaf match specs
    (``MatchSpecCondition`` grammar; leaves are parsed by rattler)."""
    tokens: list[str] = []
    current: list[str] = []
    depth, quote, i = 0, None, 0

    def flush() -> None:
        leaf = "".join(current).strip()
        if leaf:
            tokens.append(leaf)
        current.clear()

    while i < len(text):
        char = text[i]
        if quote:
            current.append(char)
            if char == quote:
                quote = None
            i += 1
            continue
        if char in "'\"" and depth:
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif char in "()" and not depth:
            flush()
            tokens.append(char)
            i += 1
            continue
        elif not depth:
            for word in ("and", "or"):
                before = text[i - 1] if i else " "
                after = text[i + len(word)] if i + len(word) < len(text) else " "
                if (
                    text.startswith(word, i)
                    and (before.isspace() or before in "()")
                    and (after.isspace() or after in "()")
                ):
                    flush()
                    tokens.append(word)
                    i += len(word)
                    break
            else:
                current.append(char)
                i += 1
            continue
        current.append(char)
        i += 1
    flush()
    return tokens


def condition_is_met(
    condition: str, records: Sequence[PackageRecord], vps: Sequence[PackageRecord]
) -> bool:
    """``condition_is_met``: a ``when=`` expression (``and`` binds tighter than ``or``); a leaf
    holds when a locked record or a virtual package matches it."""
    tokens = _split_condition(condition)
    position = 0

    def leaf(text: str) -> bool:
        spec = MatchSpec(text, strict=False)
        return any(spec.matches(r) for r in records) or any(spec.matches(vp) for vp in vps)

    def primary() -> bool:
        nonlocal position
        token = tokens[position]
        position += 1
        if token == "(":
            value = disjunction()
            position += 1  # ")"
            return value
        return leaf(token)

    def chain(word: str, operand: Callable[[], bool]) -> bool:
        """``operand (word operand)*``; every operand is read (no short-circuit)."""
        nonlocal position
        value = operand()
        while position < len(tokens) and tokens[position] == word:
            position += 1
            right = operand()
            value = (right and value) if word == "and" else (right or value)
        return value

    def disjunction() -> bool:
        return chain("or", lambda: chain("and", primary))

    return disjunction()


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------


class _EnvUnsat(Exception):
    """``EnvironmentUnsat``: ``disregard`` says the locked content cannot be trusted (the
    platforms are not verified then)."""

    def __init__(self, message: str, *, disregard: bool = True):
        super().__init__(message)
        self.message = message
        self.disregard = disregard


class _PlatformUnsat(Exception):
    """``PlatformUnsat``; ``pypi_only`` for ``PlatformUnsat::is_pypi_only`` variants."""

    def __init__(self, message: str, *, pypi_only: bool = False):
        super().__init__(message)
        self.message = message
        self.pypi_only = pypi_only


@dataclass(slots=True)
class LockCheck:
    satisfiable: bool
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def observation(self) -> dict[str, Any]:
        return {"satisfiable": self.satisfiable, "reasons": list(self.reasons)}


def _channel_urls(root: Path) -> Callable[[str], str]:
    """A channel's base URL, a path taken from ``root`` (``ChannelConfig::root_dir``).

    py-rattler passes the root as a UTF-8 string; a root that is not (a directory name with
    bytes that are not UTF-8, decoded to lone surrogates) gets ``/``, and a relative path
    channel is made absolute here first, as rattler does (joined and normalised, links kept),
    its bytes percent-encoded in the URL as ``Url::from_directory_path`` does."""
    text = str(root)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        config = ChannelConfig(CHANNEL_ALIAS, "/")

        def url_of(channel: str) -> str:
            if channel in (".", "..") or channel.startswith(("./", "../")):
                channel = Path(os.path.normpath(os.path.join(text, channel))).as_uri()
            return Channel(channel, config).base_url

        return url_of
    config = ChannelConfig(CHANNEL_ALIAS, text)
    return lambda channel: Channel(channel, config).base_url


def _grouped_members(manifest: WorkspaceManifest, env: Environment) -> list[Environment]:
    if env.solve_group is None:
        return [env]
    return _solve_groups(manifest)[env.solve_group]


def _unsupported(manifest: WorkspaceManifest, lock: PixiLock) -> None:
    """What this check does not model raises ``UnsupportedOperation`` (never a wrong answer).

    ``exclude-newer`` is dropped by the manifest model: the ``lock-check`` operation rejects it
    from the manifest document before calling :func:`check_lock`."""
    for feature in manifest.features.values():
        for target in [feature.default_target, *(t for _, t in feature.targets)]:
            if target.pypi_dependencies:
                raise UnsupportedOperation(
                    "lock-check covers conda packages only: pypi-dependencies (feature "
                    f"'{feature.name}') need pixi's PyPI resolver to verify"
                )
            if target.dev:
                raise UnsupportedOperation(
                    f"lock-check does not model [dev] dependencies (feature '{feature.name}'): "
                    "they are resolved through a build backend"
                )
            for deps in (
                target.dependencies,
                target.host_dependencies,
                target.build_dependencies,
                target.constraints,
            ):
                for name, spec in (deps or {}).items():
                    if _needs_source_or_archive(spec):
                        raise UnsupportedOperation(
                            "lock-check does not model source or url/path dependencies "
                            f"('{name}' in feature '{feature.name}'): they are verified through "
                            "a build backend"
                        )
    for env in lock.environments.values():
        for packages in env.conda.values():
            source = next((p for p in packages if p.is_source), None)
            if source is not None:
                raise UnsupportedOperation(
                    f"lock-check does not model locked source packages ('{source.name}'): they "
                    "are re-evaluated through a build backend"
                )


def _verify_environment(
    manifest: WorkspaceManifest,
    env: Environment,
    locked: LockedEnvironment,
    platforms: list[LockPlatform],
    lock: PixiLock,
    url_of: Callable[[str], str],
) -> None:
    """``verify_environment_satisfiability`` (conda parts)."""
    features = group_features(manifest, _grouped_members(manifest, env))
    try:
        channels = [url_of(c) for c in prioritized_channels(manifest, features)]
        locked_channels = [url_of(c) for c in locked.channels]
    except Exception as exc:  # EnvironmentUnsat::InvalidChannel
        raise _EnvUnsat(str(exc)) from None
    if channels[: len(locked_channels)] == locked_channels:
        if len(channels) > len(locked_channels):
            raise _EnvUnsat(
                "channels were extended with additional lower-priority channels", disregard=False
            )
    else:
        raise _EnvUnsat("the channels in the lock file do not match the environments channels")

    names = [p.name for p in platforms]
    subdirs = {p.subdir for p in platforms}
    locked_platforms = [lock.platform(name) or LockedPlatform(name, name) for name in locked.conda]
    extra = sorted(
        p.name for p in locked_platforms if p.name not in names and p.subdir not in subdirs
    )
    if extra:
        # AdditionalPlatformsInLockFile; pixi joins a HashSet (unordered): sorted here.
        raise _EnvUnsat(
            f"platform(s) '{', '.join(extra)}' present in the lock file but not in the environment",
            disregard=False,
        )

    for locked_platform in locked_platforms:
        workspace_platform = next((p for p in platforms if p.name == locked_platform.name), None)
        if workspace_platform is None:
            continue
        expected = customised(workspace_platform)
        found = [
            raw
            for raw in locked_platform.virtual_packages
            if (vp := parse_locked_virtual_package(raw)) is None
            or not is_subdir_default(vp, workspace_platform.subdir)
        ]
        if workspace_platform.subdir != locked_platform.subdir:
            raise _EnvUnsat(
                f"the workspace platform '{workspace_platform.name}' uses subdir "
                f"'{workspace_platform.subdir}' but the lock-file was solved with subdir "
                f"'{locked_platform.subdir}'"
            )
        if sorted(str(vp) for vp in expected) != sorted(found):
            raise _EnvUnsat(
                f"the workspace platform '{workspace_platform.name}' declares virtual "
                f"packages [{', '.join(str(vp) for vp in expected)}] but the lock-file was "
                f"solved with [{', '.join(found)}]"
            )

    features = environment_features(manifest, env)
    expected_strategy = _STRATEGY[solve_strategy(features)]
    if locked.options.strategy != expected_strategy:
        raise _EnvUnsat(
            f"the lock file was solved with a different strategy ({locked.options.strategy}) "
            f"than the one selected ({expected_strategy})"
        )
    try:
        expected_priority = channel_priority(features)
    except Exception:  # ``channel_priority().unwrap_or_default()``: a conflict counts as unset
        expected_priority = DEFAULT_CHANNEL_PRIORITY
    if locked.options.channel_priority != expected_priority:
        raise _EnvUnsat(
            "the lock file was solved with a different channel priority "
            f"({locked.options.channel_priority}) than the one selected ({expected_priority})"
        )
    options = _group_pypi_options(manifest, features)
    expected_mode = options.get("prerelease-mode") or "if-necessary-or-explicit"
    if locked.options.pypi_prerelease_mode != expected_mode:
        raise _EnvUnsat(
            "the lock file was solved with a different PyPI prerelease mode "
            f"({locked.options.pypi_prerelease_mode}) than the one selected ({expected_mode})",
            disregard=False,
        )


#: pixi_manifest ``SolveStrategy`` → rattler_solve ``SolveStrategy`` as the lock writes it.
_STRATEGY = {
    "highest": "highest",
    "lowest": "lowest-version",
    "lowest-direct": "lowest-version-direct",
}


def _group_pypi_options(manifest: WorkspaceManifest, features: list[Feature]) -> dict[str, Any]:
    combined: dict[str, Any] = {}
    try:
        for feature in features:
            if feature.pypi_options is not None:
                combined = pypi.union(combined, feature.pypi_options)
        return pypi.overlay(manifest.workspace.pypi_options or {}, combined)
    except pypi.PypiOptionsConflict:
        return {}


def _platform_specs(
    manifest: WorkspaceManifest, env: Environment, platform: LockPlatform, attribute: str
) -> list[tuple[str, Any]]:
    """``combined_dependencies``/``combined_constraints`` for ``platform`` as ``into_specs``
    yields them: names in first-seen order across the features, each name's distinct specs in
    feature order."""
    merged: dict[str, list[Any]] = {}
    for feature in environment_features(manifest, env):
        if not feature_supports(manifest, feature, platform.subdir):
            continue
        if attribute == "dependencies":
            specs = feature_dependencies(feature, platform.subdir)
        else:
            specs = {}
            for target in feature.targets_for(platform.subdir):
                specs.update(target.constraints or {})
        for name, spec in specs.items():
            bucket = merged.setdefault(name, [])
            if spec not in bucket:
                bucket.append(spec)
    return [(name, spec) for name, specs in merged.items() for spec in specs]


def _check_duplicates(records: list[LockedCondaPackage], pypi_records: list[Any]) -> None:
    """``verify_package_platform_satisfiability``: one conda and one PyPI entry per name."""
    seen: set[str] = set()
    for record in records:
        key = record.name.lower()
        if key in seen:
            raise _PlatformUnsat(f"there was a duplicate entry for '{record.name}'")
        seen.add(key)
    seen.clear()
    for record in pypi_records:
        key = record.name.lower().replace("_", "-").replace(".", "-")
        if key in seen:
            raise _PlatformUnsat(f"there was a duplicate entry for '{record.name}'")
        seen.add(key)


def _check_constraints(
    manifest: WorkspaceManifest,
    env: Environment,
    platform: LockPlatform,
    records: list[LockedCondaPackage],
    by_name: _Records,
) -> None:
    """Every locked package named by a ``[constraints]`` spec satisfies it."""
    for name, spec in _platform_specs(manifest, env, platform, "constraints"):
        nameless = _nameless(spec)
        index = by_name.by_name(name)
        if index is None:
            continue
        record = records[index].record
        if record is not None and not nameless.matches(record):
            raise _PlatformUnsat(
                f"the locked package '{name}' with version '{record.version}' does "
                f"not satisfy the constraint '{nameless}'"
            )


def _walk_dependencies(
    dependencies: list[tuple[str, Any]],
    records: list[LockedCondaPackage],
    by_name: _Records,
    platform: LockPlatform,
) -> set[int]:
    """The indices of the locked records reached from ``dependencies`` through ``depends``
    (and the ``extra_depends`` of requested extras); a stack, like pixi's ``conda_stack``."""
    binaries = [r.record for r in records if r.record is not None]
    vp_records = [_virtual_record(vp) for vp in solver_virtual_packages(platform)]
    vps_by_name = {record.name.normalized: record for record in vp_records}
    visited: set[int] = set()
    extras_followed: dict[int, set[str]] = {}
    # (match spec, where it comes from)
    stack: list[tuple[MatchSpec, str]] = [
        (manifest_match_spec(name, spec), "<environment>") for name, spec in dependencies
    ]
    while stack:
        spec, source = stack.pop()
        if spec.condition is not None and not condition_is_met(
            spec.condition, binaries, vp_records
        ):
            continue
        index = _find_matching(spec, source, by_name, vps_by_name)
        if index is None:
            continue
        newly = index not in visited
        visited.add(index)
        record = records[index].record
        to_walk: list[str] = list(record.depends) if newly else []
        followed = extras_followed.setdefault(index, set())
        for extra in spec.extras or ():
            if extra not in followed:
                followed.add(extra)
                to_walk.extend((record.extra_depends or {}).get(extra, ()))
        origin = records[index].file_name
        for depends in to_walk:
            try:
                dependency = MatchSpec(depends, strict=False)
            except Exception:
                raise _PlatformUnsat(f"the requirement '{depends}' failed to parse") from None
            stack.append((dependency, origin))
    return visited


def _verify_platform(
    manifest: WorkspaceManifest,
    env: Environment,
    platform: LockPlatform,
    locked: LockedEnvironment,
    lock: PixiLock,
) -> None:
    """``verify_platform_satisfiability`` + ``verify_package_platform_satisfiability``."""
    lock_platform = _resolve_lock_platform(lock, platform)
    records: list[LockedCondaPackage] = []
    pypi_records = []
    if lock_platform is not None:
        records = list(locked.conda.get(lock_platform.name, ()))
        pypi_records = list(locked.pypi.get(lock_platform.name, ()))
    _check_duplicates(records, pypi_records)
    by_name = _Records(records)

    if pypi_records:  # no pypi requirements (conda-only manifests)
        raise _PlatformUnsat(
            "there are more pypi packages in the lock file than are used by the "
            "environment: " + ", ".join(r.name for r in pypi_records),
            pypi_only=True,
        )
    _check_constraints(manifest, env, platform, records, by_name)

    dependencies = _platform_specs(manifest, env, platform, "dependencies")
    if not dependencies and records:
        raise _PlatformUnsat(
            "there are more conda packages in the lock file than are used by the environment: "
        )

    visited = _walk_dependencies(dependencies, records, by_name, platform)
    if len(visited) != len(records):
        unused = [r.name for i, r in enumerate(records) if i not in visited]
        raise _PlatformUnsat(
            "there are more conda packages in the lock file than are used by the "
            "environment: " + ", ".join(unused)
        )


def _find_matching(
    spec: MatchSpec, source: str, records: _Records, vps: dict[str, PackageRecord]
) -> int | None:
    """``find_matching_package``."""
    name = spec.name.normalized if spec.name is not None else None
    unsat = _PlatformUnsat(
        f"the requirement '{spec}' could not be satisfied (required by '{source}')"
    )
    if name is None or "*" in name:
        for index, record in enumerate(records.records):
            if record.record is not None and spec.matches(record.record):
                return index
        raise unsat
    index = records.by_name(name)
    if index is not None:
        record = records.records[index].record
        if record is not None and spec.matches(record):
            return index
        raise unsat
    vp = vps.get(name)
    if vp is not None and spec.matches(vp):
        return None
    raise unsat


def check_lock(manifest: WorkspaceManifest, lock: PixiLock, root: Path) -> LockCheck:
    """``OutdatedEnvironments::from_workspace_and_lock_file`` as a list of reasons.

    Environment-level reasons come first (manifest order), then platform-level reasons
    (environment order, platforms in workspace order; pixi verifies platforms concurrently and
    logs them as they finish), then environments that only the lock file still has (by name).
    """
    _unsupported(manifest, lock)
    url_of = _channel_urls(root)
    workspace = _Workspace.of(manifest)
    lock = align_platform_names(lock, workspace.declared)
    env_reasons: list[str] = []
    platform_reasons: list[str] = []
    to_verify: list[tuple[Environment, LockedEnvironment, list[LockPlatform]]] = []
    ordered = sorted(manifest.environments.values(), key=lambda e: e.name != DEFAULT)
    for env in ordered:
        env_platforms = workspace.environments[env.name]
        locked = lock.environments.get(env.name)
        if locked is None:
            env_reasons.append(
                f"environment '{env.name}' is out of date because it does not exist "
                "in the lock file."
            )
            continue
        try:
            _verify_environment(manifest, env, locked, env_platforms, lock, url_of)
        except _EnvUnsat as unsat:
            env_reasons.append(f"environment '{env.name}' is out of date because {unsat.message}")
            if unsat.disregard:
                continue
        to_verify.append((env, locked, env_platforms))

    for env, locked, env_platforms in to_verify:
        for platform in env_platforms:
            try:
                _verify_platform(manifest, env, platform, locked, lock)
            except _PlatformUnsat as unsat:
                what = "pypi dependencies" if unsat.pypi_only else "dependencies"
                platform_reasons.append(
                    f"the {what} of environment '{env.name}' for platform "
                    f"{platform.name} are out of date because {unsat.message}"
                )

    removed = [
        f"environment '{name}' is out of date because it no longer exists in the manifest "
        "but is still present in the lock-file."
        for name in sorted(lock.environments)
        if name not in manifest.environments
    ]
    reasons = env_reasons + platform_reasons + removed
    warnings = []
    if not reasons and lock.version < 7:
        warnings.append(
            f"the lock file is up-to-date but uses an older format (v{lock.version}), "
            "run `pixi lock` to upgrade to v7 for improved reproducibility"
        )
    return LockCheck(not reasons, reasons, warnings)
