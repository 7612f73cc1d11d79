"""The shim's commands, each backed by the reference operations (:mod:`pixiconf.operations`).

Output shapes follow pixi 0.77's source: ``crates/pixi_cli/src/info.rs`` (``Info``),
``task.rs`` (``EnvTasks``/``TaskInfo``), ``shell_hook.rs`` (``ShellEnv``),
``workspace/export/conda_environment.rs`` (``build_env_yaml``), ``workspace/platform.rs``,
``lock_file/outdated.rs`` (INFO lines) and ``lock_file/update.rs`` (the ``--locked`` error).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pixiconf import PIXI_VERSION
from pixiconf.implementations.pixi_shim.terminal import (
    UNSUPPORTED_MARKER,
    guard,
    host_platform,
    make_request,
    print_warnings,
)


def _load(options: dict[str, Any]):
    from pixiconf.manifest.load import load_manifest
    from pixiconf.workspace.discovery import discover_workspace

    cwd = Path.cwd()
    found = discover_workspace(
        cwd, manifest_path=options.get("manifest_path"), env=dict(os.environ), stop_at=None
    )
    try:
        display = found.path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        display = str(found.path)
    manifest = load_manifest(found.path, display=display, text=found.text)
    return found, manifest, [*found.warnings, *manifest.warnings]


# --------------------------------------------------------------------------- workspace


def name_get(options: dict[str, Any]) -> int:
    found, manifest, warnings = _load(options)
    print_warnings(warnings)
    print(getattr(manifest.workspace, "name", None) or found.path.parent.name)
    return 0


def _env_platforms(manifest, env) -> list[str]:
    from pixiconf.workspace.environments import environment_platforms

    return environment_platforms(manifest, env)


def info(options: dict[str, Any]) -> int:
    from pixiconf.diagnostics import DiagnosticError

    try:
        found, manifest, _ = _load(options)
    except DiagnosticError:
        found = manifest = None
    cache = os.environ.get("PIXI_CACHE_DIR", "")
    home = os.environ.get("PIXI_HOME", "")
    result: dict[str, Any] = {
        "platform": host_platform(),
        "virtual_packages": [],
        "version": PIXI_VERSION,
        "tls_backend": "rustls",
        "cache_dir": cache or None,
        "cache_size": None,
        "auth_dir": os.path.join(home, "credentials.json"),
        "global_info": {
            "bin_dir": os.path.join(home, "bin"),
            "env_dir": os.path.join(home, "envs"),
            "manifest": os.path.join(home, "manifests", "pixi-global.toml"),
        },
        "project_info": None,
        "environments_info": [],
        "config_locations": [],
    }
    if manifest is not None:
        result["project_info"] = {
            "name": getattr(manifest.workspace, "name", None) or found.path.parent.name,
            "manifest_path": str(found.path.resolve()),
            "last_updated": None,
            "pixi_folder_size": None,
            "version": None,
        }
        result["environments_info"] = _environments_info(manifest, found.path.parent)
    print(json.dumps(result, indent=2))
    return 0


def _environments_info(manifest, root: Path) -> list[dict[str, Any]]:
    from pixiconf.workspace.environments import (
        environment_features,
        environments_observation,
        prioritized_channels,
    )

    observed = environments_observation(manifest)["environments"]
    out = []
    for name, env in manifest.environments.items():
        seen = observed.get(name, {})
        features = environment_features(manifest, env)
        out.append(
            {
                "name": name,
                "features": seen.get("features", []),
                "solve_group": seen.get("solve-group"),
                "environment_size": None,
                "dependencies": [],
                "pypi_dependencies": [],
                "platforms": [
                    {"name": p, "subdir": p, "virtual_packages": []}
                    for p in _env_platforms(manifest, env)
                ],
                "resolved_platform": None,
                "minimum_supported_platform": None,
                "tasks": [],
                "channels": prioritized_channels(manifest, features),
                "prefix": str(root / ".pixi" / "envs" / name),
            }
        )
    return out


def platform_list(options: dict[str, Any]) -> int:
    _, manifest, warnings = _load(options)
    print_warnings(warnings)
    host = host_platform()
    entries = [
        {
            "name": "current",
            "subdir": host,
            "virtual_packages": [],
            "detected_virtual_packages": [],
            "features": [],
            "declared_inline_in_environments": [],
            "environments": [],
            "is_current": True,
            "is_autodetected": True,
        }
    ]
    for name in manifest.workspace.platforms:
        entries.append(
            {
                "name": name,
                "subdir": name,
                "virtual_packages": [],
                "detected_virtual_packages": [],
                "features": [],
                "declared_inline_in_environments": [],
                "environments": [],
                "is_current": name == host,
                "is_autodetected": False,
            }
        )
    print(json.dumps({"current_subdir": host, "platforms": entries}, indent=2))
    return 0


# --------------------------------------------------------------------------- export


_SOURCE_KEYS = ("path", "git", "url")


def _match_spec(name: str, spec: Any) -> str | None:
    """The conda-environment line of one spec (MatchSpec display), ``None`` for a source."""
    if isinstance(spec, str):
        return name if spec.strip() == "*" else f"{name} {spec}"
    if not isinstance(spec, dict) or any(k in spec for k in _SOURCE_KEYS):
        return None
    text = f"{spec['channel']}::{name}" if spec.get("channel") else name
    version = spec.get("version")
    if version and str(version).strip() != "*":
        text += f" {version}"
    extra = [f"{k}={v}" for k, v in spec.items() if k not in ("channel", "version")]
    if extra:
        text += "[" + ", ".join(extra) + "]"
    return text


def _pip_line(name: str, spec: Any) -> str:
    if isinstance(spec, str):
        return name if spec.strip() == "*" else f"{name}{spec}"
    if isinstance(spec, dict):
        extras = "[" + ",".join(spec["extras"]) + "]" if spec.get("extras") else ""
        if "path" in spec:
            return ("-e " if spec.get("editable") else "") + f"{spec['path']}{extras}"
        if "git" in spec:
            return f"{name}{extras} @ git+{spec['git']}"
        if "url" in spec:
            return f"{name}{extras} @ {spec['url']}"
        version = spec.get("version")
        return f"{name}{extras}{version if version and version != '*' else ''}"
    return name


def export_conda_environment(options: dict[str, Any]) -> int:
    import yaml

    from pixiconf.workspace.environments import resolve

    environment = str(options.get("environment") or "default")
    platform = options.get("platform") or host_platform()
    _, manifest, warnings = _load(options)
    observation = resolve(manifest, environment, str(platform))
    print_warnings(warnings)
    dependencies: list[Any] = []
    for name, specs in observation["dependencies"].items():
        for spec in specs:
            line = _match_spec(name, spec)
            if line is None:
                print(
                    f" WARN pixi_cli::workspace::export::conda_environment: Failed to convert "
                    f"dependency to conda environment spec: PackageName {{ normalized: None, "
                    f'source: "{name}" }}. Skipping dependency',
                    file=sys.stderr,
                )
            else:
                dependencies.append(line)
    pip = [
        _pip_line(name, spec)
        for name, specs in observation["pypi-dependencies"].items()
        for spec in specs
    ]
    if pip:
        dependencies += ["pip", {"pip": pip}]
    document: dict[str, Any] = {
        "name": environment,
        "channels": [*observation["channels"], "nodefaults"],
        "dependencies": dependencies,
    }
    if observation["activation"]["env"]:
        document["variables"] = dict(observation["activation"]["env"])
    print(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), end="")
    return 0


# --------------------------------------------------------------------------- tasks, shell-hook


def _best_platform(manifest, env) -> str | None:
    platforms = _env_platforms(manifest, env)
    host = host_platform()
    return host if host in platforms else (platforms[0] if platforms else None)


def _task_info(name: str, task: dict[str, Any]) -> dict[str, Any]:
    cmd = task.get("cmd")
    depends = []
    for dep in task.get("depends-on") or []:
        if isinstance(dep, str):
            depends.append({"task_name": dep, "args": None, "environment": None})
        else:
            depends.append(
                {
                    "task_name": dep.get("task"),
                    "args": dep.get("args"),
                    "environment": dep.get("environment"),
                }
            )
    args = None
    if task.get("args") is not None:
        args = [
            {"name": a, "default": None, "choices": None}
            if isinstance(a, str)
            else {"name": a.get("arg"), "default": a.get("default"), "choices": a.get("choices")}
            for a in task["args"]
        ]
    return {
        "name": name,
        "cmd": " ".join(cmd) if isinstance(cmd, list) else cmd,
        "description": task.get("description"),
        "depends_on": depends,
        "args": args,
        "cwd": task.get("cwd"),
        "env": task.get("env"),
        "default_environment": task.get("default-environment"),
        "clean_env": bool(task.get("clean-env")),
        "inputs": task.get("inputs"),
        "outputs": task.get("outputs"),
    }


def task_list(options: dict[str, Any]) -> int:
    from pixiconf.workspace.environments import (
        INLINE_PREFIX,
        display_name,
        environment_features,
        environment_tasks,
    )

    if not options.get("json"):
        print(f"{UNSUPPORTED_MARKER}only `task list --json` is answered", file=sys.stderr)
        return 3
    _, manifest, warnings = _load(options)
    print_warnings(warnings)
    out = []
    for name in sorted(manifest.environments):
        env = manifest.environments[name]
        best = _best_platform(manifest, env)
        entry: dict[str, Any] = {"environment": name, "tasks": [], "features": []}
        for feature in environment_features(manifest, env):
            tasks = environment_tasks([feature], best) if best else {}
            serial = [_task_info(n, t) for n, t in tasks.items()]
            if feature.name.startswith(INLINE_PREFIX):
                entry["tasks"].extend(serial)
            else:
                entry["features"].append({"name": display_name(feature), "tasks": serial})
        out.append(entry)
    print(json.dumps(out, indent=2))
    return 0


def shell_hook(options: dict[str, Any]) -> int:
    from pixiconf.workspace.environments import resolve

    if not options.get("json"):
        print(f"{UNSUPPORTED_MARKER}only `shell-hook --json` is answered", file=sys.stderr)
        return 3
    found, manifest, warnings = _load(options)
    environment = str(options.get("environment") or "default")
    observation = resolve(manifest, environment, host_platform())
    print_warnings(warnings)
    root = found.path.parent.resolve()
    variables = {
        "PIXI_PROJECT_ROOT": str(root),
        "PIXI_ENVIRONMENT_NAME": environment,
        **observation["activation"]["env"],
    }
    scripts = [str(root / s) for s in observation["activation"]["scripts"] if (root / s).is_file()]
    print(json.dumps({"environment_variables": variables, "activation_scripts": scripts}))
    return 0


# --------------------------------------------------------------------------- lock


def lock(options: dict[str, Any]) -> int:
    from pixiconf.lock import lock_workspace
    from pixiconf.operations.lock import _check_raw

    found, manifest, warnings = _load(options)
    _check_raw(found.path, found.text)
    _, lock_warnings = lock_workspace(manifest, found.path.parent, {})
    print_warnings([*warnings, *lock_warnings])
    print("✔ Lock-file was updated", file=sys.stderr)
    return 0


def list_locked(options: dict[str, Any]) -> int:
    from pixiconf.operations.registry import run_operation

    if not (options.get("locked") or options.get("frozen")):
        print(f"{UNSUPPORTED_MARKER}only `list --locked` is answered (no solving)", file=sys.stderr)
        return 3
    args = {"manifest-path": options["manifest_path"]} if options.get("manifest_path") else {}
    result = run_operation(make_request("lock-check", args))
    print_warnings(result.warnings)
    if not result.value["satisfiable"]:
        for reason in result.value["reasons"]:
            print(f" INFO pixi_core::lock_file::outdated: {reason}", file=sys.stderr)
        print("Error:   × lock file not up-to-date with the workspace", file=sys.stderr)
        return 1
    platform = host_platform()
    print(
        f"Error:   × No packages found in 'default' environment for '{platform}' platform.",
        file=sys.stderr,
    )
    return 1


# --------------------------------------------------------------------------- build


def build(options: dict[str, Any]) -> int:
    from pixiconf.implementations.pixi_shim.backend import build as run_build

    return run_build(options, make_request)


HANDLERS: dict[tuple[str, ...], Callable[[dict[str, Any]], int]] = {
    ("workspace", "name", "get"): name_get,
    ("info",): info,
    ("workspace", "platform", "list"): platform_list,
    ("workspace", "platform", "ls"): platform_list,
    ("workspace", "export", "conda-environment"): export_conda_environment,
    ("task", "list"): task_list,
    ("task", "ls"): task_list,
    ("shell-hook",): shell_hook,
    ("lock",): lock,
    ("list",): list_locked,
    ("ls",): list_locked,
    ("build",): build,
}


def run(command: tuple[str, ...], options: dict[str, Any]) -> int:
    handler = HANDLERS[command]
    return guard(lambda: handler(options))
