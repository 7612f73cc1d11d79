"""``[tasks]`` entries (``crates/pixi_manifest/src/toml/task.rs``, ``impl Deserialize for
TomlTask``).

A task is a string (a command), a table with ``cmd`` (an execute task), a table without ``cmd``
(an alias with ``depends-on``), or an array of ``{task = ...}`` tables (an alias).  The
observation (CASE-FORMAT.md §3.1) keeps ``cmd, depends-on, cwd, env, inputs, outputs,
clean-env, description`` and omits what is absent.
"""

from __future__ import annotations

import re
from typing import Any

from pixiconf.manifest.source import KeyPath, ManifestSource, Table

EXECUTE_KEYS = (
    "cmd",
    "inputs",
    "outputs",
    "depends-on",
    "cwd",
    "env",
    "default-environment",
    "description",
    "clean-env",
    "args",
)
ALIAS_KEYS = ("cmd", "depends-on", "description", "args")


ENVIRONMENT_NAME_RE = re.compile(r"^[a-z0-9-]+$")


def _environment_name(source: ManifestSource, path: KeyPath, value: Any) -> str:
    """``TomlFromStr<EnvironmentName>`` (``crates/pixi_manifest/src/environment.rs``)."""
    name = source.from_str(path, value)
    if not ENVIRONMENT_NAME_RE.match(name):
        raise source.error(
            path,
            f"Failed to parse environment name '{name}', please use only "
            "lowercase letters, numbers and dashes",
        )
    return name


def _dependency_arg(source: ManifestSource, path: KeyPath, value: Any) -> Any:
    """``impl Deserialize for DependencyArg``: a string, or a table with exactly one entry."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        raise source.error(path, f"expected string or {{ string = string }}, found {_type(value)}")
    if len(value) != 1:
        # itertools `exactly_one` error text
        raise source.error(
            path,
            "got zero elements when exactly one was expected"
            if not value
            else "got at least 2 elements when exactly one was expected",
        )
    ((key, item),) = value.items()
    return {key: source.string((*path, key), item)}


def _dependency(source: ManifestSource, path: KeyPath, item: Any, *, finalize: bool = True) -> Any:
    """One ``{task, args, environment}`` table.  pixi only rejects unknown keys in the
    ``depends-on`` list; the alias-array and deprecated ``depends_on`` forms never call
    ``TableHelper::finalize`` (``crates/pixi_manifest/src/toml/task.rs``)."""
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        raise source.error(path, f"expected string or table, found {_type(item)}")
    table = source.reader(path, item)
    name = table.required("task", source.string)
    args = table.optional("args", source.array)
    if args is not None:
        args = [_dependency_arg(source, (*path, "args", str(i)), a) for i, a in enumerate(args)]
    environment = table.optional("environment", lambda p, v: _environment_name(source, p, v))
    if finalize:
        table.finalize()
    if args is None and environment is None:
        return name
    return _present({"task": name, "args": args, "environment": environment})


def _depends_on(
    source: ManifestSource, path: KeyPath, value: Any, *, finalize: bool = True
) -> list[Any]:
    # A single table is not accepted: ``expected string or array, found table``
    # (snapshot toml__task__test__depends_on_is_list).
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise source.error(path, f"expected string or array, found {_type(value)}")
    return [
        _dependency(source, (*path, str(i)), item, finalize=finalize)
        for i, item in enumerate(value)
    ]


def _glob_patterns(source: ManifestSource, path: KeyPath, value: Any) -> list[str]:
    if not isinstance(value, list):
        raise source.error(
            path, f'expected an array of args e.g. ["main.py", "tests_*"], found {_type(value)}'
        )
    return [source.string((*path, str(i)), item) for i, item in enumerate(value)]


def _arg_name(source: ManifestSource, path: KeyPath, value: Any) -> str:
    name = source.from_str(path, value)
    if "-" in name:
        raise source.error(
            path, f"'{name}' is not a valid argument name since it contains the character '-'"
        )
    return name


def _task_arg(source: ManifestSource, path: KeyPath, value: Any) -> Any:
    """``impl Deserialize for TaskArg``: a name, or ``{arg, default, choices}``."""
    if isinstance(value, str):
        return _arg_name(source, path, value)
    if not isinstance(value, dict):
        raise source.error(path, f"expected string or table, found {_type(value)}")
    table = source.reader(path, value)
    name = table.required("arg", lambda p, v: _arg_name(source, p, v))
    default = table.optional("default", source.string)
    choices = table.optional("choices", source.strings)
    table.finalize()
    if default is not None and choices is not None and default not in choices:
        raise source.error(
            path,
            f"default value '{default}' is not one of the allowed choices: " + ", ".join(choices),
        )
    return _present({"arg": name, "default": default, "choices": choices})


def _task_args(source: ManifestSource, path: KeyPath, value: Any) -> list[Any]:
    return [_task_arg(source, (*path, str(i)), a) for i, a in enumerate(source.array(path, value))]


def parse_task(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    """One task: a command string, an alias list, or a table (with ``cmd``: an execute task,
    whose extra keys are read in ``TomlTask::deserialize`` order)."""
    if isinstance(value, str):
        return {"cmd": value}
    if isinstance(value, list):
        return {"depends-on": _alias_list(source, path, value)}
    if not isinstance(value, dict):
        raise source.error(path, f"expected string or table, found {_type(value)}")
    table = source.reader(path, value)
    task: dict[str, Any] = {}
    cmd = table.optional("cmd", lambda p, v: _cmd(source, p, v))
    execute = cmd is not None
    if execute:
        task["cmd"] = cmd
        task["inputs"] = table.optional("inputs", lambda p, v: _glob_patterns(source, p, v))
        task["outputs"] = table.optional("outputs", lambda p, v: _glob_patterns(source, p, v))
    task["depends-on"] = _read_depends_on(source, path, table)
    if execute:
        task["cwd"] = table.optional("cwd", source.from_str)
        task["env"] = table.optional("env", lambda p, v: _env(source, p, v))
        task["default-environment"] = table.optional(
            "default-environment", lambda p, v: _environment_name(source, p, v)
        )
    task["description"] = table.optional("description", source.string)
    if execute:
        task["clean-env"] = table.optional("clean-env", source.boolean)
    args = table.optional("args", lambda p, v: _task_args(source, p, v))
    if args is not None and execute:
        # Only execute tasks check the order of defaults, before unknown keys are reported.
        _check_arg_defaults(source, path, args)
    table.finalize()
    task["args"] = args
    return _present(task)


def _alias_list(source: ManifestSource, path: KeyPath, value: list[Any]) -> list[Any]:
    """An array of ``{task = ...}`` tables (an alias; unknown keys are not rejected)."""
    deps = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise source.error((*path, str(i)), f"expected table, found {_type(item)}")
        deps.append(_dependency(source, (*path, str(i)), item, finalize=False))
    return deps


def _cmd(source: ManifestSource, path: KeyPath, value: Any) -> Any:
    """``cmd``: a string, or an array of strings."""
    if isinstance(value, list):
        source.strings(path, value)
    elif not isinstance(value, str):
        raise source.error(path, f"expected string or array, found {_type(value)}")
    return value


def _env(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    """``env``: a table of strings."""
    env = source.table(path, value)
    for key, item in env.items():
        source.string((*path, key), item)
    return env


def _read_depends_on(source: ManifestSource, path: KeyPath, table: Table) -> list[Any] | None:
    """``depends-on``, or its deprecated spelling ``depends_on`` (a warning)."""
    depends_on = table.optional("depends-on", lambda p, v: _depends_on(source, p, v))
    if depends_on is None and "depends_on" in table.remaining:
        # Read without being listed as expected, and never finalized.
        source.warn(
            (*path, "depends_on"),
            "The `depends_on` field is deprecated. Use `depends-on` instead.",
            label="replace this with 'depends-on'",
        )
        depends_on = _depends_on(
            source, (*path, "depends_on"), table.remaining.pop("depends_on"), finalize=False
        )
    return depends_on


def _check_arg_defaults(source: ManifestSource, path: KeyPath, args: list[Any]) -> None:
    """Once an argument has a default, every later one needs one."""
    seen_default = False
    for arg in args:
        has_default = isinstance(arg, dict) and "default" in arg
        seen_default = seen_default or has_default
        if seen_default and not has_default:
            raise source.error(
                path, "default value required after previous arguments with defaults"
            )


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that are set, in order (the observation omits what is absent)."""
    return {key: value for key, value in fields.items() if value is not None}


def parse_tasks(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, dict[str, Any]]:
    table = source.table(path, value)
    return {name: parse_task(source, (*path, name), item) for name, item in table.items()}


def _type(value: Any) -> str:
    from pixiconf.manifest.source import toml_type_name

    return toml_type_name(value)
