"""A local warehouse copied or moved with its project is relocated before it is used
(local/relocate.py): its Iceberg tables are rewritten by Iceberg's `rewrite_table_path`
from the copy's own files, so the original may be gone; they read the same rows with the
same snapshot history, and the next run recognises every landing file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from alur_compiler.local import relocate_tables
from alur_compiler.local.relocate import find_tables
from alur_compiler.local.relocate_tables import catalog
from alur_compiler.local.session import WarehouseMoved, check_warehouse_home, relocate_warehouse

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[2]


def alurc(*args: str) -> subprocess.CompletedProcess[str]:
    """One alurc command in a JVM of its own (the shared session's catalog is elsewhere)."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "alur_compiler", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900, check=False)


def tables_of(spark: Any, warehouse: Path) -> dict[str, tuple[list[int], list[tuple[Any, ...]]]]:
    """Every Iceberg table of a warehouse: its snapshot ids and its rows, sorted."""
    name = catalog(spark, warehouse / "iceberg")
    out = {}
    for table in find_tables(warehouse / "iceberg"):
        ident = f"{name}.{'.'.join(table.namespace)}.{table.name}"
        ids = sorted(
            r[0] for r in spark.sql(f"SELECT snapshot_id FROM {ident}.snapshots").collect()
        )
        rows = sorted((tuple(r) for r in spark.table(ident).collect()), key=repr)
        out[f"{'.'.join(table.namespace)}.{table.name}"] = (ids, rows)
    return out


def state_keys(warehouse: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(warehouse / "state" / "state.sqlite") as db:
        return [sk for (sk,) in db.execute("SELECT sk FROM state WHERE sk LIKE 'file#%'")]


def test_a_copied_retail_project_works_on_its_own(spark: Any, tmp_path: Path) -> None:
    original, copy = tmp_path / "orig" / "retail", tmp_path / "copy" / "retail"
    shutil.copytree(
        ROOT / "examples" / "retail", original, ignore=shutil.ignore_patterns(".alur", "build")
    )
    first = alurc("run", "--local", str(original))
    assert first.returncode == 0, first.stdout + first.stderr
    before = tables_of(spark, original / ".alur" / "warehouse")
    assert len(before) >= 7 and before["retail_local_silver.orders"][1]

    shutil.copytree(original, copy, symlinks=True)
    shutil.rmtree(tmp_path / "orig")  # the copy must need nothing of it
    sql = "SELECT order_id, status FROM silver.orders ORDER BY order_id"
    shown = alurc("query", sql, str(copy), "-f", "json")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    warehouse = copy / ".alur" / "warehouse"
    line = f"relocated the local warehouse from {original / '.alur' / 'warehouse'} to {warehouse}"
    assert line in shown.stderr and f"{len(before)} tables" in shown.stderr
    orders = [(r["order_id"], r["status"]) for r in json.loads(shown.stdout)]
    assert len(orders) == len(before["retail_local_silver.orders"][1]) == 126
    assert tables_of(spark, warehouse) == before  # same rows, same snapshot ids
    assert all(str(copy) in key for key in state_keys(warehouse))

    keys = sorted(state_keys(warehouse))
    again = alurc("run", "--local", str(copy))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "relocated" not in again.stderr  # done once
    cells = [[c.strip() for c in row.split("│")] for row in again.stdout.splitlines()]
    read = {c[1]: c[3] for c in cells if len(c) > 4 and c[1].startswith("ingest_")}
    assert read == {"ingest_orders": "0", "ingest_customers": "0", "ingest_products": "0"}
    assert sorted(state_keys(warehouse)) == keys  # every landing file recognised
    assert tables_of(spark, warehouse) == before  # nothing re-ingested, no new snapshot
    assert not (tmp_path / "orig").exists()  # nothing was written at the old place
    assert json.loads((warehouse / ".alur-warehouse.json").read_text())["root"] == str(warehouse)


def _merge_target(spark: Any, warehouse: Path) -> str:
    """A merge-on-read table with position-delete files, in a warehouse of its own."""
    ident = catalog(spark, warehouse / "iceberg") + ".db.t"
    spark.sql(
        f"CREATE TABLE {ident} (id INT, v STRING) USING iceberg TBLPROPERTIES ("
        "'format-version'='2', 'write.delete.mode'='merge-on-read', "
        "'write.update.mode'='merge-on-read', 'write.merge.mode'='merge-on-read')"
    )
    spark.sql(f"INSERT INTO {ident} VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')")
    spark.sql(f"DELETE FROM {ident} WHERE id = 2")
    spark.sql(
        f"MERGE INTO {ident} t USING (SELECT 3 AS id, 'C' AS v UNION ALL SELECT 5, 'e') s "
        "ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT *"
    )
    return ident


def test_position_deletes_are_rewritten_and_a_crashed_install_completes(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = tmp_path / "a" / ".alur" / "warehouse", tmp_path / "b" / ".alur" / "warehouse"
    check_warehouse_home(old, tmp_path / "a")
    ident = _merge_target(spark, old)
    assert spark.sql(f"SELECT count(*) FROM {ident}.all_delete_files").collect()[0][0] >= 1
    before = tables_of(spark, old)
    assert before["db.t"][1] == [(1, "a"), (3, "C"), (4, "d"), (5, "e")]
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    shutil.rmtree(tmp_path / "a")

    real, calls = relocate_tables.write_atomic, []

    def dies_on_the_third_write(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:  # while installing: some files replaced, not the current one
            raise KeyboardInterrupt
        real(path, data)

    # a partial copy (a data file missing) is refused, located and hinted, nothing changed
    data = sorted((new / "iceberg" / "db" / "t" / "data").rglob("*.parquet"))[0]
    saved, current = data.read_bytes(), sorted((new / "iceberg").rglob("v*.metadata.json"))
    texts = [p.read_text() for p in current]
    data.unlink()
    plan = check_warehouse_home(new, tmp_path / "b")
    assert plan is not None and [t.name for t in plan.tables] == ["t"]
    with pytest.raises(WarehouseMoved) as err:
        relocate_warehouse(spark, plan)
    assert f"its table {new / 'iceberg' / 'db' / 't'} could not be relocated" in str(err.value)
    assert "\n  hint: delete" in str(err.value) and "Traceback" not in str(err.value)
    assert [p.read_text() for p in current] == texts
    assert json.loads((new / ".alur-warehouse.json").read_text())["root"] == str(old)
    data.write_bytes(saved)

    plan = check_warehouse_home(new, tmp_path / "b")
    assert plan is not None and [t.name for t in plan.tables] == ["t"]
    monkeypatch.setattr(relocate_tables, "write_atomic", dies_on_the_third_write)
    with pytest.raises(KeyboardInterrupt):
        relocate_warehouse(spark, plan)
    monkeypatch.setattr(relocate_tables, "write_atomic", real)

    again = check_warehouse_home(new, tmp_path / "b")  # the marker is still the old one
    assert again is not None and len(again.tables) == 1
    relocate_warehouse(spark, again)
    assert check_warehouse_home(new, tmp_path / "b") is None
    assert tables_of(spark, new) == before
    moved = catalog(spark, new / "iceberg") + ".db.t"
    for query in (
        f"SELECT file_path FROM {moved}.all_files",
        f"SELECT file_path FROM {moved}.position_deletes",
    ):
        paths = [r[0] for r in spark.sql(query).collect()]
        assert paths and all(p.startswith(str(new)) for p in paths), paths
    assert not (new / ".alur-relocate").exists()
    assert not (tmp_path / "a").exists()
