"""SQL analysis of many pipelines at once, on every core for large projects.

Everything a worker needs is a plain, picklable `Catalog` of the contracts; the sqlglot
schema object built from it is made once per process (types parsed once, not per query).
Workers are forked, so they start with the modules and the catalog already loaded.
"""

from __future__ import annotations

import gc
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

from alur_compiler.semantic.sql_analyze import OutputColumn, analyze
from alur_compiler.semantic.sql_cache import open_cache
from alur_compiler.semantic.sql_ctes import duplicate_ctes
from alur_compiler.semantic.sql_parse import SPARK, SqlProblem, parse_select, resolve_tables

#: below this many pipelines a process pool costs more than it saves
PARALLEL_THRESHOLD = 200


@dataclass(frozen=True)
class Catalog:
    layers: dict[str, str]  # table -> layer
    columns: dict[str, dict[str, str]]  # table -> column -> Spark type
    not_null: frozenset[str]  # "table.column" declared NOT NULL


@dataclass
class SqlResult:
    problems: list[SqlProblem] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)  # table -> as written
    refs: dict[str, list[tuple[int, int, bool]]] = field(default_factory=dict)
    columns: list[OutputColumn] | None = None  # None when the SQL could not be analysed


_STATE: dict[str, Any] = {}


def _schema(catalog: Catalog) -> Any:
    """One sqlglot MappingSchema per catalog and process: layer -> table -> columns."""
    if _STATE.get("catalog") is not catalog:
        from sqlglot.schema import MappingSchema

        nested: dict[str, dict[str, dict[str, str]]] = {}
        for table, cols in catalog.columns.items():
            nested.setdefault(catalog.layers[table], {})[table] = cols
        _STATE["catalog"] = catalog
        mapping: dict[str, object] = dict(nested)
        _STATE["schema"] = MappingSchema(mapping, dialect=SPARK)
    return _STATE["schema"]


def analyze_one(sql: str, target: str, catalog: Catalog) -> SqlResult:
    parsed = parse_select(sql)
    if parsed.tree is not None:
        parsed.problems.extend(duplicate_ctes(parsed.tree, sql))
    if parsed.tree is not None and not parsed.problems:
        resolve_tables(parsed, catalog.layers, target)
    result = SqlResult(
        problems=list(parsed.problems), tables=dict(parsed.tables), refs=dict(parsed.refs)
    )
    if parsed.tree is None or parsed.problems:
        return result
    analysis = analyze(parsed, _schema(catalog), catalog.not_null, catalog.columns)
    result.problems.extend(analysis.problems)
    result.columns = None if analysis.problems else analysis.columns
    return result


#: queries analysed between two collections of their garbage
COLLECT_EVERY = 32


def _analyze_serial(
    items: list[tuple[str, str, str]], catalog: Catalog
) -> list[tuple[str, SqlResult]]:
    """Each query analysed in turn, and the garbage of the analyses freed as it comes.

    A compile runs with the cyclic collector paused (api.gc_paused), and sqlglot's trees
    are cycles (every node points to its parent): without a collection, every tree of the
    project stays in memory until the compile ends (about 100 MB per 1,000 dbt-like
    pipelines). Everything that existed before is frozen first, so each collection of the
    youngest generation examines only what the last few analyses allocated: the cost
    grows with the queries, never with the project around them."""
    out: list[tuple[str, SqlResult]] = []
    gc.freeze()
    try:
        for count, (key, sql, target) in enumerate(items, 1):
            out.append((key, analyze_one(sql, target, catalog)))
            if count % COLLECT_EVERY == 0:
                gc.collect(0)
        gc.collect(0)
    finally:
        gc.unfreeze()
    return out


def _worker(chunk: list[tuple[str, str, str]]) -> list[tuple[str, SqlResult]]:
    return _analyze_serial(chunk, _STATE["pending"])


def analyze_many(items: list[tuple[str, str, str]], catalog: Catalog) -> dict[str, SqlResult]:
    """(key, sql, target) -> result, in the order of `items`; clean results come from the
    project's SQL cache when one is enabled (sql_cache), the others are analysed."""
    cache = open_cache(catalog)
    if cache is None:
        return _analyze_many(items, catalog)
    keys = {name: cache.key(sql, target) for name, sql, target in items}
    found = {name: cache.get(keys[name]) for name, _, _ in items}
    todo = [item for item in items if found[item[0]] is None]
    fresh = _analyze_many(todo, catalog)
    for name, result in fresh.items():
        cache.put(keys[name], result)
    cache.save()
    return {name: found[name] or fresh[name] for name, _, _ in items}


def _analyze_many(items: list[tuple[str, str, str]], catalog: Catalog) -> dict[str, SqlResult]:
    """(key, sql, target) -> result; uses a forked process pool for large batches."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < PARALLEL_THRESHOLD or workers < 2 or os.environ.get("ALURC_NO_PARALLEL"):
        return dict(_analyze_serial(items, catalog))
    _STATE["pending"] = catalog
    _schema(catalog)  # build before forking: children inherit it
    size = max(1, len(items) // (workers * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return {key: res for part in pool.map(_worker, chunks) for key, res in part}
