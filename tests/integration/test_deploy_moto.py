"""End to end: the generated Terraform JSON, the real terraform CLI, moto's HTTP server.

moto 5.2 does not implement Glue `UpdateJob` / `UpdateTrigger` (HTTP 500, and terraform
then retries for minutes). This test adds both to the moto server it starts, in this
process, before starting `ThreadedMotoServer` (`_add_glue_updates`): they copy the update
onto moto's FakeJob / FakeTrigger exactly as AWS documents the calls. Everything else is
moto as shipped. The stack uses local state; `bootstrap` + the S3 backend are exercised in
test_deploy_bootstrap.py.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from moto_server import moto_server

from alur_compiler.backends.runtime import RuntimeBackend
from alur_compiler.backends.terraform import TerraformBackend
from alur_compiler.deploy import stack_ops
from alur_compiler.deploy.errors import DeployError
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.deploy.terraform import TerraformOptions
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project

PLUGIN_DIR = Path("/opt/tf-plugins")
pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform CLI not on PATH"),
    pytest.mark.skipif(not PLUGIN_DIR.is_dir(), reason="no provider mirror at /opt/tf-plugins"),
]
TIMINGS: dict[str, float] = {}


def _add_glue_updates() -> None:
    from moto.core.responses import ActionResult
    from moto.glue.responses import GlueResponse
    from moto.glue.utils import Action as GlueAction
    from moto.glue.utils import Predicate

    def update_job(self: Any) -> Any:
        name = self._get_param("JobName")
        update = self._get_param("JobUpdate")
        job = self.glue_backend.get_job(name)
        fields = {
            "Description": "description",
            "Role": "role",
            "ExecutionProperty": "execution_property",
            "Command": "command",
            "DefaultArguments": "default_arguments",
            "NonOverridableArguments": "non_overridable_arguments",
            "MaxRetries": "max_retries",
            "Timeout": "timeout",
            "MaxCapacity": "max_capacity",
            "WorkerType": "worker_type",
            "NumberOfWorkers": "number_of_workers",
            "GlueVersion": "glue_version",
            "ExecutionClass": "execution_class",
            "NotificationProperty": "notification_property",
        }
        for key, attr in fields.items():
            if key in update:
                setattr(job, attr, update[key])
        return ActionResult({"JobName": name})

    def update_trigger(self: Any) -> Any:
        name = self._get_param("Name")
        update = self._get_param("TriggerUpdate")
        trigger = self.glue_backend.get_trigger(name)
        if "Schedule" in update:
            trigger.schedule = update["Schedule"]
        if "Description" in update:
            trigger.description = update["Description"]
        if "Actions" in update:
            trigger.actions = [GlueAction(a) for a in update["Actions"]]
        if "Predicate" in update:
            trigger.predicate = Predicate(update["Predicate"])
        return ActionResult({"Trigger": trigger.as_dict()})

    GlueResponse.update_job = update_job  # type: ignore[attr-defined]
    GlueResponse.update_trigger = update_trigger  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def moto_url(moto_reset: Callable[[str], None]) -> Iterator[str]:
    _add_glue_updates()
    with moto_server(moto_reset, force_credentials=True) as url:
        yield url


def _write_build(project: Project, build: Path, scripts: dict[str, str]) -> None:
    diags = Diagnostics()
    for art in TerraformBackend().generate(project, diags):
        (build / art.path).parent.mkdir(parents=True, exist_ok=True)
        (build / art.path).write_bytes(art.content)
    assert not diags.items
    (build / "glue").mkdir(exist_ok=True)
    (build / "quality").mkdir(exist_ok=True)
    for job in project.jobs:  # stand-ins for the glue backend's scripts
        (build / "glue" / f"{job.name}.py").write_text(scripts.get(job.name, f"# {job.name}\n"))
    for table in ("orders", "orders_raw"):
        (build / "quality" / f"{table}.json").write_text(f'{{"name": "{table}"}}\n')
    for art in RuntimeBackend().generate(project, diags):  # the real runtime wheel
        (build / art.path).parent.mkdir(parents=True, exist_ok=True)
        (build / art.path).write_bytes(art.content)


def _timed(name: str, fn: Any, *args: Any, **kw: Any) -> Any:
    start = time.perf_counter()
    result = fn(*args, **kw)
    TIMINGS[name] = round(time.perf_counter() - start, 2)
    return result


def test_apply_replan_update_destroy(moto_url: str, tmp_path: Path) -> None:
    import boto3

    options = TerraformOptions(plugin_dir=PLUGIN_DIR, timeout_seconds=240)
    env = sample_environment("dev", endpoint=moto_url)
    project = sample_project(root=str(tmp_path), envs=(env,))
    build = tmp_path / "build"
    _write_build(project, build, {})

    first = _timed("init+plan (create)", stack_ops.plan, project, "dev", build, options)
    # 12 S3 (+ lifecycle rules; no bucket policy against an emulator) + 5 objects + DynamoDB
    # + 4 catalog + 6 IAM + 3 logs + 3 jobs + 2 cron triggers + 7 for the after: chains
    assert first.count("create") == 45  # 44 + terraform/contracts.json
    assert first.count("update") == first.count("delete") == 0
    assert "pipeline daily_revenue" in first.by_entity and "table orders_raw" in first.by_entity
    _timed("apply (create)", stack_ops.apply, project, "dev", build, options)

    glue = boto3.client("glue", region_name="eu-west-1", endpoint_url=moto_url)
    job = glue.get_job(JobName="shop-dev-daily_revenue")["Job"]
    assert job["NumberOfWorkers"] == 3 and job["GlueVersion"] == "5.0"
    assert job["DefaultArguments"]["--alur_db_gold"] == "shop_dev_gold"
    table = glue.get_table(DatabaseName="shop_dev_bronze", Name="orders_raw")["Table"]
    types = {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}
    assert types["quantity"] == "bigint" and types["amount"] == "decimal(10,2)"
    assert [k["Name"] for k in table["PartitionKeys"]] == ["order_date"]
    trig = glue.get_trigger(Name="shop-dev-daily_revenue-cron")["Trigger"]
    assert trig["Schedule"] == "cron(0 3 * * ? *)"  # its after: is the chain Lambda's

    second = _timed("init+plan (no changes)", stack_ops.plan, project, "dev", build, options)
    assert not second.has_changes, second.to_json()

    changed = sample_project(root=str(tmp_path), envs=(env,), revenue_workers=5)
    _write_build(changed, build, {"daily_revenue": "# daily_revenue v2\n"})
    third = stack_ops.plan(changed, "dev", build, options)
    assert third.to_json()["entities"] == {
        "pipeline daily_revenue": [
            {
                "address": "aws_glue_job.pipeline__daily_revenue",
                "action": "update",
                "attributes": ["number_of_workers"],
            },
            {
                "address": "aws_s3_object.pipeline__daily_revenue__script",
                "action": "update",
                "attributes": ["source_hash"],
            },
        ]
    }
    _timed("apply (update)", stack_ops.apply, changed, "dev", build, options)
    assert glue.get_job(JobName="shop-dev-daily_revenue")["Job"]["NumberOfWorkers"] == 5
    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=moto_url)
    body = s3.get_object(Bucket="shop-dev-artifacts", Key="glue/daily_revenue.py")["Body"].read()
    assert body == b"# daily_revenue v2\n"
    assert not stack_ops.plan(changed, "dev", build, options).has_changes

    gone = stack_ops.plan(changed, "dev", build, options, destroy=True)
    assert gone.count("delete") == first.count("create") and gone.destructive
    with pytest.raises(DeployError, match="data-holding"):
        stack_ops.apply(changed, "dev", build, options)
    gone = stack_ops.plan(changed, "dev", build, options, destroy=True)
    _timed("destroy", stack_ops.apply, changed, "dev", build, options, allow_destroy=True)
    assert glue.get_jobs()["Jobs"] == []
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == []
    print("\nterraform timings (s):", TIMINGS)
