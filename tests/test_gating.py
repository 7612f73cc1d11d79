"""Conformance gating through pytest (pixiconf.plugin.gating) and the command line: expectation
files, ``pixi`` ranges, JSON reports (also under xdist), shards and their merge.

Every run uses a fake implementation (``pixi 0.50.0``) defined in the run's ``conftest.py``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import tomli

from pixiconf.cli import main

FAKE_CONFTEST = '''
from pixiconf.implementations.base import Failed, Observed, Unsupported


class Fake:
    """check: the manifest's text says what happens (crash, slow, bad, else no warnings)."""

    name = "fakepixi"

    def version(self):
        return "pixi 0.50.0 (fake)"

    def run(self, request):
        if request.op != "check":
            return Unsupported(f"{request.op} is not faked")
        text = (request.cwd / "pixi.toml").read_text()
        if "crash" in text:
            return Failed("thread 'main' panicked", crashed=True, exit_code=101,
                          transcript="$ pixi check --crash\\n-> exit 101")
        if "slow" in text:
            return Failed("timed out", timed_out=True)
        if "bad" in text:
            return Failed("the manifest is bad", exit_code=1)
        return Observed({"warnings": []}, transcript="$ pixi check\\n-> exit 0")


def pytest_pixiconf_make_implementation(config, name):
    if name == "fake":
        return Fake()
'''


def _case(text: str, features: str, *, pixi: str | None = None, error: bool = False) -> str:
    expect = (
        "expect: {error: {contains: [is bad]}}" if error else "expect: {result: {warnings: []}}"
    )
    return textwrap.dedent(f"""\
        description: A case ({text}).
        features: [{features}]
        {f"pixi: '{pixi}'" if pixi else ""}
        files: {{pixi.toml: "{text}"}}
        op: check
        {expect}
        """)


#: case ID → file text.  Outcomes against the fake: see OUTCOMES.
CASES = {
    "alpha/one": _case("ok", "alpha, tag-x"),
    "alpha/two": _case("ok", "alpha"),
    "alpha/three": _case("ok", "alpha, tag-x"),
    "alpha/new-rule": _case("ok", "alpha", pixi=">=0.60"),
    "alpha/old-rule": _case("ok", "alpha", pixi="<0.60"),
    "beta/fails": _case("bad", "beta, tag-x"),
    "beta/errors-as-expected": _case("bad", "beta", error=True),
    "beta/two": _case("ok", "beta"),
    "gamma/crashes": _case("crash", "gamma"),
    "gamma/slow": _case("slow", "gamma"),
    "gamma/lock": "description: Not faked.\nfeatures: [gamma]\nop: lock\nexpect: {result: {}}\n",
    "gamma/malformed": "description: Misspelt.\nfeatures: [gamma]\nop: check\nexpct: {}\n",
}
OUTCOMES = {
    "alpha/one": "pass",
    "alpha/two": "pass",
    "alpha/three": "pass",
    "alpha/new-rule": "skip",
    "alpha/old-rule": "pass",
    "beta/fails": "fail",
    "beta/errors-as-expected": "pass",
    "beta/two": "pass",
    "gamma/crashes": "crash",
    "gamma/slow": "timeout",
    "gamma/lock": "skip",
    "gamma/malformed": "error",
}
INNER_ADDOPTS = "-p no:hypothesispytest -p no:syrupy -p no:cacheprovider -p no:randomly"


@pytest.fixture
def corpus(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYTEST_ADDOPTS", INNER_ADDOPTS)
    pytester.makeconftest(FAKE_CONFTEST)
    root = pytester.path / "corpus"
    for case_id, text in CASES.items():
        path = root / f"{case_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "features.txt").write_text("alpha\nbeta\ngamma\ntag-x\n")
    (root / "VERSION").write_text("7.1.0\n")
    return root


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("--pixiconf-impl=fake", "--pixiconf-cases", "corpus", *args)


def write_expectations(
    pytester: pytest.Pytester, entries: dict[str, tuple[str, str]], header: str = ""
) -> Path:
    lines = [header] if header else []
    lines += [
        f'"{case}" = {{ outcome = "{outcome}", reason = {json.dumps(reason)} }}'
        for case, (outcome, reason) in entries.items()
    ]  # JSON strings are TOML here
    path = pytester.path / "expectations" / "fakepixi.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


KNOWN = {
    "beta/fails": ("fail", "known bug 1"),
    "gamma/crashes": ("crash", "panics"),
    "gamma/slow": ("timeout", "hangs"),
    "gamma/malformed": ("error", "broken case"),
}


def outcomes_of(report: Path) -> dict[str, str]:
    return {case: r["outcome"] for case, r in json.loads(report.read_text())["cases"].items()}


# --------------------------------------------------------------------------- pixi ranges


def test_a_case_outside_its_pixi_range_is_skipped_with_the_reason(pytester, corpus):
    result = run(pytester, "-rs", "-k", "rule")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED*alpha/new-rule.yaml:1: the case applies to pixi >=0.60; "
            "the implementation is pixi 0.50.0",
        ]
    )


def test_a_bad_pixi_range_is_an_error_of_the_case(pytester, corpus):
    (corpus / "alpha" / "bad-range.yaml").write_text(_case("ok", "alpha", pixi="soon"))
    result = run(pytester, "-k", "bad-range")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*key 'pixi': expected a PEP 440 or conda version range*"])


# --------------------------------------------------------------------------- expectations


def test_without_expectations_every_non_passing_case_fails_the_run(pytester, corpus):
    result = run(pytester)
    result.assert_outcomes(passed=6, failed=3, skipped=2, errors=1)


def test_listed_cases_with_their_outcome_are_xfail_and_the_run_passes(pytester, corpus):
    path = write_expectations(pytester, KNOWN)
    result = run(pytester, "--pixiconf-expectations", str(path), "-rx", "-k", "not malformed")
    result.assert_outcomes(passed=6, xfailed=3, skipped=2)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["XFAIL*gamma/crashes*crash as listed in *fakepixi.toml: panics"])


def test_a_listed_case_that_passes_is_xpass_and_fails_the_run(pytester, corpus):
    path = write_expectations(pytester, {**KNOWN, "alpha/two": ("fail", "was broken")})
    result = run(pytester, "--pixiconf-expectations", str(path), "-k", "not malformed")
    result.assert_outcomes(passed=5, failed=1, xfailed=3, skipped=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "XPASS alpha/two: listed in *fakepixi.toml as fail (was broken), but the case passes*",
        ]
    )


def test_a_listed_case_with_another_outcome_fails_naming_both(pytester, corpus):
    path = write_expectations(pytester, {"gamma/crashes": ("fail", "wrong message")})
    result = run(pytester, "--pixiconf-expectations", str(path), "-k", "crashes")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "CRASH gamma/crashes: listed in *fakepixi.toml as fail (wrong message), "
            "but the outcome is crash*",
        ]
    )


def test_an_id_the_corpus_does_not_have_fails_the_run(pytester, corpus):
    path = write_expectations(pytester, {**KNOWN, "alpha/renamed-away": ("fail", "old")})
    result = run(pytester, "--pixiconf-expectations", str(path))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*--pixiconf-expectations: *fakepixi.toml lists 1 case ID that the corpus does not "
            "have*",
            "  alpha/renamed-away",
        ]
    )
    # Not hidden by a selection: -k does not change which IDs the corpus has.
    assert run(pytester, "--pixiconf-expectations", str(path), "-k", "one").ret == (
        pytest.ExitCode.USAGE_ERROR
    )


def test_a_skip_entry_is_not_run(pytester, corpus):
    path = write_expectations(pytester, {"gamma/slow": ("skip", "hangs the machine")})
    result = run(pytester, "--pixiconf-expectations", str(path), "-k", "slow", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*listed as skip in *fakepixi.toml: hangs the machine"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '"alpha/one" = { outcome = "flaky", reason = "x" }',
            "outcome must be one of fail, error,",
        ),
        ('"alpha/one" = { outcome = "fail" }', "expected a non-empty 'reason' string"),
        ('"alpha/one" = { outcome = "fail", reason = "x", why = "y" }', "unknown key 'why'"),
        ('"alpha/one" = "fail"', "expected a table"),
        ('"alpha/one" = {', "not a TOML file"),
    ],
)
def test_a_bad_expectation_file_is_a_usage_error(pytester, corpus, text, message):
    path = pytester.path / "bad.toml"
    path.write_text(text + "\n")
    result = run(pytester, "--pixiconf-expectations", str(path))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--pixiconf-expectations: *bad.toml*{message}*"])
    assert "Traceback" not in result.stderr.str()


def test_missing_file_and_update_without_file_are_usage_errors(pytester, corpus):
    result = run(pytester, "--pixiconf-expectations", "nowhere.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*nowhere.toml: cannot read the expectation file*"])
    result = run(pytester, "--pixiconf-update-expectations")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--pixiconf-update-expectations needs*"])


def test_update_rewrites_the_file_keeping_reasons_and_header(pytester, corpus):
    header = "# Cases fakepixi fails.\n# Keep this comment."
    path = write_expectations(
        pytester,
        {
            "gamma/crashes": ("crash", 'panics "badly" \\ see #1\tnow'),  # a reason needing escapes
            "beta/fails": ("timeout", "it used to hang"),  # outcome changed: reason kept
            "alpha/two": ("fail", "fixed since"),  # passes now: removed
            "alpha/gone": ("fail", "renamed away"),  # no such case: dropped
        },
        header=header,
    )
    result = run(pytester, "--pixiconf-expectations", str(path), "--pixiconf-update-expectations")
    result.stdout.fnmatch_lines(
        [
            "pixiconf: dropped 1 entry naming no case of the corpus: alpha/gone",
            "pixiconf: rewrote *fakepixi.toml: 4 cases listed",
        ]
    )
    text = path.read_text()
    assert text.startswith(header + "\n\n")
    data = tomli.loads(text)
    assert (
        list(data)
        == sorted(data)
        == ["beta/fails", "gamma/crashes", "gamma/malformed", "gamma/slow"]
    )
    assert data["gamma/crashes"] == {"outcome": "crash", "reason": 'panics "badly" \\ see #1\tnow'}
    assert data["beta/fails"] == {"outcome": "fail", "reason": "it used to hang"}
    assert data["gamma/slow"]["outcome"] == "timeout" and data["gamma/slow"]["reason"]
    assert data["gamma/malformed"]["outcome"] == "error"
    # The rewritten file gates the next run: everything expected, the run passes.
    result = run(pytester, "--pixiconf-expectations", str(path))
    result.assert_outcomes(passed=6, xfailed=3, skipped=2, errors=1)  # setup errors stay


def test_update_of_a_selection_keeps_the_entries_of_cases_not_run(pytester, corpus):
    path = write_expectations(pytester, KNOWN)
    run(
        pytester,
        "--pixiconf-expectations",
        str(path),
        "--pixiconf-update-expectations",
        "-k",
        "alpha",
    )
    assert tomli.loads(path.read_text()) == {
        case: {"outcome": o, "reason": r} for case, (o, r) in sorted(KNOWN.items())
    }


def test_update_creates_a_missing_file(pytester, corpus):
    path = pytester.path / "expectations" / "new.toml"
    run(pytester, "--pixiconf-expectations", str(path), "--pixiconf-update-expectations")
    assert {c: e["outcome"] for c, e in tomli.loads(path.read_text()).items()} == {
        "beta/fails": "fail",
        "gamma/crashes": "crash",
        "gamma/malformed": "error",
        "gamma/slow": "timeout",
    }


# --------------------------------------------------------------------------- reports


def test_the_report_records_the_run(pytester, corpus):
    path = write_expectations(
        pytester, {"gamma/crashes": ("crash", "panics"), "alpha/two": ("fail", "was broken")}
    )
    result = run(pytester, "--pixiconf-expectations", str(path), "--pixiconf-report", "out.json")
    result.stdout.fnmatch_lines(["pixiconf: wrote the report of 12 cases to *out.json"])
    report = json.loads((pytester.path / "out.json").read_text())
    assert report["contract"] == 1 and report["corpus-version"] == "7.1.0"
    assert report["implementation"] == {
        "name": "fakepixi",
        "version": "pixi 0.50.0 (fake)",
        "pixi": "0.50.0",
    }
    assert report["expectations"] == str(path) and report["shard"] is None
    assert list(report["cases"]) == sorted(CASES)
    expected = {**OUTCOMES, "gamma/crashes": "xfail", "alpha/two": "xpass"}
    assert outcomes_of(pytester.path / "out.json") == expected
    crash = report["cases"]["gamma/crashes"]
    assert crash["commands"] == ["pixi check --crash"]
    assert crash["expected"] == {"outcome": "crash", "reason": "panics"}
    assert crash["area"] == "gamma" and crash["features"] == ["gamma"]
    assert crash["duration"] >= 0
    assert report["cases"]["alpha/new-rule"]["message"].startswith("the case applies to pixi")
    assert report["cases"]["beta/fails"]["message"] == (
        "expected a result, but the operation failed"
    )
    assert report["totals"]["all"] == {
        "pass": 5,
        "fail": 1,
        "xfail": 1,
        "xpass": 1,
        "skip": 2,
        "error": 1,
        "timeout": 1,
        "crash": 0,
        "total": 12,
    }
    assert report["totals"]["areas"] == {
        "alpha": {"pass": 3, "xpass": 1, "skip": 1, "total": 5},
        "beta": {"pass": 2, "fail": 1, "total": 3},
        "gamma": {"xfail": 1, "skip": 1, "error": 1, "timeout": 1, "total": 4},
    }
    assert report["totals"]["features"]["tag-x"] == {"pass": 2, "fail": 1, "total": 3}
    # The command line summarises it.
    assert main(["report", str(pytester.path / "out.json")]) == 0


def test_one_report_under_xdist_with_every_case_once(pytester, corpus):
    path = write_expectations(pytester, KNOWN)
    result = pytester.runpytest_subprocess(
        "--pixiconf-impl=fake",
        "--pixiconf-cases",
        "corpus",
        "-n",
        "2",
        "-p",
        "randomly",
        "--pixiconf-expectations",
        str(path),
        "--pixiconf-report",
        "xdist.json",
    )
    result.assert_outcomes(passed=6, xfailed=3, skipped=2, errors=1)
    report = json.loads((pytester.path / "xdist.json").read_text())
    assert outcomes_of(pytester.path / "xdist.json") == {
        **OUTCOMES,
        "beta/fails": "xfail",
        "gamma/crashes": "xfail",
        "gamma/slow": "xfail",
    }
    assert report["totals"]["all"]["total"] == len(CASES)
    assert [p.name for p in pytester.path.glob("*.json")] == ["xdist.json"]


# --------------------------------------------------------------------------- shards


def test_three_shards_merged_equal_the_unsharded_run(pytester, corpus, capsys):
    path = write_expectations(pytester, KNOWN)
    common = ("--pixiconf-expectations", str(path))
    run(pytester, *common, "--pixiconf-report", "all.json")
    shards = []
    for index in (1, 2, 3):
        name = f"shard{index}.json"
        result = run(pytester, *common, "--pixiconf-shard", f"{index}/3", "--pixiconf-report", name)
        result.stdout.fnmatch_lines([f"pixiconf: shard {index}/3"])
        shards.append(outcomes_of(pytester.path / name))
    # Disjoint, balanced in total (12 cases: 4 each) and per area (alpha: 5 → 2/2/1).
    assert sum(len(s) for s in shards) == len(CASES) == len(set().union(*shards))
    assert [len(s) for s in shards] == [4, 4, 4]
    assert sorted(sum(c.startswith("alpha/") for c in s) for s in shards) == [1, 2, 2]
    files = [str(pytester.path / f"shard{i}.json") for i in (3, 1, 2)]
    merged = pytester.path / "merged.json"
    assert main(["report", "--merge", *files, "-o", str(merged)]) == 0
    assert outcomes_of(merged) == outcomes_of(pytester.path / "all.json")
    whole = json.loads((pytester.path / "all.json").read_text())
    joined = json.loads(merged.read_text())
    assert joined["totals"] == whole["totals"] and joined["shard"] is None
    assert list(joined["cases"]) == sorted(CASES)
    # Without -o the merged report goes to stdout.
    capsys.readouterr()
    assert main(["report", "--merge", *files]) == 0
    assert json.loads(capsys.readouterr().out)["cases"].keys() == whole["cases"].keys()


def test_shard_option_errors(pytester, corpus):
    for value in ("0/3", "4/3", "1", "a/b"):
        result = run(pytester, "--pixiconf-shard", value)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*--pixiconf-shard: expected K/N*"])


def _report(tmp_path: Path, name: str, cases: dict, **overrides) -> str:
    report = {
        "report-format": 1,
        "contract": 1,
        "corpus-version": "7.1.0",
        "pixiconf": "0.1.0",
        "implementation": {"name": "fakepixi", "version": "pixi 0.50.0", "pixi": "0.50.0"},
        "expectations": None,
        "shard": None,
        "cases": {c: {"outcome": o, "duration": 0.0, "commands": []} for c, o in cases.items()},
    }
    report.update(overrides)
    path = tmp_path / name
    path.write_text(json.dumps(report))
    return str(path)


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"cases": {"a/x": "pass"}}, "case 'a/x' is in both *a.json and *b.json"),
        ({"corpus-version": "7.2.0"}, "*b.json and *a.json differ in 'corpus-version'*"),
        (
            {"implementation": {"name": "pixi", "version": "pixi 0.77.0", "pixi": "0.77.0"}},
            "*differ in 'implementation'*",
        ),
        ({"contract": 2}, "*differ in 'contract'*"),
    ],
)
def test_merge_refuses_reports_of_different_runs(tmp_path, capsys, second, message):
    first = _report(tmp_path, "a.json", {"a/x": "pass"})
    other = _report(tmp_path, "b.json", second.pop("cases", {"a/y": "fail"}), **second)
    assert main(["report", "--merge", first, other, "-o", str(tmp_path / "m.json")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert _matches(err, f"pixiconf report: error: {message}")
    assert not (tmp_path / "m.json").exists()


def test_merge_refuses_incomplete_or_repeated_shards(tmp_path, capsys):
    one = _report(tmp_path, "1.json", {"a/x": "pass"}, shard={"index": 1, "count": 3})
    two = _report(tmp_path, "2.json", {"a/y": "pass"}, shard={"index": 2, "count": 3})
    again = _report(tmp_path, "2b.json", {"a/z": "pass"}, shard={"index": 2, "count": 3})
    assert main(["report", "--merge", one, two]) == 2
    assert "shard 3/3 missing" in capsys.readouterr().err
    assert main(["report", "--merge", one, two, again]) == 2
    assert "are both shard 2/3" in capsys.readouterr().err
    plain = _report(tmp_path, "p.json", {"a/w": "pass"})
    assert main(["report", "--merge", one, plain]) == 2
    assert "is not the report of a shard" in capsys.readouterr().err
    (tmp_path / "junk.json").write_text("[1, 2]")
    assert main(["report", str(tmp_path / "junk.json")]) == 2
    assert "not a pixiconf report" in capsys.readouterr().err


def _matches(text: str, pattern: str) -> bool:
    import fnmatch

    return any(fnmatch.fnmatch(line, pattern) for line in text.splitlines())


def test_a_conftest_inside_the_corpus_does_not_break_the_hooks(pytester, corpus):
    # Items outside a conftest's directory call hooks through pluggy's subset callers, which
    # hash every registered plugin (the run's gating state is one).
    (corpus / "alpha" / "conftest.py").write_text("")
    result = run(pytester, "-k", "alpha or beta", "--pixiconf-report", "r.json")
    result.assert_outcomes(passed=6, failed=1, skipped=1)
    assert len(outcomes_of(pytester.path / "r.json")) == 8
