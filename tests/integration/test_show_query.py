"""`alurc show` / `alurc query` on a real local warehouse: CSV and JSON output parsed with
the standard library and compared with rows derived from the landing files by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from test_select_run import landing_project
from typer.testing import CliRunner

from alur_compiler.api_local import RunOptions, run_local
from alur_compiler.cli import app

pytestmark = pytest.mark.spark
#: raw_b's landing file with one bad row: `oops` is no int, so ingestion quarantines it
CSV_B = "id,a_id\n10,1\n11,2\n12,3\noops,1\n"
B_ROWS = [(10, 1), (11, 2), (12, 3)]  # what reaches bronze and silver, by id


@pytest.fixture(scope="module")
def built(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = landing_project(tmp_path_factory.mktemp("show") / "p", "showq")
    (root / "data/landing/b/b.csv").write_text(CSV_B)
    before = CliRunner().invoke(app, ["show", "g", str(root)])
    assert before.exit_code == 1, before.output  # nothing built yet
    assert "gold.g is not in the local warehouse yet" in before.output
    run = run_local(root, RunOptions(preview=0))
    assert run.exit_code == 0, [(r.name, r.status, r.error) for r in run.results]
    return root


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_show_csv(built: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(cli("show", "b", str(built), "--format", "csv"))))
    assert [(int(r["id"]), int(r["a_id"])) for r in rows] == B_ROWS  # ordered by the key
    assert list(rows[0]) == ["id", "a_id"]


def test_show_json_where_columns_limit(built: Path) -> None:
    where = ["--where", "a_id < 3", "--columns", "id"]
    out = cli("show", "silver.b", str(built), "-f", "json", *where)
    assert json.loads(out) == [{"id": 10}, {"id": 11}]
    out = cli("show", "b", str(built), "-f", "json", "--limit", "1")
    assert json.loads(out) == [{"id": 10, "a_id": 1}]


def test_show_bronze_and_its_quarantine(built: Path) -> None:
    bronze = json.loads(cli("show", "raw_b", str(built), "-f", "json"))
    assert sorted((r["id"], r["a_id"]) for r in bronze) == B_ROWS
    assert all(r["_source_file"].endswith("b.csv") for r in bronze)
    quarantine = json.loads(cli("show", "raw_b_quarantine", str(built), "-f", "json"))
    assert len(quarantine) == 1
    assert any("oops" in str(v) for v in quarantine[0].values()), quarantine


def test_show_tombstones_and_table_format(built: Path) -> None:
    none = CliRunner().invoke(app, ["show", "b__alur_tombstones", str(built)])
    assert none.exit_code == 1  # merge into b has deleted nothing: no tombstone table
    assert "no key of b was deleted yet" in none.output
    text = cli("show", "b", str(built))
    assert "b (3 rows)" in text and "12" in text


def test_show_a_selection(built: Path) -> None:
    result = CliRunner().invoke(app, ["show", str(built), "-s", "layer:gold"])
    assert result.exit_code == 0, result.output
    assert "g (1 row)" in result.stdout  # lookup has no writer: never built, a note
    assert "note: gold.lookup is not in the local warehouse yet" in result.output
    csv_many = CliRunner().invoke(app, ["show", str(built), "-s", "layer:silver", "-f", "csv"])
    assert csv_many.exit_code == 2
    assert "--format csv prints one table; 2 are selected" in csv_many.output


def test_query_joins_by_contract_names(built: Path) -> None:
    sql = "SELECT b.id, a.id AS aid FROM silver.b JOIN a ON a.id = b.a_id ORDER BY b.id"
    assert json.loads(cli("query", sql, str(built), "-f", "json")) == [
        {"id": 10, "aid": 1},
        {"id": 11, "aid": 2},
    ]
    out = cli("query", "SELECT n FROM gold.g", str(built), "--format", "csv")
    assert list(csv.reader(io.StringIO(out))) == [["n"], ["2"]]  # 10 and 11 have an a


@pytest.mark.parametrize(
    ("sql", "code", "words"),
    [
        ("DROP TABLE b", 2, "only a SELECT can run here, not DROP"),
        ("INSERT INTO b SELECT 1, 1", 2, "only a SELECT can run here, not INSERT"),
        ("SELECT 1; SELECT 2", 2, "expected one statement, got 2"),
        ("SELECT * FROM bb", 2, "unknown table 'bb' (did you mean 'b'?)"),
        ("SELECT nope FROM b", 1, "nope"),
    ],
)
def test_query_refusals(built: Path, sql: str, code: int, words: str) -> None:
    result = CliRunner().invoke(app, ["query", sql, str(built)])
    assert result.exit_code == code, result.output
    assert words in result.output
    assert result.stdout == ""  # diagnostics go to stderr
    assert "Traceback" not in result.output
