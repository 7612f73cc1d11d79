"""The legacy ``conda_build_config.yaml``: ``# [selector]`` lines, numbers kept as text.

rattler-build ``rattler_build_variant_config/src/conda_build_config.rs``: a line whose
``# [...]`` selector is false is dropped before the YAML is read (a selector that cannot be
evaluated drops its line too), ``os.environ.get`` reads the given environment, list items that
look like numbers stay text, ``pin_run_as_build`` is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from pixiconf.pixibuild.jinja import Scope, evaluate_condition
from pixiconf.pixibuild.platforms import platform_context
from pixiconf.pixibuild.variant_config import INT, VariantConfig, VariantError, scalar_value

__all__ = ["CONDA_BUILD_CONFIG", "parse_conda_build_config"]

CONDA_BUILD_CONFIG = "conda_build_config.yaml"
_FLOAT = re.compile(
    r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?"
    r"|inf|infinity|nan)",
    re.IGNORECASE,
)


def _legacy_line(line: str) -> tuple[str, str | None]:
    content, sep, comment = line.partition("#")
    if not sep:
        return line.rstrip(), None
    cond = comment.strip()
    if cond.startswith("[") and cond.endswith("]"):
        return content.rstrip(), cond[1:-1].strip()
    return content.rstrip(), None


def _legacy_condition(condition: str, scope: Scope, env: Mapping[str, str]) -> bool:
    if not condition:
        return True
    condition = condition.replace("os.environ.get", "environ_get")
    try:
        return evaluate_condition(condition, scope)
    except VariantError:
        return False  # a selector that cannot be evaluated drops its line


def parse_conda_build_config(
    text: str,
    platform: str,
    display: str = CONDA_BUILD_CONFIG,
    *,
    env: Mapping[str, str] | None = None,
) -> VariantConfig:
    """A legacy ``conda_build_config.yaml``: ``# [selector]`` lines, numbers kept as text."""
    env = env or {}
    scope = Scope(
        platform_context(platform),
        target_platform=platform,
        functions={"environ_get": lambda name, default="": env.get(name, default)},
    )
    lines = []
    for raw in text.splitlines():
        content, condition = _legacy_line(raw)
        if condition is not None and not _legacy_condition(condition, scope, env):
            continue
        stripped = content.strip()
        if stripped.startswith("- "):
            item = stripped[2:].strip()
            if _FLOAT.fullmatch(item) or INT.fullmatch(item):
                content = content.replace(item, f'"{item}"')
        lines.append(content)
    try:
        root = yaml.compose("\n".join(lines), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise VariantError(f"Invalid variant configuration: {exc}") from None
    config = VariantConfig()
    if root is None or (isinstance(root, yaml.ScalarNode) and root.value in ("", "~", "null")):
        return config
    if not isinstance(root, yaml.MappingNode):
        raise VariantError(
            "Invalid variant configuration: Expected conda_build_config.yaml to be a mapping"
        )
    for key_node, value_node in root.value:
        key = key_node.value
        if key == "pin_run_as_build":
            continue
        if (
            isinstance(value_node, yaml.ScalarNode)
            and value_node.style is None
            and value_node.value in ("", "~", "null", "Null", "NULL")
        ):
            continue
        if key == "zip_keys":
            config.zip_keys = _legacy_zip_keys(value_node)
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            raise VariantError(
                f"Invalid variant configuration: the value of '{key}' must be a list"
            )
        config.insert(key, [_legacy_value(item, key) for item in value_node.value])
    return config


def _legacy_value(node: yaml.Node, key: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise VariantError(f"Invalid variant configuration: values of '{key}' must be scalars")
    return scalar_value(node, i64=False)


def _legacy_zip_keys(node: yaml.Node) -> list[list[str]]:
    if not isinstance(node, yaml.SequenceNode) or not all(
        isinstance(g, yaml.SequenceNode) for g in node.value
    ):
        raise VariantError(
            "Invalid variant configuration: zip_keys must be a list of lists of keys"
        )
    return [[k.value for k in g.value] for g in node.value]
