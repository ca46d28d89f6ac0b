"""`alurc test` speed: N fixture tests (default 20) in one `alurc test` call.

The project is examples/retail (its specs, copied to a temporary folder) with its tests
repeated under new names until there are N: merges with deletes and late updates, gold
aggregates, a partition overwrite, a fail check, an ingestion of a CSV file. Reported:
the wall time of the whole command (interpreter, compile and JVM start included) and the
per-test time after the Spark session started (the command's own `--format json`
summary), median of `--reps` runs.

    python benchmarks/test_fixtures/bench_tests.py            # 20 tests, --jobs 1 and 2
    python benchmarks/test_fixtures/bench_tests.py --tests 40 --reps 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
RETAIL = REPO / "examples" / "retail"
ALURC = REPO / ".venv" / "bin" / "alurc"


def make_project(target: Path, n: int) -> int:
    """Copy retail's specs and write `n` tests (its own, renamed round-robin)."""
    for part in ("alur.yaml", "contracts", "ingestions", "pipelines", "sql"):
        src = RETAIL / part
        (shutil.copy if src.is_file() else shutil.copytree)(src, target / part)
    tests = target / "tests"
    tests.mkdir()
    docs = []
    for path in sorted((RETAIL / "tests").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    for path in (RETAIL / "tests").glob("*.csv"):
        shutil.copy(path, tests / path.name)
    out = []
    for i in range(n):
        doc = dict(docs[i % len(docs)])
        doc["name"] = f"{doc['name']}_{i:03d}"
        out.append(doc)
    text = "\n---\n".join(yaml.safe_dump(d, sort_keys=False) for d in out)
    (tests / "bench.yaml").write_text(text, encoding="utf-8")
    return len(out)


def run_once(project: Path, jobs: int) -> dict[str, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        [str(ALURC), "test", str(project), "--format", "json", "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"alurc test exited {proc.returncode}")
    try:
        summary = json.loads(proc.stdout)["summary"]
    except ValueError as exc:
        shown = proc.stdout[:300]
        raise SystemExit(f"alurc test --format json printed no JSON ({exc}): {shown!r}") from None
    per = summary["seconds"] / summary["total"]
    return {
        "wall": wall,
        "spark": summary["spark_seconds"],
        "tests": summary["seconds"],
        "per_test": per,
        "n": summary["total"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=20, help="number of tests (default 20)")
    parser.add_argument("--reps", type=int, default=1, help="repetitions (median reported)")
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=[1, 2], help="alurc test --jobs values to compare"
    )
    args = parser.parse_args()
    n = args.tests
    runs: list[tuple[int, list[dict[str, float]]]] = []
    with tempfile.TemporaryDirectory(prefix="alurc-bench-tests-") as tmp:
        project = Path(tmp) / "retail"
        project.mkdir()
        count = make_project(project, n)
        for jobs in args.jobs:
            runs.append((jobs, [run_once(project, jobs) for _ in range(args.reps)]))
    print(f"alurc test: {count} fixture tests in one call, median of {args.reps} run(s)")
    print("| --jobs | wall s | Spark start s | tests s (after JVM start) | per test s |")
    print("|---:|---:|---:|---:|---:|")
    for jobs, reps in runs:
        med = {k: statistics.median(r[k] for r in reps) for k in reps[0]}
        print(
            f"| {jobs} | {med['wall']:.2f} | {med['spark']:.2f} | {med['tests']:.2f} "
            f"| {med['per_test']:.3f} |"
        )


if __name__ == "__main__":
    main()
