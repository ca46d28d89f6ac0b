"""The `after:` chain resources on moto: apply, re-plan with no changes, and the chain's
decision function driven against moto's DynamoDB (the state table terraform created) and
moto's Glue (StartJobRun on the jobs terraform created).

What moto cannot do: run the Lambda (moto executes Lambda code only in Docker, absent
here) or deliver EventBridge events to it. So the test feeds "Glue Job State Change"
events to `alur_runtime.chain.on_state_change`, with the real DynamoDB store class
(`alur_runtime.state.DynamoStateStore`) and a boto3 Glue client, and finally runs the
deployed package's own `handler`, unzipped, in a fresh interpreter against moto. The rule,
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

import pytest

from alur_compiler.backends.runtime import RuntimeBackend
from alur_compiler.backends.terraform import TerraformBackend
from alur_compiler.deploy import stack_ops
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.deploy.terraform import TerraformOptions
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project, Schedule
from alur_runtime.chain import Chains, on_state_change
from alur_runtime.state import DynamoStateStore

PLUGIN_DIR = Path("/opt/tf-plugins")
pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform CLI not on PATH"),
    pytest.mark.skipif(not PLUGIN_DIR.is_dir(), reason="no provider mirror at /opt/tf-plugins"),
]


@pytest.fixture(scope="module")
def moto_url(moto_reset: Callable[[str], None]) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    moto_reset(f"http://{host}:{port}")
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    yield f"http://{host}:{port}"
    server.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _chained_project(root: str, endpoint: str) -> Project:
    """The sample project, daily_revenue after clean_orders *and* ingest_orders."""
    project = sample_project(root=root, envs=(sample_environment("dev", endpoint=endpoint),))
    chained = Schedule(after=("clean_orders", "ingest_orders"))
    pipelines = tuple(
        replace(p, schedule=chained) if p.name == "daily_revenue" else p for p in project.pipelines
    )
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
event = {"time": "2026-12-01T01:00:00Z",
         "detail": {"jobName": "shop-dev-ingest_orders", "state": "SUCCEEDED",
                    "jobRunId": "jr_deployed_handler"}}
print(json.dumps(chain.handler(event)))
"""


def _run_deployed_handler(code: bytes, tmp: Path, endpoint: str) -> None:
    """The deployed package's own handler, unzipped, in a fresh interpreter (as Lambda would
    run it), against moto: ingest_orders succeeds again, so clean_orders starts, and
    daily_revenue too (both its predecessors succeeded since its last start)."""
    folder = tmp / "lambda"
    zipfile.ZipFile(io.BytesIO(code)).extractall(folder)
    env = os.environ | {
        "ALUR_STATE_TABLE": "shop-dev-lake-alur-state",
        "ALUR_ENDPOINT": endpoint,
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    out = subprocess.run(
        [sys.executable, "-c", HANDLER, str(folder)],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert [(d["job"], d["action"]) for d in result] == [
        ("shop-dev-clean_orders", "started"),
        ("shop-dev-daily_revenue", "started"),
    ]


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
        "aws_cloudwatch_event_target.environment__dev__chains",
        "aws_cloudwatch_log_group.environment__dev__chains",
        "aws_iam_role.environment__dev__chains",
        "aws_iam_role_policy.environment__dev__chains",
        "aws_lambda_function.environment__dev__chains",
        "aws_lambda_permission.environment__dev__chains",
    ]
    stack_ops.apply(project, "dev", build, options)
    assert not stack_ops.plan(project, "dev", build, options).has_changes

    kw = {"region_name": "eu-west-1", "endpoint_url": moto_url}
    events, lam, glue = (boto3.client(s, **kw) for s in ("events", "lambda", "glue"))
    rule = events.describe_rule(Name="shop-dev-alur-chains")
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail"]["jobName"] == [{"prefix": "shop-dev-"}]
    target = events.list_targets_by_rule(Rule="shop-dev-alur-chains")["Targets"][0]
    fn = lam.get_function(FunctionName="shop-dev-alur-chains")["Configuration"]
    assert target["Arn"] == fn["FunctionArn"] and fn["Handler"] == "alur_runtime.chain.handler"
    code = (build / "terraform" / "dev" / "alur_chains.zip").read_bytes()
    config = json.loads(zipfile.ZipFile(io.BytesIO(code)).read("alur_chains.json"))
    assert config["after"]["shop-dev-daily_revenue"] == [
        "shop-dev-clean_orders",
        "shop-dev-ingest_orders",
    ]

    # the decision function, as the handler runs it, against what terraform created
    store = DynamoStateStore("shop-dev-lake-alur-state", endpoint_url=moto_url, region="eu-west-1")

    def start(name: str) -> bool:
        glue.start_job_run(JobName=name)
        return True

    chains = Chains.from_json(config)
    step = lambda job, state: on_state_change(  # noqa: E731
        chains, store, f"shop-dev-{job}", state, "2026-12-01T00:00:00Z", start
    )

    def runs(job: str) -> int:
        return len(glue.get_job_runs(JobName=f"shop-dev-{job}")["JobRuns"])

    assert [d.action for d in step("ingest_orders", "SUCCEEDED")] == ["started", "waiting"]
    assert runs("clean_orders") == 1 and runs("daily_revenue") == 0
    assert [d.action for d in step("clean_orders", "FAILED")] == ["held"]
    assert [d.action for d in step("clean_orders", "SUCCEEDED")] == ["started"]
    assert runs("daily_revenue") == 1
    assert [d.action for d in step("clean_orders", "SUCCEEDED")] == ["waiting"]  # no new ingest
    _run_deployed_handler(code, tmp_path, moto_url)
    assert runs("clean_orders") == 2 and runs("daily_revenue") == 2
    item = store.get("shop-dev-daily_revenue", "schedule#started")
    assert item is not None and json.loads(item["seen"]) == {
        "shop-dev-clean_orders": 2,
        "shop-dev-ingest_orders": 2,
    }
