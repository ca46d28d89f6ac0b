"""The job configuration the compiler writes and the runtime reads, as typed structures.

`alur_compiler.backends.glue` builds these dictionaries and every generated script declares
its literal as `JOB: PipelineJob = {...}` (or `IngestionJob`), so mypy checks both sides
against the same key names: a renamed or misspelt key fails type checking of the compiler,
of the runtime and of the generated scripts alike. Values are plain data (str, int, float,
bool, None, lists, dicts) so a script stays a readable literal.
"""

from typing import Literal, NotRequired, TypeAlias, TypedDict

Scalar: TypeAlias = str | int | float | bool | None


class Column(TypedDict):
    """A contract column: name, Spark SQL type, whether NULL is allowed; a bronze file
    column may say how the file spells it (`source_name`, matched exactly)."""

    name: str
    type: str
    nullable: bool
    source_name: NotRequired[str]
    #: the previous name of the column (`renamed_from`): the job renames it (evolve.py)
    renamed_from: NotRequired[str]
    #: where the column is declared in the target's `contract` file ("12:7"), for located
    #: job errors (evolve.py)
    at: NotRequired[str]


class Partition(TypedDict):
    """A partition field: the column, an Iceberg transform (None = identity) and its arg."""

    column: str
    transform: str | None
    arg: int | None


class Target(TypedDict):
    """The table a job writes."""

    name: str
    layer: Literal["bronze", "silver", "gold"]
    columns: list[Column]
    partition_by: list[Partition]
    primary_key: list[str]
    #: columns holding personal data (`pii: true`): the Iceberg table property `alur.pii`
    pii: list[str]
    #: the contract's YAML file, relative to the project root
    contract: NotRequired[str]


class Lookup(TypedDict):
    """A table a relationship check reads; `columns` is the Parquet reader schema of a
    bronze table (empty for Iceberg tables, whose catalog knows their columns)."""

    layer: Literal["bronze", "silver", "gold"]
    columns: list[Column]


class Check(TypedDict):
    """One lowered quality check (specs/checks.md). Row checks carry precompiled SQL:
    `fail_expr` is TRUE exactly when a row is unexpected, `considered_expr` when it counts
    toward the `mostly` denominator; table-level checks carry their parameters."""

    name: str
    type: str
    action: Literal["warn", "drop", "quarantine", "fail"]
    level: Literal["row", "table"]
    columns: list[str]
    mostly: float
    considered_expr: NotRequired[str]
    fail_expr: NotRequired[str]
    min: NotRequired[int | None]
    max: NotRequired[int | None]
    strict_min: NotRequired[bool]
    strict_max: NotRequired[bool]
    column: NotRequired[str | None]
    max_age_seconds: NotRequired[int | None]
    ref_table: NotRequired[str | None]
    ref_column: NotRequired[str | None]
    #: the check's row filter (SQL, never NULL): it applies only to rows where it is TRUE
    where: NotRequired[str]


class Source(TypedDict):
    """A table a pipeline's SQL reads, registered as the temp view `view`; `columns` as in
    `Lookup` (bronze only)."""

    table: str
    layer: Literal["bronze", "silver", "gold"]
    view: str
    columns: list[Column]
    incremental_column: str | None
    incremental_type: str | None
    writers: list[str]


class Merge(TypedDict):
    """MERGE INTO by `keys`; the greatest record per key wins (sequence_by, then a delete,
    then the other columns); `delete_when` deletes; deleted keys are remembered as
    tombstones for `tombstone_retention_days` (specs/pipeline.md#merge)."""

    keys: list[str]
    sequence_by: str | None
    delete_when: str | None
    tombstone_retention_days: int


class Scd2(TypedDict):
    """History by `keys` (specs/pipeline.md#scd2): one version per sequence value
    (`sequence_by`) or per change of `check_cols`, with `valid_from` / `valid_to` /
    `is_current` (the contract's column names); `delete_when` closes the current version."""

    keys: list[str]
    sequence_by: str | None
    check_cols: list[str]
    delete_when: str | None
    valid_from: str
    valid_to: str
    is_current: str


class PipelineJob(TypedDict):
    """A silver/gold pipeline: sources -> SQL -> checks -> write."""

    kind: Literal["pipeline"]
    name: str
    target: Target
    mode: Literal["merge", "overwrite", "append", "scd2"]
    merge: Merge | None
    #: mode scd2 only
    scd2: NotRequired[Scd2]
    overwrite_scope: Literal["table", "partitions"]
    sources: list[Source]
    sql: str
    #: how long an unfinished run whose owner's liveness cannot be decided holds the
    #: pipeline's input (the job timeout), see alur_runtime/owner.py
    lease_seconds: int
    checks: list[Check]
    lookups: dict[str, Lookup]


class FileSource(TypedDict):
    """Landing files of one format directly under `path` (with `recursive`, also in its
    sub-folders) whose names match `pattern`."""

    path: str
    format: Literal["csv", "json", "parquet"]
    pattern: str
    options: dict[str, str]
    recursive: bool


class JdbcPartition(TypedDict):
    """Parallel reads: [lower, upper] of the database column `column` in `count` reads."""

    column: str
    lower: int | str
    upper: int | str
    count: int


class JdbcSource(TypedDict):
    """A table or one SELECT of a database (jdbc.py). No credentials: `secret` is a name,
    resolved at run time (secrets.py) from Secrets Manager on Glue (the ARN comes in
    `--alur_secret_arn`), locally from the environment or the local secrets file."""

    engine: Literal["postgresql", "mysql"]
    #: jdbc:<engine>://host:port/database, without credentials
    url: str
    #: `_source_file` of the extracted rows
    identity: str
    secret: str
    table: str | None
    query: str | None
    #: the database column of the high-water mark (None: full extraction) and its type
    incremental_column: str | None
    incremental_type: str | None
    partition: JdbcPartition | None
    fetchsize: int


class IngestionJob(TypedDict):
    """A bronze ingestion: landing files -> conform by name -> checks -> append."""

    kind: Literal["ingestion"]
    name: str
    target: Target
    source_system: str
    sources: list[FileSource]
    file_columns: list[Column]
    on_bad_file: Literal["fail", "skip", "quarantine"]
    on_bad_row: Literal["fail", "drop", "quarantine"]
    on_duplicate_file: Literal["skip", "ingest"]
    #: a database source instead of `sources` (which is then empty)
    jdbc: NotRequired[JdbcSource]
    lease_seconds: int
    checks: list[Check]
    lookups: dict[str, Lookup]


Job: TypeAlias = PipelineJob | IngestionJob
