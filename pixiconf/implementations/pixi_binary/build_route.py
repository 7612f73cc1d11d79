"""``recipe``, ``variants`` and ``map-pypi`` through ``pixi build`` and a local backend.

``pixi build -t <platform> --path <package>`` with
``PIXI_BUILD_BACKEND_OVERRIDE=pixi-build-python=<backend>``: during ``conda/outputs`` the
backend writes the generated recipe to ``<work directory>/debug/recipe.yaml`` and its reply to
``conda_outputs_response.json`` in a ``debug`` directory of the work directory
(``pixi_build_backend``: ``intermediate_backend.rs``, ``server.rs``).  The work directory lives
in pixi's cache (``build_backend_metadata/mod.rs``: ``<cache>/…/work/<key>``), so both files
are looked up below the run's private cache.  An offline build then fails at installing the
build environment, after the recipe is written: the exit code is not what tells success.

The PyPI→conda mapping service is replaced by the backend's cache
(``pixi_build_python/src/pypi_mapping.rs``): ``<pixi cache>/pypi-conda-mapping/<channel>/
<name>.json`` holding ``{format_version, channel, pypi_name, conda_versions}``, read before
any request; a name mapped to ``false`` gets an empty ``conda_versions``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from pixiconf.implementations.base import Observed, Outcome
from pixiconf.implementations.pixi_binary.session import Session, failed
from pixiconf.implementations.pixi_binary.stderr import parse_warnings

RECIPE = "recipe.yaml"
REPLY = "conda_outputs_response.json"


def _channel_names(info: dict[str, Any]) -> list[str]:
    """Last path segment of every channel of the workspace's environments."""
    names: list[str] = []
    for env in info.get("environments_info") or []:
        for channel in env.get("channels") or []:
            name = urlsplit(channel).path.rstrip("/").rsplit("/", 1)[-1] or channel
            if name not in names:
                names.append(name)
    return names


def fill_mapping_cache(cache: Path, channels: list[str], table: dict[str, Any]) -> None:
    for channel in channels:
        directory = cache / "pypi-conda-mapping" / channel
        directory.mkdir(parents=True, exist_ok=True)
        for pypi_name, conda in table.items():
            versions = {} if conda is False or conda is None else {"0": str(conda)}
            entry = {
                "format_version": "1",
                "channel": channel,
                "pypi_name": pypi_name,
                "conda_versions": versions,
            }
            (directory / f"{pypi_name}.json").write_text(json.dumps(entry), encoding="utf-8")


def _build(session: Session, op: str):
    """Run ``pixi build``; return (recipe, reply, result) with the files it left."""
    args = session.request.args
    platform = args.get("platform")
    package = args.get("package")
    env = session.env()
    cache = Path(env["PIXI_CACHE_DIR"])
    if session.request.pypi_mapping:
        info = session.json("info", "--json")
        normalised = {_normalise(k): v for k, v in session.request.pypi_mapping.items()}
        fill_mapping_cache(cache, _channel_names(info), normalised)
    backend = getattr(session, "backend", None)
    command = [
        "build",
        "-t",
        str(platform),
        "--path",
        str(package) if isinstance(package, str) else ".",
    ]
    # UV_CACHE_DIR is not set for the build: the backend writes it into the build script
    # (`<pixi cache>/uv-cache` when unset), and the reference observes a run without it.
    result = session.run(
        *command,
        check=False,
        drop=("UV_CACHE_DIR",),
        extra={"PIXI_BUILD_BACKEND_OVERRIDE": f"pixi-build-python={backend}"},
    )
    roots = [cache, session.request.workspace_root / ".pixi"]
    recipe_path = _newest(roots, RECIPE)
    reply_path = _newest(roots, REPLY)
    recipe = yaml.safe_load(recipe_path.read_text(encoding="utf-8")) if recipe_path else None
    reply = json.loads(reply_path.read_text(encoding="utf-8")) if reply_path else None
    return recipe, reply, result


def _normalise(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def _newest(roots: list[Path], name: str) -> Path | None:
    found = [
        p for root in roots if root.is_dir() for p in root.rglob(name) if p.parent.name == "debug"
    ]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def _rewrite(session: Session, value: Any) -> Any:
    from pixiconf.operations.lock import rewrite_local_paths

    return rewrite_local_paths(value, {}, session.request.workspace_root)


def _warnings(result) -> tuple[str, ...]:
    return tuple(w.text for w in parse_warnings(result.stderr))


def recipe(session: Session) -> Outcome:
    generated, _, result = _build(session, "recipe")
    if generated is None:
        return failed(session, result)
    return Observed(_rewrite(session, generated), warnings=_warnings(result))


def variants(session: Session) -> Outcome:
    _, reply, result = _build(session, "variants")
    if reply is None:
        return failed(session, result)
    outputs, seen = [], set()
    for output in reply.get("outputs") or []:
        metadata = output.get("metadata") or {}
        build = metadata.get("build")
        if build in seen:
            continue
        seen.add(build)
        outputs.append({"variant": dict(metadata.get("variant") or {}), "build-string": build})
    return Observed(outputs, warnings=_warnings(result))


def map_pypi(session: Session) -> Outcome:
    """The mapped specs are the recipe's ``run``/``host`` requirements that are not the
    backend's own (``python``, ``pip`` and the build system): those are left out here; the
    mapping's warnings are not separable from the build's (``/warnings`` unobserved)."""
    generated, _, result = _build(session, "map-pypi")
    if generated is None:
        return failed(session, result)
    requirements = generated.get("requirements") or {}

    def mapped(key: str) -> list[str]:
        return [
            r
            for r in requirements.get(key) or []
            if isinstance(r, str) and r.split(" ")[0] not in ("python", "pip")
        ]

    return Observed(
        {"run": mapped("run"), "host": mapped("host"), "warnings": []},
        warnings=_warnings(result),
        unobserved=("/warnings", "/host"),
    )
