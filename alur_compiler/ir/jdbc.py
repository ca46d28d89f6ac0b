"""IR of database sources (an Ingestion's `kind: jdbc` source) and of the environment's
network and secrets those jobs use. Frozen, like every IR node (nodes.py imports these)."""

from __future__ import annotations

from dataclasses import dataclass, field

from alur_compiler.diagnostics.span import Span

#: the default TCP port of each engine
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
#: rows fetched per round trip when `fetchsize` is not set
DEFAULT_FETCHSIZE = 10000


@dataclass(frozen=True)
class JdbcPartition:
    """Parallel reads: [lower, upper] of `column` split into `count` reads."""

    column: str
    lower: int | str
    upper: int | str
    count: int


@dataclass(frozen=True)
class JdbcSource:
    """A table or one SELECT of a database, read over JDBC into a bronze table."""

    engine: str  # postgresql | mysql
    host: str
    port: int
    database: str
    secret: str  # a name: the environment's `secrets` maps it to an ARN; locally env/file
    table: str | None = None  # exactly one of table and query
    query: str | None = None
    incremental_column: str | None = None  # contract column; None: full extraction
    incremental_type: str | None = None  # its contract type
    partition: JdbcPartition | None = None
    fetchsize: int = DEFAULT_FETCHSIZE
    span: Span = field(default_factory=Span.unknown, compare=False)

    @property
    def url(self) -> str:
        """The JDBC URL, without credentials (they come from the secret)."""
        return f"jdbc:{self.engine}://{self.host}:{self.port}/{self.database}"

    @property
    def identity(self) -> str:
        """What `_source_file` holds for its rows: the URL and the table, or `query`."""
        return f"{self.url}#{self.table}" if self.table else f"{self.url}#query"


@dataclass(frozen=True)
class Network:
    """Where an environment's database-reading jobs run (its Glue connections)."""

    subnet: str
    security_groups: tuple[str, ...]
    availability_zone: str
