"""`alurc schedule`: the job starts of the next 24 hours (or a window), on stdout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from alur_compiler import api
from alur_compiler.cli.app import app
from alur_compiler.cli.common import OutputFormat, ProjectDir, exit_code, fail_usage, report
from alur_compiler.diagnostics.suggest import UnknownName


class ScheduleFormat(StrEnum):
    text = "text"
    json = "json"


def _time(text: str | None, option: str) -> datetime | None:
    """ISO 8601; without an offset it is UTC (AWS cron is always UTC)."""
    if text is None:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        fail_usage(f"{option}: '{text}' is not a time", "ISO 8601, e.g. 2026-12-02T06:00 (UTC)")
    return (t.replace(tzinfo=UTC) if t.tzinfo is None else t).astimezone(UTC)


@app.command()
def schedule(
    path: ProjectDir = Path("."),
    env: Annotated[
        str | None, typer.Option("--env", "-e", help="Environment (default: the first).")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Window start, ISO 8601 UTC (default: now).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Window end (default: 24 hours after --from).")
    ] = None,
    fmt: Annotated[
        ScheduleFormat, typer.Option("--format", "-f", help="text or json (on stdout).")
    ] = ScheduleFormat.text,
) -> None:
    """Which jobs start when: each firing with the cron or the after: / after_any:
    predecessors that start it, and max_wait late starts and alerts, by AWS cron rules
    (UTC), as if every run succeeded at once."""
    result = api.load(path)
    if result.project is None or result.diagnostics.has_errors:
        report(result.diagnostics, result.files, OutputFormat.text)
        raise typer.Exit(exit_code(result.diagnostics) or 1)
    project = result.project
    names = [e.name for e in project.environments]
    if env is not None and env not in names:
        unknown = UnknownName("environment", env, names)
        fail_usage(unknown.message, unknown.hint)
    environment = next(e for e in project.environments if env in (None, e.name))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    t0 = _time(start, "--from") or now
    t1 = _time(end, "--to") or t0 + timedelta(hours=24)
    if t1 <= t0:
        fail_usage("--to must be after --from")
    # Imported here: the preview runs the chain Lambda's own decision function from
    # alur_runtime, which the CLI must not import at start-up (`run --local` imports the
    # runtime from the build's wheel, and only from there).
    from alur_compiler.schedule import preview

    found = preview.firings(project, t0, t1)
    if fmt is ScheduleFormat.json:
        doc = preview.to_json(project, environment, t0, t1, found)
        typer.echo(json.dumps(doc, indent=2))
    else:
        typer.echo("\n".join(preview.render_text(project, environment, t0, t1, found)))
