"""Generate the synthetic benchmark lakehouse as an alurc project and as a dbt project.

    python benchmarks/compile/generate.py --n 1000 --out /tmp/bench   # -> /tmp/bench/{alurc,dbt}

N pipelines write N tables (60 % silver merges, 40 % gold overwrites: joins, aggregates,
CTEs, CASE, window functions) from max(1, N/4) bronze tables, each loaded by an Ingestion.
Seeded: the same N and seed give the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import Synthetic, build
from synth_dbtlike import build_dbtlike
from write_alurc import write_alurc
from write_dbt import write_dbt

SHAPES = {"standard": build, "dbtlike": build_dbtlike}


def generate(
    n: int, out: Path, seed: int = 7, shape: str = "standard"
) -> tuple[Path, Path, Synthetic]:
    """Write OUT/alurc and OUT/dbt for N pipelines; returns both roots and the model."""
    syn = SHAPES[shape](n, seed)
    return write_alurc(syn, out / "alurc"), write_dbt(syn, out / "dbt"), syn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="pipelines (= written tables)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shape", choices=sorted(SHAPES), default="standard")
    parser.add_argument("--out", type=Path, required=True, help="folder for alurc/ and dbt/")
    args = parser.parse_args(argv)
    alurc, dbt, syn = generate(args.n, args.out, args.seed, args.shape)
    print(
        f"{alurc}: {len(syn.tables)} tables, {len(syn.pipelines)} pipelines, "
        f"{len(syn.ingestions)} ingestions"
    )
    print(f"{dbt}: {len(syn.pipelines)} models, {len(syn.ingestions)} sources")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
