"""Pipeline and ingestion rules: targets, layers, write modes, merge, overwrite, incremental,
SQL against the contract, the job's own checks and its cron; one function per rule.

`check_pipeline` / `check_ingestion` run PIPELINE_RULES / INGESTION_RULES on a validated job
document and the tables the builder made (read through the protocols below) and return a
verdict: `rejected` when any rule reported an error (the builder then builds no job).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.checks import check_list
from alur_compiler.semantic.cron import check_schedule_cron
from alur_compiler.semantic.jdbc import check_jdbc_source
from alur_compiler.semantic.paths import check_source_paths
from alur_compiler.semantic.scd2 import SCD2_RULES, output_target
from alur_compiler.semantic.sql_batch import SqlResult
from alur_compiler.semantic.sql_expr import SqlLocator, check_row_expression
from alur_compiler.semantic.sql_output import ColumnView, check_output
from alur_compiler.semantic.sql_source import Source

#: the write mode of a layer's tables when a pipeline sets none
DEFAULT_MODE = {"bronze": "append", "silver": "merge", "gold": "overwrite"}


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class TableView(Protocol):
    """What these rules read of an ir.Table."""

    @property
    def name(self) -> str: ...
    @property
    def layer(self) -> str: ...
    @property
    def columns(self) -> Sequence[ColumnView]: ...
    @property
    def column_names(self) -> tuple[str, ...]: ...
    @property
    def primary_key(self) -> tuple[str, ...]: ...
    @property
    def partition_by(self) -> Sequence[object]: ...
    @property
    def checks(self) -> Sequence[_Named]: ...


@dataclass
class JobVerdict:
    doc: SourceDoc
    tables: Mapping[str, TableView]
    known: Collection[str]  # table names that exist, also with schema errors
    source: Source = None  # pipelines: the SQL and where it came from
    result: SqlResult | None = None  # pipelines: the SQL analysis
    rejected: bool = False
    check_names: dict[int, str] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.doc.data
        return data

    @property
    def target(self) -> TableView | None:
        return self.tables.get(str(self.data["target"]))

    @property
    def mode(self) -> str:
        assert self.target is not None
        return str(self.data.get("mode", DEFAULT_MODE[str(self.target.layer)]))

    def row_columns(self) -> tuple[str, ...]:
        """What sequence_by and delete_when may name: the query's columns and the target's."""
        assert self.target is not None
        outputs = (self.result.columns if self.result else None) or ()
        return tuple(sorted(set(self.target.column_names) | {o.name for o in outputs}))


def target_exists(j: JobVerdict, diags: Diagnostics) -> None:
    name = str(j.data["target"])
    if j.target is None and name not in j.known:
        diags.report(
            codes.UNKNOWN_TABLE,
            f"unknown target table '{name}'{suggestion_suffix(name, j.tables)}",
            j.doc.span_of("/target"),
            hint="declare it as a Table in contracts/",
        )


def pipelines_skip_bronze(j: JobVerdict, diags: Diagnostics) -> None:
    assert j.target is not None
    if j.target.layer == "bronze":
        diags.report(
            codes.LAYER_RULE,
            f"'{j.target.name}' is a bronze table: bronze is filled by ingestions, not pipelines",
            j.doc.span_of("/target"),
            hint="write an Ingestion for it, or target a silver/gold table",
        )


def sql_analyses(j: JobVerdict, diags: Diagnostics) -> None:
    assert j.source is not None and j.result is not None
    loc = j.source[1]
    for p in j.result.problems:
        diags.report(p.code, p.message, loc.at(p.offset, p.length), hint=p.hint)


def output_matches_target(j: JobVerdict, diags: Diagnostics) -> None:
    assert j.source is not None and j.result is not None and j.target is not None
    if j.result.columns is not None and j.target.layer != "bronze":
        check_output(j.result.columns, output_target(j), j.source[1], diags)


def merge_settings_need_merge(j: JobVerdict, diags: Diagnostics) -> None:
    if j.data.get("merge") and j.mode != "merge":
        diags.report(
            codes.WRITE_MODE_RULE,
            f"`merge:` settings are given but mode is {j.mode}",
            j.doc.span_of("/merge", key=True),
            hint="set `mode: merge` or remove `merge:`",
        )


def merge_has_keys(j: JobVerdict, diags: Diagnostics) -> None:
    assert j.target is not None
    if j.mode == "merge" and not ((j.data.get("merge") or {}).get("keys") or j.target.primary_key):
        diags.report(
            codes.MERGE_WITHOUT_KEYS,
            f"merge into '{j.target.name}' needs keys",
            j.doc.span_of("/mode") if "mode" in j.data else j.doc.span_of("/target"),
            hint="add `merge: {keys: [...]}` or a primary_key to the table",
        )


def merge_keys_are_columns(j: JobVerdict, diags: Diagnostics) -> None:
    assert j.target is not None
    if j.mode != "merge":
        return
    cols = j.target.column_names
    for i, key in enumerate((j.data.get("merge") or {}).get("keys") or ()):
        if key not in cols:
            diags.report(
                codes.UNKNOWN_COLUMN,
                f"merge key '{key}' is not a column of "
                f"'{j.target.name}'{suggestion_suffix(key, cols)}",
                j.doc.span_of(f"/merge/keys/{i}"),
            )


def sequence_by_is_a_column(j: JobVerdict, diags: Diagnostics) -> None:
    """sequence_by may name any column the query returns, stored or not (specs/pipeline.md)."""
    assert j.target is not None
    seq = (j.data.get("merge") or {}).get("sequence_by")
    if j.mode != "merge" or seq is None:
        return
    row_cols = j.row_columns()
    if seq not in row_cols:
        diags.report(
            codes.UNKNOWN_COLUMN,
            f"sequence_by '{seq}' is not a column of the query or of "
            f"'{j.target.name}'{suggestion_suffix(seq, row_cols)}",
            j.doc.span_of("/merge/sequence_by"),
        )


def delete_when_is_a_row_test(j: JobVerdict, diags: Diagnostics) -> None:
    delete_when = (j.data.get("merge") or {}).get("delete_when")
    if j.mode == "merge" and isinstance(delete_when, str):
        loc = SqlLocator(j.doc, "/merge/delete_when")
        check_row_expression(delete_when, j.row_columns(), loc, diags)


def overwrite_settings_need_overwrite(j: JobVerdict, diags: Diagnostics) -> None:
    if j.data.get("overwrite") and j.mode != "overwrite":
        diags.report(
            codes.WRITE_MODE_RULE,
            f"`overwrite:` settings are given but mode is {j.mode}",
            j.doc.span_of("/overwrite", key=True),
            hint="set `mode: overwrite` or remove `overwrite:`",
        )


def partition_overwrite_needs_partitions(j: JobVerdict, diags: Diagnostics) -> None:
    assert j.target is not None
    scope = str((j.data.get("overwrite") or {}).get("scope", "table"))
    if scope == "partitions" and not j.target.partition_by:
        diags.report(
            codes.WRITE_MODE_RULE,
            f"overwrite scope 'partitions' needs a partitioned "
            f"table; '{j.target.name}' has no partition_by",
            j.doc.span_of("/overwrite/scope"),
            hint="use scope: table",
        )


def incremental_source_is_read(j: JobVerdict, diags: Diagnostics) -> None:
    spec = j.data.get("incremental")
    read = sorted(j.result.tables) if j.result else []
    if spec and read and str(spec["source"]) not in read:
        name = str(spec["source"])
        diags.report(
            codes.WRITE_MODE_RULE,
            f"incremental source '{name}' is not read by the SQL{suggestion_suffix(name, read)}",
            j.doc.span_of("/incremental/source"),
        )


def overwrite_is_not_incremental(j: JobVerdict, diags: Diagnostics) -> None:
    """An incremental read sees only the rows new since the last run; overwriting with
    them would drop every older row (specs/pipeline.md#incremental-reads)."""
    assert j.target is not None
    if j.mode != "overwrite" or not j.data.get("incremental"):
        return
    scope = str((j.data.get("overwrite") or {}).get("scope", "table"))
    what = (
        f"replaces every partition of '{j.target.name}' that new rows reach with only those rows"
        if scope == "partitions"
        else f"replaces all of '{j.target.name}' with only the rows new since the last run"
    )
    diags.report(
        codes.WRITE_MODE_RULE,
        f"`incremental:` with mode overwrite {what}",
        j.doc.span_of("/incremental", key=True),
        hint="remove `incremental:` to read all rows each run, or use mode merge or append",
    )


def watermark_is_a_column(j: JobVerdict, diags: Diagnostics) -> None:
    spec = j.data.get("incremental")
    if not spec:
        return
    name, column = str(spec["source"]), str(spec["watermark"])
    read = j.result.tables if j.result else {}
    table = j.tables.get(name)
    if (not read or name in read) and table is not None and column not in table.column_names:
        diags.report(
            codes.UNKNOWN_COLUMN,
            f"watermark '{column}' is not a column of '{name}'"
            f"{suggestion_suffix(column, table.column_names)}",
            j.doc.span_of("/incremental/watermark"),
        )


def pipeline_checks_valid(j: JobVerdict, diags: Diagnostics) -> None:
    """A pipeline's own checks, judged against its target (names unique with the target's)."""
    assert j.target is not None
    columns = {c.name: c.type for c in j.target.columns}
    taken = {c.name for c in j.target.checks}
    j.check_names = check_list(j.doc, "/checks", j.data.get("checks", []), columns, taken, diags)


def schedule_cron_valid(j: JobVerdict, diags: Diagnostics) -> None:
    check_schedule_cron(j.doc, diags)


def ingestions_load_bronze(j: JobVerdict, diags: Diagnostics) -> None:
    if j.target is not None and j.target.layer != "bronze":
        diags.report(
            codes.LAYER_RULE,
            f"ingestions load bronze tables; '{j.target.name}' is {j.target.layer}",
            j.doc.span_of("/target"),
            hint="silver and gold tables are filled by pipelines",
        )


JobRule = Callable[[JobVerdict, Diagnostics], None]

#: run on a pipeline whose target table was built and whose SQL was read and analysed
PIPELINE_RULES: tuple[JobRule, ...] = (
    pipelines_skip_bronze,
    sql_analyses,
    output_matches_target,
    merge_settings_need_merge,
    merge_has_keys,
    merge_keys_are_columns,
    sequence_by_is_a_column,
    delete_when_is_a_row_test,
    *SCD2_RULES,
    overwrite_settings_need_overwrite,
    partition_overwrite_needs_partitions,
    incremental_source_is_read,
    overwrite_is_not_incremental,
    watermark_is_a_column,
    pipeline_checks_valid,
    schedule_cron_valid,
)
INGESTION_RULES: tuple[JobRule, ...] = (
    target_exists,
    ingestions_load_bronze,
    check_source_paths,
    check_jdbc_source,
    schedule_cron_valid,
)


def check_pipeline(verdict: JobVerdict, diags: Diagnostics) -> JobVerdict:
    before = len(diags.errors)
    target_exists(verdict, diags)
    if verdict.target is None or verdict.source is None or verdict.result is None:
        verdict.rejected = True
        return verdict
    for rule in PIPELINE_RULES:
        rule(verdict, diags)
    verdict.rejected = len(diags.errors) > before
    return verdict


def check_ingestion(verdict: JobVerdict, diags: Diagnostics) -> JobVerdict:
    before = len(diags.errors)
    for rule in INGESTION_RULES:
        rule(verdict, diags)
    verdict.rejected = verdict.target is None or len(diags.errors) > before
    return verdict
