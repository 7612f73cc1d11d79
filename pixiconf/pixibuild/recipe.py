"""The rattler-build recipe pixi-build-python generates for a package.

pixi ``crates/pixi_build_python/src/main.rs`` (``PythonGenerator::generate_recipe``),
``metadata.rs`` (``PyprojectMetadataProvider``), ``crates/pixi_build_backend/src/
generated_recipe.rs`` (``GeneratedRecipe::from_model``), ``specs_conversion.rs``
(``from_targets_v1_to_conditional_requirements``) and ``compilers.rs``.  The result is the
serialised stage0 ``SingleOutputRecipe`` (rattler-build recipe key names, rattler_build_recipe
0.1.12 field order and ``skip_serializing_if`` rules) as plain data.

Order of the generated requirements:

* **build**: manifest build deps (unconditional, then each condition) → ``${{ compiler('x') }}``
  per compiler → one ``${{ stdlib('c') }}`` when ``c_stdlib`` is a variant key;
* **host**: manifest host deps → ``uv``/``pip`` → ``python[ <requires-python>]`` →
  ``python-abi3 X.Y.*`` (abi3) → mapped ``build-system.requires``;
* **run**: manifest run deps → ``python[ <requires-python>]`` → mapped ``project.dependencies``.

A conditional dependency is wrapped **per item**: ``{if: <expression>, then: <spec>}`` (a single
``then`` value serialises as the item itself, ``NestedItemList``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pixiconf.diagnostics import Diagnostic, DiagnosticError, UnsupportedOperation, warning
from pixiconf.manifest import pep440, toml
from pixiconf.manifest.package import PackageManifest, PackageTarget, Pin, is_source_spec
from pixiconf.manifest.spdx import spdx_error
from pixiconf.pixibuild import script as build_script
from pixiconf.pixibuild.config import PYPI_CONDA_MAP_UNUSED, PythonBackendConfig

#: ``BUILD_TOOL_COMPILER_MAPPINGS`` (``pypi_mapping.rs``).
BUILD_TOOL_COMPILERS = {"maturin": ("rust",), "setuptools-rust": ("rust",)}
DEFAULT_ABI3_VERSION = "3.9"
ABI3_NOARCH_ERROR = (
    "abi3 = true is incompatible with noarch packages. The stable ABI is only "
    "meaningful for packages with compiled extensions."
)
UV_CACHE_DIR = "UV_CACHE_DIR"

#: ``extract_input_globs_from_build``.
BASE_INPUT_GLOBS = (
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "requirements*.txt",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "tox.ini",
)
COMPILER_INPUT_GLOBS = {
    "rust": ("**/*.rs", "**/Cargo.toml"),
    "cxx": ("**/*.{cc,cxx,cpp,hpp,hxx}",),
    "c": ("**/*.{c,h}",),
}
CYTHON_INPUT_GLOBS = ("**/*.{pyx,pxd,pxi}",)

#: rattler-build's ``Build`` defaults, serialised (everything after ``python``).
_BUILD_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("skip", []),
    ("always_copy_files", []),
    ("always_include_files", []),
    ("merge_build_and_host_envs", False),
    ("files", []),
    (
        "dynamic_linking",
        {
            "rpaths": [],
            "binary_relocation": True,
            "missing_dso_allowlist": [],
            "rpath_allowlist": [],
        },
    ),
    ("variant", {"use_keys": [], "ignore_keys": []}),
    (
        "prefix_detection",
        {
            "force_file_type": {"text": [], "binary": []},
            "ignore": False,
            "ignore_binary_files": False,
        },
    ),
    ("post_process", []),
)

#: mapping hook: ``(requirements, platform, *, noarch, user_map, table, channels, context)``
#: returning a ``MappingResult`` (or a ``(specs, warnings)`` pair).
Mapper = Callable[..., Any]


class MetadataError(Exception):
    """An error of the pyproject metadata provider (``MetadataError``)."""

    def __init__(self, message: str, help: str | None = None):
        super().__init__(message)
        self.help = help


# --------------------------------------------------------------------------- pyproject.toml


class PyprojectMetadata:
    """``PyprojectMetadataProvider``: reads ``pyproject.toml`` lazily, in Read or Ignore mode.

    ``text`` is the file's content, ``None`` when the file does not exist.  In Ignore mode
    every query answers ``None`` without reading the file.
    """

    def __init__(self, manifest_root: Path, text: str | None, *, read: bool):
        self.manifest_root = manifest_root
        self.text = text
        self.read = read
        self.warnings: list[str] = []
        self._document: dict[str, Any] | None = None

    @property
    def loaded(self) -> bool:
        return self._document is not None

    def document(self) -> dict[str, Any]:
        if self._document is None:
            if self.text is None:
                # The backend's ``MetadataError::MissingPyProjectToml`` also has a help line, but
                # pixi shows only the JSON-RPC error's message and causes (verified with pixi
                # 0.77 and pixi-build-python 0.8.6), so a user never sees it.
                raise MetadataError(
                    f"`pixi-build-python` requires a `pyproject.toml` at "
                    f"{self.manifest_root / 'pyproject.toml'}"
                )
            try:
                self._document = parse_pyproject(self.text)
            except ValueError as exc:
                raise MetadataError(f"failed to parse pyproject.toml, {exc}") from None
        return self._document

    def _project(self) -> dict[str, Any] | None:
        if not self.read:
            return None
        return self.document().get("project")

    def name(self) -> str | None:
        project = self._project()
        return project.get("name") if project else None

    def version(self) -> str | None:
        project = self._project()
        if not project or project.get("version") is None:
            return None
        from rattler import Version

        text = _pep440_version(project["version"])
        try:
            return str(Version(text))
        except Exception as exc:
            raise MetadataError(f"failed to parse version from pyproject.toml, {exc}") from None

    def description(self) -> str | None:
        project = self._project()
        return project.get("description") if project else None

    summary = description

    def _url(self, *keys: str) -> str | None:
        project = self._project()
        urls = (project or {}).get("urls") or {}
        for key in keys:
            if key in urls:
                return urls[key]
        return None

    def homepage(self) -> str | None:
        return self._url("Homepage")

    def documentation(self) -> str | None:
        return self._url("Documentation", "Docs")

    def repository(self) -> str | None:
        return self._url("Repository", "Source", "Source Code")

    def license(self) -> str | None:
        project = self._project()
        value = (project or {}).get("license")
        if isinstance(value, str):
            text, what = value, "License"
        elif isinstance(value, dict) and "text" in value:
            text, what = value["text"], "License text"
        else:
            return None
        error = spdx_error(text)
        if error is not None:
            self.warnings.append(
                f"{what} '{text}' is not a valid SPDX expression: {error}. Consider using a valid "
                "SPDX identifier (e.g., 'MIT', 'Apache-2.0'). See <https://spdx.org/licenses> for "
                "the list of valid licenses."
            )
            return None
        return text

    def license_files(self) -> list[str] | None:
        project = self._project()
        if not project:
            return None
        files: list[str] = []
        license_ = project.get("license")
        if isinstance(license_, dict) and "file" in license_:
            files.append(license_["file"])
        files.extend(project.get("license-files") or [])
        if not files:
            return None
        return [f if Path(f).is_absolute() else (self.manifest_root / f).as_posix() for f in files]

    def requires_python(self) -> str | None:
        project = self._project()
        text = (project or {}).get("requires-python")
        return pep440.display(pep440.parse_specifiers(text)) if isinstance(text, str) else None

    def project_dependencies(self) -> list[str] | None:
        project = self._project()
        return list(project["dependencies"]) if project and "dependencies" in project else None

    def build_system_requires(self) -> list[str] | None:
        if not self.read:
            return None
        build_system = self.document().get("build-system")
        return list(build_system["requires"]) if build_system is not None else None


def parse_pyproject(text: str) -> dict[str, Any]:
    """``toml::from_str::<pyproject_toml::PyProjectToml>`` (``PyprojectMetadataProvider::
    ensure_manifest``): the fields the backend reads are type-checked; ``ValueError`` carries
    serde's complaint."""
    try:
        data = toml.loads(text)
    except (toml.TOMLDecodeError, RecursionError) as exc:
        raise ValueError(f"TOML parse error: {exc}") from None
    project = data.get("project")
    if project is not None:
        _check_project(project)
    build_system = data.get("build-system")
    if build_system is not None:
        _check_build_system(build_system)
    return data


def _expect(value: Any, kind: type, what: str, where: str) -> Any:
    """serde's ``invalid type`` for a field of the wrong type."""
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ValueError(f"invalid type for `{where}`, expected {what}")
    return value


def _check_requirements(value: Any, where: str) -> None:
    """A list of PEP 508 requirements (``pep508_rs::Requirement``)."""
    from packaging.requirements import InvalidRequirement, Requirement

    for item in _expect(value, list, "a sequence", where):
        _expect(item, str, "a string", where)
        try:
            Requirement(item)
        except InvalidRequirement as exc:
            raise ValueError(f"invalid PEP 508 requirement in `{where}`: {exc}") from None


def _check_project(project: Any) -> None:
    """``pyproject_toml::Project``: name, description, version, requires-python,
    dependencies, then license and the string tables."""
    from packaging.specifiers import InvalidSpecifier
    from packaging.version import InvalidVersion, Version

    _expect(project, dict, "a table", "project")
    if "name" not in project:
        raise ValueError("missing field `name`")
    _expect(project["name"], str, "a string", "project.name")
    if "description" in project:
        _expect(project["description"], str, "a string", "project.description")
    if "version" in project:
        try:
            Version(_expect(project["version"], str, "a string", "project.version"))
        except InvalidVersion as exc:
            raise ValueError(f"invalid version in `project.version`: {exc}") from None
    if "requires-python" in project:
        text = _expect(project["requires-python"], str, "a string", "project.requires-python")
        try:
            pep440.parse_specifiers(text)
        except InvalidSpecifier as exc:
            raise ValueError(f"invalid `project.requires-python`: {exc}") from None
    if "dependencies" in project:
        _check_requirements(project["dependencies"], "project.dependencies")
    _check_license(project.get("license"))
    _check_string_tables(project)


def _check_license(license_: Any) -> None:
    """``pyproject_toml::License`` (untagged): a string, ``{text = ...}`` or ``{file = ...}``."""
    if license_ is None or isinstance(license_, str):
        return
    if (
        isinstance(license_, dict)
        and len(license_) == 1
        and isinstance(license_.get("text", license_.get("file")), str)
    ):
        return
    raise ValueError("data did not match any variant of untagged enum License")


def _check_string_tables(project: dict[str, Any]) -> None:
    """``license-files`` (strings) and ``urls``/``scripts``/``gui-scripts`` (string maps)."""
    if "license-files" in project:
        for item in _expect(project["license-files"], list, "a sequence", "project.license-files"):
            _expect(item, str, "a string", "project.license-files")
    for key in ("urls", "scripts", "gui-scripts"):
        if key in project:
            for item in _expect(project[key], dict, "a map", f"project.{key}").values():
                _expect(item, str, "a string", f"project.{key}")


def _check_build_system(build_system: Any) -> None:
    """``pyproject_toml::BuildSystem``: ``requires`` is required."""
    _expect(build_system, dict, "a table", "build-system")
    if "requires" not in build_system:
        raise ValueError("missing field `requires`")
    _check_requirements(build_system["requires"], "build-system.requires")


def _pep440_version(text: str) -> str:
    from packaging.version import Version

    return str(Version(text))


def python_abi3_spec(requires_python: str | None) -> str:
    """``python_abi3_spec_from_requires_python``: the first ``>=`` bound of the specifiers
    sorted by version (:mod:`pixiconf.manifest.pep440`), cut to two segments; without one, or
    when the specifiers do not parse, ``3.9``."""
    from packaging.specifiers import InvalidSpecifier

    version = DEFAULT_ABI3_VERSION
    if requires_python:
        try:
            specifiers = pep440.parse_specifiers(requires_python)
        except InvalidSpecifier:
            specifiers = ()
        lower = next((s for s in specifiers if s.operator == ">="), None)
        if lower is not None:
            version = str(lower.version)
    pieces = re.split(r"([._-])", version)
    segments = pieces[:3]  # two segments and the separator between them
    return "".join(segments).rstrip("._-") + ".*"


# --------------------------------------------------------------------------- specs


def render_spec(name: str, spec: Any) -> str:
    """A binary dependency as the recipe's match spec string (``MatchSpec`` display).

    ``"*"`` alone renders as the bare name: with no other constraint the backend drops an
    ``Any`` version so rattler-build sees a free (variant) spec.
    """
    from rattler import MatchSpec

    if isinstance(spec, Pin):
        raise UnsupportedOperation(
            f"`{spec.kind}` specs (dependency `{name}`) are not rendered by the reference yet"
        )
    if isinstance(spec, str):
        return str(MatchSpec(name if spec.strip() == "*" else f"{name}[version='{spec}']"))
    if not isinstance(spec, dict):
        raise UnsupportedOperation(f"unsupported spec for `{name}`: {spec!r}")
    if is_source_spec(spec) or "url" in spec or "path" in spec:
        raise UnsupportedOperation(
            f"source and url dependencies (`{name}`) are not rendered by the reference yet"
        )
    for key in ("channel", "when"):
        if key in spec:
            raise UnsupportedOperation(
                f"`{key}` in a dependency spec (`{name}`) is not rendered by the reference yet"
            )
    constrained = any(
        k in spec
        for k in ("build", "build-number", "file-name", "subdir", "md5", "sha256", "license")
    )
    version = spec.get("version")
    if constrained:
        version = version or "*"
    elif version is not None and str(version).strip() == "*":
        version = None
    fields: list[str] = []
    if version is not None:
        fields.append(f"version='{version}'")
    for key, attr in (
        ("build", "build"),
        ("build-number", "build_number"),
        ("file-name", "fn"),
        ("subdir", "subdir"),
        ("license", "license"),
        ("md5", "md5"),
        ("sha256", "sha256"),
    ):
        if key in spec:
            fields.append(f"{attr}='{spec[key]}'")
    for key in ("extras", "flags"):
        if key in spec:
            fields.append(f"{key}=[{', '.join(spec[key])}]")
    return str(MatchSpec(f"{name}[{', '.join(fields)}]" if fields else name))


def _spec_name(item: Any) -> str | None:
    if isinstance(item, str):
        return re.split(r"[\s\[=<>!~]", item, maxsplit=1)[0].lower()
    return None


def _contains_package(items: list[Any], name: str) -> bool:
    """``requirement_contains_package``: conditional branches count too."""
    for item in items:
        if isinstance(item, dict):
            branch = item.get("then")
            if _contains_package(branch if isinstance(branch, list) else [branch], name):
                return True
        elif _spec_name(item) == name:
            return True
    return False


class _Requirements:
    """``RequirementItems``: the recipe's requirement lists while they are built."""

    def __init__(self) -> None:
        self.build: list[Any] = []
        self.host: list[Any] = []
        self.run: list[Any] = []
        self.run_constraints: list[Any] = []
        self.extras: dict[str, list[Any]] = {}
        self.run_exports: dict[str, list[Any]] = {}
        self.ignore_run_exports_from_package: list[str] = []

    def add_target(self, target: PackageTarget, condition: str | None) -> None:
        def items(specs: dict[str, Any] | None) -> list[Any]:
            out = []
            for name, spec in (specs or {}).items():
                rendered = render_spec(name, spec)
                out.append(
                    {"if": condition, "then": rendered} if condition is not None else rendered
                )
            return out

        self.build += items(target.build)
        self.host += items(target.host)
        self.run += items(target.run)
        self.run_constraints += items(target.run_constraints)
        for group, specs in target.extras.items():
            self.extras.setdefault(group, []).extend(items(specs))
        for bucket, specs in target.run_exports.items():
            self.run_exports.setdefault(bucket.replace("-", "_"), []).extend(items(specs))

    def as_recipe(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("build", "host", "run", "run_constraints"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        extras = {k: v for k, v in sorted(self.extras.items()) if v}
        if extras:
            out["extras"] = extras
        run_exports = {
            k: self.run_exports[k]
            for k in ("noarch", "strong", "strong_constraints", "weak", "weak_constraints")
            if self.run_exports.get(k)
        }
        if run_exports:
            out["run_exports"] = run_exports
        if self.ignore_run_exports_from_package:
            out["ignore_run_exports"] = {"from_package": list(self.ignore_run_exports_from_package)}
        return out


# --------------------------------------------------------------------------- URLs


_SPECIAL_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}


def normalize_url(text: str) -> tuple[str | None, str | None]:
    """``Url::parse(..).to_string()`` for the common cases: ``(url, None)`` or ``(None, error)``.

    Scheme and host are lower-cased, a default port is dropped and an empty path of a special
    scheme becomes ``/`` (``https://example.com`` → ``https://example.com/``).
    """
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(text.strip())
    except ValueError as exc:
        return None, str(exc)
    if not parts.scheme:
        return None, "relative URL without a base"
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if scheme in _SPECIAL_PORTS or scheme == "file":
        if not parts.hostname and scheme != "file":
            return None, "empty host"
        userinfo = netloc.rpartition("@")[0]
        host = parts.hostname or ""
        port = parts.port if parts.port != _SPECIAL_PORTS.get(scheme) else None
        netloc = (f"{userinfo}@" if userinfo else "") + host + (f":{port}" if port else "")
        path = parts.path or "/"
    else:
        path = parts.path
    return urlunsplit((scheme, netloc, path, parts.query, parts.fragment)), None


# --------------------------------------------------------------------------- the recipe


def build_input_globs(config: PythonBackendConfig, *, editable: bool) -> list[str]:
    """``extract_input_globs_from_build``: configured compilers only (not auto-detected
    ones); ``**/*.py`` only for non-editable builds; ``extra-input-globs`` last."""
    globs = list(BASE_INPUT_GLOBS)
    if not editable:
        globs.append("**/*.py")
    for compiler in config.compilers or []:
        globs.extend(COMPILER_INPUT_GLOBS.get(compiler, ()))
    return globs + list(config.extra_input_globs)


def metadata_input_globs(config: PythonBackendConfig) -> list[str]:
    """``PyprojectMetadataProvider::input_globs``: ``pyproject.toml`` once it was read (Read
    mode)."""
    return [] if config.ignore_pyproject_manifest is True else ["pyproject.toml"]


def resolved_package_input_globs(resolved_packages: Collection[str]) -> list[str]:
    """``extract_input_globs_from_resolved_packages``: Cython sources when cython is resolved."""
    return list(CYTHON_INPUT_GLOBS) if "cython" in resolved_packages else []


def generate_recipe(
    package: PackageManifest,
    config: PythonBackendConfig,
    *,
    manifest_root: Path,
    host_platform: str,
    variant_keys: Collection[str],
    pyproject_text: str | None,
    build_platform: str | None = None,
    editable: bool = False,
    uv_cache_dir: str | None = None,
    pypi_table: Mapping[str, Any] | None = None,
    channels: Collection[str] = ("conda-forge",),
    mapper: Mapper | None = None,
) -> tuple[dict[str, Any], list[Diagnostic]]:
    """``PythonGenerator::generate_recipe`` (``pixi_build_python/src/main.rs``): the recipe
    and its warnings, or ``DiagnosticError``.

    ``pyproject_text`` is ``manifest_root/pyproject.toml`` (``None`` if it does not exist).
    ``build_platform`` is ``unix``/``windows`` (default: this machine).  ``uv_cache_dir`` is
    the ``UV_CACHE_DIR`` the backend process sees; the backend falls back to
    ``<pixi cache>/uv-cache``, which the reference has no notion of, so ``None`` omits it.
    ``channels`` are the build's channels (they only shape the mapping's warnings);
    ``mapper`` replaces :func:`pixiconf.pixibuild.pypi_mapping.map_requirements` (tests).
    """
    warnings: list[Diagnostic] = []
    read = config.ignore_pyproject_manifest is not True
    provider = PyprojectMetadata(manifest_root, pyproject_text, read=read)
    name, version, requirements, about = recipe_from_model(package, provider, warnings)

    installer = config.installer_name()
    requirements.host.append(installer)
    requires_python = provider.requires_python() if read else None
    _add_python(requirements, requires_python)

    build_requires = provider.build_system_requires() if read else None
    compilers = merge_compilers(config.compilers, detect_compilers(build_requires or []))
    noarch = is_noarch(config.noarch, compilers)
    _add_abi3(requirements, config.abi3 is True, noarch=noarch, requires_python=requires_python)
    if config.pypi_conda_map is not None and config.ignore_pypi_mapping():
        warnings.append(warning(PYPI_CONDA_MAP_UNUSED))
    if not config.ignore_pypi_mapping():
        mapping = _Mapping(
            mapper, host_platform, noarch, config.pypi_conda_map, pypi_table, channels
        )
        project_deps = provider.project_dependencies() if read else None
        requirements.run.extend(mapping.specs(project_deps, "project", warnings))
        requirements.host.extend(mapping.specs(build_requires, "build-system", warnings))
    add_compilers_and_stdlib(requirements.build, compilers, variant_keys)

    content = build_script.render_build_script(
        installer=installer,
        build_platform=build_platform or build_script.current_build_platform(),
        editable=editable,
        extra_args=config.extra_args,
        manifest_root=manifest_root.as_posix()
        if isinstance(manifest_root, Path)
        else str(manifest_root),
    )
    build = _build_section(
        package,
        config,
        script=_script(package, config, installer, content, uv_cache_dir),
        noarch=noarch,
        entry_points=_entry_points(provider, pyproject_text),
    )
    warnings.extend(warning(w) for w in provider.warnings)
    recipe = {
        "schema_version": 1,
        "package": {"name": name, "version": version},
        "build": build,
        "requirements": requirements.as_recipe(),
        "about": about,
        "extra": {},
    }
    return recipe, warnings


def _query(field: str, call: Callable[[], Any]) -> Any:
    """A metadata query; its ``MetadataError`` names the field (``GeneratedRecipeError``)."""
    try:
        return call()
    except MetadataError as exc:
        raise DiagnosticError(
            Diagnostic(f"An error occurred while querying the {field}: {exc}", help=exc.help)
        ) from None


def recipe_from_model(
    package: PackageManifest, provider: PyprojectMetadata, warnings: list[Diagnostic]
) -> tuple[str, str, _Requirements, dict[str, Any]]:
    """``GeneratedRecipe::from_model`` (``pixi_build_backend/src/generated_recipe.rs``):
    name, version, the manifest's requirements and the about section; the manifest's values
    win over the metadata provider's."""
    name = _recipe_name(package, provider)
    version = (
        package.version if package.version is not None else _query("version", provider.version)
    )
    if version is None:
        raise DiagnosticError(Diagnostic("There was no version defined for the recipe"))
    from rattler import PackageName

    try:
        PackageName(name)
    except Exception as exc:
        raise DiagnosticError(Diagnostic(f"failed to parse package name: {exc}")) from None

    requirements = _Requirements()
    requirements.add_target(package.dependencies, None)
    for expression, target in package.conditional.items():
        requirements.add_target(target, expression)
    return name, version, requirements, _about(package, provider, warnings)


def _recipe_name(package: PackageManifest, provider: PyprojectMetadata) -> str:
    if package.name is not None:
        name = package.name if package.name.strip() else None
    else:
        name = _query("name", provider.name)
    if name is None:
        raise DiagnosticError(Diagnostic("There was no name defined for the recipe"))
    return name.lower()


def _url_value(value: str | None, warnings: list[Diagnostic]) -> str | None:
    """``parse_url_value``: an invalid URL is dropped with a warning."""
    if value is None:
        return None
    normal, error = normalize_url(value)
    if error is not None:
        warnings.append(warning(f"failed to parse URL '{value}': {error}"))
    return normal


def _license_value(value: str | None, warnings: list[Diagnostic]) -> str | None:
    """``parse_license_value``: an invalid SPDX expression is dropped with a warning."""
    if value is None:
        return None
    error = spdx_error(value)
    if error is not None:
        warnings.append(warning(f"failed to parse license '{value}': {error}"))
        return None
    return value


def _own_or_query(own: Any, field: str, call: Callable[[], Any]) -> Any:
    return own if own is not None else _query(field, call)


def _about(
    package: PackageManifest, provider: PyprojectMetadata, warnings: list[Diagnostic]
) -> dict[str, Any]:
    """The about section of ``from_model``, queried in its order (the first failing query is
    the error pixi shows)."""
    homepage = _url_value(_own_or_query(package.homepage, "homepage", provider.homepage), warnings)
    license_ = _license_value(_own_or_query(package.license, "license", provider.license), warnings)
    description = _own_or_query(package.description, "description", provider.description)
    documentation = _url_value(
        _own_or_query(package.documentation, "documentation", provider.documentation), warnings
    )
    repository = _url_value(
        _own_or_query(package.repository, "repository", provider.repository), warnings
    )
    own_files = None if package.license_file is None else [package.license_file]
    license_files = _own_or_query(own_files, "license-files", provider.license_files)
    summary = _query("summary", provider.summary)
    about = {
        "homepage": homepage,
        "license": license_,
        "license_file": license_files,
        "summary": summary,
        "description": description,
        "documentation": documentation,
        "repository": repository,
    }
    return {key: value for key, value in about.items() if value is not None}


def _add_python(requirements: _Requirements, requires_python: str | None) -> None:
    """``python[ <requires-python>]`` in host and run (``generate_recipe``)."""
    from rattler import MatchSpec

    python_text = f"python {requires_python}" if requires_python else "python"
    try:
        python_spec = str(MatchSpec(python_text))
    except Exception as exc:
        raise DiagnosticError(Diagnostic(str(exc))) from None
    requirements.host.append(python_spec)
    requirements.run.append(python_spec)


def merge_compilers(configured: list[str] | None, detected: list[str]) -> list[str]:
    """The configured compilers, then the detected ones not already listed."""
    compilers = list(configured or [])
    compilers.extend(c for c in detected if c not in compilers)
    return compilers


def is_noarch(configured: bool | None, compilers: list[str]) -> bool:
    """``generate_recipe``: the configured ``noarch``, else noarch when there is no compiler."""
    return configured if configured is not None else not compilers


def _add_abi3(
    requirements: _Requirements, abi3: bool, *, noarch: bool, requires_python: str | None
) -> None:
    """``abi3 = true``: an error for noarch; ``python-abi3`` in host (unless listed) and
    ``python``'s run exports ignored."""
    if abi3 and noarch:
        raise DiagnosticError(Diagnostic(ABI3_NOARCH_ERROR))
    if not abi3:
        return
    if not _contains_package(requirements.host, "python-abi3"):
        from rattler import MatchSpec

        spec = MatchSpec(f"python-abi3 {python_abi3_spec(requires_python)}")
        requirements.host.append(str(spec))
    if "python" not in requirements.ignore_run_exports_from_package:
        requirements.ignore_run_exports_from_package.append("python")


@dataclass(frozen=True)
class _Mapping:
    """``map_requirements_with_channels`` with the arguments ``generate_recipe`` gives it."""

    mapper: Mapper | None
    platform: str
    noarch: bool
    user_map: Any
    table: Mapping[str, Any] | None
    channels: Collection[str]

    def specs(
        self, requirements: list[str] | None, context: str, warnings: list[Diagnostic]
    ) -> list[str]:
        if requirements is None:
            return []
        specs, messages = _map(
            self.mapper,
            requirements,
            self.platform,
            noarch=self.noarch,
            user_map=self.user_map,
            table=self.table,
            channels=list(self.channels),
            context=context,
        )
        warnings.extend(warning(m) for m in messages)
        return specs


def add_compilers_and_stdlib(
    build: list[Any], compilers: list[str], variant_keys: Collection[str]
) -> None:
    """``compilers.rs`` ``add_compilers_to_requirements`` (``${{ compiler('x') }}`` per
    compiler) and ``add_stdlib_to_requirements`` (one ``${{ stdlib('c') }}`` when
    ``c_stdlib`` is a variant key and a compiler other than ``go-nocgo`` is used)."""
    for compiler in compilers:
        build.append(f"${{{{ compiler('{compiler}') }}}}")
    if any(c != "go-nocgo" for c in compilers) and "c_stdlib" in variant_keys:
        build.append("${{ stdlib('c') }}")


def _entry_points(provider: PyprojectMetadata, pyproject_text: str | None) -> list[str]:
    """The entry points of pyproject.toml, read even when the metadata provider ignores it."""
    if pyproject_text is None:
        return []
    try:
        document = provider.document() if provider.read else parse_pyproject(pyproject_text)
    except (ValueError, MetadataError) as exc:
        raise DiagnosticError(Diagnostic(str(exc))) from None
    return read_entry_points(document)


def _script(
    package: PackageManifest,
    config: PythonBackendConfig,
    installer: str,
    content: str,
    uv_cache_dir: str | None,
) -> dict[str, Any]:
    """``build.script``: ``UV_CACHE_DIR`` (uv only) then the configured ``env``, secrets,
    the rendered build script."""
    env: dict[str, str] = {}
    if installer == "uv" and uv_cache_dir:
        env[UV_CACHE_DIR] = uv_cache_dir
    env.update(config.env)
    script: dict[str, Any] = {}
    if env:
        script["env"] = env
    if package.build.secrets:
        script["secrets"] = list(package.build.secrets)
    script["content"] = [content]
    return script


def _build_section(
    package: PackageManifest,
    config: PythonBackendConfig,
    *,
    script: dict[str, Any],
    noarch: bool,
    entry_points: list[str],
) -> dict[str, Any]:
    """``build``: script, ``noarch: python``, flags, the ``PythonBuild`` settings, then
    rattler-build's defaults."""
    python: dict[str, Any] = {
        "entry_points": entry_points,
        "skip_pyc_compilation": config.skip_pyc_globs(),
        "use_python_app_entrypoint": False,
    }
    if config.abi3 is True:
        python["version_independent"] = True
    build: dict[str, Any] = {"script": script}
    if noarch:
        build["noarch"] = "python"
    if package.build.flags:
        build["flags"] = list(package.build.flags)
    build["python"] = python
    for key, value in _BUILD_DEFAULTS:
        build[key] = _copy(value)
    return build


def detect_compilers(build_requires: list[str]) -> list[str]:
    """``detect_compilers_from_build_requirements``: maturin / setuptools-rust → rust."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: list[str] = []
    for text in build_requires:
        name = canonicalize_name(Requirement(text).name)
        for compiler in BUILD_TOOL_COMPILERS.get(name, ()):
            if compiler not in found:
                found.append(compiler)
    return found


def read_entry_points(document: Mapping[str, Any]) -> list[str]:
    """``PythonGenerator::entry_points``: ``[project.scripts]`` as ``name = module:function``;
    entries rattler's ``EntryPoint`` rejects are dropped, ``gui-scripts`` are ignored.

    Sorted by command name: the released backend reads pyproject.toml with the ``toml`` crate
    without its ``preserve_order`` feature, so the table is a ``BTreeMap`` (byte order, which is
    code-point order for Python strings).  Verified with pixi-build-python 0.8.6.
    """
    project = document.get("project") or {}
    out = []
    scripts = project.get("scripts") or {}
    for command, target in sorted(scripts.items()):
        entry = parse_entry_point(f"{command} = {target}")
        if entry is not None:
            out.append(entry)
    return out


_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def parse_entry_point(text: str) -> str | None:
    """rattler_conda_types 0.50 ``EntryPoint::from_str`` + ``Display``, or ``None``."""
    if "=" not in text:
        return None
    command, rest = text.split("=", 1)
    if ":" not in rest:
        return None
    module, function = rest.split(":", 1)
    command, module, function = command.strip(), module.strip(), function.strip()
    if (
        not command
        or any(c in command for c in "/\\\0")
        or command.startswith(".")
        or Path(command).is_absolute()
    ):
        return None
    if not _DOTTED.fullmatch(module) or not _DOTTED.fullmatch(function):
        return None
    return f"{command} = {module}:{function}"


def _map(
    mapper: Mapper | None, requirements: list[str], platform: str, **kwargs: Any
) -> tuple[list[str], list[str]]:
    if mapper is None:
        try:
            from pixiconf.pixibuild.pypi_mapping import map_requirements as mapper
        except ImportError:
            raise UnsupportedOperation(
                "the PyPI→conda mapping (pixiconf.pixibuild.pypi_mapping) is not available yet"
            ) from None
    from pixiconf.pixibuild.pypi_mapping import RequirementError

    try:
        result = mapper(requirements, platform, **kwargs)
    except RequirementError as exc:
        # pixi-build-python reads pyproject.toml's requirements with pep508_rs while parsing
        # the file, so an invalid one is the parse error pixi shows for the map-pypi case.
        raise DiagnosticError(Diagnostic(f"failed to parse pyproject.toml, {exc}")) from None
    specs = getattr(result, "specs", None)
    messages = getattr(result, "warnings", None)
    if specs is None:
        specs, messages = result
    return list(specs), [str(m) for m in messages or []]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# --------------------------------------------------------------------------- one package


@dataclass(frozen=True)
class PackageRecipe:
    """The generated recipe with what produced it (the variants operation reuses it)."""

    recipe: dict[str, Any]
    warnings: list[Diagnostic]
    root: Path
    package: Any
    variant_config: Any

    def __iter__(self):
        """Unpack as ``(recipe, warnings, root)``."""
        return iter((self.recipe, self.warnings, self.root))


def package_recipe(
    workspace_path: Path,
    platform: str,
    *,
    workspace_text: str | None = None,
    package: str | None = None,
    base: Path | None = None,
    env: Mapping[str, str] | None = None,
    pypi_table: Mapping[str, Any] | None = None,
    build_platform: str | None = None,
    display: Callable[[Path], str] | None = None,
) -> PackageRecipe:
    """What pixi-build-python generates for ``package`` of the workspace at ``workspace_path``.

    Loads the workspace and the package manifest (:func:`pixiconf.manifest.package.load_package`),
    resolves the backend config for ``platform`` (:func:`pixiconf.pixibuild.config.resolve_config`),
    computes the variant keys
    (:func:`pixiconf.pixibuild.workspace_variants.workspace_variant_config`) and
    generates the recipe.  ``env`` is the environment the backend sees (``UV_CACHE_DIR``,
    ``BUILD_EDITABLE_PYTHON``).  Unpacks as ``(recipe, warnings, package_directory)``.
    """
    from pixiconf.manifest.load import load_package
    from pixiconf.pixibuild.config import resolve_config
    from pixiconf.pixibuild.variant_config import VariantError
    from pixiconf.pixibuild.workspace_variants import workspace_variant_config
    from pixiconf.workspace.environments import (
        environment_features,
        get_environment,
        prioritized_channels,
    )

    env = env or {}
    show = display or (lambda p: p.name)
    loaded = load_package(
        workspace_path, workspace_text=workspace_text, package=package, base=base, display=show
    )
    warnings = list(loaded.warnings)
    model = loaded.package
    if model.build.backend.name != "pixi-build-python":
        raise UnsupportedOperation(
            f"the reference only models the pixi-build-python backend, "
            f"not '{model.build.backend.name}'"
        )
    if model.build.source is not None:
        raise UnsupportedOperation(
            "packages with a `build.source` are not modelled by the reference yet"
        )

    config, config_warnings = resolve_config(
        model.build.config, model.build.target_config, platform
    )
    warnings += config_warnings

    manifest = loaded.workspace
    workspace = manifest.workspace
    # Workspace::variants: every channel of the workspace and its features decides whether
    # the conda-forge c_stdlib variants are derived.
    all_channels = [c.channel for c in workspace.channels] + [
        c.channel for f in manifest.features.values() for c in (f.channels or [])
    ]
    try:
        variant_config = workspace_variant_config(
            platform=platform,
            build_variants=workspace.build_variants,
            build_variant_targets=workspace.build_variant_targets,
            variant_files=[workspace_path.parent / p for p in workspace.build_variants_files],
            channels=all_channels,
            file_display=show,
            env=env,
        )
    except VariantError as exc:
        raise DiagnosticError(exc.diagnostic()) from None

    pyproject = loaded.root / "pyproject.toml"
    try:
        pyproject_text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise DiagnosticError(Diagnostic(f"could not read {show(pyproject)}: {exc}")) from None

    default = get_environment(manifest, "default")
    recipe, recipe_warnings = generate_recipe(
        model,
        config,
        manifest_root=loaded.root.resolve(),
        host_platform=platform,
        variant_keys=set(variant_config.keys()),
        pyproject_text=pyproject_text,
        build_platform=build_platform,
        editable=build_script.effective_editable(False, env),
        uv_cache_dir=env.get(UV_CACHE_DIR) or None,
        pypi_table=pypi_table,
        channels=prioritized_channels(manifest, environment_features(manifest, default)),
    )
    return PackageRecipe(recipe, warnings + recipe_warnings, loaded.root, model, variant_config)


def replace_path(value: Any, root: Path, token: str) -> Any:
    """``value`` with every occurrence of the absolute ``root`` in its strings replaced."""
    text = root.resolve().as_posix()
    if isinstance(value, str):
        return value.replace(text, token)
    if isinstance(value, dict):
        return {k: replace_path(v, root, token) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_path(v, root, token) for v in value]
    return value
