"""``python -m pixiconf``: the same as the ``pixiconf`` console script."""

from pixiconf.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
