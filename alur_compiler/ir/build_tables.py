"""Table documents -> ir.Table, from the verdict of semantic/tables.py (the table's rules)."""

from __future__ import annotations

from typing import Any

from alur_compiler.ir.build_checks import build_checks
from alur_compiler.ir.nodes import INGESTION_COLUMNS, Column, Layer, PartitionField, Table
from alur_compiler.semantic.partitions import parse_partition
from alur_compiler.semantic.tables import TableVerdict


def build_table(verdict: TableVerdict) -> Table | None:
    """The table, without the keys, partitions and checks its rules rejected; None when they
    rejected the table itself. (The table stays so that pipelines reading it are still
    checked; the project fails as a whole.)"""
    if not verdict.ok():
        return None
    doc = verdict.doc
    data: dict[str, Any] = doc.data
    layer = Layer(data["layer"])
    return Table(
        name=str(data["name"]),
        layer=layer,
        columns=_columns(verdict, layer),
        description=str(data.get("description", "")),
        tags=tuple(str(t) for t in data.get("tags", ())),
        primary_key=tuple(data.get("primary_key", ())),
        partition_by=_partitions(verdict),
        checks=build_checks(doc, "/checks", data.get("checks", []), verdict.check_names, "table"),
        file_format="parquet" if layer is Layer.BRONZE else "iceberg",
        span=doc.span,
    )


def _columns(verdict: TableVerdict, layer: Layer) -> tuple[Column, ...]:
    doc = verdict.doc
    out = [
        Column(
            name=str(spec["name"]),
            type=verdict.types[str(spec["name"])],
            nullable=bool(spec.get("nullable", True)),
            description=str(spec.get("description", "")),
            pii=bool(spec.get("pii", False)),
            source_name=spec.get("source_name"),
            renamed_from=spec.get("renamed_from"),
            span=doc.span_of(f"/columns/{i}"),
        )
        for i, spec in enumerate(doc.data["columns"])
    ]
    if layer is Layer.BRONZE:
        out.extend(
            Column(name=n, type=t, nullable=False, description="ingestion metadata")
            for n, t in INGESTION_COLUMNS
        )
    return tuple(out)


def _partitions(verdict: TableVerdict) -> tuple[PartitionField, ...]:
    out: list[PartitionField] = []
    for i, text in enumerate(verdict.doc.data.get("partition_by", ())):
        ptr = f"/partition_by/{i}"
        parsed = parse_partition(text)
        if parsed is not None and verdict.ok(ptr):
            fn, col, arg = parsed
            out.append(
                PartitionField(column=col, transform=fn, arg=arg, span=verdict.doc.span_of(ptr))
            )
    return tuple(out)
