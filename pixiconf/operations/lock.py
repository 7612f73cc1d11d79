"""The lock operations of CASE-FORMAT.md §3: ``lock`` and ``lock-check``.

``lock``: the written ``pixi.lock``, parsed as YAML (YAML 1.2 scalars: only ``true``/``false``
are booleans, dates stay strings), with every local channel rewritten: a case channel's
``file://`` URL and its filesystem path become ``{{channels.NAME}}`` (so a package location
reads ``{{channels.NAME}}/linux-64/<file>`` and an environment channel
``{{channels.NAME}}/``), and the workspace root becomes ``{{workspace}}``.

Error messages get the same rewriting.  The solving and writing live in :mod:`pixiconf.lock`
(``lock_workspace``).

In a case (a confined request) the manifest must lie in the workspace and every channel that
is a local path or a ``file://`` URL inside the case's temporary directory
(:func:`pixiconf.confinement.confine_channel`); ``~`` is the home the solve will use, the
process's, which the case runner's worker sets to the case's ``HOME``.  Anything else raises
:class:`~pixiconf.confinement.WorkspaceError`, an ERROR of the case.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from pixiconf.diagnostics import DiagnosticError, UnsupportedOperation
from pixiconf.manifest import toml
from pixiconf.operations.context import load_workspace, relative_path
from pixiconf.operations.request import OperationRequest, OperationResult

__all__ = ["LockPackages", "lock", "lock_check", "observe_lock_text", "rewrite_local_paths"]


def _has_key(data: Any, key: str) -> bool:
    """Whether a table anywhere in ``data`` has ``key`` (a walk with a stack: TOML values
    nest up to 400 levels)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            if key in item:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _check_raw(path: Path, text: str | None) -> None:
    """What the manifest model does not keep but would change the solve."""
    try:
        data = toml.loads(text if text is not None else path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, toml.TOMLDecodeError, RecursionError):
        return
    if path.name == "pyproject.toml":
        data = (data.get("tool") or {}).get("pixi") or {}
    if _has_key(data, "exclude-newer"):
        raise UnsupportedOperation("`exclude-newer` is not modelled by the lock flow")


def _forms(path: str) -> list[str]:
    """The spellings of a local directory in a lock file: URL and path, no trailing slash."""
    path = path.rstrip("/\\")
    forms = [Path(path).as_uri(), "file://" + quote(os.fsencode(path)), path]  # bytes: any name
    return sorted(set(forms), key=len, reverse=True)


def rewrite_local_paths(
    value: Any, channels: Mapping[str, str], workspace_root: Path | None = None
) -> Any:
    """Rewrite case channel URLs/paths to ``{{channels.NAME}}`` and the workspace root to
    ``{{workspace}}``, in every string of ``value``."""
    replacements: list[tuple[str, str]] = []
    for name, url in channels.items():
        local = unquote(urlsplit(url).path) if url.startswith("file:") else url
        for form in _forms(local):
            replacements.append((form, f"{{{{channels.{name}}}}}"))
    if workspace_root is not None:
        for form in _forms(str(Path(workspace_root).resolve())):
            replacements.append((form, "{{workspace}}"))
    replacements.sort(key=lambda item: len(item[0]), reverse=True)

    def rewrite(item: Any) -> Any:
        if isinstance(item, str):
            for old, new in replacements:
                if old in item:
                    item = item.replace(old, new)
            return item
        if isinstance(item, Mapping):
            return {rewrite(k): rewrite(v) for k, v in item.items()}
        if isinstance(item, list):
            return [rewrite(v) for v in item]
        return item

    return rewrite(value)


def observe_lock_text(
    text: str,
    channels: Mapping[str, str],
    workspace_root: Path | None = None,
    *,
    lazy: bool = False,
) -> Any:
    """The ``lock`` observation of a lock file's text.

    With ``lazy``, the ``packages`` list of a large lock file is a :class:`LockPackages`,
    parsed a piece at a time whenever it is read (the command line prints it piece by piece);
    a piece that fails to parse then raises the whole text's error when it is reached."""
    import yaml

    loader = _lock_loader()
    split = _split_packages(text)
    if split is not None:
        # The head and the ``packages`` list in pieces of whole items: the same values, but
        # PyYAML's node graph (several times the values' size) is one piece's at a time.
        # Anything unexpected (an error, a head that is not a mapping) is parsed whole, so
        # errors and their locations are the whole text's.
        head, spans, count = split
        try:
            data = yaml.load(head, Loader=loader)
            if isinstance(data, dict) and "packages" not in data:
                data = rewrite_local_paths(data, channels, workspace_root)
                packages = LockPackages(text, spans, count, channels, workspace_root)
                data["packages"] = packages if lazy else list(packages)
                return data
        except yaml.YAMLError:
            pass
    data = yaml.load(text, Loader=loader)
    return rewrite_local_paths(data, channels, workspace_root)


class LockPackages(Sequence[Any]):
    """The top-level ``packages`` list of a large lock file, kept as text and parsed
    (and rewritten, :func:`rewrite_local_paths`) one piece of :data:`PACKAGES_PER_PIECE`
    items at a time whenever it is read: :meth:`pieces` for the pieces, or as a sequence.
    A piece that does not parse raises the error of the whole text (its location)."""

    def __init__(
        self,
        text: str,
        spans: list[tuple[int, int]],
        count: int,
        channels: Mapping[str, str],
        workspace_root: Path | None,
    ) -> None:
        self._text, self._spans, self._count = text, spans, count
        self._channels, self._root = dict(channels), workspace_root

    def pieces(self) -> Iterator[list[Any]]:
        import yaml

        loader = _lock_loader()
        for start, end in self._spans:
            try:
                piece = yaml.load(self._text[start:end], Loader=loader)
            except yaml.YAMLError:
                yaml.load(self._text, Loader=loader)  # the whole text's error and location
                raise
            yield rewrite_local_paths(piece, self._channels, self._root)

    def __iter__(self) -> Iterator[Any]:
        for piece in self.pieces():
            yield from piece

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LockPackages | list | tuple):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<LockPackages: {self._count} packages>"


#: Items of the top-level ``packages`` list parsed at a time by :func:`observe_lock_text`.
PACKAGES_PER_PIECE = 2000

_PACKAGES_KEY = "\npackages:\n"
#: A line of the ``packages`` list that is neither an item's start nor indented.
_FOREIGN_LINE = re.compile(r"\n(?!- |  )")
_ITEM = re.compile(r"^- ", re.MULTILINE)


def _split_packages(text: str) -> tuple[str, list[tuple[int, int]], int] | None:
    """rattler's layout of a large lock file: the head, then a last top-level key
    ``packages:`` whose block list starts every item with ``- `` in column 0.  Returns the
    head, the ``(start, end)`` offsets in ``text`` of the list's pieces of
    :data:`PACKAGES_PER_PIECE` items and the number of items, or ``None`` when the text is
    not laid out so (it is then parsed whole)."""
    start = text.find(_PACKAGES_KEY)
    if start < 0 or len(text) < 1_000_000 or text.startswith("packages:"):
        return None
    head, body = text[: start + 1], start + len(_PACKAGES_KEY)
    if not text.startswith("- ", body):
        return None
    foreign = _FOREIGN_LINE.search(text, body)
    if foreign is not None and foreign.end() != len(text):
        return None
    spans: list[tuple[int, int]] = []
    begin, count = body, 0
    for item in _ITEM.finditer(text, body):
        if count and count % PACKAGES_PER_PIECE == 0:
            spans.append((begin, item.start()))
            begin = item.start()
        count += 1
    spans.append((begin, len(text)))
    return head, spans, count


def _lock_loader() -> type:
    """The strict loader's YAML 1.2 scalars for a lock file, without the expansion limits of
    a case file (a lock file of 50,000 packages has millions of nodes).  A lock file has no
    aliases (rattler writes none), so one is refused: the size is then the text's."""
    import yaml

    from pixiconf.safe_yaml import StrictLoader

    class LockLoader(StrictLoader):
        def get_single_data(self) -> Any:
            node = self.get_single_node()
            if node is None:
                return None
            seen: set[int] = set()
            stack = [node]
            while stack:
                item = stack.pop()
                if id(item) in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, "a lock file has no aliases", item.start_mark
                    )
                seen.add(id(item))
                if isinstance(item, yaml.SequenceNode):
                    stack.extend(item.value)
                elif isinstance(item, yaml.MappingNode):
                    stack.extend(part for pair in item.value for part in pair)
            return self.construct_document(node)

    return LockLoader


def _confine(request: OperationRequest, found: Any, manifest: Any) -> None:
    """A case may only write below its workspace and read channels inside its directory."""
    from pixiconf.confinement import WorkspaceError, confine_channel, is_inside

    if not request.confined:
        return
    key = f"files[{relative_path(request, found.path)!r}]"
    if not is_inside(found.path, (request.workspace_root,)):
        raise WorkspaceError("the manifest to lock is outside the workspace", key)
    channels = [
        *manifest.workspace.channels,
        *(c for f in manifest.features.values() for c in (f.channels or ())),
    ]
    home = os.path.expanduser("~")  # what the solve expands `~` with
    for channel in channels:
        confine_channel(
            channel.channel,
            key=key,
            manifest_dir=found.path.parent,
            home=home,
            base=request.workspace_root.parent,
        )


def lock(request: OperationRequest) -> OperationResult:
    """Solve and write ``pixi.lock`` next to the manifest; observe it."""
    from pixiconf.lock import lock_workspace

    found, manifest, warnings = load_workspace(request)
    _confine(request, found, manifest)
    _check_raw(found.path, found.text)
    channels = dict(getattr(request, "channels", None) or {})
    try:
        path, lock_warnings = lock_workspace(manifest, found.path.parent, channels)
    except DiagnosticError as exc:
        # Messages name channels too (a missing subdir, ...): the same rewriting.
        raise DiagnosticError(
            [
                replace(d, message=rewrite_local_paths(d.message, channels, request.workspace_root))
                for d in exc.diagnostics
            ]
        ) from None
    text = path.read_text(encoding="utf-8")
    value = observe_lock_text(text, channels, request.workspace_root, lazy=True)
    return OperationResult(value, [*warnings, *lock_warnings])


def lock_check(request: OperationRequest) -> OperationResult:
    """``{satisfiable, reasons}`` of ``pixi.lock`` against the manifest.

    The lock file next to the manifest is read with rattler (:mod:`pixiconf.lock.read`); a
    corrupt, truncated or newer-format file fails with a located diagnostic.  A missing lock
    file is an empty one, as pixi loads it: every environment is then missing.  The reasons
    are pixi's (:mod:`pixiconf.lock.satisfiability`); nothing is solved, nothing is fetched.
    """
    from pixiconf.diagnostics import warning
    from pixiconf.lock import LOCK_FILE_NAME
    from pixiconf.lock.read import PixiLock, read_lock_file
    from pixiconf.lock.satisfiability import check_lock

    found, manifest, warnings = load_workspace(request)
    _check_raw(found.path, found.text)
    root = found.path.parent
    path = root / LOCK_FILE_NAME
    if path.is_file():
        locked = read_lock_file(path, display=relative_path(request, path))
    else:
        locked = PixiLock(7, [], {})
    result = check_lock(manifest, locked, root)
    return OperationResult(
        result.observation(), [*warnings, *(warning(text) for text in result.warnings)]
    )
