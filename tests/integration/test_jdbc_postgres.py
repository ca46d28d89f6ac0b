"""JDBC ingestion against a real PostgreSQL 15 server (tests/integration/pg_server.py) on
the suite's Spark session: every supported type, NULLs and unicode, incremental runs after
inserts and updates, partitioned reads, a full extraction of a query, crashes between
extraction and commit and after the commit, credentials from the environment (and never
in any log, report or written file). Expected rows come from a plain-Python reference of
what was inserted, compared through Spark-formatted strings (no pandas conversions)."""

from __future__ import annotations

import datetime
import decimal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pg_server import PgServer
from test_glue_support import Harness

pytestmark = pytest.mark.spark

CONTRACT = """\
apiVersion: alur/v1
kind: Table
name: customers_raw
layer: bronze
columns:
  - {name: id, type: bigint, nullable: false}
  - {name: name, type: string}
  - {name: balance, type: "decimal(12,2)"}
  - {name: score, type: double}
  - {name: active, type: boolean}
  - {name: born, type: date}
  - {name: updated_at, type: timestamp}
  - {name: tags, type: "array<string>"}
  - {name: points, type: "array<int>"}
  - {name: code, type: int}
  - {name: note, type: string, source_name: "Note"}
"""

INGESTION = """\
---
apiVersion: alur/v1
kind: Ingestion
name: ingest_customers
target: customers_raw
source_system: crm
sources:
  - kind: jdbc
    engine: postgresql
    host: 127.0.0.1
    port: {port}
    database: crm
    secret: crm_reader
{source}
"""

TABLE_SQL = """
SET ROLE alur_reader;
DROP TABLE IF EXISTS {table};
CREATE TABLE {table} (
  id bigint PRIMARY KEY, name text, balance numeric(12,2), score double precision,
  active boolean, born date, updated_at timestamptz NOT NULL, tags text[], points int[],
  code text, "Note" text, ignored_extra text
);
"""

UTC = datetime.UTC
T0 = datetime.datetime(2026, 11, 1, 10, 0, 0, 123456, tzinfo=UTC)


def row(i: int, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": i,
        "name": ["Ada", "Zoë Ωmega", "李雷", 'O\'Brien \\ "q"', None][i % 5],
        "balance": decimal.Decimal(i * 1000 + 12) / 100 if i % 4 else None,
        "score": i / 8 if i % 3 else None,
        "active": [True, False, None][i % 3],
        "born": datetime.date(1990, 1, 1) + datetime.timedelta(days=i) if i % 2 else None,
        # timestamptz written at +02:00: the instant is what counts
        "updated_at": T0 + datetime.timedelta(minutes=i),
        "tags": ["a", "ü", None] if i % 2 else ([] if i % 3 else None),
        "points": [i, -i] if i % 2 else None,
        "code": str(i * 7) if i != 3 else "x3",  # row 3 does not fit `int`: a bad row
        "Note": None if i % 2 else f"note {i} ✓",
    }
    base.update(over)
    return base


def sql_value(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float | decimal.Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):
        local = v.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
        return f"'{local.isoformat()}'::timestamptz"
    if isinstance(v, datetime.date):
        return f"'{v.isoformat()}'::date"
    if isinstance(v, list):
        inner = ", ".join(sql_value(x) for x in v)
        return f"ARRAY[{inner}]" if v else "'{}'"
    return "'" + str(v).replace("'", "''") + "'"


COLUMNS = ["id", "name", "balance", "score", "active", "born", "updated_at", "tags", "points",
           "code", "Note"]  # fmt: skip


def insert(pg: PgServer, rows: list[dict[str, Any]], table: str = "customers") -> None:
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    values = ", ".join("(" + ", ".join(sql_value(r[c]) for c in COLUMNS) + ", 'x')" for r in rows)
    pg.psql(f"SET ROLE alur_reader; INSERT INTO {table} ({cols}, ignored_extra) VALUES {values}")


def expected(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The bronze rows a correct ingestion holds, as `bronze_rows` formats them."""

    def fmt_list(v: list[Any] | None) -> str | None:
        if v is None:
            return None
        return "[" + ",".join("null" if x is None else str(x) for x in v) + "]"

    out = []
    for r in rows:
        if r["code"] == "x3":
            continue
        out.append(
            (
                r["id"],
                r["name"],
                None if r["balance"] is None else f"{r['balance']:.2f}",
                r["score"],
                r["active"],
                None if r["born"] is None else r["born"].isoformat(),
                r["updated_at"].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
                fmt_list(r["tags"]),
                fmt_list(r["points"]),
                int(r["code"]),
                r["Note"],
            )
        )
    return sorted(out, key=lambda t: (t[0], t[6]))


def bronze_rows(h: Harness) -> list[tuple[Any, ...]]:
    df = h.bronze("bronze/customers_raw")
    df.createOrReplaceTempView("jdbc_bronze")
    got = h.spark.sql(
        "SELECT id, name, CAST(balance AS string), score, active, CAST(born AS string), "
        "date_format(updated_at, 'yyyy-MM-dd HH:mm:ss.SSSSSS'), "
        "CASE WHEN tags IS NULL THEN NULL ELSE "
        "concat('[', array_join(tags, ',', 'null'), ']') END, "
        "CASE WHEN points IS NULL THEN NULL ELSE "
        "concat('[', array_join(transform(points, x -> CAST(x AS string)), ',', 'null'), ']') END, "
        "code, note FROM jdbc_bronze"
    ).collect()
    return sorted((tuple(r) for r in got), key=lambda t: (t[0], t[6]))


def make(spark: Any, tmp: Path, pg: PgServer, source: str, table: str = "customers") -> Harness:
    from alur_compiler.api import load_project

    pg.psql(TABLE_SQL.format(table=table))
    root = tmp / "proj"
    root.mkdir()
    (root / "alur.yaml").write_text("apiVersion: alur/v1\nkind: Project\nname: crm\n")
    for folder in ("contracts", "ingestions"):
        (root / folder).mkdir()
    (root / "contracts" / "customers_raw.yaml").write_text(CONTRACT)
    (root / "ingestions" / "ingest_customers.yaml").write_text(
        INGESTION.format(port=pg.port, source=source).removeprefix("---\n")
    )
    proj, diags = load_project(root)
    assert proj is not None and proj.ingestions, [str(d) for d in diags.items]
    return Harness(spark, tmp, proj)


INCREMENTAL = """\
    table: public.customers
    incremental: {column: updated_at}
    partition: {column: id, lower: 1, upper: 40, count: 3}
    fetchsize: 7
"""


@pytest.fixture()
def creds(monkeypatch: pytest.MonkeyPatch, postgres: PgServer) -> PgServer:
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_USERNAME", postgres.user)
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_PASSWORD", postgres.password)
    return postgres


def test_every_type_then_inserts_and_updates_incrementally(
    spark: Any, tmp_path: Path, creds: PgServer
) -> None:
    h = make(spark, tmp_path, creds, INCREMENTAL)
    first = [row(i) for i in range(1, 11)]
    insert(creds, first)
    report = h.run("ingest_customers")
    assert report["status"] == "succeeded", report
    assert (report["rows_read"], report["rows_written"], report["rows_quarantined"]) == (10, 9, 1)
    assert bronze_rows(h) == expected(first)
    bad = h.bronze("quarantine/customers_raw/rows").collect()
    assert [(r["id"], r["_bad_columns"]) for r in bad] == [(3, ["code"])]
    assert '"code":"x3"' in bad[0]["_raw_record"]
    meta = h.bronze("bronze/customers_raw").select("_source_file", "_source_system").distinct()
    identity = f"jdbc:postgresql://127.0.0.1:{creds.port}/crm#public.customers"
    assert [tuple(r) for r in meta.collect()] == [(identity, "crm")]

    again = h.run("ingest_customers")  # nothing new: nothing written, no state change
    assert (again["status"], again["rows_read"], again["rows_written"]) == ("succeeded", 0, 0)
    assert bronze_rows(h) == expected(first)

    later = T0 + datetime.timedelta(hours=5)
    creds.psql(
        f"SET ROLE alur_reader; UPDATE customers SET name = 'Ada v2', updated_at = "
        f"{sql_value(later)} WHERE id = 1"
    )
    new = [row(i, updated_at=later + datetime.timedelta(seconds=i)) for i in (11, 12)]
    insert(creds, new)
    third = h.run("ingest_customers")
    assert (third["rows_read"], third["rows_written"]) == (3, 3), third
    updated = row(1, name="Ada v2", updated_at=later)
    assert bronze_rows(h) == expected([*first, updated, *new])  # append: both versions of 1


def test_crash_between_extraction_and_commit_extracts_the_range_once(
    spark: Any, tmp_path: Path, creds: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alur_runtime.common import SimulatedCrash

    h = make(spark, tmp_path, creds, INCREMENTAL, table="customers")
    rows = [row(i) for i in range(1, 8)]
    insert(creds, rows)
    monkeypatch.setenv("ALUR_SIMULATE_CRASH", "after_extract")
    with pytest.raises(BaseException) as info:
        h.run("ingest_customers")
    assert type(info.value).__name__ == SimulatedCrash.__name__
    assert not (tmp_path / "lake" / "bronze" / "customers_raw").exists()  # nothing visible
    monkeypatch.delenv("ALUR_SIMULATE_CRASH")
    more = [row(i) for i in (8, 9)]
    insert(creds, more)
    rerun = h.run("ingest_customers")
    assert rerun["status"] == "succeeded", rerun
    assert bronze_rows(h) == expected([*rows, *more])  # each row once

    # after the commit point: the next run publishes and advances the watermark
    insert(creds, [row(10)])
    monkeypatch.setenv("ALUR_SIMULATE_CRASH", "after_commit")
    with pytest.raises(BaseException) as info:
        h.run("ingest_customers")
    assert type(info.value).__name__ == SimulatedCrash.__name__
    monkeypatch.delenv("ALUR_SIMULATE_CRASH")
    finish = h.run("ingest_customers")
    assert (finish["status"], finish["rows_read"]) == ("succeeded", 0), finish
    assert bronze_rows(h) == expected([*rows, *more, row(10)])
    assert h.run("ingest_customers")["rows_read"] == 0


def test_a_crash_at_every_kill_point_then_a_rerun_lands_each_row_once(
    spark: Any, tmp_path: Path, creds: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sweep of KILL_POINTS["jdbc"] (in-process: ALUR_SIMULATE_CRASH), one project:
    before each crash new rows arrive; after each re-run bronze holds every row once."""
    from alur_runtime.common import KILL_POINTS, SimulatedCrash

    h = make(spark, tmp_path, creds, INCREMENTAL, table="customers")
    inserted: list[dict[str, Any]] = []
    for n, point in enumerate(KILL_POINTS["jdbc"]):
        batch = [row(10 * n + i) for i in range(1, 4)]
        insert(creds, batch)
        inserted += batch
        monkeypatch.setenv("ALUR_SIMULATE_CRASH", point)
        with pytest.raises(BaseException) as info:
            h.run("ingest_customers")
        assert type(info.value).__name__ == SimulatedCrash.__name__, point
        monkeypatch.delenv("ALUR_SIMULATE_CRASH")
        assert h.run("ingest_customers")["status"] == "succeeded", point
        assert bronze_rows(h) == expected(inserted), point
    assert h.run("ingest_customers")["rows_read"] == 0


def test_a_real_kill_between_extraction_and_commit_in_a_subprocess(
    spark: Any, tmp_path: Path, creds: PgServer
) -> None:
    """ALUR_FAULT: the job process dies with os._exit(137) with the range staged; the
    re-run (its pid is gone) deletes the staged rows and extracts the same range once."""
    h = make(spark, tmp_path, creds, INCREMENTAL, table="customers")
    rows = [row(i) for i in range(1, 7)]
    insert(creds, rows)
    wheel = next((h.tmp / "build" / "runtime").glob("*.whl"))
    argv = [a for k, v in h.args.items() for a in (f"--{k}", v)]
    env = {**os.environ, "ALUR_FAULT": "after_extract", "PYTHONPATH": str(wheel)}
    script = h.scripts / "ingest_customers.py"
    proc = subprocess.run(
        [sys.executable, str(script), *argv], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 137, proc.stderr[-2000:]
    assert "ALUR_FAULT: killed at after_extract" in proc.stderr
    assert creds.password not in proc.stdout + proc.stderr
    staging = h.tmp / "lake" / "_alur_staging" / "customers_raw"
    assert h.spark.read.parquet(str(next(staging.iterdir()) / "data")).count() == 5
    assert not (h.tmp / "lake" / "bronze" / "customers_raw").exists()
    report = h.run("ingest_customers")
    assert report["status"] == "succeeded" and "claims_held" not in report, report
    assert bronze_rows(h) == expected(rows)
    assert not any(staging.iterdir())


def test_full_extraction_of_a_query_and_credentials_never_written(
    spark: Any, tmp_path: Path, creds: PgServer, capfd: pytest.CaptureFixture[str]
) -> None:
    source = (
        "    query: |\n      SELECT c.*, upper(c.name) AS shout FROM customers c WHERE c.id <= 4\n"
    )
    h = make(spark, tmp_path, creds, source, table="customers")
    rows = [row(i) for i in range(1, 7)]
    insert(creds, rows)
    assert h.run("ingest_customers")["rows_written"] == 3  # ids 1, 2, 4 (3 is bad)
    assert h.run("ingest_customers")["rows_written"] == 3  # full: a snapshot per run
    assert bronze_rows(h) == sorted(expected(rows[:4]) * 2, key=lambda t: (t[0], t[6]))
    ident = h.bronze("bronze/customers_raw").select("_source_file").distinct().collect()
    assert [r[0] for r in ident] == [f"jdbc:postgresql://127.0.0.1:{creds.port}/crm#query"]
    out, err = capfd.readouterr()
    secret = creds.password.encode()
    assert secret not in (out + err).encode()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes(), path


def test_wrong_password_fails_without_showing_it(
    spark: Any,
    tmp_path: Path,
    postgres: PgServer,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    h = make(spark, tmp_path, postgres, INCREMENTAL, table="customers_pw")
    monkeypatch.delenv("ALURC_SECRET_CRM_READER_USERNAME", raising=False)
    monkeypatch.setenv("ALURC_SECRETS_FILE", str(tmp_path / "nowhere.yaml"))
    missing = h.run("ingest_customers")
    assert missing["status"] == "failed"
    assert "ALURC_SECRET_CRM_READER_USERNAME" in missing["error"]
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_USERNAME", postgres.user)
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_PASSWORD", "not-" + postgres.password)
    with pytest.raises(Exception) as info:
        h.run("ingest_customers")
    assert "password authentication failed" in str(info.value)
    out, err = capfd.readouterr()
    text = (
        out
        + err
        + str(info.value)
        + "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*.json"))
    )
    assert postgres.password not in text
