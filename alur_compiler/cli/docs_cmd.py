"""`alurc docs`: build the static documentation site; `--serve` serves it on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path
from typing import Annotated

import typer

from alur_compiler.cli.app import app
from alur_compiler.cli.common import FormatOption, OutputFormat, ProjectDir, report
from alur_compiler.diagnostics.words import count


def make_server(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server for `folder` on 127.0.0.1 (port 0: a free one), not yet serving."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@app.command()
def docs(
    path: ProjectDir = Path("."),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Site folder (default: PROJECT/.alur/docs)."),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the site on 127.0.0.1 until Ctrl-C.")
    ] = False,
    port: Annotated[
        int, typer.Option(help="Port for --serve (0: any free port).", min=0, max=65535)
    ] = 8000,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Build a static docs site: tables, jobs, SQL, the job DAG, column lineage, search.

    One folder that works offline from index.html (no network, no CDN); the same project
    gives the same bytes. Shows the last `alurc run --local` figures when there are any.
    """
    from alur_compiler.api_docs import build_docs

    result = build_docs(path, out)
    report(result.diagnostics, result.files, fmt)
    if not result.ok or result.out is None:
        raise typer.Exit(1)
    index = result.out / "index.html"
    runs = f", last local run of {count(result.runs, 'job')}" if result.runs else ""
    typer.echo(
        f"docs: {index} ({count(len(result.generated), 'file')}, "
        f"{len(result.written)} written{runs})",
        err=fmt is not OutputFormat.text,  # stdout carries the JSON / GitHub diagnostics
    )
    if not serve:
        return
    try:
        server = make_server(result.out, port)
    except OSError as exc:
        typer.echo(f"error: cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}", err=True)
        typer.echo("  hint: choose another port with --port (0: any free port)", err=True)
        raise typer.Exit(1) from None
    host, bound = server.server_address[:2]
    typer.echo(f"serving http://{host!s}:{bound}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
