"""Pipeline documents -> ir.Pipeline, from the verdict of semantic/pipelines.py; SQL analysis
of all pipelines in one batch (what the rules and the builder read)."""

from __future__ import annotations

from typing import Any

from alur_compiler.ir.build_checks import build_checks
from alur_compiler.ir.build_common import (
    apply_glue,
    build_schedule,
    expected_minutes,
    glue_overrides,
)
from alur_compiler.ir.build_scd2 import build_scd2
from alur_compiler.ir.nodes import GlueConfig, Pipeline, SourceTable, Table, WriteMode
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.pipelines import JobVerdict
from alur_compiler.semantic.sql_batch import Catalog, SqlResult, analyze_many
from alur_compiler.semantic.sql_source import Source


def build_pipeline(
    verdict: JobVerdict, tables: dict[str, Table], defaults: GlueConfig
) -> Pipeline | None:
    """The pipeline, or None when its rules (semantic.pipelines.check_pipeline) rejected it."""
    doc, source, result = verdict.doc, verdict.source, verdict.result
    data: dict[str, Any] = doc.data
    target = tables.get(str(data["target"]))
    if verdict.rejected or target is None or source is None or result is None:
        return None
    sql, loc = source
    outputs = result.columns
    mode = WriteMode(verdict.mode)
    keys, seq, delete_when = _merge_settings(data, mode, target)
    scope = str((data.get("overwrite") or {}).get("scope", "table"))
    checks = build_checks(doc, "/checks", data.get("checks", []), verdict.check_names, "pipeline")
    schedule = build_schedule(doc)
    return Pipeline(
        name=str(data["name"]),
        target=target.name,
        sql=sql,
        mode=mode,
        sources=_sources(data, result),
        description=str(data.get("description", "")),
        tags=tuple(str(t) for t in data.get("tags", ())),
        merge_keys=keys,
        sequence_by=seq,
        delete_when=delete_when,
        tombstone_retention_days=int((data.get("merge") or {}).get("tombstone_retention_days", 90)),
        overwrite_scope=scope,
        scd2=build_scd2(data, target) if mode is WriteMode.SCD2 else None,
        checks=checks,
        schedule=schedule,
        glue=apply_glue(defaults, data.get("glue")),
        glue_overrides=glue_overrides(data.get("glue")),
        expected_minutes=expected_minutes(data),
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


def _sources(data: dict[str, Any], result: SqlResult) -> tuple[SourceTable, ...]:
    """The tables the SQL reads, sorted; the incremental one with its watermark column."""
    spec = data.get("incremental") or {}
    name, column = spec.get("source"), spec.get("watermark")
    return tuple(
        SourceTable(
            table=n,
            written_as=w,
            incremental_column=str(column) if spec and n == str(name) else None,
            refs=tuple(result.refs.get(n, ())),
        )
        for n, w in sorted(result.tables.items())
    )


def _merge_settings(
    data: dict[str, Any], mode: WriteMode, target: Table
) -> tuple[tuple[str, ...], str | None, str | None]:
    """Merge keys (the table's primary key by default), sequence_by, delete_when."""
    if mode is not WriteMode.MERGE:
        return (), None, None
    merge = data.get("merge") or {}
    keys = tuple(merge.get("keys") or target.primary_key)
    return keys, merge.get("sequence_by"), merge.get("delete_when")
