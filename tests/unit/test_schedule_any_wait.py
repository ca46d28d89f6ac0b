"""`after_any` and `max_wait`: the example of specs/schedule.md through `alurc schedule`
(firings computed by hand in the page), and the chain resources the stack gets for them."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alur_compiler.backends.terraform import TerraformBackend, build_stack, render
from alur_compiler.cli import app
from alur_compiler.deploy.sample import sample_project
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project, Schedule

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = Path("/opt/tf-plugins")
PAGE = (ROOT / "specs" / "schedule.md").read_text(encoding="utf-8")
PROJECT = """\
apiVersion: alur/v1
kind: Project
name: shop
environments:
  dev:
    region: eu-west-1
    buckets: {lake: shop-lake, artifacts: shop-artifacts, landing: shop-landing}
"""
WEEKEND = ["--from", "2026-12-04T00:00", "--to", "2026-12-08T00:00"]  # Friday to Monday


def _example() -> str:
    blocks = re.findall(r"^```yaml\n(.*?)^```$", PAGE, re.MULTILINE | re.DOTALL)
    return str(next(b for b in blocks if "after_any:" in b and "max_wait:" in b))


def _write(root: Path, on_max_wait: str = "run") -> Path:
    (root / "pipelines").mkdir(parents=True)
    (root / "alur.yaml").write_text(PROJECT, encoding="utf-8")
    body = _example().replace("on_max_wait: run", f"on_max_wait: {on_max_wait}")
    (root / "pipelines" / "example.yaml").write_text(body, encoding="utf-8")
    return root


def test_spec_example_fires_as_the_page_says(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["schedule", str(_write(tmp_path)), *WEEKEND])
    assert out.exit_code == 0, out.output
    revenue = [line for line in out.stdout.splitlines() if "shop_revenue  " in line]
    # by hand: Friday, orders at 06:00 start the 12h wait, fx at 15:00 the job; Saturday
    # and Sunday no fx: 06:00 + 12h = 18:00, run anyway; Monday as Friday
    assert [line.split()[:4] for line in revenue] == [
        ["2026-12-04", "15:00", "shop_revenue", "after"],
        ["2026-12-05", "18:00", "shop_revenue", "max_wait"],
        ["2026-12-06", "18:00", "shop_revenue", "max_wait"],
        ["2026-12-07", "15:00", "shop_revenue", "after"],
    ]
    assert "\n".join(revenue) in PAGE  # the page shows exactly these lines
    merges = [line for line in out.stdout.splitlines() if "merge_orders  " in line]
    assert len(merges) == 8  # twice a day, once per shop: after_any
    assert all("after_any ingest_orders_eu, ingest_orders_us" in m for m in merges)


def test_alert_instead_of_run(tmp_path: Path) -> None:
    args = ["schedule", str(_write(tmp_path, "alert")), *WEEKEND, "--format", "json"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    starts = [f["at"] for f in doc["firings"] if f["job"] == "shop_revenue"]
    assert starts == ["2026-12-04T15:00:00+00:00", "2026-12-07T15:00:00+00:00"]
    assert doc["alerts"] == [  # one wait, Saturday 06:00 to Monday 15:00: one alert
        {
            "at": "2026-12-05T18:00:00+00:00",
            "job": "shop_revenue",
            "glue_job": "shop-dev-shop_revenue",
            "after": ["ingest_fx", "merge_orders"],
            "max_wait": "12h",
        }
    ]
    assert doc["counts"]["shop_revenue"] == 2 and doc["counts"]["merge_orders"] == 8
    assert {"after_any": ["ingest_orders_eu", "ingest_orders_us"]}.items() <= next(
        f for f in doc["firings"] if f["job"] == "merge_orders"
    ).items()
    text = CliRunner().invoke(app, args[:-2]).stdout
    assert "ALERT (not started): max_wait 12h elapsed (after ingest_fx, merge_orders)" in text


def _waiting_project(on: str = "alert") -> Project:
    """The sample project, clean_orders after_any ingest_orders; daily_revenue after
    clean_orders with a max_wait."""
    project = sample_project()
    schedules = {
        "clean_orders": Schedule(after_any=("ingest_orders",)),
        "daily_revenue": Schedule(after=("clean_orders",), max_wait_minutes=360, on_max_wait=on),
    }
    pipes = tuple(replace(p, schedule=schedules[p.name]) for p in project.pipelines)
    return replace(project, pipelines=pipes)


def test_stack_has_the_timer_the_topic_and_only_what_they_need() -> None:
    project = _waiting_project()
    res = build_stack(project, project.environments[0], Diagnostics())["resource"]
    timer = res["aws_cloudwatch_event_rule"]["environment__dev__chains_timer"]
    assert timer["schedule_expression"] == "rate(5 minutes)"
    assert timer["name"] == "shop-dev-alur-chains-timer"
    target = res["aws_cloudwatch_event_target"]["environment__dev__chains_timer"]
    assert target["arn"] == "${aws_lambda_function.environment__dev__chains.arn}"
    permission = res["aws_lambda_permission"]["environment__dev__chains_timer"]
    assert permission["source_arn"] == (
        "${aws_cloudwatch_event_rule.environment__dev__chains_timer.arn}"
    )
    assert res["aws_sns_topic"]["environment__dev__chains"]["name"] == "shop-dev-alur-alerts"
    function = res["aws_lambda_function"]["environment__dev__chains"]
    assert function["environment"][0]["variables"]["ALUR_ALERT_TOPIC"] == (
        "${aws_sns_topic.environment__dev__chains.arn}"
    )
    policy = json.loads(res["aws_iam_role_policy"]["environment__dev__chains"]["policy"])
    stmts = {s["Sid"]: s for s in policy["Statement"]}
    assert stmts["Alerts"] == {
        "Sid": "Alerts",
        "Effect": "Allow",
        "Action": ["sns:Publish"],
        "Resource": "arn:aws:sns:eu-west-1:123456789012:shop-dev-alur-alerts",
    }
    assert sorted(stmts["StartSuccessors"]["Resource"]) == [
        "arn:aws:glue:eu-west-1:123456789012:job/shop-dev-clean_orders",  # after_any too
        "arn:aws:glue:eu-west-1:123456789012:job/shop-dev-daily_revenue",
    ]


def test_run_needs_no_topic_and_the_package_carries_the_map() -> None:
    project = _waiting_project("run")
    res = build_stack(project, project.environments[0], Diagnostics())["resource"]
    assert "aws_sns_topic" not in res
    policy = json.loads(res["aws_iam_role_policy"]["environment__dev__chains"]["policy"])
    assert "Alerts" not in {s["Sid"] for s in policy["Statement"]}
    function = res["aws_lambda_function"]["environment__dev__chains"]
    assert "ALUR_ALERT_TOPIC" not in function["environment"][0]["variables"]
    arts = TerraformBackend().generate(project, Diagnostics())
    code = next(a.content for a in arts if a.path == "terraform/dev/alur_chains.zip")
    config = json.loads(zipfile.ZipFile(io.BytesIO(code)).read("alur_chains.json"))
    assert config == {
        "after": {"shop-dev-daily_revenue": ["shop-dev-clean_orders"]},
        "after_any": {"shop-dev-clean_orders": ["shop-dev-ingest_orders"]},
        "disabled": [],
        "max_wait": {"shop-dev-daily_revenue": {"minutes": 360, "on": "run"}},
    }


@pytest.mark.terraform
@pytest.mark.parametrize("kms", [False, True], ids=["plain", "kms"])
def test_terraform_validates_after_any_and_max_wait(tmp_path: Path, kms: bool) -> None:
    """`terraform validate` (provider 5.100 from the local mirror) on the stack with the
    timer rule, the alerts topic (KMS-encrypted with `kms: {create: true}`) and its IAM."""
    if shutil.which("terraform") is None or not PLUGIN_DIR.is_dir():
        pytest.skip("terraform CLI or provider mirror /opt/tf-plugins missing: validate not run")
    project = _waiting_project("alert")
    env = replace(project.environments[0], kms_create=kms)
    project = replace(project, environments=(env,))
    doc = build_stack(project, env, Diagnostics())
    assert (
        "kms_master_key_id" in doc["resource"]["aws_sns_topic"]["environment__dev__chains"]
    ) == kms
    folder = tmp_path / "terraform" / "dev"
    folder.mkdir(parents=True)
    (folder / "main.tf.json").write_bytes(render(doc))
    for obj in doc["resource"]["aws_s3_object"].values():
        (tmp_path / obj["key"]).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / obj["key"]).write_text("stand-in\n")
    (folder / "alur_chains.zip").write_text("stand-in\n")
    init = ["terraform", f"-chdir={folder}", "init", "-backend=false", "-input=false"]
    subprocess.run(
        [*init, f"-plugin-dir={PLUGIN_DIR}"], check=True, capture_output=True, timeout=120
    )
    out = subprocess.run(
        ["terraform", f"-chdir={folder}", "validate", "-json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(out.stdout)
    assert result["valid"] is True and result["error_count"] == 0, result


def test_plan_lists_after_any_and_max_wait_chains(tmp_path: Path) -> None:
    from alur_compiler.api import load_project
    from alur_compiler.deploy.plan_summary import PlanSummary, render_text, with_chains

    project, _ = load_project(_write(tmp_path))
    assert project is not None
    summary = with_chains(PlanSummary("dev"), project)
    text = "\n".join(render_text(summary))
    # the example's two chains, as written on the page (after_any, then after + max_wait)
    assert "merge_orders  after any of ingest_orders_eu, ingest_orders_us" in text
    assert "shop_revenue  after ingest_fx, merge_orders (max wait 12h, then run)" in text
    doc = summary.to_json()
    assert doc["chains"]["merge_orders"] == ["ingest_orders_eu", "ingest_orders_us"]
    assert doc["chain_rules"]["shop_revenue"].endswith("(max wait 12h, then run)")
