"""The neutral description of a synthetic lakehouse that both project writers render."""

from __future__ import annotations

from dataclasses import dataclass, field

DOMAINS = (
    "orders",
    "payments",
    "shipments",
    "invoices",
    "refunds",
    "sessions",
    "bookings",
    "claims",
    "tickets",
    "rentals",
    "subscriptions",
    "transfers",
)
STATUSES = ("new", "open", "paid", "shipped", "closed", "cancelled", "returned")


@dataclass(frozen=True)
class Col:
    name: str
    type: str
    nullable: bool = True
    description: str = ""


@dataclass(frozen=True)
class Check:
    kind: str  # not_null | unique | accepted_values | between
    column: str
    action: str
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class TableSpec:
    name: str
    layer: str  # bronze | silver | gold
    description: str
    columns: tuple[Col, ...]
    primary_key: tuple[str, ...] = ()
    partition_by: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True)
class JobSpec:
    """An ingestion (bronze, `sql` empty) or a pipeline writing `target` from `reads`."""

    name: str
    target: str
    description: str
    sql: str = ""  # template with {r0}, {r1}, ... for the tables in `reads`
    reads: tuple[str, ...] = ()
    mode: str = "append"  # append (ingestion) | merge | overwrite
    merge_keys: tuple[str, ...] = ()
    sequence_by: str | None = None
    after: tuple[str, ...] = ()
    cron: str | None = None


@dataclass
class Synthetic:
    """The lakehouse and how the writers lay it out on disk.

    `shape` names the generator (`standard` or `dbtlike`); `per_file` documents per YAML
    file (1: one file per contract/job; more: multi-document files, as dbt's schema.yml);
    `sql_files`: each pipeline's SQL in its own .sql file (`sql_file:`) instead of inline.
    """

    seed: int
    n: int
    tables: list[TableSpec] = field(default_factory=list)
    jobs: list[JobSpec] = field(default_factory=list)
    shape: str = "standard"
    per_file: int = 1
    sql_files: bool = False

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    @property
    def pipelines(self) -> list[JobSpec]:
        return [j for j in self.jobs if j.mode != "append"]

    @property
    def ingestions(self) -> list[JobSpec]:
        return [j for j in self.jobs if j.mode == "append"]
