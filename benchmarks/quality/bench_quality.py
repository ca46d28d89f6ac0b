"""Native quality evaluation vs Great Expectations 1.x on the same Spark DataFrame.

    .venv/bin/python benchmarks/quality/bench_quality.py [ROWS [REPEAT]]   (1,000,000 and 2)
    .venv/bin/python benchmarks/quality/bench_quality.py --cold [ROWS [REPEAT]]

Builds a cached synthetic `orders` DataFrame, lowers 10 checks (every type but compound
unique) once to the native form and once to the GX suite the quality backend writes, runs
both in ONE Spark session on that same DataFrame, prints the times, the ratio and whether
every verdict agrees (exit 1 if not).

JVM: the session is `alurc run --local`'s, except that the driver runs the full tiered JIT
(C2), as AWS Glue's JVM does, instead of the local session's `-XX:TieredStopAtLevel=1`
(which suits short local runs, where JVM start-up dominates). `ALURC_BENCH_JVM=local`
keeps the local flags. Both sides always share the session, so they get the same JIT.

Timing: 3 untimed warm-up rounds, then REPEAT rounds; each round runs native, native +
publish, the floor and GX once, in turn, so no side profits from JIT work another side paid for;
the best time of each counts (`ALURC_BENCH_VERBOSE=1` prints every run). "native +
publish" is what a job does on top: the verdicts, then counting the rows it would write to
the table and to quarantine (the flag joins and filters run there, lazily). "floor" is
the cheapest single Spark query that yields the same counts (`qfloor.py`; its counts are
checked against native's): a lower bound for any evaluator that counts with Spark SQL.

`--cold` times instead each side's FIRST run in a fresh process (a job evaluates once per
run, before the JIT has compiled Spark's hot paths): median of REPEAT, no verdict check.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

import gxrun  # noqa: E402
import qfloor  # noqa: E402
import qsample  # noqa: E402

from alur_compiler.backends.quality.suite import build_suite  # noqa: E402
from alur_compiler.ir.check_sql import native_checks  # noqa: E402
from alur_runtime.quality import evaluate_checks  # noqa: E402

#: Untimed rounds before the timed ones (see `_rounds`).
WARMUP = 3
#: The local session's JVM options without `-XX:TieredStopAtLevel=1` (see `_spark`).
GLUE_JVM_OPTIONS = "-XX:+UseSerialGC"
CHECKS = tuple(c for c in qsample.ALL_CHECKS if c.name != "order_customer_unique")
ORDERS_SQL = """
SELECT
  CASE WHEN id % 50000 = 1 THEN NULL
       WHEN id % 1000 = 0 THEN 'o1' ELSE concat('o', id) END AS order_id,
  concat('c', id % 1100) AS customer_id,
  element_at(array('placed', 'shipped', 'bogus', 'it\\'s {{odd}}'), CAST(id % 4 AS INT) + 1)
    AS status,
  CAST(id % 1200 AS INT) AS quantity,
  CAST(id % 100 AS DOUBLE) - 1.0 AS amount,
  CASE WHEN id % 20 = 0 THEN 'bad' ELSE concat('u', id, '@x.com') END AS email,
  CASE WHEN id % 7 = 0 THEN 'DEU' WHEN id % 11 = 0 THEN NULL ELSE 'DE' END AS country,
  timestamp_seconds(unix_seconds(current_timestamp()) - id % 100000) AS order_ts
FROM range({rows})
"""


def _spark() -> Any:
    """The local session (`alurc run --local`'s configuration), with the JIT Glue runs.

    The local session stops the JIT at C1 (`-XX:TieredStopAtLevel=1`) because short local
    runs are dominated by JVM start-up; Glue's JVM runs the full tiered JIT (C2), which is
    what a 1M-row evaluation spends its time in. Both sides share this one session.
    `ALURC_BENCH_JVM=local` keeps the local session's flags instead.
    """
    from pyspark.sql import SparkSession

    from alur_compiler.local.session import spark_conf

    conf = spark_conf(Path(tempfile.mkdtemp(prefix="alurc-bench-")))
    if os.environ.get("ALURC_BENCH_JVM", "glue") != "local":
        conf["spark.driver.extraJavaOptions"] = GLUE_JVM_OPTIONS
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _rounds(repeat: int, runs: dict[str, Callable[[], Any]]) -> dict[str, tuple[float, Any]]:
    """Best wall time of each of `runs` over `repeat` interleaved rounds, and its last result.

    WARMUP untimed rounds come first. Every round runs each side once, in turn, so all
    sides see the JVM in the same state: the full JIT keeps compiling Spark's hot paths
    (scans, aggregation, sort, regex) for several queries, and whichever side ran first
    used to pay for that alone.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    last: dict[str, Any] = {}
    for rnd in range(WARMUP + repeat):
        for name, fn in runs.items():
            held = last.get(name)
            if held is not None and hasattr(held, "unpersist"):
                held.unpersist()
            start = time.perf_counter()
            last[name] = fn()
            if rnd >= WARMUP:
                times[name].append(time.perf_counter() - start)
    if os.environ.get("ALURC_BENCH_VERBOSE"):
        for name, got in times.items():
            print(f"  {name:8s} runs: " + " ".join(f"{t:.2f}" for t in got))
    return {name: (min(times[name]), last[name]) for name in runs}


def _publish(outcome: Any) -> Any:
    """Count what a job would write: the passed rows and the quarantined ones."""
    outcome.passed_df.count()
    if outcome.quarantine_df is not None:
        outcome.quarantine_df.count()
    return outcome


def _sides(rows: int) -> tuple[Any, list[dict[str, Any]], dict[str, Callable[[], Any]]]:
    """(session, lowered checks, {side: run it once}) on the cached `orders` rows."""
    spark = _spark()
    df = spark.sql(ORDERS_SQL.format(rows=rows)).cache()
    df.count()
    spark.sql(
        "SELECT concat('c', id) AS customer_id FROM range(1000)"
    ).cache().createOrReplaceTempView("customers")
    project = qsample.project(CHECKS)
    lowered = native_checks(project, "orders")
    suite = build_suite(project, "orders")
    floor_sql = qfloor.floor_sql(lowered)
    gxrun.load_suite(suite)  # import GX and warm its context outside the timing
    sides = {
        "native": lambda: evaluate_checks(df, lowered, lookup=spark.table, cache=False),
        "publish": lambda: _publish(evaluate_checks(df, lowered, lookup=spark.table)),
        "floor": lambda: qfloor.run_floor(spark, df, floor_sql),
        "gx": lambda: gxrun.validate(suite, df, "spark"),
    }
    return spark, lowered, sides


def _cold_one(side: str, rows: int) -> None:
    """Child of `run_cold`: time `side`'s FIRST run in this fresh JVM, print it as JSON."""
    _, _, sides = _sides(rows)
    start = time.perf_counter()
    sides[side]()
    print(json.dumps({"side": side, "seconds": time.perf_counter() - start}))


def run_cold(rows: int, repeat: int) -> int:
    """First-run times, as a job sees them: each run in a fresh process and JVM.

    A Glue job evaluates a table's checks once per run, in a JVM that has not yet compiled
    Spark's hot paths. Median of `repeat` runs per side; sides alternate.
    """
    times: dict[str, list[float]] = {"native": [], "floor": [], "gx": []}
    for _ in range(repeat):
        for side in times:
            cmd = [sys.executable, __file__, "--cold-one", side, str(rows)]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
            if done.returncode != 0:
                print(done.stderr[-3000:], file=sys.stderr)
                return 1
            times[side].append(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])
    med = {side: statistics.median(got) for side, got in times.items()}
    print(f"rows={rows:,} checks={len(CHECKS)} cold: first run in a fresh JVM, median of {repeat}")
    for side, got in times.items():
        print(f"{side:8s} {med[side]:6.2f} s   runs: " + " ".join(f"{t:.2f}" for t in got))
    ratio, floor_ratio = med["gx"] / med["native"], med["gx"] / med["floor"]
    print(f"ratio GX/native: {ratio:.1f}x (GX/floor {floor_ratio:.1f}x)")
    return 0


def run(rows: int, repeat: int) -> int:
    spark, lowered, sides = _sides(rows)
    best = _rounds(repeat, sides)
    (native_s, outcome), (publish_s, _), (gx_s, gx) = best["native"], best["publish"], best["gx"]
    floor_s, floor_counts = best["floor"]
    wrong = qfloor.mismatches(lowered, floor_counts, outcome)

    native_ok = [(r["name"], r["success"]) for r in outcome.results]
    gx_ok = [(g["check"], g["success"]) for g in gx]
    jvm = spark.sparkContext.getConf().get("spark.driver.extraJavaOptions") or ""
    jit = "C1 only (local session)" if "TieredStopAtLevel=1" in jvm else "full tiered JIT (Glue)"
    print(f"rows={rows:,} checks={len(CHECKS)} best of {repeat} after {WARMUP} warm-up rounds")
    print(f"driver JVM: {jit}; load average {os.getloadavg()[0]:.2f}")
    print(f"native verdicts:    {native_s:8.2f} s   (df already cached, as for GX)")
    print(f"native + publish:   {publish_s:8.2f} s   (+ count passed and quarantined rows)")
    print(f"floor (one query):  {floor_s:8.2f} s   (the same counts, nothing else: qfloor.py)")
    print(f"GX 1.x on Spark:    {gx_s:8.2f} s   (verdicts only)")
    print(f"ratio GX/native:    {gx_s / native_s:8.1f}x   (GX/floor {gx_s / floor_s:.1f}x)")
    print(f"5x would need native at or under {gx_s / 5:.2f} s")
    for line in wrong:
        print(f"  FLOOR COUNTS DIFFER: {line}")
    for (name, a), (_, b) in zip(native_ok, gx_ok, strict=True):
        print(f"  {name:24s} native={a!s:5s} gx={b!s:5s}{'' if a == b else '  MISMATCH'}")
    same = native_ok == gx_ok
    print("verdicts identical" if same else "VERDICTS DIFFER")
    return 0 if same and not wrong else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--cold-one"]:
        _cold_one(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    cold = "--cold" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--cold"]
    n_rows = int(args[0]) if args else 1_000_000
    n_repeat = int(args[1]) if len(args) > 1 else 2
    sys.exit(run_cold(n_rows, n_repeat) if cold else run(n_rows, n_repeat))
