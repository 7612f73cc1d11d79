"""Marker names for a corpus' areas and feature tags (see :mod:`pixiconf.plugin`).

A marker name is the tag with every character other than a letter, digit or ``_`` replaced by
``_`` (``pypi-options`` → ``pypi_options``); a name that clashes with a pytest marker or a
``-m`` keyword (``skip``, ``not``, ...) or starts with ``_`` (``_x``, ``-x``, an emoji; pytest
refuses such marker names) gets a ``pixiconf_`` prefix.
"""

from __future__ import annotations

import keyword
import os
import re
from pathlib import Path

import pytest

from pixiconf.corpus.loader import read_features
from pixiconf.plugin.settings import Settings

__all__ = ["marker_name", "register_marker", "register_vocabulary"]

_RESERVED_MARKERS = frozenset(
    {
        "skip",
        "skipif",
        "xfail",
        "parametrize",
        "usefixtures",
        "filterwarnings",
        "tryfirst",
        "trylast",
        "and",
        "or",
        "not",
        "True",
        "False",
        "None",
    }
)


def marker_name(tag: str) -> str:
    """The marker spelling of an area or feature tag (see the module docstring)."""
    name = re.sub(r"\W", "_", tag, flags=re.ASCII)
    reserved = name in _RESERVED_MARKERS or keyword.iskeyword(name)
    return f"pixiconf_{name}" if reserved or name.startswith("_") or not name else name


def register_marker(config: pytest.Config, settings: Settings, tag: str) -> str:
    """Register the marker of ``tag`` once per run (``pytest --markers`` lists it)."""
    name = marker_name(tag)
    if name not in settings.markers:
        settings.markers.add(name)
        config.addinivalue_line("markers", f"{name}: pixiconf cases of area or feature '{tag}'")
    return name


def register_vocabulary(config: pytest.Config, settings: Settings, root: Path) -> None:
    """Register a root's areas and ``features.txt`` tags, so ``pytest --markers`` lists them.

    Tags that only cases use are registered when those cases are collected.
    """
    hidden = ("_", ".")
    tags = [e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith(hidden)]
    try:
        tags += read_features(root / "features.txt")
    except (OSError, UnicodeDecodeError):
        pass
    for tag in tags:
        register_marker(config, settings, tag)
