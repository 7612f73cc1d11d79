"""Solving every environment × platform of a workspace with ``rattler.solve``, offline.

Follows ``crates/pixi_core/src/lock_file/update.rs`` (pixi 0.77):

* environments are solved per *grouped environment* (``GroupedEnvironment``): a solve group
  with more than one environment is solved as a whole, otherwise the environment alone;
* one solve per grouped environment and platform name of each member environment
  (``spawn_solve_conda_environment_task``): the combined dependencies of the features that
  support the platform (every spec of every feature; the solver intersects them), the combined
  ``[constraints]``, the group's channels in priority order (``prioritized_channels``), its
  channel priority and solve strategy, and the platform's virtual packages; no dependencies
  means no solve and no packages;
* every environment of a group takes its subset of the group's records
  (``spawn_extract_environment_task``): the records reachable from its own dependencies
  through ``depends``;
* a failed solve is ``failed to solve requirements of environment '<group or environment>'
  for platform '<platform>'`` with the solver's explanation as its cause.

Not modelled (reported as unsupported rather than ignored): PyPI dependencies, source and
``dev`` dependencies, URL/path conda archives, conditional (``when``) and extras/flags specs,
``exclude-newer``, channels that are not local (``file://`` URLs or paths).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixiconf.diagnostics import Diagnostic, DiagnosticError, UnsupportedOperation
from pixiconf.lock.virtual_packages import LockPlatform, PlatformModel, solver_virtual_packages
from pixiconf.manifest.model import Feature, WorkspaceManifest
from pixiconf.workspace.environments import (
    channel_priority,
    environment_features,
    feature_dependencies,
    group_features,
    prioritized_channels,
    solve_strategy,
)

__all__ = [
    "DEFAULT_CHANNEL_ALIAS",
    "EnvironmentSolution",
    "GroupSolve",
    "WorkspaceSolution",
    "channel_url",
    "match_specs",
    "solve_workspace",
]

#: ``ChannelConfig::default_with_root_dir``: where a channel *name* points.
DEFAULT_CHANNEL_ALIAS = "https://conda.anaconda.org/"


@dataclass(slots=True)
class GroupSolve:
    """What one ``rattler.solve`` call gets: a grouped environment on one platform."""

    group: str
    platform: LockPlatform
    specs: list[str]
    constraints: list[str]
    channels: list[str]
    channel_priority: str
    strategy: str


@dataclass(slots=True)
class EnvironmentSolution:
    """One environment of the lock file: its channels, options and records per platform."""

    name: str
    channels: list[str]
    channel_priority: str
    strategy: str
    platforms: list[LockPlatform]
    #: platform name → solved records (``rattler.RepoDataRecord``)
    records: dict[str, list[Any]] = field(default_factory=dict)


@dataclass(slots=True)
class WorkspaceSolution:
    """``platforms``: the platforms the environments use (what the lock records);
    ``declared``: pixi's ``workspace.platforms`` in its order (what the ``p1``, ``p2``, ...
    aliases of :func:`~pixiconf.lock.platform_rename.shorten_platform_names` number)."""

    platforms: list[LockPlatform]
    environments: list[EnvironmentSolution]
    warnings: list[Diagnostic] = field(default_factory=list)
    declared: list[LockPlatform] = field(default_factory=list)


# --------------------------------------------------------------------------- channels


def _is_path(text: str) -> bool:
    """``NamedChannelOrUrl::from_str``: a path starts like one (``/``, ``./``, ``../``, ``~``,
    ``C:``, ``\\``)."""
    return (
        text.startswith(("/", "./", "../", "~", "\\", ".\\", "..\\"))
        or text in (".", "..")
        or (len(text) > 1 and text[1] == ":" and text[0].isalpha())
    )


def url_config() -> Any:
    """A ``ChannelConfig`` for channels given as URLs.  Its root only places relative paths,
    so it is ``/``: py-rattler's default, the current directory, fails when that is not UTF-8
    (a directory name with other bytes)."""
    from rattler import ChannelConfig

    return ChannelConfig(DEFAULT_CHANNEL_ALIAS, "/")


def channel_url(channel: str, root: Path) -> str:
    """The base URL of a manifest channel (trailing ``/``), as pixi writes it in the lock.

    Only local channels can be solved offline: a channel name or an ``http(s)`` URL is
    reported as unsupported.
    """
    from rattler import Channel

    if "://" in channel:
        scheme = channel.split("://", 1)[0].lower()
        if scheme != "file":
            raise UnsupportedOperation(
                f"channel '{channel}' is not a local channel: the reference locks offline, "
                "against file:// channels only (use '{{channels.NAME}}' in the manifest)"
            )
        return Channel(channel, url_config()).base_url
    if _is_path(channel):
        path = Path(channel).expanduser()
        path = path if path.is_absolute() else (root / path)
        return path.resolve().as_uri().rstrip("/") + "/"
    raise UnsupportedOperation(
        f"channel '{channel}' resolves to {DEFAULT_CHANNEL_ALIAS}{channel}/, which is not a "
        "local channel: the reference locks offline, against file:// channels only "
        "(use '{{channels.NAME}}' in the manifest)"
    )


def _spec_channel(channel: str, root: Path) -> str:
    if "://" in channel:
        return channel
    if _is_path(channel):
        return channel_url(channel, root)
    return f"{DEFAULT_CHANNEL_ALIAS}{channel}/"


# --------------------------------------------------------------------------- specs

_UNSUPPORTED_SPEC_KEYS = {
    "git": "a git source dependency needs a build backend",
    "path": "a path dependency needs a build backend or a local archive",
    "url": "a URL dependency needs a download",
    "when": "conditional dependencies are not modelled by the lock flow",
    "extras": "conda extras are not modelled by the lock flow",
    "flags": "conda flags are not modelled by the lock flow",
}
_BRACKET_KEYS = (
    ("build-number", "build_number"),
    ("file-name", "fn"),
    ("md5", "md5"),
    ("sha256", "sha256"),
    ("license", "license"),
    ("subdir", "subdir"),
)


def _quote(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def match_specs(name: str, spec: Any, root: Path) -> str:
    """One manifest spec (a version string or a table) as a match spec string."""
    from rattler import VersionSpec

    if isinstance(spec, str):
        return f"{name} {VersionSpec(spec, strict=False)}"
    for key, why in _UNSUPPORTED_SPEC_KEYS.items():
        if key in spec:
            raise UnsupportedOperation(f"dependency '{name}' uses `{key}`: {why}")
    text = name
    if spec.get("version") is not None:
        text += f" {VersionSpec(str(spec['version']), strict=False)}"
    elif spec.get("build") is not None:
        text += " *"
    if spec.get("build") is not None:
        text += f" {spec['build']}"
    attributes = [
        f"{attr}={_quote(spec[key])}" for key, attr in _BRACKET_KEYS if spec.get(key) is not None
    ]
    if spec.get("channel") is not None:
        attributes.append(f"channel={_quote(_spec_channel(str(spec['channel']), root))}")
    if spec.get("track-features"):
        attributes.append(f"track_features={_quote(' '.join(spec['track-features']))}")
    if attributes:
        text += "[" + ", ".join(attributes) + "]"
    return text


# --------------------------------------------------------------------------- the model


def _target_tables(feature: Feature) -> list[Any]:
    return [feature.default_target, *(t for _, t in feature.targets)]


def _check_supported(manifest: WorkspaceManifest, used: Sequence[Feature]) -> None:
    for feature in used:
        for target in _target_tables(feature):
            if target.pypi_dependencies:
                names = ", ".join(target.pypi_dependencies)
                raise UnsupportedOperation(
                    f"the reference locks conda packages only: feature '{feature.name}' has "
                    f"pypi-dependencies ({names}), which need a PyPI resolution"
                )
            if target.dev:
                raise UnsupportedOperation(
                    f"the reference cannot lock source dev dependencies (feature "
                    f"'{feature.name}': {', '.join(target.dev)}): they need a build backend"
                )
        for channel in feature.channels or ():
            if channel.exclude_newer is not None:
                raise UnsupportedOperation(
                    "`exclude-newer` on channels is not modelled by the lock flow"
                )
    for channel in manifest.workspace.channels:
        if channel.exclude_newer is not None:
            raise UnsupportedOperation(
                "`exclude-newer` on channels is not modelled by the lock flow"
            )


def _merge(into: dict[str, list[Any]], deps: Mapping[str, Any]) -> None:
    """``DependencyMap::merge_all``: an ordered set of specs per package."""
    for name, spec in deps.items():
        specs = into.setdefault(name, [])
        if spec not in specs:
            specs.append(spec)


def _combined(
    features: Sequence[Feature], model: PlatformModel, subdir: str, constraints: bool = False
) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {}
    for feature in features:
        if not model.supports_subdir(feature.name, subdir):
            continue
        if constraints:
            folded: dict[str, Any] = {}
            for target in feature.targets_for(subdir):
                folded.update(target.constraints or {})
            _merge(result, folded)
        else:
            _merge(result, feature_dependencies(feature, subdir))
    return result


# --------------------------------------------------------------------------- solving


def _dependency_name(spec: str) -> str:
    """``PackageName::from_matchspec_str_unchecked``: everything before the first whitespace,
    ``>``, ``<``, ``=``, ``!``, ``~``, ``;`` or ``[``, lower-cased."""
    for i, char in enumerate(spec):
        if char.isspace() or char in "><=!~;[":
            return spec[:i].lower()
    return spec.lower()


def extract_subset(records: Sequence[Any], roots: Sequence[str]) -> list[Any]:
    """``spawn_extract_environment_task`` (conda part): the records reachable from ``roots``
    through ``depends``, in the order the walk finds them."""
    by_name = {r.name.normalized: r for r in records}
    queue = [r.lower() for r in roots]
    queued = set(queue)
    found: list[Any] = []
    seen: set[str] = set()
    while queue:
        name = queue.pop()
        record = by_name.get(name)
        if record is None:
            continue
        for dependency in record.depends:
            dep = _dependency_name(dependency)
            if dep not in queued:
                queued.add(dep)
                queue.append(dep)
        if name not in seen:
            seen.add(name)
            found.append(record)
    return found


def _group_solve(
    group: str,
    features: Sequence[Feature],
    model: PlatformModel,
    platform: LockPlatform,
    urls: list[str],
    priority: str,
    strategy: str,
    root: Path,
) -> GroupSolve | None:
    """The solve of ``group`` on ``platform``; ``None`` when it has no dependencies."""
    deps = _combined(features, model, platform.subdir)
    if not deps:
        return None
    specs = [match_specs(name, spec, root) for name, specs in deps.items() for spec in specs]
    constraints = [
        match_specs(name, spec, root)
        for name, specs in _combined(features, model, platform.subdir, True).items()
        for spec in specs
    ]
    return GroupSolve(group, platform, specs, constraints, urls, priority, strategy)


def _solver_error(group: str, platform: str, exc: BaseException) -> BaseException:
    """``SolveCondaEnvironmentError::SolveFailed`` with its causes, miette style."""
    kind = type(exc).__name__
    if kind not in ("SolverError", "GatewayError"):
        return exc
    causes = [] if kind == "GatewayError" else ["failed to solve the environment"]
    causes.append(str(exc).strip())
    lines = [f"failed to solve requirements of environment '{group}' for platform '{platform}'"]
    for i, cause in enumerate(causes):
        arrow = "╰─▶" if i == len(causes) - 1 else "├─▶"
        lines.append(f"  {arrow} " + cause.replace("\n", "\n      "))
    return DiagnosticError(Diagnostic("\n".join(lines)))


def _local_repodata(url: str, subdirs: Sequence[str]) -> list[Path] | None:
    """The ``repodata.json`` of each of ``subdirs`` of the local channel at ``url``; ``None``
    when the channel is not a ``file://`` directory with a regular ``repodata.json`` in every
    one of them (the gateway then reads it, and reports what is missing)."""
    from urllib.parse import unquote, urlsplit
    from urllib.request import url2pathname

    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    base = Path(url2pathname(unquote(parts.path)))
    files = [base / subdir / "repodata.json" for subdir in subdirs]
    try:
        return files if all(f.is_file() for f in files) else None
    except (OSError, ValueError):
        return None


#: Root names loaded at a time by :func:`independent_parts` (and the most specs a solve has
#: before it is tried in parts): one batch's records are in memory at a time.
PART_ROOTS = 20_000


class _Parts:
    """Union-find over batches of root names, linked through the names they reach."""

    def __init__(self) -> None:
        self.parent: list[int] = []
        self.owner: dict[str, int] = {}

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def add(self, names: set[str]) -> None:
        batch = len(self.parent)
        self.parent.append(batch)
        for name in names:
            other = self.owner.setdefault(name, batch)
            if other != batch:
                self.parent[self.find(other)] = batch


def _reached_names(records: Sequence[Any]) -> set[str] | None:
    """The names ``records`` link to: their own, and those of their ``depends`` and
    ``constrains`` (a ``depends`` on a virtual package (``__`` name) links nothing: its one
    candidate is the platform's, whoever asks).  ``None`` for anything the split does not
    model (a virtual package in ``constrains``, conditional or extra dependencies, a channel
    or wildcard in a name): the solve is then not split."""
    names: set[str] = set()
    for record in records:
        names.add(record.name.normalized)
        if record.extra_depends:
            return None
        for kind, specs in ((0, record.depends), (1, record.constrains)):
            for spec in specs:
                name = _dependency_name(spec)
                if ";" in spec or any(c in name for c in ":*/"):
                    return None
                if name.startswith("__"):
                    if kind:
                        return None
                    continue
                names.add(name)
    return names


def independent_parts(
    specs: Sequence[str], constraints: Sequence[str], sources: Sequence[Any], roots: int
) -> list[tuple[list[str], list[str]]] | None:
    """The specs (and constraints) of ``rattler.solve`` split into independent problems, or
    ``None`` when they are one.

    Root names are taken ``roots`` at a time; the records of the names each batch reaches
    (``SparseRepoData.load_records_recursive``: through ``depends``, over every channel and
    subdir of ``sources``) give the names it links to (:func:`_reached_names`); batches that
    link to a common name are one part.  A constraint goes with the part that reaches its
    name (those that name nothing reached, with the first part).

    Why the union of the parts' solutions is the whole problem's (``rattler_solve``'s
    resolvo backend, ``crates/rattler_solve/src/resolvo/mod.rs``, and ``resolvo``'s
    ``Solver``): the candidates of a name are the records of that name (after channel
    priority, per name) plus the virtual packages; every clause the solver adds is about one
    requirement or constraint of a root or a candidate and the candidates of the names it
    names, and candidates are ordered (``conda_sorting.rs``: version, build, then the best
    versions of their dependencies) from reachable names only.  Parts that reach disjoint
    names so have disjoint variables: no clause, propagation or learnt conflict of one
    touches another, and each requirement is decided by its own candidates' order, as in a
    solve of its part alone.  Virtual packages are shared but fixed, one candidate each,
    and only required (a constraint on one is not split).  ``lowest-direct`` ranks the
    root names, which stay with their part.  Anything else (a part that fails, a name
    shared) is solved whole; tests compare both ways on generated channels.
    """
    from rattler import PackageName, SparseRepoData

    names = list(dict.fromkeys(_dependency_name(s) for s in specs))
    if len(names) < 2 or any(n.startswith("__") for n in names):
        return None
    parts = _Parts()
    for start in range(0, len(names), roots):
        batch = names[start : start + roots]
        loaded = SparseRepoData.load_records_recursive(
            list(sources), [PackageName(n) for n in batch]
        )
        reached = _reached_names([r for records in loaded for r in records])
        del loaded
        if reached is None:
            return None
        parts.add(reached | set(batch))
    groups: dict[int, tuple[list[str], list[str]]] = {}
    for spec in specs:
        part = parts.find(parts.owner[_dependency_name(spec)])
        groups.setdefault(part, ([], []))[0].append(spec)
    if len(groups) < 2:
        return None
    first = next(iter(groups.values()))
    for constraint in constraints:
        name = _dependency_name(constraint)
        if name.startswith("__"):
            return None
        owner = parts.owner.get(name)
        (groups[parts.find(owner)] if owner is not None else first)[1].append(constraint)
    return list(groups.values())


async def _solve_all(tasks: Sequence[GroupSolve], cache_dir: Path) -> list[Any]:
    """Every task, solved over its channels' ``repodata.json`` read sparsely (only the records
    of the names reachable from its specs are parsed: a tenth of the time and memory of a
    gateway query of a large workspace); a task of more than :data:`PART_ROOTS` specs in its
    independent parts, one after the other (:func:`independent_parts`).  A task whose sparse
    solve fails, or whose channels are not all local directories with every subdir's
    ``repodata.json``, is solved again through the ``Gateway``: pixi's own path, whose result
    or error (the message pixi prints)
    is the answer.  Both read the same files with the same parser and solver."""
    import rattler
    from rattler import Channel, ChannelPriority, Gateway, SparseRepoData

    config = url_config()
    priorities = {
        "strict": ChannelPriority.Strict,
        "disabled": ChannelPriority.Disabled,
        "flexible": ChannelPriority.Flexible,
    }
    gateways: list[Any] = []

    async def through_gateway(task: GroupSolve) -> Any:
        if not gateways:
            gateways.append(Gateway(cache_dir=cache_dir, show_progress=False))
        return await rattler.solve(
            sources=[Channel(url, config) for url in task.channels],
            specs=task.specs,
            gateway=gateways[0],
            platforms=[task.platform.subdir, "noarch"],
            virtual_packages=solver_virtual_packages(task.platform),
            channel_priority=priorities[task.channel_priority],
            strategy=task.strategy,
            constraints=task.constraints or None,
            channel_relations="disabled",
        )

    async def sparse(task: GroupSolve) -> Any:
        subdirs = [task.platform.subdir, "noarch"]
        sources = []
        for url in task.channels:
            files = _local_repodata(url, subdirs)
            if files is None:
                return None
            channel = Channel(url, config)
            sources += [
                SparseRepoData(channel, subdir, str(path))
                for subdir, path in zip(subdirs, files, strict=True)
            ]
        try:
            parts = None
            if len(task.specs) > PART_ROOTS:
                parts = independent_parts(task.specs, task.constraints, sources, PART_ROOTS)
            records: list[Any] = []
            # One part at a time: the solver's memory is the largest part's.
            for specs, constraints in parts or [(task.specs, task.constraints)]:
                records += await rattler.solve_with_sparse_repodata(
                    specs=specs,
                    sparse_repodata=sources,
                    virtual_packages=solver_virtual_packages(task.platform),
                    channel_priority=priorities[task.channel_priority],
                    strategy=task.strategy,
                    constraints=constraints or None,
                )
            return records
        except Exception:  # the gateway gives pixi's message (one solve of everything)
            return None
        finally:
            for source in sources:
                source.close()

    async def one(task: GroupSolve) -> Any:
        records = await sparse(task)
        return records if records is not None else await through_gateway(task)

    return await asyncio.gather(*(one(t) for t in tasks), return_exceptions=True)


def _run(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # Called from inside an event loop (e.g. an async test): run in a helper thread.
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def solve_workspace(
    manifest: WorkspaceManifest, root: Path, channels: Mapping[str, str] | None = None
) -> WorkspaceSolution:
    """Solve every environment × platform of ``manifest`` (see the module docstring)."""
    del channels  # the manifest's own channel URLs are solved (see ``lock_workspace``)
    root = Path(root)
    environments = list(manifest.environments.values())
    env_features = {env.name: environment_features(manifest, env) for env in environments}
    used = {f.name: f for fs in env_features.values() for f in fs}
    _check_supported(manifest, list(used.values()))
    model = PlatformModel(manifest.workspace.platforms, manifest.features.values())

    groups: dict[str, list[Any]] = {}
    for env in environments:
        if env.solve_group is not None:
            groups.setdefault(env.solve_group, []).append(env)

    def grouped(env: Any) -> tuple[str, list[Any]]:
        members = groups.get(env.solve_group) if env.solve_group is not None else None
        if members is not None and len(members) > 1:
            return env.solve_group, members
        return env.name, [env]

    solves: dict[tuple[str, str], GroupSolve | None] = {}
    solutions: list[EnvironmentSolution] = []
    #: (solution, environment, platform, solve key, solved as part of a group)
    env_tasks: list[tuple[EnvironmentSolution, Any, LockPlatform, tuple[str, str], bool]] = []
    all_platforms: dict[str, LockPlatform] = {}
    for env in environments:
        group_name, members = grouped(env)
        features = group_features(manifest, members) if len(members) > 1 else env_features[env.name]
        urls = list(
            dict.fromkeys(channel_url(c, root) for c in prioritized_channels(manifest, features))
        )
        priority = channel_priority(features)  # raises on conflicting priorities
        strategy = solve_strategy(features)
        platforms = model.environment_platforms([f.name for f in env_features[env.name]])
        solution = EnvironmentSolution(env.name, urls, priority, strategy, platforms)
        solutions.append(solution)
        for platform in platforms:
            all_platforms.setdefault(platform.name, platform)
            key = (group_name, platform.name)
            if key not in solves:
                solves[key] = _group_solve(
                    group_name, features, model, platform, urls, priority, strategy, root
                )
            env_tasks.append((solution, env, platform, key, len(members) > 1))

    pending = [task for task in solves.values() if task is not None]
    results: list[Any] = []
    if pending:
        with tempfile.TemporaryDirectory(prefix="pixiconf-lock-cache-") as cache:
            results = _run(_solve_all(pending, Path(cache)))
    solved = {(t.group, t.platform.name): r for t, r in zip(pending, results, strict=True)}
    # The first failure in manifest order (pixi reports the first solve that fails).
    for _, _, platform, key, _ in env_tasks:
        error = solved.get(key)
        if isinstance(error, BaseException):
            raise _solver_error(key[0], platform.name, error)

    for solution, env, platform, key, in_group in env_tasks:
        records = solved.get(key) or []
        if in_group:
            roots = list(_combined(env_features[env.name], model, platform.subdir))
            records = extract_subset(records, roots)
        if records:
            solution.records[platform.name] = list(records)
    # ``register_composed_platforms``: every environment's platforms, then every solve group's.
    composed = [p for solution in solutions for p in solution.platforms]
    for members in groups.values():
        composed += model.environment_platforms([f.name for f in group_features(manifest, members)])
    return WorkspaceSolution(
        list(all_platforms.values()), solutions, declared=model.workspace_platforms(composed)
    )
