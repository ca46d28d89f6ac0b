"""A tiny builder for a Terraform JSON document, shared by the resource modules.

Bodies are `hcl.Value`s: plain strings are literal text (escaped when rendered), what
alurc means as an expression is an `hcl.Expr` (see hcl.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from alur_compiler.backends.terraform.hcl import Expr, Template, Value, ref, template
from alur_compiler.backends.terraform.naming import address_name
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Environment, Project

Body = dict[str, Value]
ACCOUNT_ID = "data.aws_caller_identity.current.account_id"


@dataclass
class StackBuilder:
    """Collects resources and data sources of one environment's stack."""

    project: Project
    env: Environment
    diags: Diagnostics
    resources: dict[str, dict[str, Body]] = field(default_factory=dict)
    data: dict[str, dict[str, Body]] = field(default_factory=dict)

    def add(self, rtype: str, name: str, body: Body) -> str:
        """Add `rtype.name`; returns the address, for `ref(address + ".arn")`."""
        bucket = self.resources.setdefault(rtype, {})
        if name in bucket:
            raise ValueError(f"duplicate resource {rtype}.{name}")
        bucket[name] = body
        return f"{rtype}.{name}"

    @property
    def account(self) -> str | Expr:
        """The account id for ARNs: from alur.yaml, else looked up at plan time."""
        if self.env.account:
            return self.env.account
        self.data.setdefault("aws_caller_identity", {})["current"] = {}
        return ref(ACCOUNT_ID)

    @property
    def kms_key_arn(self) -> Expr | None:
        """The environment's customer-managed key (`kms:` in alur.yaml), or None."""
        name = address_name("environment", self.env.name, "kms")
        if self.env.kms_create:
            return ref(f"aws_kms_key.{name}.arn")
        if self.env.kms_alias:
            self.data.setdefault("aws_kms_alias", {})[name] = {"name": self.env.kms_alias}
            return ref(f"data.aws_kms_alias.{name}.target_key_arn")
        return None

    def protect(self, body: Body) -> Body:
        """A data-holding resource of a `protected: true` environment: Terraform refuses
        any plan that destroys or replaces it (lifecycle.prevent_destroy)."""
        if self.env.protected:
            body["lifecycle"] = {"prevent_destroy": True}
        return body

    def arn(self, service: str, resource: str) -> Template:
        return template(f"arn:aws:{service}:{self.env.region}:", self.account, f":{resource}")
