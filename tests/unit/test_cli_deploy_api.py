"""The deploy commands are thin: one read of the project, each diagnostic printed once,
the same exit codes through the CLI and the API (no terraform needed: it is "missing")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alur_compiler import api
from alur_compiler.cli import app
from alur_compiler.diagnostics import Diagnostics

ROOT = Path(__file__).resolve().parents[2]
WARNING = "warning[AL107]"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """examples/retail with one warning (a `paths` entry naming nothing); no terraform."""
    root = tmp_path / "retail"
    shutil.copytree(
        ROOT / "examples" / "retail", root, ignore=shutil.ignore_patterns("build", ".alur")
    )
    cfg = root / "alur.yaml"
    cfg.write_text(cfg.read_text().replace("paths: [contracts,", "paths: [nowhere, contracts,"))
    monkeypatch.setenv("ALURC_TERRAFORM", "no-such-terraform")
    monkeypatch.setenv("NO_COLOR", "1")
    return root


def _alurc(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize("command", ["plan", "destroy"])
def test_each_warning_prints_once(project: Path, command: str) -> None:
    for _ in range(2):  # a fresh compile, then an up-to-date build folder
        code, out = _alurc(command, "--env", "dev", str(project))
        assert code == 1, out
        assert out.count(WARNING) == 1, out
        assert "error: terraform CLI not found ('no-such-terraform')" in out
        assert (project / "build" / "manifest.json").is_file()


@pytest.mark.parametrize("command", ["bootstrap", "apply"])
def test_load_only_commands_print_each_warning_once(project: Path, command: str) -> None:
    code, out = _alurc(command, "--env", "qa", str(project))
    assert code == 2 and out.count(WARNING) == 1, out
    assert "unknown environment 'qa'" in out and "dev, prod" in out


def test_api_reports_diagnostics_once_through_the_hook(project: Path) -> None:
    seen: list[int] = []

    def record(diags: Diagnostics, files: dict[str, str]) -> None:
        seen.append(len(diags.warnings))

    result = api.plan(project, "dev", hooks=api.DeployHooks(diagnostics=record))
    assert seen == [1] and result.exit_code == 1 and result.error is not None
    assert result.summary is None and result.build == (project / "build").resolve()
    seen.clear()
    again = api.destroy(project, "dev", hooks=api.DeployHooks(diagnostics=record))
    assert seen == [1] and again.exit_code == 1
    assert "terraform CLI not found" in again.error.message if again.error else False


def test_broken_project_exits_1_before_any_deploy_step(tmp_path: Path) -> None:
    shutil.copy(ROOT / "tests" / "errors" / "references.yaml", tmp_path / "alur.yaml")
    for command in ("plan", "apply", "destroy", "bootstrap"):
        code, out = _alurc(command, "--env", "dev", str(tmp_path))
        assert code == 1 and out.count("error[AL302]: unknown target table 'rwa'") == 1, out
        assert "terraform" not in out
    code, out = _alurc("logs", "jr_1", "--env", "dev", str(tmp_path))
    assert code == 1, out


def test_logs_unknown_job_is_a_usage_error(project: Path) -> None:
    code, out = _alurc("logs", "jr_1", "--env", "dev", "--job", "nope", str(project))
    assert code == 2 and "error: unknown job 'nope'" in out, out
