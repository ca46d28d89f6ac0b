"""Summarise `terraform show -json <plan>` per YAML entity, destructive changes first."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alur_compiler.diagnostics.words import count
from alur_compiler.ir import Project, Schedule

if TYPE_CHECKING:
    from alur_compiler.cost.estimate import EnvCost
    from alur_compiler.deploy.data_changes import DataPlan

#: Resources that hold data: replacing or deleting them can lose it.
DATA_RESOURCES = frozenset(
    {"aws_s3_bucket", "aws_glue_catalog_table", "aws_glue_catalog_database", "aws_dynamodb_table"}
)
KINDS = ("environment", "table", "ingestion", "pipeline")
SYMBOLS = {"create": "+", "update": "~", "replace": "-/+", "delete": "-"}


@dataclass(frozen=True)
class Change:
    address: str
    rtype: str
    action: str  # create | update | replace | delete
    attributes: tuple[str, ...] = ()  # top-level attributes an update changes

    @property
    def destructive(self) -> bool:
        return self.action in ("replace", "delete") and self.rtype in DATA_RESOURCES


@dataclass
class PlanSummary:
    env: str
    by_entity: dict[str, list[Change]] = field(default_factory=dict)
    #: job -> its `after:` / `after_any:` predecessors: what the chain Lambda starts
    chains: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: job -> its chain rule in words: "after a, b (max wait 6h, then alert)"
    chain_rules: dict[str, str] = field(default_factory=dict)
    #: what the deploy means for stored data (data_changes.py), when it was computed
    data: DataPlan | None = None
    #: the environment's expected monthly Glue cost, planned and now (specs/cost.md)
    cost: EnvCost | None = None

    @property
    def changes(self) -> list[Change]:
        return [c for cs in self.by_entity.values() for c in cs]

    @property
    def destructive(self) -> list[Change]:
        return [c for c in self.changes if c.destructive]

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def to_json(self) -> dict[str, Any]:
        chains = {job: list(preds) for job, preds in sorted(self.chains.items())}
        return (
            {
                "environment": self.env,
                "counts": {a: self.count(a) for a in SYMBOLS},
                "destructive": [c.address for c in self.destructive],
                "entities": {
                    entity: [
                        {"address": c.address, "action": c.action, "attributes": list(c.attributes)}
                        for c in changes
                    ]
                    for entity, changes in sorted(self.by_entity.items())
                },
            }
            | (
                {"chains": chains, "chain_rules": dict(sorted(self.chain_rules.items()))}
                if chains
                else {}
            )
            | ({"data": self.data.to_json()} if self.data is not None else {})
            | ({"cost": _cost_json(self.cost)} if self.cost is not None else {})
        )


def _cost_json(cost: EnvCost) -> dict[str, Any]:
    from alur_compiler.cost.render import to_json

    return to_json(cost)


def _action(actions: list[str]) -> str | None:
    if "create" in actions and "delete" in actions:
        return "replace"
    for name in ("create", "update", "delete"):
        if name in actions:
            return name
    return None  # no-op, read


def entity_of(address: str, tags: dict[str, Any] | None) -> str:
    """`aws_glue_job.pipeline__clean_orders` -> `pipeline clean_orders`."""
    name = address.split(".")[-1] if "." in address else address
    parts = name.split("__")
    if len(parts) >= 2 and parts[0] in KINDS:
        return "environment" if parts[0] == "environment" else f"{parts[0]} {parts[1]}"
    entity = (tags or {}).get("alur-entity")
    if isinstance(entity, str) and ":" in entity:
        kind, _, ename = entity.partition(":")
        return f"{kind} {ename}"
    return "other"


def _changed_attributes(change: dict[str, Any]) -> tuple[str, ...]:
    """Attributes the configuration changes; computed-after-apply values are left out."""
    before, after = change.get("before"), change.get("after")
    unknown = change.get("after_unknown") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ()
    keys = (set(before) | set(after)) - {"tags_all"}
    changed = (k for k in keys if before.get(k) != after.get(k))
    return tuple(sorted(k for k in changed if k in after or unknown.get(k) is not True))


def summarise(plan: dict[str, Any], env: str) -> PlanSummary:
    summary = PlanSummary(env)
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") != "managed":
            continue
        change = rc.get("change", {})
        action = _action(change.get("actions", []))
        if action is None:
            continue
        attrs = _changed_attributes(change) if action == "update" else ()
        tags = (change.get("after") or change.get("before") or {}).get("tags")
        entity = entity_of(rc["address"], tags)
        summary.by_entity.setdefault(entity, []).append(
            Change(rc["address"], rc["type"], action, attrs)
        )
    for changes in summary.by_entity.values():
        changes.sort(key=lambda c: c.address)
    return summary


def with_chains(summary: PlanSummary, project: Project) -> PlanSummary:
    """Add the project's `after:` / `after_any:` chains (shown by `alurc plan`, changed or
    not)."""
    chained = [j for j in project.jobs if j.schedule is not None and j.schedule.predecessors]
    summary.chains = {j.name: tuple(sorted(j.schedule.predecessors)) for j in chained if j.schedule}
    summary.chain_rules = {j.name: chain_rule(j.schedule) for j in chained if j.schedule}
    return summary


def chain_rule(s: Schedule) -> str:
    """`after a, b`, `after any of a, b`, with the maximum wait when one is set."""
    rule = ("after " if s.after else "after any of ") + ", ".join(sorted(s.predecessors))
    if s.max_wait_minutes is not None:
        rule += f" (max wait {_minutes(s.max_wait_minutes)}, then {s.on_max_wait})"
    return rule


def _minutes(n: int) -> str:
    for unit, size in (("d", 1440), ("h", 60)):
        if n % size == 0:
            return f"{n // size}{unit}"
    return f"{n}m"


def chain_lines(summary: PlanSummary) -> list[str]:
    if not summary.chains:
        return []
    lines = ["  after: chains (EventBridge rule + chain Lambda, specs/schedule.md)"]
    width = max(len(j) for j in summary.chains)
    for job, preds in sorted(summary.chains.items()):
        rule = summary.chain_rules.get(job) or "after " + ", ".join(preds)
        lines.append(f"    {job:<{width}}  {rule}")
    return lines


def data_lines(summary: PlanSummary) -> list[str]:
    from alur_compiler.deploy.data_changes import render_data

    return render_data(summary.data) if summary.data is not None else []


def cost_lines(summary: PlanSummary) -> list[str]:
    from alur_compiler.cost.render import render_lines

    return render_lines(summary.cost) if summary.cost is not None else []


def render_text(summary: PlanSummary) -> list[str]:
    head = ", ".join(f"{summary.count(a)} to {a}" for a in SYMBOLS)
    if not summary.has_changes:
        same = f"{summary.env}: no changes; the infrastructure matches the build."
        return [same, *chain_lines(summary), *data_lines(summary), *cost_lines(summary)]
    lines = [f"{summary.env}: {head}"]
    for entity in sorted(summary.by_entity, key=lambda e: (e == "other", e)):
        lines.append(f"  {entity}")
        for c in summary.by_entity[entity]:
            extra = f" ({', '.join(c.attributes)})" if c.attributes else ""
            warn = "  !! DATA LOSS POSSIBLE" if c.destructive else ""
            lines.append(f"    {SYMBOLS[c.action]:>3} {c.action:<7} {c.address}{extra}{warn}")
    if summary.destructive:
        destructive = count(len(summary.destructive), "destructive change")
        lines.append(f"  {destructive}: `alurc apply` refuses them unless --allow-destroy")
    return lines + chain_lines(summary) + data_lines(summary) + cost_lines(summary)
