"""pixiconf: conformance suite and reference implementation for pixi manifests.

The reference implementation targets pixi 0.77 (prefix-dev/pixi at 2b25fc76).
"""

__version__ = "0.1.0"

#: Version of ../shared/CASE-FORMAT.md this package implements.
CONTRACT_VERSION = 1

#: The pixi release whose behaviour the reference implementation follows.
PIXI_VERSION = "0.77.0"
