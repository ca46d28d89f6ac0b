"""A copied or moved local warehouse is relocated to its own place (local/relocate.py):
its state's paths rebased, its marker rewritten last; one that cannot be relocated safely
(a table located elsewhere) is refused before Spark starts, with nothing changed. The
Iceberg part needs Spark: tests/integration/test_relocate.py."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alur_compiler.cli import app
from alur_compiler.local.relocate import rebase, rewrite_state
from alur_compiler.local.session import HOME_MARKER, WarehouseMoved, check_warehouse_home


def _state(warehouse: Path, rows: list[tuple[str, str, dict[str, str]]]) -> Path:
    path = warehouse / "state" / "state.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE state (pk TEXT, sk TEXT, body TEXT, PRIMARY KEY (pk, sk))")
        for pk, sk, body in rows:
            db.execute("INSERT INTO state VALUES (?, ?, ?)", (pk, sk, json.dumps(body)))
    return path


def _rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    with sqlite3.connect(path) as db:
        found = db.execute("SELECT pk, sk, body FROM state").fetchall()
    return {(pk, sk): json.loads(body) for pk, sk, body in found}


def _table(warehouse: Path, location: str) -> Path:
    meta = warehouse / "iceberg" / "retail_local_silver" / "orders" / "metadata"
    meta.mkdir(parents=True)
    (meta / "version-hint.text").write_text("1")
    (meta / "v1.metadata.json").write_text(json.dumps({"location": location}))
    return meta


def test_first_use_records_the_home_and_a_second_use_accepts_it(tmp_path: Path) -> None:
    warehouse = tmp_path / ".alur" / "warehouse"
    assert check_warehouse_home(warehouse, tmp_path) is None
    marker = json.loads((warehouse / HOME_MARKER).read_text())
    assert marker == {"root": str(warehouse.resolve()), "project": str(tmp_path.resolve())}
    assert check_warehouse_home(warehouse, tmp_path) is None  # the same folder: fine


def test_the_state_paths_under_the_old_roots_are_rebased_once(tmp_path: Path) -> None:
    old, new = "/old/proj", "/new/p"
    key = "file#/old/proj/data/landing/orders/a.csv#sha256:ab"
    path = _state(
        tmp_path,
        [
            (
                "ingest_orders",
                key,
                {"status": "ingested", "uri": "/old/proj/data/landing/orders/a.csv"},
            ),
            ("ingest_orders", "content#sha256:ab", {"uri": "file:/old/proj/data/x#1.csv"}),
            ("ingest_orders", "file#/old/proj2/b.csv#sha256:cd", {"uri": "/old/proj2/b.csv"}),
            ("ingest_orders", "file#/elsewhere/c.csv#sha256:ef", {"uri": "/elsewhere/c.csv"}),
            ("clean_orders", "watermark#orders", {"value": "2026-01-01"}),
        ],
    )
    assert rewrite_state(path, [(old, new)]) == 2
    rows = _rows(path)
    moved = ("ingest_orders", "file#/new/p/data/landing/orders/a.csv#sha256:ab")
    assert rows[moved] == {"status": "ingested", "uri": "/new/p/data/landing/orders/a.csv"}
    assert rows[("ingest_orders", "content#sha256:ab")] == {"uri": "file:/new/p/data/x#1.csv"}
    assert ("ingest_orders", key) not in rows
    # a sibling folder with the same leading characters, and paths elsewhere, are kept
    assert rows[("ingest_orders", "file#/old/proj2/b.csv#sha256:cd")] == {"uri": "/old/proj2/b.csv"}
    assert ("ingest_orders", "file#/elsewhere/c.csv#sha256:ef") in rows
    assert rewrite_state(path, [(old, new)]) == 0  # idempotent
    assert rebase("/old/proj", [(old, new)]) == "/new/p"


def test_a_copied_warehouse_without_tables_is_relocated_without_spark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = tmp_path / "a" / ".alur" / "warehouse"
    check_warehouse_home(original, tmp_path / "a")
    landing = str(tmp_path / "a" / "data" / "landing" / "o.csv")
    _state(original, [("ingest_o", f"file#{landing}#sha256:00", {"uri": landing})])
    copy = tmp_path / "b" / ".alur" / "warehouse"
    shutil.copytree(original, copy)
    assert check_warehouse_home(copy, tmp_path / "b") is None
    marker = json.loads((copy / HOME_MARKER).read_text())
    assert marker == {"root": str(copy.resolve()), "project": str((tmp_path / "b").resolve())}
    moved = landing.replace(str(tmp_path / "a"), str(tmp_path / "b"))
    assert _rows(copy / "state" / "state.sqlite") == {
        ("ingest_o", f"file#{moved}#sha256:00"): {"uri": moved}
    }
    assert _rows(original / "state" / "state.sqlite")[("ingest_o", f"file#{landing}#sha256:00")]
    err = capsys.readouterr().err
    assert (
        f"relocated the local warehouse from {original} to {copy}: 0 tables, 1 state entry" in err
    )


def test_an_older_marker_without_the_project_still_rebases_the_landing(tmp_path: Path) -> None:
    original = tmp_path / "a" / ".alur" / "warehouse"
    original.mkdir(parents=True)
    (original / HOME_MARKER).write_text(json.dumps({"root": str(original)}))
    landing = str(tmp_path / "a" / "data" / "o.csv")
    _state(original, [("ingest_o", f"file#{landing}#sha256:00", {"uri": landing})])
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    check_warehouse_home(tmp_path / "b" / ".alur" / "warehouse", tmp_path / "b")
    rows = _rows(tmp_path / "b" / ".alur" / "warehouse" / "state" / "state.sqlite")
    assert list(rows.values()) == [{"uri": str(tmp_path / "b" / "data" / "o.csv")}]


def test_a_table_located_elsewhere_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    original = tmp_path / "a" / ".alur" / "warehouse"
    check_warehouse_home(original, tmp_path / "a")
    landing = str(tmp_path / "a" / "o.csv")
    _state(original, [("ingest_o", f"file#{landing}#sha256:00", {"uri": landing})])
    meta = _table(original, "/somewhere/else/orders")
    copy = tmp_path / "b" / ".alur" / "warehouse"
    shutil.copytree(original, copy)
    marker = (copy / HOME_MARKER).read_text()
    with pytest.raises(WarehouseMoved) as err:
        check_warehouse_home(copy, tmp_path / "b")
    text = str(err.value)
    assert f"was created at {original.resolve()} and copied or moved here" in text
    assert "is located at /somewhere/else/orders; nothing was changed" in text
    assert f"  hint: delete {copy.resolve()}" in text
    assert (copy / HOME_MARKER).read_text() == marker
    assert list(_rows(copy / "state" / "state.sqlite").values()) == [{"uri": landing}]
    assert (meta / "v1.metadata.json").read_text() == (
        copy / meta.relative_to(original) / "v1.metadata.json"
    ).read_text()


def test_a_table_already_at_its_new_place_is_counted_as_done(tmp_path: Path) -> None:
    original = tmp_path / "a" / ".alur" / "warehouse"
    check_warehouse_home(original, tmp_path / "a")
    copy = tmp_path / "b" / ".alur" / "warehouse"
    shutil.copytree(original, copy)
    _table(copy, str(copy.resolve() / "iceberg" / "retail_local_silver" / "orders"))
    assert check_warehouse_home(copy, tmp_path / "b") is None  # nothing left for Spark
    assert json.loads((copy / HOME_MARKER).read_text())["root"] == str(copy.resolve())


def test_run_local_in_a_copy_that_cannot_be_relocated_stops_before_spark(tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert CliRunner().invoke(app, ["init", "orig"]).exit_code == 0
    finally:
        os.chdir(cwd)
    warehouse = tmp_path / "orig" / ".alur" / "warehouse"
    check_warehouse_home(warehouse, tmp_path / "orig")  # as a run leaves it
    _table(warehouse, "/somewhere/else/orders")
    shutil.copytree(tmp_path / "orig", tmp_path / "copy")
    result = CliRunner().invoke(app, ["run", "--local", str(tmp_path / "copy")])
    assert result.exit_code == 1, result.output
    assert "copied or moved here, but it cannot be relocated" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "copy" / ".alur" / "warehouse" / "logs").exists()  # no JVM
