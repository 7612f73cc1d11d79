"""Reference operations of the build flows: recipe, variants, build-string, map-pypi.

CASE-FORMAT.md §3.  Each takes an OperationRequest and returns an OperationResult or raises
DiagnosticError; each is being implemented in its own module under ``pixiconf/build/``.
"""

from __future__ import annotations

from .implementations.base import OperationRequest
from .operations import OperationResult, UnsupportedOperation


def recipe(request: OperationRequest) -> OperationResult:
    raise UnsupportedOperation("recipe is being written")


def variants(request: OperationRequest) -> OperationResult:
    raise UnsupportedOperation("variants is being written")


def build_string(request: OperationRequest) -> OperationResult:
    raise UnsupportedOperation("build-string is being written")


def map_pypi(request: OperationRequest) -> OperationResult:
    raise UnsupportedOperation("map-pypi is being written")
