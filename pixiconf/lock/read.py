"""Reading ``pixi.lock`` files, every format version rattler accepts (1 to 7).

The lock file is parsed by ``rattler.LockFile.from_path`` (rattler_lock's reader, the one pixi
uses); nothing here parses the format itself.  py-rattler does not expose two things pixi's
satisfiability check needs, the format ``version`` and each environment's solve ``options``
(``rattler_lock::Environment::solve_options``), so after rattler has accepted the file those
two scalars are read from the YAML document (the rest comes from rattler's objects).

Errors follow pixi (``crates/pixi_core/src/lock_file/update.rs``, ``load_lock_file`` and
``update_lock_file``):

* a newer format is ``Lock-file version N is newer than supported`` with the help
  ``Maximum supported version: 7 (pixi v0.77.0)`` (``LockFileVersionMismatchError``, the
  ``--locked``/``--frozen`` wording);
* anything else rattler rejects is ``Failed to load lock file from `<path>``` caused by
  rattler's own message (``ParseCondaLockError``), located at the line and column rattler
  names, or at the end of a file that stops mid-entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rattler
import yaml

from pixiconf import PIXI_VERSION
from pixiconf.diagnostics import Diagnostic, DiagnosticError

__all__ = [
    "LATEST_VERSION",
    "LockReadError",
    "LockedCondaPackage",
    "LockedEnvironment",
    "LockedPlatform",
    "LockedPypiPackage",
    "PixiLock",
    "SolveOptions",
    "read_lock_file",
]

#: ``FileFormatVersion::LATEST`` of rattler_lock 0.32.
LATEST_VERSION = 7

_NEWER = re.compile(
    r"found newer lockfile format version (\d+), but only up to including "
    r"version (\d+) is supported"
)
_AT = re.compile(r"at line (\d+) column (\d+)")


class LockReadError(DiagnosticError):
    """The lock file could not be read (corrupt, truncated, or a newer format)."""


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """``rattler_lock::SolveOptions`` with the defaults of an omitted ``options`` table."""

    strategy: str = "highest"
    channel_priority: str = "strict"
    exclude_newer: str | None = None
    pypi_prerelease_mode: str = "if-necessary-or-explicit"


@dataclass(frozen=True, slots=True)
class LockedPlatform:
    name: str
    subdir: str
    virtual_packages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LockedCondaPackage:
    """One conda record of an environment and platform."""

    name: str
    location: str
    #: ``rattler.RepoDataRecord`` for binary packages; ``None`` for source packages.
    record: Any
    is_source: bool = False

    @property
    def file_name(self) -> str:
        """``DistArchiveIdentifier::to_file_name`` (the archive name in the location)."""
        if self.record is not None:
            return self.record.file_name
        return self.location.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class LockedPypiPackage:
    name: str
    location: str


@dataclass(slots=True)
class LockedEnvironment:
    name: str
    #: Channel URLs as written in the lock file, in order.
    channels: list[str]
    options: SolveOptions
    #: platform name → conda records, in lock-file order.
    conda: dict[str, list[LockedCondaPackage]] = field(default_factory=dict)
    #: platform name → PyPI records, in lock-file order.
    pypi: dict[str, list[LockedPypiPackage]] = field(default_factory=dict)

    def has_pypi_packages(self) -> bool:
        return any(self.pypi.values())


@dataclass(slots=True)
class PixiLock:
    """A lock file as rattler read it."""

    version: int
    platforms: list[LockedPlatform]
    environments: dict[str, LockedEnvironment]
    #: The underlying ``rattler.LockFile``.
    lock_file: Any = None

    def platform(self, name: str) -> LockedPlatform | None:
        return next((p for p in self.platforms if p.name == name), None)


def _version_error(display: str, text: str, found: str, supported: str) -> LockReadError:
    help_text = (
        f"Maximum supported version: {supported} (pixi v{PIXI_VERSION})\n"
        "Cannot continue with --locked or --frozen mode as the lock file cannot be read.\n"
        "Please update pixi to the latest version and try again."
    )
    line = _line_of_key(text, "version")
    return LockReadError(
        Diagnostic(
            f"Lock-file version {found} is newer than supported",
            file=display,
            line=line,
            column=1 if line else None,
            label=f"found newer lockfile format version {found}, but only up "
            f"to including version {supported} is supported",
            help=help_text,
        )
    )


def _line_of_key(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None


#: rattler errors that name the offending entry: (pattern, how the entry's line looks).
_NAMED = (
    (re.compile(r"refers to a package that does not exist: (\S+)"), "{}"),
    (re.compile(r"is using an unknown platform `([^`]+)`"), "{}:"),
    (re.compile(r"Duplicate platform name `([^`]+)` found"), "name: {}"),
)


def _find_line(text: str, needle: str) -> tuple[int, int, None] | None:
    """The last line whose content ends with ``needle`` (an entry, not a prefix of one)."""
    hit = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.rstrip()
        if stripped.endswith(needle) and (
            len(stripped) == len(needle) or not stripped[-len(needle) - 1].isalnum()
        ):
            hit = (number, len(line) - len(line.lstrip()) + 1, None)
    return hit


def _locate(text: str, cause: str) -> tuple[int | None, int | None, str | None]:
    """Where the problem is: rattler's ``at line L column C``, else the end of a file that
    stops mid-entry (no final newline), else the ``version`` line for a version problem."""
    match = _AT.search(cause)
    if match:
        return int(match.group(1)), int(match.group(2)), None
    for pattern, shape in _NAMED:
        named = pattern.search(cause)
        if named:
            found = _find_line(text, shape.format(named.group(1)))
            if found:
                return found
    if "`version`" in cause:
        line = _line_of_key(text, "version")
        return (line or 1), 1, None
    if text and not text.endswith("\n"):
        lines = text.splitlines()
        return (
            len(lines),
            len(lines[-1]) + 1,
            (
                "the file ends in the middle of an entry (no final newline): it looks truncated; "
                "regenerate it with `pixi lock`"
            ),
        )
    return None, None, None


def _load_error(display: str, text: str, cause: str) -> LockReadError:
    line, column, help_text = _locate(text, cause)
    return LockReadError(
        Diagnostic(
            f"Failed to load lock file from `{display}`",
            file=display,
            line=line,
            column=column,
            label=cause,
            help=help_text,
        )
    )


def _solve_options(raw: Any) -> SolveOptions:
    if not isinstance(raw, Mapping):
        return SolveOptions()
    default = SolveOptions()
    exclude_newer = raw.get("exclude-newer")
    return SolveOptions(
        strategy=str(raw.get("strategy", default.strategy)),
        channel_priority=str(raw.get("channel-priority", default.channel_priority)),
        exclude_newer=None if exclude_newer is None else str(exclude_newer),
        pypi_prerelease_mode=str(raw.get("pypi-prerelease-mode", default.pypi_prerelease_mode)),
    )


def _scalars(text: str) -> tuple[int, dict[str, SolveOptions]]:
    """The format version and per-environment solve options (not exposed by py-rattler)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    # rattler writes ``version``, ``platforms``, ``environments``, then the (large) ``packages``
    # list; everything read here comes before it.
    environments, packages = text.find("\nenvironments:"), text.find("\npackages:")
    if 0 <= environments < packages:
        text = text[: packages + 1]
    document = yaml.load(text, Loader=loader)  # a safe loader
    version = int(document.get("version", 0))
    options: dict[str, SolveOptions] = {}
    environments = document.get("environments")
    if isinstance(environments, Mapping):
        for name, env in environments.items():
            options[str(name)] = _solve_options(
                env.get("options") if isinstance(env, Mapping) else None
            )
    return version, options


def _conda_package(package: Any) -> LockedCondaPackage:
    if isinstance(package, rattler.CondaLockedBinaryPackage):
        record = package.repo_data_record
        record = record() if callable(record) else record
        return LockedCondaPackage(package.name, package.location, record)
    return LockedCondaPackage(package.name, package.location, None, is_source=True)


def read_lock_file(path: Path, *, display: str | None = None) -> PixiLock:
    """Read ``path`` with rattler; raise :class:`LockReadError` with a located diagnostic."""
    path = Path(path)
    display = display or path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LockReadError(
            Diagnostic(
                f"Failed to load lock file from `{display}`",
                file=display,
                label=f"the file is not valid UTF-8: {exc.reason} at byte {exc.start}",
            )
        ) from None
    except OSError as exc:
        raise LockReadError(
            Diagnostic(
                f"Failed to load lock file from `{display}`",
                file=display,
                label=exc.strerror or str(exc),
            )
        ) from None
    try:
        lock_file = rattler.LockFile.from_path(path)
    except Exception as exc:  # rattler raises ParseCondaLockError (an Exception subclass)
        cause = str(exc)
        newer = _NEWER.search(cause)
        if newer:
            raise _version_error(display, text, newer.group(1), newer.group(2)) from None
        raise _load_error(display, text, cause) from None

    version, options = _scalars(text)
    platforms = [
        LockedPlatform(p.name, str(p.subdir), tuple(p.virtual_packages))
        for p in lock_file.platforms()
    ]
    environments: dict[str, LockedEnvironment] = {}
    for name, env in sorted(lock_file.environments(), key=lambda item: item[0]):
        locked = LockedEnvironment(
            name, [str(c) for c in env.channels()], options.get(name, SolveOptions())
        )
        for platform, packages in env.packages_by_platform().items():
            conda = locked.conda.setdefault(platform.name, [])
            pypi = locked.pypi.setdefault(platform.name, [])
            for package in packages:
                if isinstance(package, rattler.PypiLockedPackage):
                    pypi.append(LockedPypiPackage(package.name, package.location))
                else:
                    conda.append(_conda_package(package))
        environments[name] = locked
    return PixiLock(version, platforms, environments, lock_file)
