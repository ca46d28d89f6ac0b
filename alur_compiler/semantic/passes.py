"""Project-wide semantic rules, run as a tuple of passes (sqlglot's optimizer RULES style).

Each rule is one small function `(facts, diags) -> None` that reads what the builder made
(through the views of semantic/refs.py) and reports; `run_rules` iterates `RULES` in one
place. A new project-wide rule is one function plus one line in `RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from alur_compiler.diagnostics import Diagnostics, Span
from alur_compiler.semantic.aws_limits import check_aws_limits
from alur_compiler.semantic.context import SpecIndex
from alur_compiler.semantic.dag import check_cycles
from alur_compiler.semantic.environments import (
    EnvironmentView,
    check_own_buckets,
    check_state_buckets,
)
from alur_compiler.semantic.glue_arguments import check_glue_arguments
from alur_compiler.semantic.jdbc import check_jdbc_environments
from alur_compiler.semantic.paths import check_source_buckets
from alur_compiler.semantic.refs import (
    JobView,
    PipelineView,
    TableView,
    check_after,
    check_relationships,
    check_writers,
)
from alur_compiler.semantic.schedule_rules import check_chain_width, check_never_fires
from alur_compiler.semantic.wait_rules import check_max_wait


@dataclass(frozen=True)
class ProjectFacts:
    """What the project-wide rules read: the documents and what the builder made of them."""

    index: SpecIndex
    tables: Mapping[str, TableView]
    pipelines: Sequence[PipelineView]
    jobs: Sequence[JobView]
    #: job -> the jobs it runs after (SQL reads, relationship checks, `after:`), per ir.graph
    deps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    environments: Sequence[EnvironmentView] = ()
    #: (job, job it runs after) -> why and where (ir.graph.edge_reasons)
    reasons: Mapping[tuple[str, str], tuple[str, Span]] = field(default_factory=dict)


def state_backend_has_bucket(facts: ProjectFacts, diags: Diagnostics) -> None:
    if facts.index.project is not None:
        check_state_buckets(facts.environments, facts.index.project, diags)


def environments_own_buckets(facts: ProjectFacts, diags: Diagnostics) -> None:
    if facts.index.project is not None:
        check_own_buckets(facts.environments, facts.index.project, diags)


def glue_arguments_not_reserved(facts: ProjectFacts, diags: Diagnostics) -> None:
    """Per document: the `glue:` blocks of alur.yaml and of every job (AL315)."""
    docs = [facts.index.project] if facts.index.project is not None else []
    for doc in [*docs, *(d for _, d in sorted(facts.index.jobs.items()))]:
        check_glue_arguments(doc, diags)


def source_buckets_are_landing(facts: ProjectFacts, diags: Diagnostics) -> None:
    """An s3:// ingestion source names the landing bucket of every environment (AL316)."""
    docs = [d for _, d in sorted(facts.index.ingestions.items())]
    check_source_buckets(docs, facts.environments, diags)


def jdbc_secrets_declared(facts: ProjectFacts, diags: Diagnostics) -> None:
    """Each jdbc source's secret and network exist in every environment (AL319)."""
    docs = [d for _, d in sorted(facts.index.ingestions.items())]
    check_jdbc_environments(docs, facts.environments, diags)  # type: ignore[arg-type]


def aws_limits_hold(facts: ProjectFacts, diags: Diagnostics) -> None:
    """Names, descriptions and tags fit AWS's limits (AL502, semantic/aws_limits.py)."""
    check_aws_limits(facts.index, diags)


def after_names_jobs(facts: ProjectFacts, diags: Diagnostics) -> None:
    check_after(facts.jobs, facts.index, diags)


def relationships_resolve(facts: ProjectFacts, diags: Diagnostics) -> None:
    check_relationships(facts.tables, facts.pipelines, facts.index, diags)


def one_writer_per_table(facts: ProjectFacts, diags: Diagnostics) -> None:
    check_writers(facts.tables, facts.jobs, facts.index, diags)


def no_dependency_cycle(facts: ProjectFacts, diags: Diagnostics) -> None:
    spans: dict[str, Span] = {n: d.span_of("/name") for n, d in facts.index.jobs.items()}
    check_cycles(dict(facts.deps), spans, diags, facts.reasons)


def schedules_can_fire(facts: ProjectFacts, diags: Diagnostics) -> None:
    """`after:` jobs some schedule starts (AL317), chains the Lambda decides in time (AL503),
    max_wait in range (AL325)."""
    check_never_fires(facts.index.jobs, diags)
    check_chain_width(facts.index.jobs, diags)
    check_max_wait(facts.index.jobs, diags)


Rule = Callable[[ProjectFacts, Diagnostics], None]

RULES: tuple[Rule, ...] = (
    state_backend_has_bucket,
    environments_own_buckets,
    glue_arguments_not_reserved,
    aws_limits_hold,
    source_buckets_are_landing,
    jdbc_secrets_declared,
    after_names_jobs,
    relationships_resolve,
    one_writer_per_table,
    no_dependency_cycle,
    schedules_can_fire,
)


def run_rules(facts: ProjectFacts, diags: Diagnostics, rules: tuple[Rule, ...] = RULES) -> None:
    for rule in rules:
        rule(facts, diags)
