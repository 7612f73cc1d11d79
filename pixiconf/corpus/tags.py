"""The tags of a case file (its area and ``features``, CASE-FORMAT.md §1, §2), read cheaply.

The plugin collects one item per case file and gives it one marker per tag, without loading
and validating the case (that happens when the item runs, so that under pytest-xdist each
process only loads the cases it runs).  :func:`scan_features` reads the ``features`` of a
case file without a YAML parser when the key is written the way the corpus writes it:

- exactly one line of the file starts with ``features`` at column 0, and it is either
  ``features: [a, b]`` (a flow list on that line) or ``features:`` followed by block list
  entries ``- a`` (one per line, all at the same indentation), ended by the end of the file or
  a line that starts at column 0 (not a comment, not an entry);
- every tag is a plain scalar that YAML reads as a string: a letter then letters, digits,
  ``_``, ``.`` or ``-``, and not ``null``/``true``/``false`` (in any of YAML's spellings);
- nothing in the file could make a column-0 line mean something else or hide another
  top-level key: no line starts with a quote, ``?``, ``{``, ``[``, ``!``, ``&``, ``*``,
  ``%``, ``<<`` (a merge key), a tab, ``---`` or ``...``, and the only line breaks are
  ``\\n`` (PyYAML also breaks lines at ``\\r``, NEL, LS and PS).

Anything else, and every ``.toml`` case, is read with the full reader of
:mod:`.loader` instead (same result, slower).  A malformed case keeps the tags it names when
they can be read (it is an ERROR when it runs either way).  The plugin checks at setup that
the loaded case has exactly the features scanned here, so a case never runs under markers
it does not have.
"""

from __future__ import annotations

import re
from pathlib import Path

from pixiconf.corpus.loader import MAX_CASE_BYTES, parse_case_text, read_case_file
from pixiconf.corpus.schema import Case

__all__ = ["area_of", "case_tags", "case_tags_of", "features_mismatch", "scan_features"]

#: Lines that start a top-level ``features`` key, or could change how column-0 lines read.
_SIGNIFICANT = re.compile(r"^(?:features\b|[\"'?{\[!&*%\t]|<<|---|\.\.\.)", re.MULTILINE)
_FLOW = re.compile(r"features:[ ]*\[(?P<items>[^\[\]\n]*)\][ ]*(?:[ ]#[^\n]*)?")
_HEADER = re.compile(r"features:[ ]*(?:[ ]#[^\n]*)?")
_ENTRY = re.compile(r"(?P<indent>[ ]*)-[ ]+(?P<item>\S+)(?:[ ]+(?:#.*)?)?")
_TAG = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
#: Plain scalars the case reader resolves to something other than a string.
_NOT_STRINGS = frozenset(
    spelling(word)
    for word in ("null", "true", "false")
    for spelling in (str.lower, str.capitalize, str.upper)
)
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def area_of(ident: str) -> str | None:
    """The area of a case ID: its first directory (``None`` for a case at the root)."""
    return ident.split("/", 1)[0] if "/" in ident else None


def _tag_or_none(text: str) -> str | None:
    return text if _TAG.fullmatch(text) and text not in _NOT_STRINGS else None


def _fast_features(text: str) -> tuple[str, ...] | None:
    """The tags of the ``features`` key when written in the simple form (module docs)."""
    if any(brk in text for brk in _OTHER_BREAKS):
        return None
    found = list(_SIGNIFICANT.finditer(text))
    if len(found) != 1 or not text.startswith("features", found[0].start()):
        return None
    start = found[0].start()
    end = text.find("\n", start)
    line = text[start:] if end < 0 else text[start:end]
    flow = _FLOW.fullmatch(line)
    if flow:
        items = flow.group("items")
        if not items.strip():
            return ()
        tags = [_tag_or_none(piece.strip()) for piece in items.split(",")]
        return None if None in tags else tuple(tags)  # type: ignore[arg-type]
    if not _HEADER.fullmatch(line) or end < 0:
        return None
    tags = []
    indent = None
    for entry_line in text[end + 1 :].split("\n"):
        if not entry_line.lstrip(" ") or entry_line.lstrip(" ").startswith("#"):
            continue  # blank lines and comments may come between entries
        entry = _ENTRY.fullmatch(entry_line)
        if entry is None:
            # The list ends at a line that starts at column 0 with a key.
            if entry_line[0] not in " -" and tags:
                break
            return None
        if indent is None:
            indent = entry.group("indent")
        elif entry.group("indent") != indent:
            return None
        tag = _tag_or_none(entry.group("item"))
        if tag is None:
            return None
        tags.append(tag)
    return tuple(tags) if tags else None


def _parsed_features(text: str, path: Path) -> tuple[str, ...]:
    """The string tags of ``features`` after a full parse (none when the file does not parse)."""
    try:
        data = parse_case_text(text, path.suffix, path.name)
    except Exception:  # any failure is the case's error, reported when it runs
        return ()
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        return ()
    return tuple(item for item in features if isinstance(item, str) and item.strip())


def scan_features(path: Path) -> tuple[str, ...]:
    """The ``features`` a case file names (empty when it cannot be read); see module docs."""
    path = Path(path)
    try:
        text = read_case_file(path)
    except (OSError, UnicodeDecodeError):
        return ()
    if len(text) > MAX_CASE_BYTES:  # pragma: no cover - read_case_file already refuses it
        return ()
    fast = _fast_features(text) if path.suffix != ".toml" else None
    return fast if fast is not None else _parsed_features(text, path)


def case_tags(path: Path, ident: str) -> list[str]:
    """The area (from the case ID) and the feature tags of a case file, without duplicates."""
    area = area_of(ident)
    return list(dict.fromkeys([*([area] if area else []), *scan_features(path)]))


def features_mismatch(case: Case, tags: list[str]) -> str | None:
    """Why ``tags`` (the item's markers, from :func:`case_tags`) do not match the loaded
    ``case``, or ``None``: a case must not run under markers it does not have (the file
    changed after collection, or :func:`scan_features` misread an unusual file)."""
    expected = case_tags_of(case)
    if expected == list(tags):
        return None
    return (
        f"the case's tags {expected} differ from the markers given at collection {tags} "
        "(was the file changed during the run?)"
    )


def case_tags_of(case: Case) -> list[str]:
    """The tags of a loaded case: its area and its ``features``."""
    area = area_of(case.id)
    return list(dict.fromkeys([*([area] if area else []), *case.features]))
