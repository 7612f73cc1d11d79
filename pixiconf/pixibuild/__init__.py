"""pixi-build flows: the python backend's recipe, PyPI→conda mapping, variants, build strings."""
