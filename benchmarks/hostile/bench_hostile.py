"""Hostile inputs: each must be rejected by `alurc validate` within 2 s and 200 MB.

Every case is a small valid project plus one hostile spec file. Each run is a fresh
`python -m alur_compiler validate DIR` subprocess (interpreter start included); wall time
is measured from outside and the peak RSS is the child's own `ru_maxrss` (os.wait4). A run
must exit 1 (errors, no crash: 3 is an internal error, a negative code a signal) and
print the expected diagnostic code.

    python benchmarks/hostile/bench_hostile.py                 # all cases, 3 runs each
    python benchmarks/hostile/bench_hostile.py --only billion_laughs --reps 1
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MAX_SECONDS = 2.0
MAX_RSS_MB = 200.0
KILL_AFTER = 60.0  # a run still going then has failed anyway
MEMORY_CAP = 4 << 30  # address space of a run (a regression fails instead of eating the machine)

PROJECT = """\
apiVersion: alur/v1
kind: Project
name: hostile
environments:
  dev:
    region: eu-west-1
    buckets: {lake: h-dev-lake, artifacts: h-dev-artifacts, landing: h-dev-landing}
"""


def billion_laughs(folder: Path) -> None:
    """9 levels of 10 aliases: 10^9 values from under 1 KB."""
    lines = ["lol0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    (folder / "laughs.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def deep_flow(folder: Path) -> None:
    """30,000 nested flow sequences (segfaulted PyYAML's C composer)."""
    (folder / "deep.yaml").write_text("a: " + "[" * 30_000 + "]" * 30_000 + "\n", encoding="utf-8")


def deep_block(folder: Path) -> None:
    """30,000 nested block sequences on one line (`- - - ... x`)."""
    (folder / "deep.yaml").write_text("a:\n" + "- " * 30_000 + "x\n", encoding="utf-8")


def file_100mb(folder: Path) -> None:
    """A 100 MB spec file of plausible YAML (columns, over and over)."""
    row = b"  - {name: col, type: string, nullable: true, description: a column}\n"
    with open(folder / "big.yaml", "wb") as out:
        out.write(b"apiVersion: alur/v1\nkind: Table\nname: big\nlayer: bronze\ncolumns:\n")
        chunk = row * 10_000
        for _ in range((100 << 20) // len(chunk) + 1):
            out.write(chunk)


def wide_fanout(folder: Path) -> None:
    """One anchor of 1,000 values referenced 100,000 times: 10^8 values from 600 KB."""
    anchor = "base: &b [" + ", ".join(str(i) for i in range(999)) + "]\n"
    refs = "uses: [" + ", ".join(["*b"] * 100_000) + "]\n"
    (folder / "fanout.yaml").write_text(anchor + refs, encoding="utf-8")


def value_flood(folder: Path) -> None:
    """4 million plain values in 8 MB, just under the size limit (no alias at all)."""
    values = "1, " * ((8 << 20) // 3 - 10)
    (folder / "flood.yaml").write_text("a: [" + values + "1]\n", encoding="utf-8")


def symlink_loop(folder: Path) -> None:
    """`paths:` names a symbolic link to itself (was AL901, an internal error)."""
    (folder.parent / "loop").symlink_to("loop")
    project = folder.parent / "alur.yaml"
    project.write_text(PROJECT + "paths: [contracts, loop]\n", encoding="utf-8")


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]
    expect: str  # the diagnostic code the run must print


CASES = (
    Case("billion_laughs", billion_laughs, "AL111"),
    Case("deep_flow_30k", deep_flow, "AL110"),
    Case("deep_block_30k", deep_block, "AL110"),
    Case("file_100mb", file_100mb, "AL109"),
    Case("wide_alias_fanout", wide_fanout, "AL111"),
    Case("value_flood_8mb", value_flood, "AL111"),
    Case("symlink_loop_in_paths", symlink_loop, "AL104"),
)


@dataclass(frozen=True)
class Run:
    seconds: float
    rss_mb: float
    code: int
    output: str


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_validate(project: Path) -> Run:
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "alur_compiler", "validate", str(project)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            preexec_fn=_cap,
        )
        deadline = start + KILL_AFTER
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        output = err.read().decode("utf-8", "replace")
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, output)


def bench(case: Case, reps: int) -> tuple[list[Run], str | None]:
    with tempfile.TemporaryDirectory(prefix=f"hostile-{case.name}-") as tmp:
        root = Path(tmp) / "project"
        (root / "contracts").mkdir(parents=True)
        (root / "alur.yaml").write_text(PROJECT, encoding="utf-8")
        case.make(root / "contracts")
        runs = [run_validate(root) for _ in range(reps)]
        shutil.rmtree(root, ignore_errors=True)
    problem = None
    for run in runs:
        if run.code != 1:
            problem = f"exit code {run.code} (want 1): {run.output.strip()[-300:]}"
        elif f"[{case.expect}]" not in run.output:
            problem = f"{case.expect} not reported: {run.output.strip()[-300:]}"
        elif run.seconds > MAX_SECONDS or run.rss_mb > MAX_RSS_MB:
            problem = f"over budget: {run.seconds:.2f} s, {run.rss_mb:.0f} MB"
    return runs, problem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="runs per case (median shown)")
    parser.add_argument("--only", action="append", help="case name (repeatable)")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.only or c.name in args.only]
    print(f"{'case':<24}{'wall s':>8}{'max s':>8}{'peak MB':>9}  code   result")
    failed = 0
    for case in cases:
        runs, problem = bench(case, args.reps)
        wall = statistics.median(r.seconds for r in runs)
        worst = max(r.seconds for r in runs)
        rss = max(r.rss_mb for r in runs)
        verdict = "ok" if problem is None else f"FAIL {problem}"
        failed += problem is not None
        print(f"{case.name:<24}{wall:>8.2f}{worst:>8.2f}{rss:>9.0f}  {case.expect}  {verdict}")
    print(f"budget: {MAX_SECONDS} s and {MAX_RSS_MB:.0f} MB per run; {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
