"""`alurc validate --connect` against a real PostgreSQL server (no Spark): drift between the
live columns and the contract is reported at the contract's lines; a source that fits is
clean; bad credentials are one located error without the password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pg_server import PgServer

CONTRACT = """\
apiVersion: alur/v1
kind: Table
name: accounts_raw
layer: bronze
columns:
  - {name: id, type: bigint, nullable: false}
  - {name: owner, type: string}
  - {name: balance, type: "decimal(6,2)"}
  - {name: opened, type: date}
  - {name: tags, type: "array<string>"}
  - {name: counter, type: int}
  - {name: region, type: string}
"""
INGESTION = """\
apiVersion: alur/v1
kind: Ingestion
name: load_accounts
target: accounts_raw
source_system: bank
sources:
  - kind: jdbc
    engine: postgresql
    host: 127.0.0.1
    port: {port}
    database: crm
    secret: bank
    table: public.accounts
"""


def project(tmp: Path, pg: PgServer) -> Path:
    root = tmp / "proj"
    for folder in ("contracts", "ingestions"):
        (root / folder).mkdir(parents=True)
    (root / "alur.yaml").write_text("apiVersion: alur/v1\nkind: Project\nname: bank\n")
    (root / "contracts" / "accounts_raw.yaml").write_text(CONTRACT)
    (root / "ingestions" / "load_accounts.yaml").write_text(INGESTION.format(port=pg.port))
    return root


def validate(root: Path, password: str, user: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "ALURC_SECRET_BANK_USERNAME": user,
        "ALURC_SECRET_BANK_PASSWORD": password,
    }
    cmd = [sys.executable, "-m", "alur_compiler", "validate", str(root), "--connect"]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)


def test_drift_is_reported_at_the_contract_columns(tmp_path: Path, postgres: PgServer) -> None:
    postgres.psql(
        "SET ROLE alur_reader; DROP TABLE IF EXISTS accounts; CREATE TABLE accounts ("
        'id bigint, "OWNER" text, balance numeric(12,2), opened timestamptz, '
        "tags text[], counter bigint)"
    )
    root = project(tmp_path, postgres)
    done = validate(root, postgres.password, postgres.user)
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout + done.stderr
    where = "contracts/accounts_raw.yaml"
    assert f"{where}:8:5: error[AL320]: column 'balance' is decimal(6,2)" in out
    assert "numeric(12,2)" in out
    assert f"{where}:9:5: error[AL320]: column 'opened' is date" in out
    assert f"{where}:11:5: error[AL320]: column 'counter' is int" in out
    assert f"{where}:12:5: error[AL320]: column 'region' is not in" in out
    for fine in ("'id'", "'owner'", "'tags'"):  # OWNER matches `owner` ignoring case
        assert f"column {fine}" not in out
    assert out.count("error[AL320]") == 4
    assert postgres.password not in out

    postgres.psql(
        "SET ROLE alur_reader; ALTER TABLE accounts ALTER balance TYPE numeric(6,2), "
        "ALTER opened TYPE date, ALTER counter TYPE integer, ADD region varchar(10)"
    )
    clean = validate(root, postgres.password, postgres.user)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "ok: bank" in clean.stdout


def test_bad_credentials_are_one_located_error(tmp_path: Path, postgres: PgServer) -> None:
    postgres.psql("SET ROLE alur_reader; CREATE TABLE IF NOT EXISTS accounts (id bigint)")
    root = project(tmp_path, postgres)
    wrong = "nope-" + postgres.password
    done = validate(root, wrong, postgres.user)
    out = done.stdout + done.stderr
    assert done.returncode == 1
    assert "ingestions/load_accounts.yaml:7:5: error[AL320]: cannot read the columns" in out
    assert "password authentication failed" in out
    assert wrong not in out and postgres.password not in out
    assert "Traceback" not in out


@pytest.mark.parametrize(
    ("contract", "source", "ok"),
    [
        ("bigint", "integer", True),
        ("int", "bigint", False),
        ("decimal(10,2)", "numeric(8,2)", True),
        ("decimal(10,2)", "numeric(10,4)", False),
        ("decimal(10,2)", "numeric", False),
        ("string", "uuid", True),
        ("timestamp", "timestamp with time zone", True),
        ("array<int>", "integer[]", True),
        ("array<int>", "text[]", False),
        ("string", "text[]", False),
        ("double", "text", False),
    ],
)
def test_type_fit_rules(contract: str, source: str, ok: bool) -> None:
    from alur_compiler.connect import fits

    assert fits(contract, source) is ok


def test_a_mysql_source_is_reported_as_not_checked(tmp_path: Path) -> None:
    from alur_compiler.api import load_project
    from alur_compiler.connect import check_live_sources
    from alur_compiler.diagnostics import Diagnostics

    root = tmp_path / "proj"
    for folder in ("contracts", "ingestions"):
        (root / folder).mkdir(parents=True)
    (root / "alur.yaml").write_text("apiVersion: alur/v1\nkind: Project\nname: bank\n")
    (root / "contracts" / "accounts_raw.yaml").write_text(CONTRACT)
    text = INGESTION.format(port=3306).replace("postgresql", "mysql")
    (root / "ingestions" / "load_accounts.yaml").write_text(text)
    project, diags = load_project(root)
    assert project is not None and not diags.has_errors
    found = Diagnostics()
    check_live_sources(project, found)
    assert [(d.code.code, d.severity.value) for d in found.items] == [("AL321", "warning")]
