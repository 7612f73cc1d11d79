"""``pixiconf-pixi``: the subset of pixi 0.77's command line the adapter uses, backed by the
reference (:mod:`pixiconf.implementations.pixi_shim.main`).  It exists so that the
external-binary path of the test suite runs end to end where no pixi binary is available; it
is not a pixi.
"""
