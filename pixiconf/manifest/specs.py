"""Dependency specs: conda (checked with py-rattler) and PyPI (checked with packaging).

Conda: ``crates/pixi_spec/src/toml.rs`` (``parse_version_string``, ``version_spec_error``,
``TomlSpec`` keys).  A string is a version spec, parsed strictly and, for an ambiguous bare
version like ``1.2.3``, leniently (pixi accepts it as ``==1.2.3`` with a log warning).
PyPI: ``crates/pixi_pypi_spec/src/toml.rs`` (``RawPyPiRequirement``, ``into_pypi_requirement``).
The observation keeps every spec as written (string, or the table as a mapping).
"""

from __future__ import annotations

import re
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name
from rattler import NamelessMatchSpec, PackageName, VersionSpec

from pixiconf.manifest import pep440
from pixiconf.manifest.location_spec import SOURCE_KEYS, check_location_value, subdirectory_error
from pixiconf.manifest.source import KeyPath, ManifestSource

#: ``impl Deserialize for TomlSpec`` read order.
CONDA_SPEC_KEYS = (
    "version",
    *SOURCE_KEYS,
    "build",
    "build-number",
    "file-name",
    "extras",
    "flags",
    "channel",
    "subdir",
    "license",
    "license-family",
    "when",
    "track-features",
    "md5",
    "sha256",
)
PYPI_SPEC_KEYS = (
    "version",
    "extras",
    "path",
    "editable",
    "git",
    "branch",
    "tag",
    "rev",
    "lfs",
    "url",
    "subdirectory",
    "index",
    "env-markers",
)


def _version_spec_hint(text: str) -> str | None:
    """pixi's friendlier message for a string that is not a version spec."""
    if text.startswith(("/", ".", "\\", "~/")):
        return (
            "it seems you're trying to add a path dependency, please specify as a table "
            f"with a `path` key: '{{ path = \"{text}\" }}'"
        )
    if "git" in text:
        return (
            "it seems you're trying to add a git dependency, please specify as a table "
            f"with a `git` key: '{{ git = \"{text}\" }}'"
        )
    if "://" in text:
        return (
            "it seems you're trying to add a url dependency, please specify as a table "
            f"with a `url` key: '{{ url = \"{text}\" }}'"
        )
    try:
        spec = NamelessMatchSpec(text, strict=False)
    except Exception:
        pass
    else:
        return (
            "expected a version specifier but looks like a matchspec, did you mean "
            f"{_matchspec_as_toml(spec)}?"
        )
    for key, example in (
        ("subdir", "SUBDIR"),
        ("channel", "CHANNEL"),
        ("md5", "MD5"),
        ("sha256", "SHA256"),
    ):
        if key in text or (key == "channel" and "::" in text):
            return (
                "it seems you're trying to add a detailed dependency, please specify as a "
                f"table with a `{key}` key: "
                f'\'{{ version = "<VERSION_SPEC>", {key} = "<{example}>" }}\''
            )
    return None


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _matchspec_as_toml(spec: NamelessMatchSpec) -> str:
    """``PixiSpec::from_nameless_matchspec(..).to_toml_value()``: a bare version stays a string,
    anything else is an inline table in ``DetailedSpec`` field order."""
    fields: list[tuple[str, str]] = []
    if spec.version is not None:
        fields.append(("version", _toml_str(str(spec.version))))
    for key, attr in (
        ("build", "build"),
        ("build-number", "build_number"),
        ("file-name", "file_name"),
    ):
        value = getattr(spec, attr, None)
        if value is not None:
            fields.append((key, _toml_str(str(value))))
    if spec.channel is not None:
        fields.append(("channel", _toml_str(spec.channel.name)))
    if spec.subdir is not None:
        fields.append(("subdir", _toml_str(spec.subdir)))
    for key in ("md5", "sha256"):
        value = getattr(spec, key, None)
        if value is not None:
            fields.append((key, _toml_str(value.hex() if isinstance(value, bytes) else str(value))))
    if [k for k, _ in fields] in ([], ["version"]):
        return fields[0][1] if fields else '"*"'
    return "{ " + ", ".join(f"{k} = {v}" for k, v in fields) + " }"


_AMBIGUOUS = re.compile(r"missing range specifier for '(?P<ver>.*)'\. Did you mean")


def check_version_spec(source: ManifestSource, path: KeyPath, text: str) -> None:
    """``parse_version_string``: strict, then lenient for an ambiguous bare version, which pixi
    accepts as ``==<ver>`` with a ``tracing::warn!`` printed on every parse of the string."""
    try:
        VersionSpec(text, strict=True)
        return
    except Exception as strict_error:
        message = str(strict_error)
        ambiguous = _AMBIGUOUS.search(message)
        if ambiguous:
            try:
                VersionSpec(text, strict=False)
            except Exception:
                pass
            else:
                ver = ambiguous.group("ver")
                source.log_warn(
                    path,
                    f"Encountered ambiguous version specifier `{ver}`, could be "
                    f"`{ver}.*` but assuming you meant `=={ver}`. In the future this "
                    "will result in an error.",
                )
                return
        raise source.error(path, _version_spec_hint(text) or message) from None


def check_package_name(source: ManifestSource, path: KeyPath, name: str) -> None:
    try:
        PackageName(name)
    except Exception as exc:
        raise source.error(path, str(exc)) from None


def conda_spec(source: ManifestSource, path: KeyPath, value: Any) -> Any:
    """Validate one conda dependency value; return it as written."""
    if isinstance(value, str):
        check_version_spec(source, path, value)
        return value
    if not isinstance(value, dict):
        raise source.error(path, f"expected a string or a table, found {_type(value)}")
    check_spec_keys(source, path, value)
    check_spec_combinations(source, path, value)
    return dict(value)


def check_spec_keys(source: ManifestSource, path: KeyPath, value: dict[str, Any]) -> None:
    """``impl Deserialize for TomlSpec``: each key's type, and no unknown key."""
    table = source.reader(path, value)
    for key in CONDA_SPEC_KEYS:
        item = table.optional(key)
        if item is None:
            continue
        key_path = (*path, key)
        if key == "version":
            check_version_spec(source, key_path, source.string(key_path, item))
        elif key in ("extras", "track-features", "flags"):
            source.strings(key_path, item)
        elif key != "when":  # conditional dependencies: validated by pixi-build (issue [2/5])
            check_location_value(source, key_path, key, item)
    table.finalize()


CONDA_ARCHIVES = (".conda", ".tar.bz2")


#: Fields a conda archive (a ``url``/``path`` to a ``.conda``/``.tar.bz2``) cannot have.
_ARCHIVE_EXCLUDED = (
    "version",
    "build",
    "build-number",
    "extras",
    "flags",
    "subdir",
    "license",
    "when",
    "track-features",
)
#: Without a location, a spec table needs one of these.
_MATCHSPEC_FIELDS = (*_ARCHIVE_EXCLUDED, "file-name", "channel", "md5", "sha256")


def check_spec_combinations(source: ManifestSource, path: KeyPath, value: dict[str, Any]) -> None:
    """``TomlSpec::validate_field_combinations`` then ``TomlSpec::into_spec`` (SpecError texts)."""
    git_refs = [k for k in ("branch", "rev", "tag") if k in value]
    if "git" not in value and (git_refs or "lfs" in value):
        raise source.error(
            path, "`branch`, `rev`, `tag`, and `lfs` are only valid when `git` is specified"
        )
    locations = [k for k in ("url", "path", "git") if k in value]
    if len(locations) > 1:
        raise source.error(path, "only one of `url`, `path`, or `git` can be specified")
    location = locations[0] if locations else None
    binary = location in ("url", "path") and str(value[location]).split("?")[0].endswith(
        CONDA_ARCHIVES
    )
    if location:
        _check_location_fields(source, path, value, location, binary)
    elif not any(k in value for k in _MATCHSPEC_FIELDS):
        raise source.error(
            path,
            "one of `version`, `build`, `build-number`, `file-name`, `channel`, "
            "`subdir`, `md5`, `sha256`, `git`, `url`, or `path` must be specified",
        )
    if len(git_refs) > 1:
        raise source.error(path, "only one of `branch`, `rev`, or `tag` can be specified")
    # ``TomlSpec::into_spec``: a git or (source archive) url location checks its subdirectory.
    if (location == "git" or (location == "url" and not binary)) and "subdirectory" in value:
        error = subdirectory_error(value["subdirectory"])
        if error:
            raise source.error(path, error)


def _check_location_fields(
    source: ManifestSource, path: KeyPath, value: dict[str, Any], location: str, binary: bool
) -> None:
    """The fields a spec with ``location`` cannot have, in pixi's order of checking."""
    excluded = ("channel", "file-name", "license-family")
    if binary:
        excluded += _ARCHIVE_EXCLUDED
    if location in ("git", "path"):
        excluded += ("sha256", "md5")
    for field in excluded:
        if field in value:
            raise source.error(path, f"`{field}` cannot be used with `{location}`")


def is_source_spec(spec: Any) -> bool:
    """``PixiSpec::is_source``: git, or a path/url that is not a conda archive
    (``crates/pixi_spec/src/lib.rs``; archives are told apart as in
    ``TomlSpec::validate_field_combinations``)."""
    if not isinstance(spec, dict):
        return False
    if "git" in spec:
        return True
    location = spec.get("path") or spec.get("url")
    if not isinstance(location, str):
        return False
    return not location.split("?")[0].split("#")[0].endswith(CONDA_ARCHIVES)


def conda_dependency_map(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    table = source.table(path, value)
    result: dict[str, Any] = {}
    for name, spec in table.items():
        check_package_name(source, (*path, name), name)
        result[name] = conda_spec(source, (*path, name), spec)
    return result


PEP440_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">", "===")


def _pep440_error(text: str) -> str | None:
    """The text of pep440_rs 0.7.3 ``VersionSpecifiersParseError`` for ``text``, or ``None``.

    ``parse_version_specifiers`` splits on ``,``; each part needs an operator and a version
    (``VersionSpecifier::from_str``).  Version-syntax errors use packaging's wording.
    """
    if text == "":
        return None
    start = 0
    for part in text.split(","):
        stripped = part.lstrip()
        operator = re.match(r"[=!~<>]*", stripped).group(0)
        version = re.match(r"\S*", stripped[len(operator) :].lstrip()).group(0)
        error = None
        if not operator:
            error = "Unexpected end of version specifier, expected operator"
        elif operator not in PEP440_OPERATORS:
            error = (
                f'no such comparison operator "{operator}", must be one of ~= == != <= >= < > ==='
            )
        elif not version:
            error = "Unexpected end of version specifier, expected version"
        else:
            try:
                SpecifierSet(part)
            except InvalidSpecifier as exc:
                error = str(exc)
        if error:
            return f"Failed to parse version: {error}:\n{text}\n{' ' * start}{'^' * len(part)}"
        start += len(part) + 1
    return None


def _check_pypi_version(source: ManifestSource, path: KeyPath, text: str) -> None:
    # ``VersionOrStar::from_str``: ``*`` is Star, anything else is pep440 VersionSpecifiers.
    if text == "*":
        return
    error = _pep440_error(text)
    if error is not None:
        # ``version_requirement_error`` (pixi_pypi_spec/src/toml.rs): path, git and url hints only.
        hint = _version_spec_hint(text)
        if hint and "detailed" not in hint and "matchspec" not in hint:
            raise source.error(path, hint) from None
        raise source.error(path, error) from None


def _pep508_name_error(name: str) -> str:
    """pep508_rs 0.9.2 ``InvalidNameError`` (package and extra names)."""
    return (
        f'Not a valid package or extra name: "{name}". Names must start and end with a letter '
        "or digit and may only contain -, _, ., and alphanumeric characters."
    )


MARKER_NAMES = frozenset(
    {
        "python_version",
        "python_full_version",
        "os_name",
        "sys_platform",
        "platform_release",
        "platform_system",
        "platform_version",
        "platform_machine",
        "platform_python_implementation",
        "implementation_name",
        "implementation_version",
        "extra",
        "os.name",
        "sys.platform",
        "platform.version",
        "platform.machine",
        "platform.python_implementation",
        "python_implementation",
    }
)


def _marker_error(text: str) -> str | None:
    """pep508_rs ``parse_marker_value``: an unquoted word that is not a marker name is
    ``Expected a quoted string or a valid marker name, found `<word>```; else packaging's text."""
    for word in re.findall(r"""'[^']*'|"[^"]*"|[^\s()'"<>=!~]+""", text):
        if word[0] not in "'\"" and word not in MARKER_NAMES | {"and", "or", "in", "not"}:
            return f"Expected a quoted string or a valid marker name, found `{word}`"
    try:
        Requirement(f"x; {text}")
    except InvalidRequirement as exc:
        return str(exc)
    return None


def _pypi_version_display(text: str) -> str:
    """A valid ``VersionOrStar`` as pixi holds it: ``*``, or pep440_rs ``VersionSpecifiers``
    sorted by version and displayed ``>=1, <2`` (verified: pixi 0.77 exports
    ``foo = "<2,>=1"`` as ``foo>=1, <2``)."""
    return text if text == "*" else pep440.display(pep440.parse_specifiers(text))


def pypi_spec(source: ManifestSource, path: KeyPath, value: Any) -> Any:
    """Validate one PyPI dependency value; return it with its version specifiers as pixi
    holds them (:func:`_pypi_version_display`), everything else as written."""
    if isinstance(value, str):
        _check_pypi_version(source, path, value)
        return _pypi_version_display(value)
    if not isinstance(value, dict):
        # pixi_pypi_spec/src/toml.rs: anything but a string goes to TableHelper::new
        raise source.error(path, f"expected a table, found {_type(value)}")
    table = source.reader(path, value)
    for key in PYPI_SPEC_KEYS:
        item = table.optional(key)
        if item is not None:
            _check_pypi_value(source, (*path, key), key, item)
    table.finalize()
    _check_pypi_combinations(source, path, value)
    spec = dict(value)
    if isinstance(spec.get("version"), str):
        spec["version"] = _pypi_version_display(spec["version"])
    return spec


def _check_pypi_value(source: ManifestSource, path: KeyPath, key: str, item: Any) -> None:
    """The type (and syntax) of one ``RawPyPiRequirement`` key."""
    if key == "version":
        _check_pypi_version(source, path, source.string(path, item))
    elif key == "extras":
        for i, extra in enumerate(source.strings(path, item)):
            try:
                canonicalize_name(extra, validate=True)
            except InvalidName:
                raise source.error((*path, str(i)), _pep508_name_error(extra)) from None
    elif key in ("editable", "lfs"):
        source.boolean(path, item)
    elif key == "env-markers":
        error = _marker_error(source.from_str(path, item))
        if error:
            raise source.error(path, error) from None
    else:
        source.string(path, item)


def _check_pypi_combinations(source: ManifestSource, path: KeyPath, value: dict[str, Any]) -> None:
    """``RawPyPiRequirement::into_pypi_requirement``: git references, one location, no
    ``version``/``index`` next to a location."""
    if "git" not in value and any(k in value for k in ("branch", "rev", "tag", "lfs")):
        raise source.error(
            path, "`branch`, `rev`, `tag`, and `lfs` are only valid when `git` is specified"
        )
    if sum(k in value for k in ("branch", "rev", "tag")) > 1:
        raise source.error(path, "Only one of `branch` or `tag` or `rev` can be specified")
    locations = [f"`{k}`" for k in ("git", "path", "url") if k in value]
    if locations and "version" in value:
        raise source.error(path, f"`version` cannot be used with {', '.join(locations)}")
    if len(locations) > 1 or (locations and "index" in value):
        raise source.error(
            path, "Exactly one of `url`, `path`, `git`, or `version` must be specified"
        )


def pypi_dependency_map(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    table = source.table(path, value)
    result: dict[str, Any] = {}
    for name, spec in table.items():
        try:
            canonicalize_name(name, validate=True)
        except InvalidName:
            raise source.error((*path, name), _pep508_name_error(name)) from None
        result[name] = pypi_spec(source, (*path, name), spec)
    return result


def _type(value: Any) -> str:
    from pixiconf.manifest.source import toml_type_name

    return toml_type_name(value)
