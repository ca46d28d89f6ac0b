"""bootstrap, plan, apply, destroy, logs: the commands that reach AWS (specs/deploy.md).

Each command parses its arguments, calls its function in the API (api_deploy.py) with
hooks that print, and exits with the result's exit code.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, cast

import typer

from alur_compiler import api
from alur_compiler.api_deploy import DATA_GATE_EXIT
from alur_compiler.cli.app import app
from alur_compiler.cli.common import OutputFormat as DiagFormat
from alur_compiler.cli.common import ProjectDir, fail_usage, report
from alur_compiler.cli.cost_cmd import PriceOption, parse_price
from alur_compiler.deploy.plan_summary import PlanSummary, render_text
from alur_compiler.diagnostics import Diagnostics

if TYPE_CHECKING:
    from alur_compiler.ir.changes import Kind

EnvOption = Annotated[str, typer.Option("--env", "-e", help="Environment from alur.yaml.")]
PluginDirOption = Annotated[
    Path | None,
    typer.Option(
        "--plugin-dir",
        help="Provider mirror for offline `terraform init` (default: $ALURC_TF_PLUGIN_DIR).",
    ),
]


class PlanFormat(StrEnum):
    text = "text"
    json = "json"


class DataClass(StrEnum):
    """The change classes of specs/evolution.md, least severe first (ir/changes.SEVERITY)."""

    metadata = "metadata"
    new = "new"
    additive = "additive"
    widening = "widening"
    logic = "logic"
    breaking = "breaking"


AutoApprove = Annotated[bool, typer.Option("--auto-approve", help="Do not ask for confirmation.")]


def _show(summary: PlanSummary, as_json: bool = False) -> None:
    if as_json:
        typer.echo(json.dumps(summary.to_json(), indent=2, sort_keys=True))
    else:
        typer.echo("\n".join(render_text(summary)))


def _hooks(question: str | None = None, auto_approve: bool = False) -> api.DeployHooks:
    """Diagnostics to stderr, the summary before the question, progress lines to stdout."""

    def diagnostics(diags: Diagnostics, files: dict[str, str]) -> None:
        report(diags, files, DiagFormat.text)

    def confirm(summary: PlanSummary) -> bool:
        return auto_approve or question is None or typer.confirm(question)

    return api.DeployHooks(diagnostics=diagnostics, summary=_show, confirm=confirm, out=typer.echo)


def _finish(result: api.DeployResult) -> NoReturn:
    """Render what the result adds to the hooks' output, then exit with its code."""
    if result.applied is not None:
        typer.echo(result.applied)
    if result.error is not None:
        typer.echo(result.error.render(), err=True)
    if result.usage_error is not None:
        typer.echo(f"error: {result.usage_error}", err=True)
        if result.usage_hint:
            typer.echo(f"  hint: {result.usage_hint}", err=True)
    raise typer.Exit(result.exit_code)


@app.command()
def bootstrap(env: EnvOption, path: ProjectDir = Path(".")) -> None:
    """Create the S3 state bucket and DynamoDB lock table of ENV (idempotent)."""
    _finish(api.bootstrap(path, env, _hooks()))


@app.command()
def plan(
    env: Annotated[
        str | None, typer.Option("--env", "-e", help="Environment from alur.yaml.")
    ] = None,
    path: ProjectDir = Path("."),
    local: Annotated[
        bool,
        typer.Option(
            "--local",
            help="Classify the contract changes against the local warehouse instead "
            "(no AWS, no Terraform).",
        ),
    ] = False,
    plugin_dir: PluginDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    fmt: Annotated[
        PlanFormat, typer.Option("--format", help="text, or json for CI (same as --json).")
    ] = PlanFormat.text,
    fail_on: Annotated[
        DataClass | None,
        typer.Option(
            "--fail-on",
            help="Exit 3 when a data change of this class or a more severe one is planned "
            "(metadata < new < additive < widening < logic < breaking).",
        ),
    ] = None,
    price: PriceOption = None,
) -> None:
    """Compile, then `terraform plan` ENV; print the changes per table/pipeline/ingestion,
    what each means for stored data (specs/evolution.md) and the expected monthly Glue
    cost against what is deployed (specs/cost.md). With --local: only the data changes,
    against the local warehouse."""
    gate = fail_on.value if fail_on is not None else None
    if local or env is None:
        if env is not None:
            fail_usage("--local and --env exclude each other", "give one of them")
        if not local:
            fail_usage("give --env ENV (an environment of alur.yaml) or --local")
        _plan_local(path, as_json or fmt is PlanFormat.json, gate)
    rate = parse_price(price)
    result = api.plan(path, env, plugin_dir, _hooks(), fail_on=gate, price=rate)
    if result.summary is not None:
        _show(result.summary, as_json or fmt is PlanFormat.json)
        if result.exit_code == DATA_GATE_EXIT:
            typer.echo(f"error: data changes of class {gate} or worse (--fail-on {gate})", err=True)
        if result.summary.has_changes:
            typer.echo(f"saved; apply exactly this plan with: alurc apply --env {env}", err=True)
    _finish(result)


def _plan_local(path: Path, as_json: bool, gate: str | None) -> NoReturn:
    """`plan --local`: the data changes against the local warehouse; exit 3 by --fail-on."""
    from alur_compiler.deploy.data_changes import fails_gate, render_data
    from alur_compiler.local.observed import UnreadableTable
    from alur_compiler.local.plan import local_data_plan

    loaded = api.load(path)
    report(loaded.diagnostics, loaded.files, DiagFormat.text)
    if loaded.project is None or loaded.diagnostics.has_errors:
        raise typer.Exit(1)
    try:
        data = local_data_plan(loaded.project)
    except UnreadableTable as exc:
        typer.echo(f"error: cannot read the local warehouse: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps({"data": data.to_json()}, indent=2, sort_keys=True))
    else:
        typer.echo("\n".join(["local warehouse:", *render_data(data)]))
    if fails_gate(data, cast("Kind | None", gate)):
        typer.echo(f"error: data changes of class {gate} or worse (--fail-on {gate})", err=True)
        raise typer.Exit(DATA_GATE_EXIT)
    raise typer.Exit(0)


@app.command()
def apply(
    env: EnvOption,
    path: ProjectDir = Path("."),
    auto_approve: AutoApprove = False,
    allow_destroy: Annotated[
        bool, typer.Option("--allow-destroy", help="Apply a plan that replaces or deletes data.")
    ] = False,
    plugin_dir: PluginDirOption = None,
    allow_breaking: Annotated[
        bool,
        typer.Option(
            "--allow-breaking",
            help="Apply although a contract change is breaking (then refresh the tables).",
        ),
    ] = False,
) -> None:
    """Apply the plan saved by `alurc plan` (nothing else); asks unless --auto-approve."""
    hooks = _hooks(f"Apply these changes to {env}?", auto_approve)
    _finish(api.apply(path, env, plugin_dir, allow_destroy, hooks, allow_breaking))


@app.command()
def destroy(
    env: EnvOption,
    path: ProjectDir = Path("."),
    auto_approve: AutoApprove = False,
    plugin_dir: PluginDirOption = None,
) -> None:
    """Destroy everything alurc deployed in ENV (the lake bucket only if it is empty)."""
    hooks = _hooks(f"Destroy all of {env}? Data may be lost", auto_approve)
    _finish(api.destroy(path, env, plugin_dir, hooks))


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
    _finish(api.logs(path, env, run_id, job, _hooks()))
