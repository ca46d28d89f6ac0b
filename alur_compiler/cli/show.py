"""`alurc show TABLE` and `alurc query "SQL"`: rows of the local warehouse on stdout.

Results go to stdout (a rich table, CSV or JSON); errors and hints to stderr. Values are
written as Spark returns them: CSV and JSON spell decimals exactly (as strings in JSON),
dates and timestamps in ISO 8601, NULL as an empty CSV field or JSON null.
"""

from __future__ import annotations

import base64
import csv
import datetime
import decimal
import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from alur_compiler.api_query import ReadRun, Rows, ShowOptions, query_local, show_local
from alur_compiler.cli.app import app
from alur_compiler.cli.common import OutputFormat, fail_usage, report
from alur_compiler.cli.selecting import ExcludeOption, SelectOption, tables_or_exit
from alur_compiler.diagnostics.words import count


class RowFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


RowFormatOption = Annotated[
    RowFormat, typer.Option("--format", "-f", help="table, csv or json (on stdout).")
]
PathArg = Annotated[Path, typer.Argument(help="Project folder (default: .).")]


@app.command()
def show(
    table: Annotated[
        str | None,
        typer.Argument(
            help="orders, silver.orders, orders_quarantine, orders__alur_tombstones "
            "(or use --select)."
        ),
    ] = None,
    path: PathArg = Path("."),
    select: SelectOption = None,
    exclude: ExcludeOption = None,
    limit: Annotated[int, typer.Option(help="At most this many rows per table.", min=0)] = 20,
    where: Annotated[str | None, typer.Option(help="A SQL condition on the rows.")] = None,
    columns: Annotated[
        str | None, typer.Option(help="Comma-separated columns (default: all).")
    ] = None,
    fmt: RowFormatOption = RowFormat.table,
) -> None:
    """Show the rows of a table of the local warehouse (bronze, silver, gold, quarantine)."""
    if table is not None and path == Path(".") and (Path(table) / "alur.yaml").is_file():
        path, table = Path(table), None  # `alurc show examples/retail --select ...`
    names = [table] if table else []
    if select or exclude:
        from alur_compiler import api

        loaded = api.load(path)
        if loaded.project is None:
            report(loaded.diagnostics, loaded.files, OutputFormat.text)
            raise typer.Exit(1)
        names += tables_or_exit(loaded.project, select, exclude)
    if not names:
        fail_usage("name a TABLE or --select tables", "for example `alurc show orders`")
    if fmt is not RowFormat.table and len(names) > 1:
        fail_usage(f"--format {fmt} prints one table; {len(names)} are selected")
    wanted = [c.strip() for c in (columns or "").split(",") if c.strip()]
    run = show_local(path, sorted(set(names), key=names.index), ShowOptions(where, wanted, limit))
    raise typer.Exit(_render(run, fmt))


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help='One SELECT, e.g. "SELECT * FROM silver.orders".')],
    path: PathArg = Path("."),
    limit: Annotated[
        int | None, typer.Option(help="At most this many rows (default: all).", min=0)
    ] = None,
    fmt: RowFormatOption = RowFormat.table,
) -> None:
    """Run one read-only SQL query over the local warehouse, by the contracts' names."""
    raise typer.Exit(_render(query_local(path, sql, limit), fmt))


def _render(run: ReadRun, fmt: RowFormat) -> int:
    if run.project is None:
        report(run.diagnostics, run.files, OutputFormat.text)
        return run.exit_code
    if run.error is not None:
        message, hint = run.error
        if run.usage:
            fail_usage(message, hint or None)
        typer.echo(f"error: {message}", err=True)
        if hint:
            typer.echo(f"  hint: {hint}", err=True)
        return run.exit_code
    for message, _ in run.skipped:
        typer.echo(f"note: {message}", err=True)
    for result in run.results:
        if fmt is RowFormat.csv:
            write_csv(result)
        elif fmt is RowFormat.json:
            sys.stdout.write(json.dumps(json_rows(result), ensure_ascii=False, indent=2) + "\n")
        else:
            out = Console(width=None if sys.stdout.isatty() else 160)
            out.print(f"{result.name} ({count(len(result.rows), 'row')})", highlight=False)
            out.print(_table(result))
    return 0


def _table(result: Rows) -> Table:
    table = Table()
    for col in result.columns:
        table.add_column(col)
    for row in result.rows:
        table.add_row(*["" if v is None else text_value(v) for v in row], end_section=False)
    return table


def text_value(value: Any) -> str:
    """A value as CSV and the table show it."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple | dict):
        return json.dumps(json_value(value), ensure_ascii=False, sort_keys=True)
    return str(value)


def json_value(value: Any) -> Any:
    """A value as JSON shows it: numbers and booleans as such, decimals exactly as strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "asDict"):  # a struct
        return {k: json_value(v) for k, v in value.asDict().items()}
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return text_value(value)


def json_rows(result: Rows) -> list[dict[str, Any]]:
    return [dict(zip(result.columns, map(json_value, row), strict=True)) for row in result.rows]


def write_csv(result: Rows) -> None:
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(result.columns)
    for row in result.rows:
        out.writerow(["" if v is None else text_value(v) for v in row])
