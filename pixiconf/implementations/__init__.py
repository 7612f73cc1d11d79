"""Implementations a case can run against: the reference, or (later) an external binary.

An implementation is anything with the :class:`~pixiconf.implementations.base.Implementation`
shape.  :func:`load_implementation` turns the ``--pixiconf-impl`` value into one.
"""

from __future__ import annotations

from pixiconf.implementations.base import Failed, Implementation, Observed, Outcome, Unsupported
from pixiconf.implementations.registry import UnknownImplementationError, load_implementation
from pixiconf.operations.request import OperationRequest

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
