"""The JOB literal of a generated script, built from the IR as `alur_runtime.config` types.

The TypedDicts are imported for type checking only: mypy checks these builders, the
runtime that reads the values and the generated scripts (`JOB: PipelineJob = {...}`)
against the same key names, and nothing of the runtime is imported while compiling.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from alur_compiler.backends.glue.sql import rewrite_sql, view_name
from alur_compiler.ir import (
    INGESTION_COLUMNS,
    CheckType,
    Ingestion,
    Layer,
    Pipeline,
    Project,
    Table,
)
from alur_compiler.ir import Scd2 as Scd2IR
from alur_compiler.ir.check_sql import native_checks, row_expression
from alur_compiler.ir.jdbc import JdbcSource as JdbcSourceIR

if TYPE_CHECKING:
    from alur_runtime.config import (
        Check,
        Column,
        FileSource,
        IngestionJob,
        JdbcSource,
        Lookup,
        Merge,
        PipelineJob,
        Scd2,
        Source,
        Target,
    )

_INGESTION_NAMES = frozenset(name for name, _ in INGESTION_COLUMNS)


def columns_config(table: Table) -> list[Column]:
    return [{"name": c.name, "type": c.type, "nullable": c.nullable} for c in table.columns]


def reader_columns(table: Table) -> list[Column]:
    """The Parquet reader schema of a bronze table; Iceberg tables need none."""
    return columns_config(table) if table.layer is Layer.BRONZE else []


def target_columns(table: Table) -> list[Column]:
    """The written columns, with what schema evolution needs (alur_runtime/evolve.py): a
    declared `renamed_from` and the line:col of each column in the contract."""
    out = columns_config(table)
    for col, spec in zip(out, table.columns, strict=True):
        if spec.renamed_from:
            col["renamed_from"] = spec.renamed_from
        if spec.span.file != "<unknown>":
            col["at"] = f"{spec.span.line}:{spec.span.col}"
    return out


def contract_path(table: Table, root: str) -> str | None:
    """The contract file relative to the project root (the script must not depend on the
    compiler's working directory, which spans are relative to)."""
    if table.span.file == "<unknown>":
        return None
    return os.path.relpath(os.path.abspath(table.span.file), root).replace(os.sep, "/")


def target_config(table: Table, root: str) -> Target:
    target: Target = {
        "name": table.name,
        "layer": cast(Any, str(table.layer)),
        "columns": target_columns(table),
        "partition_by": [
            {"column": p.column, "transform": p.transform, "arg": p.arg} for p in table.partition_by
        ],
        "primary_key": list(table.primary_key),
        "pii": [c.name for c in table.columns if c.pii],
    }
    contract = contract_path(table, root)
    if contract is not None:
        target["contract"] = contract
    return target


def checks_config(project: Project, table: str) -> list[Check]:
    """The lowered checks, without what the runtime never reads (`origin`)."""
    checks = [{k: v for k, v in c.items() if k != "origin"} for c in native_checks(project, table)]
    return cast("list[Check]", checks)


def lookups_config(project: Project, table: str) -> dict[str, Lookup]:
    """Tables that relationship checks read: name -> layer and columns."""
    out: dict[str, Lookup] = {}
    for check in project.effective_checks(table):
        if check.type is CheckType.RELATIONSHIP and check.ref_table:
            ref = project.table(check.ref_table)
            out[ref.name] = {"layer": cast(Any, str(ref.layer)), "columns": reader_columns(ref)}
    return dict(sorted(out.items()))


def ingestion_writers(project: Project, table: str) -> list[str]:
    """Ingestions appending to a bronze table: their uncommitted batches stay hidden."""
    return project.ingestion_writers(table)


def sources_config(project: Project, pipeline: Pipeline) -> list[Source]:
    sources: list[Source] = []
    for s in pipeline.sources:
        src = project.table(s.table)
        inc = src.column(s.incremental_column) if s.incremental_column else None
        sources.append(
            {
                "table": src.name,
                "layer": cast(Any, str(src.layer)),
                "view": view_name(src.name),
                "columns": reader_columns(src),
                "incremental_column": s.incremental_column,
                "incremental_type": inc.type if inc else None,
                "writers": ingestion_writers(project, src.name),
            }
        )
    return sources


def pipeline_config(project: Project, pipeline: Pipeline) -> PipelineJob:
    table = project.table(pipeline.target)
    merge: Merge | None = None
    if str(pipeline.mode) == "merge":
        merge = {
            "keys": list(pipeline.merge_keys or table.primary_key),
            "sequence_by": pipeline.sequence_by,
            "delete_when": row_expression(pipeline.delete_when) if pipeline.delete_when else None,
            "tombstone_retention_days": pipeline.tombstone_retention_days,
        }
    job: PipelineJob = {
        "kind": "pipeline",
        "name": pipeline.name,
        "target": target_config(table, project.root),
        "mode": cast(Any, str(pipeline.mode)),
        "merge": merge,
        "overwrite_scope": cast(Any, pipeline.overwrite_scope),
        "sources": sources_config(project, pipeline),
        "sql": rewrite_sql(pipeline.sql, pipeline.sources),
        "lease_seconds": pipeline.glue.timeout_minutes * 60,
        "checks": checks_config(project, table.name),
        "lookups": lookups_config(project, table.name),
    }
    if pipeline.scd2 is not None:
        job["scd2"] = scd2_config(pipeline.scd2)
    return job


def scd2_config(s: Scd2IR) -> Scd2:
    return {
        "keys": list(s.keys),
        "sequence_by": s.sequence_by,
        "check_cols": list(s.check_cols),
        "delete_when": row_expression(s.delete_when) if s.delete_when else None,
        "valid_from": s.valid_from,
        "valid_to": s.valid_to,
        "is_current": s.is_current,
    }


def file_columns_config(table: Table) -> list[Column]:
    """The columns read from a landing file, with how the file spells them (`source_name`)."""
    out: list[Column] = []
    for col in table.columns:
        if col.name in _INGESTION_NAMES:
            continue
        entry: Column = {"name": col.name, "type": col.type, "nullable": col.nullable}
        if col.source_name is not None:
            entry["source_name"] = col.source_name
        out.append(entry)
    return out


def ingestion_config(project: Project, ingestion: Ingestion) -> IngestionJob:
    table = project.table(ingestion.target)
    file_columns = file_columns_config(table)
    sources: list[FileSource] = [
        {
            "path": s.path,
            "format": cast(Any, s.format),
            "pattern": s.pattern,
            "options": dict(s.options),
            "recursive": s.recursive,
        }
        for s in ingestion.sources
    ]
    job: IngestionJob = {
        "kind": "ingestion",
        "name": ingestion.name,
        "target": target_config(table, project.root),
        "source_system": ingestion.source_system,
        "sources": sources,
        "file_columns": file_columns,
        "on_bad_file": cast(Any, ingestion.on_bad_file),
        "on_bad_row": cast(Any, ingestion.on_bad_row),
        "on_duplicate_file": cast(Any, ingestion.on_duplicate_file),
        "lease_seconds": ingestion.glue.timeout_minutes * 60,
        "checks": checks_config(project, table.name),
        "lookups": lookups_config(project, table.name),
    }
    if ingestion.jdbc is not None:
        job["jdbc"] = jdbc_config(ingestion.jdbc, table)
    return job


def jdbc_config(source: JdbcSourceIR, table: Table) -> JdbcSource:
    """A database source; the credentials are not in it (the secret's name only)."""

    def db_name(column: str | None) -> str | None:
        col = table.column(column) if column else None
        return None if col is None else (col.source_name or col.name)

    part = source.partition
    return {
        "engine": cast(Any, source.engine),
        "url": source.url,
        "identity": source.identity,
        "secret": source.secret,
        "table": source.table,
        "query": source.query,
        "incremental_column": db_name(source.incremental_column),
        "incremental_type": source.incremental_type,
        "partition": None
        if part is None
        else {
            "column": db_name(part.column) or part.column,
            "lower": part.lower,
            "upper": part.upper,
            "count": part.count,
        },
        "fetchsize": source.fetchsize,
    }
