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
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from rattler import VersionSpec

from ..diagnostics import Diagnostic, DiagnosticError
from .model import DEFAULT, Feature
from .source import ManifestSource


def _requirement_spec(req: Requirement) -> Any:
    """The pixi pypi spec of a PEP 508 requirement, as the observation writes it."""
    spec: dict[str, Any] = {}
    if req.url:
        spec["url"] = req.url
    else:
        spec["version"] = str(req.specifier) or "*"
    if req.extras:
        spec["extras"] = sorted(req.extras)
    if req.marker is not None:
        spec["env-markers"] = str(req.marker)
    if list(spec) == ["version"]:
        return spec["version"]
    return spec


class PyprojectError(ValueError):
    def __init__(self, path: tuple[str, ...], message: str):
        super().__init__(message)
        self.path = path


def _parse_requirement(path: tuple[str, ...], text: Any) -> Requirement:
    if not isinstance(text, str):
        raise PyprojectError(path, f"expected a string, found {type(text).__name__}")
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise PyprojectError(path, f"invalid requirement `{text}`: {exc}") from None


def resolve_groups(project: dict[str, Any], groups_raw: dict[str, Any]) -> dict[str, list[Requirement]]:
    """optional-dependencies + dependency-groups with self-references resolved."""
    name = canonicalize_name(project.get("name", "")) if project.get("name") else None
    optional = project.get("optional-dependencies") or {}
    if not isinstance(optional, dict):
        raise PyprojectError(("project", "optional-dependencies"), "expected a table")
    resolved: dict[str, list[Requirement]] = {}

    def extra(group: str, stack: tuple[str, ...]) -> list[Requirement]:
        if group in stack:
            raise PyprojectError(("project", "optional-dependencies", group),
                                 f"cyclic self-reference in optional dependency group `{group}`")
        result: list[Requirement] = []
        for i, text in enumerate(optional.get(group) or []):
            req = _parse_requirement(("project", "optional-dependencies", group, str(i)), text)
            if name and canonicalize_name(req.name) == name and req.extras:
                for sub in sorted(req.extras):
                    result.extend(extra(sub, (*stack, group)))
            else:
                result.append(req)
        return result

    def dependency_group(group: str, stack: tuple[str, ...]) -> list[Requirement]:
        if group in stack:
            raise PyprojectError(("dependency-groups", group), f"cyclic include-group `{group}`")
        if group not in groups_raw:
            raise PyprojectError(("dependency-groups",), f"dependency group `{group}` is not defined")
        result: list[Requirement] = []
        for i, item in enumerate(groups_raw[group] or []):
            if isinstance(item, dict) and "include-group" in item:
                result.extend(dependency_group(item["include-group"], (*stack, group)))
                continue
            req = _parse_requirement(("dependency-groups", group, str(i)), item)
            if name and canonicalize_name(req.name) == name and req.extras:
                for sub in sorted(req.extras):
                    result.extend(extra(sub, ()))
            else:
                result.append(req)
        return result

    for group in optional:
        resolved[group] = extra(group, ())
    for group in groups_raw:
        resolved[group] = dependency_group(group, ())
    return resolved


def project_defaults(data: dict[str, Any]) -> dict[str, Any]:
    project = data.get("project") or {}
    poetry = (data.get("tool") or {}).get("poetry") or {}
    authors = project.get("authors")
    if isinstance(authors, list):
        authors = [
            f"{a['name']} <{a['email']}>" if "name" in a and "email" in a else a.get("name") or a.get("email")
            for a in authors if isinstance(a, dict)
        ]
    return {
        "name": project.get("name"),
        "version": project.get("version") or poetry.get("version"),
        "description": project.get("description") or poetry.get("description"),
        "authors": authors if authors is not None else poetry.get("authors"),
    }


def python_spec(requires_python: str | None) -> str:
    if requires_python is None:
        return "*"
    text = str(SpecifierSet(requires_python))
    text = text.removeprefix("==")
    return str(VersionSpec(text, strict=False))


def apply_pyproject(source: ManifestSource, data: dict[str, Any], features: dict[str, Feature],
                    groups: dict[str, list[Requirement]]) -> None:
    """Add python, [project.dependencies] and the group features to parsed pixi tables."""
    project = data.get("project") or {}
    target = features[DEFAULT].default_target
    run = target.dependencies if target.dependencies is not None else {}
    if "python" not in run:
        try:
            run["python"] = python_spec(project.get("requires-python"))
        except (InvalidSpecifier, Exception) as exc:  # noqa: BLE001 - packaging/rattler errors
            raise DiagnosticError(Diagnostic(
                f"invalid requires-python `{project.get('requires-python')}`: {exc}",
                file=source.name, key="project.requires-python")) from None
        target.dependencies = run
    all_groups = dict(groups)
    deps = project.get("dependencies")
    if deps:
        all_groups.setdefault(DEFAULT, [])
        all_groups[DEFAULT] = all_groups[DEFAULT] + [
            _parse_requirement(("project", "dependencies", str(i)), t) for i, t in enumerate(deps)]
    for group, reqs in all_groups.items():
        feature_target = features[group].default_target
        pypi = feature_target.pypi_dependencies if feature_target.pypi_dependencies is not None else {}
        for req in reqs:
            key = next((k for k in pypi if canonicalize_name(k) == canonicalize_name(req.name)), req.name)
            pypi.setdefault(key, []).append(_requirement_spec(req))
        feature_target.pypi_dependencies = pypi
