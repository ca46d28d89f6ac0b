"""`alurc plan`'s data classification against moto's S3 and Glue (HTTP server).

The previous build's shapes are the object `terraform/contracts.json` of the artifacts
bucket (the stack uploads it); without it, the live Glue catalog. Each class is rendered as
`alurc plan` prints it, and `apply`'s refusal says what to run. Expected lines by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from moto_server import moto_server

from alur_compiler.deploy.data_changes import data_plan, fails_gate, refuse_breaking, render_data
from alur_compiler.deploy.errors import DeployError
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.ir import Column, Project
from alur_compiler.ir.shapes import CONTRACTS_FILE, contracts_json


@pytest.fixture(scope="module")
def moto_url(moto_reset: Callable[[str], None]) -> Iterator[str]:
    with moto_server(moto_reset) as url:
        yield url


def shop(url: str) -> Project:
    return sample_project(envs=(sample_environment("dev", endpoint=url),))


def edit_orders(proj: Project, **kw: object) -> Project:
    tables = tuple(replace(t, **kw) if t.name == "orders" else t for t in proj.tables)  # type: ignore[arg-type]
    return replace(proj, tables=tables)


def deployed(url: str, before: Project) -> None:
    """What `alurc apply` of `before` leaves in the artifacts bucket."""
    import boto3

    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=url)
    bucket = before.environments[0].artifacts_bucket
    if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
    s3.put_object(Bucket=bucket, Key=CONTRACTS_FILE, Body=contracts_json(before))


def plan_lines(url: str, after: Project) -> list[str]:
    return render_data(data_plan(after, after.environments[0]))


SOURCE = "  data (compared with s3://shop-dev-artifacts/terraform/contracts.json):"


def columns(proj: Project) -> tuple[Column, ...]:
    return proj.table("orders").columns


def test_each_class_rendered_against_the_previous_build(moto_url: str) -> None:
    before = shop(moto_url)
    deployed(moto_url, before)
    assert plan_lines(moto_url, before) == [
        "  data: no contract changes (compared with s3://shop-dev-artifacts/terraform/contracts.json)"
    ]
    cols = columns(before)
    names = [c.name for c in cols]
    assert "tags" in names and "amount" in names, names  # the sample's silver orders

    added = edit_orders(before, columns=(*cols, Column("channel", "string")))
    assert plan_lines(moto_url, added) == [
        SOURCE,
        "    table orders",
        "      additive  new column channel string: ALTER TABLE ADD COLUMN; old rows read NULL",
    ]

    typed = {c.name: c.type for c in cols}
    assert typed["amount"] == "decimal(10,2)", typed
    widened = edit_orders(
        before,
        columns=tuple(replace(c, type="decimal(12,2)") if c.name == "amount" else c for c in cols),
    )
    assert plan_lines(moto_url, widened)[2:] == [
        "      widening  column amount decimal(10,2) -> decimal(12,2): "
        "ALTER TABLE ALTER COLUMN TYPE (in place)"
    ]

    described = edit_orders(before, description="Orders, cleaned.")
    assert plan_lines(moto_url, described)[2:] == ["      metadata  description changed: none"]

    pipes = tuple(
        replace(p, sql=p.sql + " WHERE 1 = 1") if p.name == "clean_orders" else p
        for p in before.pipelines
    )
    logic = replace(before, pipelines=pipes)
    assert plan_lines(moto_url, logic)[1:] == [
        "    pipeline clean_orders",
        "      logic     SQL or write settings changed: new runs compute the new way; rows "
        "already written stay as they are until a full refresh of orders, daily_revenue",
    ]

    dropped = edit_orders(before, columns=tuple(c for c in cols if c.name != "tags"))
    plan = data_plan(dropped, dropped.environments[0])
    assert render_data(plan)[2:] == [
        "      breaking  column tags dropped: the job refuses to drop it: backfill needed: "
        "full refresh of orders, then daily_revenue"
    ]
    assert (fails_gate(plan, "breaking"), fails_gate(plan, "additive")) == (True, True)
    assert fails_gate(data_plan(added, added.environments[0]), "breaking") is False
    with pytest.raises(DeployError) as refused:
        refuse_breaking(plan, "dev")
    assert refused.value.message == (
        "the plan has breaking data changes: table orders: column tags dropped"
    )
    assert refused.value.hint == (
        "re-run apply with --allow-breaking, then refresh fully orders, daily_revenue (each "
        "writer's job with --alur_full_refresh true, upstream first; locally: alurc run "
        "--local --full-refresh -s <pipeline>+)"
    )


def test_without_a_stored_build_the_glue_catalog_is_compared(moto_url: str) -> None:
    import boto3

    proj = replace(shop(moto_url), name="legacy")  # another bucket key space: no object
    env = replace(proj.environments[0], artifacts_bucket="legacy-dev-artifacts")
    proj = replace(proj, environments=(env,))
    glue = boto3.client("glue", region_name="eu-west-1", endpoint_url=moto_url)
    glue.create_database(DatabaseInput={"Name": "legacy_dev_silver"})
    cols = [{"Name": c.name, "Type": c.type} for c in columns(proj) if c.name != "attrs"]
    glue.create_table(
        DatabaseName="legacy_dev_silver",
        TableInput={"Name": "orders", "StorageDescriptor": {"Columns": cols}},
    )
    lines = render_data(data_plan(proj, env))
    at = lines.index("    table orders")
    assert lines[0] == "  data (compared with the Glue catalog):"
    assert lines[at + 1 : at + 2] == [
        "      additive  new column attrs map<string,double>: ALTER TABLE ADD COLUMN; old rows "
        "read NULL"
    ]  # names and types only: no nullability, partitioning or checks from the catalog
    assert lines[at + 2].startswith("    table ")
    assert "    table daily_revenue" in lines
    assert "      new       new table: created by its first run" in lines
