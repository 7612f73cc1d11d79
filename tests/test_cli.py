"""The ``pixiconf`` command line (pixiconf/cli.py), driven in-process through ``main``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pixiconf import __version__
from pixiconf.cli import main
from pixiconf.implementations.base import Unsupported
from pixiconf.implementations.reference import ReferenceImplementation

PIXI_TOML = """\
[workspace]
name = "demo"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64"]

[dependencies]
python = ">=3.11"

[feature.test.dependencies]
pytest = "*"

[tasks]
hello = "echo hello"

[environments]
test = ["test"]
"""

SYSREQ_WARNING = "the `[system-requirements]` table is deprecated"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workspace commands read PIXI_* variables; keep the caller's out of these tests."""
    for name in list(os.environ):
        if name.startswith("PIXI_"):
            monkeypatch.delenv(name)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "pixi.toml").write_text(PIXI_TOML, encoding="utf-8")
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# --------------------------------------------------------------------------- basics


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert f"pixiconf {__version__}" in out


def test_help_documents_exit_codes(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("discover", "check", "environments", "resolve", "run-case", "lint"):
        assert command in out
    assert "3  the operation is not supported" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["discover", "--no-such-option"],
        ["resolve"],  # --platform is required
        ["run-case"],  # FILE is required
    ],
)
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage:" in err


def test_python_dash_m(capsys, monkeypatch):
    # What `python -m pixiconf` runs (runpy cannot load it under pytest's assertion rewriting).
    import pixiconf.__main__ as entry

    source = Path(entry.__file__).read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["pixiconf", "--version"])
    with pytest.raises(SystemExit) as exc:
        exec(
            compile(source, entry.__file__, "exec"),
            {"__name__": "__main__", "__package__": "pixiconf"},
        )
    assert exc.value.code == 0
    assert __version__ in capsys.readouterr().out


# --------------------------------------------------------------------------- workspace commands


def test_discover_yaml_and_json(capsys, workspace):
    code, out, err = run(capsys, "discover", "--cwd", str(workspace))
    assert (code, err) == (0, "")
    assert yaml.safe_load(out) == {"manifest": "pixi.toml"}

    code, out, _ = run(capsys, "discover", "--cwd", str(workspace), "--json")
    assert code == 0
    assert json.loads(out) == {"manifest": "pixi.toml"}


def test_discover_defaults_to_current_directory(capsys, workspace, monkeypatch):
    monkeypatch.chdir(workspace)
    code, out, _ = run(capsys, "discover")
    assert code == 0
    assert yaml.safe_load(out) == {"manifest": "pixi.toml"}


def test_discover_manifest_path_relative_to_cwd(capsys, workspace):
    sub = workspace / "pkg"
    sub.mkdir()
    (sub / "pixi.toml").write_text(PIXI_TOML, encoding="utf-8")
    code, out, _ = run(capsys, "discover", "--cwd", str(workspace), "--manifest-path", "pkg")
    assert code == 0
    assert yaml.safe_load(out) == {"manifest": "pkg/pixi.toml"}


def test_missing_manifest_fails_with_exit_1(capsys, tmp_path):
    code, out, err = run(capsys, "discover", "--cwd", str(tmp_path))
    assert code == 1
    assert out == ""
    assert "could not find pixi.toml or pyproject.toml" in err


def test_missing_explicit_manifest_path(capsys, workspace):
    code, out, err = run(capsys, "check", "--cwd", str(workspace), "--manifest-path", "nope.toml")
    assert code == 1
    assert out == ""
    assert "unable to canonicalize 'nope.toml'" in err


def test_cwd_not_a_directory_is_usage_error(capsys, tmp_path):
    code, out, err = run(capsys, "check", "--cwd", str(tmp_path / "missing"))
    assert code == 2
    assert out == ""
    assert "--cwd" in err


def test_check_malformed_toml(capsys, tmp_path):
    (tmp_path / "pixi.toml").write_text("[workspace\nname = 1\n", encoding="utf-8")
    code, out, err = run(capsys, "check", "--cwd", str(tmp_path))
    assert code == 1
    assert out == ""
    assert "pixi.toml" in err and "error" in err


def test_check_clean_manifest(capsys, workspace):
    code, out, err = run(capsys, "check", "--cwd", str(workspace), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"warnings": []}


def test_check_warnings_go_to_stderr_as_rendered(capsys, workspace):
    with (workspace / "pixi.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[system-requirements]\ncuda = "12"\n')
    code, out, err = run(capsys, "check", "--cwd", str(workspace))
    assert code == 0
    warnings = yaml.safe_load(out)["warnings"]
    assert len(warnings) == 1 and SYSREQ_WARNING in warnings[0]
    # Rendered diagnostic: location and severity prefix, then the message.
    assert f"pixi.toml:{PIXI_TOML.count(chr(10)) + 2}:1: warning: {SYSREQ_WARNING}" in err


def test_check_invalid_manifest_key(capsys, workspace):
    (workspace / "pixi.toml").write_text(
        PIXI_TOML.replace("[dependencies]", "bogus = 1\n\n[dependencies]"), encoding="utf-8"
    )
    code, out, err = run(capsys, "check", "--cwd", str(workspace))
    assert code == 1
    assert out == ""
    assert "'bogus' was not expected here" in err


def test_environments(capsys, workspace):
    code, out, _ = run(capsys, "environments", "--cwd", str(workspace), "--json")
    assert code == 0
    environments = json.loads(out)["environments"]
    assert list(environments) == ["default", "test"]
    assert environments["test"] == {
        "features": ["test", "default"],
        "solve-group": None,
        "no-default-feature": False,
    }


def test_resolve(capsys, workspace):
    code, out, _ = run(
        capsys, "resolve", "--cwd", str(workspace), "--platform", "linux-64", "-e", "test"
    )
    assert code == 0
    observation = yaml.safe_load(out)
    assert observation["features"] == ["test", "default"]
    assert observation["dependencies"] == {"pytest": ["*"], "python": [">=3.11"]}
    assert observation["tasks"]["hello"]["cmd"] == "echo hello"
    # YAML keeps the observation's key order (sort_keys=False).
    assert list(observation)[:2] == ["features", "channels"]

    code, out, _ = run(
        capsys, "resolve", "--cwd", str(workspace), "--platform", "linux-64", "--json"
    )
    assert code == 0
    assert json.loads(out)["features"] == ["default"]


def test_resolve_unknown_environment(capsys, workspace):
    code, out, err = run(
        capsys,
        "resolve",
        "--cwd",
        str(workspace),
        "--platform",
        "linux-64",
        "--environment",
        "nope",
    )
    assert code == 1
    assert out == ""
    assert "nope" in err


def test_environment_is_filtered_to_pixi_path_home(capsys, workspace, monkeypatch):
    seen = []

    def fake_run(self, request):
        seen.append(request)
        return Unsupported("not today")

    monkeypatch.setattr(ReferenceImplementation, "run", fake_run)
    monkeypatch.setenv("PIXI_SOMETHING", "1")
    monkeypatch.setenv("PIXICONF_TEST_UNRELATED", "x")
    monkeypatch.setenv("HOME", str(workspace))
    code, out, err = run(capsys, "environments", "--cwd", str(workspace))
    assert code == 3  # Unsupported
    assert out == ""
    assert "not today" in err
    (request,) = seen
    assert request.env["PIXI_SOMETHING"] == "1"
    assert request.env["HOME"] == str(workspace)
    assert set(request.env) <= {"PATH", "HOME"} | {k for k in os.environ if k.startswith("PIXI_")}
    assert "PIXICONF_TEST_UNRELATED" not in request.env
    assert request.workspace_root == request.cwd == workspace


def test_pixi_project_manifest_is_passed_through(capsys, workspace, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("PIXI_PROJECT_MANIFEST", str(workspace / "pixi.toml"))
    code, out, _ = run(capsys, "discover", "--cwd", str(elsewhere))
    assert code == 0
    # Outside the workspace root, discover reports the path as it is.
    assert Path(yaml.safe_load(out)["manifest"]).resolve() == (workspace / "pixi.toml").resolve()


# --------------------------------------------------------------------------- run-case and lint


PASSING_CASE = """\
description: A pixi.toml in the start directory is the workspace manifest.
features: [discovery]
files:
  pixi.toml: |
    [workspace]
    channels = []
    platforms = []
op: discover
expect:
  result:
    manifest: pixi.toml
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "discovery").mkdir(parents=True)
    (root / "features.txt").write_text("discovery\n", encoding="utf-8")
    (root / "discovery" / "found.yaml").write_text(PASSING_CASE, encoding="utf-8")
    return root


def test_run_case_pass(capsys, corpus):
    code, out, _ = run(capsys, "run-case", str(corpus / "discovery" / "found.yaml"))
    assert code == 0
    (entry,) = yaml.safe_load(out)
    assert entry["case"] == "discovery/found"  # ID relative to the features.txt root
    assert entry["outcome"] == "PASS"
    assert entry["observation"] == {"manifest": "pixi.toml"}


def test_run_case_fail_and_json(capsys, corpus):
    failing = corpus / "discovery" / "wrong.yaml"
    failing.write_text(
        PASSING_CASE.replace("manifest: pixi.toml", "manifest: other.toml").replace(
            "is the workspace", "is not the workspace"
        ),
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "run-case", "--json", str(corpus / "discovery" / "found.yaml"), str(failing)
    )
    assert code == 1
    entries = json.loads(out)
    assert [(e["case"], e["outcome"]) for e in entries] == [
        ("discovery/found", "PASS"),
        ("discovery/wrong", "FAIL"),
    ]
    assert entries[1]["observation"] == {"manifest": "pixi.toml"}
    assert entries[1]["mismatches"]


def test_run_case_failure_message_shown(capsys, corpus):
    case = corpus / "discovery" / "broken-toml.yaml"
    case.write_text(PASSING_CASE.replace("[workspace]", "[workspace"), encoding="utf-8")
    code, out, _ = run(capsys, "run-case", str(case))
    assert code == 1
    (entry,) = yaml.safe_load(out)
    assert entry["outcome"] == "FAIL"
    assert "observation" not in entry
    assert "pixi.toml" in entry["message"]


def test_run_case_directory(capsys, corpus):
    code, out, _ = run(capsys, "run-case", str(corpus))
    assert code == 0
    assert [e["case"] for e in yaml.safe_load(out)] == ["discovery/found"]


def test_run_case_directory_without_cases(capsys, tmp_path):
    code, out, err = run(capsys, "run-case", str(tmp_path))
    assert code == 2
    assert out == ""
    assert "no case files" in err


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("description: [unclosed\n", "not valid YAML"),
        ("description: x\nfeatures: [a]\nop: discover\n", "expect"),
        ("- just\n- a list\n", ""),
    ],
    ids=["yaml-syntax", "missing-key", "not-a-mapping"],
)
def test_run_case_malformed_is_error(capsys, corpus, text, needle):
    bad = corpus / "discovery" / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "run-case", str(bad))
    assert code == 1
    (entry,) = yaml.safe_load(out)
    assert entry["case"] == "discovery/bad"
    assert entry["outcome"] == "ERROR"
    assert needle in entry["message"] and str(bad) in entry["message"]


def test_run_case_unsupported_is_skip(capsys, corpus):
    case = corpus / "discovery" / "lock.yaml"
    # Locking against a named (remote) channel is unsupported offline.
    case.write_text(
        "description: Locking.\nfeatures: [discovery]\nop: lock\n"
        'files:\n  pixi.toml: |\n    [workspace]\n    channels = ["conda-forge"]\n'
        '    platforms = ["linux-64"]\n'
        "expect:\n  result: {}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "run-case", str(case))
    assert code == 1  # a skipped case did not pass
    (entry,) = yaml.safe_load(out)
    assert entry["outcome"] == "SKIP"
    assert "locks offline" in entry["message"]


def test_run_case_skips_a_case_whose_pixi_range_excludes_the_implementation(capsys, corpus):
    # The reference implements pixi 0.77: a rule that held only before 0.39 does not apply.
    case = corpus / "discovery" / "old.yaml"
    case.write_text(
        "description: Old rule.\nfeatures: [discovery]\npixi: '<0.39'\nop: discover\n"
        "files:\n  pixi.toml: '[project]'\nexpect:\n  result: {}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "run-case", str(case))
    (entry,) = yaml.safe_load(out)
    assert (code, entry["outcome"]) == (1, "SKIP")
    assert entry["message"] == "the case applies to pixi <0.39; the implementation is pixi 0.77.0"


def test_run_case_without_corpus_root_uses_file_stem(capsys, tmp_path):
    case = tmp_path / "loose.yaml"
    case.write_text(PASSING_CASE, encoding="utf-8")
    code, out, _ = run(capsys, "run-case", str(case))
    assert code == 0
    assert yaml.safe_load(out)[0]["case"] == "loose"


@pytest.mark.parametrize("argv", [["missing.yaml"], ["--impl", "no-such-impl", "CASE"]])
def test_run_case_unusable_input_exit_2(capsys, corpus, tmp_path, argv):
    argv = [
        str(corpus / "discovery" / "found.yaml")
        if a == "CASE"
        else str(tmp_path / a)
        if a.endswith(".yaml")
        else a
        for a in argv
    ]
    code, out, err = run(capsys, "run-case", *argv)
    assert code == 2
    assert out == ""
    assert "error:" in err


def test_lint_clean(capsys, corpus):
    code, out, err = run(capsys, "lint", str(corpus))
    assert code == 0
    assert out == ""
    assert "no problems" in err


def test_lint_problems(capsys, corpus):
    (corpus / "discovery" / "extra.yaml").write_text(
        PASSING_CASE.replace("features: [discovery]", "features: [unknown-tag]"), encoding="utf-8"
    )
    code, out, _ = run(capsys, "lint", str(corpus))
    assert code == 1
    assert "unknown tag 'unknown-tag'" in out
    assert "duplicate-description" in out


def test_lint_missing_directory(capsys, tmp_path):
    code, out, err = run(capsys, "lint", str(tmp_path / "nope"))
    assert code == 2
    assert out == ""
    assert "not a directory" in err


# --------------------------------------------------------------------------- console script


def test_console_script(tmp_path):
    script = Path(sys.executable).with_name("pixiconf")
    if not script.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    (tmp_path / "pixi.toml").write_text("[workspace\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIXI_")}

    def call(*argv):
        return subprocess.run(
            [str(script), *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    bad = call("check")
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert "pixi.toml" in bad.stderr and "Traceback" not in bad.stderr

    (tmp_path / "pixi.toml").write_text(PIXI_TOML, encoding="utf-8")
    good = call("discover", "--json")
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout) == {"manifest": "pixi.toml"}
