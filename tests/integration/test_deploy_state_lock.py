"""State locks on the S3 backend, with the real terraform CLI and moto's HTTP server.

A lost reply to terraform's lock request (DynamoDB PutItem) makes the AWS SDK send it
again; the second attempt meets the lock the first one wrote, and terraform alone fails
and leaves that lock for a human to remove (hashicorp/terraform#16630). Here a proxy in
front of moto's DynamoDB loses that reply for real (tests/lossy_proxy.py): `alurc plan`
and `alurc apply` must release their own lock, succeed, and leave no lock behind (the
apply case runs in test_deploy_cli.py's flow, which loses the apply's lock reply too).
A lock of someone else's must never be released: the command fails, says who holds it, and the
command it prints really releases it (run here as printed).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from lossy_proxy import Losses, lossy_proxy
from moto_server import moto_server
from typer.testing import CliRunner

from alur_compiler.cli import app

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = Path("/opt/tf-plugins")
pytestmark = [
    pytest.mark.terraform,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform CLI not on PATH"),
    pytest.mark.skipif(not PLUGIN_DIR.is_dir(), reason="no provider mirror at /opt/tf-plugins"),
]
SERVICES = ("cloudwatch", "dynamodb", "events", "glue", "iam", "lambda", "logs", "s3", "sts")
STATE = "retail-dev-tfstate/retail/dev/terraform.tfstate"  # terraform's LockID of dev


@pytest.fixture(scope="module")
def moto_url(moto_reset: Callable[[str], None]) -> Iterator[str]:
    with moto_server(moto_reset) as url:
        yield url


@pytest.fixture
def losses() -> Losses:
    return Losses()


@pytest.fixture
def project(
    tmp_path: Path, moto_url: str, losses: Losses, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    root = tmp_path / "retail"
    shutil.copytree(
        ROOT / "examples" / "retail", root, ignore=shutil.ignore_patterns("build", ".alur")
    )
    with lossy_proxy(moto_url, losses) as proxy:
        cfg = yaml.safe_load((root / "alur.yaml").read_text())
        dev = cfg["environments"]["dev"]
        dev["account"] = "123456789012"  # moto's account
        dev["endpoints"] = {s: proxy if s == "dynamodb" else moto_url for s in SERVICES}
        (root / "alur.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        for name in ("TF_LOG", "TF_LOG_CORE", "TF_LOG_PATH"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("ALURC_TF_PLUGIN_DIR", str(PLUGIN_DIR))
        yield root


def _alurc(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _locks(moto_url: str) -> list[dict[str, object]]:
    """The lock table's lock items (digest items, `...-md5`, left out)."""
    import boto3

    ddb = boto3.client("dynamodb", region_name="eu-west-1", endpoint_url=moto_url)
    items = ddb.scan(TableName="retail-dev-tflock")["Items"]
    return [i for i in items if not i["LockID"]["S"].endswith("-md5")]


def test_a_lock_request_sent_twice_is_released_and_the_plan_succeeds(
    project: Path, moto_url: str, losses: Losses
) -> None:
    code, out = _alurc("bootstrap", "--env", "dev", str(project))
    assert code == 0, out
    losses.operation, losses.count = "PutItem", 1
    code, out = _alurc("plan", "--env", "dev", str(project))
    assert losses.lost == ["DynamoDB_20120810.PutItem"]  # the blip really happened
    assert code == 0, out
    released = re.search(r"terraform plan: released lock ([0-9a-f-]{36})", out)
    assert released is not None, out
    assert "+ create  aws_glue_job.pipeline__clean_orders" in out
    assert _locks(moto_url) == []


def test_a_lock_held_by_another_run_is_never_released(project: Path, moto_url: str) -> None:
    import boto3

    code, out = _alurc("bootstrap", "--env", "dev", str(project))
    assert code == 0, out
    other = "0b7e7c7e-1f7a-4c55-9e0d-6a3d2c1b0a99"
    info = {
        "ID": other,
        "Operation": "OperationTypeApply",
        "Info": "",
        "Who": "ana@ci-runner-7",
        "Version": "1.11.4",
        "Created": "2026-12-03T09:00:00.000000Z",
        "Path": STATE,
    }
    ddb = boto3.client("dynamodb", region_name="eu-west-1", endpoint_url=moto_url)
    ddb.put_item(
        TableName="retail-dev-tflock",
        Item={"LockID": {"S": STATE}, "Info": {"S": json.dumps(info)}},
    )
    held = _locks(moto_url)
    code, out = _alurc("plan", "--env", "dev", str(project))
    assert code == 1, out
    assert "locked by ana@ci-runner-7 since " in out and f"lock id {other}" in out, out
    assert "released lock" not in out
    assert _locks(moto_url) == held  # untouched

    command = re.search(r"release its lock with: (.+)$", out, re.MULTILINE)
    assert command is not None, out
    done = subprocess.run(
        command[1], shell=True, input="yes\n", capture_output=True, text=True, check=False
    )  # terraform asks the human to confirm
    assert done.returncode == 0, done.stderr
    assert _locks(moto_url) == []
    code, out = _alurc("plan", "--env", "dev", str(project))
    assert code == 0, out
