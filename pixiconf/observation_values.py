"""Values with a meaning of their own in observations and expectations (CASE-FORMAT.md §4).

:data:`ANY` (``!any``) and :data:`ABSENT` (``!absent``) are the expectation tokens; the
:class:`Lenient` values are what an external implementation observes when its output loses how
a value was written (a bare version printed as ``==V``, a list command joined by spaces).
The matcher (:mod:`pixiconf.corpus.matching`) gives them their meaning; implementations build
them.  Plain data otherwise: they pickle, compare and print as the values they stand for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "ABSENT",
    "ANY",
    "ExactVersion",
    "JoinedCommand",
    "Lenient",
    "MaybePrefixed",
    "Token",
    "is_absent",
    "is_any",
    "is_list",
]


class Token:
    """A matching token of §4; compared by identity, rendered as its YAML tag."""

    __slots__ = ("tag",)

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __repr__(self) -> str:
        return self.tag

    def __reduce__(self) -> str:
        # Pickling (e.g. by pytest-xdist) must give back the same singleton.
        return "ANY" if self.tag == "!any" else "ABSENT"


#: ``!any``: any value; the key must exist.
ANY = Token("!any")
#: ``!absent``: the key must not exist.
ABSENT = Token("!absent")


class Lenient:
    """Mixin of an observed value (a ``str`` or ``list`` subclass) that stands for more than
    one expected form (an external implementation prints a value in a form that loses how it
    was written): it matches every expectation :meth:`accepts` allows, and otherwise compares
    as the plain value (:meth:`plain`)."""

    __slots__ = ()

    def accepts(self, expected: object) -> bool:
        return False

    def plain(self) -> Any:
        return list(self) if isinstance(self, list) else str(self)


class MaybePrefixed(Lenient, list):
    """A list that may lack a first item the implementation cannot show (pixi 0.77's
    ``info --json`` leaves out an environment's own inline feature, which comes first): it
    matches itself and ``[prefix, *itself]``."""

    def __init__(self, items: Iterable[Any] = (), prefix: Any = None) -> None:
        super().__init__(items)
        self.prefix = prefix

    def __reduce__(self) -> Any:
        return (MaybePrefixed, (list(self), self.prefix))

    def accepts(self, expected: object) -> bool:
        return is_list(expected) and list(expected) in (list(self), [self.prefix, *self])


class JoinedCommand(Lenient, str):
    """A command that may have been a list of words joined by single spaces (pixi 0.77's
    ``task list --json`` prints a task's list ``cmd`` that way): it matches itself or any list
    of strings whose space-join it is."""

    __slots__ = ()

    def accepts(self, expected: object) -> bool:
        return (
            is_list(expected)
            and all(isinstance(w, str) for w in expected)
            and " ".join(expected) == str(self)
        )


class ExactVersion(Lenient, str):
    """A conda spec ``==V`` that may have been written as the bare version ``V`` (pixi reads a
    bare version as ``==V`` and prints it so): it matches ``==V`` and ``V``."""

    __slots__ = ()

    def accepts(self, expected: object) -> bool:
        return isinstance(expected, str) and "==" + expected == str(self)


def is_any(value: object) -> bool:
    return value is ANY or (isinstance(value, str) and value == "!any")


def is_absent(value: object) -> bool:
    return value is ABSENT or (isinstance(value, str) and value == "!absent")


def is_list(value: object) -> bool:
    """A list as the matcher sees one (a YAML/JSON sequence, or a list-like observation)."""
    return isinstance(value, list | tuple)
