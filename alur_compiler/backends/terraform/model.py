"""A tiny builder for a Terraform JSON document, shared by the resource modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Environment, Project

Json = dict[str, Any]


@dataclass
class StackBuilder:
    """Collects resources and data sources of one environment's stack."""

    project: Project
    env: Environment
    diags: Diagnostics
    resources: dict[str, dict[str, Json]] = field(default_factory=dict)
    data: dict[str, dict[str, Json]] = field(default_factory=dict)

    def add(self, rtype: str, name: str, body: Json) -> str:
        """Add `rtype.name`; returns the address for references (`${rtype.name.arn}`)."""
        bucket = self.resources.setdefault(rtype, {})
        if name in bucket:
            raise ValueError(f"duplicate resource {rtype}.{name}")
        bucket[name] = body
        return f"{rtype}.{name}"

    @property
    def account(self) -> str:
        """The account id for ARNs: from alur.yaml, else looked up at plan time."""
        if self.env.account:
            return self.env.account
        self.data.setdefault("aws_caller_identity", {})["current"] = {}
        return "${data.aws_caller_identity.current.account_id}"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.env.region}:{self.account}:{resource}"
