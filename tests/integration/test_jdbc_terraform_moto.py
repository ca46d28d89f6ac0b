"""A jdbc ingestion's Terraform: its Glue connection (URL, SECRET_ID, the environment's
subnet and security groups), the job's `connections` and `--alur_secret_arn`, and a role
that may read exactly that secret; plan, apply, a re-plan without changes and destroy
against moto's server (Glue UpdateJob/UpdateTrigger added as in test_deploy_moto.py).

moto 5.2.5 gaps patched here, in this process, before its server starts handling the
calls: GetConnection does not return `ConnectionType` (terraform then plans an update
forever) and DeleteConnection is not implemented (destroy would retry for minutes)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_deploy_moto import _write_build, moto_url  # noqa: F401  (the module fixture)

from alur_compiler.deploy import stack_ops
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.deploy.terraform import TerraformOptions
from alur_compiler.ir import Ingestion, Project
from alur_compiler.ir.jdbc import JdbcPartition, JdbcSource, Network

PLUGIN_DIR = Path("/opt/tf-plugins")
pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform CLI not on PATH"),
    pytest.mark.skipif(not PLUGIN_DIR.is_dir(), reason="no provider mirror at /opt/tf-plugins"),
]
ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-reader-AbCdEf"
OTHER_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:other-XyZ123"
NETWORK = Network("subnet-0123456789abcdef0", ("sg-0123456789abcdef0",), "eu-west-1a")


def _patch_moto_connections() -> None:
    from moto.core.responses import ActionResult
    from moto.glue.models import FakeConnection
    from moto.glue.responses import GlueResponse

    shown = FakeConnection.as_dict

    def as_dict(self: Any, hide_password: bool = False) -> dict[str, Any]:
        out = shown(self, hide_password)
        out["ConnectionType"] = self.connection_input.get("ConnectionType")
        return out

    def delete_connection(self: Any) -> Any:
        self.glue_backend.connections.pop(self._get_param("ConnectionName"), None)
        return ActionResult({})

    FakeConnection.as_dict = as_dict  # type: ignore[method-assign]
    GlueResponse.delete_connection = delete_connection  # type: ignore[attr-defined]


def jdbc_project(root: str, endpoint: str | None) -> Project:
    env = replace(
        sample_environment("dev", endpoint=endpoint),
        network=NETWORK,
        secrets=(("crm_reader", ARN), ("other", OTHER_ARN)),
    )
    base = sample_project(root=root, envs=(env,))  # only its environment and a table shape
    raw = replace(base.table("orders_raw"), name="customers_raw", partition_by=(), checks=())
    source = JdbcSource(
        "postgresql",
        "crm.internal",
        5432,
        "crm",
        "crm_reader",
        table="public.customers",
        incremental_column="order_id",
        partition=JdbcPartition("quantity", 1, 100, 2),
    )
    ingest = Ingestion("ingest_customers", "customers_raw", "crm", (), jdbc=source)
    return replace(base, tables=(raw,), pipelines=(), ingestions=(ingest,))


def test_connection_job_and_secret_access_apply_on_moto(
    moto_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    import boto3

    project = jdbc_project(str(tmp_path), moto_url)
    build = tmp_path / "build"
    _write_build(project, build, {})
    stack = json.loads((build / "terraform" / "dev" / "main.tf.json").read_text())
    policy = stack["resource"]["aws_iam_role_policy"]["ingestion__ingest_customers__role"]
    stmts = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    assert stmts["Secret"]["Resource"] == ARN  # exactly that secret, not `other`
    assert OTHER_ARN not in json.dumps(stack["resource"]["aws_iam_role_policy"])
    assert stmts["NetworkDescribe"]["Resource"] == "*"
    assert all(a.startswith("ec2:Describe") for a in stmts["NetworkDescribe"]["Action"])
    others = stack["resource"]["aws_iam_role_policy"]
    assert list(others) == ["ingestion__ingest_customers__role"]

    options = TerraformOptions(plugin_dir=PLUGIN_DIR, timeout_seconds=240)
    _patch_moto_connections()
    plan = stack_ops.plan(project, "dev", build, options)
    assert "ingestion ingest_customers" in plan.by_entity
    stack_ops.apply(project, "dev", build, options)
    glue = boto3.client("glue", region_name="eu-west-1", endpoint_url=moto_url)
    conn = glue.get_connection(Name="shop-dev-ingest_customers-jdbc")["Connection"]
    assert conn["ConnectionProperties"] == {
        "JDBC_CONNECTION_URL": "jdbc:postgresql://crm.internal:5432/crm",
        "SECRET_ID": ARN,
    }
    assert conn["PhysicalConnectionRequirements"]["SubnetId"] == NETWORK.subnet
    job = glue.get_job(JobName="shop-dev-ingest_customers")["Job"]
    assert job["Connections"]["Connections"] == ["shop-dev-ingest_customers-jdbc"]
    assert job["DefaultArguments"]["--alur_secret_arn"] == ARN
    assert not stack_ops.plan(project, "dev", build, options).has_changes
    stack_ops.plan(project, "dev", build, options, destroy=True)
    stack_ops.apply(project, "dev", build, options, allow_destroy=True)
    assert glue.get_connections()["ConnectionList"] == []
