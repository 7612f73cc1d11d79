"""The corpus as a language-neutral artifact: ``cases/schema.json`` (a JSON Schema, draft
2020-12, of a case file) and ``cases/report.schema.json`` (of the JSON report) are kept equal
to what pixiconf's loader accepts and its reports contain."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import jsonschema
import pytest

from pixiconf import CONTRACT_VERSION
from pixiconf.corpus.channels import RECORD_KEYS
from pixiconf.corpus.loader import iter_case_paths, parse_case_text, read_case_file
from pixiconf.corpus.schema import (
    CASE_KEYS,
    EXPECT_KEYS,
    OPERATION_ARGS,
    REQUIRED_KEYS,
    CaseError,
    validate_case,
)
from pixiconf.observation_values import Token
from pixiconf.operations.request import CONTRACT_OPERATIONS
from pixiconf.reports.json_report import OUTCOMES, build_report, case_record

CASES = Path(__file__).resolve().parent.parent / "cases"
CASE_SCHEMA = json.loads((CASES / "schema.json").read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads((CASES / "report.schema.json").read_text(encoding="utf-8"))
CASE_VALIDATOR = jsonschema.Draft202012Validator(CASE_SCHEMA)
REPORT_VALIDATOR = jsonschema.Draft202012Validator(REPORT_SCHEMA)


def as_json(value):
    """A loaded case in the JSON data model: tokens as their strings, bytes as base64."""
    if isinstance(value, Token):
        return value.tag
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def load(path: Path):
    return parse_case_text(read_case_file(path), path.suffix, path.name)


ALL_CASES = sorted(iter_case_paths(CASES))


def test_the_schemas_are_valid_draft_2020_12():
    for schema in (CASE_SCHEMA, REPORT_SCHEMA):
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_case_of_the_corpus_is_valid():
    assert len(ALL_CASES) > 100
    problems = {}
    for path in ALL_CASES:
        errors = list(CASE_VALIDATOR.iter_errors(as_json(load(path))))
        if errors:
            problems[str(path.relative_to(CASES))] = [e.message for e in errors[:3]]
    assert problems == {}


# --------------------------------------------------------------------------- equal to the loader


def test_top_level_keys_and_required_keys_are_the_loaders():
    assert tuple(CASE_SCHEMA["properties"]) == CASE_KEYS
    assert tuple(CASE_SCHEMA["required"]) == REQUIRED_KEYS
    assert CASE_SCHEMA["additionalProperties"] is False
    assert CASE_SCHEMA["properties"]["contract"]["maximum"] == CONTRACT_VERSION


def test_operations_and_their_arguments_are_the_loaders():
    assert CASE_SCHEMA["properties"]["op"]["enum"] == list(OPERATION_ARGS)
    assert set(OPERATION_ARGS) == set(CONTRACT_OPERATIONS)
    rules = {rule["if"]["properties"]["op"]["const"]: rule["then"] for rule in CASE_SCHEMA["allOf"]}
    assert set(rules) == set(OPERATION_ARGS)
    for op, (required, optional) in OPERATION_ARGS.items():
        args = rules[op]["properties"]["args"]
        assert tuple(args["properties"]) == required + optional, op
        assert tuple(args["required"]) == required, op
        assert args["additionalProperties"] is False


def test_expect_and_package_record_keys_are_the_loaders():
    defs = CASE_SCHEMA["$defs"]
    assert tuple(defs["expect"]["properties"]) == EXPECT_KEYS
    assert tuple(defs["record"]["properties"]) == RECORD_KEYS
    assert defs["record"]["required"] == ["name", "version"]


#: A valid case of every operation's family, the base of the mutations below.
BASES = ["targets/activation-env-merged-per-key", "lock/bare-version-is-exact"]


def _mutations():
    """``(name, mutate)``: each makes a valid case into one the loader rejects."""

    def drop(key):
        return lambda c: c.pop(key, None)

    def put(key, value):
        return lambda c: c.__setitem__(key, value)

    def set_in(path, value):
        def mutate(c):
            node = c
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value

        return mutate

    out = [(f"missing {key}", drop(key)) for key in REQUIRED_KEYS]
    out += [
        ("unknown key", put("descripton", "x")),
        ("misspelt op", put("op", "resolv")),
        ("op not a string", put("op", 3)),
        ("contract 0", put("contract", 0)),
        ("contract from the future", put("contract", CONTRACT_VERSION + 1)),
        ("blank description", put("description", "  ")),
        ("features not a list", put("features", "targets")),
        ("empty feature", put("features", [""])),
        ("spec list of numbers", put("spec", [1])),
        ("pixi a number", put("pixi", 0.4)),
        ("absolute file path", put("files", {"/etc/passwd": "x"})),
        ("dotdot file path", put("files", {"a/../b": "x"})),
        ("dot file path", put("files", {"./pixi.toml": "x"})),
        ("backslash file path", put("files", {"a\\b": "x"})),
        ("file text a number", put("files", {"pixi.toml": 3})),
        ("unknown arg", lambda c: c.setdefault("args", {}).__setitem__("platfrom", "x")),
        ("args a list", put("args", ["x"])),
        ("expect both", put("expect", {"result": {}, "error": {"contains": ["x"]}})),
        ("expect neither", put("expect", {"strict": True})),
        ("strict beside error", put("expect", {"error": {"contains": ["x"]}, "strict": True})),
        ("strict not boolean", put("expect", {"result": {}, "strict": "yes"})),
        ("error without contains", put("expect", {"error": {}})),
        ("unknown expect key", put("expect", {"result": {}, "warning": {"contains": []}})),
        ("channel name with slash", put("channels", {"a/b": {"noarch": []}})),
        ("record without version", put("channels", {"c": {"noarch": [{"name": "x"}]}})),
        (
            "record unknown key",
            put("channels", {"c": {"noarch": [{"name": "x", "version": "1", "licence": "MIT"}]}}),
        ),
        (
            "record bad md5",
            put("channels", {"c": {"noarch": [{"name": "x", "version": "1", "md5": "abc"}]}}),
        ),
        (
            "record bad noarch",
            put("channels", {"c": {"noarch": [{"name": "x", "version": "1", "noarch": "yes"}]}}),
        ),
        ("pypi-mapping to true", put("pypi-mapping", {"a": True})),
        ("env sets HOME", put("env", {"HOME": "/x"})),
        ("env value a number", put("env", {"A": 1})),
        ("cwd absolute", put("cwd", "/tmp")),
        ("fixture name with slash", set_in(("channel-fixtures", "c"), "../x")),
    ]
    return out


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize(("name", "mutate"), _mutations(), ids=[n for n, _ in _mutations()])
def test_a_case_the_loader_rejects_the_schema_rejects(base, name, mutate):
    path = CASES / f"{base}.yaml"
    data = copy.deepcopy(load(path))
    assert CASE_VALIDATOR.is_valid(as_json(data))
    mutate(data)
    loaded = validate_case(copy.deepcopy(data), case_id=base, path=path, root=CASES)
    assert isinstance(loaded, CaseError), f"the loader accepts the mutation {name!r}"
    assert not CASE_VALIDATOR.is_valid(as_json(data)), f"the schema accepts {name!r}"


def test_an_operation_without_its_required_argument_is_rejected_by_both():
    data = copy.deepcopy(load(CASES / f"{BASES[0]}.yaml"))
    assert data["op"] == "resolve"
    data.pop("args")
    path = CASES / f"{BASES[0]}.yaml"
    assert isinstance(
        validate_case(copy.deepcopy(data), case_id="x/y", path=path, root=CASES), CaseError
    )
    assert not CASE_VALIDATOR.is_valid(as_json(data))


# --------------------------------------------------------------------------- the report


def _report():
    cases = {
        "alpha/one": case_record("alpha/one", "pass", duration=0.5, features=["a"]),
        "alpha/two": case_record(
            "alpha/two",
            "fail",
            features=["a", "b"],
            commands=["pixi info --json"],
            message="/x: expected 1",
            diff="--- expected\n+++ actual",
            details="/x: expected 1",
            expected={"outcome": "fail", "reason": "known"},
        ),
        "root-case": case_record("root-case", "crash"),
    }
    return build_report(
        cases,
        contract=1,
        corpus_version="1.0.0",
        pixiconf_version="0.1.0",
        implementation={"name": "pixi", "version": "pixi 0.77.0", "pixi": "0.77.0"},
        shard={"index": 1, "count": 3},
    )


def test_a_report_is_valid_and_its_keys_are_the_schemas():
    report = _report()
    assert list(REPORT_VALIDATOR.iter_errors(report)) == []
    assert set(REPORT_SCHEMA["properties"]) == set(report)
    record_keys = set(REPORT_SCHEMA["$defs"]["case"]["properties"])
    assert set(report["cases"]["alpha/two"]) == record_keys
    assert REPORT_SCHEMA["$defs"]["case"]["properties"]["outcome"]["enum"] == list(OUTCOMES)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r["cases"]["alpha/one"].__setitem__("outcome", "passed"),
        lambda r: r.__setitem__("report-format", 2),
        lambda r: r.pop("corpus-version"),
        lambda r: r.__setitem__("shard", {"index": 1}),
    ],
)
def test_a_broken_report_is_invalid(mutate):
    report = _report()
    mutate(report)
    assert not REPORT_VALIDATOR.is_valid(report)
