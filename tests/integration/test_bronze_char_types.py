"""A bronze column declared char(n) / varchar(n): Spark stores it as string and refuses it in
a reader schema, so every reader of the bronze table (the pipeline, `alurc show`, `alurc
query`) must read it as string. Before the fix each of them failed with
UNSUPPORTED_CHAR_OR_VARCHAR_AS_STRING while the ingestion itself succeeded.

Real embedded Spark through the CLI; the expected rows are the landing file's, by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_run_failures import BRONZE, write_project
from typer.testing import CliRunner

from alur_compiler.cli import app

pytestmark = pytest.mark.spark


def test_char_and_varchar_bronze_columns_are_read_by_every_reader(
    spark: Any, tmp_path: Path
) -> None:
    root = write_project(tmp_path / "p", "warn")
    (root / "contracts/bronze.yaml").write_text(
        BRONZE.replace("{name: label, type: string}", "{name: label, type: varchar(10)}").replace(
            "{name: code, type: string, nullable: false}", "{name: code, type: char(1)}", 1
        )
    )
    run = CliRunner().invoke(app, ["run", "--local", str(root)])
    assert run.exit_code == 0, run.output
    shown = CliRunner().invoke(app, ["show", "codes_raw", str(root), "-f", "json"])
    assert shown.exit_code == 0, shown.output
    assert sorted((r["code"], r["label"]) for r in json.loads(shown.stdout)) == [
        ("a", "1"),
        ("b", "two"),
    ]
    asked = CliRunner().invoke(
        app,
        ["query", "SELECT label FROM bronze.codes_raw WHERE code = 'a'", str(root), "-f", "json"],
    )
    assert asked.exit_code == 0, asked.output
    assert json.loads(asked.stdout) == [{"label": "1"}]
    silver = CliRunner().invoke(app, ["show", "codes", str(root), "-f", "json"])
    assert sorted((r["code"], r["value"]) for r in json.loads(silver.stdout)) == [
        ("a", 1),
        ("b", None),
    ]
