"""pytest wiring of ``--pixiconf-container PLATFORM`` (:mod:`pixiconf.containers`); loaded by
:mod:`pixiconf.plugin`.

The implementation of the run is wrapped so that every operation runs in a container of
PLATFORM, which mounts the run's base temporary directory (where every case's directory is,
:mod:`pixiconf.plugin.workspaces`).  This happens in a ``pytest_configure`` that runs last:
pytest's own ``pytest_configure`` makes the temporary directory factory after the plugin's.
"""

from __future__ import annotations

import pytest

from pixiconf.plugin.settings import SETTINGS


@pytest.hookimpl(trylast=True)  # after pytest's tmpdir plugin: the mount is its basetemp
def pytest_configure(config: pytest.Config) -> None:
    """Wrap the implementation for ``--pixiconf-container``."""
    platform = config.getoption("pixiconf_container", None)
    settings = config.stash.get(SETTINGS, None)
    if not platform or settings is None or settings.implementation is None:
        return
    from pixiconf.containers.runtime import ContainerUsageError, open_container_run

    try:
        settings.implementation = open_container_run(
            settings.implementation,
            spec=config.getoption("pixiconf_impl") or "reference",
            mount=settings.scratch.parent(),
            platform_name=platform,
            backend=config.getoption("pixiconf_backend", None),
        )
    except ContainerUsageError as exc:
        settings.scratch.close()
        raise pytest.UsageError(f"--pixiconf-container: {exc}") from None
