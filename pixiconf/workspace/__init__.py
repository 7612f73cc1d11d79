"""The workspace layer: which manifest pixi uses, and what its environments are.

What pixi_core's ``Workspace`` answers, over the parsed manifest (:mod:`pixiconf.manifest`):

- :mod:`.discovery`: the manifest pixi picks (walk-up, ``--manifest-path``,
  ``PIXI_PROJECT_MANIFEST``, ``requires-pixi``);
- :mod:`.environments`: features and targets merged into one environment for one platform
  (document-order target precedence, platform intersection, channel priority).
"""
