"""The CLI contract: exit codes 0/1/2, formats, no tracebacks, --help on every command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from alur_compiler import api
from alur_compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"
BAD = ROOT / "tests" / "errors" / "references.yaml"


def alurc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("alurc")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "alur_compiler"]
    return subprocess.run(
        [*cmd, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def bad_project(tmp: Path) -> Path:
    shutil.copy(BAD, tmp / "alur.yaml")
    return tmp


def test_validate_clean_project_exits_0() -> None:
    res = alurc("validate", str(RETAIL))
    assert res.returncode == 0, res.stderr
    assert "ok: retail: 8 tables, 5 pipelines, 3 ingestions" in res.stdout


def test_validate_errors_exit_1_with_location_caret_and_hint(tmp_path: Path) -> None:
    res = alurc("validate", ".", cwd=bad_project(tmp_path))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    head = "alur.yaml:26:9: error[AL302]: unknown target table 'rwa' (did you mean 'raw'?)"
    i = lines.index(head)
    assert (
        lines[i + 1]
        == "  26 | target: rwa  # E: AL302 unknown target table 'rwa' (did you mean 'raw'?)"
    )
    assert lines[i + 2] == "     |         ^^^"
    assert "5 errors, 1 warning" in lines[-1]


def test_json_format(tmp_path: Path) -> None:
    res = alurc("validate", ".", "--format", "json", cwd=bad_project(tmp_path))
    assert res.returncode == 1
    items = json.loads(res.stdout)["diagnostics"]
    first = next(d for d in items if d["code"] == "AL302")
    assert (first["file"], first["line"], first["column"]) == ("alur.yaml", 26, 9)
    assert first["severity"] == "error" and first["name"] == "unknown-table"


def test_github_format(tmp_path: Path) -> None:
    res = alurc("validate", ".", "--format", "github", cwd=bad_project(tmp_path))
    assert res.returncode == 1
    assert (
        "::error file=alur.yaml,line=26,col=9,title=AL302::unknown target table 'rwa'" in res.stdout
    )


def test_usage_error_exits_2() -> None:
    res = alurc("validate", "--format", "xml")
    assert res.returncode == 2
    assert "Traceback" not in res.stderr


def test_no_project(tmp_path: Path) -> None:
    res = alurc("validate", str(tmp_path))
    assert res.returncode == 1
    assert "error[AL103]: no alur.yaml" in res.stderr
    assert "alurc init" in res.stderr


@pytest.mark.parametrize("command", ["validate", "compile", "graph", "lineage", "init", "run"])
def test_every_command_has_help(command: str) -> None:
    res = alurc(command, "--help")
    assert res.returncode == 0, res.stderr
    assert "Usage:" in res.stdout


def test_version() -> None:
    res = alurc("--version")
    assert res.returncode == 0 and res.stdout.startswith("alurc ")


def test_internal_error_is_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(path: Path) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(api, "load", boom)
    monkeypatch.setattr(sys, "argv", ["alurc", "validate", str(RETAIL)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 3
    err = capsys.readouterr().err
    assert "error[AL901]: internal error: RuntimeError: simulated bug" in err
    assert "--debug" in err and "Traceback" not in err


def test_compile_check_exit_codes(tmp_path: Path) -> None:
    project = tmp_path / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns("build", ".alur"))
    stale = alurc("compile", str(project), "--check")
    assert stale.returncode == 1 and "out of date" in stale.stderr
    assert not (project / "build").exists()
    assert alurc("compile", str(project)).returncode == 0
    ok = alurc("compile", str(project), "--check")
    assert ok.returncode == 0, ok.stderr


def test_lineage_and_graph() -> None:
    res = alurc("lineage", "daily_revenue.revenue", str(RETAIL))
    assert res.returncode == 0
    assert "orders_raw.unit_price" in res.stdout and "orders.amount" in res.stdout
    bad = alurc("lineage", "daily_revenue.revenu", str(RETAIL))
    assert bad.returncode == 2 and "did you mean 'daily_revenue.revenue'" in bad.stderr
    dot = alurc("graph", str(RETAIL), "--format", "dot")
    assert '"t_orders" -> "j_daily_revenue";' in dot.stdout


def test_readme_diagnostic_example_is_real(tmp_path: Path) -> None:
    """The diagnostic shown in README.md is what alurc prints for that mistake."""
    project = tmp_path / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns("build", ".alur"))
    pipeline = project / "pipelines" / "clean_orders.yaml"
    pipeline.write_text(pipeline.read_text().replace("    o.customer_id,", "    o.custmer_id,", 1))
    res = alurc("validate", ".", cwd=project)
    assert res.returncode == 1
    shown = res.stderr.split("\n1 error")[0].rstrip("\n")
    assert shown in (ROOT / "README.md").read_text()


def test_unwritable_out(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder\n")
    res = alurc("compile", str(RETAIL), "--out", str(blocker / "build"))
    assert res.returncode == 1, res.stderr
    assert "error[AL108]: cannot write the build folder" in res.stderr
    assert "Traceback" not in res.stderr and blocker.read_text() == "not a folder\n"


def test_plain_compile_runs_without_the_cli_framework(tmp_path: Path) -> None:
    """`alurc compile DIR` is served by the entry point: same output, no Typer import."""
    project = tmp_path / "retail"
    shutil.copytree(RETAIL, project, ignore=shutil.ignore_patterns("build", ".alur"))
    exe = Path(sys.executable).with_name("alurc")
    res = subprocess.run(
        [sys.executable, "-X", "importtime", str(exe), "compile", str(project)],
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in res.stderr.splitlines() if "|" in line]
    assert "alur_compiler.api" in imported and "typer" not in imported
    assert f"into {project / 'build'} (" in res.stdout and " written, 0 unchanged" in res.stdout
    again = alurc("compile", str(project), "--format", "text")  # the Typer path: same result
    assert again.returncode == 0 and f"up to date: {project / 'build'}" in again.stdout


def test_run_local_without_jobs_starts_nothing(tmp_path: Path) -> None:
    """A project of tables only has no runtime wheel and nothing to run: exit 0, no Spark
    (this used to end in AL901: the missing wheel was looked up to start the session)."""
    assert alurc("init", "shop", cwd=tmp_path).returncode == 0
    project = tmp_path / "shop"
    shutil.rmtree(project / "pipelines")
    shutil.rmtree(project / "ingestions")
    proc = alurc("run", "--local", cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "AL901" not in proc.stdout + proc.stderr
    assert not (project / "build" / "runtime").exists()
    assert not (project / ".alur" / "warehouse" / "iceberg").exists()  # no session started
