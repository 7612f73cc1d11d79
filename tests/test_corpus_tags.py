"""Tags of a case read at collection without loading it (pixiconf.corpus.tags)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pixiconf.corpus.loader import iter_case_paths, load_case
from pixiconf.corpus.schema import Case
from pixiconf.corpus.tags import _fast_features, case_tags, case_tags_of, scan_features

CORPUS = Path(__file__).resolve().parent.parent / "cases"

BODY = "description: A case.\nop: check\nexpect: {result: {}}\n"


def test_every_corpus_case_is_scanned_fast_and_as_the_loader_reads_it():
    paths = list(iter_case_paths(CORPUS))
    assert len(paths) > 1000
    for path in paths:
        case = load_case(path, CORPUS)
        assert isinstance(case, Case), path
        text = path.read_text(encoding="utf-8")
        assert _fast_features(text) == case.features, path  # the fast path, not the fallback
        assert case_tags(path, case.id) == case_tags_of(case)


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        ("features: [a, b-c, d.e]\n", ("a", "b-c", "d.e")),
        ("features: [a, b]  # comment\n", ("a", "b")),
        ("features: []\n", ()),
        ("features:\n- a\n- b\n", ("a", "b")),
        ("features:\n  - a\n\n  # between\n  - b  # after\n", ("a", "b")),
        ("features:\n- a\n-   b\n", ("a", "b")),
    ],
)
def test_simple_forms_take_the_fast_path(features, expected):
    assert _fast_features(BODY + features) == expected
    assert _fast_features(features + BODY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Not strings for the case reader: null, booleans, numbers.
        ("features: [a, null]\n", ("a",)),
        ("features: [True, 1.5, x]\n", ("x",)),
        ("features:\n- a\n- 12\n", ("a",)),
        # Quoted, tagged, anchored, flow over several lines, a multi-line plain scalar.
        ("features: ['a b', \"c\"]\n", ("a b", "c")),
        ("features: !!seq [a]\n", ("a",)),
        ("features: &x [a]\nspec: *x\n", ("a",)),
        ("features: [a,\n  b]\n", ("a", "b")),
        ("features:\n- a\n  b\n", ("a b",)),
        ("features:\n  - a\n - b\n", None),  # bad indentation: a YAML error
        ("features:\n- a\n\n  b\n", ("a\nb",)),
        # A column-0 'features' that is not the key, and keys written another way.
        ('spec: "x\nfeatures: [wrong]"\n"features": [right]\n', ("right",)),
        ("? features\n: [a]\n", ("a",)),
        ("base: &b [a]\nfeatures: *b\n", ("a",)),
        ("features:\r\n- a\r\n", ("a",)),
        ("features: [a]\nfeatures: [b]\n", ()),  # duplicate key: the case is an error
        ("features-x: [a]\n", ()),
        ("features:\n", ()),
        ("features: a\n", ()),
    ],
)
def test_other_forms_are_read_by_the_full_reader(tmp_path, text, expected):
    path = tmp_path / "area" / "case.yaml"
    path.parent.mkdir()
    path.write_text(BODY + text, encoding="utf-8", newline="")
    assert _fast_features(BODY + text) is None
    if expected is None:
        assert scan_features(path) == ()
        return
    assert scan_features(path) == expected
    case = load_case(path, tmp_path)
    if isinstance(case, Case):  # whenever the case is valid, the scan agrees with it
        assert case.features == expected


def test_toml_and_unreadable_files(tmp_path):
    toml_case = tmp_path / "a.toml"
    toml_case.write_text('description = "x"\nfeatures = ["a", "b"]\n')
    assert scan_features(toml_case) == ("a", "b")
    (tmp_path / "bad.yaml").write_bytes(b"features: [\xff]\n")
    assert scan_features(tmp_path / "bad.yaml") == ()
    assert scan_features(tmp_path / "missing.yaml") == ()
    assert case_tags(tmp_path / "missing.yaml", "area/missing") == ["area"]
    assert case_tags(toml_case, "a") == ["a", "b"]


def test_a_case_whose_tags_changed_after_collection_is_an_error(pytester):
    pytester.makeconftest(
        textwrap.dedent("""
        from pathlib import Path

        def pytest_collection_finish(session):
            path = Path("corpus/area/case.yaml")
            path.write_text(path.read_text().replace("features: [a]", "features: [b]"))
    """)
    )
    case = pytester.path / "corpus" / "area" / "case.yaml"
    case.parent.mkdir(parents=True)
    case.write_text(
        "description: A case.\nfeatures: [a]\nop: discover\n"
        "files: {pixi.toml: '[workspace]'}\nexpect:\n  result: !any\n"
    )
    result = pytester.runpytest("-p", "no:randomly", "--pixiconf-cases", "corpus", "-m", "a")
    result.assert_outcomes(errors=1)
    assert (
        "case.yaml: the case's tags ['area', 'b'] differ from the markers given at "
        "collection ['area', 'a']"
    ) in result.stdout.str()
