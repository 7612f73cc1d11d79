"""The external-binary adapter (pixiconf.implementations.pixi_binary) and the pixiconf-pixi shim.

The slice tests run real subprocesses: the adapter drives the ``pixiconf-pixi`` console script
(or ``python -m pixiconf.implementations.pixi_shim.main`` when the script is not installed),
and the outcome must be the one the reference gives for the same case.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pixiconf.corpus.loader import load_case
from pixiconf.corpus.matching import match, unified_diff
from pixiconf.corpus.runner import CaseOutcome, run_case
from pixiconf.implementations.base import Failed, Observed
from pixiconf.implementations.pixi_binary import PixiBinary, detect_version
from pixiconf.implementations.pixi_binary.process import isolated_env, run_command
from pixiconf.implementations.pixi_binary.stderr import (
    info_messages,
    parse_warnings,
    skipped_dependencies,
)
from pixiconf.implementations.reference import ReferenceImplementation
from pixiconf.implementations.registry import load_implementation
from pixiconf.observation_values import ANY
from pixiconf.operations.request import OperationRequest

CASES = Path(__file__).resolve().parents[1] / "cases"


def _shim(tmp_path_factory) -> str:
    found = shutil.which("pixiconf-pixi") or str(Path(sys.executable).with_name("pixiconf-pixi"))
    if os.path.isfile(found):
        return found
    wrapper = tmp_path_factory.mktemp("shim") / "pixiconf-pixi"
    wrapper.write_text(
        f'#!/bin/sh\nexec {sys.executable} -m pixiconf.implementations.pixi_shim.main "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return str(wrapper)


@pytest.fixture(scope="module")
def shim(tmp_path_factory) -> str:
    return _shim(tmp_path_factory)


def _fake(tmp_path: Path, body: str, name: str = "pixi") -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def _request(tmp_path: Path, op: str = "check", **kwargs) -> OperationRequest:
    root = tmp_path / "case" / "workspace"
    root.mkdir(parents=True, exist_ok=True)
    defaults = {
        "args": {},
        "workspace_root": root,
        "cwd": root,
        "env": {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home")},
    }
    defaults.update(kwargs)
    return OperationRequest(op=op, **defaults)


# --------------------------------------------------------------------------- a slice of the corpus

SLICE = [
    "discovery/in-shell-warns-about-other-pixi-project-manifest",
    "validation/activation-table-unknown-key",
    "validation/activation-scripts-must-be-an-array",
    "environments/implicit-default-environment",
    "activation/env-first-feature-wins-per-key",
    "tasks/alias-array-of-task-tables",
    "lock/bare-version-is-exact",
    "lock-check/" + sorted(p.stem for p in (CASES / "lock-check").glob("*.yaml"))[0],
    "recipe/" + sorted(p.stem for p in (CASES / "recipe").glob("*.yaml"))[0],
    "variants/" + sorted(p.stem for p in (CASES / "variants").glob("*.yaml"))[0],
    "map-pypi/" + sorted(p.stem for p in (CASES / "map-pypi").glob("*.yaml"))[0],
]


@pytest.mark.parametrize("case_id", SLICE)
def test_slice_through_the_shim_agrees_with_the_reference(case_id, shim, tmp_path):
    case = load_case(CASES / f"{case_id}.yaml", CASES)
    expected = run_case(case, ReferenceImplementation(), tmp_parent=tmp_path)
    adapter = PixiBinary(shim, backend=shim)
    got = run_case(case, adapter, tmp_parent=tmp_path)
    assert expected.outcome is CaseOutcome.PASS
    assert got.outcome is expected.outcome, got.transcript or got.message
    assert got.transcript  # the commands are shown


def test_build_string_is_unsupported(shim, tmp_path):
    case = load_case(
        CASES / "build-string" / sorted(p.name for p in (CASES / "build-string").glob("*.yaml"))[0],
        CASES,
    )
    got = run_case(case, PixiBinary(shim, backend=shim), tmp_parent=tmp_path)
    assert got.outcome is CaseOutcome.SKIP
    assert "build-string" in got.message


def test_build_route_without_backend_is_skipped(shim, tmp_path):
    case = load_case(CASES / f"{SLICE[8]}.yaml", CASES)
    got = run_case(case, PixiBinary(shim), tmp_parent=tmp_path)
    assert got.outcome is CaseOutcome.SKIP
    assert "--pixiconf-backend" in got.message


def test_failure_report_shows_commands_exit_codes_and_output(shim, tmp_path):
    case = load_case(CASES / f"{SLICE[2]}.yaml", CASES)
    got = run_case(case, PixiBinary(shim), tmp_parent=tmp_path)
    assert got.outcome is CaseOutcome.PASS  # an expected error
    assert "workspace name get" in got.transcript and "exit code 1" in got.transcript
    assert "stderr:" in got.transcript


# --------------------------------------------------------------------------- command mapping


def test_resolve_maps_to_export_info_platforms_tasks_and_shell_hook(shim, tmp_path):
    case = load_case(CASES / "tasks" / "alias-array-of-task-tables.yaml", CASES)
    got = run_case(case, PixiBinary(shim), tmp_parent=tmp_path)
    commands = [line for line in got.transcript.splitlines() if line.startswith("$ ")]
    joined = "\n".join(commands)
    for words in (
        "workspace export conda-environment -e default -p linux-64",
        "info --json",
        "workspace platform list --json",
        "task list --json",
        "shell-hook --json --no-install --frozen -e default",
    ):
        assert words in joined
    assert all("PIXI_OFFLINE=1" in c for c in commands)


def test_lock_runs_online_and_lock_check_logs_info(shim, tmp_path):
    lock_case = load_case(CASES / f"{SLICE[6]}.yaml", CASES)
    got = run_case(lock_case, PixiBinary(shim), tmp_parent=tmp_path)
    assert "PIXI_OFFLINE" not in got.transcript.splitlines()[0]
    check_case = load_case(CASES / f"{SLICE[7]}.yaml", CASES)
    got = run_case(check_case, PixiBinary(shim), tmp_parent=tmp_path)
    assert "RUST_LOG=pixi_core=info" in got.transcript and "list --locked" in got.transcript


@pytest.mark.parametrize(
    "stderr",
    [
        " INFO the lock file is up-to-date",
        " WARN the lock file is up-to-date but uses an older format (v4), run `pixi lock` to "
        "upgrade to v7 for improved reproducibility",
    ],
)
def test_lock_check_passed_before_list_failed(tmp_path, stderr):
    """pixi 0.77.0 ``list --locked`` on a lock for another platform: the check passes (logged),
    then ``list`` fails; the check's verdict is what is observed."""
    tail = "Error:   × no platform supported by environment 'default' matches the current system"
    body = f"cat >&2 <<'EOF'\n{stderr}\n{tail}\nEOF\nexit 1"
    got = PixiBinary(_fake(tmp_path, body)).run(_request(tmp_path, "lock-check"))
    assert isinstance(got, Observed), got
    assert got.value == {"satisfiable": True, "reasons": []}


def test_lock_check_failure_without_verdict_fails(tmp_path):
    body = 'echo "Error:   × boom" >&2; exit 1'
    got = PixiBinary(_fake(tmp_path, body)).run(_request(tmp_path, "lock-check"))
    assert isinstance(got, Failed) and "boom" in got.message


def test_unobserved_paths_are_reported_and_not_compared(shim, tmp_path):
    case = load_case(CASES / "tasks" / "alias-array-of-task-tables.yaml", CASES)
    got = run_case(case, PixiBinary(shim), tmp_parent=tmp_path)
    assert "/solve-strategy" in got.unobserved and "/system-requirements" in got.unobserved
    assert "system-requirements" not in got.observation


# --------------------------------------------------------------------------- isolation


def test_isolated_env(tmp_path):
    env = isolated_env(
        {
            "PATH": "/bin",
            "HOME": "/elsewhere",
            "https_proxy": "http://p",
            "HTTP_PROXY": "http://p",
            "PIXI_PROJECT_MANIFEST": "x",
        },
        tmp_path,
    )
    for name in (
        "HOME",
        "PIXI_HOME",
        "PIXI_CACHE_DIR",
        "RATTLER_CACHE_DIR",
        "UV_CACHE_DIR",
        "XDG_CACHE_HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
    ):
        assert Path(env[name]).is_dir() and tmp_path in Path(env[name]).parents, name
    assert env["NO_COLOR"] == "1" and env["PIXI_NO_WRAP"] == "1" and env["PIXI_OFFLINE"] == "1"
    assert "https_proxy" not in env and "HTTP_PROXY" not in env
    assert env["PIXI_PROJECT_MANIFEST"] == "x" and env["PATH"] == "/bin"
    assert "PIXI_OFFLINE" not in isolated_env({"PIXI_OFFLINE": "1"}, tmp_path, offline=False)


def test_nothing_else_is_inherited(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXICONF_SECRET", "1")
    binary = _fake(tmp_path, 'env; echo "pixi 0.77.0"')
    result = run_command(
        [binary], cwd=tmp_path, env=isolated_env({"PATH": os.environ["PATH"]}, tmp_path), timeout=10
    )
    assert "PIXICONF_SECRET" not in result.stdout and "NO_COLOR=1" in result.stdout


# --------------------------------------------------------------------------- timeout, crash


def test_timeout(tmp_path):
    binary = _fake(tmp_path, "sleep 30")
    outcome = PixiBinary(binary).run(_request(tmp_path, timeout=0.5))
    assert isinstance(outcome, Failed) and outcome.timed_out and not outcome.crashed
    assert "timed out" in outcome.message


@pytest.mark.parametrize(
    "body",
    [
        "echo \"thread 'main' panicked at src/value.rs:40:\" >&2; exit 101",
        "kill -SEGV $$",
    ],
)
def test_crash(tmp_path, body):
    binary = _fake(tmp_path, body)
    outcome = PixiBinary(binary).run(_request(tmp_path))
    assert isinstance(outcome, Failed) and outcome.crashed and not outcome.timed_out


def test_a_thread_panic_the_program_survives_is_not_a_crash(tmp_path):
    """pixi 0.77 can print a worker thread's panic while it cancels builds, then exit 1: the
    exit code decides, and the panic stays in the transcript."""
    body = (
        "echo \"thread 'tokio-rt-worker' panicked at lib.rs:147:14:\" >&2; "
        "echo 'Error: x' >&2; exit 1"
    )
    outcome = PixiBinary(_fake(tmp_path, body)).run(_request(tmp_path))
    assert isinstance(outcome, Failed) and not outcome.crashed and outcome.exit_code == 1
    assert "panicked at" in outcome.transcript


def test_crash_is_reported_as_crash_and_the_run_goes_on(tmp_path):
    binary = _fake(tmp_path, "echo \"thread 'main' panicked at x\" >&2; exit 101")
    case = load_case(CASES / f"{SLICE[1]}.yaml", CASES)
    got = run_case(case, PixiBinary(binary), tmp_parent=tmp_path)
    assert got.outcome is CaseOutcome.CRASH and "panicked at" in got.message
    timed = run_case(
        case, PixiBinary(_fake(tmp_path, "sleep 30", "slow")), timeout=0.5, tmp_parent=tmp_path
    )
    assert timed.outcome is CaseOutcome.TIMEOUT


# --------------------------------------------------------------------------- version, registry


def test_version_detection(tmp_path):
    assert detect_version(_fake(tmp_path, 'echo "pixi 0.77.0"')) == "0.77.0"
    assert detect_version(_fake(tmp_path, "exit 1", "broken")) == "unknown"
    assert PixiBinary(_fake(tmp_path, 'echo "pixi 1.2.3"', "p2")).version().startswith("pixi 1.2.3")


def test_registry_takes_a_path_or_a_name_on_path(tmp_path, monkeypatch):
    binary = _fake(tmp_path, 'echo "pixi 0.77.0"', "my-pixi")
    impl = load_implementation(binary, backend="/b")
    assert isinstance(impl, PixiBinary) and impl.binary == binary and impl.backend == "/b"
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert load_implementation("my-pixi").binary == binary
    with pytest.raises(ValueError):
        load_implementation(str(tmp_path / "missing" / "pixi"))


# --------------------------------------------------------------------------- parsing and matching


def test_stderr_parsing():
    stderr = (
        "  ⚠ first warning\n    ╭─[pixi.toml:1:1]\n  help: do this\n"
        " WARN pixi_manifest::x: second one\n"
        "2024 INFO pixi_core::lock_file::outdated: environment 'a' is out of date because x\n"
        " WARN pixi_cli: Failed to convert dependency to conda environment spec: "
        'PackageName { normalized: None, source: "foo" }. Skipping dependency\n'
        "Error: boom\n"
    )
    warnings = parse_warnings(stderr)
    assert [w.message for w in warnings][:2] == ["first warning", "second one"]
    assert "help: do this" in warnings[0].text
    assert info_messages(stderr, "out of date because") == [
        "environment 'a' is out of date because x"
    ]
    assert skipped_dependencies(stderr) == ["foo"]


#: stderr captured from pixi 0.77.0 (facts of the binary's output), see the files' names.
PIXI_STDERR = Path(__file__).parent / "data" / "pixi-0.77-stderr"


def test_manifest_warnings_record_header_is_not_a_warning():
    """``workspace name get`` on a manifest with an ambiguous version (a tracing WARN line)
    and three manifest warnings: one WARN record with the ``Encountered 3 warnings`` header
    and three ``⚠`` reports (source frames in box characters, blank lines between them)."""
    stderr = (PIXI_STDERR / "three-manifest-warnings.txt").read_text(encoding="utf-8")
    warnings = parse_warnings(stderr)
    assert [w.message for w in warnings] == [
        "Encountered ambiguous version specifier `1.2`, could be `1.2.*` but assuming you "
        "meant `==1.2`. In the future this will result in an error.",
        "The `project` field is deprecated. Use `workspace` instead.",
        "The `host-dependencies` field is deprecated. Use `dependencies` instead.",
        "The preview flag: fancy is defined in the manifest but un-used in pixi",
    ]
    assert "replace this with 'dependencies'" in warnings[2].text
    assert "replace this with 'workspace'" not in warnings[2].text
    assert "'fancy' is unknown" in warnings[3].text


def test_single_manifest_warning_header_singular():
    stderr = (
        " WARN Encountered 1 warning while parsing the manifest:\n"
        "  ⚠ The feature 'test' is defined but not used in any environment.\n"
        "   ╭─[/ws/pixi.toml:5:10]\n 5 │ [feature.test.dependencies]\n"
        "   ·          ────\n   ╰────\n"
        "  help: Remove the feature from the manifest or add it to an environment\n"
    )
    (warning,) = parse_warnings(stderr)
    assert warning.message == "The feature 'test' is defined but not used in any environment."
    assert warning.text.endswith(
        "help: Remove the feature from the manifest or add it to an environment"
    )


def test_export_scalars_are_strings():
    """``pixi workspace export conda-environment`` output of pixi 0.77.0 (serde_yaml, YAML 1.2
    plain scalars): ``yes`` is the string the manifest set, not a YAML 1.1 boolean."""
    from pixiconf.implementations.pixi_binary.operations import load_export

    stdout = (
        "name: default\nchannels:\n- nodefaults\ndependencies:\n- python 3.11.*\n"
        "variables:\n  V: unix\n  ONLY64: yes\n  N: 1\n  OFF: off\n"
    )
    export = load_export(stdout)
    assert export["variables"] == {"V": "unix", "ONLY64": "yes", "N": "1", "OFF": "off"}
    assert export["dependencies"] == ["python 3.11.*"]
    assert load_export("") == {}


#: One task of ``pixi task list --json`` (pixi 0.77.0) for
#: ``all = { cmd = "echo all", depends-on = ["a", { task = "b", args = ["one", { x = "two" }] },
#: { task = "c", environment = "test" }] }``.
TASK_LIST_ALL = {
    "name": "all",
    "cmd": "echo all",
    "description": None,
    "depends_on": [
        {"task_name": "a", "args": None, "environment": None},
        {
            "task_name": "b",
            "args": [{"Positional": "one"}, {"Named": ["x", "two"]}],
            "environment": None,
        },
        {"task_name": "c", "args": None, "environment": "test"},
    ],
    "args": None,
    "cwd": None,
    "env": None,
    "default_environment": None,
    "clean_env": False,
    "inputs": None,
    "outputs": None,
}


def test_task_list_dependency_args_and_joined_cmd():
    from pixiconf.implementations.pixi_binary.operations import _task

    unobserved: list[str] = []
    task = _task(TASK_LIST_ALL, "all", unobserved)
    assert task["depends-on"] == [
        "a",
        {"task": "b", "args": ["one", {"x": "two"}]},
        {"task": "c", "environment": "test"},
    ]
    assert unobserved == ["/tasks/all/clean-env"]
    # `cmd = ["cargo", "build", "--release"]` is printed "cargo build --release"
    listed = _task({**TASK_LIST_ALL, "cmd": "cargo build --release", "depends_on": []}, "b", [])
    assert match({"cmd": ["cargo", "build", "--release"]}, listed) == []
    assert match({"cmd": "cargo build --release"}, listed) == []
    assert match({"cmd": ["cargo", "build"]}, listed) != []
    assert match({"cmd": "cargo build"}, listed) != []
    assert "cargo build --release" in unified_diff({"cmd": ["cargo"]}, listed)


def test_dry_run_announcement():
    """``pixi run --dry-run --frozen --no-install --skip-deps`` of pixi 0.77.0 (NO_COLOR)."""
    from pixiconf.implementations.pixi_binary.operations import _same_command, dry_run_command

    stdout = (
        "🌵 Dry-run mode enabled - no tasks will be executed.\n\n\n"
        '✨ Pixi task (q in default): echo "a b" it\'s\n'
    )
    assert dry_run_command(stdout, "q") == 'echo "a b" it\'s'
    assert dry_run_command(stdout, "other") is None
    assert dry_run_command("✨ Pixi task (build): make unix\n", "build") == "make unix"
    # `q = { cmd = ["echo", "a b", "it's"] }` is "echo a b it's" in `task list --json`
    assert _same_command('echo "a b" it\'s', "echo a b it's", None)
    assert _same_command("make unix: (Build it)", "make unix", "Build it")
    assert not _same_command("make unix", "make linux-64", None)


def test_target_precedence_checked_with_run(tmp_path):
    """``task list --json`` printed the default target's task; ``run`` announces the
    platform target's: the command is ``run``'s and the rest is not observable."""
    from pixiconf.implementations.pixi_binary.operations import _check_target_precedence
    from pixiconf.implementations.pixi_binary.session import Session

    fake = _fake(tmp_path, "echo '✨ Pixi task (test): test linux'")
    session = Session(fake, _request(tmp_path, "resolve"))
    tasks = {
        "test": {"cmd": "test multi", "description": "x"},
        "t": {"cmd": "test linux"},
        "tpl": {"cmd": "echo {{ a }}"},
    }
    unobserved: list[str] = []
    _check_target_precedence(session, "default", tasks, unobserved)
    assert tasks["test"] == {"cmd": "test linux"} and tasks["t"] == {"cmd": "test linux"}
    assert "/tasks/test/description" in unobserved and "/tasks/t/cwd" not in unobserved
    assert [r.argv[1:4] for r in session.results] == [("run", "--dry-run", "--frozen")] * 2


def test_export_dependencies_as_pixi_prints_them():
    """Export and ``info --json`` of pixi 0.77.0 for ``rust = "1.72"``, ``PyQt = "*"``,
    ``package1 = { version = ">=1.2.3", build = "py34_0" }`` and ``Foo_Bar`` (PyPI)."""
    from pixiconf.implementations.pixi_binary.operations import _dependencies, load_export

    export = load_export(
        "name: default\nchannels:\n- nodefaults\ndependencies:\n"
        "- rust ==1.72\n- pyqt *\n- package1 >=1.2.3 py34_0\n- pip\n"
        "- pip:\n  - foo-bar\n"
    )
    info = {"dependencies": ["rust", "PyQt", "package1"], "pypi_dependencies": ["Foo_Bar"]}
    conda, pypi, unobserved = _dependencies(export, [], info)
    assert list(conda) == ["rust", "PyQt", "package1"] and list(pypi) == ["Foo_Bar"]
    assert conda["package1"] is ANY and unobserved == []
    assert match({"rust": ["1.72"]}, conda) == [] and match({"rust": ["==1.72"]}, conda) == []
    assert match({"rust": ["1.7"]}, conda) != [] and match({"rust": [">=1.72"]}, conda) != []
    assert match({"PyQt": ["*"]}, conda) == []


def test_inline_feature_left_out_by_info_may_come_first():
    import pickle

    from pixiconf.observation_values import MaybePrefixed

    features = MaybePrefixed(["foo", "default"], prefix="dev")
    assert match(["dev", "foo", "default"], features) == []
    assert match(["foo", "default"], features) == []
    assert match(["foo", "dev", "default"], features) != []
    assert match(["other", "foo", "default"], features) != []
    again = pickle.loads(pickle.dumps(features))
    assert again.prefix == "dev" and match(["dev", "foo", "default"], again) == []


def test_platform_outside_environment_fails_without_comparing_the_message(tmp_path):
    """pixi 0.77.0 exports an environment for a platform it lacks; ``run --platform`` refuses
    it ("platform 'osx-64' is not part of environment 'lin'")."""
    info = (
        '{"platform": "linux-64", "environments_info": [{"name": "lin", '
        '"features": ["lin", "default"], "platforms": [{"name": "linux-64"}]}]}'
    )
    body = (
        'case "$1" in\n'
        '  workspace) case "$2" in export) echo "name: lin";; '
        "*) echo '{\"platforms\": []}';; esac;;\n"
        f"  info) echo '{info}';;\n"
        "  run) echo \"Error:   × platform 'osx-64' is not part of environment 'lin'\" >&2; "
        "exit 1;;\nesac"
    )
    request = _request(tmp_path, "resolve", args={"environment": "lin", "platform": "osx-64"})
    got = PixiBinary(_fake(tmp_path, body)).run(request)
    assert isinstance(got, Failed) and got.unobserved == ("/error",)
    assert "is not part of environment 'lin'" in got.message
    case = load_case(CASES / "platforms" / "platform-outside-environment-rejected.yaml", CASES)
    from pixiconf.corpus.runner import evaluate

    graded = evaluate(case, got, implementation="pixi", duration=0.0)
    assert graded.outcome == CaseOutcome.PASS and graded.unobserved == ("/error",)
    assert (
        evaluate(case, replace(got, unobserved=()), implementation="pixi", duration=0.0).outcome
        == CaseOutcome.FAIL
    )


def test_unobserved_and_any_in_matching():
    expected = {"a": 1, "b": {"c": [1, 2]}, "d": 3, "e": "!absent"}
    actual = {"a": 1, "b": {"c": [9]}, "d": ANY}
    assert match(expected, actual, ignore=["/b"]) == []
    assert match(expected, actual) != []
    assert (
        match({"t": {"x": {"clean-env": False}}}, {"t": {"x": {}}}, ignore=["/t/*/clean-env"]) == []
    )
    assert match({"e": "!absent"}, {"e": ANY}) != []
    assert "- 9" not in unified_diff(expected, actual, ignore=["/b"])
    assert "- 9" in unified_diff(expected, actual)


def test_observed_default_has_no_unobserved_paths():
    assert Observed(1).unobserved == ()
