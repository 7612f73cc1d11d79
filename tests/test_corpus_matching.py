"""§4 matching (pixiconf.corpus.matching) and grading an outcome (pixiconf.corpus.runner)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixiconf.corpus.matching import (
    match,
    match_substrings,
    normalise_message,
    pointer,
    to_yaml,
    unified_diff,
)
from pixiconf.corpus.runner import CaseOutcome, evaluate, format_result, summary_line
from pixiconf.corpus.schema import Case, Expectation
from pixiconf.implementations.base import Failed, Observed, Unsupported
from pixiconf.observation_values import ABSENT, ANY

# --------------------------------------------------------------------------- structure


def test_mapping_is_a_subset_match_by_default():
    assert match({"a": 1}, {"a": 1, "b": 2}) == []


def test_strict_mapping_reports_extra_keys():
    assert match({"a": 1}, {"a": 1, "b": 2}, strict=True) == ["/b: unexpected key (strict), got 2"]


def test_strict_applies_to_nested_mappings():
    lines = match({"x": {"a": 1}}, {"x": {"a": 1, "z": None}}, strict=True)
    assert lines == ["/x/z: unexpected key (strict), got null"]


def test_missing_key_is_reported_with_its_path():
    assert match({"a": {"b": 1}}, {"a": {}}) == ["/a/b: missing key (expected 1)"]


def test_lists_match_element_by_element():
    assert match([1, {"a": 2}], [1, {"a": 2, "extra": 3}]) == []
    assert match([1, 2], [1, 3]) == ["/1: expected 2, got 3"]


def test_lists_must_have_the_same_length():
    (line,) = match({"l": [1, 2]}, {"l": [1, 2, 3]})
    assert line.startswith("/l: expected a list of 2 items, got 3")


def test_tuples_count_as_lists():
    assert match([1, 2], (1, 2)) == []


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        (1, 1, True),
        (1, 1.0, True),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        ("1", 1, False),
        (None, None, True),
        (None, "", False),
        ("a", "a", True),
    ],
)
def test_scalar_equality_keeps_types_apart(expected, actual, ok):
    assert (match(expected, actual) == []) is ok


def test_type_mismatch_names_both_sides():
    (line,) = match({"a": {"b": 1}}, {"a": [1]})
    assert line == "/a: expected a mapping, got a list [1]"


@pytest.mark.parametrize("token", [ANY, "!any"])
def test_any_matches_any_value_but_needs_the_key(token):
    assert match({"a": token}, {"a": [1, {"x": None}]}) == []
    assert match({"a": token}, {}) == ["/a: missing key (expected !any)"]


@pytest.mark.parametrize("token", [ABSENT, "!absent"])
def test_absent_requires_the_key_to_be_missing(token):
    assert match({"a": token}, {"b": 1}) == []
    assert match({"a": token}, {"a": None}) == ["/a: expected no such key, got null"]


def test_absent_in_a_list_is_a_mismatch():
    assert match([ABSENT], [1]) == ["/0: !absent can only stand for a mapping value"]


def test_pointer_escapes_like_json_pointer():
    assert pointer([]) == "/"
    assert pointer(["a/b", "m~n", 0]) == "/a~1b/m~0n/0"
    lines = match({"sub/pixi.toml": 1}, {"sub/pixi.toml": 2})
    assert lines == ["/sub~1pixi.toml: expected 1, got 2"]


def test_long_values_are_shortened_in_mismatch_lines():
    (line,) = match("short", "x" * 500)
    assert line.endswith("…") and len(line) < 200


# --------------------------------------------------------------------------- messages


def test_normalise_removes_ansi_and_collapses_whitespace():
    text = "\x1b[31merror\x1b[0m:  the\n   manifest\tis \x1b]8;;http://x\x1b\\bad\x1b]8;;\x1b\\"
    assert normalise_message(text) == "error: the manifest is bad"


def test_substrings_ignore_wrapping_colour_and_spacing():
    message = "\x1b[1;31m×\x1b[0m unknown field `platfroms`,\n  │ expected one of `platforms`"
    assert match_substrings(["unknown field `platfroms`, │ expected"], message) == []
    assert match_substrings(["field   `platfroms`"], message) == []


def test_each_missing_substring_is_reported():
    lines = match_substrings(["present", "absent one", "also absent"], "present here")
    assert lines == [
        'message: missing substring "absent one"',
        'message: missing substring "also absent"',
    ]


def test_substring_may_match_any_one_of_several_messages():
    assert match_substrings(["second"], ["first", "the second"], what="warnings") == []
    assert match_substrings(["first the"], ["first", "the second"], what="warnings") == [
        'warnings: missing substring "first the"'
    ]


# --------------------------------------------------------------------------- diff


def test_diff_is_empty_when_matching():
    assert unified_diff({"a": 1}, {"a": 1, "ignored": 2}) == ""


def test_diff_leaves_out_keys_the_expectation_ignores():
    diff = unified_diff({"a": 1, "keep": ANY}, {"a": 2, "keep": [1, 2], "noise": "zzz"})
    assert "-a: 1" in diff and "+a: 2" in diff
    assert "noise" not in diff
    assert "keep" not in diff.replace(" keep: !any", "")  # an !any value shows as !any


def test_strict_diff_shows_extra_keys():
    diff = unified_diff({"a": 1}, {"a": 1, "noise": "zzz"}, strict=True)
    assert "+noise: zzz" in diff


def test_diff_is_cut_after_max_lines():
    diff = unified_diff(list(range(100)), list(range(100, 200)), max_lines=10)
    assert diff.splitlines()[-1].startswith("... (") and len(diff.splitlines()) == 11


def test_yaml_shows_tokens_as_bare_tags_and_multiline_text_as_blocks():
    text = to_yaml({"a": ANY, "b": [ABSENT], "c": "x\ny\n"})
    assert text == "a: !any\nb:\n- !absent\nc: |\n  x\n  y\n"


# --------------------------------------------------------------------------- grading


def _case(expect: Expectation) -> Case:
    return Case(
        id="area/name",
        path=Path("area/name.yaml"),
        description="d",
        features=("area",),
        op="discover",
        args={"manifest-path": "x"},
        expect=expect,
    )


RESULT = Expectation("result", result={"manifest": "pixi.toml"})
ERROR = Expectation("error", error_contains=("not found",))


def test_matching_observation_passes():
    result = evaluate(_case(RESULT), Observed({"manifest": "pixi.toml"}), implementation="i")
    assert result.outcome is CaseOutcome.PASS
    assert result.observed and result.observation == {"manifest": "pixi.toml"}


def test_wrong_observation_fails_with_mismatches_and_diff():
    result = evaluate(_case(RESULT), Observed({"manifest": "other.toml"}), implementation="i")
    assert result.outcome is CaseOutcome.FAIL
    assert result.mismatches == ('/manifest: expected "pixi.toml", got "other.toml"',)
    assert "+manifest: other.toml" in result.diff


def test_failure_when_a_result_is_expected_fails():
    result = evaluate(_case(RESULT), Failed("boom"), implementation="i")
    assert result.outcome is CaseOutcome.FAIL
    assert result.message == "boom" and not result.observed


def test_expected_error_passes_on_matching_message():
    result = evaluate(_case(ERROR), Failed("manifest\n  not   found"), implementation="i")
    assert result.outcome is CaseOutcome.PASS


def test_expected_error_fails_on_other_message_or_on_success():
    assert evaluate(_case(ERROR), Failed("other"), implementation="i").outcome is CaseOutcome.FAIL
    observed = evaluate(_case(ERROR), Observed({}), implementation="i")
    assert observed.outcome is CaseOutcome.FAIL
    assert observed.mismatches == (
        "expected the operation to fail, but it produced an observation",
    )


def test_unsupported_is_a_skip_never_a_pass():
    result = evaluate(_case(RESULT), Unsupported("later"), implementation="i")
    assert result.outcome is CaseOutcome.SKIP and result.message == "later"


def test_timed_out_failure_is_a_timeout():
    result = evaluate(_case(ERROR), Failed("not found", timed_out=True), implementation="i")
    assert result.outcome is CaseOutcome.TIMEOUT


def test_warnings_expectation_is_checked_beside_result_and_error():
    case = _case(Expectation("result", result={}, warnings_contains=("deprecated",)))
    ok = evaluate(case, Observed({}, warnings=("key is deprecated",)), implementation="i")
    assert ok.outcome is CaseOutcome.PASS
    bad = evaluate(case, Observed({}, warnings=("other",)), implementation="i")
    assert bad.mismatches == ('warnings: missing substring "deprecated"',)
    case = _case(Expectation("error", error_contains=(), warnings_contains=("w",)))
    assert evaluate(case, Failed("x"), implementation="i").outcome is CaseOutcome.FAIL


def test_non_outcome_from_implementation_is_an_error():
    result = evaluate(_case(RESULT), {"manifest": "pixi.toml"}, implementation="i")
    assert result.outcome is CaseOutcome.ERROR


def test_report_shows_case_op_args_observation_mismatches_and_diff():
    result = evaluate(
        _case(RESULT),
        Observed({"manifest": "other.toml"}, warnings=("careful",)),
        implementation="impl",
    )
    report = format_result(result)
    assert report.splitlines()[0] == summary_line(result)
    assert summary_line(result).startswith('FAIL area/name: /manifest: expected "pixi.toml"')
    for text in (
        "file: area/name.yaml",
        "op: discover",
        'args: {"manifest-path": "x"}',
        "observation:\n  manifest: other.toml",
        "mismatches:",
        "+manifest: other.toml",
        "warnings:\n  - careful",
        "implementation: impl",
    ):
        assert text in report
    assert "Traceback" not in report


def test_report_strips_colour_from_failure_messages():
    failed = Failed("\x1b[31mred\x1b[0m")
    report = format_result(evaluate(_case(RESULT), failed, implementation="i"))
    assert "failure message:\n  red" in report and "\x1b" not in report
