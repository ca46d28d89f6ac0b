"""The `dbtlike` shape: a real dbt project's structure replicated with renamed tables.

Per pipeline 1.6 tables and 0.6 ingestions: 0.6 N bronze sources (one ingestion each), one
staging model per source (silver merge, `SELECT *` through CTEs), then 0.2 N intermediate
models (silver merge, a join of two staging models) and 0.2 N marts (gold overwrite,
aggregates). Contracts, pipelines and ingestions sit in multi-document YAML files of
`PER_FILE` documents each; every pipeline's SQL is in its own `sql_file`.
"""

from __future__ import annotations

import random

from sql_dbtlike import (
    INTERMEDIATE,
    INTERMEDIATE_COLUMNS,
    MART,
    MART_COLUMNS,
    STAGING,
    STAGING_COLUMNS,
)
from sql_templates import BRONZE_COLUMNS
from synth_model import DOMAINS, STATUSES, Check, JobSpec, Synthetic, TableSpec

PER_FILE = 25


def _silver_checks(rng: random.Random) -> tuple[Check, ...]:
    return (
        Check("unique", "record_id", "fail"),
        Check("not_null", "account_id", rng.choice(("warn", "quarantine"))),
        Check("accepted_values", "status", "quarantine", values=STATUSES),
        Check("between", "quantity", "drop", min=0, max=rng.choice((1000, 5000))),
    )


def _bronze(i: int) -> tuple[TableSpec, JobSpec]:
    domain = DOMAINS[i % len(DOMAINS)]
    name = f"src_{domain}_{i}"
    table = TableSpec(
        name,
        "bronze",
        f"{domain.title()} as source system {i} exports them.",
        BRONZE_COLUMNS,
        checks=(Check("not_null", "record_id", "quarantine"),),
    )
    job = JobSpec(f"load_{name}", name, f"Load {name}.", cron=f"{i % 60} 2 * * ? *")
    return table, job


def _silver(
    name: str, sql: str, reads: tuple[str, ...], rng: random.Random, producers: dict[str, str]
) -> tuple[TableSpec, JobSpec]:
    columns = STAGING_COLUMNS if len(reads) == 1 else INTERMEDIATE_COLUMNS
    table = TableSpec(
        name,
        "silver",
        f"{name} from {', '.join(reads)}.",
        columns,
        ("record_id",),
        ("event_date",),
        _silver_checks(rng),
    )
    job = JobSpec(
        f"build_{name}",
        name,
        f"Model {name}.",
        sql,
        reads,
        "merge",
        ("record_id",),
        "updated_at",
        tuple(dict.fromkeys(producers[r] for r in reads)),
    )
    return table, job


def _mart(name: str, read: str, producers: dict[str, str]) -> tuple[TableSpec, JobSpec]:
    checks = (
        Check("not_null", "event_date", "fail"),
        Check("between", "units", "warn", min=0, max=10_000_000),
    )
    table = TableSpec(
        name,
        "gold",
        f"Daily {name} from {read}.",
        MART_COLUMNS,
        ("event_date", "category"),
        (),
        checks,
    )
    job = JobSpec(
        f"build_{name}", name, f"Mart {name}.", MART, (read,), "overwrite", after=(producers[read],)
    )
    return table, job


def build_dbtlike(n: int, seed: int = 7) -> Synthetic:
    """N pipelines: 0.6 N staging, 0.2 N intermediate, 0.2 N marts; 0.6 N sources."""
    rng = random.Random(seed)
    syn = Synthetic(seed, n, shape="dbtlike", per_file=PER_FILE, sql_files=True)
    producers: dict[str, str] = {}
    n_staging = max(1, (n * 3 + 4) // 5)
    n_inter = (n - n_staging) // 2
    staged: list[str] = []
    built: list[str] = []

    def add(table: TableSpec, job: JobSpec) -> None:
        syn.tables.append(table)
        syn.jobs.append(job)
        producers[table.name] = job.name

    for i in range(n_staging):
        add(*_bronze(i))
    for i in range(n_staging):
        source = syn.tables[i].name
        sql = STAGING.replace("{skip}", rng.choice(("test", "draft", "void")))
        add(*_silver(f"stg_{source[4:]}", sql, (source,), rng, producers))
        staged.append(syn.tables[-1].name)
    for i in range(n_inter):
        a = rng.choice(staged)
        b = rng.choice([s for s in staged[-50:] if s != a] or [a])
        add(*_silver(f"int_{a[4:]}_{i}", INTERMEDIATE, (a, b), rng, producers))
        built.append(syn.tables[-1].name)
    for i in range(n - n_staging - n_inter):
        read = rng.choice(built or staged)
        add(*_mart(f"mart_daily_{i}", read, producers))
    return syn
