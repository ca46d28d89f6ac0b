"""What a deploy means for stored data: the change classes of `alurc plan` / `apply`.

The build writes `contracts.json` (the shapes of its tables and pipelines, ir/shapes.py)
and the Terraform stack uploads it to the artifacts bucket under the same key, so the
bucket holds the shapes of the last applied build. `plan` reads that object; when it is
absent (a stack deployed before it existed) it falls back to the live Glue catalog
(GetTable of each table: names and types only); with neither, every table is new. The
classification itself is ir/changes.py (pure).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from alur_compiler.deploy.aws import client
from alur_compiler.deploy.errors import DeployError
from alur_compiler.ir import Environment, Project
from alur_compiler.ir.changes import REFRESH, SEVERITY, Change, Kind, classify, worst
from alur_compiler.ir.layout import database
from alur_compiler.ir.shapes import (
    CONTRACTS_FILE,
    ColumnShape,
    Shapes,
    TableShape,
    load_shapes,
    project_shapes,
)


@dataclass
class DataPlan:
    source: str  # where the environment's current shapes came from
    changes: list[Change] = field(default_factory=list)

    @property
    def worst(self) -> Kind | None:
        return worst(self.changes)

    def by_entity(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {}
        for c in self.changes:
            out.setdefault(c.entity, []).append(c)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "worst": self.worst,
            "changes": [
                {
                    "entity": c.entity,
                    "class": c.kind,
                    "what": c.what,
                    "action": c.action,
                    "downstream": list(c.downstream),
                }
                for c in self.changes
            ],
        }


def _stored_shapes(env: Environment) -> Shapes | None:
    s3 = client("s3", env)
    try:
        body = s3.get_object(Bucket=env.artifacts_bucket, Key=CONTRACTS_FILE)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    except s3.exceptions.NoSuchBucket:
        return None
    return load_shapes(json.loads(body))


def _catalog_shapes(project: Project, env: Environment) -> Shapes:
    """The tables the Glue catalog holds, as observed shapes (names and types only)."""
    glue = client("glue", env)
    tables = []
    for t in sorted(project.tables, key=lambda t: t.name):
        try:
            got = glue.get_table(
                DatabaseName=database(project.name, env.name, str(t.layer)), Name=t.name
            )
        except glue.exceptions.EntityNotFoundException:
            continue
        sd = got["Table"].get("StorageDescriptor", {})
        cols = tuple(ColumnShape(c["Name"], c["Type"]) for c in sd.get("Columns", []))
        tables.append(TableShape(t.name, str(t.layer), t.file_format, cols))
    return Shapes(tuple(tables))


def data_plan(project: Project, env: Environment) -> DataPlan:
    """Classify the project against what ENV holds now."""
    try:
        stored = _stored_shapes(env)
        source = f"s3://{env.artifacts_bucket}/{CONTRACTS_FILE}"
        if stored is None:
            stored, source = _catalog_shapes(project, env), "the Glue catalog"
    except Exception as exc:  # botocore: credentials, endpoint, throttling
        raise DeployError(
            f"cannot read what {env.name} holds now: {exc}",
            "check the AWS credentials and region of the environment",
        ) from None
    return DataPlan(source, classify(stored, project_shapes(project)))


def render_data(plan: DataPlan) -> list[str]:
    """Per YAML entity: the class, what changed and what the deploy and next run do."""
    if not plan.changes:
        return [f"  data: no contract changes (compared with {plan.source})"]
    lines = [f"  data (compared with {plan.source}):"]
    for entity, changes in plan.by_entity().items():
        lines.append(f"    {entity}")
        for c in changes:
            lines.append(f"      {c.kind:<9} {c.what}: {c.action}")
    return lines


def fails_gate(plan: DataPlan, fail_on: Kind | None) -> bool:
    """`--fail-on CLASS`: a change of that class or a more severe one exists."""
    w = plan.worst
    return fail_on is not None and w is not None and SEVERITY.index(w) >= SEVERITY.index(fail_on)


def refuse_breaking(plan: DataPlan, env: str) -> None:
    """`apply` without --allow-breaking: say what to run after applying on purpose."""
    breaking = [c for c in plan.changes if c.kind == "breaking"]
    if not breaking:
        return
    # Only changes whose remedy is a refresh name tables to refresh; a bronze table is
    # never refreshed, its change says what to do instead (ir/changes.py _BRONZE).
    refreshed = [c for c in breaking if REFRESH in c.action]
    tables = sorted({c.entity.split(" ", 1)[1] for c in refreshed if c.entity.startswith("table ")})
    down = sorted({d for c in refreshed for d in c.downstream} - set(tables))
    what = "; ".join(f"{c.entity}: {c.what}" for c in breaking)
    hints = [f"{c.entity}: {c.action}" for c in breaking if c not in refreshed]
    if tables or down:
        hints.insert(
            0,
            f"re-run apply with --allow-breaking, then refresh fully {', '.join(tables + down)} "
            "(each writer's job with --alur_full_refresh true, upstream first; locally: alurc "
            "run --local --full-refresh -s <pipeline>+)",
        )
    else:
        hints.insert(0, "re-run apply with --allow-breaking to apply it anyway")
    raise DeployError(f"the plan has breaking data changes: {what}", "; ".join(hints))
