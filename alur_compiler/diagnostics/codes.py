"""Every diagnostic code alurc can emit, registered in one place (mypy errorcodes style).

Ranges: AL1xx load/YAML, AL2xx schema, AL3xx references and semantics, AL4xx SQL,
AL5xx backend limits, AL9xx internal. Tests assert that every code here is exercised by
the error corpus (tests/errors/), so a code cannot be added without an example.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class ErrorCode:
    code: str
    name: str
    summary: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return self.code


REGISTRY: dict[str, ErrorCode] = {}


def _register(code: str, name: str, summary: str, severity: Severity = Severity.ERROR) -> ErrorCode:
    if code in REGISTRY:
        raise ValueError(f"duplicate error code {code}")
    ec = ErrorCode(code, name, summary, severity)
    REGISTRY[code] = ec
    return ec


# AL1xx: finding and reading files
YAML_SYNTAX = _register("AL101", "yaml-syntax", "the file is not valid YAML")
DUPLICATE_KEY = _register("AL102", "duplicate-key", "a mapping has the same key twice")
NO_PROJECT = _register("AL103", "no-project", "no alur.yaml found")
FILE_UNREADABLE = _register("AL104", "file-unreadable", "a file cannot be read or decoded")
YAML_UNSUPPORTED = _register("AL105", "yaml-unsupported", "YAML feature not allowed in specs")
SQL_FILE_MISSING = _register("AL106", "sql-file-missing", "sql_file does not exist")
OUTPUT_UNWRITABLE = _register("AL108", "output-unwritable", "the build folder cannot be written")
FOREIGN_BUILD_FOLDER = _register(
    "AL120", "foreign-build-folder", "the build folder is not alurc's (nothing was written)"
)
USER_FILE_IN_BUILD = _register(
    "AL121", "user-file-in-build", "compiling would overwrite or delete a file alurc did not write"
)
MISSING_PATH = _register(
    "AL107", "missing-path", "a paths entry names nothing that exists", Severity.WARNING
)
FILE_TOO_LARGE = _register("AL109", "file-too-large", "a file is larger than the size limit")
YAML_TOO_DEEP = _register("AL110", "yaml-too-deep", "YAML nested deeper than the depth limit")
YAML_TOO_MANY_NODES = _register(
    "AL111", "yaml-too-many-nodes", "a file holds more YAML nodes than the limit, aliases expanded"
)

# AL2xx: structure (JSON Schema)
UNKNOWN_KIND = _register("AL201", "unknown-kind", "missing or unknown kind / apiVersion")
UNKNOWN_KEY = _register("AL202", "unknown-key", "a key the schema does not define")
MISSING_KEY = _register("AL203", "missing-key", "a required key is missing")
WRONG_TYPE = _register("AL204", "wrong-type", "a value has the wrong type")
BAD_VALUE = _register("AL205", "bad-value", "a value is not one of the allowed values")
SCHEMA_OTHER = _register("AL206", "schema", "a value breaks another schema rule")

# AL3xx: names, references, semantics
DUPLICATE_NAME = _register("AL301", "duplicate-name", "two definitions share a name")
UNKNOWN_TABLE = _register("AL302", "unknown-table", "reference to a table that does not exist")
UNKNOWN_JOB = _register("AL303", "unknown-job", "reference to an unknown pipeline or ingestion")
UNKNOWN_COLUMN = _register("AL304", "unknown-column", "a column the table does not have")
CYCLE = _register("AL305", "cycle", "jobs depend on each other in a cycle")
MERGE_WITHOUT_KEYS = _register("AL306", "merge-without-keys", "merge needs keys")
INVALID_TYPE = _register("AL307", "invalid-type", "not a valid Spark SQL type")
INVALID_CRON = _register("AL308", "invalid-cron", "not a valid AWS cron expression")
LAYER_RULE = _register("AL309", "layer-rule", "a layer rule is broken")
CHECK_RULE = _register("AL310", "check-rule", "a check is not valid for its table or action")
PARTITION_RULE = _register("AL311", "partition-rule", "an invalid partition transform")
ENVIRONMENT_RULE = _register("AL312", "environment-rule", "an invalid environment setting")
WRITE_MODE_RULE = _register("AL313", "write-mode-rule", "write mode settings do not fit")
UNUSED_TABLE = _register("AL314", "unused-table", "a table nothing writes", Severity.WARNING)
RESERVED_SETTING = _register(
    "AL315", "reserved-setting", "a glue argument or Spark setting alurc sets itself"
)
SOURCE_PATH = _register(
    "AL316", "source-path", "an ingestion source path outside the accepted forms"
)
NEVER_FIRES = _register(
    "AL317",
    "schedule-never-fires",
    "an after: job whose predecessor no schedule starts",
    Severity.WARNING,
)
RENAME_RULE = _register(
    "AL322", "rename-rule", "a column's renamed_from cannot be applied to its table"
)
MAX_WAIT_RANGE = _register(
    "AL325", "max-wait-range", "a schedule's max_wait is shorter than 15m or longer than 7d"
)
JDBC_SOURCE = _register(
    "AL318", "jdbc-source", "a jdbc source setting does not fit its ingestion or contract"
)
MISSING_SECRET = _register(
    "AL319", "missing-secret", "an environment lacks a jdbc source's secret or network"
)
SOURCE_DRIFT = _register(
    "AL320", "source-drift", "a jdbc source's live columns do not fit its contract (--connect)"
)
SOURCE_NOT_CHECKED = _register(
    "AL321",
    "source-not-checked",
    "validate --connect cannot read this jdbc source's columns",
    Severity.WARNING,
)

# AL4xx: SQL
SQL_SYNTAX = _register("AL401", "sql-syntax", "the SQL does not parse")
SQL_UNKNOWN_TABLE = _register("AL402", "sql-unknown-table", "the SQL reads an unknown table")
SQL_UNKNOWN_COLUMN = _register("AL403", "sql-unknown-column", "the SQL uses an unknown column")
SQL_AMBIGUOUS_COLUMN = _register("AL404", "sql-ambiguous-column", "a column could be several")
SQL_MISSING_COLUMN = _register(
    "AL405", "sql-missing-column", "the target has a column the SQL lacks"
)
SQL_EXTRA_COLUMN = _register(
    "AL406", "sql-extra-column", "the SQL returns a column the target lacks"
)
SQL_TYPE_MISMATCH = _register("AL407", "sql-type-mismatch", "a column type does not fit the target")
SQL_NULLABILITY = _register(
    "AL408", "sql-nullability", "a nullable value goes into a NOT NULL column", Severity.WARNING
)
SQL_NOT_SELECT = _register("AL409", "sql-not-select", "a pipeline's SQL must be one SELECT")
SQL_SELF_REFERENCE = _register("AL410", "sql-self-reference", "a pipeline reads its own target")
SQL_NOT_ROW_EXPRESSION = _register(
    "AL411", "sql-not-row-expression", "a check or delete_when is not one boolean row expression"
)
SQL_JINJA = _register("AL412", "sql-jinja", "the SQL uses Jinja (dbt's ref(), {% %})")
JDBC_QUERY_NOT_SELECT = _register(
    "AL413", "jdbc-query-not-select", "a jdbc source's query must be one SELECT"
)

# AL5xx: backend limits
BACKEND_LIMIT = _register("AL501", "backend-limit", "the target platform cannot express this")
AWS_LIMIT = _register(
    "AL502", "aws-limit", "a name, description or tag breaks an AWS length or character limit"
)
CHAIN_LIMIT = _register(
    "AL503", "chain-limit", "an after: chain wider than the chain Lambda decides in time"
)

# AL9xx: internal
INTERNAL = _register("AL901", "internal", "alurc itself failed (a bug: please report it)")
