"""Workspace discovery: which manifest file a pixi command would use.

This follows pixi 0.77 as the command line drives it (``WorkspaceLocator::for_cli()`` in
``crates/pixi_core/src/workspace/discovery.rs`` on top of ``WorkspaceDiscoverer::discover`` in
``crates/pixi_manifest/src/discovery.rs``):

* **Per directory** the first existing file of ``pixi.toml``, ``pyproject.toml``,
  ``mojoproject.toml`` is the candidate; the others in that directory are never looked at.
* **Walking up** from the start directory (canonicalised), a candidate counts when it declares a
  workspace: a top-level ``workspace`` or ``project`` key (``pixi.toml``/``mojoproject.toml``),
  or ``tool.pixi.workspace``/``tool.pixi.project`` (``pyproject.toml``).  Candidates without a
  workspace (package manifests, pyprojects without ``[tool.pixi]``) are skipped.  The CLI does
  not ask for the "closest package", so the closest-package rules of the discoverer do not apply.
* Before a candidate is parsed, cheap **text checks** run (``Missing table in manifest ...``),
  then the TOML is parsed (a syntax error stops discovery, it is not skipped), then
  ``requires-pixi`` is checked against :data:`pixiconf.PIXI_VERSION` with rattler's strict
  ``VersionSpec`` parser, exactly as pixi does before full deserialisation.
* An **explicit manifest path** (``--manifest-path``) is canonicalised first (a missing path
  fails there: ``unable to canonicalize '<path>'``), must be named like a manifest (or be a
  directory holding one) and always gets the pyproject text check.  If it is not a workspace
  the search goes on in the directory *above* the file's directory (``mojoproject.toml`` given
  explicitly skips the text check, because pixi only checks ``pixi.toml`` and ``pyproject.toml``
  sources).
* **Environment**: when nothing was found and no explicit path was given,
  ``PIXI_PROJECT_MANIFEST`` is loaded directly (no text check, no ``requires-pixi`` check); when a
  manifest was found, ``PIXI_IN_SHELL`` is set and ``PIXI_PROJECT_MANIFEST`` names another path,
  a warning is returned.  Variables come only from the ``env`` mapping given to
  :func:`discover_workspace`, never from ``os.environ``.

Not modelled: the schema validation pixi does while deserialising each candidate (a package
manifest with a wrong key, an invalid ``[project]`` table in a pyproject, a non-table
``workspace``); that belongs to manifest checking, not to choosing the file.  TOML is parsed
as TOML 1.1, like pixi's toml-span (:mod:`pixiconf.manifest.toml`).

``stop_at`` bounds the walk: the search never moves to a directory outside ``stop_at`` (the
directory itself is still searched).  The case runner passes the parent of the case's workspace
root, a private temporary directory, so a case can never discover a file outside its own
temporary directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixiconf import PIXI_VERSION
from pixiconf.diagnostics import Diagnostic, DiagnosticError, warning
from pixiconf.manifest.toml import parse as parse_toml

__all__ = ["MANIFEST_FILE_NAMES", "DiscoveredManifest", "discover_workspace"]

PIXI_TOML = "pixi.toml"
PYPROJECT_TOML = "pyproject.toml"
MOJOPROJECT_TOML = "mojoproject.toml"

#: File name -> manifest kind, in the per-directory order of preference.
MANIFEST_FILE_NAMES: dict[str, str] = {
    PIXI_TOML: "pixi",
    PYPROJECT_TOML: "pyproject",
    MOJOPROJECT_TOML: "mojoproject",
}

#: ``WorkspaceDiscoverer::REQUIRED_SECTIONS``
REQUIRED_SECTIONS = ("workspace", "project", "package")

UNRECOGNIZED_FORMAT = (
    "unrecognized manifest file format. Expected either pixi.toml or pyproject.toml."
)
PIXI_MISSING_TABLE_HELP = (
    "More information about pixi manifest files can be found at "
    "https://pixi.sh/latest/reference/pixi_manifest/"
)
PYPROJECT_MISSING_TABLE_HELP = (
    "Check your manifest for a [tool.pixi.*] table. "
    "See https://pixi.sh/latest/python/pyproject_toml for more information."
)

# Unicode White_Space, which Rust's `str::trim_start` strips (Python's str.lstrip also strips
# the information separators U+001C..U+001F, which Rust does not).
_WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True)
class DiscoveredManifest:
    """The workspace manifest a pixi command would load."""

    #: Absolute path of the manifest file (its directory canonicalised).
    path: Path
    #: ``"pixi"``, ``"pyproject"`` or ``"mojoproject"`` (from the file name).
    kind: str
    #: The file's text.
    text: str
    #: Warnings discovery itself produces (the ``PIXI_PROJECT_MANIFEST`` shell warning).
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class _Candidate:
    path: Path
    #: Kind from the file name (reported).
    kind: str
    #: How pixi treats the source: a ``mojoproject.toml`` found in a directory is read as a
    #: ``pixi.toml`` (``provenance_from_dir``), one named explicitly stays a mojoproject.
    source_kind: str


def discover_workspace(
    start: Path,
    *,
    manifest_path: str | None = None,
    env: Mapping[str, str] | None = None,
    stop_at: Path | None = None,
) -> DiscoveredManifest:
    """Find the workspace manifest for a pixi command run in ``start``.

    ``manifest_path`` is the ``--manifest-path`` argument (relative paths are taken from
    ``start``).  ``env`` holds the process environment (only ``PIXI_PROJECT_MANIFEST`` and
    ``PIXI_IN_SHELL`` are read).  ``stop_at`` bounds the upward walk (see the module docs).
    Raises :class:`DiagnosticError` with pixi's messages.
    """
    start = Path(start)
    env = env or {}
    bound = _canonicalize_bound(stop_at)

    explicit = manifest_path is not None
    if explicit:
        manifest_path = str(manifest_path)
        given = Path(manifest_path)
        target = given if given.is_absolute() else start / given
        try:
            first = _canonicalize(target)
        except OSError as exc:
            raise DiagnosticError(
                Diagnostic(f"unable to canonicalize '{manifest_path}'\n{_os_error_text(exc)}")
            ) from None
        discovery_source_text = manifest_path
        discovery_source = target
    else:
        try:
            first = _canonicalize(start)
        except OSError as exc:
            raise DiagnosticError(
                Diagnostic(f"unable to canonicalize '{start}'\n{_os_error_text(exc)}")
            ) from None
        discovery_source_text = str(start)
        discovery_source = start

    found = _walk(first, explicit=explicit, bound=bound)

    warnings: list[Diagnostic] = []
    if not explicit:
        env_manifest = env.get("PIXI_PROJECT_MANIFEST")
        if found is not None:
            if (
                env_manifest is not None
                and Path(env_manifest) != found.path
                and "PIXI_IN_SHELL" in env
            ):
                warnings.append(
                    warning(
                        f"Using local manifest {found.path} rather than {env_manifest} "
                        "from environment variable `PIXI_PROJECT_MANIFEST`"
                    )
                )
        elif env_manifest is not None:
            found = _load_env_manifest(env_manifest, start)

    if found is None:
        pyproject = discovery_source / PYPROJECT_TOML
        if pyproject.is_file():
            try:
                content = pyproject.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                content = ""
            if "[project]" in content:
                raise DiagnosticError(
                    Diagnostic(
                        "found pyproject.toml without tool.pixi section at directory "
                        f"{discovery_source_text}\n\nSuggestion: Run 'pixi init' to initialize "
                        "pixi support in the existing pyproject.toml"
                    )
                )
        raise DiagnosticError(
            Diagnostic(
                "could not find pixi.toml or pyproject.toml with tool.pixi at directory "
                f"{discovery_source_text}"
            )
        )

    if warnings:
        return DiscoveredManifest(found.path, found.kind, found.text, tuple(warnings))
    return found


# --------------------------------------------------------------------------------------------
# The upward walk


def _walk(first: Path, *, explicit: bool, bound: Path | None) -> DiscoveredManifest | None:
    # (path, is_explicit); only the first step can be explicit.
    step: tuple[Path, bool] | None = (first, explicit)
    while step is not None:
        path, is_explicit = step
        if is_explicit:
            if not path.exists():  # only reachable if the path vanished after canonicalising
                raise DiagnosticError(Diagnostic(f"could not find '{path}'"))
            if path.is_file():
                kind = MANIFEST_FILE_NAMES.get(path.name)
                if kind is None:
                    raise DiagnosticError(Diagnostic(UNRECOGNIZED_FORMAT))
                candidate: _Candidate | None = _Candidate(path, kind, kind)
                next_dir = _parent(_parent(path))
            else:
                candidate = _candidate_in_dir(path)
                if candidate is None:
                    raise DiagnosticError(Diagnostic(UNRECOGNIZED_FORMAT))
                next_dir = _parent(path)
        else:
            candidate = _candidate_in_dir(path)
            next_dir = _parent(path)

        step = (next_dir, False) if next_dir is not None and _within(next_dir, bound) else None

        if candidate is None:
            continue
        text = _read(candidate.path)
        _quick_check(candidate, text, explicit=is_explicit)
        document = _parse_toml(candidate.path, text)
        _check_requires_pixi(candidate, text, document)
        if _has_workspace(candidate, document):
            return DiscoveredManifest(candidate.path, candidate.kind, text)
    return None


def _candidate_in_dir(directory: Path) -> _Candidate | None:
    for name, kind in MANIFEST_FILE_NAMES.items():
        path = directory / name
        if path.is_file():
            # `provenance_from_dir` reads a mojoproject.toml as a pixi.toml.
            source_kind = "pixi" if kind == "mojoproject" else kind
            return _Candidate(path, kind, source_kind)
    return None


def _parent(path: Path | None) -> Path | None:
    if path is None:
        return None
    parent = path.parent
    return None if parent == path else parent


def _within(path: Path, bound: Path | None) -> bool:
    return bound is None or path == bound or path.is_relative_to(bound)


def _canonicalize_bound(stop_at: Path | None) -> Path | None:
    if stop_at is None:
        return None
    try:
        return _canonicalize(Path(stop_at))
    except OSError:
        return Path(stop_at).resolve()


# --------------------------------------------------------------------------------------------
# Reading and checking one candidate


def _read(path: Path, shown: str | None = None) -> str:
    """``fs_err::read_to_string`` with its messages."""
    shown = str(path) if shown is None else shown
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise DiagnosticError(
            Diagnostic(f"failed to read from file `{shown}`\n{_os_error_text(exc)}")
        ) from None
    except OSError as exc:
        raise DiagnosticError(
            Diagnostic(f"failed to open file `{shown}`\n{_os_error_text(exc)}")
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise DiagnosticError(
            Diagnostic(f"failed to read from file `{shown}`\nstream did not contain valid UTF-8")
        ) from None


def _quick_check(candidate: _Candidate, text: str, *, explicit: bool) -> None:
    """The text checks pixi runs before parsing (``Missing table in manifest ...``)."""
    if candidate.source_kind == "pyproject":
        if ("[tool.pixi" in text or explicit) and not any(
            f"[tool.pixi.{section}]" in text or f"{section}." in text
            for section in REQUIRED_SECTIONS
        ):
            detail = "\n".join(f"* tool.pixi.{s}" for s in REQUIRED_SECTIONS)
            raise DiagnosticError(
                Diagnostic(
                    "Missing table in manifest pyproject.toml:\n"
                    f"Any of the following sections is required:\n{detail}",
                    file=str(candidate.path),
                    line=1,
                    column=1,
                    help=PYPROJECT_MISSING_TABLE_HELP,
                )
            )
    elif candidate.source_kind == "pixi":
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        if not any(
            line.lstrip(_WHITE_SPACE).startswith(f"[{section}")
            for section in REQUIRED_SECTIONS
            for line in lines
        ):
            detail = "\n".join(f"* {s}" for s in REQUIRED_SECTIONS)
            # A mojoproject.toml found in a directory is read as pixi.toml, so the
            # message names pixi.toml.
            raise DiagnosticError(
                Diagnostic(
                    "Missing table in manifest pixi.toml:\n"
                    f"Any of the following sections is required:\n{detail}",
                    file=str(candidate.path),
                    line=1,
                    column=1,
                    help=PIXI_MISSING_TABLE_HELP,
                )
            )
    # An explicitly named mojoproject.toml gets no text check.


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    """``toml_span::parse``: a syntax error stops discovery, located, with the offending line."""
    return parse_toml(text, str(path))


def _pointer(document: Any, *keys: str) -> Any:
    value = document
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _workspace_keys(candidate: _Candidate) -> tuple[str, ...]:
    if candidate.source_kind == "pyproject":
        return ("tool", "pixi", "workspace")
    return ("workspace",)


def _check_requires_pixi(candidate: _Candidate, text: str, document: dict[str, Any]) -> None:
    """``check_requires_pixi_early``: only ``[workspace]`` (or ``[tool.pixi.workspace]``)."""
    keys = (*_workspace_keys(candidate), "requires-pixi")
    value = _pointer(document, *keys)
    if not isinstance(value, str):
        # Absent, or not a string (a type error for the full parse, not for this check).
        return

    from rattler import Version, VersionSpec

    line, column = _locate_string_value(text, keys)
    try:
        spec = VersionSpec(value, strict=True)
    except Exception as exc:  # rattler raises its own InvalidVersionSpecError
        raise DiagnosticError(
            Diagnostic(
                f"invalid version specifier in 'requires-pixi'\n{exc}",
                file=str(candidate.path),
                line=line,
                column=column,
                label="could not parse this as a version specifier",
                key=".".join(keys),
            )
        ) from None
    try:
        current = Version(PIXI_VERSION)
    except Exception:  # pixi skips the check if its own version does not parse
        return
    if not spec.matches(current):
        raise DiagnosticError(
            Diagnostic(
                f"this project requires pixi '{spec}', but you have pixi {PIXI_VERSION}",
                file=str(candidate.path),
                line=line,
                column=column,
                label="this version requirement is not satisfied",
                help=(
                    f"install a version of pixi that satisfies '{spec}' with "
                    "`pixi self-update --version <version>` (a plain `pixi self-update` "
                    "installs the latest version, which may not satisfy this requirement)"
                ),
                key=".".join(keys),
            )
        )


def _has_workspace(candidate: _Candidate, document: dict[str, Any]) -> bool:
    if candidate.source_kind == "pyproject":
        pixi = _pointer(document, "tool", "pixi")
        return isinstance(pixi, dict) and ("workspace" in pixi or "project" in pixi)
    return "workspace" in document or "project" in document


# --------------------------------------------------------------------------------------------
# PIXI_PROJECT_MANIFEST


def _load_env_manifest(value: str, start: Path) -> DiscoveredManifest:
    """``Manifests::from_workspace_manifest_path``: no text check, no requires-pixi check."""
    given = Path(value)
    kind = MANIFEST_FILE_NAMES.get(given.name) if value else None
    if kind is None:
        raise DiagnosticError(Diagnostic(UNRECOGNIZED_FORMAT))
    target = given if given.is_absolute() else start / given
    text = _read(target, shown=value)
    candidate = _Candidate(target, kind, kind)
    document = _parse_toml(target, text)
    if kind == "pyproject":
        pixi = _pointer(document, "tool", "pixi")
        if pixi is None:
            raise DiagnosticError(Diagnostic("Missing field `tool.pixi`", file=str(target)))
        has_workspace = isinstance(pixi, dict) and ("workspace" in pixi or "project" in pixi)
    else:
        has_workspace = _has_workspace(candidate, document)
    if not has_workspace:
        raise DiagnosticError(Diagnostic("Missing field `project/workspace`", file=str(target)))
    # `ManifestProvenance::absolute_path`: canonical parent, file name kept.
    try:
        absolute = _canonicalize(target.parent) / target.name
    except OSError:
        absolute = target.absolute()
    return DiscoveredManifest(absolute, kind, text)


# --------------------------------------------------------------------------------------------
# Helpers


def _canonicalize(path: Path) -> Path:
    """``fs::canonicalize``: the real path, or an :class:`OSError` (a missing file, or a link
    loop as ``Too many levels of symbolic links (os error 40)``; ``Path.resolve`` raises a
    ``RuntimeError`` for a loop on Python 3.11)."""
    return Path(os.path.realpath(path, strict=True))


def _os_error_text(exc: OSError) -> str:
    """Rust's rendering of an OS error: ``No such file or directory (os error 2)``."""
    if exc.errno is not None and exc.strerror:
        return f"{exc.strerror} (os error {exc.errno})"
    return str(exc)


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_\-\.\"' ]+?)\s*=\s*(\"\"\"|'''|\"|')")


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))


def _locate_string_value(text: str, keys: tuple[str, ...]) -> tuple[int | None, int | None]:
    """Best-effort 1-based line/column of the string value at ``keys`` (inside the quotes).

    tomllib keeps no positions; this scans table headers and ``key = "..."`` lines, which
    covers the usual spellings (``[workspace]`` + ``requires-pixi = ...``, dotted keys).
    """
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.split("\n"), start=1):
        if header := _HEADER.match(line):
            table = _split_key(header.group(1))
            continue
        if (match := _KEY_VALUE.match(line)) and table + _split_key(match.group(1)) == keys:
            return number, match.end() + 1
    return None, None
