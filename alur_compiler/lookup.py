"""Names given on the command line, resolved against the project: one way for every command.

`alurc run stg_customer`, `--env prd`, `--job`, `lineage TABLE.COLUMN` all resolve here and
raise `UnknownName` (diagnostics/suggest.py) with a did-you-mean and a hint; the CLI prints
it as a usage error, the deploy layer as its own error.
"""

from __future__ import annotations

from collections.abc import Sequence

from alur_compiler.diagnostics.suggest import UnknownName, lookup, require_known
from alur_compiler.ir import Environment, Ingestion, Pipeline, Project, Table

ENVIRONMENT_HINT = "environments are defined under `environments:` in alur.yaml"
NO_ENVIRONMENT_HINT = (
    "add one under `environments:` in alur.yaml (region and buckets, specs/project.md); "
    "`alurc run --local` needs none"
)
JOB_HINT = "see `alurc graph` for the jobs and the tables they read and write"


def environment(project: Project, name: str) -> Environment:
    """The environment `name` of alur.yaml."""
    known = {e.name: e for e in project.environments}
    if not known:  # environments are optional (a project used only with run --local)
        unknown = UnknownName("environment", name, (), NO_ENVIRONMENT_HINT)
        unknown.message = f"no environment is declared in alur.yaml, so there is no '{name}'"
        raise unknown
    return lookup("environment", name, known, ENVIRONMENT_HINT)


def job(project: Project, name: str) -> Pipeline | Ingestion:
    """The pipeline or ingestion `name`."""
    return lookup("job", name, {j.name: j for j in project.jobs}, JOB_HINT)


def jobs(project: Project, names: Sequence[str]) -> None:
    """Every one of `names` is a job of the project (all unknown ones reported at once)."""
    require_known("job", names, (j.name for j in project.jobs), JOB_HINT)


def table(project: Project, name: str) -> Table:
    return lookup("table", name, {t.name: t for t in project.tables}, "tables are contracts")


def column(project: Project, ref: str) -> tuple[Table, str]:
    """TABLE.COLUMN -> (the table, the column name)."""
    name, dot, col = ref.partition(".")
    if not dot or not col:
        raise UnknownName("column", ref, (), hint="write TABLE.COLUMN, for example `orders.amount`")
    found = table(project, name)
    if col not in found.column_names:
        raise UnknownName("column", ref, (f"{name}.{c}" for c in found.column_names))
    return found, col
