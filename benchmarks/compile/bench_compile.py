"""Compile benchmark: `alurc compile` against `dbt parse` on the same synthetic lakehouse.

    python benchmarks/compile/bench_compile.py                  # N = 100, 1000; 3 reps
    python benchmarks/compile/bench_compile.py --sizes 100 --reps 1 --profile
    python benchmarks/compile/bench_compile.py --shapes dbtlike --sizes 1000,10000 --no-dbt

Shapes (generate.SHAPES): `standard` (one YAML file per entity, inline SQL) and `dbtlike`
(a real dbt project's structure: multi-document YAML files, every SQL in a `sql_file`,
`SELECT *` through several CTEs, 1.6 tables and 0.6 ingestions per pipeline).

For each N: generate both projects in a temp folder, then per repetition run, as
subprocesses with wall time including interpreter start:
  alurc cold   `.venv/bin/alurc compile` with no build folder (alurc keeps no other cache)
  alurc warm   the same again, nothing changed (every file compared, none written)
  alurc check  `alurc compile --check` (the CI mode: compare only)
  dbt parse    `dbt parse --no-partial-parse` with target/ removed (dbt-core + dbt-duckdb
               from .venv-dbt/, telemetry and version check off)
  dbt warm     `dbt parse` with partial parsing, nothing changed (for reference)
  alurc edit   after one edited SQL file, one edited contract, one edited check (incremental:
               the caches under .alur/cache answer the files, queries and scripts the edit
               does not touch)
The median of the repetitions is reported, wall and CPU (user+sys of the child) seconds and
the child's peak RSS; CPU is the steadier number on a shared machine.
Results: bench-results/compile.json.
Targets (issue 18): 10,000 pipelines cold < 10 s and < 1 GB; N=1000 cold >= 15x faster than
dbt parse on every shape; one changed file at 10k < 1 s; unchanged recompile < 0.3 s at 10k.
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
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dbt_env import REPO, dbt_env, dbt_version, ensure_dbt
from generate import generate

ALURC = REPO / ".venv" / "bin" / "alurc"
PYTHON = REPO / ".venv" / "bin" / "python"
RESULTS = REPO / "bench-results" / "compile.json"
COLD_RATIO_TARGET = 15.0
WARM_TARGET_S = 0.3
DBT_LIMIT_S = 600.0  # dbt parse runs that take longer are reported as n/a
MEASURES = (
    "alurc_cold",
    "alurc_warm",
    "alurc_check",
    "alurc_edit_sql",
    "alurc_edit_contract",
    "alurc_edit_check",
    "dbt_parse",
    "dbt_warm",
)


def timed(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, limit: float | None = None
) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one subprocess run, from its own wait4 rusage (the
    process pool's workers included: they are waited for); raises with its output if it
    fails."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        if limit is not None:
            _wait_or_kill(proc, limit)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            out.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} exited {code}\n{out.read()[-6000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _wait_or_kill(proc: subprocess.Popen[str], limit: float) -> None:
    """Poll (without reaping) until the process ends; kill it after `limit` seconds."""
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return
        time.sleep(0.2)
    proc.kill()
    os.wait4(proc.pid, 0)
    raise subprocess.TimeoutExpired(proc.args, limit)


def _alurc_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    return env


def _first(root: Path, pattern: str, needle: str) -> Path:
    return next(p for p in sorted(root.glob(pattern)) if needle in p.read_text(encoding="utf-8"))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edits(root: Path, rep: int) -> list[tuple[str, Callable[[], None]]]:
    """One edited SQL file, one edited contract (a column added to a bronze table: its
    readers are re-analysed), one edited check; each leaves the project clean."""
    sql = _first(root, "sql/*.sql", "IS NOT NULL") if (root / "sql").is_dir() else None
    sql = sql or _first(root, "pipelines/*.yaml", "IS NOT NULL")
    bronze = _first(root, "contracts/bronze/*.yaml", "columns:\n")
    silver = _first(root, "contracts/silver/*.yaml", "action: ")
    extra = f"columns:\n  - name: extra_note_{rep}\n    type: string\n"

    def check() -> None:
        text = silver.read_text(encoding="utf-8")
        old, new = (
            ("action: drop", "action: warn")
            if "action: drop" in text
            else ("action: warn", "action: drop")
        )
        _replace(silver, old, new)

    return [
        ("alurc_edit_sql", lambda: _replace(sql, "IS NOT NULL", "IS NOT NULL AND 1 = 1")),
        ("alurc_edit_contract", lambda: _replace(bronze, "columns:\n", extra)),
        ("alurc_edit_check", check),
    ]


Timing = tuple[float, float, float]


def one_round(
    alurc_root: Path, dbt_root: Path, dbt: Path | None, rep: int = 0
) -> dict[str, Timing | None]:
    env = _alurc_env()
    shutil.rmtree(alurc_root / "build", ignore_errors=True)
    shutil.rmtree(alurc_root / ".alur", ignore_errors=True)
    compile_cmd = [str(ALURC), "compile", str(alurc_root)]
    out: dict[str, Timing | None] = {
        "alurc_cold": timed(compile_cmd, alurc_root, env),
        "alurc_warm": timed(compile_cmd, alurc_root, env),
        "alurc_check": timed([str(ALURC), "compile", "--check", str(alurc_root)], alurc_root, env),
    }
    for key, edit in edits(alurc_root, rep):
        edit()
        out[key] = timed(compile_cmd, alurc_root, env)
    if dbt is not None:
        shutil.rmtree(dbt_root / "target", ignore_errors=True)
        base = [str(dbt), "parse", "--project-dir", str(dbt_root), "--profiles-dir", str(dbt_root)]
        try:
            out["dbt_parse"] = timed(
                [*base, "--no-partial-parse"], dbt_root, dbt_env(), DBT_LIMIT_S
            )
            out["dbt_warm"] = timed(base, dbt_root, dbt_env(), DBT_LIMIT_S)
        except subprocess.TimeoutExpired:
            out["dbt_parse"] = out["dbt_warm"] = None  # did not finish within the limit
    return out


def bench_size(
    n: int, reps: int, work: Path, dbt: Path | None, shape: str = "standard"
) -> dict[str, object]:
    alurc_root, dbt_root, syn = generate(n, work / f"{shape}-n{n}", shape=shape)
    rounds = []
    for rep in range(reps):
        print(f"  {shape} N={n} round {rep + 1}/{reps} ...", file=sys.stderr, flush=True)
        rounds.append(one_round(alurc_root, dbt_root, dbt, rep))
    result: dict[str, object] = {
        "shape": shape,
        "n": n,
        "tables": len(syn.tables),
        "pipelines": len(syn.pipelines),
        "ingestions": len(syn.ingestions),
        "dbt_models": len(syn.pipelines),
        "input_files": sum(
            1
            for p in alurc_root.rglob("*")
            if p.is_file() and "build" not in p.parts and ".alur" not in p.parts
        ),
        "build_files": sum(1 for p in (alurc_root / "build").rglob("*") if p.is_file()),
    }
    for key in MEASURES:
        runs = [r[key] for r in rounds if r.get(key) is not None]
        if runs:
            result[key] = {
                "wall_s": round(statistics.median(r[0] for r in runs), 3),
                "cpu_s": round(statistics.median(r[1] for r in runs), 3),
                "peak_mib": round(max(r[2] for r in runs), 1),
                "runs_wall_s": [round(r[0], 3) for r in runs],
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
    ("alurc_warm", "warm"),
    ("alurc_check", "check"),
    ("alurc_edit_sql", "edit sql"),
    ("alurc_edit_contract", "edit contr."),
    ("alurc_edit_check", "edit check"),
    ("dbt_parse", "dbt parse"),
    ("dbt_warm", "dbt warm"),
)


def _cell(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else fmt.format(value)


def render(rows: list[dict[str, object]]) -> str:
    """Per shape and N: a line of wall medians, one of CPU medians (in brackets) and one of
    peak memory (MiB, in square brackets)."""
    head = f"{'shape':>8}{'N':>7}" + "".join(f"{t:>12}" for _, t in COLUMNS) + "  dbt/alurc"
    lines = [
        "seconds, median of the repetitions: wall, (CPU user+sys), [peak RSS MiB]",
        head,
        "-" * len(head),
    ]
    for row in rows:
        wall = "".join(f"{_cell(_get(row, k), '{:.2f}'):>12}" for k, _ in COLUMNS)
        cpu = "".join(f"{_cell(_get(row, k, 'cpu_s'), '({:.2f})'):>12}" for k, _ in COLUMNS)
        mem = "".join(f"{_cell(_get(row, k, 'peak_mib'), '[{:.0f}]'):>12}" for k, _ in COLUMNS)
        lines.append(f"{row['shape']:>8}{row['n']:>7}{wall}  {_fmt_ratio(ratio(row)):>9}")
        lines.append(f"{'':>15}{cpu}  {'(' + _fmt_ratio(ratio(row, 'cpu_s')) + ')':>9}")
        lines.append(f"{'':>15}{mem}")
    return "\n".join(lines)


def _fmt_ratio(value: float | None) -> str:
    return f"{value:.1f}x" if value is not None else "n/a"


def _met(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def verdict(rows: list[dict[str, object]]) -> list[str]:
    """The issue's targets, for the sizes measured."""
    out = []
    for row in rows:
        tag = f"[{row['shape']}]"
        r, warm = ratio(row), _get(row, "alurc_warm")
        if row["n"] == 1000 and r is not None:
            out.append(
                f"{tag} N=1000 cold >= {COLD_RATIO_TARGET:.0f}x faster than dbt parse: "
                f"{_met(r >= COLD_RATIO_TARGET)} ({r:.1f}x)"
            )
        if row["n"] == 10000:
            cold, mem = _get(row, "alurc_cold"), _get(row, "alurc_cold", "peak_mib")
            if cold is not None and mem is not None:
                out.append(f"{tag} N=10000 cold < 10 s: {_met(cold < 10)} ({cold:.2f} s)")
                out.append(f"{tag} N=10000 cold < 1 GB: {_met(mem < 1024)} ({mem:.0f} MiB)")
            for key, _ in COLUMNS[3:6]:
                edit = _get(row, key)
                if edit is not None:
                    out.append(f"{tag} N=10000 {key} < 1 s: {_met(edit < 1)} ({edit:.2f} s)")
            if warm is not None:
                out.append(
                    f"{tag} N=10000 unchanged recompile < {WARM_TARGET_S} s: "
                    f"{_met(warm < WARM_TARGET_S)} ({warm:.2f} s)"
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

    In one process (ALURC_NO_PARALLEL=1): a profile cannot see into a process pool. The
    compile is called as the `alurc compile` entry point calls it, but profiled from
    inside: that entry point leaves with os._exit (entry.py), before `python -m cProfile`
    could write its file.
    """
    shutil.rmtree(root / "build", ignore_errors=True)
    env = {**_alurc_env(), "ALURC_NO_PARALLEL": "1"}
    run = (
        "import cProfile, sys; from pathlib import Path; from alur_compiler import console; "
        "cProfile.run('console.compile_and_report(Path(sys.argv[1]), None, False, \"text\")', "
        "sys.argv[2])"
    )
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "compile.prof"
        subprocess.run(
            [str(PYTHON), "-c", run, str(root), str(stats)],
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
    parser.add_argument(
        "--shapes", default="standard,dbtlike", help="comma-separated project shapes (generate.py)"
    )
    parser.add_argument(
        "--dbt-max", type=int, default=10000, help="run dbt parse only up to this N"
    )
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
        shapes = [x for x in args.shapes.split(",") if x.strip()]
        for shape in shapes:
            for n in sizes:
                with_dbt = dbt if n <= args.dbt_max else None
                rows.append(bench_size(n, args.reps, Path(tmp), with_dbt, shape))
                shutil.rmtree(Path(tmp) / f"{shape}-n{n}" / "dbt", ignore_errors=True)
        last = Path(tmp) / f"{shapes[-1]}-n{max(sizes)}" / "alurc"
        prof = profile(last) if args.profile else None
    print(render(rows))
    for line in verdict(rows):
        print(line)
    doc = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_end": os.getloadavg(),
            "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
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
