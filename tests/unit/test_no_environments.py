"""`environments` is optional: a project used only with `run --local` validates and
compiles without one, and every --env command says that none is declared (exit 2)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from alur_compiler import api
from alur_compiler.cli import app


def local_only(tmp_path: Path) -> Path:
    import os

    project = tmp_path / "p"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(app, ["init", "p"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    text = (project / "alur.yaml").read_text()
    (project / "alur.yaml").write_text(text[: text.index("environments:")])
    return project


def test_a_project_without_environments_validates_and_compiles(tmp_path: Path) -> None:
    project = local_only(tmp_path)
    loaded = api.load(project)
    assert not loaded.diagnostics.has_errors, loaded.diagnostics.sorted()
    assert loaded.project is not None and loaded.project.environments == ()
    compiled = CliRunner().invoke(app, ["compile", str(project)])
    assert compiled.exit_code == 0, compiled.output
    assert (project / "build" / "glue").is_dir()
    assert not (project / "build" / "terraform").exists()


def test_env_commands_say_no_environment_is_declared(tmp_path: Path) -> None:
    project = local_only(tmp_path)
    for argv in (
        ["plan", "--env", "dev", str(project)],
        ["run", "x", "--env", "dev", str(project)],
    ):
        result = CliRunner().invoke(app, argv)
        assert result.exit_code == 2, (argv, result.output)
        assert "no environment is declared in alur.yaml, so there is no 'dev'" in result.output
        assert "add one under `environments:` in alur.yaml" in result.output
