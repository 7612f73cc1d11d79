"""The build script pixi-build-python renders (``crates/pixi_build_python/src/build_script.j2``).

The template installs the package at ``manifest_root`` with ``uv pip install`` (default) or
``python -m pip install``; the options are ``-vv --no-deps --no-build-isolation --no-index``,
then ``extra-args``, then ``--editable``, one per line joined by `` \\`` (unix) or `` ^``
(windows) and an eight-space indent.  Windows scripts quote ``%PYTHON%`` and end with
``if errorlevel 1 exit 1``.  The rendered text is ``.trim()``-ed.

The build platform is the OS of the machine running the backend (``Platform::current()``),
not the target platform.  ``editable`` is ``False`` for ``conda/outputs`` and can be forced with
``BUILD_EDITABLE_PYTHON`` (``"true"`` means editable, any other value means not editable).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

BASE_OPTIONS = ("-vv", "--no-deps", "--no-build-isolation", "--no-index")
UNIX, WINDOWS = "unix", "windows"
_INDENT = " " * 8


def current_build_platform() -> str:
    """``BuildPlatform`` of the process: ``windows`` on Windows, ``unix`` elsewhere."""
    return WINDOWS if sys.platform.startswith(("win", "cygwin")) else UNIX


def effective_editable(default: bool, env: Mapping[str, str]) -> bool:
    """``effective_editable``: ``BUILD_EDITABLE_PYTHON`` overrides the requested value."""
    value = env.get("BUILD_EDITABLE_PYTHON")
    if value is None:
        return default
    return value == "true"


def render_build_script(
    *,
    installer: str,
    build_platform: str,
    editable: bool,
    extra_args: Sequence[str],
    manifest_root: str,
) -> str:
    """The trimmed script text for one combination of the template's inputs."""
    if installer not in ("uv", "pip"):
        raise ValueError(f"unknown installer {installer!r}")
    if build_platform not in (UNIX, WINDOWS):
        raise ValueError(f"unknown build platform {build_platform!r}")
    windows = build_platform == WINDOWS
    python = "%PYTHON%" if windows else "$PYTHON"
    options = [*BASE_OPTIONS, *extra_args, *(["--editable"] if editable else [])]
    joined = (" ^\n" if windows else " \\\n").join(
        option if i == 0 else _INDENT + option for i, option in enumerate(options)
    )
    if installer == "uv":
        command = f'uv pip install --python "{python}" --reinstall {joined} "{manifest_root}"'
    else:
        command = f'"{python}" -m pip install --force-reinstall {joined} "{manifest_root}"'
    text = command + "\n"
    if windows:
        text += "if errorlevel 1 exit 1\n"
    return text.strip()
