"""`pii: true` columns are tagged in the Glue catalog, the Iceberg table properties the jobs
set, and lineage.json (declared and derived through the SQL)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from alur_compiler import api
from alur_compiler.backends.glue.config import target_config
from alur_compiler.backends.terraform import build_stack
from alur_compiler.diagnostics import Diagnostics

ROOT = Path(__file__).resolve().parents[2]


def _retail() -> Any:
    project, diags = api.load_project(ROOT / "examples" / "retail")
    assert project is not None and not diags.has_errors
    return project


def test_bronze_catalog_columns_carry_the_pii_parameter() -> None:
    project = _retail()
    env = project.environments[0]
    table = build_stack(project, env, Diagnostics())["resource"]["aws_glue_catalog_table"]
    body = table["table__customers_raw"]
    columns = body["storage_descriptor"][0]["columns"]
    tagged = sorted(c["name"] for c in columns if c.get("parameters") == {"alur.pii": "true"})
    assert tagged == ["email", "full_name"]  # examples/retail/contracts/bronze/customers_raw.yaml
    assert body["parameters"]["alur.pii"] == "email,full_name"
    plain = table["table__orders_raw"]
    assert "alur.pii" not in plain["parameters"]
    assert all("parameters" not in c for c in plain["storage_descriptor"][0]["columns"])


def test_jobs_get_the_pii_columns_of_their_target() -> None:
    project = _retail()
    assert target_config(project.table("customers"), project.root)["pii"] == ["email", "full_name"]
    assert target_config(project.table("orders"), project.root)["pii"] == []


def test_lineage_marks_declared_and_derived_pii_columns() -> None:
    project = _retail()
    doc = api.lineage_document(project)
    assert doc["pii"] == {
        "customers": ["email", "full_name"],
        "customers_raw": ["email", "full_name"],
    }
    assert doc["pii_derived"] == {}
    # a gold column computed from customers.email, and one more hop from it
    clv = next(p for p in project.pipelines if p.target == "customer_lifetime_value")
    lineage = (*clv.lineage, ("contact", ("customers.email",)))
    revenue = next(p for p in project.pipelines if p.target == "daily_revenue")
    chained = (*revenue.lineage, ("who", ("customer_lifetime_value.contact", "orders.amount")))
    pipes = tuple(
        replace(p, lineage=lineage)
        if p is clv
        else replace(p, lineage=chained)
        if p is revenue
        else p
        for p in project.pipelines
    )
    doc = api.lineage_document(replace(project, pipelines=pipes))
    assert doc["pii_derived"] == {"customer_lifetime_value": ["contact"], "daily_revenue": ["who"]}
