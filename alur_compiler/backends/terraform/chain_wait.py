"""`max_wait` on AWS: the chain Lambda's timer and the environment's alerts topic.

Only when some job has `max_wait` (specs/schedule.md, "max_wait"):

- an EventBridge rule `<chains>-timer` with `rate(5 minutes)` invokes the chain Lambda,
  whose handler then sweeps the waiting chains (alur_runtime.chain_wait.on_timer); the
  Lambda may be invoked by this rule only (its own `aws_lambda_permission`);
- with `on_max_wait: alert`, an SNS topic `<project>-<env>-alur-alerts` (encrypted with
  the environment's KMS key when it has one) that the Lambda may publish to, and to nothing
  else. Subscribe to it (e-mail, chat, a pager) outside alurc.
"""

from __future__ import annotations

import hashlib

from alur_compiler.backends.terraform.hcl import ref
from alur_compiler.backends.terraform.model import Body, StackBuilder
from alur_compiler.ir import Project

TIMER_RATE = "rate(5 minutes)"  # alur_runtime.chain.TIMER_MINUTES
PUBLISH_ACTIONS = ["sns:Publish"]
MAX_NAME = 64


def short_name(name: str) -> str:
    """`name`, or past AWS's 64 characters (function, role and rule names) shortened with a
    hash of the full name, so it stays unique and stable."""
    if len(name) <= MAX_NAME:
        return name
    return name[: MAX_NAME - 9] + "-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def waits(project: Project) -> dict[str, tuple[int, str]]:
    """Job -> (max_wait minutes, on_max_wait), for every job with a max_wait."""
    return {
        j.name: (j.schedule.max_wait_minutes, j.schedule.on_max_wait)
        for j in project.jobs
        if j.schedule is not None and j.schedule.after and j.schedule.max_wait_minutes
    }


def alerts(project: Project) -> bool:
    return any(on == "alert" for _, on in waits(project).values())


def topic_name(sb: StackBuilder) -> str:
    return f"{sb.project.name}-{sb.env.name}-alur-alerts"


def publish_statement(sb: StackBuilder) -> Body:
    return {
        "Sid": "Alerts",
        "Effect": "Allow",
        "Action": PUBLISH_ACTIONS,
        "Resource": sb.arn("sns", topic_name(sb)),
    }


def add_alerts(sb: StackBuilder, addr: str, tags: dict[str, str]) -> None:
    body: Body = {"name": topic_name(sb), "tags": tags}
    kms = sb.kms_key_arn
    if kms is not None:
        body["kms_master_key_id"] = kms
    sb.add("aws_sns_topic", addr, body)


def add_timer(sb: StackBuilder, addr: str, tags: dict[str, str]) -> None:
    timer = f"{addr}_timer"
    name = short_name(f"{sb.project.name}-{sb.env.name}-alur-chains-timer")
    sb.add(
        "aws_cloudwatch_event_rule",
        timer,
        {
            "name": name,
            "description": f"Sweeps the max_wait chains of {sb.project.name} ({sb.env.name})",
            "schedule_expression": TIMER_RATE,
            "state": "ENABLED",
            "tags": tags,
        },
    )
    sb.add(
        "aws_cloudwatch_event_target",
        timer,
        {
            "rule": ref(f"aws_cloudwatch_event_rule.{timer}.name"),
            "target_id": "alur-chains-timer",
            "arn": ref(f"aws_lambda_function.{addr}.arn"),
        },
    )
    sb.add(
        "aws_lambda_permission",
        timer,
        {
            "statement_id": "AllowAlurChainsTimer",
            "action": "lambda:InvokeFunction",
            "function_name": ref(f"aws_lambda_function.{addr}.function_name"),
            "principal": "events.amazonaws.com",
            "source_arn": ref(f"aws_cloudwatch_event_rule.{timer}.arn"),
        },
    )
