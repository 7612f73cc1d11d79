"""The mutant catalogue (pixiconf.implementations.mutants) and its machinery: every area has
mutants, a mutant is installed and removed cleanly, a sample is killed by its area's cases in
process, and the shim applies ``PIXICONF_MUTANT`` in a real subprocess."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pixiconf.corpus import mutation
from pixiconf.corpus.loader import iter_case_paths, load_case
from pixiconf.corpus.runner import CaseOutcome, run_case
from pixiconf.implementations import mutants
from pixiconf.implementations.pixi_binary import PixiBinary

CASES = Path(__file__).resolve().parents[1] / "cases"
AREAS = sorted(p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def _shim() -> list[str]:
    found = shutil.which("pixiconf-pixi") or str(Path(sys.executable).with_name("pixiconf-pixi"))
    return (
        [found]
        if os.path.isfile(found)
        else [sys.executable, "-m", "pixiconf.implementations.pixi_shim.main"]
    )


def _area_cases(area: str) -> list:
    return [load_case(path, CASES) for path in iter_case_paths(CASES / area)]


def test_catalogue_has_forty_mutants_in_every_area():
    catalogue = list(mutants.CATALOGUE.values())
    assert len(catalogue) >= 40
    assert len({m.id for m in catalogue}) == len(catalogue)
    missing = set(AREAS) - {m.area for m in catalogue}
    assert not missing, f"areas without a mutant: {sorted(missing)}"
    for mutant in catalogue:
        assert re.fullmatch(r"[a-z-]+\.[a-z0-9.-]+", mutant.id), mutant.id
        assert mutant.area in AREAS, mutant.id
        assert mutant.description and "\n" not in mutant.description
        assert mutant.targets


@pytest.mark.parametrize("mutant_id", list(mutants.CATALOGUE))
def test_installed_replaces_and_restores_every_target(mutant_id):
    mutant = mutants.get(mutant_id)
    before = [mutants.resolve_target(t)[2] for t in mutant.targets]
    with mutants.installed(mutant_id):
        during = [mutants.resolve_target(t)[2] for t in mutant.targets]
    after = [mutants.resolve_target(t)[2] for t in mutant.targets]
    assert all(a is not b for a, b in zip(before, during, strict=True))
    assert all(a is b for a, b in zip(before, after, strict=True))


def test_installed_restores_after_an_exception():
    target = mutants.get("platforms.union").targets[0]
    original = mutants.resolve_target(target)[2]
    with pytest.raises(RuntimeError), mutants.installed("platforms.union"):
        raise RuntimeError("boom")
    assert mutants.resolve_target(target)[2] is original


def test_unknown_mutant_gets_a_suggestion():
    with pytest.raises(KeyError, match=re.escape("did you mean 'targets.glob-not-matched'")):
        mutants.get("targets.glob-not-matchd")


@pytest.mark.parametrize(
    "mutant_id",
    [
        "targets.specificity-precedence",
        "channels.priority-ascending",
        "build-string.hash-unsorted-keys",
    ],
)
def test_sample_mutant_is_killed_by_its_area(mutant_id):
    mutant = mutants.get(mutant_id)
    cases = _area_cases(mutant.area)
    assert not mutation.kills(mutation.run_cases(None, cases))  # the reference passes them
    killers = mutation.kills(mutation.run_cases(mutant, cases))
    assert killers, f"{mutant_id} survived its area"
    assert all(k.startswith(f"{mutant.area}/") for k in killers)
    # Removed again: the same cases pass.
    assert not mutation.kills(mutation.run_cases(None, [c for c in cases if c.id in killers]))


def test_shim_applies_the_mutant_named_by_the_environment(tmp_path):
    case = load_case(CASES / "targets" / "later-glob-beats-earlier-exact-selector.yaml", CASES)
    wrapper = tmp_path / "pixi"
    command = " ".join(f"'{part}'" for part in _shim())
    wrapper.write_text(
        f'#!/bin/sh\nPIXICONF_MUTANT=targets.specificity-precedence exec {command} "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    plain = tmp_path / "pixi-plain"
    plain.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    plain.chmod(plain.stat().st_mode | stat.S_IEXEC)

    passed = run_case(case, PixiBinary(str(plain)), tmp_parent=tmp_path)
    assert passed.outcome is CaseOutcome.PASS, passed.transcript
    failed = run_case(case, PixiBinary(str(wrapper)), tmp_parent=tmp_path)
    assert failed.outcome is CaseOutcome.FAIL, failed.transcript
    assert any("dependencies" in m for m in failed.mismatches), failed.mismatches


def test_shim_refuses_an_unknown_mutant(tmp_path):
    env = {**os.environ, "PIXICONF_MUTANT": "no-such.mutant"}
    proc = subprocess.run(
        [*_shim(), "info", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "unknown mutant 'no-such.mutant'" in proc.stderr
