"""Ingestion documents -> ir.Ingestion: a bronze target and its file sources."""

from __future__ import annotations

from typing import Any

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.ir.build_common import apply_glue, build_schedule, glue_overrides
from alur_compiler.ir.build_jobs import resolve_target
from alur_compiler.ir.nodes import FileSource, GlueConfig, Ingestion, Layer, Table
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.cron import check_schedule_cron


def build_ingestion(
    doc: SourceDoc,
    tables: dict[str, Table],
    known: set[str],
    defaults: GlueConfig,
    diags: Diagnostics,
) -> Ingestion | None:
    data: dict[str, Any] = doc.data
    before = len(diags.errors)
    target = resolve_target(doc, tables, known, diags)
    if target is not None and target.layer is not Layer.BRONZE:
        diags.report(
            codes.LAYER_RULE,
            f"ingestions load bronze tables; '{target.name}' is {target.layer}",
            doc.span_of("/target"),
            hint="silver and gold tables are filled by pipelines",
        )
    sources = tuple(
        FileSource(
            path=str(s["path"]),
            format=str(s["format"]),
            pattern=str(s.get("pattern", "*")),
            options=tuple(sorted((str(k), _opt(v)) for k, v in (s.get("options") or {}).items())),
            recursive=bool(s.get("recursive", False)),
            span=doc.span_of(f"/sources/{i}"),
        )
        for i, s in enumerate(data["sources"])
    )
    check_schedule_cron(doc, diags)
    schedule = build_schedule(doc)
    if target is None or len(diags.errors) > before:
        return None
    return Ingestion(
        name=str(data["name"]),
        target=target.name,
        source_system=str(data["source_system"]),
        sources=sources,
        description=str(data.get("description", "")),
        on_bad_file=str(data.get("on_bad_file", "fail")),
        on_bad_row=str(data.get("on_bad_row", "quarantine")),
        on_duplicate_file=str(data.get("on_duplicate_file", "skip")),
        schedule=schedule,
        glue=apply_glue(defaults, data.get("glue")),
        glue_overrides=glue_overrides(data.get("glue")),
        span=doc.span,
    )


def _opt(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
