"""Environment rules (AL312): an s3 state backend names its bucket; buckets are not shared.

They read the environments the builder made (ir.Environment) through the protocols below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.load.source import SourceDoc


class _State(Protocol):
    @property
    def backend(self) -> str: ...
    @property
    def bucket(self) -> str | None: ...


class EnvironmentView(Protocol):
    """What these rules read of an ir.Environment."""

    @property
    def name(self) -> str: ...
    @property
    def lake_bucket(self) -> str: ...
    @property
    def artifacts_bucket(self) -> str: ...
    @property
    def landing_bucket(self) -> str: ...
    @property
    def state(self) -> _State: ...


def check_state_buckets(
    envs: Sequence[EnvironmentView], doc: SourceDoc, diags: Diagnostics
) -> None:
    for env in envs:
        if env.state.backend == "s3" and not env.state.bucket:
            diags.report(
                codes.ENVIRONMENT_RULE,
                f"environment '{env.name}': the s3 state backend needs a bucket",
                doc.span_of(f"/environments/{env.name}/state"),
                hint="add `bucket:` (and `lock_table:` for locking) under `state:`",
            )


def check_own_buckets(envs: Sequence[EnvironmentView], doc: SourceDoc, diags: Diagnostics) -> None:
    seen: dict[str, str] = {}
    for env in envs:
        for bucket in (env.lake_bucket, env.artifacts_bucket):
            if bucket in seen and seen[bucket] != env.name:
                diags.report(
                    codes.ENVIRONMENT_RULE,
                    f"bucket '{bucket}' is used by environments '{seen[bucket]}' and '{env.name}'",
                    doc.span_of(f"/environments/{env.name}/buckets"),
                    hint="each environment needs its own lake and artifacts buckets",
                )
            seen[bucket] = env.name
