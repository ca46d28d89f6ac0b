"""S3 buckets, the uploaded scripts and suites, and the DynamoDB state table."""

from __future__ import annotations

from alur_compiler.backends.terraform.hcl import Address, Expr, Template, call, ref, template
from alur_compiler.backends.terraform.model import StackBuilder
from alur_compiler.backends.terraform.naming import address_name, entity_tags, job_kind
from alur_compiler.ir.runtime import wheel_path

#: How the generated files are reached from `build/terraform/<env>/`.
BUILD_ROOT = template(ref("path.module"), "/../..")


def add_buckets(sb: StackBuilder) -> None:
    """Lake and artifacts buckets. The landing bucket belongs to the source systems:
    it is referenced (IAM read grants), never created or destroyed by alurc."""
    env = sb.env
    # The lake holds data: never force-destroyed. Artifacts are regenerable build output.
    for part, bucket, force in (
        ("lake", env.lake_bucket, False),
        ("artifacts", env.artifacts_bucket, True),
    ):
        name = address_name("environment", env.name, part)
        address = sb.add(
            "aws_s3_bucket",
            name,
            {
                "bucket": bucket,
                "force_destroy": force,
                "tags": entity_tags("environment", env.name),
            },
        )
        bucket_id = ref(f"{address}.id")
        sb.add(
            "aws_s3_bucket_versioning",
            name,
            {"bucket": bucket_id, "versioning_configuration": [{"status": "Enabled"}]},
        )
        sse = {"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]}
        sb.add(
            "aws_s3_bucket_server_side_encryption_configuration",
            name,
            {"bucket": bucket_id, "rule": [sse]},
        )
        sb.add(
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
    """contracts.md §5: pk/sk strings, on demand, point-in-time recovery, encrypted."""
    sb.add(
        "aws_dynamodb_table",
        address_name("environment", sb.env.name, "state"),
        {
            "name": sb.env.state_table,
            "billing_mode": "PAY_PER_REQUEST",
            "hash_key": "pk",
            "range_key": "sk",
            "attribute": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
            "point_in_time_recovery": [{"enabled": True}],
            "server_side_encryption": [{"enabled": True}],
            "deletion_protection_enabled": False,
            "tags": entity_tags("environment", sb.env.name),
        },
    )
