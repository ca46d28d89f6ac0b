"""Landing files as spreadsheets and exports write them, through a real ingestion.

- A quoted value across lines (RFC 4180): read line by line, Spark split `a,"1<LF>2"`
  into the rows `(a, 1)` and `(2", NULL)` and ingested both (multiLine is now the default).
- A byte order mark, CRLF line ends, no final newline, a header without rows.
- A file whose header names a column twice fails only when Spark reads it, at the
  batch's count: it failed the whole batch as a crash; now that file is a bad file and
  the others are ingested, and a batch of only such files fails naming the file.

Real embedded Spark through the CLI; the oracle is Python's csv module (RFC 4180) over
the same bytes, and the bronze Parquet files are read back with pyarrow.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from test_run_failures import INGESTIONS, write_project
from typer.testing import CliRunner

from alur_compiler.cli import app

pytestmark = pytest.mark.spark

GOOD = {
    "quoted_newlines.csv": b'code,label\na,"line one\nline two"\nb,"x, ""quoted"" y"\n',
    "bom.csv": b"\xef\xbb\xbfcode,label\nc,3\n",
    "crlf.csv": b"code,label\r\nd,4\r\ne,5\r\n",
    "no_final_newline.csv": b"code,label\nf,6",
    "header_only.csv": b"code,label\n",
}
TWICE = b"code,label,label\ng,7,8\n"


def _project(root: Path, files: dict[str, bytes]) -> Path:
    write_project(root, "warn")
    quarantining = INGESTIONS.replace(
        '  - {path: codes/, format: csv, pattern: "*.csv"}',
        '  - {path: codes/, format: csv, pattern: "*.csv"}\non_bad_file: quarantine',
    )
    assert quarantining != INGESTIONS
    (root / "ingestions/ingest.yaml").write_text(quarantining)
    landing = root / "landing" / "codes"
    (landing / "codes.csv").unlink()
    for name, data in files.items():
        (landing / name).write_bytes(data)
    return root


def _bronze(root: Path) -> list[tuple[Any, ...]]:
    folder = root / ".alur/warehouse/lake/bronze/codes_raw"
    files = sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith((".", "_")))
    rows = [r for f in files for r in pq.read_table(f).to_pylist()]
    return sorted((r["code"], r["label"], Path(r["_source_file"]).name) for r in rows)


def _oracle(files: dict[str, bytes]) -> list[tuple[Any, ...]]:
    return sorted(
        (row["code"], row["label"], name)
        for name, data in files.items()
        for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    )


def _report(root: Path) -> dict[str, Any]:
    reports = sorted((root / ".alur/warehouse/reports/ingest_codes").glob("*.json"))
    return dict(json.loads(reports[-1].read_text()))


def test_exported_csv_files_read_as_rfc_4180_says(spark: Any, tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {**GOOD, "twice.csv": TWICE})
    run = CliRunner().invoke(app, ["run", "--local", str(root), "ingest_codes"])
    assert run.exit_code == 0, run.output
    assert _bronze(root) == _oracle(GOOD)
    assert ("a", "line one\nline two", "quoted_newlines.csv") in _bronze(root)
    bad = _report(root)["bad_files"]
    assert [Path(b["file"]).name for b in bad] == ["twice.csv"]
    assert "CSV header does not conform" in bad[0]["reason"], bad
    assert "\n" not in bad[0]["reason"] and "\tat " not in bad[0]["reason"]
    copies = root / ".alur/warehouse/lake/quarantine/codes_raw/files"
    assert [p.read_bytes() for p in copies.rglob("twice.csv")] == [TWICE]


def test_a_batch_of_only_unreadable_files_fails_naming_them(spark: Any, tmp_path: Path) -> None:
    root = _project(tmp_path / "p", {"twice.csv": TWICE})
    run = CliRunner().invoke(app, ["run", "--local", str(root), "ingest_codes"])
    assert run.exit_code == 1, run.output
    report = _report(root)
    assert report["status"] == "failed"
    assert "twice.csv" in report["error"] and "CSV header does not conform" in report["error"]
    assert _bronze(root) == []


LATIN1 = "code,label\nh,café\ni,plain\n".encode("latin-1")


def test_bytes_that_do_not_decode_make_a_bad_row_and_the_encoding_option_reads_them(
    spark: Any, tmp_path: Path
) -> None:
    """A latin-1 file read as UTF-8: Spark puts U+FFFD where `é` was and alurc used to store
    `caf�`. That row is a bad row now (quarantined, the column named); the rest loads. With
    `encoding: ISO-8859-1` the same bytes read as Python's latin-1 codec reads them."""
    root = _project(tmp_path / "utf8", {"latin1.csv": LATIN1})
    run = CliRunner().invoke(app, ["run", "--local", str(root), "ingest_codes"])
    assert run.exit_code == 0, run.output
    assert _bronze(root) == [("i", "plain", "latin1.csv")]
    folder = root / ".alur/warehouse/lake/quarantine/codes_raw/rows"
    rows = [r for f in sorted(folder.rglob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    assert [(r["code"], r["_bad_columns"]) for r in rows] == [("h", ["label"])]

    root = _project(tmp_path / "latin1", {"latin1.csv": LATIN1})
    ingest = root / "ingestions/ingest.yaml"
    ingest.write_text(
        ingest.read_text().replace(
            'pattern: "*.csv"}\non_bad_file',
            'pattern: "*.csv", options: {encoding: ISO-8859-1}}\non_bad_file',
        )
    )
    run = CliRunner().invoke(app, ["run", "--local", str(root), "ingest_codes"])
    assert run.exit_code == 0, run.output
    want = {"latin1.csv": LATIN1.decode("latin-1").encode("utf-8")}
    assert _bronze(root) == _oracle(want)


def test_json_numbers_reach_decimal_and_string_columns_as_written(
    spark: Any, tmp_path: Path
) -> None:
    """JSON numbers used to be read as doubles: `12345678.123456789` was stored as
    12345678.123456790 in a decimal(20,9) column. The oracle: Python's json module with
    decimal.Decimal for numbers. (A number in a field that also holds text is rendered by
    Spark through a double whatever the options, `1.234567812345679E7`: documented.)"""
    from decimal import Decimal

    root = write_project(tmp_path / "p", "warn")
    bronze = root / "contracts/bronze.yaml"
    bronze.write_text(
        bronze.read_text().replace(
            "  - {name: label, type: string}\n",
            '  - {name: label, type: string}\n  - {name: amount, type: "decimal(20,9)"}\n',
            1,
        )
    )
    ingest = root / "ingestions/ingest.yaml"
    ingest.write_text(
        ingest.read_text().replace(
            '{path: codes/, format: csv, pattern: "*.csv"}',
            '{path: codes/, format: json, pattern: "*.jsonl"}',
        )
    )
    lines = [
        '{"code": "a", "label": 12345678.123456789, "amount": 12345678.123456789}',
        '{"code": "b", "label": 0.1, "amount": 0.1}',
        '{"code": "c", "label": "text", "amount": 7}',
    ]
    landing = root / "landing" / "codes"
    (landing / "codes.csv").unlink()
    (landing / "codes.jsonl").write_text("\n".join(lines) + "\n")
    run = CliRunner().invoke(app, ["run", "--local", str(root), "ingest_codes"])
    assert run.exit_code == 0, run.output
    folder = root / ".alur/warehouse/lake/bronze/codes_raw"
    files = sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith((".", "_")))
    rows = [r for f in files for r in pq.read_table(f).to_pylist()]
    got = sorted((r["code"], r["amount"]) for r in rows)
    want = sorted(
        (d["code"], Decimal(d["amount"]).quantize(Decimal("1e-9")))
        for d in (json.loads(line, parse_float=Decimal) for line in lines)
    )
    assert got == want
    assert {r["code"]: r["label"] for r in rows}["c"] == "text"


@pytest.mark.parametrize(
    ("data", "hint", "option"),
    [
        (b"code;label\nj;10\n", "separated by ';'", 'delimiter: ";"'),
        ("code,label\nk,11\n".encode("utf-16"), "UTF-16", "encoding: UTF-16"),
    ],
    ids=["semicolons", "utf16"],
)
def test_a_file_read_with_the_wrong_delimiter_or_encoding_says_which_option(
    spark: Any, tmp_path: Path, data: bytes, hint: str, option: str
) -> None:
    """A `;`-separated or UTF-16 file shows none of the contract's columns. The bad file's
    reason says which option would read it, and with that option it reads as Python does."""
    root = _project(tmp_path / "wrong", {"f.csv": data})
    run = CliRunner().invoke(app, ["run", "--local", str(root), "ingest_codes"])
    assert run.exit_code == 0, run.output
    (bad,) = _report(root)["bad_files"]
    assert "missing required column(s): code" in bad["reason"] and hint in bad["reason"], bad

    root = _project(tmp_path / "right", {"f.csv": data})
    ingest = root / "ingestions/ingest.yaml"
    ingest.write_text(
        ingest.read_text().replace(
            'pattern: "*.csv"}\non_bad_file',
            f'pattern: "*.csv", options: {{{option}}}}}\non_bad_file',
        )
    )
    run = CliRunner().invoke(app, ["run", "--local", str(root), "ingest_codes"])
    assert run.exit_code == 0, run.output
    text = data.decode("utf-16") if option.startswith("encoding") else data.decode()
    want = sorted(
        (r["code"], r["label"], "f.csv")
        for r in csv.DictReader(io.StringIO(text), delimiter=";" if ";" in option else ",")
    )
    assert _bronze(root) == want
