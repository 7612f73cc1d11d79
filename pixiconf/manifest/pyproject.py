"""``pyproject.toml`` with ``[tool.pixi]``: the extras pixi derives from ``[project]``.

Source: ``crates/pixi_manifest/src/pyproject.rs`` (``PyProjectManifest::into_workspace_manifest``,
``get_package_defaults``, ``version_or_url_to_spec``):

* name, version, description and authors default from ``[project]`` (then ``[tool.poetry]``);
* ``python`` is added to the default feature's run dependencies from ``requires-python``
  (a leading ``==`` is dropped; absent means ``*``) unless ``python`` is already there;
* each ``optional-dependencies`` and ``dependency-groups`` group becomes a feature of the same
  name unless ``[tool.pixi.feature.<name>]`` defines it; self-references (``pkg[extra]``) and
  ``include-group`` are resolved;
* ``[project.dependencies]`` are appended to the default feature's pypi-dependencies, keeping
  a spec already listed there for the same package.
"""

from __future__ import annotations

from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from rattler import VersionSpec

from pixiconf.diagnostics import Diagnostic, DiagnosticError
from pixiconf.manifest import pep440
from pixiconf.manifest.model import DEFAULT, Feature
from pixiconf.manifest.pep508 import written_parts
from pixiconf.manifest.source import ManifestSource


def _requirement_spec(req: Requirement) -> Any:
    """The pixi pypi spec of a PEP 508 requirement, as the observation writes it.

    ``PixiPypiSpec::try_from(pep508_rs::Requirement)`` (``crates/pixi_pypi_spec/src/pep508.rs``)
    rendered like its ``Display`` (test ``test_pypi_to_string``): specifiers sorted by version
    as pep440_rs sorts them (:mod:`pixiconf.manifest.pep440`) joined by ``, ``, extras
    normalized in written order, markers with single quotes.  uv's marker normalisation beyond
    quoting (e.g. ``python_full_version``) is not modelled.
    """
    written = written_parts(getattr(req, "text", None) or str(req))
    spec: dict[str, Any] = {}
    if req.url:
        spec["url"] = req.url
    else:
        spec["version"] = pep440.display(pep440.parse_specifiers(written.specifiers)) or "*"
    if written.extras:
        spec["extras"] = list(dict.fromkeys(canonicalize_name(e) for e in written.extras))
    if req.marker is not None:
        spec["env-markers"] = str(req.marker).replace('"', "'")
    if list(spec) == ["version"]:
        return spec["version"]
    return spec


class PyprojectError(ValueError):
    def __init__(self, path: tuple[str, ...], message: str):
        super().__init__(message)
        self.path = path


class _WrittenRequirement(Requirement):
    """A requirement that remembers its text (``Requirement`` keeps extras and specifiers in
    sets, and pep440_rs needs the written order of equal versions)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def _parse_requirement(path: tuple[str, ...], text: Any) -> Requirement:
    if not isinstance(text, str):
        raise PyprojectError(path, f"expected a string, found {type(text).__name__}")
    try:
        req = _WrittenRequirement(text)
        if not req.url:
            pep440.parse_specifiers(written_parts(text).specifiers)
    except (InvalidRequirement, InvalidSpecifier) as exc:
        raise PyprojectError(path, f"invalid requirement `{text}`: {exc}") from None
    return req


PROJECT_KEYS = (
    "name",
    "version",
    "description",
    "readme",
    "requires-python",
    "license",
    "license-files",
    "authors",
    "maintainers",
    "keywords",
    "classifiers",
    "urls",
    "entry-points",
    "scripts",
    "gui-scripts",
    "dependencies",
    "optional-dependencies",
    "dynamic",
    "import-names",
    "import-namespaces",
)


def check_project_table(project: Any) -> None:
    """``impl Deserialize for TomlProject`` (``crates/pixi_manifest/src/toml/pyproject.rs``):
    ``name`` is required and unknown ``[project]`` keys are rejected."""
    if not isinstance(project, dict):
        raise PyprojectError(("project",), f"expected a table, found {_toml_type(project)}")
    if "name" not in project:
        raise PyprojectError(("project",), "missing field 'name' in table")
    unknown = [k for k in project if k not in PROJECT_KEYS]
    if unknown:
        raise PyprojectError(
            ("project", unknown[0]),
            "Unexpected keys, expected only " + ", ".join(f"'{k}'" for k in PROJECT_KEYS),
        )
    # `version` and `requires-python` are `TomlFromStr` of pep440_rs 0.7.3 types.
    for key in ("version", "requires-python"):
        value = project.get(key)
        if value is not None and not isinstance(value, str):
            raise PyprojectError(
                ("project", key), f"expected expected a string, found {_toml_type(value)}"
            )
    version = project.get("version")
    if version is not None:
        try:
            Version(version)
        except InvalidVersion:
            if not version.strip().lstrip("vV")[:1].isdigit():
                raise PyprojectError(
                    ("project", "version"),
                    "expected version to start with a number, "
                    "but no leading ASCII digits were found",
                ) from None
            raise PyprojectError(("project", "version"), f"invalid version `{version}`") from None
    requires_python = project.get("requires-python")
    if requires_python:
        # parse_version_specifiers: every comma-separated part, an empty one too, needs an
        # operator (only the whole empty string is the empty list).
        for part in requires_python.split(","):
            if part.strip()[:1] not in ("=", "!", "~", "<", ">"):
                raise PyprojectError(
                    ("project", "requires-python"),
                    "Failed to parse version: Unexpected "
                    "end of version specifier, expected operator",
                )


def _toml_type(value: Any) -> str:
    from pixiconf.manifest.source import toml_type_name

    return toml_type_name(value)


def _written_extras(req: Requirement) -> list[str]:
    """The extras of ``req`` normalized, in written order (pep508_rs keeps a Vec)."""
    written = written_parts(getattr(req, "text", None) or str(req))
    return list(dict.fromkeys(canonicalize_name(e) for e in written.extras))


def resolve_groups(
    project: dict[str, Any], groups_raw: dict[str, Any]
) -> dict[str, list[Requirement]]:
    """optional-dependencies + dependency-groups with self-references resolved.

    Mirrors ``pyproject-toml`` 0.13.7 ``resolution.rs`` (used by ``PyProjectManifest``):
    a requirement is a self-reference when its normalized name equals ``[project].name``
    *as written*; each of its extras is resolved in written order (an extra-less
    self-reference contributes nothing); extras are looked up by normalized name, groups
    by exact name; errors are ``Failed to find ...`` and ``Cycles are not supported: ...``.
    """
    optional = project.get("optional-dependencies") or {}
    if not isinstance(optional, dict):
        raise PyprojectError(("project", "optional-dependencies"), "expected a table")
    groups = _GroupResolver(project.get("name"), optional, groups_raw)
    resolved: dict[str, list[Requirement]] = {}
    for group in optional:
        resolved[group] = groups.extra(group, [])
    # ``done_extras`` may also hold normalized spellings reached through self-references.
    for name, reqs in groups.done_extras.items():
        resolved.setdefault(name, reqs)
    for group in groups_raw:
        resolved[group] = groups.dependency_group(group, [])
    return resolved


class _GroupResolver:
    """The memoised, cycle-checked resolution of one extra or dependency group; ``parents``
    is the chain being resolved (``extra:<name>``/``group:<name>``)."""

    def __init__(self, self_name: str | None, optional: dict[str, Any], groups_raw: dict[str, Any]):
        self.self_name = self_name
        self.optional = optional
        self.groups_raw = groups_raw
        self.done_extras: dict[str, list[Requirement]] = {}
        self.done_groups: dict[str, list[Requirement]] = {}

    def _add(self, req: Requirement, parents: list[str], result: list[Requirement]) -> None:
        """A requirement, or for a self-reference the extras it names."""
        if self.self_name is not None and canonicalize_name(req.name) == self.self_name:
            for sub in _written_extras(req):
                result.extend(self.extra(sub, parents))
        else:
            result.append(req)

    def extra(self, name: str, parents: list[str]) -> list[Requirement]:
        if name in self.done_extras:
            return self.done_extras[name]
        key = next(
            (k for k in self.optional if canonicalize_name(k) == canonicalize_name(name)), None
        )
        if key is None:
            raise PyprojectError(
                ("project", "optional-dependencies"),
                f"Failed to find optional dependency `{name}` included by {parents[-1]}",
            )
        if f"extra:{name}" in parents:
            raise PyprojectError(("project", "optional-dependencies", key), _cycle(parents))
        parents.append(f"extra:{name}")
        result: list[Requirement] = []
        for i, text in enumerate(self.optional[key] or []):
            req = _parse_requirement(("project", "optional-dependencies", key, str(i)), text)
            self._add(req, parents, result)
        self.done_extras[name] = result
        parents.pop()
        return result

    def dependency_group(self, group: str, parents: list[str]) -> list[Requirement]:
        if group in self.done_groups:
            return self.done_groups[group]
        if group not in self.groups_raw:
            raise PyprojectError(
                ("dependency-groups",),
                f"Failed to find dependency group `{group}` included by {parents[-1]}",
            )
        if f"group:{group}" in parents:
            raise PyprojectError(("dependency-groups", group), _cycle(parents))
        parents.append(f"group:{group}")
        result: list[Requirement] = []
        for i, item in enumerate(self.groups_raw[group] or []):
            path = ("dependency-groups", group, str(i))
            if isinstance(item, dict):
                result.extend(self.dependency_group(_include_group(path, item), parents))
                continue
            if not isinstance(item, str):
                raise PyprojectError(path, f"expected a string or table, found {_toml_type(item)}")
            self._add(_parse_requirement(path, item), parents, result)
        self.done_groups[group] = result
        parents.pop()
        return result


def _include_group(path: tuple[str, ...], item: dict[str, Any]) -> str:
    """A ``{ include-group = "<name>" }`` entry (PEP 735): that key alone."""
    if "include-group" not in item:
        raise PyprojectError(path, "missing field 'include-group' in table")
    if len(item) > 1:
        raise PyprojectError(path, "Unexpected keys, expected only 'include-group'")
    return item["include-group"]


def _cycle(parents: list[str]) -> str:
    return "Cycles are not supported: " + " -> ".join([*parents, parents[0]])


def project_defaults(data: dict[str, Any]) -> dict[str, Any]:
    project = data.get("project") or {}
    poetry = (data.get("tool") or {}).get("poetry") or {}
    authors = project.get("authors")
    if isinstance(authors, list):
        authors = [
            f"{a['name']} <{a['email']}>"
            if "name" in a and "email" in a
            else a.get("name") or a.get("email")
            for a in authors
            if isinstance(a, dict)
        ]
    return {
        "name": project.get("name"),
        "version": project.get("version") or poetry.get("version"),
        "description": project.get("description") or poetry.get("description"),
        "authors": authors if authors is not None else poetry.get("authors"),
    }


def python_spec(requires_python: str | None) -> str:
    """``version_or_url_to_spec``: the pep440_rs display of ``requires-python`` (sorted by
    version, :mod:`pixiconf.manifest.pep440`), minus a leading ``==``, parsed leniently as a
    conda VersionSpec (so ``==3.12`` becomes the exact spec ``==3.12``).  The ``==`` is only
    stripped when it leads *after* sorting: ``<4,==3.12`` gives ``==3.12,<4``."""
    if requires_python is None:
        return "*"
    text = pep440.display(pep440.parse_specifiers(requires_python))
    text = text.removeprefix("==")
    return str(VersionSpec(text, strict=False))


def apply_pyproject(
    source: ManifestSource,
    data: dict[str, Any],
    features: dict[str, Feature],
    groups: dict[str, list[Requirement]],
) -> None:
    """Add python, [project.dependencies] and the group features to parsed pixi tables."""
    project = data.get("project") or {}
    target = features[DEFAULT].default_target
    run = target.dependencies if target.dependencies is not None else {}
    if "python" not in run:
        try:
            run["python"] = python_spec(project.get("requires-python"))
        except (InvalidSpecifier, Exception) as exc:
            raise DiagnosticError(
                Diagnostic(
                    f"invalid requires-python `{project.get('requires-python')}`: {exc}",
                    file=source.name,
                    key="project.requires-python",
                )
            ) from None
        target.dependencies = run
    all_groups = dict(groups)
    deps = project.get("dependencies")
    if deps:
        all_groups.setdefault(DEFAULT, [])
        all_groups[DEFAULT] = all_groups[DEFAULT] + [
            _parse_requirement(("project", "dependencies", str(i)), t) for i, t in enumerate(deps)
        ]
    for group, reqs in all_groups.items():
        feature_target = features[group].default_target
        pypi = (
            feature_target.pypi_dependencies if feature_target.pypi_dependencies is not None else {}
        )
        for req in reqs:
            # PypiPackageName::from_normalized: a new entry is keyed by the normalized name.
            key = next(
                (k for k in pypi if canonicalize_name(k) == canonicalize_name(req.name)),
                canonicalize_name(req.name),
            )
            pypi.setdefault(key, []).append(_requirement_spec(req))
        feature_target.pypi_dependencies = pypi
