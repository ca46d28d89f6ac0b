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

from sql_templates import (
    BRONZE_COLUMNS,
    ENRICH_COLUMNS,
    GOLD_ACCOUNTS,
    GOLD_ACCOUNTS_COLUMNS,
    GOLD_DAILY,
    GOLD_DAILY_COLUMNS,
    GOLD_TRENDS,
    GOLD_TRENDS_COLUMNS,
    SILVER_CLEAN,
    SILVER_COLUMNS,
    SILVER_DEDUP,
    SILVER_ENRICH,
)
from synth_model import DOMAINS, STATUSES, Check, Col, JobSpec, Synthetic, TableSpec

__all__ = ["Check", "Col", "JobSpec", "Synthetic", "TableSpec", "build"]


def _silver_checks(rng: random.Random) -> tuple[Check, ...]:
    return (
        Check("unique", "record_id", "fail"),
        Check("not_null", "account_id", rng.choice(("warn", "quarantine"))),
        Check("accepted_values", "status", "quarantine", values=STATUSES),
        Check("between", "quantity", "drop", min=0, max=rng.choice((1000, 5000, 10000))),
    )


def _bronze(i: int, domain: str) -> tuple[TableSpec, JobSpec]:
    name = f"{domain}_raw_{i}"
    table = TableSpec(
        name,
        "bronze",
        f"{domain.title()} exactly as source {i} exports them.",
        BRONZE_COLUMNS,
        checks=(Check("not_null", "record_id", "quarantine"),),
    )
    job = JobSpec(
        f"ingest_{name}", name, f"Load {domain} exports of source {i}.", cron=f"{i % 60} * * * ? *"
    )
    return table, job


def _silver(
    i: int,
    rng: random.Random,
    bronze: list[TableSpec],
    silver: list[TableSpec],
    producers: dict[str, str],
) -> tuple[TableSpec, JobSpec]:
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
    table = TableSpec(
        name,
        "silver",
        f"Cleaned {domain} from {src.name}, latest version per record.",
        columns,
        ("record_id",),
        ("event_date",),
        _silver_checks(rng),
    )
    job = JobSpec(
        f"build_{name}",
        name,
        f"Clean and type {src.name} ({variant}).",
        sql,
        reads,
        "merge",
        ("record_id",),
        "updated_at",
        tuple(producers[r] for r in reads),
    )
    return table, job


def _gold(
    i: int, rng: random.Random, silver: list[TableSpec], producers: dict[str, str]
) -> tuple[TableSpec, JobSpec]:
    variant = rng.choice(("daily", "accounts", "trends"))
    first = rng.choice(silver)
    domain = first.name.rsplit("_", 1)[0]
    checks: tuple[Check, ...]
    if variant == "daily":
        sql, columns, reads = GOLD_DAILY, GOLD_DAILY_COLUMNS, (first.name,)
        checks = (
            Check("not_null", "event_date", "fail"),
            Check("between", "units", "warn", min=0, max=10_000_000),
        )
        pk: tuple[str, ...] = ("event_date", "category")
    elif variant == "accounts":
        second = rng.choice([s for s in silver if s is not first] or [first])
        sql, columns, reads = GOLD_ACCOUNTS, GOLD_ACCOUNTS_COLUMNS, (first.name, second.name)
        checks = (
            Check("unique", "account_id", "fail"),
            Check("accepted_values", "tier", "fail", values=("standard", "gold", "platinum")),
            Check("between", "records", "warn", min=1, max=1_000_000),
        )
        pk = ("account_id",)
    else:
        sql, columns, reads = GOLD_TRENDS, GOLD_TRENDS_COLUMNS, (first.name,)
        checks = (
            Check("not_null", "category", "warn"),
            Check("between", "daily_rank", "fail", min=1, max=1000),
        )
        pk = ()
    name = f"{domain}_{variant}_{i}"
    table = TableSpec(
        name,
        "gold",
        f"{variant.title()} view of {domain} ({', '.join(reads)}).",
        columns,
        pk,
        checks=checks,
    )
    job = JobSpec(
        f"build_{name}",
        name,
        f"Aggregate {', '.join(reads)} ({variant}).",
        sql,
        reads,
        "overwrite",
        after=tuple(dict.fromkeys(producers[r] for r in reads)),
    )
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
