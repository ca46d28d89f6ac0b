"""The deploy commands end to end on examples/retail: `alurc bootstrap`, `plan`, `apply`,
`plan` (no changes), contract changes classified by `plan` and refused by `apply`,
`destroy`, through the Typer app, with the S3 state backend and its
DynamoDB lock on moto's HTTP server and the real terraform CLI. DynamoDB is reached through
tests/lossy_proxy.py, which loses the reply to the first plan's and the apply's lock
request (terraform's SDK sends it again and meets its own lock; alurc releases it).
The project's `dev` environment is pointed at moto with alur.yaml's `endpoints:`. moto lacks Glue
UpdateJob/UpdateTrigger; this flow never updates, so moto is used as shipped.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lossy_proxy import Losses, retail_on_moto
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
    with retail_on_moto(tmp_path, moto_url, losses, monkeypatch, PLUGIN_DIR) as root:
        yield root


def _alurc(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_bootstrap_plan_apply_destroy(project: Path, moto_url: str, losses: Losses) -> None:
    import boto3

    code, out = _alurc("bootstrap", "--env", "dev", str(project))
    assert code == 0, out
    assert "state bucket retail-dev-tfstate: created" in out
    assert "lock table retail-dev-tflock: created" in out
    code, out = _alurc("bootstrap", "--env", "dev", str(project))
    assert (code, out.count(": exists")) == (0, 2), out
    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=moto_url)
    assert s3.get_bucket_versioning(Bucket="retail-dev-tfstate")["Status"] == "Enabled"

    losses.operation, losses.count = "PutItem", 1
    code, out = _alurc("plan", "--env", "dev", str(project))
    assert code == 0, out
    assert losses.lost == ["DynamoDB_20120810.PutItem"] and "plan: released lock" in out, out
    assert "  pipeline clean_orders\n" in out and "  table orders_raw\n" in out
    assert "+ create  aws_glue_job.pipeline__clean_orders" in out
    assert "DATA LOSS" not in out
    assert "  cost: Glue jobs of dev (eu-west-1) in the 30 days from " in out  # specs/cost.md
    total = next(line.split() for line in out.splitlines() if line.startswith("    total "))
    assert total[-1] == "+" + total[-3] and total[-2] == "0.00", out  # nothing deployed yet
    losses.count = 1
    code, out = _alurc("apply", "--env", "dev", "--auto-approve", str(project))
    assert code == 0 and "Apply complete!" in out, out
    assert len(losses.lost) == 2 and "apply: released lock" in out, out
    created = re.search(r"Apply complete! Resources: (\d+) added", out)
    assert created is not None and int(created[1]) >= 72, out
    state = s3.get_object(Bucket="retail-dev-tfstate", Key="retail/dev/terraform.tfstate")
    assert b"aws_glue_job" in state["Body"].read()
    glue = boto3.client("glue", region_name="eu-west-1", endpoint_url=moto_url)
    assert len(glue.get_jobs()["Jobs"]) == 8

    code, out = _alurc("plan", "--env", "dev", str(project))
    assert code == 0 and "dev: no changes" in out, out
    total = next(line.split() for line in out.splitlines() if line.startswith("    total "))
    assert total[-1] == "+0.00" and total[-2] == total[-3], out  # deployed = the build
    code, out = _alurc("apply", "--env", "dev", str(project))
    assert code == 0 and "dev: no changes" in out, out
    _contract_changes(project)

    code, out = _alurc("destroy", "--env", "dev", "--auto-approve", str(project))
    assert code == 0 and f"{created[1]} destroyed" in out, out  # everything it created
    assert "!! DATA LOSS POSSIBLE" in out
    assert glue.get_jobs()["Jobs"] == []
    code, out = _alurc("apply", "--env", "dev", str(project))  # a plan applies once
    assert code == 1 and "no saved plan" in out, out


def _contract_changes(project: Path) -> None:
    """Contract edits classified against the applied build's terraform/contracts.json
    (specs/evolution.md): a CI gate on additive changes, and apply refusing a breaking one."""
    products = project / "contracts" / "silver" / "products.yaml"
    original = products.read_text()
    tags = "  - name: tags\n    type: array<string>\n"
    products.write_text(original.replace(tags, tags + "  - name: name_length\n    type: int\n"))
    pipelines = project / "pipelines" / "clean_customers.yaml"  # holds clean_products too
    sql = pipelines.read_text()
    selected = "trim(name) AS name, category, list_price, tags"
    pipelines.write_text(sql.replace(selected, selected + ", length(name) AS name_length"))
    code, out = _alurc("plan", "--env", "dev", "--fail-on", "additive", str(project))
    assert code == 3 and "(--fail-on additive)" in out, out
    assert (
        "  data (compared with s3://retail-dev-artifacts/terraform/contracts.json):\n"
        "    table products\n"
        "      additive  new column name_length int: ALTER TABLE ADD COLUMN; old rows read NULL\n"
    ) in out
    code, out = _alurc(
        "plan", "--env", "dev", "--format", "json", "--fail-on", "breaking", str(project)
    )
    assert code == 0, out
    doc, _ = json.JSONDecoder().raw_decode(out[out.index("{") :])
    assert doc["data"]["worst"] == "logic"  # the SQL of clean_products changed too
    assert [(c["entity"], c["class"]) for c in doc["data"]["changes"]] == [
        ("table products", "additive"),
        ("pipeline clean_products", "logic"),
    ]

    pipelines.write_text(sql)
    category = "  - name: category\n    type: string\n"
    products.write_text(original.replace(category, category + "    nullable: false\n"))
    code, out = _alurc("plan", "--env", "dev", str(project))
    assert code == 0 and "      breaking  column category nullable -> NOT NULL: " in out, out
    code, out = _alurc("apply", "--env", "dev", "--auto-approve", str(project))
    assert code == 1, out
    assert (
        "error: the plan has breaking data changes: table products: column category "
        "nullable -> NOT NULL\n  hint: re-run apply with --allow-breaking, then refresh fully "
        "products, daily_revenue"
    ) in out
    products.write_text(original)


def test_missing_terraform_is_a_clear_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALURC_TERRAFORM", "no-such-terraform")
    code, out = _alurc("plan", "--env", "dev", str(project))
    assert code == 1
    assert "error: terraform CLI not found ('no-such-terraform')" in out
    assert "Traceback" not in out
    code, out = _alurc("plan", "--env", "qa", str(project))
    assert code == 2 and "unknown environment 'qa'" in out and "dev, prod" in out


# --- state locks -------------------------------------------------------------------------
# State locks on the S3 backend, with the real terraform CLI and moto's HTTP server.
#
# A lost reply to terraform's lock request (DynamoDB PutItem) makes the AWS SDK send it
# again; the second attempt meets the lock the first one wrote, and terraform alone fails
# and leaves that lock for a human to remove (hashicorp/terraform#16630). Here a proxy in
# front of moto's DynamoDB loses that reply for real (tests/lossy_proxy.py): `alurc plan`
# and `alurc apply` must release their own lock, succeed, and leave no lock behind (the
# apply case runs in this module's first flow, which loses the apply's lock reply too).
# A lock of someone else's must never be released: the command fails, says who holds
# it, and the command it prints really releases it (run here as printed).

STATE = "retail-dev-tfstate/retail/dev/terraform.tfstate"  # terraform's LockID of dev


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
