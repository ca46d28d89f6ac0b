"""Shared fixtures. One SparkSession per test run (never two JVMs on 2 cores)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
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
