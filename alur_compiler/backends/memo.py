"""A content-addressed memo of generated files, for incremental recompiles.

A backend renders a file from a few values (for a Glue script: the job's IR node and its
JOB literal). When the same values come back, the memo hands back the bytes rendered last
time instead of rendering them again. A key is a hash over everything the rendering reads;
alurc's own code is in the file's header (the hash fastpath uses), so a memo written by
other code is never trusted. The memo changes no output: a hit returns the bytes the same
rendering produced, and every entry carries the sha256 of its bytes, checked on the way
out, so a damaged entry is a miss.

One file per backend (`.alur/cache/<backend>.json`, beside sql.json), read as JSON (never
unpickled), rejected whole when its header is not this alurc's or it does not parse. Only
the entries a compile used are written back, so the file does not grow with old versions.
It is on only inside `enabled(...)` (api.py: the same rule as the SQL cache: a build folder
inside the project); deleting it costs one full rendering.
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alur_compiler.cache_doc import read_entries, switched_on, write_entries

FORMAT = 1
_FOLDER: ContextVar[Path | None] = ContextVar("alurc_memo", default=None)
_TOOL: ContextVar[str] = ContextVar("alurc_memo_tool", default="")


def enabled(folder: Path | None, tool_hash: str = "") -> AbstractContextManager[None]:
    """Backends inside this block read and update memos in `folder` (None: off); without
    `tool_hash` (alurc's code) the memo stays off."""
    return switched_on(_FOLDER, _TOOL, folder, tool_hash)


def key(*parts: bytes | str) -> str:
    """A hash over `parts`, each length-prefixed (no two sequences of parts collide)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(b"%d:" % len(data))
        digest.update(data)
    return digest.hexdigest()


class Memo:
    """Entries of one backend: key -> [sha256 of the text, the UTF-8 text]."""

    def __init__(self, folder: Path, name: str) -> None:
        from alur_compiler import __version__

        self.path = folder / f"{name}.json"
        self.header = {"format": FORMAT, "alurc": __version__, "tool": _TOOL.get()}
        self.entries: dict[str, Any] = {}
        self.used: dict[str, list[str]] = {}
        self.entries = read_entries(self.path, self.header)

    def get(self, name: str) -> bytes | None:
        entry = self.entries.get(name)
        if not (isinstance(entry, list) and len(entry) == 2):
            return None
        digest, text = entry
        if not (isinstance(digest, str) and isinstance(text, str)):
            return None
        try:
            content = text.encode("utf-8")
        except UnicodeEncodeError:
            return None
        if hashlib.sha256(content).hexdigest() != digest:
            return None
        self.used[name] = entry
        return content

    def put(self, name: str, content: bytes) -> None:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return  # not text: not memoised
        self.used[name] = [hashlib.sha256(content).hexdigest(), text]

    def save(self) -> None:
        """Write the entries this compile used (best effort: never fails a build)."""
        write_entries(self.path, self.header, self.used, self.entries)


def open_memo(name: str) -> Memo | None:
    """The memo of backend `name`, or None when memos are off."""
    folder = _FOLDER.get()
    return Memo(folder, name) if folder is not None else None
