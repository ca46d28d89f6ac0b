"""The Project document -> project settings and environments."""

from __future__ import annotations

from typing import Any

from alur_compiler.ir import layout
from alur_compiler.ir.build_common import apply_glue
from alur_compiler.ir.build_jdbc import build_network, build_secrets
from alur_compiler.ir.nodes import Environment, GlueConfig, LocalConfig, StateBackend
from alur_compiler.load.source import SourceDoc


def project_settings(doc: SourceDoc | None) -> tuple[str, str, GlueConfig, LocalConfig]:
    """name, description, Glue defaults, local settings (sane defaults without a document)."""
    if doc is None:
        return "project", "", GlueConfig(), LocalConfig()
    data: dict[str, Any] = doc.data
    defaults = apply_glue(GlueConfig(), (data.get("defaults") or {}).get("glue"))
    local_spec = data.get("local") or {}
    local = LocalConfig(
        landing=str(local_spec.get("landing", LocalConfig.landing)),
        warehouse=str(local_spec.get("warehouse", LocalConfig.warehouse)),
    )
    return str(data["name"]), str(data.get("description", "")), defaults, local


def build_environments(doc: SourceDoc | None, defaults: GlueConfig) -> tuple[Environment, ...]:
    """The environments, sorted by name (their rules: semantic/environments.py)."""
    if doc is None:
        return ()
    envs: list[Environment] = []
    project = str(doc.data["name"])
    for name, spec in sorted((doc.data.get("environments") or {}).items()):
        state = spec.get("state") or {}
        buckets = spec["buckets"]
        envs.append(
            Environment(
                name=name,
                region=str(spec["region"]),
                account=str(spec["account"]) if "account" in spec else None,
                lake_bucket=str(buckets["lake"]),
                artifacts_bucket=str(buckets["artifacts"]),
                landing_bucket=str(buckets["landing"]),
                state=StateBackend(
                    backend=str(state.get("backend", "local")),
                    bucket=state.get("bucket"),
                    key=state.get("key") or layout.terraform_state_key(project, name),
                    lock_table=state.get("lock_table"),
                    region=state.get("region") or str(spec["region"]),
                ),
                glue=apply_glue(defaults, spec.get("glue")),
                tags=tuple(sorted((str(k), str(v)) for k, v in (spec.get("tags") or {}).items())),
                endpoints=tuple(
                    sorted((str(k), str(v)) for k, v in (spec.get("endpoints") or {}).items())
                ),
                kms_alias=(spec.get("kms") or {}).get("alias"),
                kms_create=bool((spec.get("kms") or {}).get("create", False)),
                protected=bool(spec.get("protected", False)),
                network=build_network(spec),
                secrets=build_secrets(spec),
                span=doc.span_of(f"/environments/{name}", key=True),
            )
        )
    return tuple(envs)
