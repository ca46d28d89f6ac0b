"""`make bench`: the compile benchmark, then every merge/ and quality/ benchmark script present.

    python benchmarks/run_all.py                      # compile N=100,1000 x3, then the others
    python benchmarks/run_all.py --only compile --compile-sizes 100 --reps 1

A script in benchmarks/merge/ or benchmarks/quality/ counts as a benchmark when it has an
`if __name__ == "__main__":` guard (other modules there are helpers and are skipped). Its
`--help` is read first, and the quick-size options it offers are passed with small values
(QUICK_OPTIONS; scripts without options get POSITIONAL_QUICK), so `make bench` stays a few
minutes long. Each script's output is printed as it runs; exit 1 when any benchmark failed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = REPO / ".venv" / "bin" / "python"
OTHER_AREAS = ("merge", "quality", "test_fixtures", "local", "docs", "jdbc")
TIMEOUT_S = 30 * 60
#: Options a script may offer for a small run, and the value given (None for a flag).
#: Medians want 3 repetitions; sizes are ~1/10 of the scripts' own defaults.
QUICK_OPTIONS: tuple[tuple[str, str | None], ...] = (
    ("--quick", None),
    ("--small", None),
    ("--smoke", None),
    ("--rows", "100000"),
    ("--updates", "10000"),
    ("--n", "1000"),
    ("--size", "1000"),
    ("--sizes", "1000"),
    ("--reps", "3"),
    ("--repeat", "3"),
    ("--runs", "3"),
)
#: Scripts without options: small positional arguments given instead of reading `--help`.
POSITIONAL_QUICK: dict[str, list[str]] = {
    "quality/bench_quality.py": ["100000", "2"],  # ROWS REPEAT (its defaults: 1,000,000 and 2)
}


def python() -> str:
    return str(PYTHON) if PYTHON.exists() else sys.executable


def is_benchmark(path: Path) -> bool:
    text = path.read_text(encoding="utf-8", errors="replace")
    return re.search(r"^if __name__ == [\"']__main__[\"']:", text, re.MULTILINE) is not None


def quick_args(script: Path) -> list[str]:
    """The QUICK_OPTIONS that `script --help` lists, with their small values."""
    known = POSITIONAL_QUICK.get(script.relative_to(HERE).as_posix())
    if known is not None:
        return known
    try:
        proc = subprocess.run(
            [python(), str(script), "--help"], capture_output=True, text=True, timeout=120, cwd=REPO
        )
    except subprocess.TimeoutExpired:
        return []
    offered = set(re.findall(r"(--[a-z][a-z0-9-]*)", proc.stdout))
    args: list[str] = []
    for option, value in QUICK_OPTIONS:
        if option in offered:
            args += [option] if value is None else [option, value]
    return args


def run(title: str, cmd: list[str]) -> bool:
    print(f"\n=== {title}\n$ {' '.join(cmd)}", flush=True)
    start = time.perf_counter()
    try:
        code = subprocess.run(cmd, cwd=REPO, timeout=TIMEOUT_S).returncode
    except subprocess.TimeoutExpired:
        print(f"!!! {title}: timed out after {TIMEOUT_S} s", flush=True)
        return False
    took = time.perf_counter() - start
    print(
        f"--- {title}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {took:.0f} s", flush=True
    )
    return code == 0


def other_scripts(areas: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for area in areas:
        folder = HERE / area
        if not folder.is_dir():
            print(f"(benchmarks/{area}/ does not exist yet: skipped)", flush=True)
            continue
        scripts = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
        runnable = [p for p in scripts if is_benchmark(p)]
        for p in scripts:
            if p not in runnable:
                print(f"(benchmarks/{area}/{p.name}: a helper module, not a script: skipped)")
        found += runnable
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        choices=("compile", *OTHER_AREAS),
        action="append",
        help="run only these areas (repeatable)",
    )
    parser.add_argument("--compile-sizes", default="100,1000")
    parser.add_argument("--reps", type=int, default=3, help="compile benchmark repetitions")
    parser.add_argument("--profile", action="store_true", help="profile the largest compile")
    args = parser.parse_args(argv)
    areas = tuple(args.only or ("compile", *OTHER_AREAS))
    results: dict[str, bool] = {}
    if "compile" in areas:
        cmd = [
            python(),
            str(HERE / "compile" / "bench_compile.py"),
            "--sizes",
            args.compile_sizes,
            "--reps",
            str(args.reps),
        ]
        results["compile"] = run(
            "compile: alurc vs dbt parse", cmd + (["--profile"] if args.profile else [])
        )
    for script in other_scripts(tuple(a for a in OTHER_AREAS if a in areas)):
        rel = script.relative_to(HERE).as_posix()
        results[rel] = run(rel, [python(), str(script), *quick_args(script)])
    print("\n=== summary")
    for name, ok in results.items():
        print(f"{'ok    ' if ok else 'FAILED'} {name}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
