"""What every command of the ``pixiconf-pixi`` shim shares: the host platform, the request it
hands the reference, and pixi's way of printing warnings and errors on stderr.

Warnings are printed as pixi's miette renderer prints them (``  ⚠ message``, the location, the
help line), errors as ``Error: <diagnostic>`` with exit code 1; an input the reference does not
support prints :data:`UNSUPPORTED_MARKER` and exits 3.
"""

from __future__ import annotations

import os
import platform as _platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["UNSUPPORTED_MARKER", "fail", "guard", "host_platform", "make_request", "print_warnings"]

#: What the shim prints before the reason when the reference does not support an input;
#: the adapter reads it back as a SKIP (:mod:`pixiconf.implementations.pixi_binary.session`).
UNSUPPORTED_MARKER = "pixiconf-pixi: unsupported: "


def host_platform() -> str:
    machine = _platform.machine().lower()
    system = sys.platform
    if system.startswith("linux"):
        return {
            "x86_64": "linux-64",
            "aarch64": "linux-aarch64",
            "arm64": "linux-aarch64",
            "ppc64le": "linux-ppc64le",
            "s390x": "linux-s390x",
        }.get(machine, "linux-64")
    if system == "darwin":
        return "osx-arm64" if machine == "arm64" else "osx-64"
    return "win-arm64" if machine in ("arm64", "aarch64") else "win-64"


def make_request(op: str, args: dict[str, Any], pypi_mapping=None):
    from pixiconf.operations.request import OperationRequest

    cwd = Path.cwd()
    return OperationRequest(
        op=op,
        args=args,
        workspace_root=cwd,
        cwd=cwd,
        env=dict(os.environ),
        confined=False,
        pypi_mapping=pypi_mapping,
    )


def print_warnings(warnings) -> None:
    for w in warnings:
        lines = w.message.splitlines() or [""]
        print(f"  ⚠ {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(f"    {line}", file=sys.stderr)
        if getattr(w, "file", None):
            print(f"    ╭─[{w.location}]", file=sys.stderr)
        if getattr(w, "label", None):
            print(f"    │ {w.label}", file=sys.stderr)
        if getattr(w, "help", None):
            for i, line in enumerate(str(w.help).splitlines()):
                print(f"  {'help: ' if i == 0 else '      '}{line}", file=sys.stderr)


def fail(exc) -> int:
    print_warnings(getattr(exc, "warnings", ()) or ())
    print(f"Error: {exc.render()}", file=sys.stderr)
    return 1


def guard(body: Callable[[], int]) -> int:
    from pixiconf.diagnostics import DiagnosticError, UnsupportedOperation

    try:
        return body()
    except UnsupportedOperation as exc:
        print(f"{UNSUPPORTED_MARKER}{exc}", file=sys.stderr)
        return 3
    except DiagnosticError as exc:
        return fail(exc)
