"""``[tasks]`` entries (``crates/pixi_manifest/src/toml/task.rs``, ``impl Deserialize for TomlTask``).

A task is a string (a command), a table with ``cmd`` (an execute task), a table without ``cmd``
(an alias with ``depends-on``), or an array of ``{task = ...}`` tables (an alias).  The
observation (CASE-FORMAT.md §3.1) keeps ``cmd, depends-on, cwd, env, inputs, outputs,
clean-env, description`` and omits what is absent.
"""

from __future__ import annotations

from typing import Any

from .source import KeyPath, ManifestSource

EXECUTE_KEYS = ("cmd", "inputs", "outputs", "depends-on", "cwd", "env",
                "default-environment", "description", "clean-env", "args")
ALIAS_KEYS = ("cmd", "depends-on", "description", "args")


def _dependency(source: ManifestSource, path: KeyPath, item: Any) -> Any:
    if isinstance(item, str):
        return item
    if not isinstance(item, dict):
        raise source.error(path, f"expected string or table, found {_type(item)}")
    table = source.reader(path, item)
    name = table.required("task", source.string)
    args = table.optional("args", source.array)
    environment = table.optional("environment", source.string)
    table.finalize()
    if args is None and environment is None:
        return name
    result: dict[str, Any] = {"task": name}
    if args is not None:
        result["args"] = args
    if environment is not None:
        result["environment"] = environment
    return result


def _depends_on(source: ManifestSource, path: KeyPath, value: Any) -> list[Any]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [_dependency(source, path, value)]
    if not isinstance(value, list):
        raise source.error(path, f"expected string or array, found {_type(value)}")
    return [_dependency(source, (*path, str(i)), item) for i, item in enumerate(value)]


def parse_task(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"cmd": value}
    if isinstance(value, list):
        deps = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise source.error((*path, str(i)), f"expected table, found {_type(item)}")
            deps.append(_dependency(source, (*path, str(i)), item))
        return {"depends-on": deps}
    if not isinstance(value, dict):
        raise source.error(path, f"expected string or table, found {_type(value)}")
    if "depends_on" in value:
        source.warn((*path, "depends_on"),
                    "The `depends_on` field is deprecated. Use `depends-on` instead.",
                    label="replace this with 'depends-on'")
        value = {("depends-on" if k == "depends_on" else k): v for k, v in value.items()}
    table = source.reader(path, value)
    task: dict[str, Any] = {}
    cmd = table.optional("cmd")
    if cmd is not None:
        if isinstance(cmd, list):
            source.strings((*path, "cmd"), cmd)
        elif not isinstance(cmd, str):
            raise source.error((*path, "cmd"), f"expected string or array, found {_type(cmd)}")
        task["cmd"] = cmd
        task["inputs"] = table.optional("inputs", source.strings)
        task["outputs"] = table.optional("outputs", source.strings)
    task["depends-on"] = table.optional("depends-on", lambda p, v: _depends_on(source, p, v))
    if cmd is not None:
        task["cwd"] = table.optional("cwd", source.string)
        env = table.optional("env", source.table)
        if env is not None:
            for key, item in env.items():
                source.string((*path, "env", key), item)
        task["env"] = env
        task["default-environment"] = table.optional("default-environment", source.string)
    task["description"] = table.optional("description", source.string)
    if cmd is not None:
        task["clean-env"] = table.optional("clean-env", source.boolean)
    args = table.optional("args", source.array)
    table.finalize()
    if args is not None:
        seen_default = False
        for arg in args:
            has_default = isinstance(arg, dict) and "default" in arg
            seen_default = seen_default or has_default
            if seen_default and not has_default:
                raise source.error(path, "default value required after previous arguments with defaults")
        task["args"] = args
    return {k: v for k, v in task.items() if v is not None}


def parse_tasks(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, dict[str, Any]]:
    table = source.table(path, value)
    return {name: parse_task(source, (*path, name), item) for name, item in table.items()}


def _type(value: Any) -> str:
    from .source import toml_type_name

    return toml_type_name(value)
