"""boto3 clients for an environment (endpoint overrides for local emulators)."""

from __future__ import annotations

from typing import Any

from alur_compiler.ir import Environment


def client(service: str, env: Environment, endpoint_url: str | None = None) -> Any:
    import boto3  # lazily: only the deploy commands talk to AWS

    url = endpoint_url or dict(env.endpoints).get(service)
    return boto3.client(service, region_name=env.region, endpoint_url=url)
