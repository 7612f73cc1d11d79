"""An external pixi binary (or the ``pixiconf-pixi`` shim) as an implementation.

See :mod:`.adapter` and docs/implementations.md.
"""

from __future__ import annotations

from pixiconf.implementations.pixi_binary.adapter import PixiBinary, detect_version

__all__ = ["PixiBinary", "detect_version"]
