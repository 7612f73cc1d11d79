"""PyPI → conda mapping of ``pixi-build-python``, offline.

Source: pixi ``crates/pixi_build_python/src/pypi_mapping.rs`` (``apply_user_map``,
``map_requirements_with_channels``, ``PyPiToCondaMapper::{map_requirements,
should_skip_requirement, create_marker_environment, contains_non_system_fields,
convert_version_specifiers}``, ``convert_requirement_version``) and its call sites in
``main.rs::PythonGenerator::generate_recipe``.  PEP 503/508/440 are handled with ``packaging``,
the conda side with py-rattler (``VersionSpec`` lenient parsing, ``MatchSpec``); conda specs are
never parsed by hand.

Per requirement, in pixi's order:

1. **Markers** are evaluated for the *mapping platform* (``noarch`` when the package is noarch,
   otherwise the host platform).  No marker: keep.  ``noarch``: drop every requirement that has
   a marker.  A marker mentioning a non-system field (``python_version``,
   ``python_full_version``, ``implementation_name``, ``implementation_version``,
   ``platform_python_implementation``, ``platform_release``, ``platform_version``, ``extra``):
   drop.  pixi tests the marker's text for these names, so a *value* containing one of them
   (``sys_platform == 'extra'``) drops the requirement too.  Otherwise the marker is evaluated
   with ``(sys_platform, os_name, platform_system, platform_machine)`` of the platform
   (:data:`PLATFORM_MARKERS`; any other platform uses the linux-64 tuple).  pep508_rs also
   accepts the deprecated spellings ``sys.platform``, ``os.name``, ``platform.machine``,
   ``platform.version``, ``platform.python_implementation`` and ``python_implementation``;
   they are rewritten to their PEP 508 names before ``packaging`` parses the marker.
2. **User map** (``[package.build.config] pypi-conda-map``), keys PEP 503-normalised (colliding
   keys: the last one wins, with a warning; an invalid PyPI name is ignored with a warning).
   ``false``/``None`` drops the requirement, a conda name maps it (keeping the converted
   version), an invalid conda name warns and falls through to the service.
3. **Service** for what is left.  pixi asks
   ``conda-mapping.prefix.dev/pypi-to-conda-v1/<channel>/<name>.json`` for each channel in
   order; the first channel that maps *at least one* requirement wins and the requirements it
   could not map are dropped (a 404 warns ``PyPI package '<name>' has no conda-forge mapping,
   skipping``); a channel that maps none warns ``No PyPI-to-conda mapping found for
   <context> in channel '<channel>'`` and the next one is tried; a channel whose answer names
   an invalid conda package fails as a whole (``Failed to get PyPI-to-conda mapping ...``).

**The offline table.**  There is no network access here, ever.  A single ``table`` (PyPI
name → conda name, or ``false`` for "the service has no mapping", i.e. a 404; a name that is
absent is a 404 too) stands in for the service and answers *the same for every channel*.  So
when the table maps at least one remaining requirement the first channel wins: mapped ones are
kept and the others are dropped with pixi's 404 warning.  When it maps none, every channel
repeats the 404 warnings followed by its "No PyPI-to-conda mapping found" warning, and the
remaining requirements are dropped.  With no channels at all nothing is asked and nothing is
warned.  Table keys are looked up in PEP 503-normalised form.

**Versions.**  pep508_rs parses the specifiers into pep440_rs ``VersionSpecifiers``, which sort
them by version (stable) and display them PEP 440-normalised joined by ``", "`` (the one rule in
:mod:`pixiconf.manifest.pep440`, read from the written text); ``===`` becomes
``==`` and the result is parsed with rattler's lenient ``VersionSpec`` parser.  On failure a
warning is given and the dependency is unconstrained.  The output is the ``Display`` of
``MatchSpec{name, version}``: the normalised (lower-case) conda name, then a space and the
``VersionSpec`` display (clauses joined by ``,``), e.g. ``pydantic >=2.0,<3.0``.  Each string is
confirmed by parsing it back with rattler's strict ``MatchSpec`` parser (what the backend does
with it next, ``matchspec_item``).

**URL requirements** (``pkg @ https://...``): the documentation says they are skipped, but the
code maps the name and leaves the version unconstrained; the code is followed.  Extras are
ignored.

**Limitations.**  pep508_rs keeps markers as canonical decision diagrams, so a marker that is a
tautology (``python_version >= '3' or python_version < '3'``) becomes "no marker" and is kept
even on noarch, and a redundant non-system part can be simplified away before pixi searches
the text; ``packaging`` does neither, so such markers are dropped here.  Requirement validity
follows ``packaging`` plus pep440_rs' rule that ``===`` needs a PEP 440 version; the remaining
differences between the two PEP 508 parsers are not modelled.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier
from packaging.version import Version
from rattler import MatchSpec, PackageName, VersionSpec
from rattler.exceptions import InvalidMatchSpecError, InvalidVersionSpecError

from pixiconf.diagnostics import Diagnostic, DiagnosticError
from pixiconf.manifest import pep440
from pixiconf.manifest.pep508 import written_parts

__all__ = [
    "BUILD_TOOL_COMPILERS",
    "PLATFORM_MARKERS",
    "BackendConfig",
    "MappingResult",
    "ParsedRequirement",
    "RequirementError",
    "channel_name",
    "conda_match_spec",
    "convert_version",
    "detect_compilers",
    "load_mapping_table",
    "map_pyproject",
    "map_requirements",
    "marker_environment",
    "normalize_pypi_name",
    "parse_requirement",
    "should_skip_requirement",
]

#: ``create_marker_environment``: (sys_platform, os_name, platform_system, platform_machine).
PLATFORM_MARKERS: dict[str, tuple[str, str, str, str]] = {
    "linux-64": ("linux", "posix", "Linux", "x86_64"),
    "linux-aarch64": ("linux", "posix", "Linux", "aarch64"),
    "linux-ppc64le": ("linux", "posix", "Linux", "ppc64le"),
    "linux-s390x": ("linux", "posix", "Linux", "s390x"),
    "linux-armv6l": ("linux", "posix", "Linux", "armv6l"),
    "linux-armv7l": ("linux", "posix", "Linux", "armv7l"),
    "linux-32": ("linux", "posix", "Linux", "i686"),
    "osx-64": ("darwin", "posix", "Darwin", "x86_64"),
    "osx-arm64": ("darwin", "posix", "Darwin", "arm64"),
    "win-64": ("win32", "nt", "Windows", "AMD64"),
    "win-32": ("win32", "nt", "Windows", "x86"),
    "win-arm64": ("win32", "nt", "Windows", "ARM64"),
}
#: Every other platform (``noarch`` included, though noarch never gets this far).
FALLBACK_MARKERS = PLATFORM_MARKERS["linux-64"]

NOARCH = "noarch"

#: ``contains_non_system_fields``: substrings of the marker text that drop a requirement.
NON_SYSTEM_FIELDS = (
    "python_version",
    "PythonVersion",
    "python_full_version",
    "PythonFullVersion",
    "implementation_name",
    "ImplementationName",
    "implementation_version",
    "ImplementationVersion",
    "platform_python_implementation",
    "PlatformPythonImplementation",
    "platform_release",
    "PlatformRelease",
    "platform_version",
    "PlatformVersion",
    "extra",
    "Extra",
)

#: pep508_rs ``MarkerValue::from_str`` deprecated names → the names it displays.
_DEPRECATED_MARKER_NAMES = {
    "os.name": "os_name",
    "sys.platform": "sys_platform",
    "platform.machine": "platform_machine",
    "platform.version": "platform_version",
    "platform.python_implementation": "platform_python_implementation",
    "python_implementation": "platform_python_implementation",
}
_DEPRECATED_RE = re.compile(
    r"(?<![\w.])("
    + "|".join(re.escape(k) for k in sorted(_DEPRECATED_MARKER_NAMES, key=len, reverse=True))
    + r")(?![\w.])"
)

#: ``BUILD_TOOL_COMPILER_MAPPINGS``: build tools in ``[build-system].requires`` → compilers.
BUILD_TOOL_COMPILERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("maturin", ("rust",)),
    ("setuptools-rust", ("rust",)),
)

_TRUE_NOT_SUPPORTED = (
    "`true` is not supported; use a conda package name to map the package, "
    "or `false` to drop the dependency"
)


class RequirementError(ValueError):
    """A requirement pep508_rs would reject; ``str()`` explains why."""


@dataclass(frozen=True, slots=True)
class MappingResult:
    specs: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ParsedRequirement:
    """A PEP 508 requirement as pep508_rs sees it."""

    text: str
    #: PEP 503-normalised name (pep508_rs ``PackageName``).
    name: str
    #: ``(operator, version, star)`` with the version PEP 440-normalised, sorted by version
    #: (:func:`pixiconf.manifest.pep440.parse_specifiers`).
    specifiers: tuple[tuple[str, Version, bool], ...]
    url: str | None
    marker: Marker | None

    @property
    def specifier_text(self) -> str:
        """pep440_rs ``VersionSpecifiers`` display: ``>=1.0, <2.0``."""
        return pep440.display([pep440.VersionSpecifier(*s) for s in self.specifiers])


# --------------------------------------------------------------------------- names


def normalize_pypi_name(name: str) -> str:
    """pep508_rs ``PackageName::from_str``: lower-case, runs of ``-_.`` become ``-``.

    Raises :class:`RequirementError` with pep508_rs' ``InvalidNameError`` text.  The empty
    string is accepted (it is "already normalised" for pep508_rs).
    """
    if name and not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?", name):
        raise RequirementError(
            f'Not a valid package or extra name: "{name}". Names must start and end with a '
            "letter or digit and may only contain -, _, ., and alphanumeric characters."
        )
    return re.sub(r"[-_.]+", "-", name).lower()


def _conda_name_error(name: str) -> str | None:
    """rattler ``PackageName::from_str`` error text, or ``None`` when ``name`` is valid."""
    if all(c.isascii() and (c.isalnum() or c in "-_.") for c in name):
        return None
    return (
        f"'{name}' is not a valid package name. Package names can only contain 0-9, a-z, "
        "A-Z, -, _, or ."
    )


# --------------------------------------------------------------------------- requirements


def _rewrite_deprecated_markers(text: str) -> str:
    """Rewrite pep508_rs' deprecated marker names outside quotes, after the first ``;``."""
    out: list[str] = []
    quote: str | None = None
    in_marker = False
    chunk = ""
    for ch in text:
        if quote is None and in_marker and ch in "'\"":
            out.append(_DEPRECATED_RE.sub(lambda m: _DEPRECATED_MARKER_NAMES[m.group(1)], chunk))
            chunk, quote = "", ch
            out.append(ch)
            continue
        if quote is not None:
            out.append(ch)
            if ch == quote:
                quote = None
            continue
        if not in_marker:
            out.append(ch)
            if ch == ";":
                in_marker = True
            continue
        chunk += ch
    out.append(_DEPRECATED_RE.sub(lambda m: _DEPRECATED_MARKER_NAMES[m.group(1)], chunk))
    return "".join(out)


def parse_requirement(text: str) -> ParsedRequirement:
    """Parse one PEP 508 requirement string (pep508_rs ``Requirement::from_str``)."""
    if not isinstance(text, str):
        raise RequirementError(f"expected a requirement string, got {text!r}")
    rewritten = _rewrite_deprecated_markers(text)
    try:
        req = Requirement(rewritten)
    except (InvalidRequirement, InvalidMarker, InvalidSpecifier) as exc:
        raise RequirementError(f"invalid requirement `{text}`: {exc}") from None
    written = written_parts(rewritten).specifiers if not req.url else ""
    try:
        specifiers = pep440.parse_specifiers(written)
    except InvalidSpecifier as exc:
        raise RequirementError(f"invalid requirement `{text}`: {exc}") from None
    return ParsedRequirement(
        text=text,
        name=normalize_pypi_name(req.name),
        specifiers=tuple((s.operator, s.version, s.star) for s in specifiers),
        url=req.url or None,
        marker=req.marker,
    )


# --------------------------------------------------------------------------- markers


def marker_environment(platform: str) -> dict[str, str]:
    """``create_marker_environment``: a PEP 508 environment for ``platform``.

    Only the four system fields vary; the others hold pixi's dummy values (they never reach an
    evaluation because markers using them are dropped first).
    """
    sys_platform, os_name, platform_system, platform_machine = PLATFORM_MARKERS.get(
        platform, FALLBACK_MARKERS
    )
    return {
        "implementation_name": "cpython",
        "implementation_version": "1.0.0",
        "os_name": os_name,
        "platform_machine": platform_machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": platform_system,
        "platform_version": "",
        "python_full_version": "1.0.0",
        "python_version": "1.0.0",
        "sys_platform": sys_platform,
        "extra": "",
    }


def should_skip_requirement(req: ParsedRequirement, platform: str) -> bool:
    """``should_skip_requirement``; ``platform`` is the mapping platform (``noarch`` or a
    subdir)."""
    if req.marker is None:
        return False
    if platform == NOARCH:
        return True
    text = str(req.marker)
    if any(f in text for f in NON_SYSTEM_FIELDS):
        return True
    return not req.marker.evaluate(marker_environment(platform))


# --------------------------------------------------------------------------- versions


def convert_version(req: ParsedRequirement) -> tuple[VersionSpec | None, str | None]:
    """``convert_requirement_version``: the conda version spec, or ``None`` plus a warning."""
    if req.url is not None or not req.specifiers:
        return None, None
    spec_text = req.specifier_text
    converted = spec_text.replace("===", "==")
    try:
        return VersionSpec(converted, strict=False), None
    except InvalidVersionSpecError as exc:
        return None, (
            f"Failed to convert version specifier for '{req.name}': failed to convert "
            f"version specifier '{spec_text}' to conda format: {exc}, using "
            "unconstrained version"
        )


def conda_match_spec(conda_name: str, version: VersionSpec | None) -> str:
    """``MatchSpec{name, version}.to_string()``, confirmed by rattler's strict parser.

    Raises :class:`DiagnosticError` when rattler cannot parse the string back (pixi's backend
    fails at that point too).
    """
    name = PackageName(conda_name).normalized
    text = f"{name} {version}" if version is not None else name
    try:
        parsed = MatchSpec(text, strict=True)
    except InvalidMatchSpecError as exc:
        raise DiagnosticError(Diagnostic(f"invalid mapped dependency `{text}`: {exc}")) from None
    if str(parsed) != text:
        raise RuntimeError(f"rattler renders the mapped spec {text!r} as {str(parsed)!r}")
    return text


# --------------------------------------------------------------------------- mapping


def _normalized_user_map(
    user_map: Mapping[str, str | bool | None] | None, warnings: list[str]
) -> dict[str, str | None]:
    """``apply_user_map``'s key normalisation: conda name, or ``None`` for "drop"."""
    out: dict[str, str | None] = {}
    for name, entry in (user_map or {}).items():
        if entry is True:
            raise ValueError(_TRUE_NOT_SUPPORTED)
        try:
            key = normalize_pypi_name(name)
        except RequirementError as exc:
            warnings.append(
                f"ignoring invalid PyPI package name '{name}' in `pypi-conda-map`: {exc}"
            )
            continue
        if key in out:
            warnings.append(
                f"multiple `pypi-conda-map` entries normalize to the same package "
                f"name as '{name}'; the last one wins"
            )
        out[key] = entry if isinstance(entry, str) else None
    return out


def _normalized_table(table: Mapping[str, str | bool] | None) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name, target in (table or {}).items():
        try:
            key = normalize_pypi_name(name)
        except RequirementError:
            key = name
        out[key] = target if isinstance(target, str) else None
    return out


class _ChannelFailed(Exception):
    pass


def _map_with_table(
    requirements: list[ParsedRequirement],
    platform: str,
    table: dict[str, str | None],
    warnings: list[str],
) -> list[str]:
    """``PyPiToCondaMapper::map_requirements`` for one channel answered by ``table``."""
    mapped: list[str] = []
    for req in requirements:
        if should_skip_requirement(req, platform):
            continue
        conda_name = table.get(req.name)
        if conda_name is None:
            warnings.append(f"PyPI package '{req.name}' has no conda-forge mapping, skipping")
            continue
        if _conda_name_error(conda_name) is not None:
            raise _ChannelFailed(f"invalid conda package name '{conda_name}'")
        version, problem = convert_version(req)
        if problem:
            warnings.append(problem)
        mapped.append(conda_match_spec(conda_name, version))
    return mapped


def channel_name(channel: str) -> str:
    """``extract_channel_name``: the last path segment of the channel (URL or name)."""
    return channel.rstrip("/").rsplit("/", 1)[-1]


def map_requirements(
    requirements: Sequence[str],
    platform: str,
    *,
    noarch: bool,
    user_map: Mapping[str, str | bool | None] | None,
    table: Mapping[str, str | bool] | None,
    channels: Sequence[str] = ("conda-forge",),
    context: str = "project",
) -> MappingResult:
    """``map_requirements_with_channels``, with ``table`` answering for every channel.

    ``requirements`` are PEP 508 strings (:class:`RequirementError` when one is invalid),
    ``platform`` the host platform; ``noarch`` makes the mapping platform ``noarch``.
    ``channels`` (names or URLs; only their last path segment is used) and ``context``
    (``project`` or ``build-system``) only shape the warnings of a pass that maps nothing.
    """
    mapping_platform = NOARCH if noarch else platform
    parsed = [parse_requirement(r) for r in requirements]
    warnings: list[str] = []
    normalized = _normalized_user_map(user_map, warnings)

    specs: list[str] = []
    remaining: list[ParsedRequirement] = []
    for req in parsed:
        if req.name not in normalized:
            remaining.append(req)
            continue
        if should_skip_requirement(req, mapping_platform):
            continue
        target = normalized[req.name]
        if target is None:
            continue
        problem = _conda_name_error(target)
        if problem is not None:
            warnings.append(
                f"ignoring `pypi-conda-map` entry for '{req.name}': invalid conda "
                f"package name '{target}': {problem}"
            )
            remaining.append(req)
            continue
        version, version_problem = convert_version(req)
        if version_problem:
            warnings.append(version_problem)
        specs.append(conda_match_spec(target, version))

    if not remaining:
        return MappingResult(specs, warnings)

    answers = _normalized_table(table)
    for channel in channels:
        name = channel_name(channel)
        try:
            mapped = _map_with_table(remaining, mapping_platform, answers, warnings)
        except _ChannelFailed as exc:
            warnings.append(
                f"Failed to get PyPI-to-conda mapping for {context} in channel '{name}': {exc}"
            )
            continue
        if mapped:
            specs.extend(mapped)
            return MappingResult(specs, warnings)
        warnings.append(f"No PyPI-to-conda mapping found for {context} in channel '{name}'")
    return MappingResult(specs, warnings)


def detect_compilers(build_requires: Sequence[str]) -> list[str]:
    """``detect_compilers_from_build_requirements``: compilers implied by build tools.

    pixi collects them in a ``HashSet`` (unordered); both tools imply ``rust`` only, so the
    result is ``[]`` or ``["rust"]``.
    """
    found: list[str] = []
    for text in build_requires:
        name = parse_requirement(text).name
        for tool, compilers in BUILD_TOOL_COMPILERS:
            if name == tool:
                found.extend(c for c in compilers if c not in found)
    return found


# --------------------------------------------------------------------------- the table file


def load_mapping_table(path: str | Path) -> dict[str, str | bool]:
    """Read an offline mapping table: a JSON object of PyPI name → conda name or ``false``.

    The same shape as a case's ``pypi-mapping``.  Raises :class:`DiagnosticError` naming the
    file and the offending entry.
    """
    shown = str(path)
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DiagnosticError(
            Diagnostic(f"cannot read the mapping table: {exc.strerror or exc}", file=shown)
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        column = getattr(exc, "colno", None)
        raise DiagnosticError(
            Diagnostic(
                f"the mapping table is not valid JSON: {exc}", file=shown, line=line, column=column
            )
        ) from None
    if not isinstance(data, dict):
        raise DiagnosticError(
            Diagnostic(
                "the mapping table must be a JSON object of PyPI name → conda name or false",
                file=shown,
            )
        )
    table: dict[str, str | bool] = {}
    for name, target in data.items():
        if target is False or (isinstance(target, str) and target):
            table[name] = target
        else:
            raise DiagnosticError(
                Diagnostic(
                    f"expected a conda package name or false for '{name}', "
                    f"got {json.dumps(target)}",
                    file=shown,
                    key=name,
                )
            )
    return table


# --------------------------------------------------------------------------- a package's mapping


class BackendConfig(Protocol):
    """What :func:`map_pyproject` reads of ``PythonBackendConfig``."""

    pypi_conda_map: Mapping[str, str | bool | None] | None
    noarch: bool | None
    compilers: list[str] | None
    ignore_pyproject_manifest: bool | None


def _pyproject_requirements(pyproject: Mapping[str, Any], table: str, key: str) -> list[str] | None:
    section = pyproject.get(table)
    if section is None:
        return None
    if not isinstance(section, Mapping):
        raise DiagnosticError(
            Diagnostic(f"failed to parse pyproject.toml, `{table}` must be a table")
        )
    if table == "project" and not isinstance(section.get("name"), str):
        raise DiagnosticError(Diagnostic("failed to parse pyproject.toml, missing field `name`"))
    if key not in section:
        if table == "build-system":
            raise DiagnosticError(
                Diagnostic("failed to parse pyproject.toml, missing field `requires`")
            )
        return None
    value = section[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DiagnosticError(
            Diagnostic(
                f"failed to parse pyproject.toml, `{table}.{key}` must "
                "be a list of PEP 508 requirement strings"
            )
        )
    for text in value:
        try:
            parse_requirement(text)
        except RequirementError as exc:
            raise DiagnosticError(Diagnostic(f"failed to parse pyproject.toml, {exc}")) from None
    return list(value)


def map_pyproject(
    pyproject: Mapping[str, Any] | None,
    platform: str,
    *,
    config: BackendConfig,
    table: Mapping[str, str | bool] | None,
    channels: Sequence[str],
) -> dict[str, list[str]]:
    """The ``map-pypi`` observation ``{run, host, warnings}`` of one package.

    ``config`` is the package's merged backend config
    (:class:`pixiconf.pixibuild.config.PythonBackendConfig`; only ``pypi_conda_map``, ``noarch``,
    ``compilers`` and ``ignore_pyproject_manifest`` are read).

    ``pyproject`` is the parsed ``pyproject.toml`` next to the package manifest (``None`` when
    ``ignore-pyproject-manifest`` is set: nothing is read, nothing mapped).  ``run`` maps
    ``[project].dependencies``, ``host`` maps ``[build-system].requires``; each pass runs only
    when its list exists (pixi: ``Option``), so an absent list gives no warnings at all.
    The mapping platform is ``noarch`` for a noarch package: ``noarch`` from the config, else
    a platform package when the config's compilers or those implied by the build tools
    (``maturin``, ``setuptools-rust``) are non-empty, else noarch (``main.rs::generate_recipe``).
    The ``ignore-pypi-mapping`` gate is not applied: this observes the mapping itself.
    """
    if config.ignore_pyproject_manifest or pyproject is None:
        return {"run": [], "host": [], "warnings": []}
    project = _pyproject_requirements(pyproject, "project", "dependencies")
    build_system = _pyproject_requirements(pyproject, "build-system", "requires")

    compilers = list(config.compilers or [])
    for compiler in detect_compilers(build_system or []):
        if compiler not in compilers:
            compilers.append(compiler)
    noarch = config.noarch if config.noarch is not None else not compilers

    observation: dict[str, list[str]] = {"run": [], "host": [], "warnings": []}
    for requirements, kind, context in (
        (project, "run", "project"),
        (build_system, "host", "build-system"),
    ):
        if requirements is None:
            continue
        result = map_requirements(
            requirements,
            platform,
            noarch=noarch,
            user_map=config.pypi_conda_map,
            table=table,
            channels=channels,
            context=context,
        )
        observation[kind] = result.specs
        observation["warnings"].extend(result.warnings)
    return observation
