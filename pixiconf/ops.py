"""Reference operations: discover, check, environments, resolve (CASE-FORMAT.md §3)."""

from __future__ import annotations

from .implementations.base import OperationRequest
from .operations import OperationResult, UnsupportedOperation


def discover(request: OperationRequest) -> OperationResult:
    raise UnsupportedOperation("discover is being written")


def check(request: OperationRequest) -> OperationResult:
    raise UnsupportedOperation("check is being written")


def environments(request: OperationRequest) -> OperationResult:
    raise UnsupportedOperation("environments is being written")


def resolve(request: OperationRequest) -> OperationResult:
    raise UnsupportedOperation("resolve is being written")
