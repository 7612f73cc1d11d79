"""Materialising a case (pixiconf.corpus.workspace) and running it (pixiconf.corpus.runner)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pixiconf.corpus.runner import CaseOutcome, run_case
from pixiconf.corpus.schema import Case, CaseError, Expectation, Problem
from pixiconf.corpus.workspace import (
    WorkspaceError,
    build_env,
    materialise,
    resolve_inside,
    temporary_workspace,
)
from pixiconf.implementations.base import Failed, Observed, Unsupported
from pixiconf.operations.request import OperationRequest


def make_case(**fields: object) -> Case:
    base = dict(  # noqa: C408 - keyword form mirrors the Case fields
        id="area/name",
        path=Path("area/name.yaml"),
        description="d",
        features=("area",),
        op="discover",
        expect=Expectation("result", result={"manifest": "pixi.toml"}),
    )
    return Case(**{**base, **fields})


def test_files_are_written_byte_for_byte(tmp_path):
    files = {"pixi.toml": "a\r\nb", "sub/deep/x.txt": "ü\n", "raw.bin": b"\xff\x00"}
    case = make_case(files=files)
    ws = materialise(case, tmp_path)
    assert (ws.root / "pixi.toml").read_bytes() == b"a\r\nb"
    assert (ws.root / "sub" / "deep" / "x.txt").read_bytes() == "ü\n".encode()
    assert (ws.root / "raw.bin").read_bytes() == b"\xff\x00"
    assert ws.cwd == ws.root and ws.root.parent == tmp_path.resolve()


def test_channels_are_local_conda_channels_and_placeholders_are_replaced(tmp_path):
    case = make_case(
        channels={
            "local": {
                "linux-64": [{"name": "foo", "version": "1.0", "depends": ["bar"], "noarch": None}]
            }
        },
        files={"pixi.toml": 'channels = ["{{channels.local}}", "{{ channels.local }}"]'},
    )
    ws = materialise(case, tmp_path)
    url = ws.channels["local"]
    assert url.startswith("file://")
    text = (ws.root / "pixi.toml").read_text()
    assert text == f'channels = ["{url}", "{url}"]'
    channel = tmp_path.resolve() / "channels" / "local"
    assert not (ws.root / "channels").exists()
    linux = json.loads((channel / "linux-64" / "repodata.json").read_text())
    (record,) = linux["packages"].values()
    assert (record["name"], record["depends"], record["subdir"]) == ("foo", ["bar"], "linux-64")
    assert "noarch" not in record
    noarch = json.loads((channel / "noarch" / "repodata.json").read_text())
    assert noarch["packages"] == {} and noarch["info"] == {"subdir": "noarch"}


def test_cwd_is_applied_and_must_be_a_directory(tmp_path):
    ws = materialise(make_case(files={"a/b/pixi.toml": ""}, cwd="a/b"), tmp_path / "1")
    assert ws.cwd == ws.root / "a" / "b"
    with pytest.raises(WorkspaceError, match="not a directory"):
        materialise(make_case(cwd="missing"), tmp_path / "2")
    with pytest.raises(WorkspaceError, match="not a directory"):
        materialise(make_case(files={"f": ""}, cwd="f"), tmp_path / "3")


@pytest.mark.parametrize("path", ["../x", "/abs", "C:/x", "a/../../x", "a\\..\\x"])
def test_paths_outside_the_root_are_rejected(tmp_path, path):
    with pytest.raises(WorkspaceError):
        resolve_inside(tmp_path, path)
    with pytest.raises(WorkspaceError):
        materialise(make_case(files={path: "x"}), tmp_path / "ws")


def test_symlinks_that_leave_the_root_are_rejected(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "inner").mkdir()
    (root / "ok").symlink_to(root / "inner", target_is_directory=True)
    with pytest.raises(WorkspaceError, match="outside the workspace root"):
        resolve_inside(root, "link/pixi.toml")
    assert resolve_inside(root, "ok/pixi.toml") == root.resolve() / "ok" / "pixi.toml"


def test_env_is_only_the_safe_set_plus_the_case_env(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXICONF_LEAK", "1")
    monkeypatch.setenv("PATH", "/only/this")
    env = build_env(tmp_path / "home", {"PIXI_X": "y", "NO_COLOR": "0"})
    assert env == {
        "PATH": "/only/this",
        "HOME": str(tmp_path / "home"),
        "LANG": "C.UTF-8",
        "NO_COLOR": "0",
        "PIXI_X": "y",
    }


def test_materialised_env_home_is_inside_the_temp_dir(tmp_path):
    ws = materialise(make_case(env={"A": "b"}), tmp_path)
    assert Path(ws.env["HOME"]).is_dir()
    assert Path(ws.env["HOME"]).parent == tmp_path.resolve()
    assert ws.env["A"] == "b" and set(ws.env) == {"PATH", "HOME", "LANG", "NO_COLOR", "A"}


def test_temporary_workspace_is_removed_afterwards(tmp_path):
    with temporary_workspace(make_case(files={"x": "y"}), tmp_path) as ws:
        assert (ws.root / "x").is_file()
        base = ws.base
    assert not base.exists()


# --------------------------------------------------------------------------- run_case


class Recorder:
    """A fake implementation that records the request and returns a fixed outcome."""

    name = "recorder"

    def __init__(self, outcome):
        self.outcome = outcome
        self.requests: list[OperationRequest] = []
        self.seen_files: list[str] = []

    def version(self) -> str:
        return "0"

    def run(self, request: OperationRequest):
        self.requests.append(request)
        self.seen_files = sorted(
            p.relative_to(request.workspace_root).as_posix()
            for p in request.workspace_root.rglob("*")
            if p.is_file()
        )
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def test_run_case_passes_request_and_cleans_up(tmp_path):
    impl = Recorder(Observed({"manifest": "pixi.toml"}))
    case = make_case(
        files={"pixi.toml": "", "sub/x": ""},
        cwd="sub",
        args={"manifest-path": "p"},
        pypi_mapping={"a": False},
    )
    result = run_case(case, impl, timeout=7.5, tmp_parent=tmp_path)
    assert result.outcome is CaseOutcome.PASS and result.duration > 0
    (request,) = impl.requests
    assert impl.seen_files == ["pixi.toml", "sub/x"]
    assert request.cwd == request.workspace_root / "sub"
    assert (request.op, dict(request.args)) == ("discover", {"manifest-path": "p"})
    assert request.timeout == 7.5
    assert request.pypi_mapping == {"a": False}
    assert os.listdir(tmp_path) == []


def test_run_case_grades_failures_and_skips(tmp_path):
    fail = run_case(make_case(), Recorder(Failed("x")), tmp_parent=tmp_path)
    assert fail.outcome is CaseOutcome.FAIL
    skip = run_case(make_case(), Recorder(Unsupported("why")), tmp_parent=tmp_path)
    assert skip.outcome is CaseOutcome.SKIP and skip.message == "why"


def test_run_case_reports_a_raising_implementation_as_error(tmp_path):
    result = run_case(make_case(), Recorder(RuntimeError("boom")), tmp_parent=tmp_path)
    assert result.outcome is CaseOutcome.ERROR
    assert "the implementation raised an exception" in result.message and "boom" in result.message


def test_run_case_reports_case_errors_and_bad_workspaces_as_error(tmp_path):
    error = CaseError("a/b", Path("a/b.yaml"), (Problem("op", "missing required key"),))
    result = run_case(error, Recorder(Observed({})), tmp_parent=tmp_path)
    assert result.outcome is CaseOutcome.ERROR
    assert "key 'op': missing required key" in result.message
    impl = Recorder(Observed({}))
    result = run_case(make_case(cwd="nope"), impl, tmp_parent=tmp_path)
    assert result.outcome is CaseOutcome.ERROR and "cannot materialise" in result.message
    assert impl.requests == []
