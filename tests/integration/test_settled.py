"""A job answered without Spark (alur_runtime/settled.py) is one a real run would not change.

The oracle is the runtime itself on Spark: for examples/retail (ingestions, merges with
deletes, an overwrite of partitions, a gold table over two silver tables), after each change
to the inputs, the state, the code or a run, every job in dependency order is first asked
whether it is settled (nothing read or written), then really run on Spark with the settled
shortcut out of the picture (`entry.run_job`). Whenever the answer was "settled", the real
run must have changed nothing: the same state items, the same files in the lake and the
catalog (size, time, content). Each change must also unsettle the jobs it concerns, so
that a key which ignored an input fails here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from alur_compiler import api
from alur_compiler.ir.graph import job_dependencies, topological_order
from alur_compiler.local.runner import load_script, local_args, run_jobs, runtime_wheel
from alur_compiler.local.wheel import load_runtime

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[2]


class Project:
    def __init__(self, root: Path, spark: Any) -> None:
        self.root, self.spark = root, spark
        self.compile()

    def compile(self) -> None:
        compiled = api.compile_and_load(self.root)
        assert compiled.ok and compiled.project is not None and compiled.out is not None
        self.ir, self.scripts = compiled.project, compiled.out / "glue"
        self.runtime = load_runtime(runtime_wheel(self.scripts))
        self.args = local_args(self.ir)
        self.order = topological_order(job_dependencies(self.ir))
        self.jobs = {n: load_script(self.scripts / f"{n}.py").JOB for n in self.order}
        self.catalog = Path(self.runtime.settled.catalog_folder(self.args))

    def run(self) -> None:
        """An ordinary local run (settled jobs answered from their keys, keys recorded)."""
        results = run_jobs(self.ir, self.scripts, self.spark, self.args)
        assert all(r.status == "succeeded" for r in results), results

    def oracle(self) -> dict[str, bool]:
        """Each job: settled? then run on Spark; settled must mean the run changed nothing."""
        settled = {}
        for name in self.order:
            job = self.jobs[name]
            settled[name] = self.runtime.settled.is_settled(job, self.args)
            before = self.snapshot()
            report = self.runtime.entry.run_job(self.spark, job, dict(self.args))
            assert report["status"] == "succeeded", report
            if settled[name]:
                assert self.snapshot() == before, f"{name} was settled but its run changed data"
        return settled

    def snapshot(self) -> Any:
        """The state items and every file of the lake and of this project's tables."""
        warehouse = Path(self.args["alur_warehouse"])
        with sqlite3.connect(warehouse / "state" / "state.sqlite") as db:
            items = sorted(db.execute("SELECT pk, sk, body FROM state").fetchall())
        dbs = [self.args[f"alur_db_{layer}"] for layer in ("silver", "gold")]
        return items, [files(warehouse / "lake")] + [files(self.catalog / d) for d in dbs]


def copy_retail(tmp_path: Path, name: str) -> Path:
    """examples/retail under its own project name (its own namespaces in the shared catalog)."""
    root = tmp_path / "retail"
    shutil.copytree(
        ROOT / "examples" / "retail", root, ignore=shutil.ignore_patterns(".alur", "build")
    )
    yaml = root / "alur.yaml"
    yaml.write_text(yaml.read_text().replace("name: retail", f"name: {name}", 1))
    return root


def files(folder: Path) -> list[tuple[str, int, int, str]]:
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        st = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        out.append((str(path.relative_to(folder)), st.st_size, st.st_mtime_ns, digest))
    return out


def edit_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    assert len(old) == len(new)
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def unsettled(result: dict[str, bool]) -> set[str]:
    return {name for name, done in result.items() if not done}


@pytest.fixture
def no_active_session(spark: Any) -> Iterator[None]:
    """A SparkContext runs but no session is active in this thread (as after another
    thread's work in a long process): the catalog must come from the context."""
    spark._jvm.SparkSession.clearActiveSession()
    try:
        yield
    finally:
        spark._jvm.SparkSession.setActiveSession(spark._jsparkSession)


def test_settled_jobs_are_exactly_no_op_runs(
    spark: Any, tmp_path: Path, no_active_session: None
) -> None:
    root = copy_retail(tmp_path, "settled_retail")
    p = Project(root, spark)
    p.run()  # cold: everything ingested and published, every key recorded
    assert unsettled(p.oracle()) == set()

    # A new landing file, and an edit in place that keeps the file's size and time.
    landing = root / "data" / "landing"
    extra = "2026-12-02 09:00:00,O00200,placed,C001,P01,1,10.00,2026-11-20 10:00:00\n"
    header = (landing / "orders" / "orders_2026-11-02.csv").read_text().splitlines()[0]
    (landing / "orders" / "orders_2026-11-03.csv").write_text(header + "\n" + extra)
    edit_keeping_size_and_time(landing / "customers" / "customers_2026-11-01.jsonl", '"FR"', '"BE"')
    changed = unsettled(p.oracle())
    assert {"ingest_orders", "ingest_customers", "clean_orders", "clean_customers"} <= changed
    assert {"customer_lifetime_value", "daily_revenue"} <= changed  # their sources moved
    p.run()
    assert unsettled(p.oracle()) == set()

    # The state: a watermark forgotten; an unfinished batch of a writer.
    store = p.runtime.state.open_state(p.args)
    (sk, item), *_ = [
        (k, v)
        for k, v in store.query("clean_products", "")
        if k.startswith(("watermark#", "inputs"))
    ]
    assert store.delete_if("clean_products", sk, item)
    store.put("ingest_products", "batch#gone-owner", {"status": "open", "claimed_at": "0"})
    changed = unsettled(p.oracle())
    assert {"clean_products", "ingest_products"} <= changed
    p.run()
    assert unsettled(p.oracle()) == set()

    # The job's code: its SQL (a new build), and a table changed behind the job's back.
    sql_file = root / "pipelines" / "daily_revenue.yaml"
    sql_file.write_text(sql_file.read_text().replace("GROUP BY", "GROUP  BY", 1))
    p.compile()
    spark.sql(
        f"ALTER TABLE glue_catalog.{p.args['alur_db_silver']}.products SET TBLPROPERTIES ('x'='1')"
    )
    changed = unsettled(p.oracle())
    assert {"daily_revenue", "clean_products"} <= changed
    p.run()
    assert unsettled(p.oracle()) == set()


def test_a_file_landing_during_the_run_is_not_settled(spark: Any, tmp_path: Path) -> None:
    """The key holds the inputs from before the run: a file that lands while the job runs
    (after its listing) leaves the job unsettled, and the next run ingests it."""
    root = copy_retail(tmp_path, "settled_landing")
    p = Project(root, spark)
    late = root / "data" / "landing" / "products" / "products_2026-11-09.jsonl"
    real: Callable[..., Any] = p.runtime.entry.run_job

    def run_and_land(session: Any, job: Any, args: dict[str, str]) -> Any:
        report = real(session, job, args)
        if job["name"] == "ingest_products" and not late.exists():
            late.write_text(
                '{"category": "books", "list_price": 1.5, "name": "Late", '
                '"product_id": "P99", "tags": []}\n'
            )
        return report

    p.runtime.entry.run_job = run_and_land
    try:
        p.run()
    finally:
        p.runtime.entry.run_job = real
    assert not p.runtime.settled.is_settled(p.jobs["ingest_products"], p.args)
    report = real(spark, p.jobs["ingest_products"], dict(p.args))
    assert report["files_claimed"] == 1


def test_no_key_when_the_catalog_is_not_where_it_looks(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the catalog folder ever be wrong, its tables are not found there and no
    pipeline records a key (a key over missing folders would miss every commit)."""
    p = Project(copy_retail(tmp_path, "settled_elsewhere"), spark)
    monkeypatch.setattr(p.runtime.settled, "catalog_folder", lambda args: str(tmp_path / "no"))
    p.run()
    store = p.runtime.state.open_state(p.args)
    keyed = {n for n in p.order if store.get(n, "settled") is not None}
    assert keyed == {n for n in p.order if n.startswith("ingest_")}
