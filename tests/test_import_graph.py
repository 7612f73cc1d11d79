"""The layers of docs/architecture.md, checked on the import graph of the package.

Every ``import`` and ``from ... import`` of every module counts, at module level and inside
functions alike (a lazy import is still a dependency).  Two rules:

- imports only go down: a module imports from its own layer or the layers below
  (:data:`LAYERS`, bottom first); the top layer is the wiring (plugin, command line);
- no cycles between modules.

Importing a package's submodule also runs the package's ``__init__``; that implicit step is
not an edge (as in import-linter): only what a module names counts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import pixiconf

PACKAGE_DIR = Path(pixiconf.__file__).parent

#: Bottom first.  A module belongs to the first layer with a prefix of its dotted name.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "floor",
        (
            "pixiconf",
            "pixiconf.diagnostics",
            "pixiconf.similarity",
            "pixiconf.rust_format",
            "pixiconf.safe_yaml",
            "pixiconf.yaml_output",
            "pixiconf.observation_values",
            "pixiconf.confinement",
            "pixiconf.exit_codes",
        ),
    ),
    ("manifest", ("pixiconf.manifest",)),
    ("workspace", ("pixiconf.workspace",)),
    ("pixi-build and lock", ("pixiconf.pixibuild", "pixiconf.lock")),
    ("operations", ("pixiconf.operations",)),
    ("implementations", ("pixiconf.implementations",)),
    ("corpus", ("pixiconf.corpus",)),
    ("tools", ("pixiconf.reports", "pixiconf.containers")),
    ("wiring", ("pixiconf.plugin", "pixiconf.cli", "pixiconf.__main__")),
)

#: Layers that share a level but must not depend on each other.
SIBLINGS = (("pixiconf.pixibuild", "pixiconf.lock"), ("pixiconf.reports", "pixiconf.containers"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _imported(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """``(module, line)`` for every pixiconf module ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in modules:
                    yield submodule, node.lineno
                elif target in modules:
                    yield target, node.lineno


def import_graph() -> dict[str, dict[str, int]]:
    """module → {imported module: first line}."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        edges: dict[str, int] = {}
        for target, line in _imported(name, path, modules):
            if target != name:
                edges.setdefault(target, line)
        graph[name] = edges
    return graph


def layer_of(module: str) -> int:
    best = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            owns = module == prefix or (prefix != "pixiconf" and module.startswith(prefix + "."))
            if owns and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    if best is None:
        raise LookupError(f"{module} belongs to no layer: add it to LAYERS and the docs")
    return best[0]


def _sibling(module: str) -> str | None:
    for group in SIBLINGS:
        for prefix in group:
            if module == prefix or module.startswith(prefix + "."):
                return prefix
    return None


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One cycle of ``graph`` (a list of modules, first repeated last), or ``None``."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    for root in sorted(graph):
        if state.get(root):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        path = [root]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph.get(child, {})))))
    return None


def test_every_module_has_a_layer() -> None:
    unplaced = []
    for module in import_graph():
        try:
            layer_of(module)
        except LookupError:
            unplaced.append(module)
    assert unplaced == []


def test_imports_only_go_down() -> None:
    upward = []
    for module, edges in import_graph().items():
        for target, line in edges.items():
            if layer_of(target) > layer_of(module):
                upward.append(
                    f"{module}:{line} imports {target} "
                    f"({LAYERS[layer_of(module)][0]} → {LAYERS[layer_of(target)][0]})"
                )
            own, other = _sibling(module), _sibling(target)
            if own and other and own != other:
                upward.append(f"{module}:{line} imports its sibling layer's {target}")
    assert upward == []


def test_no_import_cycles() -> None:
    assert find_cycle(import_graph()) is None


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b": 1}, "b": {"c": 1}, "c": {}}, None),
        ({"a": {"b": 1}, "b": {"a": 1}}, ["a", "b", "a"]),
        ({"a": {"b": 1}, "b": {"c": 1}, "c": {"b": 1}}, ["b", "c", "b"]),
    ],
)
def test_find_cycle_finds_cycles(graph, expected) -> None:
    assert find_cycle(graph) == expected


def test_function_level_imports_are_edges(tmp_path, monkeypatch) -> None:
    """A lazy import inside a function is an edge, and so is a relative one."""
    package = tmp_path / "pixiconf"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "a.py").write_text("def f():\n    from . import b\n")
    (package / "sub" / "b.py").write_text("from pixiconf.sub.a import f\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE_DIR", package)
    graph = import_graph()
    assert graph["pixiconf.sub.a"] == {"pixiconf.sub.b": 2}
    assert find_cycle(graph) == ["pixiconf.sub.a", "pixiconf.sub.b", "pixiconf.sub.a"]
