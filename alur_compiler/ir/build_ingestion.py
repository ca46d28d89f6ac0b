"""Ingestion documents -> ir.Ingestion: a bronze target and its file sources."""

from __future__ import annotations

from typing import Any

from alur_compiler.ir.build_common import (
    apply_glue,
    build_schedule,
    expected_minutes,
    glue_overrides,
)
from alur_compiler.ir.build_jdbc import build_jdbc
from alur_compiler.ir.nodes import FileSource, GlueConfig, Ingestion, Table
from alur_compiler.semantic.paths import SourcePath, parse_source_path
from alur_compiler.semantic.pipelines import JobVerdict


def build_ingestion(
    verdict: JobVerdict, tables: dict[str, Table], defaults: GlueConfig
) -> Ingestion | None:
    """The ingestion, or None when its rules (semantic.pipelines.check_ingestion) rejected it."""
    doc = verdict.doc
    data: dict[str, Any] = doc.data
    target = tables.get(str(data["target"]))
    if verdict.rejected or target is None:
        return None
    sources = tuple(
        FileSource(
            path=_location(str(s["path"])),
            format=str(s["format"]),
            pattern=str(s.get("pattern", "*")),
            options=tuple(sorted((str(k), _opt(v)) for k, v in (s.get("options") or {}).items())),
            recursive=bool(s.get("recursive", False)),
            span=doc.span_of(f"/sources/{i}"),
        )
        for i, s in enumerate(data["sources"])
        if "kind" not in s  # a jdbc source: build_jdbc
    )
    schedule = build_schedule(doc)
    return Ingestion(
        name=str(data["name"]),
        target=target.name,
        source_system=str(data["source_system"]),
        sources=sources,
        description=str(data.get("description", "")),
        tags=tuple(str(t) for t in data.get("tags", ())),
        on_bad_file=str(data.get("on_bad_file", "fail")),
        on_bad_row=str(data.get("on_bad_row", "quarantine")),
        on_duplicate_file=str(data.get("on_duplicate_file", "skip")),
        jdbc=build_jdbc(doc, target),
        schedule=schedule,
        glue=apply_glue(defaults, data.get("glue")),
        glue_overrides=glue_overrides(data.get("glue")),
        expected_minutes=expected_minutes(data),
        span=doc.span,
    )


def _location(path: str) -> str:
    """The normalised path (`orders/`, `s3://bucket/orders/`) the job and IAM both read."""
    parsed = parse_source_path(path)
    assert isinstance(parsed, SourcePath), "semantic.paths.check_source_paths rejected it"
    return parsed.location


def _opt(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
