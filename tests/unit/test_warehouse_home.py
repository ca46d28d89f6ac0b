"""A copied or moved local warehouse is refused before Spark starts (local/session.py):
its Iceberg tables hold absolute locations of the original, so a run would write there."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alur_compiler.cli import app
from alur_compiler.local.session import HOME_MARKER, WarehouseMoved, check_warehouse_home


def test_first_use_records_the_home_and_a_second_use_accepts_it(tmp_path: Path) -> None:
    warehouse = tmp_path / ".alur" / "warehouse"
    check_warehouse_home(warehouse)
    marker = json.loads((warehouse / HOME_MARKER).read_text())
    assert marker == {"root": str(warehouse.resolve())}
    check_warehouse_home(warehouse)  # the same folder: fine


def test_a_copied_warehouse_is_refused(tmp_path: Path) -> None:
    original = tmp_path / "a" / ".alur" / "warehouse"
    check_warehouse_home(original)
    (original / "iceberg").mkdir()
    copy = tmp_path / "b" / ".alur" / "warehouse"
    shutil.copytree(original, copy)
    with pytest.raises(WarehouseMoved) as err:
        check_warehouse_home(copy)
    assert f"was created at {original.resolve()}" in str(err.value)
    assert f"delete {copy.resolve()}" in str(err.value)


def test_run_local_in_a_copied_project_stops_before_spark(tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert CliRunner().invoke(app, ["init", "orig"]).exit_code == 0
    finally:
        os.chdir(cwd)
    check_warehouse_home(tmp_path / "orig" / ".alur" / "warehouse")  # as a run leaves it
    shutil.copytree(tmp_path / "orig", tmp_path / "copy")
    result = CliRunner().invoke(app, ["run", "--local", str(tmp_path / "copy")])
    assert result.exit_code == 1, result.output
    assert "copied or moved here" in result.output
    assert "Traceback" not in result.output
