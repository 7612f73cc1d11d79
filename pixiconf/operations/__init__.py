"""The operations of CASE-FORMAT.md §3, as the reference answers them.

- :mod:`.request`: :class:`OperationRequest` in, :class:`OperationResult` out;
- :mod:`.registry`: operation name → function, :func:`run_operation`;
- :mod:`.context`: what every operation does first (find and load the manifest, paths
  relative to the workspace);
- :mod:`.workspace`: ``discover``, ``check``, ``environments``, ``resolve``;
- :mod:`.build`: ``recipe``, ``variants``, ``build-string``, ``map-pypi`` (pixi-build);
- :mod:`.lock`: ``lock``, ``lock-check``.
"""
