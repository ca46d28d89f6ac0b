"""Database sources on AWS: one Glue connection per jdbc ingestion and environment, and
what its job needs for it.

- `aws_glue_connection` `<project>-<env>-<job>-jdbc`: type JDBC, the URL from the YAML
  (no credentials), `SECRET_ID` = the environment's Secrets Manager ARN for the source's
  `secret`, and the environment's `network` (subnet, security groups, availability zone)
  as its physical connection requirements: Glue starts the job's workers in that subnet.
- the job: `connections = [that connection]` and `--alur_secret_arn` (an ARN is not a
  secret; the runtime reads the value with GetSecretValue, alur_runtime/secrets.py).
- the job role: `secretsmanager:GetSecretValue` on exactly that ARN, `glue:GetConnection`
  on exactly that connection, and the EC2 network-interface actions Glue needs to run in
  a VPC (specs/deploy.md lists the `"Resource": "*"` ones: EC2's Describe actions have no
  resource-level permissions).

Every value from YAML is a plain `str` here, so hcl.to_json escapes it (hcl.py).
"""

from __future__ import annotations

from typing import Any

from alur_compiler.backends.terraform.hcl import Expr, ref
from alur_compiler.backends.terraform.model import Body, StackBuilder
from alur_compiler.backends.terraform.naming import (
    Job,
    address_name,
    entity_tags,
    glue_job_name,
    job_kind,
)
from alur_compiler.ir import Ingestion
from alur_compiler.ir.jdbc import JdbcSource

#: EC2 actions a Glue job in a VPC needs that AWS authorises only on `"Resource": "*"`
NETWORK_DESCRIBE = (
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeVpcEndpoints",
)
SECRET_ACTIONS = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]


def jdbc_of(job: Job) -> JdbcSource | None:
    return job.jdbc if isinstance(job, Ingestion) else None


def connection_name(sb: StackBuilder, job: Job) -> str:
    return f"{glue_job_name(sb.project, sb.env, job.name)}-jdbc"


def secret_arn(sb: StackBuilder, source: JdbcSource) -> str:
    """The environment's ARN for the source's secret (semantic/jdbc.py made sure it exists)."""
    return dict(sb.env.secrets)[source.secret]


def add_connections(sb: StackBuilder) -> None:
    network = sb.env.network
    for job in sb.project.jobs:
        source = jdbc_of(job)
        if source is None or network is None:
            continue
        body: Body = {
            "name": connection_name(sb, job),
            "description": f"JDBC source of {job.name}",
            "connection_type": "JDBC",
            "connection_properties": {
                "JDBC_CONNECTION_URL": source.url,
                "SECRET_ID": secret_arn(sb, source),
            },
            "physical_connection_requirements": [
                {
                    "subnet_id": network.subnet,
                    "security_group_id_list": list(network.security_groups),
                    "availability_zone": network.availability_zone,
                }
            ],
            "tags": entity_tags(job_kind(job), job.name),
        }
        sb.add("aws_glue_connection", address_name(job_kind(job), job.name, "jdbc"), body)


def job_settings(sb: StackBuilder, job: Job) -> Body:
    """What a jdbc job's aws_glue_job body adds: its connection."""
    if jdbc_of(job) is None or sb.env.network is None:
        return {}
    address = address_name(job_kind(job), job.name, "jdbc")
    connection: Expr = ref(f"aws_glue_connection.{address}.name")
    return {"connections": [connection]}


def job_arguments(sb: StackBuilder, job: Job) -> dict[str, str]:
    source = jdbc_of(job)
    return {} if source is None else {"--alur_secret_arn": secret_arn(sb, source)}


def policy_statements(sb: StackBuilder, job: Job) -> list[dict[str, Any]]:
    """The role's statements for the secret, the connection and the VPC network."""
    source, network = jdbc_of(job), sb.env.network
    if source is None:
        return []
    stmts: list[dict[str, Any]] = [
        {
            "Sid": "Secret",
            "Effect": "Allow",
            "Action": SECRET_ACTIONS,
            "Resource": secret_arn(sb, source),
        },
        {
            "Sid": "Connection",
            "Effect": "Allow",
            "Action": ["glue:GetConnection"],
            "Resource": [
                sb.arn("glue", "catalog"),
                sb.arn("glue", f"connection/{connection_name(sb, job)}"),
            ],
        },
    ]
    if network is None:
        return stmts
    interfaces = sb.arn("ec2", "network-interface/*")
    return [
        *stmts,
        {
            "Sid": "NetworkInterfaces",
            "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface"],
            "Resource": [
                interfaces,
                sb.arn("ec2", f"subnet/{network.subnet}"),
                *(sb.arn("ec2", f"security-group/{g}") for g in network.security_groups),
            ],
        },
        {
            "Sid": "NetworkInterfaceCleanup",
            "Effect": "Allow",
            "Action": ["ec2:CreateTags", "ec2:DeleteNetworkInterface", "ec2:DeleteTags"],
            "Resource": interfaces,
        },
        {
            "Sid": "NetworkDescribe",
            "Effect": "Allow",
            "Action": list(NETWORK_DESCRIBE),
            "Resource": "*",
        },
    ]
