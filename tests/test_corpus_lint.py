"""Corpus lint (pixiconf.corpus.lint), on fixtures and on the repository's own cases/."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixiconf.corpus.lint import check_description, lint_corpus

REPO_CASES = Path(__file__).resolve().parent.parent / "cases"


def case_text(description: str = "A manifest is found.", features: str = "[alpha]") -> str:
    return (
        f"description: {description}\nfeatures: {features}\nop: discover\n"
        "expect:\n  result: {manifest: pixi.toml}\n"
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "features.txt").write_text("# vocabulary\nalpha\nbeta  # comment\n")
    (tmp_path / "alpha").mkdir()
    return tmp_path


def lint(root: Path) -> list[tuple[str, str, str]]:
    return [(p.path.relative_to(root).as_posix(), p.check, p.message) for p in lint_corpus(root)]


def test_repository_cases_have_no_problems():
    assert REPO_CASES.is_dir()
    assert [str(p) for p in lint_corpus(REPO_CASES)] == []


def test_clean_corpus_has_no_problems(corpus):
    (corpus / "alpha" / "one.yaml").write_text(case_text())
    (corpus / "alpha" / "two.toml").write_text(
        'description = "Another manifest is found."\nfeatures = ["alpha", "beta"]\n'
        'op = "discover"\n[expect.result]\nmanifest = "pixi.toml"\n'
    )
    (corpus / "alpha" / "_fixture.yaml").write_text("not: a case")
    (corpus / "renamed.toml").write_text('"old/id" = "alpha/one"\n')
    assert lint(corpus) == []


def test_yaml_and_toml_with_the_same_stem_collide(corpus):
    (corpus / "alpha" / "one.yaml").write_text(case_text())
    (corpus / "alpha" / "one.toml").write_text(
        'description = "Different."\nfeatures = ["alpha"]\nop = "discover"\n'
        '[expect.result]\nmanifest = "x"\n'
    )
    assert lint(corpus) == [
        ("alpha/one.toml", "duplicate-id", "ID 'alpha/one' used by alpha/one.toml, alpha/one.yaml")
    ]


def test_descriptions_must_be_unique(corpus):
    (corpus / "alpha" / "a.yaml").write_text(case_text("Same   words here."))
    (corpus / "alpha" / "b.yaml").write_text(case_text("same words HERE."))
    assert lint(corpus) == [
        ("alpha/b.yaml", "duplicate-description", "same description as alpha/a.yaml")
    ]


def test_schema_problems_are_reported(corpus):
    (corpus / "alpha" / "bad.yaml").write_text(case_text() + "oops: 1\n")
    (corpus / "alpha" / "broken.yaml").write_text("a: [\n")
    found = lint(corpus)
    assert [(path, check) for path, check, _ in found] == [
        ("alpha/bad.yaml", "schema"),
        ("alpha/broken.yaml", "schema"),
    ]
    assert found[0][2].startswith("key 'oops': unknown key")
    assert "not valid YAML" in found[1][2]


def test_unknown_and_repeated_tags(corpus):
    (corpus / "alpha" / "a.yaml").write_text(case_text(features="[alpha, alpah, alpha, zzz]"))
    assert lint(corpus) == [
        (
            "alpha/a.yaml",
            "features",
            "unknown tag 'alpah' (not in features.txt); did you mean 'alpha'?",
        ),
        ("alpha/a.yaml", "features", "tag 'alpha' is listed twice"),
        ("alpha/a.yaml", "features", "unknown tag 'zzz' (not in features.txt)"),
    ]


def test_empty_feature_list(corpus):
    (corpus / "alpha" / "a.yaml").write_text(case_text(features="[]"))
    assert lint(corpus) == [("alpha/a.yaml", "features", "lists no feature tags")]


def test_cases_need_an_area_that_is_a_tag(corpus):
    (corpus / "top.yaml").write_text(case_text("At the root."))
    (corpus / "gamma").mkdir()
    (corpus / "gamma" / "x.yaml").write_text(case_text("In an unknown area."))
    assert lint(corpus) == [
        ("top.yaml", "area", "a case must live in an area directory"),
        ("gamma/x.yaml", "area", "area 'gamma' is not a tag in features.txt"),
    ]


def test_missing_vocabulary_is_a_problem(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.yaml").write_text(case_text())
    ((path, check, message),) = lint(tmp_path)
    assert (path, check) == ("features.txt", "features")
    assert message.startswith("cannot read the vocabulary")


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("The last matching selector wins.", []),
        ("Dotted keys, e.g. a.b, are tables.", []),
        ("x" * 150, ["is 150 characters; keep it under 150"]),
        ("The selector should win.", ["uses 'should'; state the behaviour instead"]),
        ("Test that the selector wins.", ["uses 'Test that'; state the behaviour instead"]),
        ("One sentence. Two sentences.", ["has more than one sentence"]),
        ("Line one\nline two", ["spans several lines; write one sentence on one line"]),
    ],
)
def test_check_description(description, expected):
    assert check_description(description) == expected
