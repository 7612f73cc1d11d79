"""Local conda channels for cases: package records → ``repodata.json``, shared fixtures.

A case's ``channels`` (CASE-FORMAT.md §2) maps a channel name to subdirs to package records.
Shared channels live in ``<corpus root>/_channels/<fixture>.yaml`` (the nearest directory
above the case that has one) and are used by name with
the additive case key ``channel-fixtures`` (``{<channel name>: <fixture name>}``); records a
case lists under the same channel name in ``channels`` are added after the fixture's.

A fixture file::

    description: One sentence about the channel.
    defaults: {archive: conda}        # optional defaults for every record
    packages:
      linux-64: [<record>, ...]
      noarch: [<record>, ...]

Record fields and their defaults (docs/channels.md): ``name`` and ``version`` (required),
``build_number`` (0), ``build`` (the build number as a string), ``depends`` and
``constrains`` (empty), ``noarch`` (none), ``timestamp`` (none), ``archive`` (``tar.bz2``:
listed under ``packages``; ``conda``: under ``packages.conda``), and, written only when
given, ``license``, ``md5``, ``sha256``, ``size``, ``track_features``.  The file name is
``<name>-<version>-<build>.<archive>``; ``subdir`` is the key the record is listed under.
This module imports no py-rattler: it only reads YAML and writes JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pixiconf.corpus.case_yaml import CaseLoader
from pixiconf.corpus.checking import Checker, describe, key_path

__all__ = [
    "ARCHIVES",
    "FIXTURE_DIR",
    "RECORD_KEYS",
    "SAFE_NAME",
    "FixtureError",
    "check_channels",
    "find_fixture",
    "load_fixture",
    "repodata",
    "repodata_entry",
    "write_repodata",
]

#: Directory of shared channel fixtures below a corpus root.
FIXTURE_DIR = "_channels"
ARCHIVES = ("tar.bz2", "conda")
FIXTURE_KEYS = ("description", "defaults", "packages")
#: Keys of a package record (CASE-FORMAT.md §2 and the additive ones).
RECORD_KEYS = (
    "name",
    "version",
    "build",
    "build_number",
    "depends",
    "constrains",
    "noarch",
    "timestamp",
    "archive",
    "license",
    "md5",
    "sha256",
    "size",
    "track_features",
)
#: A channel or subdir name: one path component of safe characters.
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_OPTIONAL_FIELDS = ("noarch", "timestamp", "license", "md5", "sha256", "size", "track_features")


class FixtureError(ValueError):
    """A channel fixture is missing or malformed (the message says which and why)."""


def repodata_entry(record: Mapping[str, Any], subdir: str) -> tuple[str, str, dict[str, Any]]:
    """``(repodata section, file name, entry)`` of one record with the documented defaults."""
    build_number = record.get("build_number", 0)
    build = record.get("build", str(build_number))
    archive = record.get("archive", "tar.bz2")
    entry: dict[str, Any] = {
        "name": record["name"],
        "version": record["version"],
        "build": build,
        "build_number": build_number,
        "depends": list(record.get("depends", ())),
        "constrains": list(record.get("constrains", ())),
        "subdir": subdir,
    }
    for key in _OPTIONAL_FIELDS:
        if record.get(key) is not None:
            entry[key] = record[key]
    section = "packages.conda" if archive == "conda" else "packages"
    return section, f"{record['name']}-{record['version']}-{build}.{archive}", entry


def repodata(subdir: str, records: Any) -> dict[str, Any]:
    """The ``repodata.json`` document of one subdir."""
    data: dict[str, Any] = {
        "info": {"subdir": subdir},
        "packages": {},
        "packages.conda": {},
        "repodata_version": 1,
    }
    for record in records:
        section, file_name, entry = repodata_entry(record, subdir)
        data[section][file_name] = entry
    return data


def write_repodata(directory: Path, subdirs: Mapping[str, Any]) -> None:
    """Write a local channel: one ``repodata.json`` per subdir, ``noarch`` always."""
    for subdir in sorted({"noarch", *subdirs}):
        out = Path(directory) / subdir
        out.mkdir(parents=True, exist_ok=True)
        document = repodata(subdir, subdirs.get(subdir, ()))
        (out / "repodata.json").write_text(json.dumps(document, indent=1), encoding="utf-8")


def find_fixture(directories: Iterable[Path], name: str) -> Path | None:
    """The first ``<directory>/_channels/<name>.yaml`` that exists."""
    for directory in directories:
        path = Path(directory) / FIXTURE_DIR / f"{name}.yaml"
        if path.is_file():
            return path
    return None


def load_fixture(directories: Iterable[Path], name: str) -> dict[str, tuple[dict[str, Any], ...]]:
    """The records of fixture ``name``: subdir → records.  ``directories`` are searched in
    order (a case uses its nearest ancestor directory that has ``_channels/<name>.yaml``)."""
    path = find_fixture(directories, name)
    if path is None:
        raise FixtureError(
            f"no channel fixture '{name}' (expected {FIXTURE_DIR}/{name}.yaml "
            "in the corpus root or a directory above the case)"
        )
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _load(path: str, mtime: int, size: int) -> dict[str, tuple[dict[str, Any], ...]]:
    import yaml

    del mtime, size  # cache keys only
    name = Path(path).stem
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=CaseLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FixtureError(f"channel fixture '{name}' cannot be read: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("packages"), Mapping):
        raise FixtureError(
            f"channel fixture '{name}': expected a mapping with 'packages' "
            "(subdir → list of package records)"
        )
    unknown = [k for k in data if k not in FIXTURE_KEYS]
    if unknown:
        raise FixtureError(
            f"channel fixture '{name}': unknown key '{unknown[0]}'; expected one "
            f"of: {', '.join(FIXTURE_KEYS)}"
        )
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        raise FixtureError(f"channel fixture '{name}': 'defaults' must be a mapping")
    packages = {
        subdir: [
            {**defaults, **record} if isinstance(record, Mapping) else record for record in records
        ]
        if isinstance(records, list)
        else records
        for subdir, records in data["packages"].items()
    }
    checker = Checker()
    checked = check_channels(checker, {name: packages})
    if checker.problems:
        problems = "; ".join(
            p.describe().replace(f"channels.{name}.", "packages.", 1) for p in checker.problems[:5]
        )
        raise FixtureError(f"channel fixture '{name}' is not valid: {problems}")
    return {subdir: tuple(records) for subdir, records in checked[name].items()}


def check_channels(c: Checker, value: object) -> dict[str, dict[str, tuple]]:
    if not c.expect_type("channels", value, Mapping, "a mapping of channel names"):
        return {}
    out: dict[str, dict[str, tuple]] = {}
    for name, subdirs in value.items():
        key = key_path("channels", name)
        if not isinstance(name, str) or not SAFE_NAME.match(name) or name in (".", ".."):
            c.add(key, "expected a channel name of letters, digits, '_', '.', '-'")
            continue
        if not c.expect_type(key, subdirs, Mapping, "a mapping of subdir → package records"):
            continue
        out[name] = {}
        for subdir, records in subdirs.items():
            skey = key_path(key, subdir)
            if (
                not isinstance(subdir, str)
                or not SAFE_NAME.match(subdir)
                or subdir
                in (
                    ".",
                    "..",
                )
            ):
                c.add(skey, "expected a subdir name such as 'linux-64' or 'noarch'")
                continue
            if not c.expect_type(skey, records, list, "a list of package records"):
                continue
            out[name][subdir] = tuple(
                r for i, r in enumerate(records) if _check_record(c, key_path(skey, i), r)
            )
    return out


#: Optional record fields and their kinds, in the order their problems are reported.
_RECORD_FIELD_KINDS = (
    ("build", "string"),
    ("build_number", "integer"),
    ("timestamp", "integer"),
    ("depends", "strings"),
    ("constrains", "strings"),
    ("license", "string"),
    ("track_features", "string"),
    ("size", "integer"),
)
#: Closed sets of values: field → (allowed values, how the message names them).
_RECORD_FIELD_CHOICES = (
    ("archive", ("conda", "tar.bz2"), "'conda' or 'tar.bz2'"),
    ("noarch", ("python", "generic", None), "'python', 'generic' or null"),
)


def _check_record(c: Checker, key: str, record: object) -> bool:
    if not c.expect_type(key, record, Mapping, "a package record mapping"):
        return False
    before = len(c.problems)
    c.known_keys(key, record, RECORD_KEYS)
    for name in ("name", "version"):
        if name not in record:
            c.add(key, f"missing required key '{name}'")
        else:
            c.expect_type(key_path(key, name), record[name], str, "a string")
    for name, kind in _RECORD_FIELD_KINDS:
        if name not in record:
            continue
        if kind == "strings":
            c.string_list(key_path(key, name), record[name])
        elif kind == "integer":
            c.expect_type(key_path(key, name), record[name], int, "an integer")
        else:
            c.expect_type(key_path(key, name), record[name], str, "a string")
    for name, digits in (("md5", 32), ("sha256", 64)):
        if (
            name in record
            and c.expect_type(key_path(key, name), record[name], str, "a string")
            and not re.fullmatch(f"[0-9a-fA-F]{{{digits}}}", record[name])
        ):
            c.add(key_path(key, name), f"expected {digits} hexadecimal digits")
    for name, allowed, words in _RECORD_FIELD_CHOICES:
        if name in record and record[name] not in allowed:
            c.add(key_path(key, name), f"expected {words}, got {describe(record[name])}")
    return len(c.problems) == before
