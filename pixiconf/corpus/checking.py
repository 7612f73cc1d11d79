"""Collecting the problems of a case file: key paths, value descriptions, the checker.

Every reader of case data (the case schema, channel records, fixtures) reports with the same
words: a key path such as ``expect.error.contains[0]`` or ``files['a b']``, and what was
expected against what was found (``expected a string, got number 1 (quote it)``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pixiconf.observation_values import Token
from pixiconf.similarity import did_you_mean

__all__ = ["Checker", "Problem", "describe", "display_path", "key_path"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One schema problem: the key path (``expect.error.contains[0]``) and what is wrong."""

    key: str
    message: str

    def describe(self) -> str:
        return f"key '{self.key}': {self.message}" if self.key else self.message

    def render(self, file: str | Path) -> str:
        return f"{display_path(file)}: {self.describe()}"


def display_path(path: str | Path) -> str:
    """A path as text: bytes of its name that are not UTF-8 are shown as ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def key_path(parent: str, name: object) -> str:
    if isinstance(name, int):
        return f"{parent}[{name}]"
    text = str(name)
    if re.fullmatch(r"[A-Za-z0-9_-]+", text):
        return f"{parent}.{text}" if parent else text
    return f"{parent}[{text!r}]"


def describe(value: object) -> str:
    if isinstance(value, Token):
        return value.tag
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


class Checker:
    """Collects problems while walking one mapping."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, key: str, message: str) -> None:
        self.problems.append(Problem(key, message))

    def expect_type(self, key: str, value: object, kind: type | tuple, what: str) -> bool:
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            ok = False
        else:
            ok = isinstance(value, kind)
        if not ok:
            hint = ""
            if what == "a string" and isinstance(value, int | float):
                hint = " (quote it)"
            self.add(key, f"expected {what}, got {describe(value)}{hint}")
        return ok

    def known_keys(self, parent: str, mapping: Mapping, known: tuple[str, ...]) -> None:
        for name in mapping:
            if name in known:
                continue
            key = key_path(parent, name)
            if not isinstance(name, str):
                self.add(key, f"expected a string key, got {describe(name)}")
                continue
            hint = did_you_mean(name, known)
            suffix = f"; did you mean '{hint}'?" if hint else ""
            self.add(key, f"unknown key; expected one of: {', '.join(known)}{suffix}")

    def string_list(self, key: str, value: object, *, non_empty_items: bool = True) -> tuple:
        if not self.expect_type(key, value, list, "a list of strings"):
            return ()
        good = []
        for i, item in enumerate(value):
            if self.expect_type(key_path(key, i), item, str, "a string"):
                if non_empty_items and not item.strip():
                    self.add(key_path(key, i), "expected a non-empty string")
                good.append(item)
        return tuple(good)

    def string_map(self, key: str, value: object) -> dict[str, str]:
        if not self.expect_type(key, value, Mapping, "a mapping of strings to strings"):
            return {}
        out = {}
        for name, item in value.items():
            if not isinstance(name, str):
                self.add(key_path(key, name), f"expected a string key, got {describe(name)}")
            elif self.expect_type(key_path(key, name), item, str, "a string"):
                out[name] = item
        return out
