"""Pieces shared by the job builders: schedules and Glue settings."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from alur_compiler.ir.nodes import GlueConfig, Schedule
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.cron import strip_wrapper
from alur_compiler.semantic.wait_rules import duration_minutes

#: `glue:` keys in YAML, named as the GlueConfig fields they set (`arguments` sets
#: `extra_arguments`; both it and `spark_conf` are string maps, kept as sorted pairs)
GLUE_MAPS = {"arguments": "extra_arguments", "spark_conf": "spark_conf"}
GLUE_KEYS = tuple(f.name for f in fields(GlueConfig) if f.name not in GLUE_MAPS.values())


def glue_overrides(spec: dict[str, Any] | None) -> tuple[tuple[str, object], ...]:
    """The Glue settings a YAML `glue:` block sets, as sorted (field, value) pairs."""
    if not spec:
        return ()
    out: list[tuple[str, object]] = [(k, v) for k, v in spec.items() if k in GLUE_KEYS]
    for key, field_name in GLUE_MAPS.items():
        if isinstance(spec.get(key), dict):
            pairs = tuple(sorted((str(k), str(v)) for k, v in spec[key].items()))
            out.append((field_name, pairs))
    return tuple(sorted(out, key=lambda kv: kv[0]))


def apply_glue(base: GlueConfig, spec: dict[str, Any] | None) -> GlueConfig:
    overrides: dict[str, Any] = dict(glue_overrides(spec))
    return replace(base, **overrides)


def build_schedule(doc: SourceDoc) -> Schedule | None:
    """The job's schedule; its cron was checked by semantic.cron.check_schedule_cron."""
    spec = doc.data.get("schedule")
    if not isinstance(spec, dict):
        return None
    cron = spec.get("cron")
    if isinstance(cron, str):
        bare, _ = strip_wrapper(cron)
        cron = " ".join(bare.split())
    return Schedule(
        cron=cron if isinstance(cron, str) else None,
        after=tuple(spec.get("after", ())),
        enabled=bool(spec.get("enabled", True)),
        span=doc.span_of("/schedule"),
        after_any=tuple(spec.get("after_any", ())),
        max_wait_minutes=duration_minutes(spec.get("max_wait")),
        on_max_wait=str(spec.get("on_max_wait", "alert")),
    )


def expected_minutes(data: dict[str, Any]) -> float | None:
    """A job's declared run time (`expected_minutes`, checked by its schema), or None."""
    value = data.get("expected_minutes")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
