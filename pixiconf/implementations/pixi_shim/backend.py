"""``pixiconf-pixi build``: pixi's build command with the shim standing in for the backend.

pixi runs the backend named by ``PIXI_BUILD_BACKEND_OVERRIDE=pixi-build-python=<binary>``;
during ``conda/outputs`` the backend writes ``debug/recipe.yaml`` and
``debug/conda_outputs_response.json`` in the work directory (below pixi's cache), then the
offline build fails while installing the build environment.  The shim does the same with the
reference (``recipe`` and ``variants`` operations) when the override names the shim itself;
the PyPI→conda mapping comes from the backend's cache,
``$PIXI_CACHE_DIR/pypi-conda-mapping/<channel>/<name>.json`` (``pypi_mapping.rs``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

SHIM_NAME = "pixiconf-pixi"


def _mapping_table(cache: Path) -> dict[str, Any] | None:
    """name → conda name (the last ``conda_versions`` value) or ``False``; first channel
    that has the name wins."""
    root = cache / "pypi-conda-mapping"
    if not root.is_dir():
        return None
    table: dict[str, Any] = {}
    for channel in sorted(root.iterdir()):
        for entry in sorted(channel.glob("*.json")):
            try:
                data = json.loads(entry.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            values = list((data.get("conda_versions") or {}).values())
            table.setdefault(data.get("pypi_name") or entry.stem, values[-1] if values else False)
    return table


def build(options: dict[str, Any], make_request) -> int:
    import yaml

    from pixiconf.diagnostics import DiagnosticError
    from pixiconf.implementations.pixi_shim.terminal import host_platform, print_warnings
    from pixiconf.operations.registry import run_operation

    override = os.environ.get("PIXI_BUILD_BACKEND_OVERRIDE", "")
    backend = dict(part.split("=", 1) for part in override.split(",") if "=" in part)
    binary = backend.get("pixi-build-python")
    if not binary:
        print(
            "Error:   × failed to install the build backend 'pixi-build-python': "
            "offline, and no PIXI_BUILD_BACKEND_OVERRIDE",
            file=sys.stderr,
        )
        return 1
    if not Path(binary).name.startswith(SHIM_NAME):
        print(
            f"pixiconf-pixi: unsupported: the shim only stands in for its own backend, "
            f"not {binary}",
            file=sys.stderr,
        )
        return 3
    platform = str(options.get("target_platform") or host_platform())
    package = str(options.get("path") or ".")
    cache = Path(os.environ.get("PIXI_CACHE_DIR") or Path.home() / ".cache" / "rattler")
    args = {"platform": platform, "package": package}
    table = _mapping_table(cache)
    key = hashlib.sha256(f"{Path.cwd()}|{package}|{platform}".encode()).hexdigest()[:16]
    debug = cache / "backend-metadata" / key / "work" / platform / "debug"
    debug.mkdir(parents=True, exist_ok=True)
    try:
        recipe = run_operation(make_request("recipe", args, table))
    except DiagnosticError as exc:
        print_warnings(getattr(exc, "warnings", ()) or ())
        print(f"Error:   × failed to generate the recipe\n{exc.render()}", file=sys.stderr)
        return 1
    print_warnings(recipe.warnings)
    (debug / "recipe.yaml").write_text(
        yaml.safe_dump(recipe.value, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    try:
        variants = run_operation(make_request("variants", args, table))
    except DiagnosticError as exc:
        print(f"Error:   × the backend failed in conda/outputs\n{exc.render()}", file=sys.stderr)
        return 1
    package_info = recipe.value.get("package") or {}
    outputs = [
        {
            "metadata": {
                "name": package_info.get("name"),
                "version": str(package_info.get("version")),
                "build": v["build-string"],
                "buildNumber": (recipe.value.get("build") or {}).get("number", 0),
                "subdir": platform,
                "variant": v["variant"],
            }
        }
        for v in variants.value
    ]
    (debug / "conda_outputs_response.json").write_text(
        json.dumps({"outputs": outputs, "inputGlobs": []}, indent=2), encoding="utf-8"
    )
    print(
        "Error:   × failed to solve the build environment: offline, no packages available",
        file=sys.stderr,
    )
    return 1
