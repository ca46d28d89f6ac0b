"""Compile benchmark: `alurc compile` against `dbt parse` on the same synthetic lakehouse.

    python benchmarks/compile/bench_compile.py                  # N = 100, 1000; 3 reps
    python benchmarks/compile/bench_compile.py --sizes 100 --reps 1 --profile

For each N: generate both projects in a temp folder, then per repetition run, as
subprocesses with wall time including interpreter start:
  alurc cold   `.venv/bin/alurc compile` with no build folder (alurc keeps no other cache)
  alurc warm   the same again, nothing changed (every file compared, none written)
  alurc check  `alurc compile --check` (the CI mode: compare only)
  dbt parse    `dbt parse --no-partial-parse` with target/ removed (dbt-core + dbt-duckdb
               from .venv-dbt/, telemetry and version check off)
  dbt warm     `dbt parse` with partial parsing, nothing changed (for reference)
The median of the repetitions is reported, wall and CPU (user+sys of the child) seconds;
CPU is the steadier number on a shared machine. Results: bench-results/compile.json.
Targets (issue): N=1000 cold >= 10x faster than dbt parse; unchanged recompile < 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dbt_env import REPO, dbt_env, dbt_version, ensure_dbt
from generate import generate

ALURC = REPO / ".venv" / "bin" / "alurc"
PYTHON = REPO / ".venv" / "bin" / "python"
RESULTS = REPO / "bench-results" / "compile.json"
COLD_RATIO_TARGET = 10.0
WARM_TARGET_S = 0.5
MEASURES = ("alurc_cold", "alurc_warm", "alurc_check", "dbt_parse", "dbt_warm")


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall s, child CPU s) of one subprocess run; raises with its output if it fails."""
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited {proc.returncode}\n{proc.stdout[-3000:]}"
            f"\n{proc.stderr[-3000:]}"
        )
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def _alurc_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    return env


def one_round(alurc_root: Path, dbt_root: Path, dbt: Path | None) -> dict[str, tuple[float, float]]:
    env = _alurc_env()
    shutil.rmtree(alurc_root / "build", ignore_errors=True)
    shutil.rmtree(alurc_root / ".alur", ignore_errors=True)
    out = {
        "alurc_cold": timed([str(ALURC), "compile", str(alurc_root)], alurc_root, env),
        "alurc_warm": timed([str(ALURC), "compile", str(alurc_root)], alurc_root, env),
        "alurc_check": timed([str(ALURC), "compile", "--check", str(alurc_root)], alurc_root, env),
    }
    if dbt is not None:
        shutil.rmtree(dbt_root / "target", ignore_errors=True)
        base = [str(dbt), "parse", "--project-dir", str(dbt_root), "--profiles-dir", str(dbt_root)]
        out["dbt_parse"] = timed([*base, "--no-partial-parse"], dbt_root, dbt_env())
        out["dbt_warm"] = timed(base, dbt_root, dbt_env())
    return out


def bench_size(n: int, reps: int, work: Path, dbt: Path | None) -> dict[str, object]:
    alurc_root, dbt_root, syn = generate(n, work / f"n{n}")
    rounds = []
    for rep in range(reps):
        print(f"  N={n} round {rep + 1}/{reps} ...", file=sys.stderr, flush=True)
        rounds.append(one_round(alurc_root, dbt_root, dbt))
    result: dict[str, object] = {
        "n": n,
        "tables": len(syn.tables),
        "pipelines": len(syn.pipelines),
        "ingestions": len(syn.ingestions),
        "dbt_models": len(syn.pipelines),
        "build_files": sum(1 for p in (alurc_root / "build").rglob("*") if p.is_file()),
    }
    for key in MEASURES:
        if key in rounds[0]:
            result[key] = {
                "wall_s": round(statistics.median(r[key][0] for r in rounds), 3),
                "cpu_s": round(statistics.median(r[key][1] for r in rounds), 3),
                "runs_wall_s": [round(r[key][0], 3) for r in rounds],
            }
    return result


def _get(row: dict[str, object], key: str, kind: str = "wall_s") -> float | None:
    value = row.get(key)
    return float(value[kind]) if isinstance(value, dict) else None


def ratio(row: dict[str, object], kind: str = "wall_s") -> float | None:
    dbt, cold = _get(row, "dbt_parse", kind), _get(row, "alurc_cold", kind)
    return round(dbt / cold, 2) if dbt is not None and cold else None


COLUMNS = (
    ("alurc_cold", "alurc cold"),
    ("alurc_warm", "alurc warm"),
    ("alurc_check", "alurc check"),
    ("dbt_parse", "dbt parse"),
    ("dbt_warm", "dbt warm"),
)


def _cell(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else fmt.format(value)


def render(rows: list[dict[str, object]]) -> str:
    """The table: one line of wall medians and one of CPU medians (in brackets) per N."""
    head = f"{'N':>6}" + "".join(f"{title:>13}" for _, title in COLUMNS) + "  dbt/alurc-cold"
    lines = ["seconds, median of the repetitions: wall, (CPU user+sys)", head, "-" * len(head)]
    for row in rows:
        wall = "".join(f"{_cell(_get(row, k), '{:.2f}'):>13}" for k, _ in COLUMNS)
        cpu = "".join(f"{_cell(_get(row, k, 'cpu_s'), '({:.2f})'):>13}" for k, _ in COLUMNS)
        lines.append(f"{row['n']:>6}{wall}  {_fmt_ratio(ratio(row)):>14}")
        lines.append(f"{'':>6}{cpu}  {'(' + _fmt_ratio(ratio(row, 'cpu_s')) + ')':>14}")
    return "\n".join(lines)


def _fmt_ratio(value: float | None) -> str:
    return f"{value:.1f}x" if value is not None else "n/a"


def verdict(rows: list[dict[str, object]]) -> list[str]:
    out = []
    for row in rows:
        if row["n"] != 1000:
            continue
        r, warm = ratio(row), _get(row, "alurc_warm")
        if r is not None:
            out.append(
                f"target N=1000 cold >= {COLD_RATIO_TARGET:.0f}x faster than dbt parse: "
                f"{'MET' if r >= COLD_RATIO_TARGET else 'MISSED'} ({r:.1f}x)"
            )
        if warm is not None:
            out.append(
                f"target unchanged recompile < {WARM_TARGET_S} s: "
                f"{'MET' if warm < WARM_TARGET_S else 'MISSED'} ({warm:.2f} s)"
            )
    return out


def alurc_revision() -> dict[str, object]:
    """The commit measured, and whether alur_compiler/ had uncommitted changes then."""

    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return proc.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--", "alur_compiler", "schemas")),
    }


def profile(root: Path, top: int = 25) -> str:
    """cProfile of one cold `alurc compile ROOT`, top lines by cumulative and by own time.

    In one process (ALURC_NO_PARALLEL=1): a profile cannot see into a process pool.
    """
    shutil.rmtree(root / "build", ignore_errors=True)
    env = {**_alurc_env(), "ALURC_NO_PARALLEL": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "compile.prof"
        subprocess.run(
            [str(PYTHON), "-m", "cProfile", "-o", str(stats), str(ALURC), "compile", str(root)],
            check=True,
            capture_output=True,
            env=env,
        )
        code = (
            "import pstats, sys; s = pstats.Stats(sys.argv[1]); s.strip_dirs(); "
            f"s.sort_stats('cumulative').print_stats({top}); "
            f"s.sort_stats('tottime').print_stats({top})"
        )
        out = subprocess.run(
            [str(PYTHON), "-c", code, str(stats)], check=True, capture_output=True, text=True
        )
    return out.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated N (default 100,1000)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions; the median is reported")
    parser.add_argument("--no-dbt", action="store_true", help="time alurc only")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile one cold compile of the largest N"
    )
    parser.add_argument("--json", type=Path, default=RESULTS, help="results file")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    dbt = None if args.no_dbt else ensure_dbt()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="alurc-bench-") as tmp:
        for n in sizes:
            rows.append(bench_size(n, args.reps, Path(tmp), dbt))
        prof = profile(Path(tmp) / f"n{max(sizes)}" / "alurc") if args.profile else None
    print(render(rows))
    for line in verdict(rows):
        print(line)
    doc = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_end": os.getloadavg(),
        },
        "alurc": alurc_revision(),
        "dbt": dbt_version(dbt) if dbt else None,
        "reps": args.reps,
        "results": rows,
        "targets": verdict(rows),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"results: {args.json}")
    if prof:
        print(f"\ncProfile of a cold `alurc compile` (N={max(sizes)}):\n{prof}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
