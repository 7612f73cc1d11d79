"""A malformed or hostile case is an ERROR of that case; it never aborts, hangs or escapes a run.

Each regression test below gives the input that used to stop pytest at collection, hang it,
or reach outside the case.  :func:`write_hostile_corpus` generates a corpus of these shapes
(over 200 inputs, counted per shape in :data:`MIN_COUNTS`), which runs in-process and through
the pytest plugin: zero tracebacks, zero aborted runs, zero writes outside the workspace.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from pixiconf.corpus.isolation import guard
from pixiconf.corpus.loader import CorpusWarning, iter_case_paths, load_case
from pixiconf.corpus.runner import CaseOutcome, run_case
from pixiconf.corpus.schema import Case, CaseError
from pixiconf.implementations.reference import ReferenceImplementation
from pixiconf.plugin import marker_name

BASE = "description: A hostile case.\nfeatures: [hostile]\nop: discover\nexpect: {result: {}}\n"
MANIFEST = '[workspace]\nname = "x"\nchannels = []\nplatforms = ["linux-64"]\n'
LONG = "1" * 4301


def _yaml_case(**keys: str) -> str:
    """A case with ``keys`` (YAML text per key) replacing or adding to :data:`BASE`."""
    lines = {
        "description": "A hostile case.",
        "features": "[hostile]",
        "op": "discover",
        "expect": "{result: {}}",
    }
    lines.update(keys)
    return "".join(f"{k}: {v}\n" for k, v in lines.items())


def _bomb(width: int, levels: int, item: str = "x") -> str:
    out = f"a0: &a0 [{', '.join([item] * width)}]\n"
    for level in range(1, levels + 1):
        out += f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]\n"
    return out


def hostile_inputs(outside: Path) -> dict[str, list[str | bytes]]:
    """Shape → texts of case files (``.yaml`` unless the text starts with ``#toml``)."""
    shapes: dict[str, list[str | bytes]] = {}
    # Integers Python refuses to read (sys.get_int_max_str_digits), anywhere in a case.
    places = [
        "contract: {n}",
        "description: {n}",
        "features: [{n}]",
        "args: {{x: {n}}}",
        "env: {{A: {n}}}",
        "expect: {{result: {{x: [{n}]}}}}",
        "files: {{a: {n}}}",
        "spec: {n}",
        "cwd: {n}",
        "channels: {{c: {{noarch: [{{name: a, version: '1', build_number: {n}}}]}}}}",
    ]
    shapes["long-integer"] = [
        BASE + place.format(n=n) + "\n"
        if not place.startswith(("description", "expect"))
        else _yaml_case(**dict([place.format(n=n).split(": ", 1)]))
        for place in places
        for n in (LONG, "-" + "9" * 5000, "1_" + "0" * 5000)
    ] + [
        f'#toml\ndescription = "d"\nfeatures = ["hostile"]\nop = "discover"\n{key} = {n}\n'
        "[expect.result]\n"
        for key in ("contract", "x", "args.y")
        for n in (LONG, "-" + LONG, "+" + LONG)
    ]
    # Aliases that contain themselves.
    shapes["recursive-alias"] = [
        BASE + "spec: &a [*a]\n",
        BASE + "args: &a {x: *a}\n",
        _yaml_case(expect="&a {result: *a}"),
        BASE + "files: &a {a: *a}\n",
        BASE + "channels: &a {c: {noarch: *a}}\n",
        _yaml_case(features="&a [x, *a]"),
        BASE + "env: &a {<<: *a}\n",
        "&a {description: d, features: [x], op: discover, "
        "expect: {result: {}}, args: {x: [[*a]]}}\n",
    ]
    # Alias bombs: a few hundred bytes that would expand to millions of nodes or characters.
    bombs = [_bomb(10, levels) for levels in (6, 7, 9)] + [_bomb(100, levels) for levels in (3, 4)]
    bombs += [_bomb(3, 13), _bomb(2, 20), _bomb(10, 3, "'" + "x" * 100_000 + "'")]
    shapes["alias-bomb"] = [
        bomb + BASE + f"{key}: {value}\n"
        for bomb in bombs
        for key, value in (("spec", "*a{}"), ("args", "{{x: *a{}}}"))
    ]
    shapes["alias-bomb"] = [
        text.replace("*a{}", f"*a{text.count('&a') - 1}") for text in shapes["alias-bomb"]
    ]
    # Keys that are not strings where the schema names things.
    keys = ["1", "1.5", "true", "null", "2024-01-01", "!!binary aGk=", "'1'", "~"]
    shapes["non-string-key"] = [
        BASE + template.format(key=key)
        for key in keys
        for template in (
            "channels: {{{key}: {{noarch: []}}}}\nfiles: {{a: '{{{{channels.x}}}}'}}\n",
            "channels: {{c: {{{key}: []}}}}\n",
            "env: {{{key}: x}}\n",
            "pypi-mapping: {{{key}: x}}\n",
            "files: {{{key}: x}}\n",
            "channel-fixtures: {{{key}: x}}\n",
        )
    ] + [_yaml_case(expect="{result: {1: x, null: y, 2.5: z}}"), "{1: x}\n", "[1, 2]\n"]
    # Feature tags that are not valid marker names as they are.
    tags = [
        "_x",
        "-x",
        "😀",
        "__",
        "1x",
        "not",
        "and",
        "x y",
        "é",
        "::",
        "[x]",
        "x.y",
        "@",
        "x" * 300,
        "\\t",
        "def",
        "class",
        "True",
        "-",
        "_",
    ]
    shapes["marker-name"] = [_yaml_case(features=json.dumps([tag, "hostile"])) for tag in tags]
    # Paths outside the case: env, args, cwd, files, channels, fixtures.
    target = str(outside / "pixi.toml")
    dots = "../" * 16 + target.lstrip("/")
    lock = "op: lock\n"
    base_lock = BASE.replace("op: discover\n", "")
    shapes["escape"] = (
        [
            base_lock + lock + f"env: {{PIXI_PROJECT_MANIFEST: '{value}'}}\n"
            for value in (
                target,
                dots,
                "~/../../../../../../../../" + target.lstrip("/"),
                "~root/pixi.toml",
                str(outside),
            )
        ]
        + [
            base_lock + lock + f"args: {{manifest-path: '{value}'}}\n"
            for value in (target, dots, str(outside))
        ]
        + [BASE + f"env: {{{name}: /tmp}}\n" for name in ("HOME", "PATH")]
        + [
            BASE + f"env: {{{name}: '{value}'}}\n"
            for name, value in (
                ("PIXI_CACHE_DIR", "/tmp"),
                ("XDG_CONFIG_HOME", dots),
                ("PYTHONPATH", f"a:{outside}"),
                ("ANY", "/etc"),
                ("RATTLER_CACHE_DIR", "~/../.."),
            )
        ]
        + [BASE + f"cwd: '{value}'\n" for value in ("..", "/tmp", "a/../..", "C:/x")]
        + [
            BASE + f"files: {{'{value}': x}}\n"
            for value in ("../x", "/tmp/x", "a/../../x", "C:/x", "a\\\\..\\\\..\\\\x")
        ]
        + [
            base_lock + lock + 'files:\n  pixi.toml: |\n    [workspace]\n    name = "x"\n'
            f'    channels = ["{channel}"]\n    platforms = ["linux-64"]\n'
            for channel in (
                str(outside),
                outside.as_uri(),
                dots,
                "~/../../../../..",
                "~root/x",
                "./../../../../../../.." + str(outside),
            )
        ]
        + [BASE + f"channel-fixtures: {{c: '{name}'}}\n" for name in ("../x", "/etc/x", "..")]
        + [
            base_lock.replace("discover", "recipe") + "op: recipe\n"
            f"args: {{platform: linux-64, package: '{value}'}}\n"
            for value in (target, dots)
        ]
    )
    # Nesting deeper than anything reads.
    shapes["deep-nesting"] = (
        [BASE + "args: {x: " + "[" * depth + "]" * depth + "}\n" for depth in (101, 500, 999)]
        + [
            BASE + "spec:\n" + "".join("  " * i + "- \n" for i in range(depth))
            for depth in (150, 400)
        ]
        + [
            '#toml\ndescription = "d"\nfeatures = ["hostile"]\nop = "discover"\nx = '
            + "[" * depth
            + "]" * depth
            + "\n[expect.result]\n"
            for depth in (401, 2000)
        ]
    )
    # Bytes and documents that are not cases.
    shapes["not-a-case"] = [
        b"\xff\xfe\x00junk",
        b"description: \xff\n",
        "\0" * 10,
        "",
        "---\n",
        "--- 1\n--- 2\n",
        "!!python/object:os.system {}\n",
        BASE + "args: !!set {a, b}\n",
        BASE + "expect: {result: !!omap [{a: 1}]}\n",
        BASE + "files: {a: !!binary '####'}\n",
        "\ufeff" + BASE,
        BASE + "\t\tx: 1\n",
        BASE + "args: {x: .nan}\n",
        BASE + "args: {x: !any}\n",
        BASE + "expect: {result: !absent}\n",
        BASE + "files: {a: !!float 1}\n",
        "x" * 100_000 + ": 1\n",
        "[" * 5000 + "\n",
        "#toml\n[[[x]]]\n",
        '#toml\na = "\\ud800"\n',
        BASE + "op: [discover]\n",
        BASE + "contract: 999999999999999999999\n",
        BASE + "env: {'': x, 'A=B': y, \"N\\0\": z}\n",
    ]
    return shapes


#: Shapes written by :func:`write_hostile_corpus` that are not text files.
SPECIAL_SHAPES = ("non-regular-file", "non-utf8-name")
MIN_COUNTS = {
    "long-integer": 30,
    "recursive-alias": 8,
    "alias-bomb": 16,
    "non-string-key": 50,
    "marker-name": 20,
    "escape": 35,
    "deep-nesting": 7,
    "not-a-case": 20,
    "non-regular-file": 4,
    "non-utf8-name": 4,
}


def write_hostile_corpus(root: Path, outside: Path) -> tuple[Counter[str], int]:
    """Write the hostile corpus below ``root``; return the inputs per shape and how many of
    them are case files a run collects (the non-regular files are skipped)."""
    counts: Counter[str] = Counter()
    root.mkdir(parents=True, exist_ok=True)
    (root / "features.txt").write_text("hostile\n")
    for shape, texts in hostile_inputs(outside).items():
        (root / shape).mkdir()
        for number, text in enumerate(texts):
            if isinstance(text, str) and text.startswith("#toml\n"):
                (root / shape / f"{number:03}.toml").write_text(text.removeprefix("#toml\n"))
            elif isinstance(text, bytes):
                (root / shape / f"{number:03}.yaml").write_bytes(text)
            else:
                (root / shape / f"{number:03}.yaml").write_text(
                    text, encoding="utf-8", errors="surrogatepass"
                )
            counts[shape] += 1
    special = root / "non-regular-file"
    special.mkdir()
    os.mkfifo(special / "fifo.yaml")
    (special / "zero.yaml").symlink_to("/dev/zero")
    (special / "dangling.yml").symlink_to(special / "nowhere")
    (special / "loop.toml").symlink_to(special / "loop.toml")
    counts["non-regular-file"] = 4
    names = root / "non-utf8-name"
    names.mkdir()
    for raw in (b"\xff.yaml", b"caf\xe9.yaml", b"\xed\xa0\x80.yaml", b"ok\x80\x81.toml"):
        suffix = raw.rsplit(b".", 1)[1].decode()
        text = (
            BASE
            if suffix == "yaml"
            else ('description = "d"\nfeatures = ["hostile"]\nop = "discover"\n[expect.result]\n')
        )
        (names / os.fsdecode(raw)).write_text(text)
        counts["non-utf8-name"] += 1
    return counts, sum(counts.values()) - counts["non-regular-file"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path, Counter[str], int]:
    base = tmp_path_factory.mktemp("hostile")
    outside = base / "outside"
    outside.mkdir()
    (outside / "pixi.toml").write_text(MANIFEST)
    root = base / "corpus"
    counts, collected = write_hostile_corpus(root, outside)
    return root, outside, counts, collected


def _tree(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


def test_the_hostile_corpus_covers_every_shape(hostile):
    _, _, counts, collected = hostile
    assert sum(counts.values()) >= 200
    for shape, minimum in MIN_COUNTS.items():
        assert counts[shape] >= minimum, shape
    assert collected == sum(counts.values()) - 4


def test_every_hostile_input_is_an_error_of_its_case_in_process(hostile, tmp_path):
    root, outside, _, collected = hostile
    before_corpus, before_outside = _tree(root), _tree(outside)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = list(iter_case_paths(root))
    assert len(paths) == collected
    assert sorted(
        str(w.message).split("/")[-1].split(" ")[0]
        for w in caught
        if issubclass(w.category, CorpusWarning)
    ) == ["dangling.yml'", "fifo.yaml'", "loop.toml'", "zero.yaml'"]
    outcomes: Counter[str] = Counter()
    with guard(ReferenceImplementation(), tmp_path) as reference:
        for path in paths:
            case = load_case(path, root)  # never raises
            assert isinstance(case, Case | CaseError)
            result = run_case(case, reference, timeout=30, tmp_parent=tmp_path)
            outcomes[result.outcome.name] += 1
            assert "Traceback" not in result.message, (path, result.message)
            assert result.outcome is not CaseOutcome.CRASH, (path, result.message)
            if path.parent.name != "marker-name":
                assert result.outcome is not CaseOutcome.PASS, (path, result)
    # The rest run and FAIL: no manifest to discover (tags, keys that are strings after all).
    assert set(outcomes) == {"ERROR", "FAIL"} and outcomes["ERROR"] >= 160, outcomes
    assert _tree(root) == before_corpus and _tree(outside) == before_outside
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_plugin_runs_the_whole_hostile_corpus(hostile, tmp_path):
    root, outside, _, collected = hostile
    before_corpus, before_outside = _tree(root), _tree(outside)
    report = tmp_path / "junit.xml"
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("PYTEST_XDIST_WORKER", None)
    process = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pixiconf-cases",
            str(root),
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "-q",
            "-n",
            "2",
            f"--junitxml={report}",
            "-W",
            "always::pixiconf.corpus.loader.CorpusWarning",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
        check=False,
    )
    output = process.stdout + process.stderr
    assert process.returncode == pytest.ExitCode.TESTS_FAILED, output[-3000:]
    assert "Traceback" not in output and "INTERNALERROR" not in output, output[-3000:]
    cases = ET.parse(report).getroot().iter("testcase")  # a complete, parseable report
    names = [case.get("name") for case in cases]
    assert len(names) == collected, output[-3000:]
    assert "non-utf8-name/\\xff" in names
    assert _tree(root) == before_corpus and _tree(outside) == before_outside
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("pixiconf")] == []


# --------------------------------------------------------------------------- one per class


def _write(root: Path, name: str, text: str) -> Path:
    path = root / "area" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "name, text",
    [
        ("int.yaml", BASE + f"args: {{x: {LONG}}}\n"),
        (
            "int.toml",
            f'description = "d"\nfeatures = ["x"]\nop = "discover"\nx = {LONG}\n[expect.result]\n',
        ),
    ],
)
def test_an_integer_longer_than_python_reads_is_an_error_of_the_case(tmp_path, name, text):
    case = load_case(_write(tmp_path, name, text), tmp_path)
    assert isinstance(case, CaseError)
    if name.endswith(".yaml"):
        assert "4300 digits" in case.message and "(line 5, column 11)" in case.message
    else:  # the TOML reader places it, with toml-span's message (pixiconf.manifest.toml)
        assert "invalid number (at line 4, column 5)" in case.message


def test_a_recursive_alias_is_an_error_of_the_case(tmp_path):
    case = load_case(_write(tmp_path, "a.yaml", BASE + "spec: &a [x, *a]\n"), tmp_path)
    assert isinstance(case, CaseError) and "recursive alias" in case.message


def test_an_alias_bomb_is_an_error_that_says_the_limit(tmp_path):
    text = _bomb(10, 9) + BASE + "spec: *a9\n"
    assert len(text) < 700  # a few hundred bytes, 10**9 nodes expanded
    case = load_case(_write(tmp_path, "a.yaml", text), tmp_path)
    assert isinstance(case, CaseError)
    assert "expands to more than 200,000 nodes" in case.message


def test_a_non_string_channel_key_is_an_error_of_the_case(tmp_path):
    text = BASE + "channels: {1: {noarch: []}}\nfiles: {a: '{{channels.x}}'}\n"
    case = load_case(_write(tmp_path, "a.yaml", text), tmp_path)
    assert isinstance(case, CaseError)
    assert [p.key for p in case.problems] == ["channels[1]", "files.a"]


@pytest.mark.parametrize(
    "tag, name",
    [("_x", "pixiconf__x"), ("-x", "pixiconf__x"), ("😀", "pixiconf__"), ("x-y", "x_y")],
)
def test_marker_names_never_start_with_an_underscore(tag, name):
    assert marker_name(tag) == name


def test_feature_tags_that_are_not_marker_names_do_not_stop_collection(pytester):
    corpus = pytester.path / "corpus" / "area"
    corpus.mkdir(parents=True)
    (corpus / "a.yaml").write_text(_yaml_case(features='["_x", "-x", "😀", "hostile"]'))
    (corpus / "b.yaml").write_text(BASE)
    result = pytester.runpytest_subprocess(
        "--pixiconf-cases", "corpus", "-p", "no:randomly", "-m", "pixiconf__x or hostile"
    )
    result.assert_outcomes(failed=2)  # both ran (neither has a manifest to discover)


def test_fifos_and_device_links_are_skipped_with_a_warning(tmp_path):
    root = tmp_path / "corpus"
    (root / "area").mkdir(parents=True)
    (root / "features.txt").write_text("area\n")
    os.mkfifo(root / "area" / "fifo.yaml")
    (root / "area" / "zero.yaml").symlink_to("/dev/zero")
    with pytest.warns(CorpusWarning) as caught:
        assert list(iter_case_paths(root)) == []
    assert sorted(str(w.message).split(" is ")[1].split(",")[0] for w in caught) == [
        "a FIFO",
        "a device",
    ]
    fifo = load_case(root / "area" / "fifo.yaml", root)  # read directly: no hang either
    assert isinstance(fifo, CaseError) and "not a regular file" in fifo.message
    cli = [sys.executable, "-m", "pixiconf"]
    lint = subprocess.run(
        [*cli, "lint", str(root)], capture_output=True, text=True, timeout=60, check=False
    )
    assert "FIFO" in lint.stderr and lint.returncode == 0, lint.stderr
    run = subprocess.run(
        [*cli, "run-case", str(root / "area" / "fifo.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2 and "is a FIFO, not a regular file" in run.stderr


def test_a_non_utf8_file_name_gives_a_complete_junit_report(pytester):
    corpus = pytester.path / "corpus" / "area"
    corpus.mkdir(parents=True)
    (corpus / os.fsdecode(b"caf\xe9.yaml")).write_text(BASE)
    (corpus / "z.yaml").write_text(BASE)
    result = pytester.runpytest_subprocess(
        "--pixiconf-cases", "corpus", "-p", "no:randomly", "--junitxml=report.xml"
    )
    result.assert_outcomes(failed=1, errors=1)
    root = ET.parse(pytester.path / "report.xml").getroot()
    names = sorted(case.get("name") for case in root.iter("testcase"))
    assert names == ["area/caf\\xe9", "area/z"]
    assert "not valid UTF-8" in (pytester.path / "report.xml").read_text()
