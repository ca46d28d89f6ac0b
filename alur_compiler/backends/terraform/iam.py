"""One least-privilege IAM role per job.

Each role grants exactly what its job kind touches (see alur_runtime/):

- ingestion: its sources' landing prefixes (read); `bronze/<table>/`, the ingestion
  quarantine `quarantine/<table>/` (rows, checks, files) and the batch staging folder
  `_alur_staging/<table>/` in the lake (write);
- pipeline: its target's Iceberg prefix and that of `<target>_quarantine`, where rows of
  quarantine checks go (write), and the Glue catalog table of both;
- both: the lake prefixes and catalog tables of the tables it reads (SQL sources,
  relationship checks), its own script and the runtime wheel (`runtime/*`, loaded by
  `--additional-python-modules`) in the artifacts bucket (read), its TempDir and reports
  prefixes (write), the environment's state table and its own log groups.

No role reads a GX suite (`quality/*.json`): the jobs evaluate checks natively, the suites
are for GX users. Actions never contain `*`; the only `"Resource": "*"` statements are the
ones in WILDCARD_EXCEPTIONS (documented in specs/deploy.md).
"""

from __future__ import annotations

from typing import Any

from alur_compiler.backends.terraform import connections
from alur_compiler.backends.terraform.hcl import Template, json_document, ref
from alur_compiler.backends.terraform.model import StackBuilder
from alur_compiler.backends.terraform.naming import (
    Job,
    address_name,
    entity_tags,
    glue_job_name,
    job_kind,
    job_log_group,
    s3_arn,
    security_configuration_name,
    split_s3,
)
from alur_compiler.backends.terraform.storage import script_key
from alur_compiler.ir import Ingestion, Layer, Pipeline, runtime
from alur_compiler.ir.layout import (
    bronze_prefix,
    iceberg_prefix,
    quarantine_prefix,
    quarantine_table,
    staging_prefix,
)

#: Actions AWS authorises only on `"Resource": "*"` (no resource-level permissions).
WILDCARD_EXCEPTIONS: dict[str, str] = {
    "cloudwatch:PutMetricData": "CloudWatch metrics have no ARN; scoped by a namespace condition",
}

#: Where the runtime wheel lives in the artifacts bucket; every job role may read it.
RUNTIME_PREFIX = f"{runtime.FOLDER}/"
S3_READ = ["s3:GetObject"]
S3_WRITE = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
GLUE_READ = [
    "glue:GetDatabase",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:GetTable",
    "glue:GetTables",
]
GLUE_WRITE = [
    "glue:BatchCreatePartition",
    "glue:BatchGetPartition",
    "glue:CreatePartition",
    "glue:CreateTable",
    "glue:UpdatePartition",
    "glue:UpdateTable",
]
STATE_ACTIONS = [
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
]
LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]
KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"]
#: Glue creates and encrypts these groups itself when a security configuration with
#: CloudWatch encryption is attached (the encrypted log groups of the job's runs).
ENCRYPTED_LOG_ACTIONS = [
    "logs:AssociateKmsKey",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
]


def assume_role_policy(sb: StackBuilder) -> dict[str, Any]:
    """Glue may assume the role only on behalf of the environment's account (confused
    deputy: `aws:SourceAccount`)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "glue.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceAccount": sb.account}},
            }
        ],
    }


def lake_prefixes(sb: StackBuilder, table: str) -> list[str]:
    """Object prefixes (in the lake bucket) holding a table's data."""
    t = sb.project.table(table)
    if t.layer is Layer.BRONZE:
        return [bronze_prefix(table)]
    return [iceberg_prefix(sb.env.database(sb.project.name, t.layer), table)]


def _tables_read(sb: StackBuilder, job: Job) -> list[str]:
    read: set[str] = set()
    if isinstance(job, Pipeline):
        read.update(job.upstream_tables)
    for check in sb.project.effective_checks(job.target):
        if check.ref_table:
            read.add(check.ref_table)
    read.discard(job.target)
    return sorted(read)


def _catalog_arns(sb: StackBuilder, tables: list[str]) -> list[Template]:
    arns = {sb.arn("glue", "catalog")}
    for table in tables:
        db = sb.env.database(sb.project.name, sb.project.table(table).layer)
        arns.add(sb.arn("glue", f"database/{db}"))
        arns.add(sb.arn("glue", f"table/{db}/{table}"))
    return sorted(arns)


def _s3_statements(
    sid: str, bucket: str, prefixes: list[str], actions: list[str]
) -> list[dict[str, Any]]:
    if not prefixes:
        return []
    return [
        {
            "Sid": f"{sid}Objects",
            "Effect": "Allow",
            "Action": actions,
            "Resource": sorted(s3_arn(bucket, f"{p}*") for p in prefixes),
        },
        {
            "Sid": f"{sid}List",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": s3_arn(bucket),
            "Condition": {"StringLike": {"s3:prefix": sorted(f"{p}*" for p in prefixes)}},
        },
    ]


def job_policy(sb: StackBuilder, job: Job) -> dict[str, Any]:
    env, target = sb.env, sb.project.table(job.target)
    read = _tables_read(sb, job)
    write_prefixes = lake_prefixes(sb, job.target)
    if isinstance(job, Ingestion):  # rows, check failures and bad files of a batch
        write_prefixes += [quarantine_prefix(job.target), staging_prefix(job.target)]
    elif target.layer is not Layer.BRONZE:  # the `<target>_quarantine` Iceberg table
        db = env.database(sb.project.name, target.layer)
        write_prefixes.append(iceberg_prefix(db, quarantine_table(job.target)))
    stmts = [
        *_s3_statements("LakeWrite", env.lake_bucket, write_prefixes, S3_WRITE),
        *_s3_statements(
            "LakeRead", env.lake_bucket, [p for t in read for p in lake_prefixes(sb, t)], S3_READ
        ),
        *_landing_statements(sb, job),
        *_artifact_statements(sb, job),
        {
            "Sid": "CatalogRead",
            "Effect": "Allow",
            "Action": GLUE_READ,
            "Resource": _catalog_arns(sb, [*read, job.target]),
        },
        {
            "Sid": "CatalogWrite",
            "Effect": "Allow",
            "Action": GLUE_WRITE,
            "Resource": _catalog_arns(sb, [job.target]) + _quarantine_table_arns(sb, job),
        },
        {
            "Sid": "State",
            "Effect": "Allow",
            "Action": STATE_ACTIONS,
            "Resource": sb.arn("dynamodb", f"table/{env.state_table}"),
        },
        {"Sid": "Logs", "Effect": "Allow", "Action": LOG_ACTIONS, "Resource": _log_arns(sb, job)},
        *_kms_statements(sb, job),
        *connections.policy_statements(sb, job),
        {
            "Sid": "Metrics",
            "Effect": "Allow",
            "Action": sorted(WILDCARD_EXCEPTIONS),
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": "Glue"}},
        },
    ]
    return {"Version": "2012-10-17", "Statement": stmts}


def _quarantine_table_arns(sb: StackBuilder, job: Job) -> list[Template]:
    target = sb.project.table(job.target)
    if target.layer is Layer.BRONZE:
        return []
    db = sb.env.database(sb.project.name, target.layer)
    return [sb.arn("glue", f"table/{db}/{quarantine_table(job.target)}")]


def _landing_statements(sb: StackBuilder, job: Job) -> list[dict[str, Any]]:
    if not isinstance(job, Ingestion):
        return []
    by_bucket: dict[str, list[str]] = {}
    for src in job.sources:
        bucket, prefix = split_s3(src.path, sb.env.landing_bucket)
        by_bucket.setdefault(bucket, []).append(prefix)
    out: list[dict[str, Any]] = []
    for i, bucket in enumerate(sorted(by_bucket)):
        out += _s3_statements(f"Landing{i}", bucket, sorted(set(by_bucket[bucket])), S3_READ)
    return out


def _artifact_statements(sb: StackBuilder, job: Job) -> list[dict[str, Any]]:
    bucket = sb.env.artifacts_bucket
    keys = [script_key(job.name), RUNTIME_PREFIX + "*"]
    scratch = [f"tmp/{job.name}/", f"reports/{job.name}/"]
    return [
        {
            "Sid": "Artifacts",
            "Effect": "Allow",
            "Action": S3_READ,
            "Resource": sorted(s3_arn(bucket, k) for k in keys),
        },
        *_s3_statements("Scratch", bucket, scratch, S3_WRITE),
    ]


def _log_arns(sb: StackBuilder, job: Job) -> list[Template]:
    groups = [
        job_log_group(sb.project, sb.env, job.name),
        "/aws-glue/jobs/output",
        "/aws-glue/jobs/error",
    ]
    return sorted(sb.arn("logs", f"log-group:{g}:*") for g in groups)


def _kms_statements(sb: StackBuilder, job: Job) -> list[dict[str, Any]]:
    """With `kms:`: the environment's key only (S3 SSE-KMS objects, the security
    configuration), and the log groups Glue encrypts with it."""
    key = sb.kms_key_arn
    if key is None:
        return []
    role = glue_job_name(sb.project, sb.env, job.name)
    conf = security_configuration_name(sb.project, sb.env)
    groups = [
        f"/aws-glue/jobs-{role}-{conf}/*",  # Glue's encrypted output/error groups
        f"{job_log_group(sb.project, sb.env, job.name)}-{conf}",  # continuous logs
    ]
    return [
        {"Sid": "Kms", "Effect": "Allow", "Action": KMS_ACTIONS, "Resource": key},
        {
            "Sid": "LogsEncrypted",
            "Effect": "Allow",
            "Action": ENCRYPTED_LOG_ACTIONS,
            "Resource": sorted(
                r
                for g in groups
                for r in (sb.arn("logs", f"log-group:{g}"), sb.arn("logs", f"log-group:{g}:*"))
            ),
        },
    ]


def add_roles(sb: StackBuilder) -> None:
    assume = json_document(assume_role_policy(sb))  # the same for every job: encoded once
    for job in sb.project.jobs:
        kind = job_kind(job)
        role = address_name(kind, job.name, "role")
        sb.add(
            "aws_iam_role",
            role,
            {
                "name": glue_job_name(sb.project, sb.env, job.name),
                "description": f"Glue job {job.name} ({sb.env.name}), least privilege",
                "assume_role_policy": assume,
                "tags": entity_tags(kind, job.name),
            },
        )
        sb.add(
            "aws_iam_role_policy",
            role,
            {
                "name": "least-privilege",
                "role": ref("aws_iam_role." + role + ".id"),
                "policy": json_document(job_policy(sb, job)),
            },
        )
