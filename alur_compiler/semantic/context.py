"""The validated documents of a project, indexed by kind and name (duplicates reported)."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.load.source import SourceDoc


@dataclass
class SpecIndex:
    project: SourceDoc | None = None
    tables: dict[str, SourceDoc] = field(default_factory=dict)
    pipelines: dict[str, SourceDoc] = field(default_factory=dict)
    ingestions: dict[str, SourceDoc] = field(default_factory=dict)
    #: names that exist but whose documents have schema errors (no cascade errors for them)
    broken_tables: set[str] = field(default_factory=set)
    broken_jobs: set[str] = field(default_factory=set)
    #: tables named as `target` by any job document, valid or not (for "nothing writes it")
    targets: set[str] = field(default_factory=set)

    @property
    def jobs(self) -> Mapping[str, SourceDoc]:
        """Pipelines and ingestions as one live, read-only view: a lookup costs two dict
        probes, not a copy of both registries (a name is never in both)."""
        return ChainMap(self.ingestions, self.pipelines)

    def table_known(self, name: str) -> bool:
        return name in self.tables or name in self.broken_tables

    def job_known(self, name: str) -> bool:
        return name in self.pipelines or name in self.ingestions or name in self.broken_jobs


def index_documents(
    valid: list[SourceDoc], broken: list[SourceDoc], diags: Diagnostics
) -> SpecIndex:
    """Register every named document; a name defined twice is AL301 at the second one."""
    index = SpecIndex()
    for doc in [*valid, *broken]:
        if doc.kind in ("Pipeline", "Ingestion") and isinstance(doc.data.get("target"), str):
            index.targets.add(doc.data["target"])
    for doc in broken:
        name = doc.name
        if name is None:
            continue
        if doc.kind == "Table":
            index.broken_tables.add(name)
        elif doc.kind in ("Pipeline", "Ingestion"):
            index.broken_jobs.add(name)
    for doc in valid:
        kind, name = doc.kind, doc.name
        if kind == "Project":
            if index.project is not None:
                _duplicate(doc, index.project, "project", diags)
                continue
            index.project = doc
            continue
        assert name is not None
        if kind == "Table":
            registry = index.tables
            label = "table"
        else:
            registry = index.pipelines if kind == "Pipeline" else index.ingestions
            label = "pipeline or ingestion"
            other = index.pipelines.get(name)
            if other is None:
                other = index.ingestions.get(name)
            if other is not None:
                _duplicate(doc, other, label, diags)
                continue
        if name in registry:
            _duplicate(doc, registry[name], label, diags)
            continue
        registry[name] = doc
    return index


def _duplicate(doc: SourceDoc, first: SourceDoc, label: str, diags: Diagnostics) -> None:
    diags.report(
        codes.DUPLICATE_NAME,
        f"{label} '{doc.name}' is defined twice",
        doc.span_of("/name"),
        hint="names are unique per kind across the project; rename one of them",
        notes=(("first defined here", first.span_of("/name")),),
    )
