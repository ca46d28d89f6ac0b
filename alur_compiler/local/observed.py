"""What a local warehouse holds, as observed shapes (ir/shapes.py) for `alurc plan --local`.

Read from the files, without Spark: each Iceberg table of the Hadoop catalog
(`<warehouse>/iceberg/<database>/<table>/metadata/`, the current version named by
`version-hint.text`) gives its current schema and partition spec. Bronze tables are Parquet
folders read by the contract's own schema, so their stored shape is the contract that
wrote them; they are observed through the previous build's `contracts.json` when one is
there and are otherwise not compared. An observed table knows no descriptions or checks,
and no nullability (Spark creates every Iceberg column optional), so those never differ.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from alur_compiler.ir import Layer, Project, Table
from alur_compiler.ir.fingerprint import pretty_json
from alur_compiler.ir.layout import LOCAL_ENV, database
from alur_compiler.ir.shapes import (
    ColumnShape,
    Shapes,
    TableShape,
    load_shapes,
    project_shapes,
    shapes_json,
)

#: in a local warehouse: the shapes each job had when it last succeeded there
RUN_SHAPES = ".alur-contracts.json"

_PRIMITIVE = {"long": "bigint", "timestamptz": "timestamp", "timestamp": "timestamp_ntz"}
_SIZED = re.compile(r"^(bucket|truncate)\[(\d+)\]$")
_TIME = {"year": "years", "month": "months", "day": "days", "hour": "hours"}


class UnreadableTable(Exception):
    """A table folder whose metadata cannot be read (a partial copy, a foreign file)."""


def spark_type(t: Any) -> str:
    """An Iceberg schema type (metadata JSON) as the Spark SQL type name contracts use."""
    if isinstance(t, str):
        if t.startswith(("fixed[", "uuid")):
            return "binary" if t.startswith("fixed[") else "string"
        return _PRIMITIVE.get(t, t.replace(", ", ","))
    kind = t.get("type")
    if kind == "struct":
        return (
            "struct<" + ",".join(f"{f['name']}:{spark_type(f['type'])}" for f in t["fields"]) + ">"
        )
    if kind == "list":
        return f"array<{spark_type(t['element'])}>"
    if kind == "map":
        return f"map<{spark_type(t['key'])},{spark_type(t['value'])}>"
    raise UnreadableTable(f"unknown Iceberg type {t!r}")


def _partition(field: dict[str, Any], names: dict[int, str]) -> str:
    column = names[int(field["source-id"])]
    transform = str(field["transform"])
    if transform == "identity":
        return column
    if transform in _TIME:
        return f"{_TIME[transform]}({column})"
    sized = _SIZED.match(transform)
    if sized:
        return f"{sized.group(1)}({sized.group(2)}, {column})"
    return f"{transform}({column})"


def current_metadata(table_dir: Path) -> dict[str, Any] | None:
    """The table's current metadata document; None when the folder holds no table."""
    meta = table_dir / "metadata"
    hint = meta / "version-hint.text"
    if not hint.is_file():
        return None
    try:
        version = int(hint.read_text(encoding="utf-8").strip())
        doc = json.loads((meta / f"v{version}.metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UnreadableTable(f"{table_dir}: {exc}") from None
    if not isinstance(doc, dict):
        raise UnreadableTable(f"{table_dir}: the metadata is not a JSON object")
    return doc


def iceberg_shape(table: Table, doc: dict[str, Any]) -> TableShape:
    try:
        schema = next(s for s in doc["schemas"] if s["schema-id"] == doc["current-schema-id"])
        spec = next(s for s in doc["partition-specs"] if s["spec-id"] == doc["default-spec-id"])
        names = {int(f["id"]): str(f["name"]) for f in schema["fields"]}
        cols = tuple(ColumnShape(str(f["name"]), spark_type(f["type"])) for f in schema["fields"])
        parts = tuple(_partition(f, names) for f in spec["fields"])
    except (KeyError, StopIteration, TypeError, ValueError) as exc:
        raise UnreadableTable(f"table {table.name}: unexpected metadata ({exc!r})") from None
    return TableShape(table.name, str(table.layer), "iceberg", cols, None, parts)


def run_shapes(warehouse: Path) -> Shapes:
    """What `record_run_shapes` kept; nothing for a missing or unreadable file (then every
    pipeline counts as new and bronze tables are not compared)."""
    try:
        data = json.loads((warehouse / RUN_SHAPES).read_text(encoding="utf-8"))
        return load_shapes(data) if isinstance(data, dict) else Shapes()
    except (OSError, ValueError, KeyError, TypeError):
        return Shapes()


def record_run_shapes(warehouse: Path, project: Project, succeeded: list[str]) -> None:
    """After a local run: the shapes of the succeeded jobs' pipelines and target tables
    replace their earlier ones (written to a temporary file, then renamed into place)."""
    if not succeeded:
        return
    now = project_shapes(project)
    done = set(succeeded)
    targets = {p.target for p in project.pipelines if p.name in done}
    targets |= {i.target for i in project.ingestions if i.name in done}
    old = run_shapes(warehouse)
    tables = {t.name: t for t in old.tables} | {t.name: t for t in now.tables if t.name in targets}
    pipes = {p.name: p for p in old.pipelines} | {
        p.name: p for p in now.pipelines if p.name in done
    }
    shapes = Shapes(
        tuple(tables[k] for k in sorted(tables)), tuple(pipes[k] for k in sorted(pipes))
    )
    tmp = warehouse / (RUN_SHAPES + ".tmp")
    tmp.write_bytes(pretty_json(shapes_json(shapes)))
    tmp.replace(warehouse / RUN_SHAPES)


def warehouse_shapes(project: Project, warehouse: Path) -> Shapes:
    """The shapes of what `warehouse` holds: its Iceberg tables observed from their
    metadata; bronze tables and pipelines as they were at their last successful local run,
    for the bronze tables whose folder holds data. Tables the warehouse does not hold are
    left out (they count as new)."""
    built = run_shapes(warehouse)
    previous = {t.name: t for t in built.tables}
    out: list[TableShape] = []
    for table in sorted(project.tables, key=lambda t: t.name):
        if table.layer is Layer.BRONZE:
            folder = warehouse / "lake" / "bronze" / table.name
            if table.name in previous and folder.is_dir() and any(folder.iterdir()):
                out.append(previous[table.name])
            continue
        db = database(project.name, LOCAL_ENV, str(table.layer))
        doc = current_metadata(warehouse / "iceberg" / db / table.name)
        if doc is not None:
            out.append(iceberg_shape(table, doc))
    return Shapes(tuple(out), built.pipelines)
