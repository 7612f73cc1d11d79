"""``--pixiconf-record``: a failing case's observation becomes its ``expect``; nothing else of
the file changes (pixiconf.corpus.record, pixiconf.plugin.recording)."""

from __future__ import annotations

import pytest
import yaml

from pixiconf.corpus.record import RecordError, dump_expect, replace_expect_block

INNER_ADDOPTS = "-p no:hypothesispytest -p no:syrupy -p no:cacheprovider -p no:randomly"

MANIFEST = """\
      pixi.toml: |
        # a comment kept verbatim
        [workspace]
        name = "demo"
        channels = []
        platforms = ["linux-64", "osx-arm64"]

        [environments]
        test = ["test"]

        [feature.test.dependencies]
"""

#: A result case whose expectation is wrong; comments and layout that must survive.
WRONG_RESULT = f"""\
# Header comment of the case.
description: The environments of a workspace with one extra environment.
features: [environments]
spec: pixi_manifest/src/environments.rs
files:
{MANIFEST}
op: environments
expect:
  # this comment goes with the old expect
  result:
    environments:
      default: {{features: [wrong]}}

# trailing comment at column 0
"""

ERROR_CASE = """\
description: A manifest that is not TOML fails.
features: [environments]
files: {pixi.toml: "[workspace"}
op: environments
expect: {error: {contains: [something else entirely]}}
"""

PASSING = f"""\
description: The default environment exists.
features: [environments]
files:
{MANIFEST}
op: environments
expect:
  result:
    environments:
      default: !any
"""

MALFORMED = "description: No op.\nfeatures: [environments]\nexpect: {result: {}}\n"


@pytest.fixture
def corpus(pytester, monkeypatch):
    monkeypatch.setenv("PYTEST_ADDOPTS", INNER_ADDOPTS)
    root = pytester.path / "corpus"
    (root / "environments").mkdir(parents=True)
    (root / "features.txt").write_text("environments\n")
    files = {
        "wrong-result": WRONG_RESULT,
        "error": ERROR_CASE,
        "passing": PASSING,
        "malformed": MALFORMED,
    }
    for name, text in files.items():
        (root / "environments" / f"{name}.yaml").write_text(text)
    return root


def _run(pytester, *args):
    return pytester.runpytest("--pixiconf-cases", "corpus", *args)


def _text(corpus, name):
    return (corpus / "environments" / f"{name}.yaml").read_text()


def test_a_failing_result_is_recorded_keeping_the_rest_of_the_file(pytester, corpus):
    result = _run(pytester, "--pixiconf-record", "-k", "wrong-result")
    result.assert_outcomes(passed=1)
    text = _text(corpus, "wrong-result")
    before = WRONG_RESULT.partition("expect:\n")[0]
    assert text.startswith(before + "expect:\n  result:\n")
    assert text.endswith("\n# trailing comment at column 0\n")
    assert "this comment goes with the old expect" not in text
    expect = yaml.safe_load(text)["expect"]
    envs = expect["result"]["environments"]
    assert list(envs) == ["default", "test"]
    assert envs["test"]["features"] == ["test", "default"]
    result.stdout.fnmatch_lines(
        [
            "*pixiconf: recorded expectations*",
            "--- environments/wrong-result (before)",
            "+++ environments/wrong-result (recorded)",
            "-      default: {features: [wrong]}",
            "pixiconf: recorded the expect of 1 case",
        ]
    )
    _run(pytester, "-k", "wrong-result").assert_outcomes(passed=1)  # now it passes


def test_a_failure_is_recorded_as_its_first_line(pytester, corpus):
    _run(pytester, "--pixiconf-record", "-k", "error").assert_outcomes(passed=1)
    contains = yaml.safe_load(_text(corpus, "error"))["expect"]["error"]["contains"]
    assert len(contains) == 1 and "pixi.toml" in contains[0]
    assert "/tmp" not in contains[0] and "pixiconf-" not in contains[0]
    assert _text(corpus, "error").startswith(ERROR_CASE.partition("expect:")[0])
    _run(pytester, "-k", "error").assert_outcomes(passed=1)


def test_only_selected_failing_cases_are_rewritten_never_errors(pytester, corpus):
    result = _run(pytester, "--pixiconf-record", "-k", "passing or malformed")
    result.assert_outcomes(passed=1, errors=1)
    assert _text(corpus, "passing") == PASSING
    assert _text(corpus, "malformed") == MALFORMED
    assert _text(corpus, "wrong-result") == WRONG_RESULT  # not selected
    result.stdout.fnmatch_lines(["pixiconf: --pixiconf-record: no case failed, nothing recorded"])


def test_recording_under_xdist_shows_every_diff_once(pytester, corpus):
    result = _run(pytester, "--pixiconf-record", "-n", "2")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(["pixiconf: recorded the expect of 2 cases"])
    assert result.stdout.str().count("(recorded)") == 2


def test_a_toml_case_is_not_recorded_and_keeps_failing(pytester, corpus):
    toml_case = corpus / "environments" / "as-toml.toml"
    text = (
        'description = "A TOML case."\nfeatures = ["environments"]\nop = "environments"\n'
        'files = { "pixi.toml" = "[workspace]\\nname = \\"x\\"\\nchannels = []\\n'
        'platforms = []\\n" }\n[expect.result.environments.default]\nfeatures = ["x"]\n'
    )
    toml_case.write_text(text)
    result = _run(pytester, "--pixiconf-record", "-k", "as-toml")
    result.assert_outcomes(failed=1)
    assert toml_case.read_text() == text
    result.stdout.fnmatch_lines(["not recorded environments/as-toml: only YAML case files*"])


# --------------------------------------------------------------------------- the block


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nexpect: {result: 1}\nb: 2\n", "a: 1\nexpect:\n  result: 2\nb: 2\n"),
        (
            "a: 1\nexpect:\n  result: 1\n\n\n# c\nb: 2\n",
            "a: 1\nexpect:\n  result: 2\n\n\n# c\nb: 2\n",
        ),
        ("a: 1\nexpect:\n  result:\n  - x\n\n  - y", "a: 1\nexpect:\n  result: 2\n"),
    ],
)
def test_only_the_expect_block_is_replaced(text, expected):
    assert replace_expect_block(text, dump_expect({"result": 2})) == expected


@pytest.mark.parametrize("text", ["a: 1\n", "expect: 1\nexpect: 2\n"])
def test_files_without_exactly_one_expect_line_are_refused(text):
    with pytest.raises(RecordError):
        replace_expect_block(text, "expect: {}\n")


def test_the_dump_uses_literal_blocks_and_tokens():
    from pixiconf.observation_values import ANY

    block = dump_expect({"result": {"text": "line 1\nline 2\n", "v": ANY}})
    assert block == "expect:\n  result:\n    text: |\n      line 1\n      line 2\n    v: !any\n"
