"""Reference operations of the build flows: recipe, variants, build-string, map-pypi.

CASE-FORMAT.md §3.  Each takes an OperationRequest and returns an OperationResult or raises
DiagnosticError; the rules live in :mod:`pixiconf.pixibuild` and ``[package]`` in
:mod:`pixiconf.manifest.package`.
"""

from __future__ import annotations

from pixiconf.operations.request import OperationRequest, OperationResult


def recipe(request: OperationRequest) -> OperationResult:
    """The recipe pixi-build-python generates for ``package`` on ``platform``.

    :mod:`pixiconf.manifest.package` (the ``[package]`` section), :mod:`pixiconf.pixibuild.config`
    (``[package.build.config]``, first matching target merged), :mod:`pixiconf.pixibuild.recipe`.
    Reference choices: the build script is rendered for this machine's
    OS (pixi uses the backend's ``Platform::current()``); ``UV_CACHE_DIR`` is the request's
    variable when non-empty and otherwise omitted (pixi falls back to ``<pixi cache>/uv-cache``);
    ``editable`` is ``False`` (``conda/outputs``) unless ``BUILD_EDITABLE_PYTHON`` says
    otherwise; in a case (a confined request) absolute paths below the workspace root are
    written ``{{workspace}}/...`` so that expectations do not depend on the temporary directory.
    """
    from pixiconf.pixibuild.recipe import replace_path

    generated, warnings = _package_recipe(request, "recipe")
    result = generated.recipe
    if request.confined:  # a case: paths must not depend on the temporary directory
        result = replace_path(result, request.workspace_root, "{{workspace}}")
    return OperationResult(result, warnings)


def _package_recipe(request: OperationRequest, op: str):
    """Validate ``platform``/``package``, discover the workspace and generate the recipe."""
    from pixiconf.diagnostics import Diagnostic, DiagnosticError
    from pixiconf.manifest.selectors import subdir, unknown_platform_message
    from pixiconf.operations.context import find_manifest, relative_path
    from pixiconf.pixibuild.recipe import package_recipe

    platform = request.args.get("platform")
    if not isinstance(platform, str):
        raise DiagnosticError(Diagnostic(f"the '{op}' operation requires the argument 'platform'"))
    if subdir(platform) is None:
        raise DiagnosticError(Diagnostic(unknown_platform_message(platform)))
    package_arg = request.args.get("package")
    if package_arg is not None and not isinstance(package_arg, str):
        raise DiagnosticError(Diagnostic(f"the '{op}' operation expects 'package' to be a path"))
    found = find_manifest(request)
    generated = package_recipe(
        found.path,
        platform,
        workspace_text=found.text,
        package=package_arg,
        base=request.workspace_root,
        env=request.env,
        pypi_table=request.pypi_mapping,
        display=lambda p: relative_path(request, p),
    )
    return generated, [*found.warnings, *generated.warnings]


def variants(request: OperationRequest) -> OperationResult:
    """``[{variant, build-string}, ...]``: the outputs pixi-build-python renders for ``package``.

    The variant configuration is pixi's
    (:func:`pixiconf.pixibuild.workspace_variants.workspace_variant_config`:
    backend defaults < ``build-variants-files`` < ``[workspace.build-variants]`` + derived
    ``c_stdlib``); the recipe is the ``recipe`` operation's (:func:`package_recipe`);
    ``build-number`` and ``build-string-prefix`` of ``[package.build]`` apply to every output
    (``intermediate_backend.rs::conda_outputs``).  Outputs are in rattler-build's order; one
    line per distinct build string.
    """
    from pixiconf.diagnostics import DiagnosticError
    from pixiconf.pixibuild.variants import VariantError, compute_variants

    generated, warnings = _package_recipe(request, "variants")
    noarch = (generated.recipe.get("build") or {}).get("noarch")
    build = generated.package.build
    try:
        outputs = compute_variants(
            generated.recipe,
            generated.variant_config,
            request.args["platform"],
            noarch=noarch,
            build_number=build.build_number or 0,
            prefix=build.build_string_prefix,
        )
    except VariantError as exc:
        raise DiagnosticError(exc.diagnostic()) from None
    return OperationResult(outputs, warnings)


def build_string(request: OperationRequest) -> OperationResult:
    """``{hash, build-string}`` of a used variant (:mod:`pixiconf.pixibuild.hashing`).

    ``noarch`` applies rattler-build's noarch rules first (``target_platform: noarch``;
    noarch python also drops ``python``); ``prefix`` is pixi's ``build-string-prefix``.
    """
    from collections.abc import Mapping

    from pixiconf.diagnostics import Diagnostic, DiagnosticError
    from pixiconf.pixibuild.hashing import NOARCH_TYPES, VariantValueError, check_value
    from pixiconf.pixibuild.hashing import build_string as compute

    def fail(message: str, help: str | None = None) -> DiagnosticError:
        return DiagnosticError(Diagnostic(message, help=help))

    def kind(value: object) -> str:
        return (
            "null"
            if value is None
            else {
                bool: "boolean",
                int: "integer",
                float: "float",
                str: "string",
                list: "list",
                dict: "mapping",
            }.get(type(value), type(value).__name__)
        )

    args = request.args
    variant = args.get("variant")
    if not isinstance(variant, Mapping):
        raise fail(
            "the 'build-string' operation expects 'variant' to be a mapping of variant "
            f"keys to values, found {kind(variant)}"
        )
    for key, value in variant.items():
        if not isinstance(key, str):
            raise fail(f"variant keys are strings, found the {kind(key)} key {key!r}")
        try:
            check_value(value, f"the value of variant key '{key}'")
        except VariantValueError as exc:
            raise fail(str(exc)) from None
    noarch = args.get("noarch")
    if noarch is not None and noarch not in NOARCH_TYPES:
        # stage0/evaluate.rs parse_noarch_string
        raise fail(f"Invalid noarch type '{noarch}'. Expected 'python' or 'generic'")
    number = args.get("build-number", 0)
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        found = str(number) if kind(number) == "integer" else kind(number)
        raise fail(f"'build-number' must be a non-negative integer (a u64), found {found}")
    prefix = args.get("prefix")
    if prefix is not None and not isinstance(prefix, str):
        raise fail(f"'prefix' must be a string, found {kind(prefix)}")
    result = compute(dict(variant), noarch=noarch, build_number=number, prefix=prefix)
    return OperationResult({"hash": result.hash, "build-string": result.value})


def map_pypi(request: OperationRequest) -> OperationResult:
    """``{run, host, warnings}``: the package's pyproject dependencies mapped to conda specs.

    ``pixi_build_python/src/pypi_mapping.rs`` via :mod:`pixiconf.pixibuild.pypi_mapping`.  The
    case's ``pypi-mapping`` is the offline table; it answers for every channel of the default
    environment.  ``[package.build.config]`` (base merged with the first matching target,
    :func:`pixiconf.pixibuild.config.resolve_config`) gives ``pypi-conda-map``, ``noarch``,
    ``compilers`` and ``ignore-pyproject-manifest``.  ``ignore-pypi-mapping`` is deliberately
    not applied: the operation observes the mapping itself (pixi applies that gate in
    ``generate_recipe``).
    """
    from pixiconf.diagnostics import Diagnostic, DiagnosticError, warning
    from pixiconf.manifest import toml
    from pixiconf.manifest.load import load_package
    from pixiconf.manifest.selectors import subdir, unknown_platform_message
    from pixiconf.operations.context import find_manifest, relative_path
    from pixiconf.pixibuild.config import resolve_config
    from pixiconf.pixibuild.pypi_mapping import map_pyproject
    from pixiconf.workspace.environments import (
        environment_features,
        get_environment,
        prioritized_channels,
    )

    platform = request.args.get("platform")
    if not isinstance(platform, str):
        raise DiagnosticError(
            Diagnostic("the 'map-pypi' operation requires the argument 'platform'")
        )
    if subdir(platform) is None:
        raise DiagnosticError(Diagnostic(unknown_platform_message(platform)))
    package = request.args.get("package")
    if package is not None and not isinstance(package, str):
        raise DiagnosticError(Diagnostic("the 'package' argument must be a path string"))

    found = find_manifest(request)
    loaded = load_package(
        found.path,
        workspace_text=found.text,
        package=package,
        display=lambda path: relative_path(request, path),
    )
    warnings = [*found.warnings, *loaded.warnings]
    build = loaded.package.build
    config, config_warnings = resolve_config(build.config, build.target_config, platform)
    warnings += config_warnings
    manifest = loaded.workspace
    channels = prioritized_channels(
        manifest, environment_features(manifest, get_environment(manifest, "default"))
    )

    pyproject = None
    if not config.ignore_pyproject_manifest:
        path = loaded.root / "pyproject.toml"
        try:
            pyproject = toml.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DiagnosticError(
                Diagnostic(f"`pixi-build-python` requires a `pyproject.toml` at {path}")
            ) from None
        except (OSError, UnicodeDecodeError, toml.TOMLDecodeError, RecursionError) as exc:
            raise DiagnosticError(Diagnostic(f"failed to parse pyproject.toml, {exc}")) from None
    observation = map_pyproject(
        pyproject, platform, config=config, table=request.pypi_mapping, channels=channels
    )
    warnings += [warning(text) for text in observation["warnings"]]
    return OperationResult(observation, warnings)
