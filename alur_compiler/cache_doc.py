"""The file format the incremental caches share (`.alur/cache/sql.json`, `glue.json`):
`{"header": ..., "entries": {key: entry}}` as JSON (never unpickled), trusted only when
its header equals this alurc's, written back with only the entries a compile used."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import orjson


def read_entries(path: Path, header: dict[str, Any]) -> dict[str, Any]:
    """The entries of `path`, or none when it is missing, does not parse or was written
    by other code (another header)."""
    try:
        doc = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if isinstance(doc, dict) and doc.get("header") == header:
        entries = doc.get("entries")
        return entries if isinstance(entries, dict) else {}
    return {}


def write_entries(
    path: Path, header: dict[str, Any], used: dict[str, Any], read: dict[str, Any]
) -> None:
    """Write the entries this compile `used` unless they equal what it `read` (best
    effort: a cache never fails a build); atomic, by rename."""
    if used == read:
        return
    doc = {"header": header, "entries": used}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS))
        os.replace(tmp, path)
    except OSError:
        pass


@contextmanager
def switched_on(
    folder_var: ContextVar[Path | None], tool_var: ContextVar[str], folder: Path | None, tool: str
) -> Iterator[None]:
    """Inside the block a cache reads and updates its file in `folder` (None: off); `tool`
    names alurc's own code, so a file of other code is never trusted (without it: off)."""
    token = folder_var.set(folder if tool else None)
    saved = tool_var.set(tool)
    try:
        yield
    finally:
        folder_var.reset(token)
        tool_var.reset(saved)
