"""The pytest plugin (pixiconf.plugin), driven through ``pytester``.

Every run uses a fake implementation defined in the run's own ``conftest.py`` through the
``pytest_pixiconf_make_implementation`` hook.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pixiconf.plugin import marker_name

FAKE_CONFTEST = '''
from pixiconf.implementations.base import Failed, Observed, Unsupported


class Fake:
    """discover: echoes the request; check: fails on 'bad'; environments: raises."""

    name = "fake"

    def version(self):
        return "fake 1.0"

    def run(self, request):
        root = request.workspace_root
        if request.op == "discover":
            return Observed({
                "manifest": "pixi.toml",
                "cwd": request.cwd.relative_to(root).as_posix(),
                "env": sorted(request.env),
                "timeout": request.timeout,
                "files": sorted(p.relative_to(root).as_posix()
                                for p in root.rglob("*") if p.is_file()),
            }, warnings=("key `project` is deprecated",))
        if request.op == "check":
            if "bad" in (request.cwd / "pixi.toml").read_text():
                return Failed("\\x1b[31merror\\x1b[0m: the manifest\\n    is bad", exit_code=1)
            return Observed({"warnings": []})
        if request.op == "environments":
            raise RuntimeError("fake blew up")
        return Unsupported(f"{request.op} is not faked")


def pytest_pixiconf_make_implementation(config, name):
    if name == "fake":
        return Fake()
'''

PASSING = """
description: The manifest in the current directory is found.
features: [discovery, pypi-options]
files:
  pixi.toml: "[workspace]"
  sub/keep.txt: ""
cwd: sub
env: {PIXI_X: "1"}
op: discover
expect:
  result:
    manifest: pixi.toml
    cwd: sub
    env: [HOME, LANG, NO_COLOR, PATH, PIXI_X]
    files: [pixi.toml, sub/keep.txt]
    nothing: !absent
"""

FAILING = """
description: A wrong expectation fails.
features: [discovery]
op: discover
args: {manifest-path: some/where}
expect:
  result:
    manifest: other.toml
    timeout: !any
"""

ERROR_CASE = """
description = "A bad manifest is an error."
features = ["validation", "did-you-mean"]
op = "check"
[files]
"pixi.toml" = "bad"
[expect.error]
contains = ["the manifest is bad"]
"""

UNSUPPORTED = """
description: Locking is not faked.
features: [lock]
op: lock
expect: {result: {}}
"""

MALFORMED = """
description: A misspelt key.
features: [malformed]
op: discover
expct: {result: {}}
"""


#: Plugins the inner runs do not need (hypothesis re-imports itself on every in-process run).
INNER_ADDOPTS = "-p no:hypothesispytest -p no:syrupy -p no:cacheprovider"


@pytest.fixture
def corpus(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A corpus in ``<pytester>/corpus`` and a conftest with the fake implementation."""
    monkeypatch.setenv("PYTEST_ADDOPTS", INNER_ADDOPTS)
    pytester.makeconftest(FAKE_CONFTEST)
    root = pytester.path / "corpus"
    files = {
        "discovery/finds-manifest.yaml": PASSING,
        "discovery/wrong-expectation.yaml": FAILING,
        "validation/bad-manifest.toml": ERROR_CASE,
        "build/lock-unsupported.yaml": UNSUPPORTED,  # 'build' is in norecursedirs by default
        "malformed/misspelt-key.yaml": MALFORMED,
        "malformed/not-yaml.yaml": "a: [\n",
        "discovery/_fixture.yaml": "not: a case\n",
        "_shared/ignored.yaml": "not: a case\n",
        "renamed.toml": '"old" = "new"\n',
        "features.txt": "discovery\nvalidation\nbuild\nmalformed\nlock\npypi-options\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("--pixiconf-impl=fake", *args)


def test_outcomes_of_each_kind_of_case(pytester, corpus):
    result = run(pytester, "--pixiconf-cases", "corpus", "-rA")
    result.assert_outcomes(passed=2, failed=1, skipped=1, errors=2)
    for line in [  # one by one: the order of the summary follows the random test order
        "PASSED corpus/discovery/finds-manifest.yaml::discovery/finds-manifest",
        "PASSED corpus/validation/bad-manifest.toml::validation/bad-manifest",
        "FAILED corpus/discovery/wrong-expectation.yaml::discovery/wrong-expectation*",
        "SKIPPED [[]1[]] corpus/build/lock-unsupported.yaml:1: "
        "unsupported by fake: lock is not faked",
        "ERROR corpus/malformed/misspelt-key.yaml::malformed/misspelt-key*",
        "ERROR corpus/malformed/not-yaml.yaml::malformed/not-yaml*",
    ]:
        result.stdout.fnmatch_lines([line])
    assert "_fixture" not in result.stdout.str() and "ignored" not in result.stdout.str()


def test_failure_report_is_readable_and_has_no_traceback(pytester, corpus):
    result = run(pytester, "--pixiconf-cases", "corpus", "-k", "wrong-expectation")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            'FAIL discovery/wrong-expectation: /manifest: expected "other.toml", got "pixi.toml"',
            f"file: {corpus / 'discovery' / 'wrong-expectation.yaml'}",
            "implementation: fake",
            "op: discover",
            'args: {"manifest-path": "some/where"}',
            "observation:",
            "  manifest: pixi.toml",
            "mismatches:",
            '  /manifest: expected "other.toml", got "pixi.toml"',
            "diff (expected → actual):",
            "  -manifest: other.toml",
            "  +manifest: pixi.toml",
            "   timeout: !any",
            "warnings:",
            "  - key `project` is deprecated",
        ]
    )
    out = result.stdout.str()
    assert "Traceback" not in out and "plugin.py" not in out and "runtest" not in out


def test_malformed_case_is_an_error_naming_file_and_key(pytester, corpus):
    result = run(pytester, "--pixiconf-cases", "corpus", "-k", "misspelt or not-yaml")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of pixiconf case malformed/misspelt-key*",
            "malformed case malformed/misspelt-key: 2 problems in "
            f"{corpus}/malformed/misspelt-key.yaml",
            "  key 'expct': unknown key; * did you mean 'expect'?",
            "  key 'expect': missing required key",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "malformed case malformed/not-yaml: 1 problem in *not-yaml.yaml",
            "  not valid YAML (line 2, column 1): did not find expected node content "
            "(while parsing a flow node)",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_raising_implementation_fails_with_its_traceback(pytester, corpus):
    (corpus / "discovery" / "raises.yaml").write_text(
        "description: Raises.\nfeatures: [x]\nop: environments\nexpect: {result: {}}\n"
    )
    result = run(pytester, "--pixiconf-cases", "corpus", "-k", "raises")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["ERROR discovery/raises: the implementation raised*", "*RuntimeError: fake blew up"]
    )


def test_k_selects_by_parts_of_case_ids(pytester, corpus):
    result = run(pytester, "--pixiconf-cases", "corpus", "-k", "discovery/finds", "-v")
    result.assert_outcomes(passed=1)
    result = run(pytester, "--pixiconf-cases", "corpus", "-k", "bad-manifest or lock-unsupp")
    result.assert_outcomes(passed=1, skipped=1)


def test_m_selects_by_area_and_feature_markers(pytester, corpus):
    result = run(pytester, "--pixiconf-cases", "corpus", "--strict-markers", "-m", "pypi_options")
    result.assert_outcomes(passed=1)
    result = run(
        pytester,
        "--pixiconf-cases",
        "corpus",
        "--strict-markers",
        "-m",
        "validation or did_you_mean",
    )
    result.assert_outcomes(passed=1)
    result = run(pytester, "--pixiconf-cases", "corpus", "--strict-markers", "-m", "malformed")
    result.assert_outcomes(errors=2)
    result = run(pytester, "--pixiconf-cases", "corpus", "--strict-markers", "-m", "build")
    result.assert_outcomes(skipped=1)


def test_markers_are_registered(pytester, corpus):
    result = run(pytester, "--pixiconf-cases", "corpus", "--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.pypi_options: pixiconf cases of area or feature 'pypi-options'",
        ]
    )


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("pypi-options", "pypi_options"),
        ("a.b c", "a_b_c"),
        ("skip", "pixiconf_skip"),
        ("not", "pixiconf_not"),
        ("discovery", "discovery"),
    ],
)
def test_marker_spelling(tag, name):
    assert marker_name(tag) == name


def test_unknown_feature_tags_still_run_and_get_markers(pytester, corpus):
    (corpus / "discovery" / "new-tag.yaml").write_text(
        "description: New tag.\nfeatures: [brand-new]\nop: check\n"
        "files: {pixi.toml: ok}\nexpect: {result: {warnings: []}}\n"
    )
    result = run(pytester, "--pixiconf-cases", "corpus", "--strict-markers", "-m", "brand_new")
    result.assert_outcomes(passed=1)


def test_only_files_below_a_corpus_root_are_collected(pytester, corpus):
    pytester.makefile(".yaml", stray=PASSING)
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["no tests collected*"])
    result = run(pytester, "--collect-only", "-q", "--pixiconf-cases", "corpus")
    assert "stray" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*6 tests collected*"])


def test_cases_outside_rootdir_are_collected_from_any_cwd(pytester, corpus, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest(
        "--pixiconf-impl=fake",
        f"--rootdir={elsewhere}",
        "--pixiconf-cases",
        str(corpus),
        "-k",
        "finds-manifest",
        "-v",
    )
    result.assert_outcomes(passed=1)


def test_ini_option_is_relative_to_the_ini_file(pytester, corpus):
    pytester.makeini("[pytest]\npixiconf_cases = corpus\n")
    sub = pytester.mkdir("somewhere")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(sub)
        result = pytester.runpytest("--pixiconf-impl=fake", "-q", str(pytester.path))
    result.assert_outcomes(passed=2, failed=1, skipped=1, errors=2)


def test_cli_root_replaces_testpaths_but_not_explicit_paths(pytester, corpus):
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    pytester.makeini("[pytest]\ntestpaths = test_other.py\n")
    result = run(pytester, "--pixiconf-cases", "corpus", "-k", "finds or other")
    result.assert_outcomes(passed=1)
    result = run(pytester, "test_other.py", "--pixiconf-cases", "corpus", "-k", "finds or other")
    result.assert_outcomes(passed=2)


def test_cli_root_skips_the_conftests_of_testpaths(pytester, corpus):
    # A project's test conftest may import test-only packages; a corpus-only run must not load it.
    tests = pytester.mkdir("tests")
    (tests / "conftest.py").write_text("import a_package_that_is_not_installed\n")
    (tests / "test_x.py").write_text("def test_x():\n    pass\n")
    pytester.makeini("[pytest]\ntestpaths = tests\n")
    result = run(pytester, "--pixiconf-cases", "corpus", "-k", "finds")
    result.assert_outcomes(passed=1)
    result = run(pytester, "-k", "finds")
    # (the control: without the option, testpaths' conftest is loaded and fails)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*a_package_that_is_not_installed*"])


def _collected(result: pytest.RunResult) -> list[str]:
    return sorted(line.split("::")[1] for line in result.stdout.lines if "::" in line)


ALL_CASES = [
    "build/lock-unsupported",
    "discovery/finds-manifest",
    "discovery/wrong-expectation",
    "malformed/misspelt-key",
    "malformed/not-yaml",
    "validation/bad-manifest",
]


def test_ignore_options_still_apply_inside_a_root(pytester, corpus):
    args = ("--pixiconf-cases", "corpus", "--collect-only", "-q")
    assert _collected(run(pytester, *args)) == ALL_CASES  # the control
    result = run(pytester, *args, "--ignore", "corpus/malformed")
    assert _collected(result) == [c for c in ALL_CASES if not c.startswith("malformed")]
    result = run(pytester, *args, "--ignore", "corpus/discovery/finds-manifest.yaml")
    assert _collected(result) == [c for c in ALL_CASES if c != "discovery/finds-manifest"]
    result = run(pytester, *args, "--ignore-glob", "corpus/b*d")
    assert _collected(result) == [c for c in ALL_CASES if not c.startswith("build")]
    result = run(pytester, *args, "--ignore-glob", "corpus/*/wrong-*.yaml")
    assert _collected(result) == [c for c in ALL_CASES if c != "discovery/wrong-expectation"]


def test_conftest_collect_ignore_applies_inside_a_root(pytester, corpus):
    (corpus / "conftest.py").write_text(
        'collect_ignore = ["malformed", "validation/bad-manifest.toml"]\n'
        'collect_ignore_glob = ["*/wrong-*"]\n'
    )
    result = run(pytester, "--pixiconf-cases", "corpus", "--collect-only", "-q")
    assert _collected(result) == ["build/lock-unsupported", "discovery/finds-manifest"]
    # A conftest's own pytest_ignore_collect is asked before pixiconf's: it can ignore an area.
    (corpus / "conftest.py").write_text(
        "def pytest_ignore_collect(collection_path, config):\n"
        "    return True if collection_path.name == 'discovery' else None\n"
    )
    result = run(pytester, "--pixiconf-cases", "corpus", "--collect-only", "-q")
    assert _collected(result) == [c for c in ALL_CASES if not c.startswith("discovery")]


def test_norecursedirs_does_not_apply_inside_a_root(pytester, corpus):
    # 'build' is in pytest's default norecursedirs; a corpus area may have any name.
    pytester.makeini("[pytest]\nnorecursedirs = discovery malformed corpus2\n")
    other = pytester.mkdir("corpus2")  # outside any root, norecursedirs still applies
    (other / "x").mkdir()
    (other / "x" / "case.yaml").write_text(PASSING)
    (pytester.path / "outside").mkdir()
    (pytester.path / "outside" / "discovery").mkdir()
    (pytester.path / "outside" / "discovery" / "test_no.py").write_text("def test_no(): pass\n")
    result = run(pytester, "--pixiconf-cases", "corpus", "--collect-only", "-q", ".")
    assert _collected(result) == ALL_CASES
    result = run(pytester, "--pixiconf-cases", "corpus", "--pixiconf-cases", "corpus2", "-q")
    result.assert_outcomes(passed=3, failed=1, skipped=1, errors=2)  # corpus2 is a root now
    # Hidden and `_` directories stay out, whatever norecursedirs says.
    pytester.makeini("[pytest]\nnorecursedirs = nothing\n")
    (corpus / ".hidden").mkdir()
    (corpus / ".hidden" / "case.yaml").write_text(PASSING)
    (corpus / "discovery" / "_private").mkdir()
    (corpus / "discovery" / "_private" / "case.yaml").write_text(PASSING)
    result = run(pytester, "--pixiconf-cases", "corpus", "--collect-only", "-q")
    assert _collected(result) == ALL_CASES


def test_timeout_option_reaches_the_implementation(pytester, corpus):
    (corpus / "discovery" / "timeout.yaml").write_text(
        "description: Timeout.\nfeatures: [x]\nop: discover\nexpect: {result: {timeout: 2.5}}\n"
    )
    result = run(pytester, "--pixiconf-cases", "corpus", "-k", "timeout", "--pixiconf-timeout=2.5")
    result.assert_outcomes(passed=1)
    result = run(pytester, "--pixiconf-cases", "corpus", "-k", "timeout")
    result.assert_outcomes(failed=1)


def test_usage_errors_are_clean(pytester, corpus):
    result = pytester.runpytest("--pixiconf-cases", "corpus", "--pixiconf-impl", "no-such-impl")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --pixiconf-impl: unknown implementation 'no-such-impl'*"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    result = pytester.runpytest("--pixiconf-cases", "missing-dir")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --pixiconf-cases: 'missing-dir' is not a directory"])
    result = pytester.runpytest("--pixiconf-timeout=0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--pixiconf-timeout: expected a positive number*"])


def test_reportinfo_and_item_names(pytester, corpus):
    pytester.makeini("[pytest]\npixiconf_cases = corpus\n")
    items = pytester.getitems(corpus / "discovery" / "finds-manifest.yaml")
    (item,) = items
    assert item.name == "discovery/finds-manifest"
    path, line, description = item.reportinfo()
    assert Path(path) == corpus / "discovery" / "finds-manifest.yaml" and line == 0
    assert "discovery/finds-manifest" in description
    assert {m.name for m in item.iter_markers()} == {"discovery", "pypi_options"}


RECORDING_CONFTEST = FAKE_CONFTEST + textwrap.dedent("""
    import json, os

    SEEN = []

    class Recording(Fake):
        def run(self, request):
            SEEN.append(str(request.workspace_root))
            return super().run(request)

    def pytest_pixiconf_make_implementation(config, name):
        return Recording()

    def pytest_sessionfinish(session):
        with open("seen.json", "w") as handle:
            json.dump(SEEN, handle)
""")

#: Case ID → the name of its directory (a case that reaches the implementation).
DIRECTORIES = {
    "discovery/finds-manifest": "discovery_finds_manifest0",
    "discovery/wrong-expectation": "discovery_wrong_expectation0",
    "validation/bad-manifest": "validation_bad_manifest0",
    "build/lock-unsupported": "build_lock_unsupported0",
}


@pytest.mark.parametrize(
    ("policy", "kept"),
    [
        ("all", set(DIRECTORIES)),
        ("failed", {"discovery/wrong-expectation"}),
        ("none", set()),
    ],
)
def test_case_directories_are_in_basetemp_and_kept_as_tmp_path_is(pytester, corpus, policy, kept):
    pytester.makeconftest(RECORDING_CONFTEST)
    pytester.makeini(f"[pytest]\ntmp_path_retention_policy = {policy}\n")
    basetemp = pytester.path / "base"
    result = run(pytester, "--pixiconf-cases", "corpus", f"--basetemp={basetemp}")
    result.assert_outcomes(passed=2, failed=1, skipped=1, errors=2)
    seen = [Path(root) for root in json.loads((pytester.path / "seen.json").read_text())]
    assert sorted(root.parent.name for root in seen) == sorted(DIRECTORIES.values())
    assert all(root.name == "workspace" for root in seen)
    assert {root.parent.parent for root in seen} == {basetemp.resolve()}
    still_there = {case for case, name in DIRECTORIES.items() if (basetemp / name).exists()}
    assert still_there == kept
    assert [p.name for p in basetemp.iterdir() if p.name.startswith("pixiconf-")] == []
    out = result.stdout.str()
    if kept:  # the failed case's report names its directory
        result.stdout.fnmatch_lines(
            [
                "*- pixiconf workspace -*",
                f"kept in {basetemp.resolve()}/{DIRECTORIES['discovery/wrong-expectation']}",
            ]
        )
    else:
        assert "pixiconf workspace" not in out and "kept in" not in out


def test_an_expected_failure_keeps_its_directory_under_the_failed_policy(pytester, corpus):
    pytester.makeini("[pytest]\ntmp_path_retention_policy = failed\n")
    (pytester.path / "expected.toml").write_text(
        '"discovery/wrong-expectation" = { outcome = "fail", reason = "known" }\n'
    )
    basetemp = pytester.path / "base"
    args = ("--pixiconf-cases", "corpus", f"--basetemp={basetemp}", "-k", "discovery")
    result = run(pytester, *args, "--pixiconf-expectations", "expected.toml")
    result.assert_outcomes(passed=1, xfailed=1)
    assert sorted(p.name for p in basetemp.iterdir()) == ["discovery_wrong_expectation0"]


def _run_with_system_temp(pytester: pytest.Pytester, system_temp: Path, *args: str):
    env = {**os.environ, "TMPDIR": str(system_temp)}
    env.pop("PYTEST_DEBUG_TEMPROOT", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--pixiconf-impl=fake", "--pixiconf-cases=corpus", *args],
        cwd=pytester.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_nothing_but_pytests_own_directory_is_left_in_the_system_temp(pytester, corpus, tmp_path):
    pytester.makeconftest(RECORDING_CONFTEST)
    done = _run_with_system_temp(pytester, tmp_path, "-p", "no:randomly")
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout
    (user_dir,) = tmp_path.iterdir()
    assert user_dir.name.startswith("pytest-of-")
    seen = [Path(root) for root in json.loads((pytester.path / "seen.json").read_text())]
    assert len(seen) == 4 and all(root.parent.parent.parent == user_dir for root in seen)
    assert not list(user_dir.glob("*/pixiconf-*"))  # the worker's directory (if any) is gone


def test_without_pytests_tmpdir_plugin_the_run_makes_and_removes_its_own(
    pytester, corpus, tmp_path
):
    pytester.makeconftest(RECORDING_CONFTEST)
    done = _run_with_system_temp(pytester, tmp_path, "-p", "no:tmpdir", "-p", "no:legacypath")
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    seen = [Path(root) for root in json.loads((pytester.path / "seen.json").read_text())]
    assert len(seen) == 4
    assert all(root.parent.parent.parent == tmp_path for root in seen)
    assert all(root.parent.parent.name.startswith("pixiconf-") for root in seen)
    assert list(tmp_path.iterdir()) == []


def test_works_under_xdist_and_random_order(pytester, corpus):
    result = pytester.runpytest_subprocess(
        "--pixiconf-impl=fake",
        "--pixiconf-cases",
        "corpus",
        "-n",
        "2",
        "-p",
        "randomly",
    )
    result.assert_outcomes(passed=2, failed=1, skipped=1, errors=2)
    result.stdout.fnmatch_lines(["*FAIL discovery/wrong-expectation*"])
    # Each worker makes the case directories in its own basetemp (xdist's popen-gwN).
    result.stdout.fnmatch_lines(["kept in */popen-gw[01]/discovery_wrong_expectation0"])


def test_an_implementation_without_a_corpus_runs_the_bundled_one(pytester, monkeypatch):
    # `pip install pixiconf` carries the corpus: in an empty directory, --pixiconf-impl alone
    # collects it (from the wheel's pixiconf/_bundled_cases, or a checkout's cases/).
    from pixiconf.corpus.bundled import bundled_corpus

    monkeypatch.setenv("PYTEST_ADDOPTS", INNER_ADDOPTS)
    bundled = bundled_corpus()
    assert bundled is not None and (bundled / "targets").is_dir()
    result = pytester.runpytest("--pixiconf-impl=reference", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*targets/later-glob-beats-earlier-exact-selector*"])
    collected = [line for line in result.stdout.lines if "::" in line]
    assert len(collected) > 1000
    # Without an implementation (or a corpus) installing the plugin collects nothing.
    result = pytester.runpytest("--collect-only", "-q")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
