"""Fixtures of the integration tests: one throw-away PostgreSQL server per test session."""

from __future__ import annotations

from collections.abc import Iterator

import pg_server
import pytest


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg_server.PgServer]:
    """A PostgreSQL 15 server on a free loopback port (tests/integration/pg_server.py);
    skipped, with the reason, where the binaries or the JDBC driver are not installed."""
    problem = pg_server.find_problem()
    if problem is not None:
        pytest.skip(problem)
    server = pg_server.start()
    yield server
    server.stop()
