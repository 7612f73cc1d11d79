"""Entry point of ``pixiconf-pixi``: parse pixi's arguments, dispatch, exit like pixi.

Commands (same arguments, JSON shapes and exit codes as pixi 0.77; docs/implementations.md):
``--version``, ``workspace name get``, ``info --json``, ``workspace platform list --json``,
``workspace export conda-environment``, ``task list --json``, ``shell-hook --json``, ``lock``,
``list --locked``, ``build``.  Diagnostics go to stderr: errors as the reference renders them
after ``Error:``, warnings as ``⚠`` blocks.  Exit codes: 0, 1 (the command failed), 2 (usage,
as clap), 3 with ``pixiconf-pixi: unsupported: <reason>`` when the reference cannot do it.

Startup matters (one process per command): nothing beyond the standard library is imported
until a command runs.

``PIXICONF_MUTANT=<id>`` runs every command with that mutant of the reference installed
(:mod:`pixiconf.implementations.mutants`): a conforming-looking binary that is wrong in one rule.
"""

from __future__ import annotations

import os
import sys

from pixiconf import PIXI_VERSION

#: Options that take a value (long and short spellings).
_VALUED = {
    "--manifest-path": "manifest_path",
    "-m": "manifest_path",
    "-e": "environment",
    "--environment": "environment",
    "-p": "platform",
    "--platform": "platform",
    "-t": "target_platform",
    "--target-platform": "target_platform",
    "--path": "path",
    "--output-dir": "output_dir",
    "-o": "output_dir",
}
_FLAGS = {
    "--json": "json",
    "--no-install": "no_install",
    "--frozen": "frozen",
    "--locked": "locked",
    "--check": "check",
}

COMMANDS = {
    ("workspace", "name", "get"),
    ("info",),
    ("workspace", "platform", "list"),
    ("workspace", "platform", "ls"),
    ("workspace", "export", "conda-environment"),
    ("task", "list"),
    ("task", "ls"),
    ("shell-hook",),
    ("lock",),
    ("list",),
    ("ls",),
    ("build",),
}


class Usage(Exception):
    pass


def parse(argv: list[str]) -> tuple[tuple[str, ...], dict[str, object]]:
    words: list[str] = []
    options: dict[str, object] = {}
    items = iter(argv)
    for item in items:
        name, eq, value = item.partition("=") if item.startswith("--") else (item, "", "")
        if name in _VALUED:
            if not eq:
                value = next(items, None)
                if value is None:
                    raise Usage(f"a value is required for '{name} <VALUE>' but none was supplied")
            options[_VALUED[name]] = value
        elif item in _FLAGS:
            options[_FLAGS[item]] = True
        elif item.startswith("-"):
            raise Usage(f"unexpected argument '{item}' found")
        else:
            words.append(item)
    for length in (3, 2, 1):
        if tuple(words[:length]) in COMMANDS:
            if len(words) > length:
                raise Usage(f"unexpected argument '{words[length]}' found")
            return tuple(words[:length]), options
    raise Usage(f"unrecognized subcommand '{' '.join(words) or '<none>'}'")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in (["--version"], ["-V"]):
        print(f"pixi {PIXI_VERSION}")
        return 0
    try:
        command, options = parse(argv)
    except Usage as exc:
        print(f"error: {exc}\n\nFor more information, try '--help'.", file=sys.stderr)
        return 2
    from pixiconf.implementations.pixi_shim import commands

    mutant = os.environ.get("PIXICONF_MUTANT")
    if not mutant:
        return commands.run(command, options)
    # A deliberately wrong reference (pixiconf.implementations.mutants), for benchmarks/mutation.py.
    from pixiconf.implementations import mutants

    try:
        chosen = mutants.get(mutant)
    except KeyError as exc:
        print(f"error: PIXICONF_MUTANT: {exc.args[0]}", file=sys.stderr)
        return 2
    with mutants.installed(chosen):
        return commands.run(command, options)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
