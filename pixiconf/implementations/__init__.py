"""Implementations a case can run against: the reference, or (later) an external binary.

An implementation is anything with the :class:`~pixiconf.implementations.base.Implementation`
shape.  :func:`load_implementation` turns the ``--pixiconf-impl`` value into one.
"""

from __future__ import annotations

from .base import (
    Failed,
    Implementation,
    Observed,
    OperationRequest,
    Outcome,
    Unsupported,
)
from .registry import UnknownImplementationError, load_implementation

__all__ = [
    "Failed",
    "Implementation",
    "Observed",
    "OperationRequest",
    "Outcome",
    "UnknownImplementationError",
    "Unsupported",
    "load_implementation",
]
