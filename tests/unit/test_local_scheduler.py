"""`run_jobs` runs independent jobs at the same time, never a job beside one it depends on.

No Spark here: `run_one` is replaced by a recorder that sleeps, so the test sees which jobs
overlapped in time; the dependency graph is given directly.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from alur_compiler.ir.graph import topological_order, with_upstreams
from alur_compiler.local import runner
from alur_compiler.local.runner import JobResult, run_jobs

#: a -> b -> d, c -> e, f alone; d also after c
DEPS: dict[str, tuple[str, ...]] = {
    "a": (),
    "b": ("a",),
    "c": (),
    "d": ("b", "c"),
    "e": ("c",),
    "f": (),
}


class FakeSpark:
    def __init__(self, root: bool = False) -> None:
        self.root = root

    def newSession(self) -> FakeSpark:  # pyspark's name
        return FakeSpark()


class Recorder:
    def __init__(self, failing: set[str]) -> None:
        self.failing = failing
        self.spans: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()
        self.roots: list[bool] = []

    def __call__(self, spark: Any, script: Path, args: dict[str, str]) -> JobResult:
        spark = runner.session_of(spark)  # a job's own session is made when it needs one
        assert isinstance(spark, FakeSpark)
        self.roots.append(spark.root)
        start = time.monotonic()
        time.sleep(0.05)
        with self.lock:
            self.spans[script.stem] = (start, time.monotonic())
        status = "failed" if script.stem in self.failing else "succeeded"
        return JobResult(script.stem, status)


def run(
    monkeypatch: pytest.MonkeyPatch, workers: int, failing: set[str] | None = None
) -> tuple[list[JobResult], Recorder]:
    recorder = Recorder(failing or set())
    monkeypatch.setattr(runner, "job_dependencies", lambda project: DEPS)
    monkeypatch.setattr(runner, "load_runtime", lambda wheel: None)
    monkeypatch.setattr(runner, "run_one", recorder)
    results = run_jobs(None, Path("/nowhere/glue"), FakeSpark(root=True), {}, workers=workers)  # type: ignore[arg-type]
    return results, recorder


def overlapping(spans: dict[str, tuple[float, float]]) -> list[tuple[str, str]]:
    names = sorted(spans)
    return [
        (x, y)
        for i, x in enumerate(names)
        for y in names[i + 1 :]
        if spans[x][0] < spans[y][1] and spans[y][0] < spans[x][1]
    ]


def test_independent_jobs_overlap_dependent_ones_never(monkeypatch: pytest.MonkeyPatch) -> None:
    results, recorder = run(monkeypatch, workers=2)
    assert [r.name for r in results] == topological_order(DEPS)
    assert all(r.status == "succeeded" for r in results)
    pairs = overlapping(recorder.spans)
    assert pairs, "two workers and independent jobs: some jobs must have run together"
    for x, y in pairs:
        assert x not in with_upstreams(DEPS, [y]) and y not in with_upstreams(DEPS, [x])
    for name, (start, _) in recorder.spans.items():
        for up in DEPS[name]:
            assert recorder.spans[up][1] <= start, f"{name} started before {up} finished"
    assert not any(recorder.roots), "jobs run together each get a session of their own"


def test_one_worker_runs_in_dependency_order(monkeypatch: pytest.MonkeyPatch) -> None:
    results, recorder = run(monkeypatch, workers=1)
    assert overlapping(recorder.spans) == []
    started = sorted(recorder.spans, key=lambda n: recorder.spans[n][0])
    assert started == topological_order(DEPS) == [r.name for r in results]
    assert all(recorder.roots), "one at a time: every job runs in the run's own session"


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_failure_skips_its_downstream_only(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    results, recorder = run(monkeypatch, workers=workers, failing={"b"})
    status = {r.name: r.status for r in results}
    assert status == {
        "a": "succeeded",
        "b": "failed",
        "c": "succeeded",
        "d": "skipped",
        "e": "succeeded",
        "f": "succeeded",
    }
    assert "d" not in recorder.spans
    assert next(r for r in results if r.name == "d").error == "an upstream job failed"


def test_workers_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALURC_LOCAL_JOBS", raising=False)
    assert runner.local_workers() == 1
    monkeypatch.setenv("ALURC_LOCAL_JOBS", "2")
    assert runner.local_workers() == 2
    monkeypatch.setenv("ALURC_LOCAL_JOBS", "zero")
    assert runner.local_workers() == 1
