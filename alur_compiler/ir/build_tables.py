"""Table documents -> ir.Table: types parsed, keys and partitions checked."""

from __future__ import annotations

from typing import Any

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.ir.build_checks import build_checks
from alur_compiler.ir.nodes import INGESTION_COLUMNS, Column, Layer, PartitionField, Table
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.partitions import check_bronze_partitions, parse_partition
from alur_compiler.semantic.types import TypeSyntaxError, category, normalize_type


def build_table(doc: SourceDoc, diags: Diagnostics) -> Table | None:
    data: dict[str, Any] = doc.data
    before = len(diags.errors)
    layer = Layer(data["layer"])
    columns = _columns(doc, layer, diags)
    if layer is Layer.BRONZE:
        check_bronze_partitions(doc, diags)
    if len(diags.errors) > before:
        return None  # later checks would only repeat the column problems
    by_name = {c.name: c for c in columns}
    pk = tuple(data.get("primary_key", ()))
    for i, key in enumerate(pk):
        if key not in by_name:
            diags.report(
                codes.UNKNOWN_COLUMN,
                f"primary key column '{key}' is not a column of '{doc.name}'"
                f"{suggestion_suffix(key, by_name)}",
                doc.span_of(f"/primary_key/{i}"),
            )
    parts = tuple(
        p
        for i, text in enumerate(data.get("partition_by", ()))
        if (p := _partition(doc, i, text, layer, by_name, diags)) is not None
    )
    checks = build_checks(doc, "/checks", data.get("checks", []), by_name, "table", diags, set())
    # Keys, partitions and checks that failed were reported and left out; the table itself
    # stays so that pipelines reading it are still checked (the project fails as a whole).
    return Table(
        name=str(data["name"]),
        layer=layer,
        columns=columns,
        description=str(data.get("description", "")),
        primary_key=pk,
        partition_by=parts,
        checks=checks,
        file_format="parquet" if layer is Layer.BRONZE else "iceberg",
        span=doc.span,
    )


def _columns(doc: SourceDoc, layer: Layer, diags: Diagnostics) -> tuple[Column, ...]:
    out: list[Column] = []
    seen: set[str] = set()
    reserved = {name for name, _ in INGESTION_COLUMNS}
    for i, spec in enumerate(doc.data["columns"]):
        name = str(spec["name"])
        if name in seen:
            diags.report(
                codes.DUPLICATE_NAME,
                f"column '{name}' is declared twice",
                doc.span_of(f"/columns/{i}/name"),
            )
            continue
        seen.add(name)
        if layer is Layer.BRONZE and name in reserved:
            diags.report(
                codes.LAYER_RULE,
                f"'{name}' is an ingestion metadata column; bronze tables get it automatically",
                doc.span_of(f"/columns/{i}/name"),
                hint="remove this column from the contract",
            )
            continue
        try:
            ctype = normalize_type(str(spec["type"]))
        except TypeSyntaxError as exc:
            diags.report(
                codes.INVALID_TYPE,
                f"invalid type '{spec['type']}': {exc}",
                doc.span_in_scalar(f"/columns/{i}/type", 1, exc.offset + 1),
                hint="Spark SQL types: string, int, bigint, double, decimal(p,s), date, "
                "timestamp, boolean, array<T>, map<K,V>, struct<name:T,...>",
            )
            continue
        out.append(
            Column(
                name=name,
                type=ctype,
                nullable=bool(spec.get("nullable", True)),
                description=str(spec.get("description", "")),
                pii=bool(spec.get("pii", False)),
                span=doc.span_of(f"/columns/{i}"),
            )
        )
    if layer is Layer.BRONZE:
        out.extend(
            Column(name=n, type=t, nullable=False, description="ingestion metadata")
            for n, t in INGESTION_COLUMNS
        )
    return tuple(out)


def _partition(
    doc: SourceDoc,
    i: int,
    text: str,
    layer: Layer,
    columns: dict[str, Column],
    diags: Diagnostics,
) -> PartitionField | None:
    ptr = f"/partition_by/{i}"
    parsed = parse_partition(text)
    if parsed is None:
        diags.report(
            codes.PARTITION_RULE,
            f"invalid partition '{text}'",
            doc.span_of(ptr),
            hint="use a column, years(col), months(col), days(col), hours(col), "
            "bucket(N, col) or truncate(N, col)",
        )
        return None
    fn, col, arg = parsed
    if col not in columns:
        diags.report(
            codes.UNKNOWN_COLUMN,
            f"partition column '{col}' is not a column of "
            f"'{doc.name}'{suggestion_suffix(col, columns)}",
            doc.span_of(ptr),
        )
        return None
    ctype = columns[col].type
    if fn and layer is Layer.BRONZE:
        return None  # reported by semantic.partitions.check_bronze_partitions
    if (fn in ("years", "months", "days") and category(ctype) != "datetime") or (
        fn == "hours" and ctype not in ("timestamp", "timestamp_ntz")
    ):
        diags.report(
            codes.PARTITION_RULE,
            f"{fn}() needs a date or timestamp column; '{col}' is {ctype}",
            doc.span_of(ptr),
        )
        return None
    if fn in ("bucket", "truncate") and (arg is None or arg <= 0):
        diags.report(codes.PARTITION_RULE, f"{fn}() needs a positive width", doc.span_of(ptr))
        return None
    return PartitionField(column=col, transform=fn, arg=arg, span=doc.span_of(ptr))
