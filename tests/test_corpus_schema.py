"""Case schema (pixiconf.corpus.schema) and case files (pixiconf.corpus.loader)."""

from __future__ import annotations

import datetime
from pathlib import Path, PurePosixPath

import pytest

from pixiconf.corpus.loader import (
    case_id,
    find_root,
    is_case_path,
    iter_case_paths,
    load_case,
    parse_case_text,
    read_features,
)
from pixiconf.corpus.schema import Case, CaseError, check_case, validate_case
from pixiconf.observation_values import ABSENT, ANY

MINIMAL = {
    "description": "A manifest is found.",
    "features": ["discovery"],
    "op": "discover",
    "expect": {"result": {"manifest": "pixi.toml"}},
}


def problems(data: object) -> list[str]:
    return [p.describe() for p in check_case(data)[0]]


def with_(**changes: object) -> dict:
    data = {**MINIMAL}
    for key, value in changes.items():
        data[key.replace("_", "-")] = value
    return data


# --------------------------------------------------------------------------- valid cases


def test_minimal_case_is_valid():
    case = validate_case(MINIMAL, case_id="discovery/x", path=Path("c/discovery/x.yaml"))
    assert isinstance(case, Case)
    assert (case.id, case.op, case.features, case.area) == (
        "discovery/x",
        "discover",
        ("discovery",),
        "discovery",
    )
    assert case.contract == 1 and case.args == {} and case.cwd is None
    assert case.expect.kind == "result" and case.expect.result == {"manifest": "pixi.toml"}


def test_full_case_keeps_every_field():
    data = with_(
        contract=1,
        spec="https://pixi.sh/x#y",
        files={"pixi.toml": "[workspace]\n"},
        channels={"local": {"noarch": [{"name": "a", "version": "1", "depends": ["b"]}]}},
        pypi_mapping={"requests": "requests", "torch": False},
        env={"A": "1"},
        cwd=".",
        op="resolve",
        args={"platform": "linux-64"},
        expect={"result": {"x": ANY, "y": ABSENT}, "strict": True, "warnings": {"contains": ["w"]}},
    )
    case = validate_case(data, case_id="a/b", path=Path("a/b.yaml"))
    assert isinstance(case, Case)
    assert case.spec == ("https://pixi.sh/x#y",)
    assert case.pypi_mapping == {"requests": "requests", "torch": False}
    assert case.channels["local"]["noarch"][0]["name"] == "a"
    assert case.cwd is None  # "." is the root
    assert case.expect.strict and case.expect.warnings_contains == ("w",)


def test_error_expectation():
    case = validate_case(
        with_(expect={"error": {"contains": ["bad"]}}), case_id="a/b", path=Path("a/b.yaml")
    )
    assert isinstance(case, Case)
    assert case.expect.kind == "error" and case.expect.error_contains == ("bad",)


# --------------------------------------------------------------------------- problems


def test_missing_required_keys_are_each_reported():
    assert problems({}) == [
        "key 'description': missing required key",
        "key 'features': missing required key",
        "key 'op': missing required key",
        "key 'expect': missing required key",
    ]


def test_top_level_must_be_a_mapping():
    assert problems(["x"]) == ["expected a mapping of case keys at the top level, got a list"]


def test_misspelt_key_gets_a_suggestion():
    data = {**MINIMAL, "descripton": "x"}
    (line,) = problems(data)
    assert line.startswith("key 'descripton': unknown key; expected one of: contract,")
    assert line.endswith("did you mean 'description'?")


def test_unknown_key_without_a_close_match_has_no_suggestion():
    (line,) = problems({**MINIMAL, "zzzzzz": 1})
    assert "did you mean" not in line


def test_misspelt_operation_gets_a_suggestion():
    (line,) = problems(with_(op="envirnoments"))
    assert line.startswith("key 'op': unknown operation 'envirnoments'")
    assert line.endswith("did you mean 'environments'?")


def test_args_are_checked_per_operation():
    assert problems(with_(op="resolve", args={})) == [
        "key 'args': operation 'resolve' requires argument 'platform'"
    ]
    (line,) = problems(with_(args={"manifest_path": "x"}))
    assert line.startswith("key 'args.manifest_path': unknown key")
    assert line.endswith("did you mean 'manifest-path'?")


def test_tokens_are_only_allowed_in_the_expected_result():
    assert problems(with_(op="resolve", args={"platform": ANY})) == [
        "key 'args.platform': !any is only allowed inside expect.result"
    ]


def test_absent_may_not_stand_for_a_list_item_or_the_whole_result():
    assert problems(with_(expect={"result": {"a": [ABSENT]}})) == [
        "key 'expect.result.a[0]': !absent can only stand for a mapping value"
    ]
    assert problems(with_(expect={"result": "!absent"})) == [
        "key 'expect.result': !absent can only stand for a mapping value"
    ]


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ({"result": 1, "error": {"contains": []}}, "key 'expect': expected exactly one of"),
        ({"warnings": {"contains": []}}, "key 'expect': expected exactly one of"),
        ({"error": {"contains": ["x"]}, "strict": True}, "key 'expect.strict': 'strict' is only"),
        ({"error": {}}, "key 'expect.error': missing required key 'contains'"),
        ({"error": {"contains": "x"}}, "key 'expect.error.contains': expected a list of strings"),
        ({"error": {"contains": [1]}}, "key 'expect.error.contains[0]': expected a string"),
        ({"result": 1, "strict": "yes"}, "key 'expect.strict': expected a boolean"),
        ({"reslt": 1}, "did you mean 'result'?"),
    ],
)
def test_expect_problems(expect, message):
    found = problems(with_(expect=expect))
    assert any(message in line for line in found), found


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../x", "'..'"),
        ("a/../../x", "'..'"),
        ("/etc/passwd", "absolute path"),
        ("C:/x", "absolute path"),
        ("c:x", "absolute path"),
        ("a\\b", "'/' as the path separator"),
        ("a//b", "normalised"),
        ("./a", "normalised"),
        ("", "non-empty"),
    ],
)
def test_unsafe_file_paths_are_rejected(path, why):
    (line,) = problems(with_(files={path: "x"}))
    assert why in line


def test_file_that_is_also_a_directory_is_rejected():
    assert problems(with_(files={"a": "x", "a/b": "y"})) == [
        "key 'files.a': is both a file and a directory of other files"
    ]


def test_channel_placeholder_must_name_a_channel():
    (line,) = problems(with_(files={"pixi.toml": "channels = ['{{channels.nope}}']"}))
    assert "'{{channels.nope}}' names no channel of this case" in line


def test_unsafe_cwd_is_rejected():
    assert problems(with_(cwd="../x")) == ["key 'cwd': a path cannot contain '..'"]


def test_contract_newer_than_the_runner_is_rejected():
    assert problems(with_(contract=2)) == [
        "key 'contract': this runner implements contract 1; the case is written for contract 2"
    ]


def test_numbers_where_strings_belong_suggest_quoting():
    data = with_(channels={"c": {"noarch": [{"name": "a", "version": 1.10}]}})
    assert problems(data) == [
        "key 'channels.c.noarch[0].version': expected a string, got number 1.1 (quote it)"
    ]


def test_channel_records_are_checked():
    data = with_(channels={"c": {"linux-64": [{"version": "1", "nme": "a"}]}, "../x": {}})
    found = problems(data)
    assert "key 'channels.c.linux-64[0]': missing required key 'name'" in found
    assert any("did you mean 'name'?" in line for line in found)
    assert any(line.startswith("key 'channels['../x']'") for line in found)


def test_env_values_must_be_strings():
    assert problems(with_(env={"A": 1})) == [
        "key 'env.A': expected a string, got number 1 (quote it)"
    ]


def test_dates_in_args_are_not_plain_data():
    data = with_(op="resolve", args={"platform": "x", "environment": datetime.date(2024, 1, 1)})
    (line,) = problems(data)
    assert line.startswith("key 'args.environment': expected plain data")


def test_case_error_message_names_file_and_key():
    error = validate_case(with_(features="x"), case_id="a/b", path=Path("cases/a/b.yaml"))
    assert isinstance(error, CaseError)
    assert error.message == (
        "cases/a/b.yaml: key 'features': expected a list of strings, got string 'x'"
    )


# --------------------------------------------------------------------------- loader


def test_yaml_tags_and_quoted_tokens():
    data = parse_case_text('a: !any\nb: !absent\nc: "!any"\n', ".yaml")
    assert data["a"] is ANY and data["b"] is ABSENT and data["c"] == "!any"


def test_yaml_keeps_yes_and_dates_as_strings():
    data = parse_case_text("a: yes\nb: 2024-01-01\nc: true\nd: off\n", ".yaml")
    assert data == {"a": "yes", "b": "2024-01-01", "c": True, "d": "off"}


def test_yaml_duplicate_keys_are_an_error(tmp_path):
    path = tmp_path / "area" / "dup.yaml"
    path.parent.mkdir()
    path.write_text("description: a\ndescription: b\n")
    error = load_case(path, tmp_path)
    assert isinstance(error, CaseError)
    assert "found duplicate key 'description'" in error.message
    assert "dup.yaml" in error.message


def test_token_with_a_value_is_an_error():
    with pytest.raises(Exception, match="!any takes no value"):
        parse_case_text("a: !any x\n", ".yaml")


def test_invalid_yaml_and_toml_become_case_errors(tmp_path):
    (tmp_path / "a").mkdir()
    bad_yaml, bad_toml = tmp_path / "a" / "y.yaml", tmp_path / "a" / "t.toml"
    bad_yaml.write_text("a: [\n")
    bad_toml.write_text("a = \n")
    for path, what in ((bad_yaml, "not valid YAML"), (bad_toml, "not valid TOML")):
        error = load_case(path, tmp_path)
        assert isinstance(error, CaseError) and what in error.message
    (tmp_path / "a" / "b.yaml").write_bytes(b"\xff\xfe")
    assert "cannot read" in load_case(tmp_path / "a" / "b.yaml", tmp_path).message


def test_toml_case_with_quoted_tokens(tmp_path):
    path = tmp_path / "area" / "t.toml"
    path.parent.mkdir()
    path.write_text(
        'description = "A TOML case."\nfeatures = ["x"]\nop = "discover"\n'
        '[expect.result]\nmanifest = "!any"\nother = "!absent"\n'
    )
    case = load_case(path, tmp_path)
    assert isinstance(case, Case) and case.id == "area/t"
    assert case.expect.result == {"manifest": "!any", "other": "!absent"}


def test_case_ids_and_case_files(tmp_path):
    for name in (
        "a/one.yaml",
        "a/two.yml",
        "a/three.toml",
        "a/_fixture.yaml",
        "a/x.json",
        "renamed.toml",
        "features.txt",
        "_hidden/z.yaml",
        ".git/q.yaml",
        "b/c/deep.v2.yaml",
        "b/renamed.toml",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    ids = [case_id(p, tmp_path) for p in iter_case_paths(tmp_path)]
    assert ids == ["a/one", "a/three", "a/two", "b/renamed", "b/c/deep.v2"]
    assert not is_case_path(PurePosixPath("renamed.toml"))
    assert is_case_path(PurePosixPath("b/renamed.toml"))


def test_find_root_prefers_the_outermost_root(tmp_path):
    outer, inner = tmp_path / "c", tmp_path / "c" / "area"
    file = inner / "x.yaml"
    assert find_root(file, [inner, outer]) == outer
    assert find_root(file, [inner]) == inner
    assert find_root(tmp_path / "elsewhere.yaml", [outer]) is None


def test_read_features_skips_comments_and_blank_lines(tmp_path):
    (tmp_path / "features.txt").write_text("# c\n\nalpha  # trailing\n## group\nbeta\n")
    assert read_features(tmp_path / "features.txt") == ["alpha", "beta"]
