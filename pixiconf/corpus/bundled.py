"""The corpus shipped inside the pixiconf distribution.

The wheel carries ``cases/`` as ``pixiconf/_bundled_cases`` (``[tool.hatch.build]`` in
pyproject.toml), so ``pip install pixiconf`` then ``pytest --pixiconf-impl /path/to/pixi`` in an
empty directory runs the corpus this version of pixiconf was released with.  In a source
checkout (an editable install) the repository's own ``cases/`` is that corpus.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled_corpus"]

_PACKAGE = Path(__file__).resolve().parent.parent
_MARKER = "features.txt"


def bundled_corpus() -> Path | None:
    """The bundled corpus root, or ``None`` when this installation has none."""
    for root in (_PACKAGE / "_bundled_cases", _PACKAGE.parent / "cases"):
        if (root / _MARKER).is_file():
            return root
    return None
