"""Names, addresses and tags shared by every part of the Terraform stack.

Resource addresses encode the YAML entity that causes them (`<kind>__<name>[__<part>]`),
so `alurc plan` can group changes per entity even for resources AWS cannot tag.
"""

from __future__ import annotations

import re

from alur_compiler.ir import Environment, Ingestion, Pipeline, Project

Job = Pipeline | Ingestion

#: Tag key naming the entity kind of a resource, besides `project` / `environment`.
ENTITY_KINDS = ("table", "pipeline", "ingestion", "environment")

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def address_name(kind: str, name: str, part: str = "") -> str:
    """A Terraform resource name: `pipeline__clean_orders__role`."""
    base = f"{kind}__{_UNSAFE.sub('_', name)}"
    return f"{base}__{part}" if part else base


def job_kind(job: Job) -> str:
    return "pipeline" if isinstance(job, Pipeline) else "ingestion"


def glue_job_name(project: Project, env: Environment, job: str) -> str:
    """contracts.md §4: `<project>-<env>-<job>`."""
    return f"{project.name}-{env.name}-{job}"


def workflow_name(project: Project, env: Environment) -> str:
    return f"{project.name}-{env.name}"


def security_configuration_name(project: Project, env: Environment) -> str:
    """The Glue security configuration of an environment with a KMS key."""
    return f"{project.name}-{env.name}"


def job_log_group(project: Project, env: Environment, job: str) -> str:
    """The job's own continuous-logging group (driver and executor logs)."""
    return f"/aws-glue/jobs/{glue_job_name(project, env, job)}"


def base_tags(project: Project, env: Environment) -> dict[str, str]:
    """Provider default_tags: on every taggable resource of the environment."""
    tags = dict(env.tags)
    tags.update({"project": project.name, "environment": env.name, "managed-by": "alurc"})
    return tags


def entity_tags(kind: str, name: str) -> dict[str, str]:
    """Per-resource tags naming the YAML entity (`table = orders`)."""
    if kind == "environment":
        return {"alur-entity": "environment"}
    return {kind: name, "alur-entity": f"{kind}:{name}"}


def s3_arn(bucket: str, key: str = "") -> str:
    return f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"


def split_s3(uri_or_path: str, default_bucket: str) -> tuple[str, str]:
    """`s3://b/p/` -> (b, p/); a relative path -> (default_bucket, path)."""
    if uri_or_path.startswith("s3://"):
        bucket, _, key = uri_or_path[5:].partition("/")
        return bucket, key
    return default_bucket, uri_or_path.lstrip("/")
