"""The deploy commands as plain functions: bootstrap, plan, apply, destroy, run_remote, logs.

Each loads (or compiles) the project once, reports its diagnostics once through
`hooks.diagnostics`, then drives the deploy layer. Nothing here prints: progress lines go
to `hooks.out`, a plan summary to `hooks.summary` (before any question), a question to
`hooks.confirm`; the returned `DeployResult` holds the rest and the exit code. The deploy
layer (terraform, boto3) is imported inside the functions, so `import alur_compiler.api`
stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from alur_compiler.diagnostics import Diagnostics

if TYPE_CHECKING:
    from alur_compiler.deploy.errors import DeployError
    from alur_compiler.deploy.plan_summary import PlanSummary
    from alur_compiler.deploy.terraform import TerraformOptions
    from alur_compiler.ir import Project


def _ignore(*_: object) -> None:
    return None


def _yes(_: PlanSummary) -> bool:
    return True


@dataclass(frozen=True)
class DeployHooks:
    """How a deploy function talks to its caller (the CLI renders; tests record)."""

    #: called once, right after the project was loaded or compiled, warnings included
    diagnostics: Callable[[Diagnostics, dict[str, str]], None] = _ignore
    summary: Callable[[PlanSummary], None] = _ignore  # the plan about to be applied
    confirm: Callable[[PlanSummary], bool] = _yes  # asked only when the plan changes things
    out: Callable[[str], None] = _ignore  # progress lines (bootstrap, run, logs)


@dataclass
class DeployResult:
    """What a deploy function did; `exit_code` is the CLI's exit status."""

    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, str] = field(default_factory=dict)
    project: Project | None = None
    build: Path | None = None
    summary: PlanSummary | None = None
    applied: str | None = None  # terraform apply's output
    error: DeployError | None = None  # a deploy step failed (message + hint)
    usage_error: str | None = None  # a bad argument (exit 2)
    usage_hint: str | None = None  # what to write instead
    declined: bool = False  # the user answered no
    code: int = 0  # the exit code of a step that returns one (run_remote, logs)

    @property
    def exit_code(self) -> int:
        if self.usage_error is not None or (self.error is not None and self.error.usage):
            return 2
        if self.project is None or self.diagnostics.has_errors:
            return 1
        if self.error is not None or self.declined:
            return 1
        return self.code


def _loaded(path: Path, hooks: DeployHooks, compile_: bool = False) -> DeployResult:
    """Load (or compile into PROJECT/build) once and report the diagnostics once."""
    from alur_compiler import api

    if compile_:
        compiled = api.compile_and_load(path)
        result = DeployResult(compiled.diagnostics, compiled.files, compiled.project)
        result.build = compiled.out
        if compiled.out is None or not compiled.ok:
            result.project = None
    else:
        loaded = api.load(path)
        result = DeployResult(loaded.diagnostics, loaded.files, loaded.project)
        if result.project is not None:
            result.build = Path(result.project.root) / "build"
    hooks.diagnostics(result.diagnostics, result.files)
    if result.diagnostics.has_errors:
        result.project = None
    return result


def _options(plugin_dir: Path | None, hooks: DeployHooks) -> TerraformOptions:
    from alur_compiler.deploy.terraform import TerraformOptions

    return TerraformOptions(plugin_dir=plugin_dir, out=hooks.out)


def bootstrap(path: Path, env: str, hooks: DeployHooks = DeployHooks()) -> DeployResult:
    """Create ENV's S3 state bucket and DynamoDB lock table (idempotent)."""
    from alur_compiler.deploy import stack_ops
    from alur_compiler.deploy.bootstrap import bootstrap as bootstrap_env
    from alur_compiler.deploy.errors import DeployError

    result = _loaded(path, hooks)
    if result.project is None:
        return result
    try:
        bootstrap_env(stack_ops.environment(result.project, env), out=hooks.out)
    except DeployError as exc:
        result.error = exc
    return result


#: exit code of `plan --fail-on CLASS` when a data change of that class (or worse) exists
DATA_GATE_EXIT = 3


def plan(
    path: Path,
    env: str,
    plugin_dir: Path | None = None,
    hooks: DeployHooks = DeployHooks(),
    fail_on: str | None = None,
    price: Decimal | None = None,
) -> DeployResult:
    """Compile, then `terraform plan` ENV and save the plan; `summary` says what changes,
    its `data` what that means for stored data (exit 3 with `fail_on` when it is as bad),
    its `cost` the expected monthly Glue cost, planned and now (`price`: USD/DPU-hour)."""
    from alur_compiler.api_cost import environment_cost
    from alur_compiler.deploy import stack_ops
    from alur_compiler.deploy.data_changes import data_plan, fails_gate
    from alur_compiler.deploy.errors import DeployError

    result = _loaded(path, hooks, compile_=True)
    if result.project is None or result.build is None:
        return result
    try:
        result.summary = stack_ops.plan(
            result.project, env, result.build, _options(plugin_dir, hooks)
        )
        data = data_plan(result.project, stack_ops.environment(result.project, env))
        result.summary.data = data
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        environment = stack_ops.environment(result.project, env)
        result.summary.cost = environment_cost(result.project, environment, now, override=price)
        if fails_gate(data, fail_on):  # type: ignore[arg-type]
            result.code = DATA_GATE_EXIT
    except DeployError as exc:
        result.error = exc
    return result


def apply(
    path: Path,
    env: str,
    plugin_dir: Path | None = None,
    allow_destroy: bool = False,
    hooks: DeployHooks = DeployHooks(),
    allow_breaking: bool = False,
) -> DeployResult:
    """Apply exactly the plan saved by `plan` (after `hooks.confirm`), nothing else; a
    breaking data change is refused unless `allow_breaking` (the error says what to run)."""
    from alur_compiler.deploy import stack_ops
    from alur_compiler.deploy.data_changes import data_plan, refuse_breaking
    from alur_compiler.deploy.errors import DeployError

    result = _loaded(path, hooks)
    if result.project is None or result.build is None:
        return result
    options = _options(plugin_dir, hooks)
    try:
        result.summary = stack_ops.saved_plan(result.project, env, result.build, options)
        data = data_plan(result.project, stack_ops.environment(result.project, env))
        result.summary.data = data
        if not allow_breaking:
            refuse_breaking(data, env)
        _apply(result, env, options, hooks, allow_destroy)
    except DeployError as exc:
        result.error = exc
    return result


def destroy(
    path: Path, env: str, plugin_dir: Path | None = None, hooks: DeployHooks = DeployHooks()
) -> DeployResult:
    """Compile, plan the destruction of everything in ENV, and apply it after `confirm`."""
    from alur_compiler.deploy import stack_ops
    from alur_compiler.deploy.errors import DeployError

    result = _loaded(path, hooks, compile_=True)
    if result.project is None or result.build is None:
        return result
    options = _options(plugin_dir, hooks)
    try:
        result.summary = stack_ops.plan(result.project, env, result.build, options, destroy=True)
        _apply(result, env, options, hooks, allow_destroy=True)
    except DeployError as exc:
        result.error = exc
    return result


def _apply(
    result: DeployResult,
    env: str,
    options: TerraformOptions,
    hooks: DeployHooks,
    allow_destroy: bool,
) -> None:
    """Show the summary; when it changes anything and the caller agrees, apply it."""
    from alur_compiler.deploy import stack_ops

    assert result.project is not None and result.build is not None
    assert result.summary is not None
    hooks.summary(result.summary)
    if not result.summary.has_changes:
        return
    if not hooks.confirm(result.summary):
        result.declined = True
        return
    result.applied = stack_ops.apply(
        result.project, env, result.build, options, allow_destroy=allow_destroy
    )


def run_remote(
    path: Path,
    env: str,
    job: str,
    wait: bool = True,
    hooks: DeployHooks = DeployHooks(),
    full_refresh: bool = False,
    confirm: Callable[[list[str]], bool] | None = None,
) -> DeployResult:
    """Start the deployed Glue job JOB in ENV and follow it to a final state; with
    `full_refresh`, `confirm` is asked first (after an ingestion is refused)."""
    from alur_compiler.deploy.glue_runs import run_remote as start_and_follow

    result = _loaded(path, _quiet_unless_broken(hooks))
    if result.project is not None:
        result.code = int(
            start_and_follow(
                result.project,
                env,
                job,
                wait=wait,
                out=hooks.out,
                full_refresh=full_refresh,
                confirm=confirm,
            )
        )
    return result


def _quiet_unless_broken(hooks: DeployHooks) -> DeployHooks:
    """`run --env` shows diagnostics only when the project cannot be built."""

    def report(diags: Diagnostics, files: dict[str, str]) -> None:
        if diags.has_errors:
            hooks.diagnostics(diags, {})

    return DeployHooks(report, hooks.summary, hooks.confirm, hooks.out)


def logs(
    path: Path, env: str, run_id: str, job: str | None = None, hooks: DeployHooks = DeployHooks()
) -> DeployResult:
    """Print (to `hooks.out`) a Glue run's CloudWatch output; with JOB, its own log group."""
    from alur_compiler.deploy import stack_ops
    from alur_compiler.deploy.errors import DeployError
    from alur_compiler.deploy.glue_runs import print_logs

    result = _loaded(path, hooks)
    if result.project is None:
        return result
    from alur_compiler import lookup
    from alur_compiler.diagnostics.suggest import UnknownName

    try:
        stack_ops.environment(result.project, env)
        if job is not None:
            lookup.job(result.project, job)
    except DeployError as exc:
        result.error = exc
        return result
    except UnknownName as exc:
        result.usage_error, result.usage_hint = exc.message, exc.hint
        return result
    result.code = print_logs(result.project, env, run_id, job_name=job, out=hooks.out)
    return result
