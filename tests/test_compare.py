"""``pixiconf compare A B``: cases on which two implementations' observations differ."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from pixiconf.cli import main
from pixiconf.implementations import registry
from pixiconf.implementations.base import Failed, Observed, Unsupported


class Fake:
    """check: the manifest's text names what each side does, e.g. ``A=obs1 B=obs2``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def version(self) -> str:
        return f"fake {self.name} 1.0"

    def run(self, request):
        text = (request.cwd / "pixi.toml").read_text()
        words = dict(word.split("=", 1) for word in text.split())
        what = words[self.name]
        warnings = ("a warning",) if what.endswith("+warn") else ()
        what = what.removesuffix("+warn")
        if what.startswith("obs"):
            return Observed(
                {"x": int(what[3:]), "same": [1, 2]},
                warnings=warnings,
                transcript=f"$ fake-{self.name} check\n-> exit 0",
            )
        if what.startswith("fail"):
            return Failed(f"the manifest is   bad\n  ({what[4:]})", warnings=warnings, exit_code=1)
        return Unsupported(f"{self.name} cannot {request.op}")


#: case name → manifest text (which side does what).
CASES = {
    "same-observation": "A=obs1 B=obs1",
    "other-value": "A=obs1 B=obs2",
    "same-failure": "A=fail1 B=fail1",
    "other-message": "A=fail1 B=fail2",
    "observation-vs-failure": "A=obs1 B=fail1",
    "other-warnings": "A=obs1+warn B=obs1",
    "unsupported-by-b": "A=obs1 B=none",
}


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    (root / "check").mkdir(parents=True)
    (root / "features.txt").write_text("check\n")
    for name, text in CASES.items():
        (root / "check" / f"{name}.yaml").write_text(
            textwrap.dedent(f"""\
            description: Case {name}.
            features: [check]
            files: {{pixi.toml: "{text}"}}
            op: check
            expect: {{result: {{warnings: []}}}}
            """)
        )
    (root / "check" / "malformed.yaml").write_text("description: x\nop: check\n")
    real = registry.load_implementation
    monkeypatch.setattr(
        registry,
        "load_implementation",
        lambda name, **kw: Fake(name) if name in "AB" else real(name, **kw),
    )
    return root


def test_lists_exactly_the_cases_whose_observations_differ(corpus, capsys):
    assert main(["compare", "A", "B", "--cases", str(corpus), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    differ = {d["case"]: d for d in out["differ"]}
    assert set(differ) == {
        "check/other-value",
        "check/other-message",
        "check/observation-vs-failure",
        "check/other-warnings",
    }
    assert "-x: 1" in differ["check/other-value"]["diff"]
    assert "+x: 2" in differ["check/other-value"]["diff"]
    assert differ["check/other-value"]["commands"] == {"A": ["fake-A check"], "B": ["fake-B check"]}
    assert differ["check/observation-vs-failure"]["b"]["kind"] == "failure"
    assert differ["check/other-warnings"]["reasons"] == ["the warnings differ"]
    assert {n["case"] for n in out["not-compared"]} == {"check/unsupported-by-b", "check/malformed"}
    assert out["cases"] == 8 and out["compared"] == 6
    assert out["a"] == {"name": "A", "version": "fake A 1.0"}


def test_text_output_and_ignore_messages(corpus, capsys):
    assert main(["compare", "A", "B", "--cases", str(corpus), "-k", "message", "-k", "same-"]) == 1
    out = capsys.readouterr().out
    assert "DIFFERS check/other-message\n  the failure messages differ" in out
    assert "    -  (1)\n    +  (2)" in out
    assert out.rstrip().endswith("3 cases compared, 1 differ, 0 not compared")
    assert (
        main(["compare", "A", "B", "--cases", str(corpus), "-k", "message", "--ignore-messages"])
        == 0
    )


def test_identical_implementations_exit_zero(corpus, capsys):
    assert main(["compare", "A", "A", "--cases", str(corpus)]) == 0
    assert "7 cases compared, 0 differ, 1 not compared" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compare", "A", "nope-no-such-impl"], "unknown implementation"),
        (["compare", "A", "B", "-k", "no-case-has-this"], "matches -k no-case-has-this"),
        (["compare", "A", "B", "--cases", "/nonexistent"], "not a corpus root"),
    ],
)
def test_usage_errors(corpus, capsys, argv, message):
    if "--cases" not in argv:
        argv = [*argv, "--cases", str(corpus)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_the_reference_agrees_with_itself_on_the_bundled_corpus(capsys):
    assert main(["compare", "reference", "reference", "-k", "targets/glob"]) == 0
    assert " 0 differ" in capsys.readouterr().out


#: The shim installed with pixiconf (a pixi binary built on the reference).
SHIM = next(
    (str(p) for p in (Path(sys.executable).parent / "pixiconf-pixi",) if p.is_file()), None
) or shutil.which("pixiconf-pixi")


@pytest.mark.skipif(SHIM is None, reason="pixiconf-pixi is not installed beside python")
def test_the_reference_against_a_binary(capsys):
    shim = SHIM
    assert (
        main(
            [
                "compare",
                "reference",
                shim,
                "-k",
                "discovery/manifest-path-file",
                "-k",
                "discovery/nested-workspace-nearest-wins",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["compared"] == 2 and out["differ"] == []
    assert out["b"]["name"] == "pixiconf-pixi"
