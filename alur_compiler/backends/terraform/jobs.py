"""Glue jobs (Glue 5.0 + Iceberg), their log groups and their cron triggers."""

from __future__ import annotations

from alur_compiler.backends.terraform import connections
from alur_compiler.backends.terraform.hcl import Address, Expr, ref
from alur_compiler.backends.terraform.model import Body, StackBuilder
from alur_compiler.backends.terraform.naming import (
    Job,
    address_name,
    entity_tags,
    glue_job_name,
    job_kind,
    job_log_group,
    security_configuration_name,
)
from alur_compiler.backends.terraform.storage import runtime_object_address, runtime_uri, script_key
from alur_compiler.ir import GlueConfig, Layer
from alur_compiler.ir import effective_glue as ir_effective_glue
from alur_compiler.ir.layout import ICEBERG_CATALOG, iceberg_warehouse, lake_uri

ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
LOG_RETENTION_DAYS = 30
MODULES_ARG = "--additional-python-modules"
CATALOG = f"spark.sql.catalog.{ICEBERG_CATALOG}"


def effective_glue(sb: StackBuilder, job: Job) -> GlueConfig:
    """Project defaults < environment < what the job's YAML sets (ir.effective_glue)."""
    return ir_effective_glue(sb.env, job)


def catalog_settings(lake_bucket: str) -> list[tuple[str, str]]:
    """alurc's own Spark settings: the Iceberg catalog `glue_catalog` (reserved keys)."""
    return [
        ("spark.sql.extensions", ICEBERG_EXTENSIONS),
        (CATALOG, "org.apache.iceberg.spark.SparkCatalog"),
        (f"{CATALOG}.catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog"),
        (f"{CATALOG}.io-impl", "org.apache.iceberg.aws.s3.S3FileIO"),
        (f"{CATALOG}.warehouse", iceberg_warehouse(lake_bucket)),
    ]


def spark_conf(lake_bucket: str, extra: tuple[tuple[str, str], ...] = ()) -> str:
    """The `--conf` value: Glue accepts several settings chained with ` --conf `; the
    user's `glue.spark_conf` follows alurc's, never replacing a catalog key (AL315)."""
    own = catalog_settings(lake_bucket)
    reserved = {k for k, _ in own}
    user = [(k, v) for k, v in extra if k not in reserved and not k.startswith(CATALOG + ".")]
    return " --conf ".join(f"{k}={v}" for k, v in own + user)


def job_arguments(sb: StackBuilder, job: Job, glue: GlueConfig) -> dict[str, str]:
    """alurc's arguments win over `glue.arguments` (semantic/glue_arguments.py reports
    the clash, AL315); `--additional-python-modules` is merged, the runtime wheel first."""
    env, project = sb.env, sb.project
    user = dict(glue.extra_arguments)  # the schema requires the leading --
    user = {k: v for k, v in user.items() if not k.lower().startswith("--alur_")}
    args = user | {
        "--datalake-formats": "iceberg",
        "--enable-glue-datacatalog": "true",
        "--conf": spark_conf(env.lake_bucket, glue.spark_conf),
        "--enable-metrics": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--continuous-log-logGroup": job_log_group(project, env, job.name),
        "--TempDir": f"s3://{env.artifacts_bucket}/tmp/{job.name}/",
        "--job-language": "python",
        "--alur_mode": "glue",
        "--alur_env": env.name,
        "--alur_project": project.name,
        "--alur_lake": lake_uri(env.lake_bucket),
        "--alur_landing": f"s3://{env.landing_bucket}",
        "--alur_state": env.state_table,
        "--alur_reports": f"s3://{env.artifacts_bucket}/reports/{job.name}",
        **connections.job_arguments(sb, job),
    }
    for layer in Layer:
        args[f"--alur_db_{layer}"] = env.database(project.name, layer)
    # the runtime wheel, as AWS documents for Python wheels on Glue 5.0; a user's own
    # modules in the same argument are kept after it
    own = user.get(MODULES_ARG, "").strip(", ")
    args[MODULES_ARG] = runtime_uri(sb) + (f",{own}" if own else "")
    return dict(sorted(args.items()))


def add_security_configuration(sb: StackBuilder) -> Expr | None:
    """With `kms:`: one Glue security configuration per environment, attached to every
    job: S3 writes SSE-KMS, CloudWatch logs and job bookmarks encrypted with the key.
    Without a key there is none (it could only repeat the buckets' SSE-S3 default)."""
    key = sb.kms_key_arn
    if key is None or not sb.project.jobs:
        return None
    address = sb.add(
        "aws_glue_security_configuration",
        address_name("environment", sb.env.name, "security"),
        {
            "name": security_configuration_name(sb.project, sb.env),
            "encryption_configuration": [
                {
                    "cloudwatch_encryption": [
                        {"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": key}
                    ],
                    "job_bookmarks_encryption": [
                        {"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": key}
                    ],
                    "s3_encryption": [{"s3_encryption_mode": "SSE-KMS", "kms_key_arn": key}],
                }
            ],
        },
    )
    return ref(f"{address}.name")


def add_jobs(sb: StackBuilder) -> None:
    security = add_security_configuration(sb)
    kms_key = sb.kms_key_arn
    for job in sb.project.jobs:
        kind, glue = job_kind(job), effective_glue(sb, job)
        tags = entity_tags(kind, job.name)
        log_group: Body = {
            "name": job_log_group(sb.project, sb.env, job.name),
            "retention_in_days": LOG_RETENTION_DAYS,
            "tags": tags,
        }
        if kms_key is not None:
            log_group["kms_key_id"] = kms_key
        sb.add("aws_cloudwatch_log_group", address_name(kind, job.name, "logs"), log_group)
        bucket = sb.env.artifacts_bucket
        body: Body = {
            "name": glue_job_name(sb.project, sb.env, job.name),
            "description": job.description,
            "role_arn": ref("aws_iam_role." + address_name(kind, job.name, "role") + ".arn"),
            "glue_version": "5.0",
            "worker_type": glue.worker_type,
            "number_of_workers": glue.workers,
            "timeout": glue.timeout_minutes,
            "max_retries": glue.max_retries,
            "execution_class": glue.execution_class,
            "execution_property": [{"max_concurrent_runs": glue.max_concurrent_runs}],
            "command": [
                {
                    "name": "glueetl",
                    "script_location": f"s3://{bucket}/{script_key(job.name)}",
                    "python_version": "3",
                }
            ],
            "default_arguments": job_arguments(sb, job, glue),
            "tags": tags,
            "depends_on": [
                Address("aws_s3_object." + address_name(kind, job.name, "script")),
                Address(runtime_object_address(sb)),
            ],
        }
        if security is not None:
            body["security_configuration"] = security
        body.update(connections.job_settings(sb, job))
        sb.add("aws_glue_job", address_name(kind, job.name), body)


def _job_ref(sb: StackBuilder, name: str) -> Expr:
    return ref("aws_glue_job." + address_name(job_kind(sb.project.job(name)), name) + ".name")


def add_triggers(sb: StackBuilder) -> None:
    """cron -> a SCHEDULED Glue trigger (`enabled: false` deploys it switched off).

    `after:` has no Glue trigger: a CONDITIONAL trigger fires only when its predecessors
    succeed in one workflow run, so predecessors on different schedules would never start
    it, and a workflow caps at 100 jobs and triggers. chains.py starts those jobs instead
    (EventBridge + the chain Lambda, specs/schedule.md)."""
    for job in sb.project.jobs:
        if job.schedule is None or not job.schedule.cron:
            continue
        kind = job_kind(job)
        body: Body = {
            "name": f"{glue_job_name(sb.project, sb.env, job.name)}-cron",
            "type": "SCHEDULED",
            "schedule": job.schedule.aws_expression,
            "enabled": job.schedule.enabled,
            "tags": entity_tags(kind, job.name),
            "actions": [{"job_name": _job_ref(sb, job.name)}],
        }
        sb.add("aws_glue_trigger", address_name(kind, job.name, "cron"), body)
