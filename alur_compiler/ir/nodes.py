"""The intermediate representation: frozen dataclasses, references resolved, defaults applied.

Backends import only this module (and diagnostics). Every node keeps the span of the YAML
that produced it, so a backend can still report a located diagnostic (AL5xx).
Collections are tuples so that nodes are hashable and immutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from alur_compiler.diagnostics.span import Span
from alur_compiler.ir import layout
from alur_compiler.ir.jdbc import JdbcSource, Network

#: field metadata: selection labels, not part of fingerprints or the IR's JSON (a tag
#: changes no generated file, so it must not mark a job as changed)
NOT_FINGERPRINTED: dict[str, Any] = {"fingerprint": False}

#: Metadata columns every bronze table gets from ingestion, in this order.
INGESTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_ingested_at", "timestamp"),
    ("_source_file", "string"),
    ("_source_system", "string"),
    ("_batch_id", "string"),
)


class Layer(StrEnum):
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"


class WriteMode(StrEnum):
    APPEND = "append"
    MERGE = "merge"
    OVERWRITE = "overwrite"
    SCD2 = "scd2"


class Action(StrEnum):
    WARN = "warn"
    DROP = "drop"
    QUARANTINE = "quarantine"
    FAIL = "fail"


class CheckType(StrEnum):
    NOT_NULL = "not_null"
    UNIQUE = "unique"
    ACCEPTED_VALUES = "accepted_values"
    BETWEEN = "between"
    REGEX = "regex"
    LENGTH_BETWEEN = "length_between"
    ROW_COUNT_BETWEEN = "row_count_between"
    FRESHNESS = "freshness"
    EXPRESSION = "expression"
    RELATIONSHIP = "relationship"


#: Checks that judge the table as a whole: they can warn or fail, never drop rows.
TABLE_LEVEL_CHECKS = frozenset(
    {CheckType.ROW_COUNT_BETWEEN, CheckType.FRESHNESS, CheckType.RELATIONSHIP}
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # normalised Spark SQL type, lower case: "decimal(10,2)", "array<string>"
    nullable: bool = True
    description: str = ""
    pii: bool = False
    #: bronze: the header / JSON key / Parquet column as the source file spells it (exact
    #: case and spaces); None reads the file column named like the contract column
    source_name: str | None = None
    #: the column's previous name (`renamed_from`): jobs rename the table column, the
    #: change classification reads it as a rename rather than a drop and an add
    renamed_from: str | None = None
    span: Span = field(default_factory=Span.unknown, compare=False)


@dataclass(frozen=True)
class PartitionField:
    """`days(order_ts)` -> transform='days', column='order_ts'; identity has transform=None."""

    column: str
    transform: str | None = None  # identity | years | months | days | hours | bucket | truncate
    arg: int | None = None  # N for bucket[N] / truncate[N]
    span: Span = field(default_factory=Span.unknown, compare=False)

    @property
    def expression(self) -> str:
        if self.transform is None:
            return self.column
        if self.arg is not None:
            return f"{self.transform}({self.arg}, {self.column})"
        return f"{self.transform}({self.column})"


@dataclass(frozen=True)
class Check:
    """One data-quality check. Parameters not used by a type stay at their defaults."""

    name: str  # unique within the table's effective checks
    type: CheckType
    action: Action = Action.FAIL
    columns: tuple[str, ...] = ()  # one column for column checks, several for unique
    values: tuple[str | int | float | bool, ...] = ()  # accepted_values
    min: float | int | str | None = None  # between, length_between, row_count_between
    max: float | int | str | None = None
    strict_min: bool = False
    strict_max: bool = False
    pattern: str | None = None  # regex
    max_age_seconds: int | None = None  # freshness
    sql: str | None = None  # expression: a boolean SQL expression true for good rows
    ref_table: str | None = None  # relationship: target table name
    ref_column: str | None = None  # relationship: target column
    mostly: float = 1.0  # share of rows that must pass (0 < mostly <= 1)
    origin: str = "table"  # "table" (contract) or "pipeline" (pipeline's own checks)
    where: str | None = None  # row filter: the check applies only to rows where it is TRUE
    span: Span = field(default_factory=Span.unknown, compare=False)

    @property
    def column(self) -> str | None:
        return self.columns[0] if self.columns else None

    @property
    def table_level(self) -> bool:
        return self.type in TABLE_LEVEL_CHECKS


@dataclass(frozen=True)
class Table:
    name: str
    layer: Layer
    columns: tuple[Column, ...]  # bronze tables include INGESTION_COLUMNS at the end
    description: str = ""
    tags: tuple[str, ...] = field(default=(), metadata=NOT_FINGERPRINTED)  # for --select tag:
    primary_key: tuple[str, ...] = ()
    partition_by: tuple[PartitionField, ...] = ()
    checks: tuple[Check, ...] = ()
    file_format: str = "parquet"  # parquet (bronze) | iceberg (silver, gold)
    span: Span = field(default_factory=Span.unknown, compare=False)

    def column(self, name: str) -> Column | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class GlueConfig:
    worker_type: str = "G.1X"
    workers: int = 2
    timeout_minutes: int = 60
    max_retries: int = 0
    execution_class: str = "STANDARD"  # STANDARD | FLEX
    max_concurrent_runs: int = 1
    extra_arguments: tuple[tuple[str, str], ...] = ()  # sorted (key, value) pairs
    spark_conf: tuple[tuple[str, str], ...] = ()  # sorted Spark settings, after alurc's own


@dataclass(frozen=True)
class Schedule:
    cron: str | None = None  # AWS 6-field cron, without the cron( ) wrapper
    after: tuple[str, ...] = ()  # names of pipelines/ingestions that must succeed first
    enabled: bool = True
    span: Span = field(default_factory=Span.unknown, compare=False)
    after_any: tuple[str, ...] = ()  # ... of which any one success starts the job
    max_wait_minutes: int | None = None  # with `after`: wait at most this long
    on_max_wait: str = "alert"  # run | alert, when max_wait elapses

    @property
    def predecessors(self) -> tuple[str, ...]:
        """The jobs whose successes start this one (`after` or `after_any`)."""
        return self.after or self.after_any

    @property
    def aws_expression(self) -> str | None:
        return f"cron({self.cron})" if self.cron else None


@dataclass(frozen=True)
class SourceTable:
    """A table a pipeline's SQL reads; `alias` is the name as written in the SQL."""

    table: str
    written_as: str  # e.g. "orders" or "silver.orders"
    incremental_column: str | None = None  # watermark column when read incrementally
    #: every reference in Pipeline.sql: (start, end) character offsets (end exclusive) and
    #: whether it has an alias, so a backend can substitute names without re-parsing
    refs: tuple[tuple[int, int, bool], ...] = ()


@dataclass(frozen=True)
class Scd2:
    """mode scd2 (specs/pipeline.md#scd2): history by `keys`, a version per `sequence_by`
    value or per change of `check_cols`; the three history columns of the contract."""

    keys: tuple[str, ...]
    sequence_by: str | None = None
    check_cols: tuple[str, ...] = ()
    delete_when: str | None = None
    valid_from: str = "valid_from"
    valid_to: str = "valid_to"
    is_current: str = "is_current"


@dataclass(frozen=True)
class Pipeline:
    name: str
    target: str  # table name
    sql: str  # as written (after reading sql_file)
    mode: WriteMode
    sources: tuple[SourceTable, ...]  # inferred from the SQL, sorted by table name
    description: str = ""
    tags: tuple[str, ...] = field(default=(), metadata=NOT_FINGERPRINTED)  # for --select tag:
    merge_keys: tuple[str, ...] = ()
    sequence_by: str | None = None
    delete_when: str | None = None  # SQL boolean on the source row
    tombstone_retention_days: int = 90  # how long a deleted key is remembered (merge)
    overwrite_scope: str = "table"  # table | partitions
    scd2: Scd2 | None = None  # mode scd2 only
    checks: tuple[Check, ...] = ()  # pipeline's own checks (target's contract checks are on Table)
    schedule: Schedule | None = None
    glue: GlueConfig = GlueConfig()  # project defaults with this job's overrides applied
    glue_overrides: tuple[tuple[str, object], ...] = ()  # only what this job's YAML sets
    #: `expected_minutes`: the declared duration of a run, read only by `alurc cost`
    expected_minutes: float | None = field(default=None, metadata=NOT_FINGERPRINTED)
    sql_file: str | None = None  # `sql_file` as written (relative to the pipeline's YAML file)
    #: target column -> upstream "table.column" names it is computed from (column lineage)
    lineage: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sql_span: Span = field(default_factory=Span.unknown, compare=False)  # first line of the SQL
    span: Span = field(default_factory=Span.unknown, compare=False)

    @property
    def upstream_tables(self) -> tuple[str, ...]:
        return tuple(s.table for s in self.sources)


@dataclass(frozen=True)
class FileSource:
    path: str  # relative to the landing bucket/folder, or an absolute s3:// URI
    format: str  # csv | json | parquet
    pattern: str = "*"
    options: tuple[tuple[str, str], ...] = ()  # reader options, sorted, values as strings
    recursive: bool = False  # also files in sub-folders of `path`
    span: Span = field(default_factory=Span.unknown, compare=False)


@dataclass(frozen=True)
class Ingestion:
    name: str
    target: str  # bronze table name
    source_system: str
    sources: tuple[FileSource, ...]  # empty when the source is a database (`jdbc`)
    description: str = ""
    tags: tuple[str, ...] = field(default=(), metadata=NOT_FINGERPRINTED)  # for --select tag:
    on_bad_file: str = "fail"  # fail | quarantine | skip
    on_bad_row: str = "quarantine"  # quarantine | drop | fail
    on_duplicate_file: str = "skip"  # skip | ingest: the same bytes under another name
    jdbc: JdbcSource | None = None  # a database source (ir/jdbc.py) instead of files
    schedule: Schedule | None = None
    glue: GlueConfig = GlueConfig()  # project defaults with this job's overrides applied
    glue_overrides: tuple[tuple[str, object], ...] = ()  # only what this job's YAML sets
    #: `expected_minutes`: the declared duration of a run, read only by `alurc cost`
    expected_minutes: float | None = field(default=None, metadata=NOT_FINGERPRINTED)
    span: Span = field(default_factory=Span.unknown, compare=False)


@dataclass(frozen=True)
class StateBackend:
    backend: str = "local"  # s3 | local
    bucket: str | None = None
    key: str | None = None
    lock_table: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Environment:
    name: str
    region: str
    account: str | None
    lake_bucket: str
    artifacts_bucket: str
    landing_bucket: str
    state: StateBackend
    glue: GlueConfig  # project defaults merged with the environment's overrides
    tags: tuple[tuple[str, str], ...] = ()  # sorted
    endpoints: tuple[tuple[str, str], ...] = ()  # sorted service -> URL (local emulators)
    kms_alias: str | None = None  # `kms: {alias: alias/x}`: an existing customer key
    kms_create: bool = False  # `kms: {create: true}`: alurc creates the key
    protected: bool = False  # deletion protection, no force_destroy, prevent_destroy
    network: Network | None = None  # subnet and security groups of jdbc jobs
    secrets: tuple[tuple[str, str], ...] = ()  # sorted secret name -> Secrets Manager ARN
    span: Span = field(default_factory=Span.unknown, compare=False)

    def database(self, project: str, layer: Layer | str) -> str:
        """Glue database name: one per project, environment and layer."""
        return layout.database(project, self.name, str(layer))

    @property
    def state_table(self) -> str:
        """DynamoDB table for ingestion/watermark state of this environment."""
        return layout.state_table(self.lake_bucket)


def effective_glue(env: Environment, job: Pipeline | Ingestion) -> GlueConfig:
    """Glue settings of a job in an environment: defaults < environment < job overrides.

    Only what the job's YAML sets overrides the environment; extra arguments and Spark
    settings are merged (the job's win on the same key).
    """
    from dataclasses import replace

    overrides: dict[str, Any] = dict(job.glue_overrides)
    for key in ("extra_arguments", "spark_conf"):
        if key in overrides:
            merged = dict(getattr(env.glue, key)) | dict(overrides[key])
            overrides[key] = tuple(sorted(merged.items()))
    return replace(env.glue, **overrides)


@dataclass(frozen=True)
class LocalConfig:
    landing: str = "data/landing"  # relative to the project root
    warehouse: str = ".alur/warehouse"


@dataclass(frozen=True)
class Project:
    name: str
    root: str  # absolute path of the folder holding alur.yaml
    tables: tuple[Table, ...]  # sorted by name
    pipelines: tuple[Pipeline, ...]  # sorted by name
    ingestions: tuple[Ingestion, ...]  # sorted by name
    environments: tuple[Environment, ...]  # sorted by name
    description: str = ""
    local: LocalConfig = LocalConfig()
    span: Span = field(default_factory=Span.unknown, compare=False)

    @cached_property
    def _tables_by_name(self) -> dict[str, Table]:
        return {t.name: t for t in self.tables}

    @cached_property
    def _pipeline_checks(self) -> dict[str, tuple[Check, ...]]:
        out: dict[str, tuple[Check, ...]] = {}
        for p in self.pipelines:
            out[p.target] = out.get(p.target, ()) + p.checks
        return out

    def table(self, name: str) -> Table:
        return self._tables_by_name[name]

    def environment(self, name: str) -> Environment:
        for e in self.environments:
            if e.name == name:
                return e
        raise KeyError(name)

    @cached_property
    def _jobs_by_name(self) -> dict[str, Pipeline | Ingestion]:
        out: dict[str, Pipeline | Ingestion] = {}
        for pipe in self.pipelines:
            out.setdefault(pipe.name, pipe)
        for ing in self.ingestions:
            out.setdefault(ing.name, ing)
        return out

    def job(self, name: str) -> Pipeline | Ingestion:
        return self._jobs_by_name[name]

    @cached_property
    def _ingestions_by_target(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for ing in self.ingestions:
            out.setdefault(ing.target, []).append(ing.name)
        return out

    def ingestion_writers(self, table: str) -> list[str]:
        """Names of the ingestions appending to `table`, sorted (one dict lookup)."""
        return sorted(self._ingestions_by_target.get(table, ()))

    @property
    def jobs(self) -> tuple[Pipeline | Ingestion, ...]:
        return tuple(sorted((*self.pipelines, *self.ingestions), key=lambda j: j.name))

    def effective_checks(self, table: str) -> tuple[Check, ...]:
        """Contract checks of a table plus the checks of the pipeline(s) writing it."""
        return self.table(table).checks + self._pipeline_checks.get(table, ())
