"""A seeded synthetic lakehouse: bronze sources, silver (merge) and gold (overwrite) tables.

One neutral description that both writers render: `write_alurc` (YAML contracts, ingestions,
pipelines) and `write_dbt` (sources, models, schema yml). SQL is kept in a template whose
table references are `{r0}`, `{r1}`...; each writer fills them in its own way (a plain table
name for alurc, `{{ ref('x') }}` / `{{ source('bronze', 'x') }}` for dbt). The SQL is valid
Spark SQL and DuckDB SQL alike (CAST instead of to_date, no Spark-only functions).

Column types are what Spark's analyzer gives for the SQL (decimal arithmetic included), and
NOT NULL is declared only where the SQL provably filters NULLs, so the alurc project
compiles clean with full column checking.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DOMAINS = ("orders", "payments", "shipments", "invoices", "refunds", "sessions", "bookings",
           "claims", "tickets", "rentals", "subscriptions", "transfers")
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
    seed: int
    n: int
    tables: list[TableSpec] = field(default_factory=list)
    jobs: list[JobSpec] = field(default_factory=list)

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    @property
    def pipelines(self) -> list[JobSpec]:
        return [j for j in self.jobs if j.mode != "append"]

    @property
    def ingestions(self) -> list[JobSpec]:
        return [j for j in self.jobs if j.mode == "append"]


BRONZE_COLUMNS = (
    Col("record_id", "string", False, "Business key of the record in the source system."),
    Col("account_id", "string", True, "Account the record belongs to."),
    Col("category", "string", True, "Product or service category, free text."),
    Col("status", "string", True, "Lifecycle status as exported."),
    Col("quantity", "int", True, "Units."),
    Col("unit_price", "decimal(10,2)", True, "Price per unit in EUR."),
    Col("discount", "double", True, "Discount rate between 0 and 1."),
    Col("event_ts", "timestamp", True, "When the event happened."),
    Col("updated_at", "timestamp", True, "Last change in the source; newer wins."),
)

SILVER_COLUMNS = (
    Col("record_id", "string", False, "Business key."),
    Col("account_id", "string", True, "Owning account."),
    Col("category", "string", True, "Normalised category (lower case, trimmed)."),
    Col("status", "string", True, "Normalised status."),
    Col("quantity", "int", True, "Units."),
    Col("unit_price", "decimal(10,2)", True, "Price per unit."),
    Col("amount", "decimal(21,2)", True, "quantity * unit_price."),
    Col("discount_band", "string", True, "none, low or high."),
    Col("event_ts", "timestamp", True, "Event time."),
    Col("event_date", "date", True, "Event day."),
    Col("updated_at", "timestamp", False, "Sequence column for the merge."),
)
ENRICH_COLUMNS = (
    Col("related_records", "bigint", True, "Records of the same account upstream."),
    Col("last_related_at", "timestamp", True, "Latest related change."),
)

_SILVER_SELECT = """\
  {a}.record_id,
  {a}.account_id,
  lower(trim({a}.category)) AS category,
  lower(trim({a}.status)) AS status,
  {a}.quantity,
  {a}.unit_price,
  {a}.quantity * {a}.unit_price AS amount,
  CASE
    WHEN {a}.discount > 0.5 THEN 'high'
    WHEN {a}.discount > 0 THEN 'low'
    ELSE 'none'
  END AS discount_band,
  {a}.event_ts,
  CAST({a}.event_ts AS DATE) AS event_date,
  {a}.updated_at"""
_SILVER_WHERE = "{a}.record_id IS NOT NULL\n  AND {a}.updated_at IS NOT NULL"

SILVER_CLEAN = f"""SELECT
{_SILVER_SELECT.format(a="r")}
FROM {{r0}} AS r
WHERE {_SILVER_WHERE.format(a="r")}
  AND r.status <> '{{skip}}'
"""

SILVER_DEDUP = f"""WITH ranked AS (
  SELECT
    b.record_id, b.account_id, b.category, b.status, b.quantity, b.unit_price,
    b.discount, b.event_ts, b.updated_at,
    ROW_NUMBER() OVER (PARTITION BY b.record_id ORDER BY b.updated_at DESC) AS rn
  FROM {{r0}} AS b
)
SELECT
{_SILVER_SELECT.format(a="k")}
FROM ranked AS k
WHERE k.rn = 1
  AND {_SILVER_WHERE.format(a="k")}
"""

SILVER_ENRICH = f"""WITH related AS (
  SELECT s.account_id, COUNT(*) AS related_records, MAX(s.updated_at) AS last_related_at
  FROM {{r1}} AS s
  GROUP BY s.account_id
)
SELECT
{_SILVER_SELECT.format(a="r")},
  x.related_records,
  x.last_related_at
FROM {{r0}} AS r
LEFT JOIN related AS x ON x.account_id = r.account_id
WHERE {_SILVER_WHERE.format(a="r")}
"""

GOLD_DAILY = """SELECT
  s.event_date,
  s.category,
  COUNT(DISTINCT s.record_id) AS records,
  SUM(s.quantity) AS units,
  SUM(s.amount) AS revenue,
  AVG(s.unit_price) AS avg_price
FROM {r0} AS s
WHERE s.status NOT IN ('cancelled', 'returned')
  AND s.event_date IS NOT NULL
GROUP BY s.event_date, s.category
"""
GOLD_DAILY_COLUMNS = (
    Col("event_date", "date", False, "Day."),
    Col("category", "string", True, "Category."),
    Col("records", "bigint", False, "Distinct records."),
    Col("units", "bigint", True, "Units sold."),
    Col("revenue", "decimal(31,2)", True, "Revenue in EUR."),
    Col("avg_price", "decimal(14,6)", True, "Average unit price."),
)

GOLD_ACCOUNTS = """WITH a AS (
  SELECT
    s.account_id,
    SUM(s.amount) AS total_amount,
    COUNT(*) AS records,
    MAX(s.event_ts) AS last_event_ts
  FROM {r0} AS s
  WHERE s.account_id IS NOT NULL
  GROUP BY s.account_id
),
b AS (
  SELECT t.account_id, COUNT(*) AS other_records
  FROM {r1} AS t
  GROUP BY t.account_id
)
SELECT
  a.account_id,
  a.total_amount,
  a.records,
  COALESCE(b.other_records, 0) AS other_records,
  a.last_event_ts,
  CASE
    WHEN a.total_amount >= 10000 THEN 'platinum'
    WHEN a.total_amount >= 1000 THEN 'gold'
    ELSE 'standard'
  END AS tier
FROM a
LEFT JOIN b ON b.account_id = a.account_id
WHERE a.account_id IS NOT NULL
"""
GOLD_ACCOUNTS_COLUMNS = (
    Col("account_id", "string", False, "Account."),
    Col("total_amount", "decimal(31,2)", True, "Lifetime amount."),
    Col("records", "bigint", False, "Records of the account."),
    Col("other_records", "bigint", False, "Records in the second source."),
    Col("last_event_ts", "timestamp", True, "Latest event."),
    Col("tier", "string", True, "standard, gold or platinum."),
)

GOLD_TRENDS = """WITH daily AS (
  SELECT s.category, s.event_date, SUM(s.amount) AS revenue
  FROM {r0} AS s
  GROUP BY s.category, s.event_date
)
SELECT
  d.category,
  d.event_date,
  d.revenue,
  SUM(d.revenue) OVER (
    PARTITION BY d.category ORDER BY d.event_date
    ROWS BETWEEN 6 PRECEDING AND CURRENT ROW
  ) AS revenue_7d,
  RANK() OVER (PARTITION BY d.event_date ORDER BY d.revenue DESC) AS daily_rank
FROM daily AS d
"""
GOLD_TRENDS_COLUMNS = (
    Col("category", "string", True, "Category."),
    Col("event_date", "date", True, "Day."),
    Col("revenue", "decimal(31,2)", True, "Revenue of the day."),
    Col("revenue_7d", "decimal(38,2)", True, "Revenue over the last 7 days."),
    Col("daily_rank", "int", True, "Rank of the category on that day."),
)


def _silver_checks(rng: random.Random) -> tuple[Check, ...]:
    return (
        Check("unique", "record_id", "fail"),
        Check("not_null", "account_id", rng.choice(("warn", "quarantine"))),
        Check("accepted_values", "status", "quarantine", values=STATUSES),
        Check("between", "quantity", "drop", min=0, max=rng.choice((1000, 5000, 10000))),
    )


def _bronze(i: int, domain: str) -> tuple[TableSpec, JobSpec]:
    name = f"{domain}_raw_{i}"
    table = TableSpec(name, "bronze", f"{domain.title()} exactly as source {i} exports them.",
                      BRONZE_COLUMNS, checks=(Check("not_null", "record_id", "quarantine"),))
    job = JobSpec(f"ingest_{name}", name, f"Load {domain} exports of source {i}.",
                  cron=f"{i % 60} * * * ? *")
    return table, job


def _silver(i: int, rng: random.Random, bronze: list[TableSpec], silver: list[TableSpec],
            producers: dict[str, str]) -> tuple[TableSpec, JobSpec]:
    src = bronze[i % len(bronze)]
    domain = src.name.split("_raw_")[0]
    name = f"{domain}_{i}"
    variant = rng.choice(("clean", "dedup", "enrich") if silver else ("clean", "dedup"))
    reads: tuple[str, ...] = (src.name,)
    columns = SILVER_COLUMNS
    if variant == "clean":
        sql = SILVER_CLEAN.replace("{skip}", rng.choice(("test", "draft", "void")))
    elif variant == "dedup":
        sql = SILVER_DEDUP
    else:
        other = rng.choice(silver[-50:])
        reads, columns, sql = (src.name, other.name), SILVER_COLUMNS + ENRICH_COLUMNS, SILVER_ENRICH
    table = TableSpec(name, "silver", f"Cleaned {domain} from {src.name}, latest version per "
                      "record.", columns, ("record_id",), ("event_date",), _silver_checks(rng))
    job = JobSpec(f"build_{name}", name, f"Clean and type {src.name} ({variant}).", sql, reads,
                  "merge", ("record_id",), "updated_at", tuple(producers[r] for r in reads))
    return table, job


def _gold(i: int, rng: random.Random, silver: list[TableSpec],
          producers: dict[str, str]) -> tuple[TableSpec, JobSpec]:
    variant = rng.choice(("daily", "accounts", "trends"))
    first = rng.choice(silver)
    domain = first.name.rsplit("_", 1)[0]
    checks: tuple[Check, ...]
    if variant == "daily":
        sql, columns, reads = GOLD_DAILY, GOLD_DAILY_COLUMNS, (first.name,)
        checks = (Check("not_null", "event_date", "fail"),
                  Check("between", "units", "warn", min=0, max=10_000_000))
        pk: tuple[str, ...] = ("event_date", "category")
    elif variant == "accounts":
        second = rng.choice([s for s in silver if s is not first] or [first])
        sql, columns, reads = GOLD_ACCOUNTS, GOLD_ACCOUNTS_COLUMNS, (first.name, second.name)
        checks = (Check("unique", "account_id", "fail"),
                  Check("accepted_values", "tier", "fail", values=("standard", "gold", "platinum")),
                  Check("between", "records", "warn", min=1, max=1_000_000))
        pk = ("account_id",)
    else:
        sql, columns, reads = GOLD_TRENDS, GOLD_TRENDS_COLUMNS, (first.name,)
        checks = (Check("not_null", "category", "warn"),
                  Check("between", "daily_rank", "fail", min=1, max=1000))
        pk = ()
    name = f"{domain}_{variant}_{i}"
    table = TableSpec(name, "gold", f"{variant.title()} view of {domain} ({', '.join(reads)}).",
                      columns, pk, checks=checks)
    job = JobSpec(f"build_{name}", name, f"Aggregate {', '.join(reads)} ({variant}).", sql,
                  reads, "overwrite", after=tuple(dict.fromkeys(producers[r] for r in reads)))
    return table, job


def build(n: int, seed: int = 7) -> Synthetic:
    """N pipelines writing N silver/gold tables (60 % silver), plus max(1, N/4) bronze sources."""
    rng = random.Random(seed)
    syn = Synthetic(seed, n)
    producers: dict[str, str] = {}
    bronze: list[TableSpec] = []
    for i in range(max(1, n // 4)):
        table, job = _bronze(i, DOMAINS[i % len(DOMAINS)])
        bronze.append(table)
        syn.tables.append(table)
        syn.jobs.append(job)
        producers[table.name] = job.name
    silver: list[TableSpec] = []
    n_silver = max(1, (n * 3 + 4) // 5) if n > 1 else n
    for i in range(n):
        if i < n_silver:
            table, job = _silver(i, rng, bronze, silver, producers)
            silver.append(table)
        else:
            table, job = _gold(i, rng, silver, producers)
        syn.tables.append(table)
        syn.jobs.append(job)
        producers[table.name] = job.name
    return syn
