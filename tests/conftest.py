"""Shared fixtures. One SparkSession per test run (never two JVMs on 2 cores)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/cases/*/expected, snapshots) instead of comparing",
    )


def _needs_spark(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return item.get_closest_marker("spark") is not None or "spark" in names


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `make test` (pytest-xdist, `-n 3 --dist loadgroup`) the tests run in three
    workers: every test that needs Spark in one (the one JVM of the run), the terraform
    tests in another (mostly waiting: the AWS provider polls moto for ~55 s after each S3
    lifecycle create and sleeps in every read), everything else (the IDE and browser tests,
    unit tests) in the third, so terraform's waits overlap the work of both. A test outside
    the Spark worker that starts Spark anyway fails (JAVA_HOME points nowhere there): mark
    it `spark`."""
    if not getattr(config.option, "loadgroup", False):  # set in xdist's workers
        return
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))


def _group(item: pytest.Item) -> str:
    if _needs_spark(item):
        return "spark"
    return "terraform" if item.get_closest_marker("terraform") is not None else "other"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    guard = bool(os.environ.get("PYTEST_XDIST_WORKER")) and not _needs_spark(item)
    saved = os.environ.get("JAVA_HOME")
    if guard:  # setup (module fixtures included), call and teardown of this test
        os.environ["JAVA_HOME"] = "/nonexistent-outside-the-spark-worker"
    try:
        return (yield)
    finally:
        if guard:
            if saved is None:
                os.environ.pop("JAVA_HOME", None)
            else:
                os.environ["JAVA_HOME"] = saved


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(scope="session")
def spark_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("warehouse")


@pytest.fixture(scope="session")
def spark(spark_warehouse: Path) -> Iterator[Any]:
    """The one embedded Spark + Iceberg session of this test run."""
    from alur_compiler.local.session import get_spark

    session = get_spark(spark_warehouse)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def moto_reset() -> Callable[[str], None]:
    """Clear moto's state. Its backends are process-global, so every test module that
    starts a ThreadedMotoServer calls this first: no bucket or job leaks between modules."""
    import urllib.request

    def reset(endpoint: str) -> None:
        request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    return reset
