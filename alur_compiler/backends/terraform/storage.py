"""S3 buckets (+ TLS-only, SSE-enforcing policies), the optional KMS key, the uploaded
scripts and suites, and the DynamoDB state table."""

from __future__ import annotations

from typing import Any

from alur_compiler.backends.terraform.hcl import (
    Address,
    Expr,
    Template,
    call,
    json_document,
    ref,
    template,
)
from alur_compiler.backends.terraform.model import Body, StackBuilder
from alur_compiler.backends.terraform.naming import address_name, entity_tags, job_kind, s3_arn
from alur_compiler.ir.runtime import wheel_path
from alur_compiler.ir.shapes import CONTRACTS_FILE

#: How the generated files are reached from `build/terraform/<env>/`.
BUILD_ROOT = template(ref("path.module"), "/../..")


#: Days after which an unfinished multipart upload is aborted (its parts cost storage).
ABORT_MULTIPART_DAYS = 7
KMS_DELETION_WINDOW_DAYS = 30
#: What CloudWatch Logs may do with a created key, for the job log groups only.
LOGS_KMS_ACTIONS = [
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
]


def kms_alias_name(sb: StackBuilder) -> str:
    return f"alias/{sb.project.name}-{sb.env.name}"


def add_kms_key(sb: StackBuilder) -> None:
    """`kms: {create: true}`: a rotated customer-managed key and its alias. Its policy lets
    the account's IAM policies grant it (the job roles get Decrypt/GenerateDataKey on it
    only, iam.py) and CloudWatch Logs use it for `/aws-glue/jobs*` log groups."""
    if not sb.env.kms_create:
        return
    env = sb.env
    name = address_name("environment", env.name, "kms")
    logs_arn = template(f"arn:aws:logs:{env.region}:", sb.account, ":log-group:/aws-glue/jobs*")
    policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Account",
                "Effect": "Allow",
                "Principal": {"AWS": template("arn:aws:iam::", sb.account, ":root")},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogs",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{env.region}.amazonaws.com"},
                "Action": LOGS_KMS_ACTIONS,
                "Resource": "*",
                "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": logs_arn}},
            },
        ],
    }
    address = sb.add(
        "aws_kms_key",
        name,
        sb.protect(
            {
                "description": f"alurc {sb.project.name}/{env.name}: lake, artifacts, logs, state",
                "enable_key_rotation": True,
                "deletion_window_in_days": KMS_DELETION_WINDOW_DAYS,
                "policy": json_document(policy),
                "tags": entity_tags("environment", env.name),
            }
        ),
    )
    sb.add(
        "aws_kms_alias",
        name,
        {"name": kms_alias_name(sb), "target_key_id": ref(f"{address}.key_id")},
    )


def emulated_s3(sb: StackBuilder) -> bool:
    """S3 is a local emulator (`endpoints.s3`): the bucket policies are left out there.
    Emulators answer plain HTTP, which the TLS-only statement denies, and moto 5.2 applies
    a Deny statement of a bucket policy without evaluating its condition (measured: a Deny
    on a never-true `aws:username` condition still refused every PutObject)."""
    return any(service == "s3" for service, _ in sb.env.endpoints)


def bucket_policy(bucket: str, kms_key: Expr | None) -> dict[str, Any]:
    """Deny every request without TLS, and uploads asking for another encryption (or
    another KMS key) than the bucket's default; uploads without the header get the
    default encryption, so the jobs and Terraform need not send it."""
    objects = s3_arn(bucket, "*")
    statements: list[dict[str, Any]] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [s3_arn(bucket), objects],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOtherEncryption",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": objects,
            "Condition": {
                "StringNotEqualsIfExists": {
                    "s3:x-amz-server-side-encryption": "aws:kms" if kms_key else "AES256"
                }
            },
        },
    ]
    if kms_key is not None:
        statements.append(
            {
                "Sid": "DenyOtherKmsKey",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {
                    "StringNotEqualsIfExists": {
                        "s3:x-amz-server-side-encryption-aws-kms-key-id": kms_key
                    }
                },
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def add_buckets(sb: StackBuilder) -> None:
    """Lake and artifacts buckets. The landing bucket belongs to the source systems:
    it is referenced (IAM read grants), never created or destroyed by alurc."""
    env = sb.env
    kms_key = sb.kms_key_arn
    # The lake holds data: never force-destroyed. Artifacts are regenerable build output,
    # force-destroyed unless the environment is protected.
    for part, bucket, force in (
        ("lake", env.lake_bucket, False),
        ("artifacts", env.artifacts_bucket, not env.protected),
    ):
        name = address_name("environment", env.name, part)
        address = sb.add(
            "aws_s3_bucket",
            name,
            sb.protect(
                {
                    "bucket": bucket,
                    "force_destroy": force,
                    "tags": entity_tags("environment", env.name),
                }
            ),
        )
        bucket_id = ref(f"{address}.id")
        sb.add(
            "aws_s3_bucket_versioning",
            name,
            {"bucket": bucket_id, "versioning_configuration": [{"status": "Enabled"}]},
        )
        sse_rule: Body
        if kms_key is None:
            sse_rule = {"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]}
        else:
            default: Body = {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key}
            sse_rule = {
                "apply_server_side_encryption_by_default": [default],
                "bucket_key_enabled": True,
            }
        sb.add(
            "aws_s3_bucket_server_side_encryption_configuration",
            name,
            {"bucket": bucket_id, "rule": [sse_rule]},
        )
        access_block = sb.add(
            "aws_s3_bucket_public_access_block",
            name,
            {
                "bucket": bucket_id,
                "block_public_acls": True,
                "block_public_policy": True,
                "ignore_public_acls": True,
                "restrict_public_buckets": True,
            },
        )
        sb.add(
            "aws_s3_bucket_ownership_controls",
            name,
            {"bucket": bucket_id, "rule": [{"object_ownership": "BucketOwnerEnforced"}]},
        )
        if not emulated_s3(sb):
            sb.add(
                "aws_s3_bucket_policy",
                name,
                {
                    "bucket": bucket_id,
                    "policy": json_document(bucket_policy(bucket, kms_key)),
                    # S3 rejects a policy change while the access block is being set
                    "depends_on": [Address(access_block)],
                },
            )
        sb.add(
            "aws_s3_bucket_lifecycle_configuration",
            name,
            {
                "bucket": bucket_id,
                "rule": [
                    {
                        "id": "abort-incomplete-multipart-uploads",
                        "status": "Enabled",
                        "filter": [{"prefix": ""}],
                        "abort_incomplete_multipart_upload": [
                            {"days_after_initiation": ABORT_MULTIPART_DAYS}
                        ],
                    }
                ],
                "depends_on": [Address(f"aws_s3_bucket_versioning.{name}")],
            },
        )


def artifacts_bucket_ref(sb: StackBuilder) -> Expr:
    return ref("aws_s3_bucket." + address_name("environment", sb.env.name, "artifacts") + ".id")


def script_key(job: str) -> str:
    return f"glue/{job}.py"


def suite_key(table: str) -> str:
    return f"quality/{table}.json"


def suite_tables(sb: StackBuilder) -> list[str]:
    """Tables with a GX suite: those with effective checks (the quality backend's rule)."""
    return [t.name for t in sb.project.tables if sb.project.effective_checks(t.name)]


RUNTIME_OBJECT = "runtime"


def runtime_object_address(sb: StackBuilder) -> str:
    return "aws_s3_object." + address_name("environment", sb.env.name, RUNTIME_OBJECT)


def runtime_uri(sb: StackBuilder) -> str:
    """Where every job of the environment loads the runtime wheel from."""
    return f"s3://{sb.env.artifacts_bucket}/{wheel_path()}"


def add_objects(sb: StackBuilder) -> None:
    """The runtime wheel (once per environment), scripts and suites as S3 objects;
    `source_hash` follows the file content, so a changed script is an in-place update of
    its object (and nothing else)."""
    if sb.project.jobs:
        _object(
            sb,
            address_name("environment", sb.env.name, RUNTIME_OBJECT),
            wheel_path(),
            "application/zip",
            entity_tags("environment", sb.env.name),
        )
    for job in sb.project.jobs:
        kind = job_kind(job)
        _object(
            sb,
            address_name(kind, job.name, "script"),
            script_key(job.name),
            "text/x-python",
            entity_tags(kind, job.name),
        )
    _object(  # the shapes this build deploys: `alurc plan` classifies the next one against it
        sb,
        address_name("environment", sb.env.name, "contracts"),
        CONTRACTS_FILE,
        "application/json",
        entity_tags("environment", sb.env.name),
    )
    for table in suite_tables(sb):
        _object(
            sb,
            address_name("table", table, "suite"),
            suite_key(table),
            "application/json",
            entity_tags("table", table),
        )


def _object(sb: StackBuilder, name: str, key: str, content_type: str, tags: dict[str, str]) -> None:
    path: Template = BUILD_ROOT + f"/{key}"
    sb.add(
        "aws_s3_object",
        name,
        {
            "bucket": artifacts_bucket_ref(sb),
            "key": key,
            "source": path,
            "source_hash": call("filemd5", path),
            "content_type": content_type,
            "tags": tags,
            # uploaded after versioning is on, so every object has a real version id
            "depends_on": [
                Address(
                    "aws_s3_bucket_versioning."
                    + address_name("environment", sb.env.name, "artifacts")
                )
            ],
        },
    )


def add_state_table(sb: StackBuilder) -> None:
    """contracts.md §5: pk/sk strings, on demand, point-in-time recovery, encrypted (with
    the environment's KMS key when it has one); deletion-protected when `protected`."""
    kms_key = sb.kms_key_arn
    sse: Body = {"enabled": True}
    if kms_key is not None:
        sse["kms_key_arn"] = kms_key
    body = sb.protect(
        {
            "name": sb.env.state_table,
            "billing_mode": "PAY_PER_REQUEST",
            "hash_key": "pk",
            "range_key": "sk",
            "attribute": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
            "point_in_time_recovery": [{"enabled": True}],
            "server_side_encryption": [sse],
            "deletion_protection_enabled": sb.env.protected,
            "tags": entity_tags("environment", sb.env.name),
        }
    )
    sb.add("aws_dynamodb_table", address_name("environment", sb.env.name, "state"), body)
