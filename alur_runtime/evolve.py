"""Bringing an existing Iceberg table to its contract before a write (specs/evolution.md).

The same code runs on Glue and locally, with Iceberg's own schema evolution, each change a
metadata-only commit that keeps every snapshot and data file:

- a contract column the table lacks: `ALTER TABLE ADD COLUMN` (old rows read NULL);
- a column declared with `renamed_from: old` while the table has `old`: `RENAME COLUMN`;
- a type Iceberg can promote (int -> bigint, float -> double, decimal(p,s) -> decimal(P,s)
  with P > p): `ALTER COLUMN ... TYPE`;
- a partition spec that differs from the declared one: `ADD` / `DROP PARTITION FIELD`
  (old files keep their layout, new ones follow the declared spec).

Anything else would lose or invent data: a table column the contract no longer has (a
drop), a narrowing or incompatible type, a new NOT NULL column when existing rows would read
NULL. The job then stops before its first write, with one located message per difference,
and the table is left exactly as it was: the differences are all computed (`plan_changes`,
pure) before any statement runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from alur_runtime.common import JobFailed, log
from alur_runtime.config import Column, Partition, PipelineJob
from alur_runtime.conform import partition_spec, quote_ident, spelled, sql_string

_DECIMAL = re.compile(r"^(?:decimal|dec|numeric)(?:\((\d+)(?:,(\d+))?\))?$")
_WIDER = {("int", "bigint"), ("float", "double")}


def stored_type(type_: str) -> str:
    """A Spark SQL type as an Iceberg table reports it back: conform.spelled, with small
    ints as int (Iceberg stores smallint and tinyint as int)."""
    return re.sub(r"\b(?:smallint|tinyint)\b", "int", spelled(type_))


def promotion(have: str, want: str) -> str:
    """'same', 'widen' (Iceberg promotes it in place), 'narrow' or 'incompatible'."""
    a, b = stored_type(have), stored_type(want)
    if a == b:
        return "same"
    if (a, b) in _WIDER:
        return "widen"
    if (b, a) in _WIDER:
        return "narrow"
    da, db = _DECIMAL.match(a), _DECIMAL.match(b)
    if da and db and da.group(2) == db.group(2):
        return "widen" if int(db.group(1)) > int(da.group(1)) else "narrow"
    return "incompatible"


@dataclass(frozen=True)
class Evolution:
    """What bringing a table to its contract takes: SQL clauses after `ALTER TABLE <t>`,
    in order, and the differences that cannot be applied (located messages)."""

    alters: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    added: tuple[str, ...] = field(default=())


def _where(col: Column, table: str, contract: str | None) -> str:
    """ "contracts/x.yaml:12:5: column 'c' of glue_catalog.db.t" (as located as known)."""
    where = f"column '{col['name']}' of {table}"
    if contract is None:
        return where
    at = col.get("at")
    return f"{contract}:{at}: {where}" if at else f"{contract}: {where}"


REFRESH_HINT = "refresh the table fully (alurc run --local NAME --full-refresh)"


def plan_changes(
    table: str,
    have: list[tuple[str, str]],
    want: list[Column],
    *,
    required_ok: bool = False,
    empty: bool = False,
    contract: str | None = None,
) -> Evolution:
    """Pure: the table's (name, type) columns against the contract's columns.

    `required_ok`: a new NOT NULL column is fine (the write replaces every row).
    `empty`: the table holds no rows (a full refresh emptied it): a column the contract
    dropped or retyped is dropped (and re-added), since no current row loses a value;
    older snapshots keep their own schema and files. `contract`: the YAML file the
    columns' `at` positions are in."""
    stored = {name.lower(): (name, type_) for name, type_ in have}
    claimed: set[str] = set()
    alters: list[str] = []
    problems: list[str] = []
    added: list[str] = []
    for col in want:
        key, new = col["name"].lower(), quote_ident(col["name"])
        old = (col.get("renamed_from") or "").lower()
        if key not in stored and old in stored and old not in claimed:
            alters.append(f"RENAME COLUMN {quote_ident(stored[old][0])} TO {new}")
            key = old
        if key not in stored:
            if not col["nullable"] and not (required_ok or empty):
                problems.append(
                    f"{_where(col, table, contract)} is new and NOT NULL, but the table has "
                    f"rows that would read NULL in it (hint: declare it nullable, or "
                    f"{REFRESH_HINT})"
                )
            alters.append(f"ADD COLUMN {new} {col['type']}")
            added.append(col["name"])
            continue
        claimed.add(key)
        alters_, problem = _retype(_where(col, table, contract), col, stored[key][1], empty)
        alters += alters_
        problems += problem
    for key, (name, _type) in sorted(stored.items()):
        if key in claimed:
            continue
        if empty:
            alters.append(f"DROP COLUMN {quote_ident(name)}")
            continue
        problems.append(
            f"table {table} has a column '{name}' that the contract no longer declares; a "
            "job never drops a column (its data would be lost) (hint: declare it again, "
            f"rename it with `renamed_from: {name}` on its new column, or {REFRESH_HINT})"
        )
    return Evolution(tuple(alters), tuple(problems), tuple(added))


def _retype(where: str, col: Column, current: str, empty: bool) -> tuple[list[str], list[str]]:
    """(ALTER clauses, problems) for a stored column of type `current`."""
    new = quote_ident(col["name"])
    change = promotion(current, col["type"])
    if change == "same":
        return [], []
    if change == "widen":
        return [f"ALTER COLUMN {new} TYPE {col['type']}"], []
    if empty:
        return [f"DROP COLUMN {new}", f"ADD COLUMN {new} {col['type']}"], []
    why = "narrowing would lose data" if change == "narrow" else "Iceberg cannot convert it"
    return [], [
        f"{where}: the table stores {stored_type(current)}, the contract says "
        f"{stored_type(col['type'])}; {why} (hint: keep the stored type, or {REFRESH_HINT})"
    ]


def _norm_field(text: str) -> str:
    return text.replace("`", "").replace(" ", "").lower()


def plan_partitions(have: list[str], want: list[Partition]) -> tuple[str, ...]:
    """Pure: ALTER TABLE clauses turning the partition fields `have` (as DESCRIBE shows
    them: "days(ts)", "bucket(16, id)", "d") into the declared ones."""
    declared = [partition_spec([p]) for p in want]
    now = {_norm_field(h) for h in have}
    wanted = {_norm_field(d) for d in declared}
    out = [f"DROP PARTITION FIELD {h}" for h in have if _norm_field(h) not in wanted]
    out += [f"ADD PARTITION FIELD {d}" for d in declared if _norm_field(d) not in now]
    return tuple(out)


def table_partitions(spark: Any, name: str) -> list[str]:
    """The table's current partition fields, from DESCRIBE TABLE: Spark 3.5 lists identity-
    only specs under '# Partition Information' (a '# col_name' header, then the columns)
    and any other under '# Partitioning' ('Part 0' -> 'days(ts)')."""
    rows = spark.sql(f"DESCRIBE TABLE {name}").collect()
    out: list[str] = []
    section = ""
    for row in rows:
        head = (row[0] or "").strip()
        if head in ("# Partitioning", "# Partition Information"):
            section = head
        elif section and (not head or (head.startswith("#") and head != "# col_name")):
            break
        elif section == "# Partitioning" and head.startswith("Part "):
            out.append(str(row[1]).strip())
        elif section == "# Partition Information" and head != "# col_name":
            out.append(head)
    return out


def evolve_table(
    spark: Any,
    name: str,
    columns: list[Column],
    partition_by: list[Partition] | None = None,
    *,
    replaces_all: bool = False,
    fill: dict[str, str] | None = None,
    contract: str | None = None,
) -> tuple[str, ...]:
    """Bring the existing table `name` to `columns` (and `partition_by` when given) or
    raise JobFailed before changing anything; returns the ALTER clauses it ran.

    `fill`: string columns whose NULLs get a value (the quarantine's `_input_id`, which an
    overwrite-by-filter needs statistics for: "Cannot delete file where some, but not all,
    rows match filter"); also after a crash between the ALTER and the UPDATE."""
    if not spark.catalog.tableExists(name):
        return ()
    fields = spark.table(name).schema.fields
    have = [(f.name, f.dataType.simpleString()) for f in fields]
    plan = plan_changes(name, have, columns, required_ok=replaces_all, contract=contract)
    if plan.problems and not spark.table(name).limit(1).count():
        plan = plan_changes(name, have, columns, empty=True, contract=contract)
    if plan.problems:
        raise JobFailed(
            f"the table {name} cannot be brought to its contract without losing data; "
            "nothing was written:\n  " + "\n  ".join(plan.problems)
        )
    alters = list(plan.alters)
    if partition_by is not None:
        alters += plan_partitions(table_partitions(spark, name), partition_by)
    for clause in alters:
        spark.sql(f"ALTER TABLE {name} {clause}")
    if alters:
        log(name, "schema evolved: " + "; ".join(alters))
    for column, value in sorted((fill or {}).items()):
        col = quote_ident(column)
        # Files without NULLs are pruned by their statistics: free once migrated.
        if spark.table(name).where(f"{col} IS NULL").limit(1).count():
            spark.sql(f"UPDATE {name} SET {col} = {sql_string(value)} WHERE {col} IS NULL")
    return tuple(alters)


def evolve_target(spark: Any, job: PipelineJob, name: str) -> tuple[str, ...]:
    """The pipeline's target table, before its write: an overwrite of the whole table may
    add NOT NULL columns (every row is rewritten). A partial config (a test calling
    merge_records directly) without mode or partition_by evolves the columns only."""
    target = job["target"]
    whole = job.get("mode") == "overwrite" and job.get("overwrite_scope") == "table"
    return evolve_table(
        spark,
        name,
        target["columns"],
        target.get("partition_by"),
        replaces_all=whole,
        contract=target.get("contract"),
    )


def evolve_merge_tables(spark: Any, job: PipelineJob, names: tuple[str, str], latest: Any) -> None:
    """Merge: the target, then the tombstone side table's key and sequence columns (a key
    renamed or widened in the contract, a wider `sequence_by` value)."""
    target, side = names
    evolve_target(spark, job, target)
    merge = job["merge"]
    if merge is None or "__alur_seq" not in latest.columns:
        return
    by_name = {c["name"]: c for c in job["target"]["columns"]}
    keys: list[Column] = [{**by_name[k], "nullable": True} for k in merge["keys"]]
    seq = latest.schema["__alur_seq"].dataType.simpleString()
    meta: list[Column] = [
        {"name": "__alur_seq", "type": seq, "nullable": True},
        {"name": "__alur_deleted", "type": "boolean", "nullable": True},
        {"name": "_deleted_at", "type": "timestamp", "nullable": True},
        {"name": "_run_id", "type": "string", "nullable": True},
    ]
    evolve_table(spark, side, keys + meta, contract=job["target"].get("contract"))
