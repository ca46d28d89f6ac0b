"""A content-addressed cache of clean SQL analyses, for incremental recompiles.

SQL analysis (sqlglot parse, column resolution, typing, lineage) is the largest per-pipeline
cost of a compile. A clean result (no problem at all) is a function of: the SQL text, the
target's name, the layer of every table (how names resolve), and the columns, types and
NOT NULLs of the tables the SQL reads. The cache keys an entry by the first three and
stores the read tables' contract digest beside the result; a lookup hits only when that
digest still matches the current contracts. So an edited SQL file re-analyses its own
pipeline, an edited contract re-analyses exactly the pipelines that read that table, an
edited check re-analyses nothing, and adding or removing a table re-analyses everything.
Results with problems are never stored: every diagnostic comes from a real analysis.

The file (`.alur/cache/sql.json` in the project, beside fastpath's compile.json) is a
shortcut only: it is read as JSON (never unpickled), rejected whole when it was written by
another alurc or sqlglot (versions and alurc's code hash in its header) or does not parse,
and any entry that does not have the exact expected shape is a miss. Deleting it costs one
full analysis.
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alur_compiler.cache_doc import read_entries, switched_on, write_entries

if TYPE_CHECKING:
    from alur_compiler.semantic.sql_batch import Catalog, SqlResult

FILE = "sql.json"
FORMAT = 1
_FOLDER: ContextVar[Path | None] = ContextVar("alurc_sql_cache", default=None)
#: the hash of alurc's own code (fastpath._tool_hash), given by the caller: the semantic
#: layer does not import the layers above it
_TOOL: ContextVar[str] = ContextVar("alurc_sql_cache_tool", default="")


def enabled(folder: Path | None, tool_hash: str = "") -> AbstractContextManager[None]:
    """SQL analyses inside this block read and update the cache in `folder` (None: off);
    `tool_hash` names alurc's own code, so a cache of other code is never trusted (without
    one the cache stays off)."""
    return switched_on(_FOLDER, _TOOL, folder, tool_hash)


def _header() -> dict[str, Any]:
    from importlib.metadata import version

    from alur_compiler import __version__

    return {
        "format": FORMAT,
        "alurc": __version__,
        "tool": _TOOL.get(),
        "sqlglot": version("sqlglot"),  # the analyser: another release may type differently
    }


def _sha(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


class SqlCache:
    """Entries of one project: key -> [tables read, their contract digest, result]."""

    def __init__(self, folder: Path, catalog: Catalog) -> None:
        self.path = folder / FILE
        self.catalog = catalog
        self.header = _header()
        self.layers = _sha(*(f"{t}={layer}" for t, layer in sorted(catalog.layers.items())))
        self.entries: dict[str, Any] = {}
        self.used: dict[str, Any] = {}
        self._digests: dict[str, str] = {}
        self._read()

    def _read(self) -> None:
        self.entries = read_entries(self.path, self.header)

    def key(self, sql: str, target: str) -> str:
        return _sha(sql, target, self.layers)

    def _table_digest(self, name: str) -> str:
        found = self._digests.get(name)
        if found is None:
            cols = self.catalog.columns.get(name, {})
            nn = self.catalog.not_null
            found = _sha(name, *(f"{c}:{t}:{f'{name}.{c}' in nn}" for c, t in cols.items()))
            self._digests[name] = found
        return found

    def _digest(self, tables: list[str]) -> str:
        return _sha(*(self._table_digest(t) for t in tables))

    def get(self, key: str) -> SqlResult | None:
        entry = self.entries.get(key)
        try:
            tables = entry[0]  # type: ignore[index]
            if any(t not in self.catalog.columns for t in tables):
                return None
            if entry[1] != self._digest(tables):  # type: ignore[index]
                return None
            result = _decode(entry[2])  # type: ignore[index]
        except (TypeError, KeyError, IndexError, ValueError, AttributeError):
            return None
        self.used[key] = entry
        return result

    def put(self, key: str, result: SqlResult) -> None:
        if result.problems or result.columns is None:
            return
        tables = sorted(result.tables)
        if any(t not in self.catalog.columns for t in tables):
            return
        self.used[key] = [tables, self._digest(tables), _encode(result)]

    def save(self) -> None:
        """Write the entries this compile used (best effort: never fails a build)."""
        write_entries(self.path, self.header, self.used, self.entries)


def open_cache(catalog: Catalog) -> SqlCache | None:
    folder = _FOLDER.get()
    return SqlCache(folder, catalog) if folder is not None else None


def _encode(result: SqlResult) -> list[Any]:
    assert result.columns is not None
    cols = [
        [c.name, c.type, c.offset, list(c.lineage), c.nullable, c.length] for c in result.columns
    ]
    refs = [[t, [list(r) for r in rs]] for t, rs in result.refs.items()]
    return [list(result.tables.items()), refs, cols]  # pairs: the dicts' order is kept


def _decode(data: list[Any]) -> SqlResult:
    """The stored result, checked field by field (a wrong shape raises: a miss)."""
    from alur_compiler.semantic.sql_analyze import OutputColumn
    from alur_compiler.semantic.sql_batch import SqlResult

    tables, refs, cols = data
    out_tables = {_str(k): _str(v) for k, v in tables}
    out_refs = {_str(t): [(_int(a), _int(b), _bool(c)) for a, b, c in rs] for t, rs in refs}
    columns = [
        OutputColumn(
            name=_str(name),
            type=None if typ is None else _str(typ),
            offset=_int(offset),
            lineage=tuple(_str(x) for x in lineage),
            nullable=_bool(nullable),
            length=_int(length),
        )
        for name, typ, offset, lineage, nullable, length in cols
    ]
    return SqlResult(problems=[], tables=out_tables, refs=out_refs, columns=columns)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(value)
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(value)
    return value
