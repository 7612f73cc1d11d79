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
    """``toml::from_str::<pyproject_toml::PyProjectToml>``: the fields the backend reads are
    type-checked; ``ValueError`` carries serde's complaint."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.specifiers import InvalidSpecifier
    from packaging.version import InvalidVersion, Version

    try:
        data = toml.loads(text)
    except (toml.TOMLDecodeError, RecursionError) as exc:
        raise ValueError(f"TOML parse error: {exc}") from None

    def expect(value: Any, kind: type, what: str, where: str) -> Any:
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ValueError(f"invalid type for `{where}`, expected {what}")
        return value

    def requirements(value: Any, where: str) -> None:
        for item in expect(value, list, "a sequence", where):
            expect(item, str, "a string", where)
            try:
                Requirement(item)
            except InvalidRequirement as exc:
                raise ValueError(f"invalid PEP 508 requirement in `{where}`: {exc}") from None

    project = data.get("project")
    if project is not None:
        expect(project, dict, "a table", "project")
        if "name" not in project:
            raise ValueError("missing field `name`")
        expect(project["name"], str, "a string", "project.name")
        for key in ("description",):
            if key in project:
                expect(project[key], str, "a string", f"project.{key}")
        if "version" in project:
            try:
                Version(expect(project["version"], str, "a string", "project.version"))
            except InvalidVersion as exc:
                raise ValueError(f"invalid version in `project.version`: {exc}") from None
        if "requires-python" in project:
            try:
                pep440.parse_specifiers(
                    expect(project["requires-python"], str, "a string", "project.requires-python")
                )
            except InvalidSpecifier as exc:
                raise ValueError(f"invalid `project.requires-python`: {exc}") from None
        if "dependencies" in project:
            requirements(project["dependencies"], "project.dependencies")
        license_ = project.get("license")
        if license_ is not None and not (
            isinstance(license_, str)
            or (
                isinstance(license_, dict)
                and len(license_) == 1
                and isinstance(license_.get("text", license_.get("file")), str)
            )
        ):
            raise ValueError("data did not match any variant of untagged enum License")
        if "license-files" in project:
            for item in expect(
                project["license-files"], list, "a sequence", "project.license-files"
            ):
                expect(item, str, "a string", "project.license-files")
        for key in ("urls", "scripts", "gui-scripts"):
            if key in project:
                for item in expect(project[key], dict, "a map", f"project.{key}").values():
                    expect(item, str, "a string", f"project.{key}")
    build_system = data.get("build-system")
    if build_system is not None:
        expect(build_system, dict, "a table", "build-system")
        if "requires" not in build_system:
            raise ValueError("missing field `requires`")
        requirements(build_system["requires"], "build-system.requires")
    return data


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
    """Generate the recipe; returns ``(recipe, warnings)`` or raises ``DiagnosticError``.

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

    def query(field: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except MetadataError as exc:
            raise DiagnosticError(
                Diagnostic(f"An error occurred while querying the {field}: {exc}", help=exc.help)
            ) from None

    # -- GeneratedRecipe::from_model -----------------------------------------------------
    if package.name is not None:
        if not package.name.strip():
            raise DiagnosticError(Diagnostic("There was no name defined for the recipe"))
        name = package.name
    else:
        name = query("name", provider.name)
        if name is None:
            raise DiagnosticError(Diagnostic("There was no name defined for the recipe"))
    name = name.lower()
    version = package.version if package.version is not None else query("version", provider.version)
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

    def url(value: str | None) -> str | None:
        if value is None:
            return None
        normal, error = normalize_url(value)
        if error is not None:
            warnings.append(warning(f"failed to parse URL '{value}': {error}"))
        return normal

    def license_value(value: str | None) -> str | None:
        if value is None:
            return None
        error = spdx_error(value)
        if error is not None:
            warnings.append(warning(f"failed to parse license '{value}': {error}"))
            return None
        return value

    about: dict[str, Any] = {}
    homepage = url(
        package.homepage if package.homepage is not None else query("homepage", provider.homepage)
    )
    license_ = license_value(
        package.license if package.license is not None else query("license", provider.license)
    )
    description = (
        package.description
        if package.description is not None
        else query("description", provider.description)
    )
    documentation = url(
        package.documentation
        if package.documentation is not None
        else query("documentation", provider.documentation)
    )
    repository = url(
        package.repository
        if package.repository is not None
        else query("repository", provider.repository)
    )
    license_files = (
        [package.license_file]
        if package.license_file is not None
        else query("license-files", provider.license_files)
    )
    summary = query("summary", provider.summary)
    for key, value in (
        ("homepage", homepage),
        ("license", license_),
        ("license_file", license_files),
        ("summary", summary),
        ("description", description),
        ("documentation", documentation),
        ("repository", repository),
    ):
        if value is not None:
            about[key] = value

    # -- PythonGenerator::generate_recipe ------------------------------------------------
    installer = config.installer_name()
    requirements.host.append(installer)
    requires_python = provider.requires_python() if read else None
    python_text = f"python {requires_python}" if requires_python else "python"
    from rattler import MatchSpec

    try:
        python_spec = str(MatchSpec(python_text))
    except Exception as exc:
        raise DiagnosticError(Diagnostic(str(exc))) from None
    requirements.host.append(python_spec)
    requirements.run.append(python_spec)

    build_requires = provider.build_system_requires() if read else None
    compilers = list(config.compilers or [])
    for compiler in detect_compilers(build_requires or []):
        if compiler not in compilers:
            compilers.append(compiler)

    if config.noarch is not None:
        noarch = config.noarch
    else:
        noarch = not compilers
    if config.abi3 is True and noarch:
        raise DiagnosticError(Diagnostic(ABI3_NOARCH_ERROR))
    if config.abi3 is True:
        if not _contains_package(requirements.host, "python-abi3"):
            requirements.host.append(
                str(MatchSpec(f"python-abi3 {python_abi3_spec(requires_python)}"))
            )
        if "python" not in requirements.ignore_run_exports_from_package:
            requirements.ignore_run_exports_from_package.append("python")

    if config.pypi_conda_map is not None and config.ignore_pypi_mapping():
        warnings.append(warning(PYPI_CONDA_MAP_UNUSED))
    if not config.ignore_pypi_mapping():
        mapping_args = {
            "noarch": noarch,
            "user_map": config.pypi_conda_map,
            "table": pypi_table,
            "channels": list(channels),
        }
        project_deps = provider.project_dependencies() if read else None
        if project_deps is not None:
            specs, mapped_warnings = _map(
                mapper, project_deps, host_platform, context="project", **mapping_args
            )
            requirements.run.extend(specs)
            warnings.extend(warning(w) for w in mapped_warnings)
        if build_requires is not None:
            specs, mapped_warnings = _map(
                mapper, build_requires, host_platform, context="build-system", **mapping_args
            )
            requirements.host.extend(specs)
            warnings.extend(warning(w) for w in mapped_warnings)

    for compiler in compilers:
        requirements.build.append(f"${{{{ compiler('{compiler}') }}}}")
    if any(c != "go-nocgo" for c in compilers) and "c_stdlib" in variant_keys:
        requirements.build.append("${{ stdlib('c') }}")

    content = build_script.render_build_script(
        installer=installer,
        build_platform=build_platform or build_script.current_build_platform(),
        editable=editable,
        extra_args=config.extra_args,
        manifest_root=manifest_root.as_posix()
        if isinstance(manifest_root, Path)
        else str(manifest_root),
    )

    entry_points: list[str] = []
    if pyproject_text is not None:
        try:
            document = provider.document() if read else parse_pyproject(pyproject_text)
        except (ValueError, MetadataError) as exc:
            raise DiagnosticError(Diagnostic(str(exc))) from None
        entry_points = read_entry_points(document)

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
        raise DiagnosticError(Diagnostic(str(exc))) from None

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
