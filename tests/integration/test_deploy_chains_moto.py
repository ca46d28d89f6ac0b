"""The `after:` chain resources on moto: apply, re-plan with no changes, and the chain's
decision function driven against moto's DynamoDB (the state table terraform created) and
moto's Glue (StartJobRun on the jobs terraform created). The project uses `after_any`
(clean_orders) and `after` with `max_wait` + `on_max_wait: alert` (daily_revenue), so the
timer rule and the alerts topic are applied too, and an alert is delivered through moto's
SNS to an SQS queue subscribed to the topic terraform created.

What moto cannot do: run the Lambda (moto executes Lambda code only in Docker, absent
here) or deliver EventBridge events to it. So the test feeds "Glue Job State Change"
events to `alur_runtime.chain.on_state_change`, with the real DynamoDB store class
(`alur_runtime.state.DynamoStateStore`) and a boto3 Glue client, and finally runs the
deployed package's own `handler`, unzipped, in a fresh interpreter against moto (a Glue
event, then the timer's "Scheduled Event"). The rule,
target, permission, role and function are checked as deployed.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from moto_server import moto_server

from alur_compiler.backends.runtime import RuntimeBackend
from alur_compiler.backends.terraform import TerraformBackend
from alur_compiler.deploy import stack_ops
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.deploy.terraform import TerraformOptions
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project, Schedule
from alur_runtime.chain import Chains, Decision, on_state_change
from alur_runtime.state import DynamoStateStore

PLUGIN_DIR = Path("/opt/tf-plugins")
pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform CLI not on PATH"),
    pytest.mark.skipif(not PLUGIN_DIR.is_dir(), reason="no provider mirror at /opt/tf-plugins"),
]


@pytest.fixture(scope="module")
def moto_url(moto_reset: Callable[[str], None]) -> Iterator[str]:
    with moto_server(moto_reset, force_credentials=True) as url:
        yield url


def _chained_project(root: str, endpoint: str) -> Project:
    """The sample project, clean_orders after_any ingest_orders, daily_revenue after
    clean_orders *and* ingest_orders with a 1h max_wait that alerts."""
    project = sample_project(root=root, envs=(sample_environment("dev", endpoint=endpoint),))
    schedules = {
        "clean_orders": Schedule(after_any=("ingest_orders",)),
        "daily_revenue": Schedule(
            after=("clean_orders", "ingest_orders"), max_wait_minutes=60, on_max_wait="alert"
        ),
    }
    pipelines = tuple(replace(p, schedule=schedules[p.name]) for p in project.pipelines)
    return replace(project, pipelines=pipelines)


def _write_build(project: Project, build: Path) -> None:
    diags = Diagnostics()
    for art in [
        *TerraformBackend().generate(project, diags),
        *RuntimeBackend().generate(project, diags),
    ]:
        (build / art.path).parent.mkdir(parents=True, exist_ok=True)
        (build / art.path).write_bytes(art.content)
    assert not diags.items
    for job in project.jobs:
        (build / "glue").mkdir(exist_ok=True)
        (build / "glue" / f"{job.name}.py").write_text(f"# {job.name}\n")
    (build / "quality").mkdir(exist_ok=True)
    for table in ("orders", "orders_raw"):
        (build / "quality" / f"{table}.json").write_text(f'{{"name": "{table}"}}\n')


HANDLER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import alur_runtime.chain as chain
assert chain.__file__.startswith(sys.argv[1]), chain.__file__
print(json.dumps(chain.handler(json.loads(sys.argv[2]))))
"""
GLUE_EVENT: dict[str, Any] = {
    "time": "2026-12-01T01:00:00Z",
    "detail-type": "Glue Job State Change",
    "detail": {
        "jobName": "shop-dev-ingest_orders",
        "state": "SUCCEEDED",
        "jobRunId": "jr_deployed_handler",
    },
}
TIMER_EVENT: dict[str, Any] = {
    "time": "2026-12-01T03:00:00Z",
    "detail-type": "Scheduled Event",
    "detail": {},
}


def _run_deployed_handler(
    code: bytes, tmp: Path, endpoint: str, event: dict[str, Any], env: dict[str, str]
) -> list[tuple[str, str]]:
    """The deployed package's own handler, unzipped, in a fresh interpreter (as Lambda would
    run it, with the deployed function's environment variables), against moto."""
    folder = tmp / "lambda"
    if not folder.is_dir():
        zipfile.ZipFile(io.BytesIO(code)).extractall(folder)
    env = os.environ | env | {"ALUR_ENDPOINT": endpoint, "AWS_DEFAULT_REGION": "eu-west-1"}
    out = subprocess.run(
        [sys.executable, "-c", HANDLER, str(folder), json.dumps(event)],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return [(d["job"], d["action"]) for d in result]


def test_chain_applies_replans_clean_and_starts_the_successor(
    moto_url: str, tmp_path: Path
) -> None:
    import boto3

    options = TerraformOptions(plugin_dir=PLUGIN_DIR, timeout_seconds=240)
    project = _chained_project(str(tmp_path), moto_url)
    build = tmp_path / "build"
    _write_build(project, build)
    first = stack_ops.plan(project, "dev", build, options)
    chain = [c.address for c in first.by_entity["environment"] if "chains" in c.address]
    assert sorted(chain) == [
        "aws_cloudwatch_event_rule.environment__dev__chains",
        "aws_cloudwatch_event_rule.environment__dev__chains_timer",
        "aws_cloudwatch_event_target.environment__dev__chains",
        "aws_cloudwatch_event_target.environment__dev__chains_timer",
        "aws_cloudwatch_log_group.environment__dev__chains",
        "aws_iam_role.environment__dev__chains",
        "aws_iam_role_policy.environment__dev__chains",
        "aws_lambda_function.environment__dev__chains",
        "aws_lambda_permission.environment__dev__chains",
        "aws_lambda_permission.environment__dev__chains_timer",
        "aws_sns_topic.environment__dev__chains",
    ]
    stack_ops.apply(project, "dev", build, options)
    assert not stack_ops.plan(project, "dev", build, options).has_changes

    kw = {"region_name": "eu-west-1", "endpoint_url": moto_url}
    events, lam, glue, sns, sqs = (
        boto3.client(s, **kw) for s in ("events", "lambda", "glue", "sns", "sqs")
    )
    rule = events.describe_rule(Name="shop-dev-alur-chains")
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail"]["jobName"] == [{"prefix": "shop-dev-"}]
    target = events.list_targets_by_rule(Rule="shop-dev-alur-chains")["Targets"][0]
    fn = lam.get_function(FunctionName="shop-dev-alur-chains")["Configuration"]
    assert target["Arn"] == fn["FunctionArn"] and fn["Handler"] == "alur_runtime.chain.handler"
    timer = events.describe_rule(Name="shop-dev-alur-chains-timer")
    assert timer["ScheduleExpression"] == "rate(5 minutes)"
    timer_target = events.list_targets_by_rule(Rule="shop-dev-alur-chains-timer")["Targets"]
    assert [t["Arn"] for t in timer_target] == [fn["FunctionArn"]]
    topic = fn["Environment"]["Variables"]["ALUR_ALERT_TOPIC"]
    assert topic in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert topic.endswith(":shop-dev-alur-alerts")
    code = (build / "terraform" / "dev" / "alur_chains.zip").read_bytes()
    config = json.loads(zipfile.ZipFile(io.BytesIO(code)).read("alur_chains.json"))
    assert config["after"]["shop-dev-daily_revenue"] == [
        "shop-dev-clean_orders",
        "shop-dev-ingest_orders",
    ]
    assert config["after_any"] == {"shop-dev-clean_orders": ["shop-dev-ingest_orders"]}

    # the decision function, as the handler runs it, against what terraform created
    store = DynamoStateStore("shop-dev-lake-alur-state", endpoint_url=moto_url, region="eu-west-1")

    def start(name: str) -> bool:
        glue.start_job_run(JobName=name)
        return True

    chains = Chains.from_json(config)
    step = lambda job, state, at="2026-12-01T00:00:00Z": on_state_change(  # noqa: E731
        chains, store, f"shop-dev-{job}", state, at, start
    )

    def runs(job: str) -> int:
        return len(glue.get_job_runs(JobName=f"shop-dev-{job}")["JobRuns"])

    assert [d.action for d in step("ingest_orders", "SUCCEEDED")] == ["started", "waiting"]
    assert runs("clean_orders") == 1 and runs("daily_revenue") == 0
    assert [d.action for d in step("clean_orders", "FAILED")] == ["held"]
    assert [d.action for d in step("clean_orders", "SUCCEEDED")] == ["started"]
    assert runs("daily_revenue") == 1
    assert [d.action for d in step("clean_orders", "SUCCEEDED")] == ["waiting"]  # no new ingest
    # ingest_orders succeeds again: clean_orders starts, and daily_revenue too (both its
    # predecessors succeeded since its last start)
    variables = fn["Environment"]["Variables"]
    assert _run_deployed_handler(code, tmp_path, moto_url, GLUE_EVENT, variables) == [
        ("shop-dev-clean_orders", "started"),
        ("shop-dev-daily_revenue", "started"),
    ]
    assert runs("clean_orders") == 2 and runs("daily_revenue") == 2
    item = store.get("shop-dev-daily_revenue", "schedule#started")
    assert item is not None and json.loads(item["seen"]) == {
        "shop-dev-clean_orders": 2,
        "shop-dev-ingest_orders": 2,
    }
    _alert_after_max_wait(code, tmp_path, moto_url, step, variables, sqs, sns)
    assert runs("clean_orders") == 3 and runs("daily_revenue") == 2


def _alert_after_max_wait(
    code: bytes,
    tmp: Path,
    url: str,
    step: Callable[..., list[Decision]],
    variables: dict[str, str],
    sqs: Any,
    sns: Any,
) -> None:
    """ingest_orders succeeds at 02:00 (clean_orders starts), clean_orders does not: the
    timer's sweep at 03:00 finds daily_revenue's 1h wait elapsed and alerts, once, through
    the deployed topic (read back from an SQS queue subscribed to it)."""
    queue = sqs.create_queue(QueueName="alerts")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=variables["ALUR_ALERT_TOPIC"],
        Protocol="sqs",
        Endpoint=arn["Attributes"]["QueueArn"],
    )
    waiting = step("ingest_orders", "SUCCEEDED", "2026-12-01T02:00:00Z")
    assert [d.action for d in waiting] == ["started", "waiting"]
    early = TIMER_EVENT | {"time": "2026-12-01T02:55:00Z"}
    assert _run_deployed_handler(code, tmp, url, early, variables) == []
    alerted = _run_deployed_handler(code, tmp, url, TIMER_EVENT, variables)
    assert alerted == [("shop-dev-daily_revenue", "alerted")]
    assert _run_deployed_handler(code, tmp, url, TIMER_EVENT, variables) == []  # once
    got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    bodies = [json.loads(m["Body"]) for m in got.get("Messages", [])]
    assert len(bodies) == 1 and bodies[0]["Subject"].startswith("alurc: shop-dev-daily_revenue")
    assert "max_wait 1h elapsed (waiting since 2026-12-01T02:00:00Z)" in bodies[0]["Message"]
    assert "shop-dev-clean_orders" in bodies[0]["Message"]
