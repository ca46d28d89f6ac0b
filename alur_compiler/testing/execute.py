"""Run one `TestCase` with its job's generated code in a namespace and folders of its own.

The job is the build's `glue/<job>.py` (its `JOB`) run by the build's runtime wheel
through `alur_runtime.entry.run_job`, as `alurc run --local` runs it. Each test gets fresh
Glue databases (Iceberg namespaces `t<token>_<layer>`) in the one Spark session, and its
own lake, landing, state and reports folders, so no test sees another's tables, files or
watermarks; the session (and its JVM) is shared by every test.
"""

from __future__ import annotations

import copy
import io
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alur_compiler.ir import Layer
from alur_compiler.local.runner import load_script, runtime_wheel
from alur_compiler.local.wheel import load_runtime
from alur_compiler.testing.diff import RowDiff, diff_rows
from alur_compiler.testing.rows import Rows
from alur_compiler.testing.spec import QUARANTINE_COLUMNS, TestCase
from alur_compiler.testing.stderr import THREAD_STDERR
from alur_compiler.testing.tables import create_source, read_cells, write_bronze, write_iceberg
from alur_runtime.spark_paths import literal


@dataclass
class TestResult:
    name: str
    job: str
    file: str
    line: int
    col: int
    status: str  # passed | failed | error
    seconds: float = 0.0
    diffs: list[RowDiff] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # status or check verdicts that differ
    error: str | None = None  # the job crashed (or the test could not be set up)
    log: list[str] = field(default_factory=list)  # what the job printed (its log lines)

    __test__ = False  # not a pytest class

    def lines(self) -> list[str]:
        out = list(self.problems)
        for diff in self.diffs:
            out += diff.lines()
        if self.error:
            out.append(f"error: {self.error}")
        return out


class TestRunner:
    """Runs tests in one Spark session; jobs and the runtime are loaded once per runner."""

    __test__ = False

    def __init__(self, spark: Any, scripts: Path, workdir: Path) -> None:
        self.spark = spark
        self.scripts = scripts
        self.workdir = workdir
        self.runtime = load_runtime(runtime_wheel(scripts))
        self._jobs: dict[str, Any] = {}

    def job(self, name: str) -> Any:
        if name not in self._jobs:
            self._jobs[name] = load_script(self.scripts / f"{name}.py").JOB
        return copy.deepcopy(self._jobs[name])

    def run(self, case: TestCase) -> TestResult:
        start = time.monotonic()
        span = case.span
        result = TestResult(case.name, case.job.name, span.file, span.line, span.col, "passed")
        captured = io.StringIO()
        try:
            with THREAD_STDERR.capture(captured):
                one = _OneTest(self, self.spark.newSession(), self._args())
                one.run(case, result)
        except Exception as exc:  # a crash of the job or of Spark: this test errors, the rest run
            result.error = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:500]
        result.log = captured.getvalue().splitlines()
        if result.error:
            result.status = "error"
        elif result.diffs or result.problems:
            result.status = "failed"
        result.seconds = round(time.monotonic() - start, 3)
        return result

    def _args(self) -> dict[str, str]:
        token = uuid.uuid4().hex[:10]
        root = self.workdir / token
        args = {
            "alur_mode": "local",
            "alur_env": "test",
            "alur_project": "test",
            "alur_lake": str(root / "lake"),
            "alur_landing": str(root / "landing"),
            "alur_state": str(root / "state"),
            "alur_reports": str(root / "reports"),
            "alur_warehouse": str(self.workdir),
            "alur_print_report": "false",
        }
        for layer in Layer:
            args[f"alur_db_{layer}"] = f"t{token}_{layer}"
        return args


class _OneTest:
    """One test's run: its own SparkSession (temp views and SQL settings of its own, the
    same JVM and catalogs) and its own namespaces and folders (`args`)."""

    def __init__(self, runner: TestRunner, spark: Any, args: dict[str, str]) -> None:
        self.runner = runner
        self.runtime = runner.runtime
        self.spark = spark
        self.args = args

    def run(self, case: TestCase, result: TestResult) -> None:
        args = self.args
        job = self.runner.job(case.job.name)
        spark = self.spark
        for layer in ("silver", "gold"):
            spark.sql(f"CREATE NAMESPACE IF NOT EXISTS glue_catalog.`{args[f'alur_db_{layer}']}`")
        for table, rows in case.given:
            self._put(
                args, table.name, str(table.layer), [(c.name, c.type) for c in table.columns], rows
            )
        target = case.target
        columns = [(c.name, c.type) for c in target.columns]
        if case.existing is not None:
            parts = job["target"]["partition_by"]
            self._put(args, target.name, str(target.layer), columns, case.existing, parts)
        for rel, data in case.files:
            path = Path(args["alur_landing"]) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        report = self.runtime.entry.run_job(spark, job, args)
        self._compare(case, args, report, result)

    def _put(
        self,
        args: dict[str, str],
        table: str,
        layer: str,
        columns: list[tuple[str, str]],
        rows: Rows,
        parts: list[Any] | None = None,
    ) -> None:
        if layer == "bronze":
            write_bronze(self.spark, f"{args['alur_lake']}/bronze/{table}", columns, rows)
            return
        name = f"glue_catalog.`{args[f'alur_db_{layer}']}`.`{table}`"
        if parts is None:
            create_source(self.spark, name, columns, rows)
        else:
            write_iceberg(self.spark, self.runtime, name, columns, rows, parts)

    def _compare(
        self, case: TestCase, args: dict[str, str], report: dict[str, Any], result: TestResult
    ) -> None:
        status = str(report.get("status"))
        if status != case.expect_status:
            why = f": {report['error']}" if report.get("error") else ""
            result.problems.append(f"run {status}, expected {case.expect_status}{why}")
        verdicts = {c.get("name"): c.get("verdict") for c in report.get("checks", [])}
        for name, wanted in case.expect_checks:
            got = verdicts.get(name, "not evaluated")
            if got != wanted:
                result.problems.append(f"check {name}: expected {wanted}, got {got}")
        target = case.target
        key = tuple(target.primary_key)
        types = dict(zip(case.expect_rows.columns, case.expect_rows.types, strict=True))
        df = self._target_frame(args, case)
        result.diffs.append(self._diff(f"table {target.name}", df, case.expect_rows, types, key))
        if case.expect_quarantine is not None:
            q = case.expect_quarantine
            qdf = self._quarantine_frame(args, case)
            qtypes = dict(zip(q.columns, q.types, strict=True))
            result.diffs.append(self._diff(f"quarantine of {target.name}", qdf, q, qtypes, key))
        result.diffs = [d for d in result.diffs if not d.ok]

    def _diff(
        self, what: str, df: Any, rows: Rows, types: dict[str, str], key: tuple[str, ...]
    ) -> RowDiff:
        columns = [(c, types[c]) for c in rows.columns]
        actual = read_cells(df, columns) if df is not None else []
        if not columns:  # `rows: []`: only the number of rows is compared
            actual = [()] * (df.count() if df is not None else 0)
        return diff_rows(what, rows.columns, list(rows.rows), actual, key, rows.types)

    def _target_frame(self, args: dict[str, str], case: TestCase) -> Any:
        target = case.target
        if target.layer is Layer.BRONZE:
            return self._parquet(f"{args['alur_lake']}/bronze/{target.name}")
        return self._iceberg(f"glue_catalog.`{args[f'alur_db_{target.layer}']}`.`{target.name}`")

    def _quarantine_frame(self, args: dict[str, str], case: TestCase) -> Any:
        target = case.target
        if target.layer is not Layer.BRONZE:
            db = args[f"alur_db_{target.layer}"]
            return self._iceberg(f"glue_catalog.`{db}`.`{target.name}_quarantine`")
        base = f"{args['alur_lake']}/quarantine/{target.name}"
        frames = [self._parquet(f"{base}/{kind}") for kind in ("rows", "checks")]
        frames = [f for f in frames if f is not None]
        if not frames:
            return None
        out = frames[0]
        for other in frames[1:]:
            out = out.unionByName(other, allowMissingColumns=True)
        return out

    def _iceberg(self, name: str) -> Any:
        return self.spark.table(name) if self.spark.catalog.tableExists(name) else None

    def _parquet(self, path: str) -> Any:
        if not Path(path).exists() or not any(Path(path).rglob("*.parquet")):
            return None
        return self.spark.read.option("mergeSchema", "true").parquet(literal(path))


__all__ = ["QUARANTINE_COLUMNS", "TestResult", "TestRunner"]
