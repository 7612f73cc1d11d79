"""Dependency specs: conda (checked with py-rattler) and PyPI (checked with packaging).

Conda: ``crates/pixi_spec/src/toml.rs`` (``parse_version_string``, ``version_spec_error``,
``TomlSpec`` keys).  A string is a version spec, parsed strictly and, for an ambiguous bare
version like ``1.2.3``, leniently (pixi accepts it as ``==1.2.3`` with a log warning).
PyPI: ``crates/pixi_pypi_spec/src/toml.rs`` (``RawPyPiRequirement``, ``into_pypi_requirement``).
The observation keeps every spec as written (string, or the table as a mapping).
"""

from __future__ import annotations

from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name
from rattler import NamelessMatchSpec, PackageName, VersionSpec

from .source import KeyPath, ManifestSource

CONDA_SPEC_KEYS = (
    "version", "url", "git", "path", "branch", "rev", "tag", "lfs", "subdirectory", "build",
    "build-number", "file-name", "extras", "flags", "channel", "subdir", "license",
    "license-family", "when", "track-features", "md5", "sha256",
)
PYPI_SPEC_KEYS = (
    "version", "extras", "path", "editable", "git", "branch", "tag", "rev", "lfs", "url",
    "subdirectory", "index", "env-markers",
)


def _version_spec_hint(text: str) -> str | None:
    """pixi's friendlier message for a string that is not a version spec."""
    if text.startswith(("/", ".", "\\", "~/")):
        return ("it seems you're trying to add a path dependency, please specify as a table "
                f"with a `path` key: '{{ path = \"{text}\" }}'")
    if "git" in text:
        return ("it seems you're trying to add a git dependency, please specify as a table "
                f"with a `git` key: '{{ git = \"{text}\" }}'")
    if "://" in text:
        return ("it seems you're trying to add a url dependency, please specify as a table "
                f"with a `url` key: '{{ url = \"{text}\" }}'")
    try:
        NamelessMatchSpec(text, strict=False)
    except Exception:  # noqa: BLE001 - not a matchspec either
        pass
    else:
        return f"expected a version specifier but looks like a matchspec, did you mean {text}?"
    for key in ("subdir", "channel", "md5", "sha256"):
        if key in text or (key == "channel" and "::" in text):
            return ("it seems you're trying to add a detailed dependency, please specify as a "
                    f"table with a `{key}` key")
    return None


def check_version_spec(source: ManifestSource, path: KeyPath, text: str) -> None:
    try:
        VersionSpec(text, strict=True)
        return
    except Exception as strict_error:  # noqa: BLE001 - py-rattler's InvalidVersionSpecError
        message = str(strict_error)
        if "missing range specifier" in message:
            try:
                VersionSpec(text, strict=False)
                return
            except Exception:  # noqa: BLE001
                pass
        raise source.error(path, _version_spec_hint(text) or message) from None


def check_package_name(source: ManifestSource, path: KeyPath, name: str) -> None:
    try:
        PackageName(name)
    except Exception as exc:  # noqa: BLE001 - py-rattler's InvalidPackageNameError
        raise source.error(path, str(exc)) from None


def conda_spec(source: ManifestSource, path: KeyPath, value: Any) -> Any:
    """Validate one conda dependency value; return it as written."""
    if isinstance(value, str):
        check_version_spec(source, path, value)
        return value
    if not isinstance(value, dict):
        raise source.error(path, f"expected a string or a table, found {_type(value)}")
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
        elif key == "lfs":
            source.boolean(key_path, item)
        elif key == "when":
            pass  # conditional dependencies: validated by pixi-build (issue [2/5])
        else:
            source.string(key_path, item)
    table.finalize()
    if "workspace" in value:
        pass
    git_refs = [k for k in ("branch", "rev", "tag") if k in value]
    if git_refs and "git" not in value:
        raise source.error(path, "`branch`, `rev`, and `tag` are only valid when `git` is specified")
    if len(git_refs) > 1:
        raise source.error(path, "Only one of `branch` or `tag` or `rev` can be specified")
    locations = [k for k in ("url", "path", "git") if k in value]
    if len(locations) > 1:
        raise source.error(path, "only one of `url`, `path` or `git` can be specified")
    return dict(value)


def conda_dependency_map(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    table = source.table(path, value)
    result: dict[str, Any] = {}
    for name, spec in table.items():
        check_package_name(source, (*path, name), name)
        result[name] = conda_spec(source, (*path, name), spec)
    return result


def _check_pypi_version(source: ManifestSource, path: KeyPath, text: str) -> None:
    text = text.strip()
    if text == "*":
        return
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        hint = _version_spec_hint(text)
        if hint and "detailed" not in hint and "matchspec" not in hint:
            raise source.error(path, hint) from None
        message = f"Failed to parse version specifier `{text}`"
        if text[:1].isdigit():
            message += f"; did you mean `=={text}`?"
        raise source.error(path, message) from None


def pypi_spec(source: ManifestSource, path: KeyPath, value: Any) -> Any:
    """Validate one PyPI dependency value; return it as written."""
    if isinstance(value, str):
        _check_pypi_version(source, path, value)
        return value
    if not isinstance(value, dict):
        raise source.error(path, f"expected a string or a table, found {_type(value)}")
    table = source.reader(path, value)
    for key in PYPI_SPEC_KEYS:
        item = table.optional(key)
        if item is None:
            continue
        key_path = (*path, key)
        if key == "version":
            _check_pypi_version(source, key_path, source.string(key_path, item))
        elif key == "extras":
            for i, extra in enumerate(source.strings(key_path, item)):
                try:
                    canonicalize_name(extra, validate=True)
                except InvalidName:
                    raise source.error((*key_path, str(i)), f"invalid extra name `{extra}`") from None
        elif key in ("editable", "lfs"):
            source.boolean(key_path, item)
        elif key == "env-markers":
            try:
                Requirement(f"x; {source.string(key_path, item)}")
            except InvalidRequirement as exc:
                raise source.error(key_path, f"invalid environment marker: {exc}") from None
        else:
            source.string(key_path, item)
    table.finalize()
    if "git" not in value and any(k in value for k in ("branch", "rev", "tag", "lfs")):
        raise source.error(path, "`branch`, `rev`, `tag`, and `lfs` are only valid when `git` is specified")
    if sum(k in value for k in ("branch", "rev", "tag")) > 1:
        raise source.error(path, "Only one of `branch` or `tag` or `rev` can be specified")
    locations = [f"`{k}`" for k in ("git", "path", "url") if k in value]
    if locations and "version" in value:
        raise source.error(path, f"`version` cannot be used with {', '.join(locations)}")
    if len(locations) > 1 or (locations and "index" in value):
        raise source.error(path, "Exactly one of `url`, `path`, `git`, or `version` must be specified")
    return dict(value)


def pypi_dependency_map(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    table = source.table(path, value)
    result: dict[str, Any] = {}
    for name, spec in table.items():
        try:
            canonicalize_name(name, validate=True)
        except InvalidName:
            raise source.error((*path, name), f"invalid PyPI package name `{name}`") from None
        result[name] = pypi_spec(source, (*path, name), spec)
    return result


def _type(value: Any) -> str:
    from .source import toml_type_name

    return toml_type_name(value)
