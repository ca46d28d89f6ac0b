"""`alurc bootstrap`: the S3 state bucket and DynamoDB lock table Terraform cannot create
for itself. Idempotent: existing resources are left as they are (settings re-applied)."""

from __future__ import annotations

from collections.abc import Callable

from alur_compiler.deploy.aws import client
from alur_compiler.deploy.errors import DeployError
from alur_compiler.ir import Environment


def bootstrap(
    env: Environment, out: Callable[[str], None] = print, endpoint_url: str | None = None
) -> None:
    state = env.state
    if state.backend != "s3" or not state.bucket:
        out(f"{env.name}: state backend is '{state.backend}'; nothing to bootstrap")
        return
    from botocore.exceptions import BotoCoreError, ClientError

    region = state.region or env.region
    try:
        _bucket(client("s3", env, endpoint_url), state.bucket, region, out)
        if state.lock_table:
            _lock_table(client("dynamodb", env, endpoint_url), state.lock_table, out)
    except (BotoCoreError, ClientError) as exc:
        raise DeployError(
            f"bootstrap of '{env.name}' failed: {exc}", "check credentials and names"
        ) from exc


def _bucket(s3: object, bucket: str, region: str, out: Callable[[str], None]) -> None:
    from botocore.exceptions import ClientError

    api = s3  # typed loosely: boto3 clients are dynamic
    try:
        api.head_bucket(Bucket=bucket)  # type: ignore[attr-defined]
        out(f"state bucket {bucket}: exists")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
        args: dict[str, object] = {"Bucket": bucket}
        if region != "us-east-1":
            args["CreateBucketConfiguration"] = {"LocationConstraint": region}
        api.create_bucket(**args)  # type: ignore[attr-defined]
        out(f"state bucket {bucket}: created")
    api.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})  # type: ignore[attr-defined]
    api.put_bucket_encryption(  # type: ignore[attr-defined]
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    api.put_public_access_block(  # type: ignore[attr-defined]
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def _lock_table(ddb: object, table: str, out: Callable[[str], None]) -> None:
    from botocore.exceptions import ClientError

    api = ddb
    try:
        api.describe_table(TableName=table)  # type: ignore[attr-defined]
        out(f"lock table {table}: exists")
        return
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    api.create_table(  # type: ignore[attr-defined]
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True},
    )
    api.get_waiter("table_exists").wait(TableName=table)  # type: ignore[attr-defined]
    out(f"lock table {table}: created")
