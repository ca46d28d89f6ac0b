"""`alurc plan --local`: the warehouse's own Iceberg metadata, read without Spark, gives the
shapes the change classes compare with (local/observed.py). Spark's own view of the same
tables is the oracle for what is read; the expected classes are written out by hand."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_glue_support import HEADER, Harness, project, write_csv
from test_schema_evolution import evolved, run_ok

from alur_compiler.ir.changes import classify
from alur_compiler.ir.layout import LOCAL_ENV, database
from alur_compiler.ir.shapes import Shapes, project_shapes
from alur_compiler.local.observed import (
    current_metadata,
    iceberg_shape,
    record_run_shapes,
    run_shapes,
    warehouse_shapes,
)

pytestmark = pytest.mark.spark


def _table_dir(h: Harness, layer: str, name: str) -> Path:
    root = Path(h.spark.conf.get("spark.sql.catalog.glue_catalog.warehouse"))
    return root / h.args[f"alur_db_{layer}"] / name


def _spark_partitioning(h: Harness, layer: str, name: str) -> tuple[str, ...]:
    """The PARTITIONED BY clause of Spark's SHOW CREATE TABLE, fields without spaces."""
    ddl = str(h.spark.sql(f"SHOW CREATE TABLE {h.table(layer, name)}").collect()[0][0])
    found = re.search(r"PARTITIONED BY \((.*?)\)\n", ddl)
    if not found:
        return ()
    return tuple(p.strip().replace(" ", "") for p in re.split(r",\s*(?![^()]*\))", found[1]))


def test_observed_shapes_match_spark_and_classify_the_next_contract(
    spark: Any, tmp_path: Path
) -> None:
    v1 = Harness(spark, tmp_path, project(tmp_path))
    write_csv(v1.landing, "1.csv", HEADER, ["O1,C1,1,10.00,placed,2026-11-01 10:00:00"])
    for job in ("ingest_orders", "clean_orders", "daily_orders"):
        run_ok(v1, job)
    for layer, name in (("silver", "orders"), ("gold", "daily")):
        doc = current_metadata(_table_dir(v1, layer, name))
        assert doc is not None
        shape = iceberg_shape(v1.project.table(name), doc)
        fields = spark.table(v1.table(layer, name)).schema.fields
        assert [(c.name, c.type) for c in shape.columns] == [
            (f.name, f.dataType.simpleString()) for f in fields
        ]
        assert tuple(p.replace(" ", "") for p in shape.partition_by or ()) == (
            _spark_partitioning(v1, layer, name)
        )
        assert all(c.nullable is None for c in shape.columns)

    orders = iceberg_shape(
        v1.project.table("orders"), current_metadata(_table_dir(v1, "silver", "orders")) or {}
    )
    before = Shapes((orders,))
    # the next contract: quantity int -> bigint, a new nullable column status_code
    widened = [
        c
        for c in classify(before, project_shapes(evolved(tmp_path, "bigint")))
        if c.entity == "table orders"
    ]
    assert sorted(c.kind for c in widened) == ["additive", "widening"]
    what = {c.kind: c.what for c in widened}
    assert "status_code" in what["additive"] and "quantity" in what["widening"]
    narrowed = [
        c
        for c in classify(before, project_shapes(evolved(tmp_path, "smallint")))
        if c.entity == "table orders" and c.kind == "breaking"
    ]
    assert len(narrowed) == 1 and "quantity" in narrowed[0].what


def test_a_warehouse_in_the_local_layout_and_the_recorded_run_shapes(
    spark: Any, tmp_path: Path
) -> None:
    v1 = Harness(spark, tmp_path, project(tmp_path))
    write_csv(v1.landing, "1.csv", HEADER, ["O1,C1,1,10.00,placed,2026-11-01 10:00:00"])
    for job in ("ingest_orders", "clean_orders"):
        run_ok(v1, job)
    proj = v1.project
    wh = tmp_path / "local-wh"
    db = database(proj.name, LOCAL_ENV, "silver")
    shutil.copytree(_table_dir(v1, "silver", "orders"), wh / "iceberg" / db / "orders")
    (wh / "lake" / "bronze" / "orders_raw").mkdir(parents=True)
    (wh / "lake" / "bronze" / "orders_raw" / "part-0.parquet").write_bytes(b"x")

    # no recorded run: the Iceberg table observed, bronze and pipelines unknown (new)
    got = warehouse_shapes(proj, wh)
    assert [t.name for t in got.tables] == ["orders"] and got.pipelines == ()
    kinds = {c.entity: c.kind for c in classify(got, project_shapes(proj))}
    assert "table orders" not in kinds  # observed, the same as the contract
    assert kinds["table orders_raw"] == "new"
    assert kinds["pipeline clean_orders"] == "new"

    record_run_shapes(wh, proj, ["ingest_orders", "clean_orders"])
    got = warehouse_shapes(proj, wh)
    assert [t.name for t in got.tables] == ["orders", "orders_raw"]
    assert [p.name for p in got.pipelines] == ["clean_orders"]
    changes = classify(got, project_shapes(proj))
    assert not [c for c in changes if c.entity in ("table orders_raw", "pipeline clean_orders")]

    # a corrupted record is not trusted: everything it held counts as unknown again
    (wh / ".alur-contracts.json").write_text("{not json", encoding="utf-8")
    assert run_shapes(wh) == Shapes()


def test_plan_local_on_a_run_project_then_a_widened_contract(spark: Any, tmp_path: Path) -> None:
    """The CLI end to end. The suite's one Spark session keeps its Iceberg tables in its own
    warehouse, so the run's tables are copied to where a project's own session puts them
    (<warehouse>/iceberg/<database>/<table>) before `plan --local` reads them."""
    from selection_project import FILES
    from test_select_run import landing_project
    from typer.testing import CliRunner

    from alur_compiler.api_local import RunOptions, run_local
    from alur_compiler.cli import app

    root = landing_project(tmp_path / "p", "planlocal")
    run = run_local(root, RunOptions(preview=0))
    assert run.exit_code == 0, [(r.name, r.status, r.error) for r in run.results]
    session_root = Path(spark.conf.get("spark.sql.catalog.glue_catalog.warehouse"))
    wh = root / ".alur" / "warehouse"
    for db in session_root.glob("planlocal_local_*"):
        shutil.copytree(db, wh / "iceberg" / db.name)

    result = CliRunner().invoke(app, ["plan", "--local", str(root), "--fail-on", "additive"])
    assert result.exit_code == 0, result.output
    # everything the run wrote is as its contract says; only `lookup` (no writer) is new
    changed = [ln.strip() for ln in result.output.splitlines() if ln.startswith("    table ")]
    assert changed == ["table lookup"], result.output

    tables = root / "contracts" / "tables.yaml"
    text = FILES["contracts/tables.yaml"].replace(
        "columns: [{name: id, type: int, nullable: false}, {name: a_id, type: int}]\nchecks",
        "columns: [{name: id, type: int, nullable: false}, {name: a_id, type: bigint}]\nchecks",
    )
    assert text != FILES["contracts/tables.yaml"]
    tables.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["plan", "--local", str(root), "--fail-on", "widening"])
    assert result.exit_code == 3, result.output
    assert "table b" in result.output and "widening" in result.output
    # the line specs/evolution.md shows for a widening, with this column
    assert "widening  column a_id int -> bigint: ALTER TABLE ALTER COLUMN TYPE (in place)" in (
        result.output
    )
    assert "error: data changes of class widening or worse" in result.output
    result = CliRunner().invoke(app, ["plan", "--local", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output[result.output.index("{") :])
    got = [(c["entity"], c["class"]) for c in doc["data"]["changes"]]
    assert got == [("table b", "widening"), ("table lookup", "new")]

    assert CliRunner().invoke(app, ["plan", str(root)]).exit_code == 2  # neither --env nor --local
    both = CliRunner().invoke(app, ["plan", "--local", "--env", "dev", str(root)])
    assert both.exit_code == 2 and "exclude each other" in both.output
