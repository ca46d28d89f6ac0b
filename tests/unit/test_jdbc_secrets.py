"""Local credentials of jdbc sources (alur_runtime/secrets.py) and the SQL the JDBC reader
sends (alur_runtime/jdbc.py): values quoted, integers checked, nothing leaked."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from alur_runtime.common import JobFailed
from alur_runtime.jdbc import JdbcReader
from alur_runtime.secrets import Credentials, resolve

PASSWORD = "s3cr3t-'\"-pw"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("ALURC_SECRET"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def write_secrets(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


def test_environment_variables_win_and_the_repr_hides_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_USERNAME", "reader")
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_PASSWORD", PASSWORD)
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_PORT", "6543")
    write_secrets(tmp_path / "config/alurc/secrets.yaml", "crm_reader: {username: f, password: g}")
    creds = resolve("crm_reader", {"alur_mode": "local"})
    assert (creds["username"], creds["password"], creds["port"]) == ("reader", PASSWORD, "6543")
    assert PASSWORD not in repr(creds) and PASSWORD not in str(creds) and "***" in repr(creds)


def test_half_set_variables_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_PASSWORD", PASSWORD)
    with pytest.raises(JobFailed, match="set both") as info:
        resolve("crm_reader", {})
    assert PASSWORD not in str(info.value)


def test_the_default_secrets_file_outside_the_project(tmp_path: Path) -> None:
    write_secrets(
        tmp_path / "config/alurc/secrets.yaml",
        f"crm_reader:\n  username: reader\n  password: {json.dumps(PASSWORD)}\n  host: db.local\n",
    )
    creds = resolve("crm_reader", {"alur_project_root": str(tmp_path / "proj")})
    assert creds == Credentials(username="reader", password=PASSWORD, host="db.local")


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("inside", "is inside the project"),
        ("readable", "is readable by others: chmod 600"),
        ("broken", "is not valid YAML at line 3"),
        ("no_password", "needs username and password"),
        ("absent", "set ALURC_SECRET_CRM_READER_USERNAME and ALURC_SECRET_CRM_READER_PASSWORD"),
    ],
)
def test_bad_secrets_files_fail_with_where_never_what(
    setup: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "proj"
    path = tmp_path / "config/alurc/secrets.yaml"
    text = f"crm_reader: {{username: reader, password: {json.dumps(PASSWORD)}}}\n"
    if setup == "inside":
        path = project / "secrets.yaml"
        monkeypatch.setenv("ALURC_SECRETS_FILE", str(path))
    if setup == "broken":
        text = f"crm_reader:\n  password: [{PASSWORD}\n"
    if setup == "no_password":
        text = "crm_reader: {username: reader}\n"
    if setup == "absent":
        text = "other: {username: a, password: b}\n"
    write_secrets(path, text, 0o644 if setup == "readable" else 0o600)
    with pytest.raises(JobFailed, match=message) as info:
        resolve("crm_reader", {"alur_project_root": str(project)})
    assert PASSWORD not in str(info.value)


def reader(engine: str = "postgresql", inc_type: str = "timestamp", **creds: str) -> JdbcReader:
    source: Any = {
        "engine": engine,
        "url": f"jdbc:{engine}://db.internal:5432/crm",
        "identity": "x",
        "secret": "s",
        "table": "public.customers",
        "query": None,
        "incremental_column": 'up"dated',
        "incremental_type": inc_type,
        "partition": None,
        "fetchsize": 10,
    }
    return JdbcReader(None, source, Credentials(username="u", password="p", **creds))


def test_watermark_literals_are_quoted_by_each_engine_rules() -> None:
    hostile = "2026-01-01' OR '1'='1 \\"
    pg = reader().range_filter(hostile, "2026-02-01 00:00:00+00")
    assert pg == (
        " WHERE \"up\"\"dated\" > '2026-01-01'' OR ''1''=''1 \\' "
        'AND "up""dated" <= \'2026-02-01 00:00:00+00\''
    )
    my = reader("mysql").range_filter(hostile, "x")
    assert my == " WHERE `up\"dated` > '2026-01-01'' OR ''1''=''1 \\\\' AND `up\"dated` <= 'x'"
    assert reader(inc_type="bigint").range_filter(None, "42") == ' WHERE "up""dated" <= 42'
    with pytest.raises(ValueError):
        reader(inc_type="bigint").literal("1 OR 1=1")


def test_local_credentials_may_point_at_another_server() -> None:
    assert reader().url() == "jdbc:postgresql://db.internal:5432/crm"
    moved = reader(host="127.0.0.1", port="6543", database="dev")
    assert moved.url() == "jdbc:postgresql://127.0.0.1:6543/dev"


def test_on_glue_the_secret_comes_from_secrets_manager_by_arn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """moto's in-process Secrets Manager stands in for AWS (no AWS account here)."""
    from moto import mock_aws

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_USERNAME", "ignored on glue")
    monkeypatch.setenv("ALURC_SECRET_CRM_READER_PASSWORD", "ignored on glue")
    with mock_aws():
        import boto3

        client = boto3.client("secretsmanager")
        value = json.dumps({"username": "reader", "password": PASSWORD, "host": "x"})
        arn = client.create_secret(Name="crm-reader", SecretString=value)["ARN"]
        creds = resolve("crm_reader", {"alur_mode": "glue", "alur_secret_arn": arn})
        assert creds == Credentials(username="reader", password=PASSWORD)
        client.put_secret_value(SecretId=arn, SecretString="not json")
        with pytest.raises(JobFailed, match="does not hold JSON") as info:
            resolve("crm_reader", {"alur_mode": "glue", "alur_secret_arn": arn})
        assert "not json" not in str(info.value)
    with pytest.raises(JobFailed, match="no --alur_secret_arn"):
        resolve("crm_reader", {"alur_mode": "glue"})
