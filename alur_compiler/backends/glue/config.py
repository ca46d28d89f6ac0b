"""The JOB config literal of a generated script, built from the IR (plain data only)."""

from __future__ import annotations

from typing import Any

from alur_compiler.backends.glue.sql import rewrite_sql, view_name
from alur_compiler.backends.quality.native import native_checks
from alur_compiler.ir import INGESTION_COLUMNS, CheckType, Ingestion, Pipeline, Project, Table

_INGESTION_NAMES = frozenset(name for name, _ in INGESTION_COLUMNS)


def quote_ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def table_ddl(table: Table) -> str:
    """Column list for CREATE TABLE / a reader schema: "`a` string, `b` int"."""
    return ", ".join(f"{quote_ident(c.name)} {c.type}" for c in table.columns)


def partition_spec(table: Table) -> str:
    parts = []
    for p in table.partition_by:
        col = quote_ident(p.column)
        if p.transform in (None, "identity"):
            parts.append(col)
        elif p.arg is not None:
            parts.append(f"{p.transform}({p.arg}, {col})")
        else:
            parts.append(f"{p.transform}({col})")
    return ", ".join(parts)


def target_config(table: Table) -> dict[str, Any]:
    return {
        "name": table.name,
        "layer": str(table.layer),
        "columns": [
            {"name": c.name, "type": c.type, "nullable": c.nullable} for c in table.columns
        ],
        "column_names": list(table.column_names),
        "ddl": table_ddl(table),
        "partition_spec": partition_spec(table),
        "partition_by": [
            {"column": p.column, "transform": p.transform, "arg": p.arg} for p in table.partition_by
        ],
        "primary_key": list(table.primary_key),
    }


def checks_config(project: Project, table: str) -> list[dict[str, Any]]:
    return native_checks(project, table)


def lookups_config(project: Project, table: str) -> dict[str, Any]:
    """Tables that relationship checks read: name -> layer and reader schema."""
    out: dict[str, Any] = {}
    for check in project.effective_checks(table):
        if check.type is CheckType.RELATIONSHIP and check.ref_table:
            ref = project.table(check.ref_table)
            out[ref.name] = {"layer": str(ref.layer), "ddl": table_ddl(ref)}
    return dict(sorted(out.items()))


def ingestion_writers(project: Project, table: str) -> list[str]:
    """Ingestions appending to a bronze table: their uncommitted batches stay hidden."""
    return sorted(i.name for i in project.ingestions if i.target == table)


def pipeline_config(project: Project, pipeline: Pipeline) -> dict[str, Any]:
    table = project.table(pipeline.target)
    sources = []
    for s in pipeline.sources:
        src = project.table(s.table)
        inc = src.column(s.incremental_column) if s.incremental_column else None
        sources.append(
            {
                "table": src.name,
                "layer": str(src.layer),
                "view": view_name(src.name),
                "ddl": table_ddl(src),
                "incremental_column": s.incremental_column,
                "incremental_type": inc.type if inc else None,
                "writers": ingestion_writers(project, src.name),
            }
        )
    merge = None
    if str(pipeline.mode) == "merge":
        merge = {
            "keys": list(pipeline.merge_keys or table.primary_key),
            "sequence_by": pipeline.sequence_by,
            "delete_when": pipeline.delete_when,
        }
    return {
        "kind": "pipeline",
        "name": pipeline.name,
        "description": pipeline.description,
        "target": target_config(table),
        "mode": str(pipeline.mode),
        "merge": merge,
        "overwrite_scope": pipeline.overwrite_scope,
        "sources": sources,
        "sql": rewrite_sql(pipeline.sql, pipeline.sources),
        "checks": checks_config(project, table.name),
        "lookups": lookups_config(project, table.name),
    }


def ingestion_config(project: Project, ingestion: Ingestion) -> dict[str, Any]:
    table = project.table(ingestion.target)
    file_columns = [
        {"name": c.name, "type": c.type, "nullable": c.nullable}
        for c in table.columns
        if c.name not in _INGESTION_NAMES
    ]
    return {
        "kind": "ingestion",
        "name": ingestion.name,
        "description": ingestion.description,
        "target": target_config(table),
        "source_system": ingestion.source_system,
        "sources": [
            {"path": s.path, "format": s.format, "pattern": s.pattern, "options": dict(s.options)}
            for s in ingestion.sources
        ],
        "file_columns": file_columns,
        "on_bad_file": ingestion.on_bad_file,
        "on_bad_row": ingestion.on_bad_row,
        "lease_seconds": ingestion.glue.timeout_minutes * 60,
        "checks": checks_config(project, table.name),
        "lookups": lookups_config(project, table.name),
    }
