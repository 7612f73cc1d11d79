"""Snapshot tests: the ``resolve`` observation of realistic workspaces.

Every workspace under ``tests/data/manifests/<name>/`` (a ``pixi.toml`` or a
``pyproject.toml``) is resolved for every environment × every workspace platform; a
platform the environment does not support snapshots the diagnostic instead.  The
``environments`` observation and the manifest warnings are snapshotted once per workspace.

Snapshots live in ``tests/__snapshots__/test_resolve_snapshots.ambr``; they keep the
mappings in the order the reference produces them (the default amber serializer would sort
keys, hiding e.g. the order of activation variables).  They were reviewed against pixi's
rules before being accepted; regenerate with ``--snapshot-update`` only after the same review.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from syrupy.extensions.amber import AmberDataSerializer, AmberSnapshotExtension

from pixiconf.diagnostics import DiagnosticError
from pixiconf.manifest.load import load_manifest
from pixiconf.manifest.model import WorkspaceManifest
from pixiconf.workspace.environments import environments_observation, resolve

MANIFESTS = Path(__file__).parent / "data" / "manifests"
MANIFEST_FILES = ("pixi.toml", "pyproject.toml")


class _InsertionOrderSerializer(AmberDataSerializer):
    """Amber, but mappings keep their insertion order (the observations hold no sets)."""

    @classmethod
    def sort(cls, iterable):
        return list(iterable)


class InsertionOrderAmber(AmberSnapshotExtension):
    serializer_class = _InsertionOrderSerializer


@pytest.fixture
def snapshot(snapshot):
    return snapshot.use_extension(InsertionOrderAmber)


def manifest_path(name: str) -> Path:
    directory = MANIFESTS / name
    for file_name in MANIFEST_FILES:
        if (directory / file_name).is_file():
            return directory / file_name
    raise FileNotFoundError(f"no manifest in {directory}")


def load(name: str) -> WorkspaceManifest:
    return load_manifest(manifest_path(name))


def workspace_names() -> list[str]:
    return sorted(p.name for p in MANIFESTS.iterdir() if p.is_dir())


def resolve_cases() -> list[Any]:
    """(workspace, environment, platform) for every environment and workspace platform."""
    cases = []
    for name in workspace_names():
        manifest = load(name)
        for env in manifest.environments:
            for platform in manifest.workspace.platforms:
                cases.append(pytest.param(name, env, platform, id=f"{name}-{env}-{platform}"))
    return cases


def test_every_workspace_kind_is_present():
    assert len(workspace_names()) >= 6
    assert {manifest_path(n).name for n in workspace_names()} == set(MANIFEST_FILES)


@pytest.mark.parametrize("name", workspace_names())
def test_environments_observation(name, snapshot):
    manifest = load(name)
    assert environments_observation(manifest) == snapshot(name="environments")
    warnings = [{"message": w.message, "key": w.key} for w in manifest.warnings]
    assert warnings == snapshot(name="warnings")


@pytest.mark.parametrize(("name", "environment", "platform"), resolve_cases())
def test_resolve_observation(name, environment, platform, snapshot):
    manifest = load(name)
    try:
        observation: dict[str, Any] = resolve(manifest, environment, platform)
    except DiagnosticError as exc:
        observation = {"error": exc.diagnostic.message, "help": exc.diagnostic.help}
    assert observation == snapshot
