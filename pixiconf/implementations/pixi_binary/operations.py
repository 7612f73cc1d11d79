"""Observing the manifest and lock operations through pixi commands (see :mod:`.adapter`)."""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from pixiconf.implementations.base import Failed, Observed, Outcome
from pixiconf.implementations.pixi_binary.session import CommandFailed, Session, failed
from pixiconf.implementations.pixi_binary.stderr import (
    info_messages,
    parse_warnings,
    skipped_dependencies,
)
from pixiconf.observation_values import ANY, ExactVersion, JoinedCommand, MaybePrefixed

#: Parts of the ``resolve`` observation no pixi command shows (docs/implementations.md).
RESOLVE_UNOBSERVED = (
    "/channel-priority",
    "/solve-strategy",
    "/system-requirements",
    "/pypi-options",
)


def _relative(session: Session, path: str) -> str:
    found = Path(path)
    if not found.is_absolute():
        found = session.request.cwd / found
    try:
        return (
            Path(os.path.realpath(found))
            .relative_to(Path(os.path.realpath(session.request.workspace_root)))
            .as_posix()
        )
    except ValueError:
        return found.as_posix()


def _validate(session: Session):
    """``pixi workspace name get``: the manifest parses and validates; its warnings."""
    return session.run("workspace", "name", "get", *session.manifest_args())


def _warning_texts(stderr: str) -> tuple[str, ...]:
    return tuple(w.text for w in parse_warnings(stderr))


def discover(session: Session) -> Outcome:
    checked = _validate(session)
    info = session.json("info", "--json", *session.manifest_args())
    project = info.get("project_info") or {}
    if not project.get("manifest_path"):
        return failed(session, checked)
    return Observed(
        {"manifest": _relative(session, project["manifest_path"])},
        warnings=_warning_texts(checked.stderr),
    )


def check(session: Session) -> Outcome:
    checked = _validate(session)
    warnings = parse_warnings(checked.stderr)
    return Observed(
        {"warnings": [w.message for w in warnings]}, warnings=tuple(w.text for w in warnings)
    )


def environments(session: Session) -> Outcome:
    checked = _validate(session)
    info = session.json("info", "--json", *session.manifest_args())
    result = {}
    for env in info.get("environments_info") or []:
        features = list(env.get("features") or [])
        result[env["name"]] = {
            "features": features,
            "solve-group": env.get("solve_group"),
            "no-default-feature": "default" not in features,
        }
    return Observed({"environments": result}, warnings=_warning_texts(checked.stderr))


# --------------------------------------------------------------------------- resolve


def _spec(text: str) -> tuple[str, Any]:
    """A match spec of the export → (name, the spec text after the name).

    A spec with a channel (``c::name``), bracket keys or a build string (``name version
    build``: a table's ``build``) may have come from a table: not the table itself, so its
    value is unobservable (``ANY``).  ``==V`` may have been written ``V`` (pixi reads a bare
    version as exact): :class:`ExactVersion`."""
    name, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    if "::" in name or "[" in rest or "[" in name or " " in rest:
        return name.split("::")[-1].split("[")[0], ANY
    if _EXACT.match(rest):
        return name, ExactVersion(rest)
    return name, rest or "*"


#: An exact version spec without other clauses (``==1.72``).
_EXACT = re.compile(r"^==[^,|=<>!~*\s]+$")


def _pip_name(line: str) -> str | None:
    found = re.match(
        r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:$|[\[<>=!~;@ ])", line.strip()
    )
    return found.group(1) if found and not line.startswith(("-", ".", "/")) else None


def _pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _dependencies(
    export: dict[str, Any], skipped: list[str], env_info: dict[str, Any] | None = None
):
    """The export's conda specs and pip names.  The export prints normalised names
    (``PyQt`` → ``pyqt``); ``info --json`` lists the names as written (``environments_info``
    ``dependencies``/``pypi_dependencies``, best platform), so a name found there is used."""
    written = {str(n).lower(): str(n) for n in (env_info or {}).get("dependencies") or []}
    written_pypi = {
        _pep503(str(n)): str(n) for n in (env_info or {}).get("pypi_dependencies") or []
    }
    dependencies: dict[str, Any] = {}
    pypi: dict[str, Any] = {}
    unobserved: list[str] = []
    items = list(export.get("dependencies") or [])
    pip_section = next((i for i in items if isinstance(i, dict) and "pip" in i), None)
    if pip_section is not None:
        # pixi adds a bare `pip` before the section (conda_environment.rs build_env_yaml).
        index = items.index(pip_section)
        if index > 0 and items[index - 1] == "pip":
            del items[index - 1]
    for item in items:
        if isinstance(item, str):
            name, spec = _spec(item)
            name = written.get(name.lower(), name)
            current = dependencies.setdefault(name, [])
            if spec is ANY or current is ANY:
                dependencies[name] = ANY
            else:
                current.append(spec)
    for name in skipped:
        dependencies[written.get(name.lower(), name)] = ANY
    for line in (pip_section or {}).get("pip") or []:
        line = str(line)
        if line.startswith("--"):
            continue
        name = _pip_name(line)
        if name is None:
            unobserved.append("/pypi-dependencies")
            continue
        pypi[written_pypi.get(_pep503(name), name)] = ANY
    return dependencies, pypi, unobserved


def load_export(text: str) -> Any:
    """The export's YAML with every scalar a string: pixi writes it with serde_yaml (YAML 1.2
    plain scalars), so ``ONLY64: yes`` or ``V: on`` are strings (``conda_environment.rs``: the
    variables, match specs and pip lines are all strings), not YAML 1.1 booleans."""
    return yaml.load(text, Loader=yaml.BaseLoader) or {}


def _dependency_arg(arg: Any) -> Any:
    """A ``depends-on`` argument as ``task list --json`` prints it (serde's externally tagged
    ``DependencyArg``): ``{"Positional": v}`` → ``v``, ``{"Named": [k, v]}`` → ``{k: v}``."""
    if isinstance(arg, dict) and len(arg) == 1:
        ((kind, value),) = arg.items()
        if kind == "Positional":
            return value
        if kind == "Named" and isinstance(value, list) and len(value) == 2:
            return {value[0]: value[1]}
    return arg


def _task_dependency(dep: Any) -> Any:
    """One ``depends_on`` entry of ``task list --json``: a bare name, or the manifest's table
    form when it has arguments or an environment."""
    if isinstance(dep, str):
        return dep
    args, environment = dep.get("args"), dep.get("environment")
    if args is None and environment is None:
        return dep.get("task_name")
    entry: dict[str, Any] = {"task": dep.get("task_name")}
    if args is not None:
        entry["args"] = [_dependency_arg(a) for a in args]
    if environment is not None:
        entry["environment"] = environment
    return entry


def _task_argument(arg: Any) -> Any:
    """One ``args`` entry: a bare name, or ``{arg, default?, choices?}``."""
    if not isinstance(arg, dict):
        return arg
    if arg.get("default") is None and arg.get("choices") is None:
        return arg.get("name")
    entry = {"arg": arg.get("name")}
    for key in ("default", "choices"):
        if arg.get(key) is not None:
            entry[key] = arg[key]
    return entry


#: ``task list --json`` field → task key of the observation, copied when present.
_TASK_LIST_FIELDS = (
    ("cwd", "cwd"),
    ("env", "env"),
    ("inputs", "inputs"),
    ("outputs", "outputs"),
    ("description", "description"),
    ("default-environment", "default_environment"),
)


def _task(info: dict[str, Any], name: str, unobserved: list[str]) -> dict[str, Any]:
    task: dict[str, Any] = {}
    if isinstance(info.get("cmd"), str):
        # a list `cmd` is printed joined by spaces: the observation matches either form
        task["cmd"] = JoinedCommand(info["cmd"])
    elif info.get("cmd") is not None:
        task["cmd"] = info["cmd"]
    depends = [_task_dependency(dep) for dep in info.get("depends_on") or []]
    if depends:
        task["depends-on"] = depends
    for key, field in _TASK_LIST_FIELDS:
        if info.get(field) is not None:
            task[key] = info[field]
    if info.get("clean_env"):
        task["clean-env"] = True
    else:  # pixi prints false for both an absent and an explicit `clean-env = false`
        unobserved.append(f"/tasks/{name}/clean-env")
    if info.get("args") is not None:
        task["args"] = [_task_argument(arg) for arg in info["args"]]
    return task


def _tasks(
    listing: list[dict[str, Any]], environment: str, features: list[str], unobserved: list[str]
) -> dict[str, Any]:
    """``Environment::tasks``: the inline feature first, then the features in use order; the
    first definition of a name wins (``task list`` orders features by hash: re-ordered here)."""
    entry = next((e for e in listing if e.get("environment") == environment), None)
    if entry is None:
        return {}
    by_feature = {f.get("name"): f.get("tasks") or [] for f in entry.get("features") or []}
    chain = [entry.get("tasks") or []] + [by_feature.get(f, []) for f in features]
    chain += [tasks for name, tasks in by_feature.items() if name not in features]
    result: dict[str, Any] = {}
    for tasks in chain:
        for task in tasks:
            name = task.get("name")
            if name not in result:
                result[name] = _task(task, name, unobserved)
    return result


_DRY_RUN = re.compile(r"Pixi task \((?P<name>.+?)(?: in (?P<env>\S+))?\): (?P<cmd>.*)$")


def dry_run_command(stdout: str, name: str) -> str | None:
    """The command ``pixi run --dry-run`` announces for task ``name`` (``run.rs``:
    ``✨ Pixi task (NAME[ in ENV]): COMMAND[: (DESCRIPTION)]``), description included."""
    for line in stdout.splitlines():
        found = _DRY_RUN.search(line)
        if found and found.group("name") == name:
            return found.group("cmd")
    return None


def _same_command(shown: str, cmd: str, description: Any) -> bool:
    if isinstance(description, str) and shown.endswith(f": ({description})"):
        shown = shown[: -len(f": ({description})")]
    return cmd in (shown, _unquoted(shown))


def _unquoted(shown: str) -> str:
    """A list ``cmd`` is shown shell-quoted by ``run``, joined plainly by ``task list``."""
    try:
        return " ".join(shlex.split(shown))
    except ValueError:  # e.g. `echo "a b" it's`: only words with spaces are quoted
        return re.sub(r'"([^"]*)"', r"\1", shown)


def _check_target_precedence(
    session: Session, environment: str, tasks: dict[str, Any], unobserved: list[str]
) -> None:
    """``task list --json`` resolves each feature's targets for the best platform in the
    opposite precedence (``Environment::feature_tasks`` collects ``Targets::resolve``, most
    specific first, into a map: the *least* specific definition is printed), while
    ``Environment::tasks`` (what ``pixi run`` runs) lets the most specific win.  Each task's
    command is checked against ``pixi run --dry-run``; when they differ, the command is the
    one ``run`` announces and the task's other fields are not observable."""
    for name, task in tasks.items():
        cmd = task.get("cmd")
        if not isinstance(cmd, str) or "{{" in cmd:
            continue
        ran = session.run(
            "run",
            "--dry-run",
            "--frozen",
            "--no-install",
            "--skip-deps",
            "-e",
            environment,
            *session.manifest_args(),
            name,
            check=False,
        )
        shown = dry_run_command(ran.stdout + "\n" + ran.stderr, name) if ran.ok else None
        if shown is None or _same_command(shown, cmd, task.get("description")):
            continue
        shown = re.sub(r": \(.*\)$", "", shown)
        tasks[name] = {"cmd": JoinedCommand(_unquoted(shown))}
        unobserved += [f"/tasks/{name}/{key}" for key in _TASK_FIELDS]


#: Task fields besides ``cmd`` (CASE-FORMAT.md §3.1).
_TASK_FIELDS = (
    "depends-on",
    "cwd",
    "env",
    "inputs",
    "outputs",
    "clean-env",
    "description",
    "args",
    "default-environment",
)


def _platform_order(listing: dict[str, Any]) -> list[str]:
    return [p.get("name") for p in listing.get("platforms") or [] if not p.get("is_autodetected")]


#: The export's error for a platform the workspace does not declare (``pixi_cli``
#: ``workspace/export/conda_environment.rs``).
NO_SUCH_PLATFORM = "workspace does not define a platform with subdir"


def _refuses_platform(
    session: Session, environment: str, platform: str, supported_platforms: set[str]
) -> Outcome:
    """The export prints an environment for any workspace platform, also one the environment
    does not support (``info --json`` lists the environment's platforms).  Using it there fails
    (``Environment::validate_platform_support``); ``pixi run --platform`` shows that failure
    with its own message ("platform 'P' is not part of environment 'E'", ``run.rs``), so the
    failure is observed but the rule's message is not (``/error`` unobserved).  An environment
    with no platform at all is not refused by ``run`` (it fails only for a task: "the task is
    not available in environment"); then the failure is what ``info --json`` shows: the
    platform is not the environment's."""
    ran = session.run(
        "run",
        "--dry-run",
        "--frozen",
        "--platform",
        platform,
        "-e",
        environment,
        *session.manifest_args(),
        "true",
        check=False,
    )
    if ran.ok:
        supported = ", ".join(sorted(supported_platforms)) or "none"
        return Failed(
            message=(
                f"pixiconf: `pixi info --json` lists the platforms of environment "
                f"'{environment}' as [{supported}], not '{platform}'"
            ),
            transcript=session.transcript(),
            unobserved=("/error",),
        )
    outcome = failed(session, ran)
    return replace(outcome, unobserved=("/error",)) if isinstance(outcome, Failed) else outcome


def resolve(session: Session) -> Outcome:
    args = session.request.args
    environment = str(args.get("environment", "default"))
    platform = args.get("platform")
    if not isinstance(platform, str):
        return Failed("the 'resolve' operation requires the argument 'platform'")
    exported = session.run(
        "workspace",
        "export",
        "conda-environment",
        "-e",
        environment,
        "-p",
        platform,
        *session.manifest_args(),
        check=False,
    )
    if not exported.ok:
        outcome = failed(session, exported)
        if NO_SUCH_PLATFORM in exported.stderr and isinstance(outcome, Failed):
            # the workspace lacks the platform: the rule's message (UnsupportedPlatformError)
            # is not what the export prints
            outcome = replace(outcome, unobserved=("/error",))
        return outcome
    try:
        export = load_export(exported.stdout)
    except yaml.YAMLError as exc:
        raise CommandFailed(exported) from exc
    info = session.json("info", "--json", *session.manifest_args())
    env_info = next(
        (e for e in info.get("environments_info") or [] if e.get("name") == environment), {}
    )
    listed = session.json("workspace", "platform", "list", "--json", *session.manifest_args())
    in_env = {p.get("name") for p in env_info.get("platforms") or []}
    # an environment with system requirements has composed platforms ("linux-64-cuda-11-8")
    # for the subdir that the case names
    subdirs = {p.get("subdir") for p in env_info.get("platforms") or []}
    if platform not in in_env and platform not in subdirs:
        return _refuses_platform(session, environment, platform, in_env)
    order = _platform_order(listed)
    platforms = [p for p in order if p in in_env] + sorted(in_env.difference(order))

    unobserved: list[str] = list(RESOLVE_UNOBSERVED)
    dependencies, pypi, more = _dependencies(
        export if isinstance(export, dict) else {}, skipped_dependencies(exported.stderr), env_info
    )
    unobserved += more
    features = list(env_info.get("features") or [])
    observation: dict[str, Any] = {
        # `info` leaves out the environment's own inline feature (named after it, first)
        "features": MaybePrefixed(features, prefix=environment),
        "channels": list(env_info.get("channels") or []),
        "platforms": platforms,
        "dependencies": dependencies,
        "pypi-dependencies": pypi,
    }
    host = info.get("platform")
    variables = dict((export or {}).get("variables") or {})
    if platform == host and host in in_env:
        listing = session.json("task", "list", "--json", *session.manifest_args())
        observation["tasks"] = _tasks(listing, environment, features, unobserved)
        _check_target_precedence(session, environment, observation["tasks"], unobserved)
        hook = session.json(
            "shell-hook",
            "--json",
            "--no-install",
            "--frozen",
            "-e",
            environment,
            *session.manifest_args(),
        )
        root = Path(info.get("project_info", {}).get("manifest_path") or ".").parent
        scripts = [_script(p, root) for p in hook.get("activation_scripts") or []]
        observation["activation"] = {"scripts": scripts, "env": variables}
    else:
        # `task list` resolves for the best platform, `shell-hook` activates the host one.
        unobserved += ["/tasks", "/activation/scripts"]
        observation["activation"] = {"env": variables}
    return Observed(
        observation,
        warnings=_warning_texts(exported.stderr),
        unobserved=tuple(dict.fromkeys(unobserved)),
    )


def _script(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


# --------------------------------------------------------------------------- lock


def _rewriter(session: Session):
    from pixiconf.operations.lock import rewrite_local_paths

    channels = dict(session.request.channels)
    root = session.request.workspace_root
    return lambda value: rewrite_local_paths(value, channels, root)


def _lock_path(session: Session) -> Path | None:
    start = session.request.cwd
    for directory in (start, *start.parents):
        if (directory / "pixi.lock").is_file():
            return directory / "pixi.lock"
        if directory == session.request.workspace_root:
            break
    return None


def lock(session: Session) -> Outcome:
    from pixiconf.operations.lock import observe_lock_text

    rewrite = _rewriter(session)
    done = session.run("lock", *session.manifest_args(), offline=False, check=False)
    if not done.ok:
        return failed(session, done, rewrite)
    path = _lock_path(session)
    if path is None:
        info = session.json("info", "--json", *session.manifest_args())
        manifest = (info.get("project_info") or {}).get("manifest_path")
        path = Path(manifest).parent / "pixi.lock" if manifest else None
    if path is None or not path.is_file():
        return failed(session, done, rewrite)
    value = observe_lock_text(
        path.read_text(encoding="utf-8"), session.request.channels, session.request.workspace_root
    )
    return Observed(value, warnings=tuple(rewrite(w) for w in _warning_texts(done.stderr)))


#: pixi's message when ``--locked`` finds the lock file out of date (``lock_file/update.rs``).
NOT_UP_TO_DATE = "lock file not up-to-date with the workspace"
#: What pixi logs when the check passes (``lock_file/update.rs``, ``update_lock_file``).
UP_TO_DATE = "the lock file is up-to-date"


def lock_check(session: Session) -> Outcome:
    rewrite = _rewriter(session)
    listed = session.run(
        "list",
        "--locked",
        *session.manifest_args(),
        extra={"RUST_LOG": "pixi_core=info"},
        check=False,
    )
    warnings = tuple(rewrite(w) for w in _warning_texts(listed.stderr))
    if NOT_UP_TO_DATE in listed.stderr:
        reasons = [rewrite(m) for m in info_messages(listed.stderr, "out of date because")]
        return Observed({"satisfiable": False, "reasons": reasons}, warnings=warnings)
    # The check passed when pixi logged so (`update.rs`: INFO "the lock file is up-to-date", or
    # the WARN "... is up-to-date but uses an older format"): what `list` does next (e.g. "no
    # platform supported by environment 'default' matches the current system") is not the check.
    if (
        listed.ok
        or UP_TO_DATE in listed.stderr
        or "No packages found" in listed.stderr + listed.stdout
    ):
        return Observed({"satisfiable": True, "reasons": []}, warnings=warnings)
    return failed(session, listed, rewrite)
