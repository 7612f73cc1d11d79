"""Running the corpus inside per-platform Docker containers (the ``containers`` extra).

- :mod:`.platforms`: the Linux platforms, and whether the engine can execute each;
- :mod:`.build`: ``pixiconf containers build`` (base by debootstrap, image from
  ``containers/<platform>/Dockerfile``);
- :mod:`.runtime`: :class:`~.runtime.ContainerImplementation`, the implementation wrapper that
  ``pytest --pixiconf-container PLATFORM`` uses: one container per pytest process;
- :mod:`.serve`: the server that runs inside the container;
- :mod:`.wire`: what travels between the two.

Nothing here imports the docker SDK at import time.
"""
