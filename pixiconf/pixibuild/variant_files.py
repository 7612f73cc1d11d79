"""Variant files: ``variants.yaml`` (rattler-build's format) and the order files merge in.

rattler-build ``rattler_build_variant_config``: ``config.rs`` (``VariantConfig::from_files``:
files merge in the order given, ``conda_build_config.yaml`` by its legacy reader),
``yaml_parser.rs`` (the file's shape and its ``expected X but got Y`` errors),
``evaluate.rs`` (``if/then/else`` items and ``${{ ... }}`` values evaluated for the target
platform) and ``variable_converter.rs`` (:func:`pixiconf.pixibuild.variant_config.scalar_value`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from pixiconf.pixibuild.conda_build_config import CONDA_BUILD_CONFIG, parse_conda_build_config
from pixiconf.pixibuild.hashing import NormalizedKey
from pixiconf.pixibuild.jinja import Scope, evaluate_condition, is_template, render_template
from pixiconf.pixibuild.platforms import platform_context
from pixiconf.pixibuild.variant_config import VariantConfig, VariantError, scalar_value

__all__ = ["load_variant_files", "parse_variant_yaml"]


def _compose(text: str, display: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise VariantError(f"Could not parse variant config file {display}: {exc}") from None


def parse_variant_yaml(
    text: str, platform: str, display: str = "<variants>", *, build_platform: str | None = None
) -> VariantConfig:
    """A ``variants.yaml`` (rattler-build format, with ``if/then/else`` and ``${{ }}``)."""
    root = _compose(text, display)
    config = VariantConfig()
    if root is None:
        return config
    if not isinstance(root, yaml.MappingNode):
        raise VariantError(f"Could not parse variant config file {display}: expected a mapping")
    scope = Scope(platform_context(platform, build_platform), target_platform=platform)
    for key_node, value_node in root.value:
        key = key_node.value
        if key == "zip_keys":
            config.zip_keys = _zip_keys_node(value_node, display)
            continue
        if key == "pin_run_as_build":
            continue
        if not isinstance(value_node, yaml.SequenceNode):
            raise VariantError(
                f"Could not parse variant config file {display}: "
                f"Variant values for '{key}' must be a list"
            )
        if not value_node.value:
            continue
        values: list[Any] = []
        for item in value_node.value:
            _evaluate_item(item, key, scope, values, display)
        if values:
            config.insert(key, values)
    return config


def _zip_keys_node(node: yaml.Node, display: str) -> list[list[str]]:
    # rattler_build_yaml_parser ParseError::expected_type: "expected X but got Y"
    if not isinstance(node, yaml.SequenceNode):
        raise VariantError(
            f"Could not parse variant config file {display}: expected list but got other"
        )
    groups = []
    for group in node.value:
        if not isinstance(group, yaml.SequenceNode):
            raise VariantError(
                f"Could not parse variant config file {display}: expected "
                "sequence but got non-sequence"
            )
        if not all(isinstance(k, yaml.ScalarNode) for k in group.value):
            raise VariantError(
                f"Could not parse variant config file {display}: expected scalar but got non-scalar"
            )
        groups.append([k.value for k in group.value])
    return groups


def _evaluate_item(node: yaml.Node, key: str, scope: Scope, out: list[Any], display: str) -> None:
    if isinstance(node, yaml.MappingNode):
        fields = {k.value: v for k, v in node.value}
        if "if" not in fields or "then" not in fields:
            raise VariantError(
                f"Could not parse variant config file {display}: expected scalar but got non-scalar"
            )
        condition = fields["if"].value
        try:
            taken = evaluate_condition(str(condition), scope)
        except VariantError as exc:
            raise VariantError(
                f"Invalid variant configuration: Failed to evaluate condition "
                f"'{condition}' for variant key "
                f"'{NormalizedKey(key).debug()}': {exc}",
                file=display,
                line=fields["if"].start_mark.line + 1,
            ) from None
        branch = fields["then"] if taken else fields.get("else")
        if branch is None:
            return
        items = branch.value if isinstance(branch, yaml.SequenceNode) else [branch]
        for item in items:
            _evaluate_item(item, key, scope, out, display)
        return
    if isinstance(node, yaml.SequenceNode):
        raise VariantError(
            f"Could not parse variant config file {display}: expected scalar but got non-scalar"
        )
    value = scalar_value(node)
    if isinstance(value, str) and is_template(value):
        rendered = render_template(value, scope)
        if rendered:
            out.append(rendered)
        return
    out.append(value)


def load_variant_files(
    paths: Sequence[Path],
    platform: str,
    *,
    display: Callable[[Path], str] = str,
    env: Mapping[str, str] | None = None,
) -> VariantConfig:
    """``VariantConfig::from_files``: merged in order; ``conda_build_config.yaml`` files use the
    legacy loader."""
    config = VariantConfig()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise VariantError(f"Could not open file ({display(path)}): {exc.strerror}") from None
        if path.name == CONDA_BUILD_CONFIG:
            loaded = parse_conda_build_config(text, platform, display(path), env=env)
        else:
            loaded = parse_variant_yaml(text, platform, display(path))
        config.merge(loaded)
    return config
