"""What a contract change means for data that exists: one pure classification.

`classify(before, after)` compares the shapes the target environment holds now (the
previous build's, or the tables observed in a warehouse) with the project being deployed
and returns one `Change` per difference, classed as (specs/evolution.md):

- `additive`   a new nullable column: ALTER TABLE ADD COLUMN, old rows read NULL;
- `widening`   int -> bigint, float -> double, decimal precision up: ALTER COLUMN TYPE;
- `metadata`   descriptions, pii, checks, a NOT NULL relaxed: no data changes;
- `breaking`   a drop, a declared rename, narrowing or other type change, nullable ->
               NOT NULL, a new NOT NULL column, a key, partition, layer or format change,
               a removed table: a full refresh of the table and its downstream tables;
- `logic`      a pipeline's SQL, mode or merge settings: its target and downstream tables
               hold rows computed the old way until refreshed;
- `new`        a table or pipeline that did not exist.

Renames are declared (`renamed_from`), never guessed: an undeclared one is a drop plus an
add. Observed shapes know no nullability, descriptions or checks (None): those are not
compared. The jobs apply additive, widening and rename changes themselves
(alur_runtime/evolve.py); this module tells what they will do before a deploy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from alur_compiler.ir.nodes import Layer
from alur_compiler.ir.shapes import ColumnShape, Shapes, TableShape

Kind = Literal["new", "additive", "widening", "metadata", "breaking", "logic"]
#: severity order, for `--fail-on` and for a table's overall class
SEVERITY: tuple[Kind, ...] = ("metadata", "new", "additive", "widening", "logic", "breaking")


@dataclass(frozen=True)
class Change:
    entity: str  # "table products", "pipeline clean_products"
    kind: Kind
    what: str
    action: str  # what a deploy and the next run do about it
    downstream: tuple[str, ...] = ()


_INTS = ("tinyint", "smallint", "int", "bigint")
_DECIMAL = re.compile(r"^decimal\((\d+),(\d+)\)$")


def type_change(before: str, after: str) -> Literal["same", "widen", "other"]:
    """Iceberg's in-place promotions (the same rule as alur_runtime/evolve.py)."""
    a, b = (
        _ALIAS.get(t.replace(" ", "").lower(), t.replace(" ", "").lower()) for t in (before, after)
    )
    if a == b:
        return "same"
    if (a, b) == ("float", "double") or (
        a in _INTS and b in _INTS and _INTS.index(a) < _INTS.index(b)
    ):
        return "widen"
    da, db = _DECIMAL.match(a), _DECIMAL.match(b)
    if da and db and da.group(2) == db.group(2) and int(db.group(1)) > int(da.group(1)):
        return "widen"
    return "other"


_ALIAS = {"integer": "int", "long": "bigint", "short": "smallint", "byte": "tinyint"}


def downstream_tables(after: Shapes, table: str) -> tuple[str, ...]:
    """Tables computed, directly or not, from `table` by the pipelines of `after`."""
    out: set[str] = set()
    todo = [table]
    while todo:
        current = todo.pop()
        for p in after.pipelines:
            if current in p.sources and p.target not in out and p.target != table:
                out.add(p.target)
                todo.append(p.target)
    return tuple(sorted(out))


#: how every remedy that is a refresh reads (deploy/data_changes.py lists their tables)
REFRESH = "full refresh of "


def _refresh(table: str, down: tuple[str, ...]) -> str:
    extra = f", then {', '.join(down)}" if down else ""
    return f"backfill needed: {REFRESH}{table}{extra}"


#: a bronze table has no refresh: its files are the record of what landed (landing files
#: may be gone) and are never rewritten; what can be done instead, per kind of change
_BRONZE = {
    "type": (
        "the ingestion refuses to write (Spark reads a Parquet column only as the type it "
        "was written with): keep {old} in the contract and CAST in the pipelines that read "
        "it, or ingest into a table of a new name"
    ),
    "required": "files already written read NULL in it; declare it nullable",
    "dropped": "new files no longer carry it; files already written keep its values",
    "tightened": "rows already written may hold NULL; the check applies to new rows only",
    "partition_by": (
        "files already written keep the old layout, which no reader can read together with "
        "the new one: keep it, or ingest into a table of a new name"
    ),
    "primary_key": "rows already written are not checked against the new key",
    "file_format": (
        "files already written keep their format, which no reader reads together with the "
        "new one: keep it, or ingest into a table of a new name"
    ),
}


def _remedy(
    bronze: bool, kind: str, table: str, down: tuple[str, ...], lead: str = "", **values: str
) -> str:
    """What to do about a breaking change: `lead` and a refresh of the table and its
    downstream tables, or for bronze (never refreshed) what _BRONZE says."""
    if bronze:
        return _BRONZE[kind].format(**values)
    return lead + _refresh(table, down)


def _column_changes(old: TableShape, new: TableShape, down: tuple[str, ...]) -> list[Change]:
    entity = f"table {new.name}"
    bronze = new.layer == str(Layer.BRONZE)
    stored = {c.name: c for c in old.columns}
    used: set[str] = set()
    out: list[Change] = []
    for col in new.columns:
        prev = stored.get(col.name)
        if prev is None and col.renamed_from in stored and col.renamed_from not in used:
            prev = stored[col.renamed_from]
            out.append(
                Change(
                    entity,
                    "breaking",
                    f"column {prev.name} renamed to {col.name}",
                    "ALTER TABLE RENAME COLUMN (data kept); readers of the old name must change",
                    down,
                )
            )
        if prev is None:
            if col.nullable is False:
                out.append(
                    Change(
                        entity,
                        "breaking",
                        f"new NOT NULL column {col.name}",
                        _remedy(
                            bronze, "required", new.name, down, "existing rows would read NULL: "
                        ),
                        down,
                    )
                )
            else:
                act = "new Parquet files carry it" if bronze else "ALTER TABLE ADD COLUMN"
                out.append(
                    Change(
                        entity,
                        "additive",
                        f"new column {col.name} {col.type}",
                        act + "; old rows read NULL",
                    )
                )
            continue
        used.add(prev.name)
        out += _same_column(entity, prev, col, bronze, down, new.name)
    for name in sorted(set(stored) - used):
        out.append(
            Change(
                entity,
                "breaking",
                f"column {name} dropped",
                _remedy(bronze, "dropped", new.name, down, "the job refuses to drop it: "),
                down,
            )
        )
    return out


def _same_column(
    entity: str,
    prev: ColumnShape,
    col: ColumnShape,
    bronze: bool,
    down: tuple[str, ...],
    table: str,
) -> list[Change]:
    out: list[Change] = []
    change = type_change(prev.type, col.type)
    if change == "widen" and not bronze:
        out.append(
            Change(
                entity,
                "widening",
                f"column {col.name} {prev.type} -> {col.type}",
                "ALTER TABLE ALTER COLUMN TYPE (in place)",
            )
        )
    elif change != "same":
        why = "bronze Parquet files keep their type" if change == "widen" else "not in place"
        out.append(
            Change(
                entity,
                "breaking",
                f"column {col.name} {prev.type} -> {col.type} ({why})",
                _remedy(bronze, "type", table, down, old=prev.type),
                down,
            )
        )
    if prev.nullable is True and col.nullable is False:
        out.append(
            Change(
                entity,
                "breaking",
                f"column {col.name} nullable -> NOT NULL",
                _remedy(bronze, "tightened", table, down, "old rows may hold NULL: "),
                down,
            )
        )
    elif prev.nullable is False and col.nullable is True:
        out.append(Change(entity, "metadata", f"column {col.name} NOT NULL -> nullable", "none"))
    for attr in ("description", "pii"):
        a, b = getattr(prev, attr), getattr(col, attr)
        if a is not None and b is not None and a != b:
            out.append(Change(entity, "metadata", f"column {col.name} {attr} changed", "none"))
    return out


def _table_changes(old: TableShape, new: TableShape, after: Shapes) -> list[Change]:
    entity = f"table {new.name}"
    down = downstream_tables(after, new.name)
    bronze = new.layer == str(Layer.BRONZE) and old.layer == str(Layer.BRONZE)  # same layer
    out: list[Change] = []
    for attr, label in (
        ("layer", "layer"),
        ("file_format", "format"),
        ("primary_key", "primary key"),
        ("partition_by", "partitioning"),
    ):
        a, b = getattr(old, attr), getattr(new, attr)
        if a is not None and b is not None and a != b:
            out.append(
                Change(
                    entity,
                    "breaking",
                    f"{label} {_show(a)} -> {_show(b)}",
                    _remedy(bronze, attr, new.name, down),
                    down,
                )
            )
    out += _column_changes(old, new, down)
    for attr in ("description", "checks"):
        a, b = getattr(old, attr), getattr(new, attr)
        if a is not None and b is not None and a != b:
            out.append(Change(entity, "metadata", f"{attr} changed", "none"))
    return out


def _show(value: object) -> str:
    return "(" + ", ".join(value) + ")" if isinstance(value, tuple) else str(value)


def classify(before: Shapes, after: Shapes) -> list[Change]:
    """Every difference between what the environment holds and what is deployed, tables
    then pipelines, each in name order."""
    old_tables = {t.name: t for t in before.tables}
    out: list[Change] = []
    for new in sorted(after.tables, key=lambda t: t.name):
        old = old_tables.get(new.name)
        if old is None:
            out.append(Change(f"table {new.name}", "new", "new table", "created by its first run"))
        else:
            out += _table_changes(old, new, after)
    for name in sorted(set(old_tables) - {t.name for t in after.tables}):
        out.append(
            Change(
                f"table {name}",
                "breaking",
                "table removed from the project",
                "its data stays in the lake; nothing writes it any more",
            )
        )
    old_pipes = {p.name: p for p in before.pipelines}
    for p in sorted(after.pipelines, key=lambda p: p.name):
        prev = old_pipes.get(p.name)
        if prev is None:
            out.append(Change(f"pipeline {p.name}", "new", "new pipeline", "none"))
        elif prev.logic != p.logic or prev.target != p.target:
            down = (p.target, *downstream_tables(after, p.target))
            out.append(
                Change(
                    f"pipeline {p.name}",
                    "logic",
                    "SQL or write settings changed",
                    "new runs compute the new way; rows already written stay as they "
                    f"are until a full refresh of {', '.join(down)}",
                    down,
                )
            )
    return out


def worst(changes: list[Change]) -> Kind | None:
    """The most severe class among `changes` (SEVERITY order), None when there are none."""
    kinds = {c.kind for c in changes}
    return next((k for k in reversed(SEVERITY) if k in kinds), None)
