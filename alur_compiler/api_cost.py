"""`alurc cost` as a plain function, and the cost section `alurc plan` adds (specs/cost.md).

Run counts come from the schedule preview over the 30 days from `start`; durations from
the deployed jobs' last runs (GetJobRuns), else `expected_minutes`, else the timeout;
"now" from the deployed jobs' settings and cron triggers (GetJob, GetTrigger). With
`offline`, AWS is not read: no observed durations and no comparison. Nothing prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from alur_compiler.diagnostics import Diagnostics

if TYPE_CHECKING:
    from alur_compiler.cost.estimate import EnvCost
    from alur_compiler.deploy.errors import DeployError
    from alur_compiler.ir import Environment, Project


@dataclass
class CostResult:
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, str] = field(default_factory=dict)
    project: Project | None = None
    cost: EnvCost | None = None
    error: DeployError | None = None  # reading AWS failed (message + hint)

    @property
    def exit_code(self) -> int:
        if self.project is None or self.diagnostics.has_errors:
            return 1
        if self.error is not None:
            return 2 if self.error.usage else 1
        return 0


def environment_cost(
    project: Project,
    env: Environment,
    start: datetime,
    offline: bool = False,
    override: Decimal | None = None,
) -> EnvCost:
    """ENV's expected cost for the 30 days from `start`; reads AWS unless `offline`."""
    from alur_compiler.cost.estimate import estimate
    from alur_compiler.cost.runs import WINDOW, run_counts, with_schedules

    end = start + WINDOW
    runs = run_counts(project, start, end)
    if offline:
        return estimate(project, env, (start, end), runs, override=override)
    from alur_compiler.deploy.cost_observed import SOURCE, deployed_settings, observed_durations

    observed = observed_durations(project, env)
    capacity, schedules = deployed_settings(project, env)
    now_runs = run_counts(with_schedules(project, schedules), start, end)
    deployed = (capacity, now_runs, SOURCE)
    return estimate(project, env, (start, end), runs, observed, deployed, override)


def cost(
    path: Path,
    env: str,
    start: datetime,
    offline: bool = False,
    override: Decimal | None = None,
) -> CostResult:
    """Load the project and estimate ENV's monthly Glue cost (no Terraform)."""
    from alur_compiler import api
    from alur_compiler.deploy import stack_ops
    from alur_compiler.deploy.errors import DeployError

    loaded = api.load(path)
    result = CostResult(loaded.diagnostics, loaded.files, loaded.project)
    if result.project is None or result.diagnostics.has_errors:
        result.project = None
        return result
    try:
        environment = stack_ops.environment(result.project, env)
        result.cost = environment_cost(result.project, environment, start, offline, override)
    except DeployError as exc:
        result.error = exc
    return result
