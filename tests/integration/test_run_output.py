"""`alurc run --local` in its own process (a fresh JVM): results on stdout, progress on
stderr, and the JVM's own log lines in WAREHOUSE/logs/spark.log instead of the terminal
(shown with --verbose)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark
ALURC = [sys.executable, "-m", "alur_compiler"]


def alurc(*args: str, cwd: Path, settled: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"} | ({} if settled else {"ALURC_LOCAL_SETTLED": "0"})
    return subprocess.run(
        [*ALURC, *args], cwd=cwd, capture_output=True, text=True, timeout=600, env=env
    )


def test_results_stdout_progress_stderr_and_jvm_noise_in_the_log(tmp_path: Path) -> None:
    assert alurc("init", "shop", cwd=tmp_path).returncode == 0
    project = tmp_path / "shop"
    res = alurc("run", "--local", ".", cwd=project)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "alurc run --local" in res.stdout  # the summary table is the result
    assert "succeeded" in res.stderr  # one progress line per job
    for noise in ("NativeCodeLoader", "Setting default log level", "setLogLevel"):
        assert noise not in res.stderr and noise not in res.stdout
    log = (project / ".alur" / "warehouse" / "logs" / "spark.log").read_text()
    assert "--- alurc run --local" in log
    assert "Setting default log level" in log

    # Nothing new: every job is answered from its recorded key, no JVM, no log to show.
    idle = alurc("run", "--local", ".", "--verbose", cwd=project)
    assert idle.returncode == 0, idle.stdout + idle.stderr
    assert "Spark was not started" in idle.stderr
    assert "--- Spark's log (" not in idle.stderr
    assert log == (project / ".alur" / "warehouse" / "logs" / "spark.log").read_text()

    again = alurc("run", "--local", ".", "--verbose", cwd=project, settled=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "--- Spark's log (" in again.stderr
    assert "Setting default log level" in again.stderr
    assert "Spark was not started" not in again.stderr

    # `show` and `query` start Spark too: their JVM lines go to the same log
    for args in (("show", "orders", ".", "-f", "csv"), ("query", "SELECT 41 + 1 AS x", ".")):
        read = alurc(*args, cwd=project)
        assert read.returncode == 0, read.stdout + read.stderr
        for noise in ("NativeCodeLoader", "Setting default log level", "setLogLevel"):
            assert noise not in read.stderr and noise not in read.stdout, args
        log = (project / ".alur" / "warehouse" / "logs" / "spark.log").read_text()
        assert f"--- alurc {args[0]}, pid" in log
    assert "42" in read.stdout
