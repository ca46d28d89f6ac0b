"""Local runs: `alurc run --local` on examples/retail against `dbt build` on dbt-duckdb.

The dbt project (`retail_dbt/`, next to this script) is retail ported to dbt-duckdb: the
same landing files read in place (CSV by header name, JSON lines), the same SQL (duckdb
syntax only where it differs: `QUALIFY` for the latest record per key, `read_csv`), and
the contracts' checks as dbt tests (fail = error, warn = severity warn; drop and quarantine
are filters in the models, so those rows are never published). Measured, each a
subprocess timed from outside (interpreter start included), interleaved, `--reps` rounds:

- alurc cold: `alurc run --local DIR` with no build/ and no local warehouse (as `make demo`
  on a fresh checkout: compile, JVM start, 8 jobs, gold previews);
- alurc warm: the same command again at once, no new landing file;
- dbt build: `dbt build` (run + test) with no duckdb file and no target/.

Every alurc run takes /tmp/alurc-spark.lock (one JVM at a time on this machine) before it
starts; the wait is not timed. Results go to bench-results/local.json.

    python benchmarks/local/bench_local.py                # 3 rounds, median
    python benchmarks/local/bench_local.py --reps 1 --no-dbt
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RETAIL = REPO / "examples" / "retail"
ALURC = REPO / ".venv" / "bin" / "alurc"
LOCK = Path("/tmp/alurc-spark.lock")
#: the landing folder retail_dbt/dbt_project.yml names (retail's own, relative to it)
DBT_LANDING = "../../../examples/retail/data/landing"
sys.path.insert(0, str(REPO / "benchmarks" / "compile"))

from dbt_env import dbt_env, dbt_version, ensure_dbt  # type: ignore[import-not-found]  # noqa: E402

#: the targets of issue 18 part 3
COLD_RATIO_TARGET = 1.5
WARM_TARGET_S = 5.0
DEMO_TARGET_S = 20.0


@contextlib.contextmanager
def spark_lock() -> Iterator[None]:
    """The machine-wide one-JVM-at-a-time lock (the wait is not part of a measurement)."""
    with open(LOCK, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    before = load()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"{' '.join(cmd[:3])} exited {proc.returncode}")
    return {"wall": wall, "load": max(before, load())}


def make_projects(tmp: Path) -> tuple[Path, Path]:
    """retail (specs + landing) and the dbt port, reading that same landing folder."""
    alurc = tmp / "retail"
    shutil.copytree(
        RETAIL, alurc, ignore=shutil.ignore_patterns(".alur", "build", "tests", "__pycache__")
    )
    dbt = tmp / "retail_dbt"
    shutil.copytree(HERE / "retail_dbt", dbt, ignore=shutil.ignore_patterns("target", "*.duckdb"))
    project = dbt / "dbt_project.yml"
    landing = str(alurc / "data" / "landing")
    text = project.read_text(encoding="utf-8").replace(DBT_LANDING, landing)
    project.write_text(text, encoding="utf-8")
    return alurc, dbt


def alurc_cold(project: Path) -> dict[str, float]:
    shutil.rmtree(project / ".alur", ignore_errors=True)
    shutil.rmtree(project / "build", ignore_errors=True)
    with spark_lock():
        return timed([str(ALURC), "run", "--local", str(project)], REPO)


def alurc_warm(project: Path) -> dict[str, float]:
    with spark_lock():
        return timed([str(ALURC), "run", "--local", str(project)], REPO)


def dbt_build(dbt: Path, project: Path) -> dict[str, float]:
    shutil.rmtree(project / "target", ignore_errors=True)
    db = project / "retail.duckdb"
    for path in (db, db.with_suffix(".duckdb.wal")):
        path.unlink(missing_ok=True)
    env = dbt_env() | {"RETAIL_DUCKDB": str(db)}
    cmd = [str(dbt), "build", "--project-dir", str(project), "--profiles-dir", str(project)]
    return timed(cmd, project, env)


def same_rows(dbt: Path, alurc: Path, dbt_project: Path) -> bool:
    """parity.py on both sides: every published table holds the same rows in both tools."""
    script = str(HERE / "parity.py")
    iceberg = alurc / ".alur" / "warehouse" / "iceberg"
    ours = subprocess.run(
        [sys.executable, script, "iceberg", str(iceberg)], capture_output=True, text=True
    )
    theirs = subprocess.run(
        [str(dbt.parent / "python"), script, "duckdb", str(dbt_project / "retail.duckdb")],
        capture_output=True,
        text=True,
    )
    if ours.returncode or theirs.returncode:
        sys.stderr.write(ours.stderr[-2000:] + theirs.stderr[-2000:])
        return False
    a, b = json.loads(ours.stdout), json.loads(theirs.stdout)
    for table in a:
        print(f"  {table}: {len(a[table])} rows, {'same' if a[table] == b[table] else 'DIFFER'}")
    return bool(a == b)


def commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "alur_runtime", "alur_compiler"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() + ("+local changes" if dirty.stdout.strip() else "")


def median(runs: list[dict[str, float]], key: str = "wall") -> float:
    return statistics.median(r[key] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--no-dbt", action="store_true", help="time alurc alone")
    args = parser.parse_args()
    dbt = None if args.no_dbt else ensure_dbt()
    runs: dict[str, list[dict[str, float]]] = {"alurc cold": [], "alurc warm": [], "dbt build": []}
    parity: bool | None = None
    with tempfile.TemporaryDirectory(prefix="alurc-bench-local-") as tmp:
        alurc, dbt_project = make_projects(Path(tmp))
        for rep in range(args.reps):
            if dbt is not None:
                runs["dbt build"].append(dbt_build(dbt, dbt_project))
            runs["alurc cold"].append(alurc_cold(alurc))
            if dbt is not None and rep == 0:
                print("same rows in alurc's and dbt's tables:", flush=True)
                parity = same_rows(dbt, alurc, dbt_project)
            runs["alurc warm"].append(alurc_warm(alurc))
            shown = {k: round(v[-1]["wall"], 2) for k, v in runs.items() if v}
            print(f"round {rep + 1}: {shown} (load {load():.2f})", flush=True)
    code = report(runs, None if dbt is None else dbt_version(dbt), args.reps, parity)
    return code if parity is not False else 1


def report(
    runs: dict[str, list[dict[str, float]]], versions: str | None, reps: int, parity: bool | None
) -> int:
    cold, warm = median(runs["alurc cold"]), median(runs["alurc warm"])
    loads = [r["load"] for rs in runs.values() for r in rs]
    print(f"\nexamples/retail, 8 jobs, median of {reps} interleaved round(s), wall seconds")
    print("| alurc cold (= make demo) | alurc warm | dbt build | alurc cold / dbt |")
    print("|---:|---:|---:|---:|")
    ratio = cold / median(runs["dbt build"]) if runs["dbt build"] else None
    dbt_s = f"{median(runs['dbt build']):.2f}" if runs["dbt build"] else "-"
    ratio_s = f"{ratio:.2f}x" if ratio is not None else "-"
    print(f"| {cold:.2f} | {warm:.2f} | {dbt_s} | {ratio_s} |")
    print(f"load average (1 min) during the runs: {min(loads):.2f}-{max(loads):.2f}")
    verdicts = {
        f"cold <= {COLD_RATIO_TARGET}x dbt build": ratio is not None and ratio <= COLD_RATIO_TARGET,
        f"make demo run <= {DEMO_TARGET_S:.0f} s": cold <= DEMO_TARGET_S,
        f"warm run <= {WARM_TARGET_S:.0f} s": warm <= WARM_TARGET_S,
    }
    if parity is False:
        print("MISMATCH: alurc's and dbt's tables differ (see above)")
    for name, met in verdicts.items():
        print(f"{'met   ' if met else 'MISSED'} {name}")
    out = REPO / "bench-results" / "local.json"
    out.parent.mkdir(exist_ok=True)
    doc = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "dbt": versions,
        "runs": runs,
        "median": {k: median(v) for k, v in runs.items() if v},
        "targets": verdicts,
        "same_rows_as_dbt": parity,
    }
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
