"""The YAML reader of case files and channel fixtures: untrusted input, read with limits.

Strict (:class:`pixiconf.safe_yaml.StrictLoader`: YAML 1.2 scalars, no duplicate keys, no
integer too long for Python), with the matching tokens ``!any`` and ``!absent`` (§4), and
bounded: a document may not expand (aliases counted every time they are used) to more than
:data:`MAX_NODES` nodes or :data:`MAX_CHARS` characters, nor nest deeper than
:data:`MAX_DEPTH`, and a recursive alias is an error.  Sizes are measured on the node graph,
so an alias bomb is refused without being expanded.
"""

from __future__ import annotations

from typing import Any

import yaml

from pixiconf.observation_values import ABSENT, ANY
from pixiconf.safe_yaml import StrictLoader

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_NODES", "CaseLoader"]

#: Most nodes a YAML document may expand to, every use of an alias counted (the corpus'
#: largest case has ~150, its largest channel fixture ~4,000).
MAX_NODES = 200_000
#: Most characters of scalars a YAML document may expand to (aliases counted every time).
MAX_CHARS = 64 * 1024 * 1024
#: Deepest nesting of mappings and lists in a YAML document.
MAX_DEPTH = 100


class CaseLoader(StrictLoader):
    """Safe YAML loader for case files (see the module docstring): strict, with the matching
    tokens and the expansion limits."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return self.construct_document(node)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def _check_expansion(root: yaml.Node) -> None:
    """Reject a recursive alias and a document that expands beyond the limits (module docs).

    Sizes are computed on the node graph, where an alias is the node it names, so a document
    that would expand to billions of nodes is measured without expanding it.
    """
    sizes: dict[int, tuple[int, int, int]] = {}  # id → (nodes, characters, depth)
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            children = [sizes[id(child)] for child in _children(node)]
            size = (
                1 + sum(c[0] for c in children),
                sum(c[1] for c in children),
                1 + max((c[2] for c in children), default=0),
            )
            open_nodes.discard(key)
            sizes[key] = size
            aliases = " (aliases counted every time they are used)"
            problem = (
                f"expands to more than {MAX_NODES:,} nodes{aliases}"
                if size[0] > MAX_NODES
                else f"expands to more than {MAX_CHARS:,} characters{aliases}"
                if size[1] > MAX_CHARS
                else f"nests deeper than {MAX_DEPTH} levels"
                if size[2] > MAX_DEPTH
                else None
            )
            if problem:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the document {problem}", node.start_mark
                )
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise yaml.constructor.ConstructorError(
                None, None, "found a recursive alias (a node that contains itself)", node.start_mark
            )
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = (1, len(node.value), 1)
            continue
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(_children(node)))


def _token(value: Any):
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode) or node.value != "":
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.tag} takes no value", node.start_mark
            )
        return value

    return construct


CaseLoader.add_constructor("!any", _token(ANY))
CaseLoader.add_constructor("!absent", _token(ABSENT))
