"""User strings are inert in Terraform: `terraform plan` against moto (test_deploy_moto's
server and helpers) of a project whose free text carries template syntax plans exactly
the YAML strings, byte for byte (`terraform show -json` of the saved plan)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_deploy_moto import PLUGIN_DIR, _write_build, moto_url

from alur_compiler.deploy import stack_ops
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.deploy.terraform import TerraformOptions
from alur_compiler.ir import FileSource

__all__ = ["moto_url"]  # the fixture, shared with test_deploy_moto
pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform CLI not on PATH"),
    pytest.mark.skipif(not PLUGIN_DIR.is_dir(), reason="no provider mirror at /opt/tf-plugins"),
]
TEXT = '${file("/etc/hostname")} %{ if true }x%{ endif } $${x} $'
POLICY_VARIABLE = "orders/${aws:username}/"


def _hostile_project(root: Path, moto: str) -> Any:
    env = sample_environment("dev", endpoint=moto)
    env = replace(
        env,
        tags=(("note", TEXT), ("k${x}", "v%{y}")),
        glue=replace(
            env.glue,
            extra_arguments=(("--user-note", TEXT),),
            spark_conf=(("spark.alur.note", TEXT),),
        ),
    )
    project = sample_project(root=str(root), envs=(env,))
    tables = tuple(
        replace(
            t,
            description=TEXT,
            columns=(replace(t.columns[0], description=TEXT), *t.columns[1:]),
        )
        for t in project.tables
    )
    ingest = project.ingestions[0]
    sources = (FileSource(POLICY_VARIABLE, "csv", "*.csv"),)
    pipelines = tuple(replace(p, description=TEXT) for p in project.pipelines)
    return replace(
        project,
        tables=tables,
        pipelines=pipelines,
        ingestions=(replace(ingest, description=TEXT, sources=sources),),
    )


def test_planned_values_are_the_yaml_strings(moto_url: str, tmp_path: Path) -> None:
    project = _hostile_project(tmp_path, moto_url)
    build = tmp_path / "build"
    _write_build(project, build, {})
    tf = stack_ops.runner(project, "dev", build, TerraformOptions(plugin_dir=PLUGIN_DIR))
    tf.init()
    tf.plan()
    plan = tf.show_plan()
    values = {r["address"]: r["values"] for r in plan["planned_values"]["root_module"]["resources"]}

    job = values["aws_glue_job.pipeline__daily_revenue"]
    assert job["description"] == TEXT
    assert job["default_arguments"]["--user-note"] == TEXT
    assert job["default_arguments"]["--conf"].endswith(" --conf spark.alur.note=" + TEXT)
    assert job["tags_all"]["note"] == TEXT and job["tags_all"]["k${x}"] == "v%{y}"
    assert values["aws_glue_job.ingestion__ingest_orders"]["description"] == TEXT

    table = values["aws_glue_catalog_table.table__orders_raw"]
    assert table["description"] == TEXT
    assert table["storage_descriptor"][0]["columns"][0]["comment"] == TEXT

    policy = json.loads(values["aws_iam_role_policy.ingestion__ingest_orders__role"]["policy"])
    landing = [s for s in policy["Statement"] if s["Sid"] == "Landing0Objects"]
    assert landing[0]["Resource"] == [f"arn:aws:s3:::shop-dev-landing/{POLICY_VARIABLE}*"]
