"""``[pypi-options]``: parsing, ``union`` across features and ``overlay`` on the workspace.

Source: ``crates/pixi_manifest/src/toml/pypi_options.rs`` (keys, find-links rules) and
``crates/pixi_manifest/src/pypi/pypi_options.rs`` (``PypiOptions::union``/``overlay``).
Values are kept with the manifest's key names.  URLs are normalised the way the ``url`` crate
prints them (an empty path becomes ``/``), which is how pixi compares and reports them.
``no-build``/``no-binary``/``no-build-isolation`` are ``True`` (all) or a list of names.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from packaging.utils import InvalidName, canonicalize_name

from pixiconf.manifest.source import KeyPath, ManifestSource, toml_type_name

KEYS = (
    "index-url",
    "extra-index-urls",
    "find-links",
    "no-build-isolation",
    "index-strategy",
    "prerelease-mode",
    "no-build",
    "dependency-overrides",
    "no-binary",
    "skip-wheel-filename-check",
)
INDEX_STRATEGIES = ("first-index", "unsafe-first-match", "unsafe-best-match")
PRERELEASE_MODES = ("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit")
#: ``PypiOptions::union``: what a single-valued option is called when two features disagree.
_SINGLE_VALUED_NAMES = {
    "index-url": "primary pypi indexes",
    "index-strategy": "index strategies",
    "prerelease-mode": "prerelease modes",
    "skip-wheel-filename-check": "skip-wheel-filename-check values",
}
SINGLE_VALUED = {
    key: f"multiple {what} are not supported, found both {{a}} and {{b}} across multiple pypi "
    "options"
    for key, what in _SINGLE_VALUED_NAMES.items()
}
LISTS = ("extra-index-urls", "find-links")
PACKAGE_SETS = ("no-build-isolation", "no-build", "no-binary")


class PypiOptionsConflict(ValueError):
    pass


def normalize_url(text: str) -> str:
    parts = urlsplit(text)
    if not parts.scheme or not parts.netloc:
        return text
    path = parts.path or "/"
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, parts.query, parts.fragment)
    )


def _url(source: ManifestSource, path: KeyPath, value: Any, *, from_str: bool = True) -> str:
    # index-url/extra-index-urls are `TomlFromStr<Url>`; find-links `url` uses take_string(None).
    from pixiconf.manifest.url import url_error

    text = source.from_str(path, value) if from_str else source.string(path, value)
    error = url_error(text)
    if error is not None:
        raise source.error(path, error)
    return normalize_url(text)


def _package_set(source: ManifestSource, path: KeyPath, value: Any) -> bool | list[str]:
    if isinstance(value, bool):
        return value
    if not isinstance(value, list):
        if path[-1] == "no-build-isolation":  # toml/pypi_options.rs NoBuildIsolation
            raise source.error(
                path,
                'expected a boolean or an array of packages e.g. ["foo", "bar"], '
                f"found {toml_type_name(value)}",
            )
        raise source.error(
            path,
            'expected either "all", "none" or an array of packages e.g. '
            f'["foo", "bar"] , found {toml_type_name(value)}',
        )
    names: list[str] = []
    for i, item in enumerate(value):
        name = source.string((*path, str(i)), item)
        try:
            # pep508_rs::PackageName::from_str normalizes; the IndexSet then de-duplicates.
            name = canonicalize_name(name, validate=True)
        except InvalidName:
            raise source.error(
                (*path, str(i)),
                f'Not a valid package or extra name: "{name}". '
                "Names must start and end with a letter or digit and may only "
                "contain -, _, ., and alphanumeric characters.",
            ) from None
        if name not in names:
            names.append(name)
    return names


def _find_link(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, str]:
    table = source.table(path, value)
    has_path, has_url = "path" in table, "url" in table
    if has_path and has_url:
        raise source.error(path, "cannot define both 'url' and 'path'")
    if not has_path and not has_url:
        raise source.error(path, "either 'url' or 'path' must be defined")
    # pixi removes `path`/`url` from the table and ignores any other key (no finalize).
    if has_url:
        return {"url": _url(source, (*path, "url"), table["url"], from_str=False)}
    return {"path": source.string((*path, "path"), table["path"])}


def parse_pypi_options(source: ManifestSource, path: KeyPath, value: Any) -> dict[str, Any]:
    table = source.reader(path, value)
    options: dict[str, Any] = {}
    index_url = table.optional("index-url")
    if index_url is not None:
        options["index-url"] = _url(source, (*path, "index-url"), index_url)
    # ``TomlWith<_, Vec<TomlFromStr<Url>>>``: pixi_toml's ``Vec`` says ``expected array``.
    extra = table.optional("extra-index-urls", lambda p, v: source.expect(p, v, list, "array"))
    if extra is not None:
        options["extra-index-urls"] = [
            _url(source, (*path, "extra-index-urls", str(i)), u) for i, u in enumerate(extra)
        ]
    links = table.optional("find-links", source.array)
    if links is not None:
        options["find-links"] = [
            _find_link(source, (*path, "find-links", str(i)), item) for i, item in enumerate(links)
        ]
    for key in KEYS[3:]:
        item = table.optional(key)
        if item is None:
            continue
        key_path = (*path, key)
        if key in PACKAGE_SETS:
            parsed = _package_set(source, key_path, item)
            if parsed is not False and parsed != []:
                options[key] = parsed
        elif key == "index-strategy":
            options[key] = source.enum(key_path, item, INDEX_STRATEGIES)
        elif key == "prerelease-mode":
            options[key] = source.enum(key_path, item, PRERELEASE_MODES)
        elif key == "dependency-overrides":
            from pixiconf.manifest.specs import pypi_dependency_map

            options[key] = pypi_dependency_map(source, key_path, item)
        elif key == "skip-wheel-filename-check":
            options[key] = source.boolean(key_path, item)
    table.finalize()
    return options


def _dedup_concat(a: list[Any] | None, b: list[Any] | None) -> list[Any] | None:
    if a is None and b is None:
        return None
    result: list[Any] = []
    for item in (a or []) + (b or []):
        if item not in result:
            result.append(item)
    return result


def _union_set(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    if a is None:
        return b
    if b is None:
        return a
    return a + [x for x in b if x not in a]


def _combine(a: dict[str, Any], b: dict[str, Any], *, conflicts: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in KEYS:
        x, y = a.get(key), b.get(key)
        if key in SINGLE_VALUED:
            if conflicts and x is not None and y is not None and x != y:
                fmt = (lambda v: str(v).lower()) if isinstance(x, bool) else str
                raise PypiOptionsConflict(SINGLE_VALUED[key].format(a=fmt(x), b=fmt(y)))
            value = (x if x is not None else y) if conflicts else (y if y is not None else x)
        elif key in LISTS:
            value = _dedup_concat(x, y)
        elif key in PACKAGE_SETS:
            value = _union_set(x, y)
        else:  # dependency-overrides: the left side wins per key
            left, right = (x, y) if conflicts else (y, x)
            value = None if x is None and y is None else {**(right or {}), **(left or {})}
        if value is not None:
            result[key] = value
    return result


def union(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Combine two features' options; differing single values raise :class:`PypiOptionsConflict`."""
    return _combine(a, b, conflicts=True)


def overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Apply ``top`` (features) over ``base`` (workspace): ``top`` wins, never an error."""
    return _combine(base, top, conflicts=False)
