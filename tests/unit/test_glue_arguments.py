"""Reserved Glue job arguments and Spark settings (AL315) and `glue.spark_conf`."""

from __future__ import annotations

from dataclasses import replace

from alur_compiler.backends.terraform import build_stack
from alur_compiler.backends.terraform.jobs import MODULES_ARG, catalog_settings
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import GlueConfig, effective_glue
from alur_compiler.ir.build_common import glue_overrides
from alur_compiler.semantic.glue_arguments import (
    MERGED_ARGUMENTS,
    reserved_argument,
    reserved_spark_key,
)


def _args(glue: GlueConfig, job_overrides: tuple[tuple[str, object], ...] = ()) -> dict[str, str]:
    env = replace(sample_environment("dev"), glue=glue)
    project = sample_project(envs=(env,))
    if job_overrides:
        revenue = replace(project.pipelines[1], glue_overrides=job_overrides)
        project = replace(project, pipelines=(project.pipelines[0], revenue))
    doc = build_stack(project, env, Diagnostics())
    args: dict[str, str] = doc["resource"]["aws_glue_job"]["pipeline__daily_revenue"][
        "default_arguments"
    ]
    return args


def test_every_argument_alurc_sets_is_reserved_but_the_merged_one() -> None:
    written = set(_args(GlueConfig()))
    assert MODULES_ARG in written and MERGED_ARGUMENTS == (MODULES_ARG,)
    assert {a for a in written if reserved_argument(a) is None} == {MODULES_ARG}
    assert all(reserved_spark_key(k) for k, _ in catalog_settings("b"))
    assert not reserved_spark_key("spark.sql.catalog.glue_catalogue")
    assert reserved_argument("--enable-job-insights") is None


def test_alurc_arguments_win_and_modules_merge() -> None:
    glue = GlueConfig(
        extra_arguments=(
            ("--alur_lake", "s3://elsewhere"),
            ("--alur_other", "x"),
            ("--conf", "spark.x=1"),
            ("--enable-job-insights", "true"),
            (MODULES_ARG, "s3://b/pkg-1.0-py3-none-any.whl"),
        )
    )
    args = _args(glue)
    assert args["--alur_lake"] == "s3://shop-dev-lake" and "--alur_other" not in args
    assert args["--conf"].startswith("spark.sql.extensions=") and "spark.x" not in args["--conf"]
    assert args["--enable-job-insights"] == "true"
    wheel, user = args[MODULES_ARG].split(",")
    assert "alur_runtime-" in wheel and user == "s3://b/pkg-1.0-py3-none-any.whl"


def test_spark_conf_follows_alurc_settings_and_merges_key_by_key() -> None:
    env_glue = GlueConfig(
        spark_conf=(
            ("spark.sql.adaptive.enabled", "true"),
            ("spark.sql.catalog.glue_catalog.warehouse", "s3://elsewhere/"),  # never applied
            ("spark.sql.shuffle.partitions", "8"),
        )
    )
    job = glue_overrides({"spark_conf": {"spark.sql.shuffle.partitions": 64}, "workers": 3})
    assert job == (
        ("spark_conf", (("spark.sql.shuffle.partitions", "64"),)),
        ("workers", 3),
    )
    conf = _args(env_glue, job)["--conf"].split(" --conf ")
    assert conf[:5] == [f"{k}={v}" for k, v in catalog_settings("shop-dev-lake")]
    assert conf[5:] == ["spark.sql.adaptive.enabled=true", "spark.sql.shuffle.partitions=64"]
    env = replace(sample_environment("dev"), glue=env_glue)
    merged = effective_glue(env, replace(sample_project().pipelines[1], glue_overrides=job))
    assert dict(merged.spark_conf)["spark.sql.adaptive.enabled"] == "true"
