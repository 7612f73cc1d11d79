"""The code passes ruff: lint (line length and McCabe complexity included) and formatting.

The rules are pyproject.toml's ``[tool.ruff]``.  Each top-level folder is its own test, so a
failure names the part of the project it is in.  ruff is pinned to one minor release (its stable
formatting style changes only between minor releases), so the result does not depend on which
patch release is installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _folders() -> list[str]:
    """Folders (and top-level modules) of Python code present in this checkout.  The
    oldest-versions CI run tests a copy without ``pixiconf/``: only tests and scripts then."""
    candidates = [REPO / "tests", REPO / "benchmarks", REPO / ".ci"]
    package = REPO / "pixiconf"
    if package.is_dir():
        candidates += [p for p in package.iterdir() if p.name != "__pycache__"]
    return sorted(
        p.relative_to(REPO).as_posix()
        for p in candidates
        if p.suffix == ".py" or (p.is_dir() and any(p.rglob("*.py")))
    )


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("ruff", reason="ruff is in the test extra")
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("folder", _folders())
def test_ruff_check(folder: str) -> None:
    result = _ruff("check", "--no-cache", "--output-format", "concise", folder)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("folder", _folders())
def test_ruff_format(folder: str) -> None:
    result = _ruff("format", "--no-cache", "--check", "--diff", folder)
    assert result.returncode == 0, result.stdout + result.stderr
