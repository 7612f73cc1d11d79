"""A strict safe YAML loader: the base of case files and of lock files read as data.

- safe: no Python tags, only PyYAML's safe constructors (C-accelerated when available);
- YAML 1.2 scalars: only ``true``/``false`` (any case) are booleans, and dates stay strings,
  so ``yes`` or ``2024-01-01`` mean what they say (rattler and pixi read YAML 1.2);
- a duplicate key in a mapping is an error, not a silent overwrite;
- an integer with more digits than ``sys.get_int_max_str_digits()`` is a located error, not a
  ``ValueError`` escaping the parser.

Limits on what a document may expand to belong to the reader of untrusted files
(:class:`pixiconf.corpus.loader.CaseLoader`).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml

__all__ = ["StrictLoader"]

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader with YAML 1.2 scalars and no silent surprises (module docs)."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[tuple[str, str]] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                    key_node, yaml.ScalarNode
                ):
                    continue
                ident = (key_node.tag, key_node.value)
                if ident in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key_node.value!r}",
                        key_node.start_mark,
                    )
                seen.add(ident)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.Node) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError as exc:  # more digits than sys.get_int_max_str_digits()
            raise yaml.constructor.ConstructorError(
                None, None, f"integer too long ({str(exc).split(':')[0]})", node.start_mark
            ) from None


StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)
