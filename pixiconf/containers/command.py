"""``pixiconf containers build [--platform P] [--wheel W]`` (wired into :mod:`pixiconf.cli`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pixiconf import __version__
from pixiconf.containers.platforms import PLATFORMS, get_platform
from pixiconf.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_UNSUPPORTED, EXIT_USAGE

__all__ = ["add_containers_command"]


def add_containers_command(commands: argparse._SubParsersAction, epilog: str) -> None:
    """Add ``containers`` and its ``build`` subcommand to ``commands``."""
    containers = commands.add_parser(
        "containers",
        help="Build the per-platform Docker images the suite runs cases in.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = containers.add_subparsers(dest="containers_command", required=True, metavar="COMMAND")
    build = sub.add_parser(
        "build",
        help="Build the base and pixiconf images (idempotent).",
        description="Build pixiconf-base-<platform> (Debian minbase + Python, by debootstrap; "
        "kept between runs) and pixiconf-<platform>:<version> (pixiconf's wheel "
        "and its runtime dependencies).  Needs the docker SDK (the 'containers' "
        "extra), a reachable Docker engine and, for a base image, root and "
        "debootstrap.  A platform the engine cannot execute is skipped with the "
        f"reason.  Platforms: {', '.join(PLATFORMS)}.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument(
        "--platform",
        action="append",
        default=[],
        metavar="P",
        help="platform to build (repeatable; default: every one the engine can run)",
    )
    build.add_argument(
        "--wheel",
        type=Path,
        metavar="WHEEL",
        help="pixiconf wheel to install (default: built from the checkout)",
    )
    build.set_defaults(handler=_build, parser=build)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _build(args: argparse.Namespace) -> int:
    from pixiconf.containers.build import BuildError, build_platform
    from pixiconf.containers.engine import EngineUnavailable, connect
    from pixiconf.containers.platforms import UnknownPlatformError

    try:
        platforms = [get_platform(name) for name in args.platform] or list(PLATFORMS.values())
    except UnknownPlatformError as exc:
        args.parser.error(f"--platform: {exc}")
    try:
        client = connect()
    except EngineUnavailable as exc:
        _say(f"pixiconf containers build: {exc}")
        return EXIT_USAGE
    start = time.monotonic()
    results = []
    for platform in platforms:
        try:
            results.append(build_platform(platform, wheel=args.wheel, say=_say, client=client))
        except BuildError as exc:
            _say(f"pixiconf containers build: {platform.name}: {exc}")
            return EXIT_FAILED
    for result in results:
        print(f"{result.platform}\t{result.status}\t{result.image or result.reason}")
    _say(
        f"pixiconf containers build: done in {time.monotonic() - start:.1f} s "
        f"(pixiconf {__version__})"
    )
    if args.platform and all(r.status == "skipped" for r in results):
        return EXIT_UNSUPPORTED
    return EXIT_OK
