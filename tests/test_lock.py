"""Unit tests of the lock flow: platforms and virtual packages, specs, solve groups, writing
``pixi.lock`` atomically, the observation, channel fixtures, and that locking stays offline."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from pixiconf.corpus.channels import FixtureError, load_fixture, repodata, write_repodata
from pixiconf.corpus.runner import CaseOutcome, run_case
from pixiconf.corpus.schema import Case, CaseError, validate_case
from pixiconf.diagnostics import DiagnosticError, UnsupportedOperation
from pixiconf.implementations.base import Unsupported
from pixiconf.implementations.reference import ReferenceImplementation
from pixiconf.lock import lock_workspace
from pixiconf.lock.solve import channel_url, extract_subset, match_specs
from pixiconf.lock.virtual_packages import (
    PlatformModel,
    VirtualPackage,
    platform_with_defaults,
    solver_virtual_packages,
    subdir_defaults,
    synthesize_name,
)
from pixiconf.manifest.load import load_manifest
from pixiconf.manifest.model import Feature
from pixiconf.operations.lock import observe_lock_text, rewrite_local_paths
from pixiconf.operations.request import OperationRequest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "cases"
REFERENCE = ReferenceImplementation()


def _case(data: dict[str, Any], name: str = "unit") -> Case:
    """A case as if it were ``cases/lock/<name>.yaml`` (so shared fixtures are found)."""
    data = {
        "description": "A unit test case.",
        "features": ["lock"],
        "op": "lock",
        "expect": {"result": {}},
        **data,
    }
    case = validate_case(data, case_id=f"lock/{name}", path=CORPUS / "lock" / f"{name}.yaml")
    assert isinstance(case, Case), getattr(case, "message", case)
    return case


def _workspace(tmp_path: Path, toml: str, channels: dict[str, dict[str, list]]) -> Path:
    """Write local channels and a manifest (``{{channels.NAME}}`` substituted); return root."""
    root = tmp_path / "workspace"
    root.mkdir()
    for name, subdirs in channels.items():
        write_repodata(tmp_path / "channels" / name, subdirs)
        toml = toml.replace(f"{{{{channels.{name}}}}}", (tmp_path / "channels" / name).as_uri())
    (root / "pixi.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    return root


def _lock(root: Path) -> tuple[Path, list]:
    return lock_workspace(load_manifest(root / "pixi.toml"), root)


SIMPLE = """
    [workspace]
    channels = ["{{channels.main}}"]
    platforms = ["linux-64"]

    [dependencies]
    foo = "*"
"""
FOO = {"main": {"linux-64": [{"name": "foo", "version": "1.0", "build": "h0_0"}]}}


# --------------------------------------------------------------------------- platforms


def test_subdir_defaults_follow_pixi() -> None:
    assert [str(v) for v in subdir_defaults("linux-64")] == [
        "__unix=0=0",
        "__linux=4.18",
        "__glibc=2.28",
        "__archspec=0=x86_64",
    ]
    assert [str(v) for v in subdir_defaults("osx-arm64")] == [
        "__unix=0=0",
        "__osx=13.0",
        "__archspec=0=m1",
    ]
    assert [str(v) for v in subdir_defaults("win-64")] == ["__win=10.0", "__archspec=0=x86_64"]
    assert [str(v) for v in subdir_defaults("emscripten-wasm32")] == ["__unix=0=0"]


@pytest.mark.parametrize(
    ("subdir", "declared", "name"),
    [
        ("linux-64", [VirtualPackage("__cuda", "12.0")], "linux-64-cuda-12-0"),
        ("linux-64", [VirtualPackage("__glibc", "2.28")], "linux-64"),  # equal to the default
        ("linux-64", [VirtualPackage("__linux", "4.18.0")], "linux-64"),  # versions compare equal
        (
            "linux-64",
            [VirtualPackage("__glibc", "2.34"), VirtualPackage("__cuda", "12")],
            "linux-64-cuda-12-glibc-2-34",
        ),  # friendly key order, not declaration order
        ("linux-64", [VirtualPackage("__musl", "1.2")], "linux-64-musl-1-2"),
        ("osx-arm64", [VirtualPackage("__osx", "14.0")], "osx-arm64-macos-14-0"),
        ("linux-64", [VirtualPackage("__zzz", "1", "abc")], "linux-64-zzz-1-abc"),
    ],
)
def test_synthesised_platform_names(subdir: str, declared: list, name: str) -> None:
    assert synthesize_name(subdir, declared) == name


def test_platform_with_defaults_keeps_declared_first_and_replaces_glibc() -> None:
    platform = platform_with_defaults(
        "linux-64-musl-1-2", "linux-64", [VirtualPackage("__musl", "1.2")]
    )
    assert platform.lock_virtual_packages == [
        "__musl=1.2",
        "__unix=0=0",
        "__linux=4.18",
        "__archspec=0=x86_64",
    ]
    assert platform_with_defaults("linux-64", "linux-64", []).lock_virtual_packages == [
        str(v) for v in subdir_defaults("linux-64")
    ]


def test_solver_gets_typed_virtual_packages() -> None:
    platform = platform_with_defaults(
        "linux-64-cuda-12", "linux-64", [VirtualPackage("__cuda", "12")]
    )
    packages = {
        (p.name.normalized, str(p.version), str(p.build_string))
        for p in solver_virtual_packages(platform)
    }
    assert ("__archspec", "1", "x86_64") in packages  # typed Archspec: version 1
    assert ("__cuda", "12", "0") in packages
    assert ("__unix", "0", "0") in packages


def test_platform_model_migrates_system_requirements_per_feature() -> None:
    default = Feature("default", system_requirements={"cuda": "12"})
    cpu = Feature("cpu", platforms=["osx-arm64"])
    model = PlatformModel(["linux-64", "osx-arm64"], [default, cpu])
    assert model.pins["default"] == ["linux-64-cuda-12", "osx-arm64"]
    assert [p.name for p in model.environment_platforms(["default"])] == [
        "linux-64-cuda-12",
        "osx-arm64",
    ]
    assert [p.name for p in model.environment_platforms(["cpu", "default"])] == ["osx-arm64"]


# --------------------------------------------------------------------------- specs


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("*", "foo *"),
        ("1.2", "foo ==1.2"),
        (">=1,<2", "foo >=1,<2"),
        ({"version": ">=1", "build": "py*"}, "foo >=1 py*"),
        ({"build": "*mkl"}, "foo * *mkl"),
        ({"version": "1.*", "build-number": ">=2"}, 'foo 1.*[build_number=">=2"]'),
    ],
)
def test_match_specs(spec: Any, expected: str, tmp_path: Path) -> None:
    from rattler import MatchSpec

    text = match_specs("foo", spec, tmp_path)
    assert text == expected
    MatchSpec(text)  # and rattler accepts it


@pytest.mark.parametrize("key", ["git", "path", "url", "when"])
def test_source_and_conditional_specs_are_unsupported(key: str, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedOperation, match=f"uses `{key}`"):
        match_specs("foo", {key: "x"}, tmp_path)


def test_channel_urls(tmp_path: Path) -> None:
    assert channel_url((tmp_path / "c").as_uri(), tmp_path) == (tmp_path / "c").as_uri() + "/"
    assert channel_url("./c", tmp_path) == (tmp_path / "c").resolve().as_uri() + "/"
    with pytest.raises(
        UnsupportedOperation, match=re.escape("https://conda.anaconda.org/conda-forge/")
    ):
        channel_url("conda-forge", tmp_path)
    with pytest.raises(UnsupportedOperation, match="not a local channel"):
        channel_url("https://prefix.dev/conda-forge", tmp_path)


class _Record:
    def __init__(self, name: str, depends: list[str]):
        from rattler import PackageName

        self.name = PackageName(name)
        self.depends = depends


def test_extract_subset_walks_depends_only() -> None:
    records = [
        _Record("a", ["b >=1", "__glibc >=2.17"]),
        _Record("b", ["c"]),
        _Record("c", []),
        _Record("d", ["a"]),
    ]
    names = {r.name.normalized for r in extract_subset(records, ["a"])}
    assert names == {"a", "b", "c"}
    assert extract_subset(records, ["missing"]) == []


# --------------------------------------------------------------------------- writing


def test_lock_workspace_writes_a_lock_file_rattler_reads(tmp_path: Path) -> None:
    from rattler import LockFile

    root = _workspace(tmp_path, SIMPLE, FOO)
    path, warnings = _lock(root)
    assert path == root / "pixi.lock" and warnings == []
    lock = LockFile.from_path(path)
    assert [p.name for p in lock.platforms()] == ["linux-64"]
    records = lock.environment("default").conda_repodata_records()["linux-64"]
    assert [r.name.normalized for r in records] == ["foo"]
    assert path.read_text().startswith("version: 7\n")


def test_lock_is_deterministic(tmp_path: Path) -> None:
    root = _workspace(tmp_path, SIMPLE, FOO)
    first = _lock(root)[0].read_bytes()
    assert _lock(root)[0].read_bytes() == first


def test_options_are_written_by_rattler(tmp_path: Path) -> None:
    root = _workspace(
        tmp_path,
        SIMPLE.replace(
            'platforms = ["linux-64"]',
            (
                'platforms = ["linux-64"]\nsolve-strategy = "lowest-direct"\n'
                'channel-priority = "disabled"'
            ),
        ),
        FOO,
    )
    text = _lock(root)[0].read_text()
    assert (
        "    options:\n      strategy: lowest-version-direct\n"
        "      channel-priority: disabled\n    packages:\n" in text
    )


def test_unsolvable_lock_leaves_existing_file_untouched(tmp_path: Path) -> None:
    root = _workspace(tmp_path, SIMPLE.replace('foo = "*"', 'foo = ">=5"'), FOO)
    (root / "pixi.lock").write_text("sentinel\n")
    with pytest.raises(DiagnosticError) as error:
        _lock(root)
    message = error.value.render()
    assert (
        "failed to solve requirements of environment 'default' for platform 'linux-64'" in message
    )
    assert "foo >=5" in message
    assert (root / "pixi.lock").read_text() == "sentinel\n"
    assert sorted(p.name for p in root.iterdir()) == ["pixi.lock", "pixi.toml"]


def test_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch) -> None:
    from pixiconf.lock import write

    root = _workspace(tmp_path, SIMPLE, FOO)

    def fail(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(write.os, "replace", fail)
    # pixi's `write_to_disk` context, then the io error; a diagnostic, not an internal error.
    with pytest.raises(DiagnosticError, match="failed to write lock file to disk\ndisk full"):
        _lock(root)
    assert sorted(p.name for p in root.iterdir()) == ["pixi.toml"]


def test_pypi_dependencies_are_unsupported_with_a_reason(tmp_path: Path) -> None:
    case = _case(
        {
            "channels": {"main": {"linux-64": [{"name": "python", "version": "3.12.0"}]}},
            "files": {
                "pixi.toml": textwrap.dedent("""
            [workspace]
            channels = ["{{channels.main}}"]
            platforms = ["linux-64"]

            [dependencies]
            python = "*"

            [feature.web.pypi-dependencies]
            requests = "*"

            [environments]
            web = ["web"]
        """)
            },
        }
    )
    result = run_case(case, REFERENCE, tmp_parent=tmp_path)
    assert result.outcome is CaseOutcome.SKIP
    assert "pypi-dependencies (requests)" in result.message
    assert "conda packages only" in result.message


def test_named_channel_is_unsupported(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "pixi.toml").write_text(
        '[workspace]\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n'
    )
    request = OperationRequest("lock", {}, root, root, {})
    outcome = REFERENCE.run(request)
    assert isinstance(outcome, Unsupported)
    assert "locks offline" in outcome.reason
    assert not (root / "pixi.lock").exists()


def test_exclude_newer_is_unsupported(tmp_path: Path) -> None:
    root = _workspace(
        tmp_path,
        SIMPLE.replace(
            'platforms = ["linux-64"]', 'platforms = ["linux-64"]\nexclude-newer = "2024-01-01"'
        ),
        FOO,
    )
    outcome = REFERENCE.run(OperationRequest("lock", {}, root, root, {}))
    assert isinstance(outcome, Unsupported) and "exclude-newer" in outcome.reason


# --------------------------------------------------------------------------- observation


def test_observation_rewrites_channels_longest_first(tmp_path: Path) -> None:
    a = (tmp_path / "channels" / "a").as_uri()
    ab = (tmp_path / "channels" / "ab").as_uri()
    value = {
        "url": f"{ab}/",
        "conda": f"{tmp_path}/channels/a/noarch/x-1-0.tar.bz2",
        "channel": a,
        "other": f"{tmp_path}/workspace/local/",
    }
    rewritten = rewrite_local_paths(value, {"a": a, "ab": ab}, tmp_path / "workspace")
    assert rewritten == {
        "url": "{{channels.ab}}/",
        "conda": "{{channels.a}}/noarch/x-1-0.tar.bz2",
        "channel": "{{channels.a}}",
        "other": "{{workspace}}/local/",
    }


def test_observation_keeps_yaml_1_2_scalars() -> None:
    value = observe_lock_text("version: 7\nx: yes\nd: 2024-01-01\nv: '1.10'\n", {})
    assert value == {"version": 7, "x": "yes", "d": "2024-01-01", "v": "1.10"}


def _large_lock_text(items: int, extra: str = "") -> str:
    package = (
        "- conda: /c/linux-64/pkg-{0:07d}-1.0-0.tar.bz2\n  subdir: linux-64\n"
        "  sha256: '{0:064x}'\n  depends:\n  - pkg-{1:07d} >=1\n  version: 1.10\n"
        "  flag: yes\n  size: 1\n"
    )
    return (
        "version: 7\nenvironments:\n  default:\n    packages:\n      linux-64:\n"
        "      - conda: /c/linux-64/pkg-0000000-1.0-0.tar.bz2\npackages:\n"
        + "".join(package.format(i, i + 1) for i in range(items))
        + extra
    )


def test_large_lock_observation_is_the_whole_texts() -> None:
    """A lock file over 1 MB is parsed in pieces of whole packages: the same value."""
    import yaml

    from pixiconf.operations.lock import PACKAGES_PER_PIECE, _lock_loader

    text = _large_lock_text(3 * PACKAGES_PER_PIECE + 7)
    assert len(text) > 1_000_000
    value = observe_lock_text(text, {"c": "file:///c"})
    assert value == rewrite_local_paths(yaml.load(text, Loader=_lock_loader()), {"c": "file:///c"})
    assert len(value["packages"]) == 3 * PACKAGES_PER_PIECE + 7
    assert value["packages"][-1]["conda"].startswith("{{channels.c}}/linux-64/")
    assert value["packages"][0]["version"] == 1.1 and value["packages"][0]["flag"] == "yes"


def test_large_lock_with_an_error_fails_as_the_whole_text() -> None:
    """An error in a piece is the whole text's error, at the whole text's location."""
    import yaml

    text = _large_lock_text(6000, extra="- conda: x\n  a: 1\n  a: 2\n")
    with pytest.raises(yaml.YAMLError) as error:
        observe_lock_text(text, {})
    assert f"line {text.count(chr(10))}" in str(error.value)


def test_lock_case_through_the_runner_rewrites_error_paths(tmp_path: Path) -> None:
    case = _case(
        {
            "channels": {"main": {"noarch": []}},
            "files": {"pixi.toml": SIMPLE.replace("{{channels.main}}", "{{channels.main}}/gone")},
        }
    )
    result = run_case(case, REFERENCE, tmp_parent=tmp_path)
    assert result.outcome is CaseOutcome.FAIL  # the case expects a result; the lock failed
    assert "in channel '{{channels.main}}/gone/'" in result.message
    assert str(tmp_path) not in result.message


# --------------------------------------------------------------------------- fixtures


def test_repodata_defaults() -> None:
    data = repodata(
        "linux-64",
        [
            {"name": "foo", "version": "1.0"},
            {"name": "bar", "version": "2", "build_number": 3, "archive": "conda", "md5": "0" * 32},
        ],
    )
    assert data["packages"] == {
        "foo-1.0-0.tar.bz2": {
            "name": "foo",
            "version": "1.0",
            "build": "0",
            "build_number": 0,
            "depends": [],
            "constrains": [],
            "subdir": "linux-64",
        }
    }
    assert data["packages.conda"]["bar-2-3.conda"]["md5"] == "0" * 32


def test_conda_forge_slice_fixture_is_large_and_valid() -> None:
    records = load_fixture([CORPUS], "conda-forge-slice")
    assert set(records) == {"linux-64", "osx-arm64", "win-64", "noarch"}
    assert sum(len(r) for r in records.values()) >= 200
    names = {r["name"] for rs in records.values() for r in rs}
    assert {"python", "numpy", "pandas", "libgcc", "libstdcxx", "openssl"} <= names


def test_missing_and_malformed_fixtures(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="no channel fixture 'nope'"):
        load_fixture([tmp_path], "nope")
    (tmp_path / "_channels").mkdir()
    (tmp_path / "_channels" / "bad.yaml").write_text("packages:\n  linux-64:\n    - {name: foo}\n")
    with pytest.raises(FixtureError, match="missing required key 'version'"):
        load_fixture([tmp_path], "bad")


def test_channel_fixtures_key_is_validated() -> None:
    data = {
        "description": "x.",
        "features": ["lock"],
        "op": "lock",
        "expect": {"result": {}},
        "channel-fixtures": {"cf": "does-not-exist"},
        "files": {"pixi.toml": "{{channels.cf}}"},
    }
    error = validate_case(data, case_id="lock/x", path=CORPUS / "lock" / "x.yaml")
    assert isinstance(error, CaseError)
    assert "no channel fixture 'does-not-exist'" in error.message
    assert "names no channel" not in error.message  # a fixture channel is a known name


def test_case_records_extend_a_fixture_channel() -> None:
    case = _case(
        {
            "channel-fixtures": {"cf": "conda-forge-slice"},
            "channels": {"cf": {"noarch": [{"name": "extra", "version": "1"}]}},
        }
    )
    noarch = case.channels["cf"]["noarch"]
    assert noarch[-1]["name"] == "extra"
    assert len(noarch) > 1 and noarch[0]["archive"] == "conda"  # fixture defaults applied


# --------------------------------------------------------------------------- offline


OFFLINE_SCRIPT = """
import sys
from pathlib import Path
from pixiconf.lock import lock_workspace
from pixiconf.manifest.load import load_manifest
root = Path(sys.argv[1])
lock_workspace(load_manifest(root / "pixi.toml"), root)
print("locked")
"""


def _offline_workspace(tmp_path: Path) -> Path:
    records = load_fixture([CORPUS], "conda-forge-slice")
    toml = SIMPLE.replace('foo = "*"', 'python = "3.12.*"\npandas = "*"\nrequests = "*"').replace(
        '["linux-64"]', '["linux-64", "osx-arm64", "win-64"]'
    )
    return _workspace(tmp_path, toml, {"main": records})


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_lock_makes_no_network_connection(tmp_path: Path) -> None:
    """Every ``connect`` of the process and its threads is traced: none reaches the network
    (the solver is Rust, so a Python-level socket guard could not see it)."""
    root = _offline_workspace(tmp_path)
    trace = tmp_path / "trace.txt"
    run = subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=connect",
            "-o",
            str(trace),
            sys.executable,
            "-c",
            OFFLINE_SCRIPT,
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={**os.environ, "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"},
    )
    if run.returncode != 0 and "PTRACE" in run.stderr.upper():
        pytest.skip(f"strace cannot trace here: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "locked"
    connects = [
        line for line in trace.read_text().splitlines() if "AF_INET" in line or "AF_INET6" in line
    ]
    assert connects == []


def test_lock_succeeds_without_sockets(tmp_path: Path, monkeypatch) -> None:
    """In-process guard: no Python-level socket is opened while locking."""
    import socket

    def guard(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the lock flow opened a socket")

    root = _offline_workspace(tmp_path)
    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket, "getaddrinfo", guard)
    path, _ = _lock(root)
    data = yaml.safe_load(path.read_text())
    assert set(data["environments"]["default"]["packages"]) == {"linux-64", "osx-arm64", "win-64"}
