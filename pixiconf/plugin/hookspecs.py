"""Hooks that pixiconf adds to pytest (registered by :mod:`pixiconf.plugin`).

Implement them in a ``conftest.py`` at the root of the run, or in a plugin; see
https://docs.pytest.org/en/stable/how-to/writing_hook_functions.html.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pixiconf.implementations.base import Implementation


@pytest.hookspec(firstresult=True)
def pytest_pixiconf_make_implementation(config: pytest.Config, name: str) -> Implementation | None:
    """Return the implementation that cases run against (CASE-FORMAT.md §3).

    ``name`` is the ``--pixiconf-impl`` value (``reference`` when not given).  The first
    non-``None`` result wins; pixiconf's own implementation runs last and resolves ``name`` with
    :func:`pixiconf.implementations.load_implementation`.  Called once per process, from
    ``pytest_configure``, so the object must not keep state between cases.
    """
