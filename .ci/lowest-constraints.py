"""Print pip constraints pinning every direct dependency of pixiconf to its lower bound.

Usage: python .ci/lowest-constraints.py [EXTRA ...] > constraints.txt
       python .ci/lowest-constraints.py --pip-install PIP-INSTALL-ARGS ...
         (tox's ``install_command`` for the ``oldest`` environment: pip install under those
         constraints, with the test extra's bounds included)

Reads ``[project] dependencies`` and the named optional-dependency groups from pyproject.toml
and turns each ``name>=X`` into ``name==X``, so the ``oldest`` runs (tox -e oldest, .ci/run)
install every dependency at the lowest version the bounds allow. A dependency without a lower
bound is an error: an untested lower end is what this script exists to prevent.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def lower_bounds(pyproject: Path, extras: list[str]) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    name = project["name"]
    requirements = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        requirements.extend(optional[extra])
    pins = []
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise SystemExit(f"cannot read requirement {requirement!r}")
        dist, _, spec = match.groups()
        if dist == name:  # a self-reference such as pixiconf[test,containers]
            continue
        lower = re.search(r">=\s*([^,;\s]+)", spec)
        if lower is None:
            raise SystemExit(f"{requirement!r} has no lower bound (>=): add one")
        pins.append(f"{dist}=={lower.group(1)}")
    return pins


def pip_install_lowest(root: Path, pip_args: list[str]) -> int:
    pins = lower_bounds(root / "pyproject.toml", ["test"])
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(pins) + "\n")
    try:
        command = [sys.executable, "-m", "pip", "install", "-c", handle.name, *pip_args]
        return subprocess.call(command)
    finally:
        Path(handle.name).unlink()


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    if sys.argv[1:2] == ["--pip-install"]:
        raise SystemExit(pip_install_lowest(root, sys.argv[2:]))
    print("\n".join(lower_bounds(root / "pyproject.toml", sys.argv[1:])))
