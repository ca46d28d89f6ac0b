"""A content-addressed cache of parsed spec files, for incremental recompiles.

Parsing YAML (composing the node tree, building the values) is the largest cost of
loading a project. What it yields for a file is a function of the file's bytes and the
loader's limits: the documents' values and, on demand, the position of any value. So a
file whose bytes did not change is not parsed again: its values come from
`.alur/cache/yaml/<key>.json`, with every position query the last compiles asked
(`SourceDoc.answers`: json pointer -> line, column, end). A query not answered there
composes the file after all (`SourceDoc.compose`), so every position is exact.

Only files whose parse reported nothing are stored (a diagnostic always comes from a real
parse), and only values that JSON gives back exactly (no infinity, NaN or integer beyond
64 bits). Each cache file is named by its key and starts with a header line (format,
alurc's code, PyYAML's version, the key and the sha256 of the rest): a file with another
header, a damaged payload or an unexpected shape is a miss and is written again. Files
no compile used are deleted. Deleting the folder costs one full parse.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from alur_compiler.diagnostics import Diagnostics
from alur_compiler.load.limits import Limits
from alur_compiler.load.source import SourceDoc
from alur_compiler.load.yaml_loader import parse_documents

FOLDER = "yaml"
FORMAT = 1


@dataclass
class _Entry:
    """One spec file of this compile: its documents' answers, and how to write them back.

    The entry holds each document's `answers` dict (the same object the document fills),
    never the documents: those, with their node trees, are freed as soon as the project
    is built (at 1,000 pipelines the node trees alone are about 80 MB)."""

    answers: list[dict[str, Any]]
    payload: bytes  # the documents' values as stored (never the values themselves: a
    #: phase may change them in place)
    saved: list[dict[str, Any]]  # the answers as read (or written) last time


@dataclass
class _Session:
    folder: Path
    tool: str
    used: dict[str, _Entry] = field(default_factory=dict)


_SESSION: ContextVar[_Session | None] = ContextVar("alurc_parse_cache", default=None)


@contextmanager
def enabled(folder: Path | None, tool_hash: str = "") -> Iterator[None]:
    """Spec files parsed inside this block use the cache in `folder`/yaml (None or no
    `tool_hash`: off); on leaving it normally, the cache is brought up to date."""
    session = _Session(folder / FOLDER, tool_hash) if folder is not None and tool_hash else None
    token = _SESSION.set(session)
    try:
        yield
        if session is not None:
            _save(session)
    finally:
        _SESSION.reset(token)


def _key(digest: str, limits: Limits) -> str:
    parts = f"{digest}\0{limits.max_bytes}\0{limits.max_depth}\0{limits.max_nodes}"
    return hashlib.sha256(parts.encode()).hexdigest()


def _header(session: _Session, key: str, payload: bytes) -> bytes:
    from alur_compiler import __version__

    return orjson.dumps(
        {
            "format": FORMAT,
            "alurc": __version__,
            "tool": session.tool,
            "pyyaml": yaml.__version__,
            "key": key,
            "sha256": hashlib.sha256(payload).hexdigest(),
        },
        option=orjson.OPT_SORT_KEYS,
    )


def parse_cached(
    text: str,
    path: str,
    abspath: str,
    diags: Diagnostics,
    limits: Limits,
    digest: str | None,
) -> list[SourceDoc]:
    """`parse_documents`, answered from the cache when `digest` (the sha256 of the file's
    bytes) was parsed cleanly before."""
    session = _SESSION.get()
    if session is None or digest is None:
        return parse_documents(text, path, abspath, diags, limits)
    key = _key(digest, limits)
    hit = _read(session, key, text, path, abspath, limits)
    if hit is not None:
        docs, entry = hit
        session.used[key] = entry
        return docs
    mine = Diagnostics()
    docs = parse_documents(text, path, abspath, mine, limits)
    diags.extend(mine)
    payload = _payload(docs) if not mine.items else None
    if payload is not None:
        answers: list[dict[str, Any]] = []
        for doc in docs:
            doc.answers = {}
            answers.append(doc.answers)
        session.used[key] = _Entry(answers, payload, [])
    return docs


def _payload(docs: list[SourceDoc]) -> bytes | None:
    """The documents' values as JSON, or None when JSON would not give them back."""
    values = [[doc.index, doc.data] for doc in docs]
    if not _exact(values):
        return None
    try:
        return orjson.dumps(values)
    except TypeError:  # an integer beyond 64 bits, a lone surrogate
        return None


def _exact(value: Any) -> bool:
    """Whether JSON gives `value` back as it is (finite floats, plain types only)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            if any(type(k) is not str for k in item):
                return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is float:
            if item != item or item in (float("inf"), float("-inf")):
                return False
        elif kind not in (str, int, bool) and item is not None:
            return False
    return True


def _read(
    session: _Session, key: str, text: str, path: str, abspath: str, limits: Limits
) -> tuple[list[SourceDoc], _Entry] | None:
    try:
        data = (session.folder / f"{key}.json").read_bytes()
    except OSError:
        return None
    head, _, rest = data.partition(b"\n")
    answers_raw, _, payload = rest.partition(b"\n")
    if head != _header(session, key, answers_raw + b"\n" + payload):
        return None
    try:
        values, answers = orjson.loads(payload), orjson.loads(answers_raw)
    except orjson.JSONDecodeError:
        return None
    if not (isinstance(values, list) and isinstance(answers, list)):
        return None
    if len(values) != len(answers) or not all(isinstance(a, dict) for a in answers):
        return None
    if not all(isinstance(v, list) and len(v) == 2 and type(v[0]) is int for v in values):
        return None
    nodes = _LazyNodes(text, path, abspath, limits)
    live = [dict(found) for found in answers]  # filled by the documents from here on
    docs = [
        SourceDoc(path, abspath, index, value, answers=mine, compose=nodes)
        for (index, value), mine in zip(values, live, strict=True)
    ]
    return docs, _Entry(live, payload, answers)


class _LazyNodes:
    """Composes a cached file once, when a document needs a position not recorded."""

    def __init__(self, text: str, path: str, abspath: str, limits: Limits) -> None:
        self.args = (text, path, abspath, limits)
        self.roots: dict[int, Any] | None = None

    def __call__(self, index: int) -> Any:
        if self.roots is None:
            text, path, abspath, limits = self.args
            docs = parse_documents(text, path, abspath, Diagnostics(), limits)
            self.roots = {doc.index: doc.root for doc in docs}
        return self.roots.get(index)


def _save(session: _Session) -> None:
    """Write the entries whose answers grew; delete the files no entry used (best effort)."""
    try:
        session.folder.mkdir(parents=True, exist_ok=True)
        for key, entry in session.used.items():
            answers = entry.answers
            if answers == entry.saved:
                continue
            body = orjson.dumps(answers, option=orjson.OPT_SORT_KEYS) + b"\n" + entry.payload
            tmp = session.folder / f".{key}.{os.getpid()}.tmp"
            tmp.write_bytes(_header(session, key, body) + b"\n" + body)
            os.replace(tmp, session.folder / f"{key}.json")
        keep = {f"{key}.json" for key in session.used}
        for name in os.listdir(session.folder):
            if name.endswith(".json") and name not in keep:
                (session.folder / name).unlink(missing_ok=True)
    except OSError:
        pass
