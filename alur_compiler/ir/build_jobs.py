"""Pipeline and Ingestion documents -> IR, with SQL analysis against the contracts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.ir.build_checks import build_checks
from alur_compiler.ir.build_common import apply_glue, build_schedule, glue_overrides
from alur_compiler.ir.nodes import (
    GlueConfig,
    Layer,
    Pipeline,
    SourceTable,
    Table,
    WriteMode,
)
from alur_compiler.ir.sql_check import check_output
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.checks import check_list
from alur_compiler.semantic.cron import check_schedule_cron
from alur_compiler.semantic.sql_analyze import OutputColumn
from alur_compiler.semantic.sql_batch import Catalog, SqlResult, analyze_many, analyze_one
from alur_compiler.semantic.sql_expr import SqlLocator, check_row_expression

DEFAULT_MODE = {
    Layer.BRONZE: WriteMode.APPEND,
    Layer.SILVER: WriteMode.MERGE,
    Layer.GOLD: WriteMode.OVERWRITE,
}


def resolve_target(
    doc: SourceDoc, tables: dict[str, Table], known: set[str], diags: Diagnostics
) -> Table | None:
    name = str(doc.data["target"])
    table = tables.get(name)
    if table is None and name not in known:
        diags.report(
            codes.UNKNOWN_TABLE,
            f"unknown target table '{name}'{suggestion_suffix(name, tables)}",
            doc.span_of("/target"),
            hint="declare it as a Table in contracts/",
        )
    return table


def read_sql(doc: SourceDoc, diags: Diagnostics) -> tuple[str, SqlLocator] | None:
    data = doc.data
    if "sql" in data:
        return str(data["sql"]), SqlLocator(doc=doc, ptr="/sql")
    try:
        path = (Path(doc.abspath).parent / str(data["sql_file"])).resolve()
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = (
            (exc.strerror or str(exc))
            if isinstance(exc, OSError)
            else ("not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not a usable path")
        )
        diags.report(
            codes.SQL_FILE_MISSING,
            f"cannot read sql_file '{data['sql_file']}': {reason}",
            doc.span_of("/sql_file"),
            hint="the path is relative to this YAML file",
        )
        return None
    shown = Path(doc.path).parent.joinpath(str(data["sql_file"])).as_posix()
    shown = str(Path(shown)) if ".." not in shown else _normalise(shown)
    return text, SqlLocator(doc=doc, ptr="/sql_file", file=shown, text=text)


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


#: a pipeline's SQL and where it came from, or None when its sql_file cannot be read
Source = tuple[str, SqlLocator] | None


def build_pipeline(
    doc: SourceDoc,
    source: Source,
    tables: dict[str, Table],
    known: set[str],
    defaults: GlueConfig,
    diags: Diagnostics,
    analysed: dict[str, SqlResult] | None = None,
) -> Pipeline | None:
    data: dict[str, Any] = doc.data
    before = len(diags.errors)
    target = resolve_target(doc, tables, known, diags)
    if target is None or source is None:
        return None
    if target.layer is Layer.BRONZE:
        diags.report(
            codes.LAYER_RULE,
            f"'{target.name}' is a bronze table: bronze is filled by ingestions, not pipelines",
            doc.span_of("/target"),
            hint="write an Ingestion for it, or target a silver/gold table",
        )
    sql, loc = source
    done = (analysed or {}).get(str(data["name"]))
    outputs, sources = _analyze_sql(sql, loc, target, tables, diags, done)
    if outputs is not None and target.layer is not Layer.BRONZE:
        check_output(outputs, target, tables, loc, diags)
    mode = WriteMode(data.get("mode", DEFAULT_MODE[target.layer]))
    keys, seq, delete_when = _merge_settings(doc, mode, target, diags, outputs)
    scope = _overwrite_scope(doc, mode, target, diags)
    sources = _incremental(doc, sources, tables, diags)
    specs = data.get("checks", [])
    columns = {c.name: c.type for c in target.columns}
    names = check_list(doc, "/checks", specs, columns, {c.name for c in target.checks}, diags)
    checks = build_checks(doc, "/checks", specs, names, "pipeline")
    check_schedule_cron(doc, diags)
    schedule = build_schedule(doc)
    if len(diags.errors) > before:
        return None
    return Pipeline(
        name=str(data["name"]),
        target=target.name,
        sql=sql,
        mode=mode,
        sources=sources,
        description=str(data.get("description", "")),
        merge_keys=keys,
        sequence_by=seq,
        delete_when=delete_when,
        tombstone_retention_days=int((data.get("merge") or {}).get("tombstone_retention_days", 90)),
        overwrite_scope=scope,
        checks=checks,
        schedule=schedule,
        glue=apply_glue(defaults, data.get("glue")),
        glue_overrides=glue_overrides(data.get("glue")),
        sql_file=data.get("sql_file"),
        sql_span=loc.span(1, 1),
        span=doc.span,
        lineage=tuple((o.name, o.lineage) for o in outputs or ()),
    )


def catalog_of(tables: dict[str, Table]) -> Catalog:
    """What SQL analysis needs to know about the contracts, in picklable form."""
    return Catalog(
        layers={n: t.layer.value for n, t in tables.items()},
        columns={n: {c.name: c.type for c in t.columns} for n, t in tables.items()},
        not_null=frozenset(
            f"{n}.{c.name}" for n, t in tables.items() for c in t.columns if not c.nullable
        ),
    )


def analyse_all(
    docs: dict[str, SourceDoc], sources: dict[str, Source], tables: dict[str, Table]
) -> dict[str, SqlResult]:
    """SQL analysis of every pipeline whose target and SQL are readable, in one batch."""
    items = []
    for name, doc in docs.items():
        source = sources[name]
        target = str(doc.data["target"])
        if source is not None and target in tables:
            items.append((name, source[0], target))
    return analyze_many(items, catalog_of(tables))


def _analyze_sql(
    sql: str,
    loc: SqlLocator,
    target: Table,
    tables: dict[str, Table],
    diags: Diagnostics,
    done: SqlResult | None = None,
) -> tuple[list[OutputColumn] | None, tuple[SourceTable, ...]]:
    result = done if done is not None else analyze_one(sql, target.name, catalog_of(tables))
    for p in result.problems:
        diags.report(p.code, p.message, loc.at(p.offset, p.length), hint=p.hint)
    sources = tuple(
        SourceTable(table=n, written_as=w, refs=tuple(result.refs.get(n, ())))
        for n, w in sorted(result.tables.items())
    )
    return result.columns, sources


def _merge_settings(
    doc: SourceDoc,
    mode: WriteMode,
    target: Table,
    diags: Diagnostics,
    outputs: list[OutputColumn] | None = None,
) -> tuple[tuple[str, ...], str | None, str | None]:
    merge = doc.data.get("merge") or {}
    if merge and mode is not WriteMode.MERGE:
        diags.report(
            codes.WRITE_MODE_RULE,
            f"`merge:` settings are given but mode is {mode}",
            doc.span_of("/merge", key=True),
            hint="set `mode: merge` or remove `merge:`",
        )
    if mode is not WriteMode.MERGE:
        return (), None, None
    keys = tuple(merge.get("keys") or target.primary_key)
    if not keys:
        diags.report(
            codes.MERGE_WITHOUT_KEYS,
            f"merge into '{target.name}' needs keys",
            doc.span_of("/mode") if "mode" in doc.data else doc.span_of("/target"),
            hint="add `merge: {keys: [...]}` or a primary_key to the table",
        )
    cols = {c.name: c for c in target.columns}
    for i, key in enumerate(merge.get("keys") or ()):
        if key not in cols:
            diags.report(
                codes.UNKNOWN_COLUMN,
                f"merge key '{key}' is not a column of "
                f"'{target.name}'{suggestion_suffix(key, cols)}",
                doc.span_of(f"/merge/keys/{i}"),
            )
    # sequence_by and delete_when may use any column the query returns, stored or not
    # (specs/pipeline.md#merge); without a readable query, the target's columns.
    row_cols = tuple(sorted(set(cols) | {o.name for o in outputs or ()}))
    seq = merge.get("sequence_by")
    if seq is not None and seq not in row_cols:
        diags.report(
            codes.UNKNOWN_COLUMN,
            f"sequence_by '{seq}' is not a column of the query or of "
            f"'{target.name}'{suggestion_suffix(seq, row_cols)}",
            doc.span_of("/merge/sequence_by"),
        )
    delete_when = merge.get("delete_when")
    if isinstance(delete_when, str):
        check_row_expression(delete_when, row_cols, SqlLocator(doc, "/merge/delete_when"), diags)
    return keys, seq, delete_when


def _overwrite_scope(doc: SourceDoc, mode: WriteMode, target: Table, diags: Diagnostics) -> str:
    spec = doc.data.get("overwrite") or {}
    if spec and mode is not WriteMode.OVERWRITE:
        diags.report(
            codes.WRITE_MODE_RULE,
            f"`overwrite:` settings are given but mode is {mode}",
            doc.span_of("/overwrite", key=True),
            hint="set `mode: overwrite` or remove `overwrite:`",
        )
    scope = str(spec.get("scope", "table"))
    if scope == "partitions" and not target.partition_by:
        diags.report(
            codes.WRITE_MODE_RULE,
            f"overwrite scope 'partitions' needs a partitioned "
            f"table; '{target.name}' has no partition_by",
            doc.span_of("/overwrite/scope"),
            hint="use scope: table",
        )
    return scope


def _incremental(
    doc: SourceDoc, sources: tuple[SourceTable, ...], tables: dict[str, Table], diags: Diagnostics
) -> tuple[SourceTable, ...]:
    spec = doc.data.get("incremental")
    if not spec:
        return sources
    name, column = str(spec["source"]), str(spec["watermark"])
    if sources and name not in {s.table for s in sources}:
        diags.report(
            codes.WRITE_MODE_RULE,
            f"incremental source '{name}' is not read by the SQL"
            f"{suggestion_suffix(name, [s.table for s in sources])}",
            doc.span_of("/incremental/source"),
        )
        return sources
    table = tables.get(name)
    if table is not None and table.column(column) is None:
        diags.report(
            codes.UNKNOWN_COLUMN,
            f"watermark '{column}' is not a column of '{name}'"
            f"{suggestion_suffix(column, table.column_names)}",
            doc.span_of("/incremental/watermark"),
        )
    return tuple(
        SourceTable(s.table, s.written_as, column if s.table == name else None, s.refs)
        for s in sources
    )
