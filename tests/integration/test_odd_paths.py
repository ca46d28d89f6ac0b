"""Landing files and project folders with names Hadoop reads as patterns or cannot parse.

Before alur_runtime/spark_paths.py, in a landing folder holding `o[12].csv`, `o1.csv` and
`o2.csv`, Spark's reader took `o[12].csv` as a glob and ingested `o1.csv` and `o2.csv`
under its name; `t 10:00:00.csv` (a colon) and every file globbed next to it were
quarantined as "unreadable"; a project inside `shop [copy] {x}` could run no job at all.

Real embedded Spark through the CLI. The oracle is independent of Spark and of alurc:
each landing file parsed with Python's csv module, and the bronze table's Parquet files
read back with pyarrow.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from test_run_failures import write_project
from typer.testing import CliRunner

from alur_compiler.cli import app

pytestmark = pytest.mark.spark

#: file name -> its rows (code, label); the first three are the glob trap
FILES = {
    "o[12].csv": [("k1", "bracket")],
    "o1.csv": [("k2", "one")],
    "o2.csv": [("k3", "two")],
    "t 2026-11-03T10:00:00.csv": [("k4", "colon")],
    "back\\slash.csv": [("k5", "backslash")],
    "star*.csv": [("k6", "star")],
    "q?.csv": [("k7", "question")],
    "br{a,b}.csv": [("k8", "braces")],
    "pct%41 #1 é.csv": [("k9", "percent hash accent")],
}


@pytest.mark.parametrize("folder", ["shop", "shop [copy] {x}"])
def test_odd_names_are_read_as_the_files_they_name(spark: Any, tmp_path: Path, folder: str) -> None:
    root = write_project(tmp_path / folder, "warn")
    # a name of its own: the shared session's catalog keeps other tests' `failing` tables
    alur = root / "alur.yaml"
    alur.write_text(alur.read_text().replace("name: failing", f"name: odd_{len(folder)}", 1))
    landing = root / "landing" / "codes"
    (landing / "codes.csv").unlink()
    for name, rows in FILES.items():
        (landing / name).write_text("code,label\n" + "".join(f"{c},{v}\n" for c, v in rows))
    (root / "landing" / "refs").mkdir()
    (root / "landing" / "refs" / "r.csv").write_text("code\n" + "\n".join(_codes()) + "\n")

    run = CliRunner().invoke(app, ["run", "--local", str(root)])
    assert run.exit_code == 0, run.output

    want = sorted(
        (row["code"], row["label"], str(path))
        for path in sorted(landing.iterdir())
        for row in csv.DictReader(io.StringIO(path.read_text()))
    )
    assert len(want) == len(FILES)
    bronze = root / ".alur/warehouse/lake/bronze/codes_raw"
    files = sorted(p for p in bronze.rglob("*.parquet") if not p.name.startswith((".", "_")))
    got = sorted(
        (r["code"], r["label"], r["_source_file"])
        for f in files
        for r in pq.read_table(f).to_pylist()
    )
    assert got == want

    reports = sorted((root / ".alur/warehouse/reports/ingest_codes").glob("*.json"))
    report = json.loads(reports[-1].read_text())
    assert not report.get("bad_files"), report.get("bad_files")
    silver = CliRunner().invoke(app, ["show", "codes", str(root), "-f", "json"])
    assert silver.exit_code == 0, silver.output
    assert sorted(r["code"] for r in json.loads(silver.stdout)) == _codes()


def _codes() -> list[str]:
    return sorted(c for rows in FILES.values() for c, _ in rows)
