"""Least-privilege IAM: wildcard counts equal the documented exceptions, grants are scoped."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from alur_compiler.backends.terraform import WILDCARD_EXCEPTIONS, build_stack
from alur_compiler.deploy.sample import sample_project
from alur_compiler.diagnostics import Diagnostics

ROOT = Path(__file__).resolve().parents[2]


def _policies(project: Any = None) -> dict[str, dict[str, Any]]:
    project = project or sample_project()
    doc = build_stack(project, project.environments[0], Diagnostics())
    return {  # the job roles; the chain Lambda's role: tests/unit/test_schedule_terraform.py
        n: json.loads(p["policy"])
        for n, p in doc["resource"]["aws_iam_role_policy"].items()
        if not n.startswith("environment__")
    }


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _wildcards(policies: dict[str, dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    actions = [
        a
        for p in policies.values()
        for s in p["Statement"]
        for a in _as_list(s["Action"])
        if "*" in a
    ]
    star_stmts = [
        _as_list(s["Action"])
        for p in policies.values()
        for s in p["Statement"]
        if s["Resource"] == "*"
    ]
    return actions, star_stmts


def test_wildcards_equal_documented_exceptions() -> None:
    policies = _policies()
    actions, star_stmts = _wildcards(policies)
    assert actions == []
    assert len(star_stmts) == len(policies) == 3  # one documented exception statement per role
    assert all(sorted(acts) == sorted(WILDCARD_EXCEPTIONS) for acts in star_stmts)
    spec = (ROOT / "specs" / "deploy.md").read_text()
    for action in WILDCARD_EXCEPTIONS:
        assert f"`{action}`" in spec  # each exception is documented with its reason


def test_retail_wildcards() -> None:
    from alur_compiler import api

    project, _ = api.load_project(ROOT / "examples" / "retail")
    assert project is not None
    policies = _policies(project)
    actions, star_stmts = _wildcards(policies)
    assert (actions, len(star_stmts), len(policies)) == ([], 8, 8)


def _retail_policies() -> dict[str, dict[str, Any]]:
    from alur_compiler import api

    project, _ = api.load_project(ROOT / "examples" / "retail")
    assert project is not None
    return _policies(project)


def _s3_resources(policy: dict[str, Any], action: str) -> list[str]:
    return [
        res
        for s in policy["Statement"]
        if action in _as_list(s["Action"])
        for res in _as_list(s["Resource"])
        if res.startswith("arn:aws:s3:::")
    ]


def test_retail_pipelines_cannot_write_the_ingestion_quarantine() -> None:
    policies = _retail_policies()
    pipelines = {n: p for n, p in policies.items() if n.startswith("pipeline__")}
    assert len(pipelines) == 5
    for name, policy in pipelines.items():
        writes = _s3_resources(policy, "s3:PutObject") + _s3_resources(policy, "s3:DeleteObject")
        assert writes and not [w for w in writes if "/quarantine/" in w or "/bronze/" in w], name
        allowed = (
            "retail-dev-lake/iceberg/",
            "retail-dev-artifacts/tmp/",
            "retail-dev-artifacts/reports/",
        )
        assert all(any(f":::{a}" in w for a in allowed) for w in writes), (name, writes)
    ingestions = [p for n, p in policies.items() if n.startswith("ingestion__")]
    assert len(ingestions) == 3
    for policy in ingestions:  # the ingestion quarantine stays with the ingestion
        assert any("/quarantine/" in w for w in _s3_resources(policy, "s3:PutObject"))


def test_retail_no_role_reads_quality_suites_and_every_role_reads_the_runtime() -> None:
    policies = _retail_policies()
    assert len(policies) == 8
    for name, policy in policies.items():
        reads = _s3_resources(policy, "s3:GetObject")
        assert not [r for r in reads if "/quality/" in r], name
        assert "arn:aws:s3:::retail-dev-artifacts/runtime/*" in reads, (name, reads)


def _statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in policy["Statement"] if s["Sid"] == sid)


def test_ingestion_reads_only_its_landing_prefix_and_writes_its_table() -> None:
    policy = _policies()["ingestion__ingest_orders__role"]
    assert _statement(policy, "Landing0Objects")["Resource"] == [
        "arn:aws:s3:::shop-dev-landing/orders/*"
    ]
    listing = _statement(policy, "Landing0List")
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["orders/*"]}}
    assert _statement(policy, "LakeWriteObjects")["Resource"] == [
        # the batch staging folder, outside every table location (issue 12 item 7)
        "arn:aws:s3:::shop-dev-lake/_alur_staging/orders_raw/*",
        "arn:aws:s3:::shop-dev-lake/bronze/orders_raw/*",
        "arn:aws:s3:::shop-dev-lake/quarantine/orders_raw/*",
    ]
    assert not any(s["Sid"].startswith("LakeRead") for s in policy["Statement"])
    assert _statement(policy, "Artifacts")["Resource"] == [
        "arn:aws:s3:::shop-dev-artifacts/glue/ingest_orders.py",
        "arn:aws:s3:::shop-dev-artifacts/runtime/*",
    ]


def test_pipeline_catalog_and_lake_scope() -> None:
    policy = _policies()["pipeline__daily_revenue__role"]
    assert _statement(policy, "LakeReadObjects")["Resource"] == [
        "arn:aws:s3:::shop-dev-lake/iceberg/shop_dev_silver.db/orders/*"
    ]
    write = _statement(policy, "CatalogWrite")["Resource"]
    assert write == [
        "arn:aws:glue:eu-west-1:123456789012:catalog",
        "arn:aws:glue:eu-west-1:123456789012:database/shop_dev_gold",
        "arn:aws:glue:eu-west-1:123456789012:table/shop_dev_gold/daily_revenue",
        "arn:aws:glue:eu-west-1:123456789012:table/shop_dev_gold/daily_revenue_quarantine",
    ]
    read = _statement(policy, "CatalogRead")["Resource"]
    assert "arn:aws:glue:eu-west-1:123456789012:table/shop_dev_silver/orders" in read
    assert _statement(policy, "State")["Resource"] == (
        "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-dev-lake-alur-state"
    )
    logs = _statement(policy, "Logs")["Resource"]
    assert (
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/jobs/shop-dev-daily_revenue:*"
        in logs
    )
    for stmt in policy["Statement"]:  # no wildcard in a bucket, database or table name
        for res in _as_list(stmt["Resource"]):
            assert res == "*" or not re.search(r"(:::\*|database/\*|table/[^/]*\*|:table/\*)", res)
