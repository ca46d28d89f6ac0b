"""Extract N rows (default 1,000,000) from a local PostgreSQL 15 server into bronze with a
jdbc ingestion, rows per second with one read and with partitioned reads.

    flock /tmp/alurc-spark.lock .venv/bin/python benchmarks/jdbc/bench_jdbc.py [--row-count N]

The server is the tests' throw-away one (tests/integration/pg_server.py: Debian's
PostgreSQL 15, `make setup` installs it); the table has a bigint id, text, numeric,
timestamptz and text[] columns, filled by generate_series. Each variant is a full,
incremental first run (MAX(updated_at), then the range) through the real runtime on the
embedded Spark session: read, conform by name, stage, commit, publish Parquet.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "integration"))
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

import pg_server  # noqa: E402

CONTRACT = """\
apiVersion: alur/v1
kind: Table
name: {name}
layer: bronze
columns:
  - {{name: id, type: bigint, nullable: false}}
  - {{name: name, type: string}}
  - {{name: amount, type: "decimal(12,2)"}}
  - {{name: updated_at, type: timestamp}}
  - {{name: tags, type: "array<string>"}}
"""
INGESTION = """\
apiVersion: alur/v1
kind: Ingestion
name: load_{name}
target: {name}
source_system: bench
sources:
  - kind: jdbc
    engine: postgresql
    host: 127.0.0.1
    port: {port}
    database: crm
    secret: bench
    table: public.big
    incremental: {{column: updated_at}}
    fetchsize: 10000
{partition}"""


def fill(server: pg_server.PgServer, rows: int) -> float:
    start = time.perf_counter()
    server.psql(
        "SET ROLE alur_reader; CREATE TABLE big (id bigint PRIMARY KEY, name text, "
        "amount numeric(12,2), updated_at timestamptz, tags text[]); "
        "INSERT INTO big SELECT g, 'customer ' || g, (g % 100000) / 100.0, "
        "timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second', "
        f"ARRAY['t' || (g % 7), 'ü'] FROM generate_series(1, {rows}) g; ANALYZE big"
    )
    return time.perf_counter() - start


def project(root: Path, port: int, rows: int, parts: int) -> None:
    root.mkdir(parents=True)
    (root / "alur.yaml").write_text("apiVersion: alur/v1\nkind: Project\nname: bench\n")
    (root / "contracts").mkdir()
    (root / "ingestions").mkdir()
    for name, count in (("one_read", 0), ("partitioned", parts)):
        partition = (
            f"    partition: {{column: id, lower: 1, upper: {rows}, count: {count}}}\n"
            if count
            else ""
        )
        (root / "contracts" / f"{name}.yaml").write_text(CONTRACT.format(name=name))
        (root / "ingestions" / f"load_{name}.yaml").write_text(
            INGESTION.format(name=name, port=port, partition=partition)
        )


def run(spark: Any, root: Path, job: str) -> dict[str, Any]:
    from alur_compiler.api import load_project
    from alur_compiler.local.runner import local_args, run_script

    proj, _diags = load_project(root)
    assert proj is not None
    start = time.perf_counter()
    report = run_script(spark, root / "build" / "glue" / f"{job}.py", local_args(proj))
    seconds = time.perf_counter() - start
    assert report["status"] == "succeeded", report
    return {"rows": report["rows_written"], "seconds": round(seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--row-count", type=int, default=1_000_000, help="rows in the table")
    parser.add_argument("--parts", type=int, default=4, help="partitioned reads")
    opts = parser.parse_args()
    problem = pg_server.find_problem()
    if problem is not None:
        print(f"skipped: {problem}")
        return
    from alur_compiler.api import compile_project
    from alur_compiler.local.session import get_spark

    server = pg_server.start()
    try:
        filled = fill(server, opts.row_count)
        os.environ["ALURC_SECRET_BENCH_USERNAME"] = server.user
        os.environ["ALURC_SECRET_BENCH_PASSWORD"] = server.password
        with tempfile.TemporaryDirectory(prefix="alurc-bench-jdbc-") as tmp:
            root = Path(tmp) / "proj"
            project(root, server.port, opts.row_count, opts.parts)
            assert compile_project(root).ok
            spark = get_spark(Path(tmp) / "warehouse")
            results: dict[str, Any] = {"rows": opts.row_count, "fill_seconds": round(filled, 2)}
            # partitioned first: the JVM's warm-up then favours the single read, so the
            # speed-up shown is, if anything, understated
            results[f"partitioned_{opts.parts}"] = run(spark, root, "load_partitioned")
            results["one_read"] = run(spark, root, "load_one_read")
            for key in (f"partitioned_{opts.parts}", "one_read"):
                r = results[key]
                r["rows_per_second"] = round(r["rows"] / r["seconds"])
                print(f"{key:>14}: {r['rows']:,} rows in {r['seconds']} s = "
                      f"{r['rows_per_second']:,} rows/s")  # fmt: skip
            print(json.dumps(results))
            spark.stop()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
