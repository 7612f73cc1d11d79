"""Root conftest of the pixiconf repository.

``pytester`` (used by tests/test_plugin.py) is enabled with ``-p pytester`` in pyproject's
``addopts`` rather than ``pytest_plugins`` here, so that running the corpus from another
directory (``pytest --pixiconf-cases /path/to/pixiconf/cases``) does not trip pytest's
"pytest_plugins in a non-top-level conftest" error.
"""
