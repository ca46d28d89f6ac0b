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
# every service the stack uses (the after: chains add an EventBridge rule and a Lambda)
SERVICES = ("cloudwatch", "dynamodb", "events", "glue", "iam", "lambda", "logs", "s3", "sts")


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
