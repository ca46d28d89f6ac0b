"""`after:` / `after_any:` chains on AWS: one EventBridge rule and one small Lambda per
environment.

The rule matches every "Glue Job State Change" event (final states only) of the
environment's jobs by their name prefix `<project>-<env>-` (so the predecessors of
`after:` and `after_any:` alike, and no other account's jobs); its target is the chain
Lambda, whose handler is `alur_runtime.chain.handler` and whose package
(`terraform/<env>/alur_chains.zip`, built byte-deterministically here) carries the chain
map as `alur_chains.json`. The Lambda keeps "succeeded since" counts in the environment's
state table (specs/schedule.md). The comparison with Glue workflows and Step Functions is
in specs/deploy.md ("Scheduling on AWS").

Least privilege: the Lambda's role may start exactly the enabled successor jobs, read and
write items of the state table, write its own log group (and use the environment's KMS key
when there is one); EventBridge may invoke the function only from this rule. `max_wait`
adds a timer rule and, for alerts, an SNS topic the Lambda may publish to (chain_wait.py).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from alur_compiler.backends.terraform.chain_wait import (
    add_alerts,
    add_timer,
    alerts,
    publish_statement,
    short_name,
    waits,
)
from alur_compiler.backends.terraform.hcl import Address, call, json_document, ref
from alur_compiler.backends.terraform.model import Body, StackBuilder
from alur_compiler.backends.terraform.naming import address_name, entity_tags, glue_job_name
from alur_compiler.backends.terraform.storage import BUILD_ROOT
from alur_compiler.ir import Environment, Project, runtime

PACKAGE_FILE = "alur_chains.zip"
CONFIG_FILE = "alur_chains.json"  # alur_runtime.chain.CONFIG_FILE
HANDLER = "alur_runtime.chain.handler"
LAMBDA_RUNTIME = "python3.12"
FINAL_STATES = ["ERROR", "FAILED", "STOPPED", "SUCCEEDED", "TIMEOUT"]
RUNTIME_MODULES = ("__init__.py", "chain.py", "chain_wait.py", "state.py")
EPOCH = (1980, 1, 1, 0, 0, 0)
LOG_RETENTION_DAYS = 30
STATE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem"]
LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"]
KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"]


def chained(project: Project) -> dict[str, tuple[str, ...]]:
    """Job -> its `after:` or `after_any:` predecessors, for every job that has them."""
    return {
        j.name: tuple(sorted(j.schedule.predecessors))
        for j in project.jobs
        if j.schedule is not None and j.schedule.predecessors
    }


def function_name(sb: StackBuilder) -> str:
    """`<project>-<env>-alur-chains`; past AWS's 64 characters (function, role and rule
    names) shortened with a hash of the full name, so it stays unique and stable."""
    return short_name(f"{sb.project.name}-{sb.env.name}-alur-chains")


def chain_config(project: Project, env: Environment) -> dict[str, Any]:
    """The map the Lambda reads: Glue job names, successors to predecessors."""

    def glue(name: str) -> str:
        return glue_job_name(project, env, name)

    chains = chained(project)
    disabled = [
        glue(j.name)
        for j in project.jobs
        if j.name in chains and j.schedule is not None and not j.schedule.enabled
    ]
    anyone = {j.name for j in project.jobs if j.schedule is not None and j.schedule.after_any}

    def lists(names: set[str]) -> dict[str, list[str]]:
        return {glue(s): [glue(p) for p in chains[s]] for s in sorted(names)}

    config: dict[str, Any] = {
        "after": lists(set(chains) - anyone),
        "disabled": sorted(disabled),
    }
    if anyone:  # keys only when used: a project without them keeps its package bytes
        config["after_any"] = lists(anyone)
    if waits(project):
        config["max_wait"] = {
            glue(s): {"minutes": m, "on": on} for s, (m, on) in sorted(waits(project).items())
        }
    return config


def lambda_package(project: Project, env: Environment) -> bytes | None:
    """`terraform/<env>/alur_chains.zip`, or None when no job has `after:`."""
    return package(chain_config(project, env)) if chained(project) else None


def package(config: dict[str, Any]) -> bytes:
    """The Lambda's zip: the chain map and three runtime modules; fixed timestamps and
    permissions, stored (not deflated), sorted entries: the same bytes on any machine."""
    files = [(CONFIG_FILE, (json.dumps(config, indent=2, sort_keys=True) + "\n").encode())]
    folder = runtime.runtime_dir()
    files += [(f"{runtime.PACKAGE}/{m}", (folder / m).read_bytes()) for m in RUNTIME_MODULES]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for path, data in sorted(files):
            member = zipfile.ZipInfo(path, date_time=EPOCH)
            member.external_attr = 0o644 << 16
            member.create_system = 3
            zf.writestr(member, data)
    return buf.getvalue()


def _role_policy(sb: StackBuilder, config: dict[str, Any], log_group: str) -> dict[str, Any]:
    successors = set(config["after"]) | set(config.get("after_any", {}))
    startable = sorted(successors - set(config["disabled"]))
    stmts: list[dict[str, Any]] = [
        {
            "Sid": "StartSuccessors",
            "Effect": "Allow",
            "Action": ["glue:StartJobRun"],
            "Resource": [sb.arn("glue", f"job/{name}") for name in startable],
        },
        {
            "Sid": "State",
            "Effect": "Allow",
            "Action": STATE_ACTIONS,
            "Resource": sb.arn("dynamodb", f"table/{sb.env.state_table}"),
        },
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": LOG_ACTIONS,
            "Resource": sb.arn("logs", f"log-group:{log_group}:*"),
        },
    ]
    if alerts(sb.project):
        stmts.append(publish_statement(sb))
    if sb.kms_key_arn is not None:
        stmts.append(
            {"Sid": "Kms", "Effect": "Allow", "Action": KMS_ACTIONS, "Resource": sb.kms_key_arn}
        )
    if not startable:
        stmts = stmts[1:]
    return {"Version": "2012-10-17", "Statement": stmts}


def _assume_role(sb: StackBuilder) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceAccount": sb.account}},
            }
        ],
    }


def event_pattern(sb: StackBuilder) -> dict[str, Any]:
    prefix = f"{sb.project.name}-{sb.env.name}-"
    return {
        "source": ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        "detail": {"jobName": [{"prefix": prefix}], "state": FINAL_STATES},
    }


def add_chains(sb: StackBuilder) -> None:
    """The chain resources of the environment (none without `after:` in the project)."""
    if not chained(sb.project):
        return
    config = chain_config(sb.project, sb.env)
    name, env = function_name(sb), sb.env.name
    tags = entity_tags("environment", env)
    addr = address_name("environment", env, "chains")
    log_group = f"/aws/lambda/{name}"
    kms = sb.kms_key_arn
    logs: Body = {"name": log_group, "retention_in_days": LOG_RETENTION_DAYS, "tags": tags}
    if kms is not None:
        logs["kms_key_id"] = kms
    sb.add("aws_cloudwatch_log_group", addr, logs)
    sb.add(
        "aws_iam_role",
        addr,
        {
            "name": name,
            "description": f"alurc after: chains of {sb.project.name} ({env}), least privilege",
            "assume_role_policy": json_document(_assume_role(sb)),
            "tags": tags,
        },
    )
    sb.add(
        "aws_iam_role_policy",
        addr,
        {
            "name": "least-privilege",
            "role": ref(f"aws_iam_role.{addr}.id"),
            "policy": json_document(_role_policy(sb, config, log_group)),
        },
    )
    path = BUILD_ROOT + f"/terraform/{env}/{PACKAGE_FILE}"  # like every other file
    function: Body = {
        "function_name": name,
        "description": f"Starts {sb.project.name} ({env}) jobs whose after: predecessors succeeded",
        "role": ref(f"aws_iam_role.{addr}.arn"),
        "runtime": LAMBDA_RUNTIME,
        "handler": HANDLER,
        "filename": path,
        "source_code_hash": call("filebase64sha256", path),
        "memory_size": 128,
        "timeout": 60,
        "environment": [{"variables": _variables(sb, addr)}],
        "tags": tags,
        "depends_on": [
            Address(f"aws_cloudwatch_log_group.{addr}"),
            Address(f"aws_iam_role_policy.{addr}"),
        ],
    }
    if kms is not None:
        function["kms_key_arn"] = kms
    if alerts(sb.project):
        add_alerts(sb, addr, tags)
    sb.add("aws_lambda_function", addr, function)
    _add_rule(sb, addr, name, tags)
    if waits(sb.project):
        add_timer(sb, addr, tags)


def _variables(sb: StackBuilder, addr: str) -> dict[str, Any]:
    variables: dict[str, Any] = {"ALUR_STATE_TABLE": sb.env.state_table}
    if alerts(sb.project):
        variables["ALUR_ALERT_TOPIC"] = ref(f"aws_sns_topic.{addr}.arn")
    return variables


def _add_rule(sb: StackBuilder, addr: str, name: str, tags: dict[str, str]) -> None:
    sb.add(
        "aws_cloudwatch_event_rule",
        addr,
        {
            "name": name,
            "description": f"Final states of the {sb.project.name} ({sb.env.name}) Glue jobs",
            "event_pattern": json_document(event_pattern(sb)),
            "state": "ENABLED",
            "tags": tags,
        },
    )
    sb.add(
        "aws_cloudwatch_event_target",
        addr,
        {
            "rule": ref(f"aws_cloudwatch_event_rule.{addr}.name"),
            "target_id": "alur-chains",
            "arn": ref(f"aws_lambda_function.{addr}.arn"),
            "retry_policy": [
                {"maximum_event_age_in_seconds": 86400, "maximum_retry_attempts": 185}
            ],
        },
    )
    sb.add(
        "aws_lambda_permission",
        addr,
        {
            "statement_id": "AllowAlurChainsRule",
            "action": "lambda:InvokeFunction",
            "function_name": ref(f"aws_lambda_function.{addr}.function_name"),
            "principal": "events.amazonaws.com",
            "source_arn": ref(f"aws_cloudwatch_event_rule.{addr}.arn"),
        },
    )
