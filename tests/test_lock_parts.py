"""Solving in independent parts gives what one solve gives (``pixiconf.lock.solve``).

``independent_parts`` splits a solve whose root names reach disjoint package names; the
lock written from the parts' solutions must be the single solve's, byte for byte, and a
problem that fails must fail with the single solve's message.  Generated channels mix
shared and private dependencies, constraints, virtual packages and unsatisfiable specs.
"""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pixiconf.lock.solve as solve
from pixiconf.corpus.channels import write_repodata
from pixiconf.diagnostics import DiagnosticError
from pixiconf.lock import lock_workspace
from pixiconf.manifest.load import load_manifest

VERSIONS = ["1.0", "2.0", "3.0"]
SPECS = ["*", ">=1", ">=2", "<2", "<3", "==3.0", ">=4"]
VIRTUAL = ["__unix", "__glibc >=2.17", "__linux", "__cuda"]


@st.composite
def workspaces(draw: Any) -> tuple[list[dict[str, Any]], dict[str, str], list[str], str]:
    """(records, root specs, constraints, strategy) over clusters of packages
    ``p<cluster>x<index>``."""
    # Clusters of packages that depend on each other, now and then across clusters.
    clusters = [
        [f"p{c}x{i}" for i in range(draw(st.integers(1, 3)))]
        for c in range(draw(st.integers(2, 4)))
    ]
    names = [name for cluster in clusters for name in cluster]
    records = []
    for cluster in clusters:
        for name in cluster:
            for version in draw(st.lists(st.sampled_from(VERSIONS), min_size=1, unique=True)):
                pool = names if draw(st.integers(0, 7)) == 0 else cluster
                depends = [
                    f"{dep} {spec}" if spec != "*" else dep
                    for dep, spec in draw(
                        st.lists(
                            st.tuples(st.sampled_from(pool), st.sampled_from(SPECS)), max_size=2
                        )
                    )
                    if dep != name
                ]
                if draw(st.integers(0, 5)) == 0:
                    depends.append(draw(st.sampled_from(VIRTUAL)))
                constrains = [
                    f"{dep} {spec}"
                    for dep, spec in draw(
                        st.lists(
                            st.tuples(st.sampled_from(pool), st.sampled_from(SPECS[1:])),
                            max_size=1,
                        )
                    )
                    if dep != name
                ]
                records.append(
                    {
                        "name": name,
                        "version": version,
                        "build": "h0_0",
                        "depends": depends,
                        "constrains": constrains,
                    }
                )
    roots = draw(st.lists(st.sampled_from(names), min_size=2, unique=True))
    specs = {root: draw(st.sampled_from(SPECS[:-1])) for root in roots}
    constraints = [
        f'{name} = "{spec}"'
        for name, spec in draw(
            st.lists(st.tuples(st.sampled_from(names), st.sampled_from(SPECS[1:])), max_size=1)
        )
        if name not in specs
    ]
    strategy = draw(st.sampled_from(["highest", "lowest", "lowest-direct"]))
    return records, specs, constraints, strategy


def _lock(directory: Path, records: list, specs: dict, constraints: list, strategy: str) -> str:
    write_repodata(directory / "channel", {"linux-64": records})
    root = directory / "workspace"
    root.mkdir(exist_ok=True)
    deps = "\n".join(f'{name} = "{spec}"' for name, spec in specs.items())
    (root / "pixi.toml").write_text(
        textwrap.dedent(
            f"""\
            [workspace]
            channels = ["{(directory / "channel").as_uri()}"]
            platforms = ["linux-64"]
            solve-strategy = "{strategy}"

            [dependencies]
            """
        )
        + deps
        + "\n\n[constraints]\n"
        + "\n".join(constraints)
        + "\n",
        encoding="utf-8",
    )
    try:
        path, _ = lock_workspace(load_manifest(root / "pixi.toml"), root)
    except DiagnosticError as exc:
        return "error: " + exc.render()
    return path.read_text(encoding="utf-8")


@settings(max_examples=40, deadline=None)
@given(workspaces())
def test_parts_solve_as_one(case: tuple[list, dict, list, str]) -> None:
    records, specs, constraints, strategy = case
    with tempfile.TemporaryDirectory() as tmp:
        original = solve.PART_ROOTS
        try:
            solve.PART_ROOTS = 1  # every root name its own batch
            parts = _lock(Path(tmp), records, specs, constraints, strategy)
            solve.PART_ROOTS = 10**9  # one solve
            whole = _lock(Path(tmp), records, specs, constraints, strategy)
        finally:
            solve.PART_ROOTS = original
    assert parts == whole


def _sources(tmp_path: Path, records: list[dict[str, Any]]) -> list[Any]:
    from rattler import Channel, SparseRepoData

    write_repodata(tmp_path / "c", {"linux-64": records})
    channel = Channel((tmp_path / "c").as_uri(), solve.url_config())
    return [
        SparseRepoData(channel, subdir, str(tmp_path / "c" / subdir / "repodata.json"))
        for subdir in ("linux-64", "noarch")
    ]


def _record(name: str, depends: tuple[str, ...] = (), constrains: tuple[str, ...] = ()) -> dict:
    return {"name": name, "version": "1", "depends": list(depends), "constrains": list(constrains)}


def test_parts_follow_depends_and_constrains(tmp_path: Path) -> None:
    sources = _sources(
        tmp_path,
        [
            _record("a", ("b >=1", "__glibc >=2")),
            _record("b"),
            _record("c", constrains=("d <2",)),
            _record("d", ("__glibc",)),
            _record("e"),
        ],
    )
    parts = solve.independent_parts(["a >=1", "c", "d", "e *"], ["b <3", "z >1"], sources, 1)
    assert parts == [(["a >=1"], ["b <3", "z >1"]), (["c", "d"], []), (["e *"], [])]


@pytest.mark.parametrize(
    ("records", "specs", "constraints"),
    [
        ([_record("a", ("c",)), _record("b", ("c",)), _record("c")], ["a", "b"], []),
        ([_record("a", constrains=("__glibc <2",)), _record("b")], ["a", "b"], []),
        ([_record("a"), _record("b")], ["a", "b"], ["__glibc >=2"]),
        ([_record("a", ("x; if __unix",)), _record("b")], ["a", "b"], []),
        ([_record("a"), _record("b")], ["a", "__unix"], []),
        ([_record("a")], ["a", "a >=1"], []),
    ],
)
def test_no_parts_when_anything_is_shared_or_not_modelled(
    tmp_path: Path, records: list, specs: list, constraints: list
) -> None:
    assert solve.independent_parts(specs, constraints, _sources(tmp_path, records), 1) is None
