"""bootstrap, plan, apply, destroy, logs: the commands that reach AWS (specs/deploy.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from alur_compiler import api
from alur_compiler.cli.app import app
from alur_compiler.cli.common import OutputFormat as DiagFormat
from alur_compiler.cli.common import ProjectDir, report
from alur_compiler.deploy import stack_ops
from alur_compiler.deploy.bootstrap import bootstrap as bootstrap_env
from alur_compiler.deploy.errors import DeployError
from alur_compiler.deploy.glue_runs import print_logs
from alur_compiler.deploy.plan_summary import PlanSummary, render_text
from alur_compiler.deploy.terraform import TerraformOptions
from alur_compiler.ir import Project

EnvOption = Annotated[str, typer.Option("--env", "-e", help="Environment from alur.yaml.")]
PluginDirOption = Annotated[
    Path | None,
    typer.Option(
        "--plugin-dir",
        help="Provider mirror for offline `terraform init` (default: $ALURC_TF_PLUGIN_DIR).",
    ),
]
AutoApprove = Annotated[bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")]


def _fail(exc: DeployError) -> typer.Exit:
    typer.echo(exc.render(), err=True)
    return typer.Exit(1)


def _project(path: Path) -> Project:
    result = api.load(path)
    report(result.diagnostics, result.files, DiagFormat.text)
    if result.project is None or result.diagnostics.has_errors:
        raise typer.Exit(1)
    return result.project


def _compile(path: Path) -> tuple[Project, Path]:
    project = _project(path)
    result = api.compile_project(path)
    report(result.diagnostics, result.files, DiagFormat.text)
    if result.diagnostics.has_errors or result.out is None:
        raise typer.Exit(1)
    return project, result.out


def _show(summary: PlanSummary, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary.to_json(), indent=2, sort_keys=True))
    else:
        typer.echo("\n".join(render_text(summary)))


@app.command()
def bootstrap(env: EnvOption, path: ProjectDir = Path(".")) -> None:
    """Create the S3 state bucket and DynamoDB lock table of ENV (idempotent)."""
    project = _project(path)
    try:
        bootstrap_env(stack_ops.environment(project, env), out=typer.echo)
    except DeployError as exc:
        raise _fail(exc) from None


@app.command()
def plan(
    env: EnvOption,
    path: ProjectDir = Path("."),
    plugin_dir: PluginDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Compile, then `terraform plan` ENV; print the changes per table/pipeline/ingestion."""
    project, build = _compile(path)
    try:
        summary = stack_ops.plan(project, env, build, TerraformOptions(plugin_dir=plugin_dir))
    except DeployError as exc:
        raise _fail(exc) from None
    _show(summary, as_json)
    if summary.has_changes:
        typer.echo(f"saved; apply exactly this plan with: alurc apply --env {env}", err=True)


@app.command()
def apply(
    env: EnvOption,
    path: ProjectDir = Path("."),
    auto_approve: AutoApprove = False,
    allow_destroy: Annotated[
        bool, typer.Option("--allow-destroy", help="Apply a plan that replaces or deletes data.")
    ] = False,
    plugin_dir: PluginDirOption = None,
) -> None:
    """Apply the plan saved by `alurc plan` (nothing else); asks unless --auto-approve."""
    project = _project(path)
    build, options = Path(project.root) / "build", TerraformOptions(plugin_dir=plugin_dir)
    try:
        summary = stack_ops.saved_plan(project, env, build, options)
        _show(summary, as_json=False)
        if not summary.has_changes:
            return
        if not auto_approve and not typer.confirm(f"Apply these changes to {env}?"):
            raise typer.Exit(1)
        typer.echo(stack_ops.apply(project, env, build, options, allow_destroy=allow_destroy))
    except DeployError as exc:
        raise _fail(exc) from None


@app.command()
def destroy(
    env: EnvOption,
    path: ProjectDir = Path("."),
    auto_approve: AutoApprove = False,
    plugin_dir: PluginDirOption = None,
) -> None:
    """Destroy everything alurc deployed in ENV (the lake bucket only if it is empty)."""
    project, build = _compile(path)
    options = TerraformOptions(plugin_dir=plugin_dir)
    try:
        summary = stack_ops.plan(project, env, build, options, destroy=True)
        _show(summary, as_json=False)
        if not summary.has_changes:
            return
        if not auto_approve and not typer.confirm(f"Destroy all of {env}? Data may be lost"):
            raise typer.Exit(1)
        typer.echo(stack_ops.apply(project, env, build, options, allow_destroy=True))
    except DeployError as exc:
        raise _fail(exc) from None


@app.command()
def logs(
    run_id: Annotated[str, typer.Argument(help="Glue job run id (jr_...).")],
    env: EnvOption,
    path: ProjectDir = Path("."),
    job: Annotated[
        str | None, typer.Option("--job", help="Read the job's own continuous-log group.")
    ] = None,
) -> None:
    """Print a Glue run's CloudWatch output (group /aws-glue/jobs/output, stream = run id)."""
    project = _project(path)
    try:
        stack_ops.environment(project, env)
        if job is not None:
            project.job(job)
    except DeployError as exc:
        raise _fail(exc) from None
    except KeyError:
        typer.echo(f"error: unknown pipeline or ingestion '{job}'", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(print_logs(project, env, run_id, job_name=job, out=typer.echo))
