"""Confinement: every path a case names stays inside the case's own directories.

A conformance run executes case files it did not write against binaries it does not trust, so
nothing a case says may reach outside its temporary directory (CASE-FORMAT.md §2).  This
module is the one place that decides what is inside; the schema, the workspace, the runner,
the channel fixtures and the reference's operations all ask it, and an adapter for an
external binary asks it too (the binary then runs with the case's ``HOME`` and only the
case's paths).

The places a case can name a path, and what they are confined to:

- ``files`` and ``cwd``: relative paths below the workspace root (:func:`check_relative_path`
  statically, :func:`resolve_inside` after symlinks are resolved);
- ``env``: ``HOME`` and ``PATH`` are fixed by the runner and cannot be set
  (:data:`RESERVED_ENV`); a variable that holds paths (:func:`is_path_variable`: its name ends
  like ``_DIR``, ``_HOME``, ``_PATH``, ``_FILE``, ``_MANIFEST``, ..., or its value looks like a
  path) must name paths inside the case's directory; relative values are taken from the
  case's ``cwd``, ``~`` is the case's ``HOME``;
- ``args`` that are paths (:data:`PATH_ARGS`: ``manifest-path``, ``package``): the same;
- channels of a manifest that are local paths or ``file://`` URLs (:func:`confine_channel`):
  inside the case's directory (its workspace, its ``HOME`` and its ``channels``);
- channel fixtures: ``_channels/<name>.yaml`` in a directory between the case and its corpus
  root (:func:`fixture_directories`), the file itself inside the corpus root.

The case's directory (``base``) is the private temporary directory that holds ``workspace/``,
``home/`` and ``channels/``.  Every check compares real paths (``os.path.realpath``): a symlink
that leads out is an escape.  An escape raises :class:`WorkspaceError` naming the case key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = [
    "PATH_ARGS",
    "RESERVED_ENV",
    "WorkspaceError",
    "check_relative_path",
    "confine_case_paths",
    "confine_channel",
    "expand_home",
    "fixture_directories",
    "is_inside",
    "is_path_variable",
    "reserved_env_problem",
    "resolve_inside",
]

#: Variables the runner sets and a case cannot replace (CASE-FORMAT.md §2 ``env``).
RESERVED_ENV = ("HOME", "PATH")
#: ``args`` whose values are paths, taken from the case's ``cwd`` (§3).
PATH_ARGS = ("manifest-path", "package")

_DRIVE = re.compile(r"^[A-Za-z]:")
#: Names of variables that hold paths (pixi's, rattler's, uv's, XDG's, the usual tools').
_PATH_NAME = re.compile(
    r"(?:^|_)(?:HOME|DIR|DIRS|PATH|FILE|MANIFEST|PREFIX|ROOT|BUNDLE|CONFIG|CACHE)$"
    r"|^(?:TMPDIR|TMP|TEMP|NETRC|PWD|OLDPWD)$"
)
#: Variables that hold a list of paths.
_PATH_LIST = re.compile(r"(?:PATH|DIRS)$")


class WorkspaceError(ValueError):
    """The case cannot be materialised or run safely: it names a path outside its directory,
    or its files or cwd do not fit the workspace.  ``key`` is the case key at fault."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(f"key '{key}': {message}" if key else message)
        self.key = key

    def __reduce__(self):  # picklable with its key (the reference runs in a worker process)
        message = str(self)
        if self.key:
            message = message.removeprefix(f"key '{self.key}': ")
        return type(self), (message, self.key)


# --------------------------------------------------------------------------- static checks


def check_relative_path(path: str) -> str | None:
    """Return why ``path`` is not an acceptable workspace-relative path (§2 ``files``/``cwd``)."""
    if not path:
        return "expected a non-empty relative path"
    if "\\" in path:
        return "use '/' as the path separator"
    if path.startswith("/") or _DRIVE.match(path):
        return "expected a relative path, got an absolute path"
    if "\0" in path:
        return "a path cannot contain NUL"
    parts = path.split("/")
    if ".." in parts:
        return "a path cannot contain '..'"
    if any(p in ("", ".") for p in parts):
        return "expected a normalised path (no empty or '.' components)"
    return None


def reserved_env_problem(name: str) -> str | None:
    """Why a case may not set the variable ``name``, or ``None``."""
    if name in RESERVED_ENV:
        return (
            f"{name} is set by the runner ({name} of the case's temporary directory) and "
            "cannot be replaced by a case"
        )
    return None


def _looks_like_path(value: str) -> bool:
    return (
        value.startswith(("/", "~", "\\"))
        or bool(_DRIVE.match(value))
        or ".." in re.split(r"[/\\]", value)
    )


def is_path_variable(name: str, value: str) -> bool:
    """True when the variable ``name=value`` holds paths (by its name, or by its value)."""
    return bool(_PATH_NAME.search(name.upper())) or _looks_like_path(value)


# --------------------------------------------------------------------------- resolution


def is_inside(path: str | Path, roots: Iterable[str | Path]) -> bool:
    """True when the real path of ``path`` is one of ``roots`` or below one (``roots`` are
    resolved too)."""
    real = os.path.realpath(path)
    for root in roots:
        top = os.path.realpath(root)
        if real == top or real.startswith(os.path.join(top, "")):
            return True
    return False


def resolve_inside(
    root: Path, relative: str, *, resolved_root: bool = False, key: str = "files"
) -> Path:
    """``root / relative`` after checking it stays inside ``root`` (symlinks resolved).

    ``resolved_root=True`` says ``root`` is already resolved (saves a system call per file).
    """
    why = check_relative_path(relative)
    if why:
        raise WorkspaceError(f"{relative!r}: {why}", key)
    if not resolved_root:
        root = root.resolve()
    target = root.joinpath(*relative.split("/"))
    if not is_inside(target, (root,)):
        raise WorkspaceError(f"{relative!r} resolves outside the workspace root", key)
    return target


def expand_home(value: str, home: str | Path) -> str:
    """``~`` and ``~/x`` against the case's ``HOME`` (never the real one); ``~user`` is left
    as written (it names another user's home, which no case may use)."""
    if value == "~":
        return str(home)
    if value.startswith(("~/", "~\\")):
        return os.path.join(str(home), value[2:])
    return value


def _confine(
    value: str, *, key: str, cwd: Path, home: Path, roots: tuple[Path, ...], what: str
) -> None:
    expanded = expand_home(value, home)
    if expanded.startswith("~"):
        raise WorkspaceError(f"{value!r}: only '~' and '~/...' (the case's HOME) are allowed", key)
    if "\0" in expanded:
        raise WorkspaceError(f"{value!r}: a path cannot contain NUL", key)
    path = Path(expanded)
    if not path.is_absolute():
        path = cwd / path
    if not is_inside(path, roots):
        raise WorkspaceError(f"{value!r} resolves outside the case's {what}", key)


def confine_case_paths(
    *, env: Mapping[str, str], args: Mapping[str, object], cwd: Path, home: Path, base: Path
) -> None:
    """Check the ``env`` values that are paths and the path ``args`` of a materialised case.

    ``base`` is the case's temporary directory; relative paths are taken from ``cwd``.
    """
    roots = (base,)
    for name, value in env.items():
        why = reserved_env_problem(name)
        if why:
            raise WorkspaceError(why, f"env.{name}")
        if not is_path_variable(name, value):
            continue
        items = value.split(os.pathsep) if _PATH_LIST.search(name.upper()) else [value]
        for item in items:
            if item:
                _confine(
                    item,
                    key=f"env.{name}",
                    cwd=cwd,
                    home=home,
                    roots=roots,
                    what="temporary directory",
                )
    for name in PATH_ARGS:
        value = args.get(name)
        if isinstance(value, str) and value:
            _confine(
                value,
                key=f"args.{name}",
                cwd=cwd,
                home=home,
                roots=roots,
                what="temporary directory",
            )


def confine_channel(
    channel: str, *, key: str, manifest_dir: Path, home: str | Path, base: Path
) -> None:
    """Check that a manifest channel that is a local path or a ``file://`` URL stays inside
    the case's directory (``~`` is the case's ``HOME``; a relative path is taken from the
    manifest's directory).  Channel names and remote URLs are not paths."""
    if "://" in channel:
        parts = urlsplit(channel)
        if parts.scheme.lower() != "file":
            return
        path = unquote(parts.path)
    elif (
        channel.startswith(("/", "./", "../", "~", "\\", ".\\", "..\\"))
        or channel
        in (
            ".",
            "..",
        )
        or _DRIVE.match(channel)
    ):
        path = channel
    else:
        return
    _confine(
        path, key=key, cwd=manifest_dir, home=Path(home), roots=(base,), what="temporary directory"
    )


def fixture_directories(case_path: Path, root: Path) -> tuple[Path, ...]:
    """Where a case's channel fixtures are looked up: its directory and every directory above
    it up to the corpus ``root`` (nearest first), never above the root."""
    root = Path(os.path.abspath(root))
    directory = Path(os.path.abspath(case_path)).parent
    if directory != root and root not in directory.parents:
        return ()
    out = [directory]
    while directory != root:
        directory = directory.parent
        out.append(directory)
    return tuple(out)
