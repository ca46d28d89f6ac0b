"""`alurc cost --env ENV`: the expected monthly Glue cost of an environment, per job, on
stdout (specs/cost.md). `alurc plan` prints the same section after its changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from alur_compiler.cli.app import app
from alur_compiler.cli.common import OutputFormat, ProjectDir, fail_usage, report

PriceOption = Annotated[
    str | None,
    typer.Option(
        "--price-per-dpu-hour",
        help="USD per DPU-hour for every job, instead of the built-in regional table.",
    ),
]


class CostFormat(StrEnum):
    text = "text"
    json = "json"


def parse_price(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        fail_usage(f"--price-per-dpu-hour: '{text}' is not a price", "USD, e.g. 0.44")
    return value


def _start(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        fail_usage(f"--from: '{text}' is not a time", "ISO 8601, e.g. 2026-12-02T06:00 (UTC)")
    return (t.replace(tzinfo=UTC) if t.tzinfo is None else t).astimezone(UTC)


@app.command()
def cost(
    env: Annotated[str, typer.Option("--env", "-e", help="Environment from alur.yaml.")],
    path: ProjectDir = Path("."),
    start: Annotated[
        str | None,
        typer.Option("--from", help="Start of the 30 days counted, ISO 8601 UTC (default: now)."),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Do not read AWS: declared durations only, no comparison with what is deployed.",
        ),
    ] = False,
    price: PriceOption = None,
    fmt: Annotated[
        CostFormat, typer.Option("--format", "-f", help="text or json (on stdout).")
    ] = CostFormat.text,
) -> None:
    """Expected Glue cost of ENV for 30 days, per job and in total (specs/cost.md).

    Runs x DPUs x duration x price per DPU-hour, and the change against the jobs as
    deployed now (unless --offline). No Terraform."""
    from alur_compiler.api_cost import cost as estimate_cost
    from alur_compiler.cost.render import render_lines, to_json

    override = parse_price(price)
    result = estimate_cost(path, env, _start(start), offline, override)
    report(result.diagnostics, result.files, OutputFormat.text)
    if result.error is not None:
        typer.echo(result.error.render(), err=True)
    if result.cost is not None:
        if fmt is CostFormat.json:
            typer.echo(json.dumps(to_json(result.cost), indent=2, sort_keys=True))
        else:
            typer.echo("\n".join(render_lines(result.cost)))
    raise typer.Exit(result.exit_code)
