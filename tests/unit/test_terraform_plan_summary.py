"""Plan summaries grouped by YAML entity; destructive changes flagged."""

from __future__ import annotations

from typing import Any

from alur_compiler.deploy.plan_summary import entity_of, render_text, summarise


def _rc(
    address: str, actions: list[str], before: Any = None, after: Any = None, unknown: Any = None
) -> dict[str, Any]:
    rtype = address.split(".")[0]
    change = {"actions": actions, "before": before, "after": after, "after_unknown": unknown or {}}
    return {"address": address, "mode": "managed", "type": rtype, "change": change}


PLAN = {
    "resource_changes": [
        _rc(
            "aws_glue_job.pipeline__daily_revenue",
            ["update"],
            {"number_of_workers": 3, "name": "x", "tags_all": {"a": "1"}},
            {"number_of_workers": 5, "name": "x", "tags_all": {"a": "2"}},
        ),
        _rc(
            "aws_s3_object.pipeline__daily_revenue__script",
            ["update"],
            {"source_hash": "a", "version_id": "v1"},
            {"source_hash": "b"},
            {"version_id": True},
        ),
        _rc("aws_glue_catalog_table.table__orders_raw", ["delete", "create"]),
        _rc("aws_s3_bucket.environment__dev__lake", ["delete"]),
        _rc("aws_iam_role.ingestion__ingest_orders__role", ["create"]),
        _rc("aws_glue_job.pipeline__clean_orders", ["no-op"]),
        _rc(
            "aws_s3_object.something_else",
            ["create"],
            None,
            {"tags": {"alur-entity": "table:orders"}},
        ),
        {
            "address": "data.aws_caller_identity.current",
            "mode": "data",
            "type": "x",
            "change": {"actions": ["read"]},
        },
    ]
}


def test_grouping_actions_and_attributes() -> None:
    s = summarise(PLAN, "dev")
    assert s.to_json() == {
        "environment": "dev",
        "counts": {"create": 2, "update": 2, "replace": 1, "delete": 1},
        "destructive": [
            "aws_glue_catalog_table.table__orders_raw",
            "aws_s3_bucket.environment__dev__lake",
        ],
        "entities": {
            "environment": [
                {
                    "address": "aws_s3_bucket.environment__dev__lake",
                    "action": "delete",
                    "attributes": [],
                }
            ],
            "ingestion ingest_orders": [
                {
                    "address": "aws_iam_role.ingestion__ingest_orders__role",
                    "action": "create",
                    "attributes": [],
                }
            ],
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
            ],
            "table orders": [
                {"address": "aws_s3_object.something_else", "action": "create", "attributes": []}
            ],
            "table orders_raw": [
                {
                    "address": "aws_glue_catalog_table.table__orders_raw",
                    "action": "replace",
                    "attributes": [],
                }
            ],
        },
    }


def test_text_highlights_data_loss() -> None:
    lines = render_text(summarise(PLAN, "dev"))
    assert lines[0] == "dev: 2 to create, 2 to update, 1 to replace, 1 to delete"
    assert (
        "    -/+ replace aws_glue_catalog_table.table__orders_raw  !! DATA LOSS POSSIBLE" in lines
    )
    assert "      ~ update  aws_glue_job.pipeline__daily_revenue (number_of_workers)" in lines
    assert lines[-1].startswith("  2 destructive changes:")
    assert render_text(summarise({"resource_changes": []}, "prod")) == [
        "prod: no changes; the infrastructure matches the build."
    ]


def test_entity_of_fallbacks() -> None:
    assert entity_of("module.x.aws_glue_job.pipeline__a__b", None) == "pipeline a"
    assert entity_of("aws_s3_bucket.random", {"alur-entity": "ingestion:i"}) == "ingestion i"
    assert entity_of("aws_s3_bucket.random", None) == "other"
