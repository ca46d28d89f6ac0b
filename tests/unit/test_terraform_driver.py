"""The terraform driver's error handling: clear messages and hints, never a traceback."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from alur_compiler.deploy.errors import DeployError
from alur_compiler.deploy.terraform import TerraformOptions, TerraformRunner


def _fake_terraform(tmp_path: Path, stderr: str, code: int = 1) -> str:
    script = tmp_path / "terraform"
    script.write_text(f"#!/bin/sh\ncat >&2 <<'EOF'\n{stderr}\nEOF\nexit {code}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def _runner(tmp_path: Path, binary: str) -> TerraformRunner:
    config = tmp_path / "build" / "terraform" / "dev"
    config.mkdir(parents=True)
    (config / "main.tf.json").write_text("{}\n")
    return TerraformRunner(config, tmp_path / "data", TerraformOptions(binary=binary))


def test_rejected_credentials_get_a_credentials_hint(tmp_path: Path) -> None:
    binary = _fake_terraform(tmp_path, "Error: No valid credential sources found")
    with pytest.raises(DeployError) as info:
        _runner(tmp_path, binary).init()
    assert "AWS credentials were rejected or not found" in info.value.message
    assert info.value.hint is not None and "AWS_PROFILE" in info.value.hint


def test_init_failure_hints_at_plugin_dir_and_bootstrap(tmp_path: Path) -> None:
    binary = _fake_terraform(tmp_path, "Error: Failed to query available provider packages")
    with pytest.raises(DeployError) as info:
        _runner(tmp_path, binary).init()
    rendered = info.value.render()
    assert rendered.startswith("error: terraform init failed:\nError: Failed to query")
    assert "--plugin-dir" in rendered and "alurc bootstrap" in rendered


def test_missing_binary_and_missing_stack(tmp_path: Path) -> None:
    with pytest.raises(DeployError, match=r"terraform CLI not found \('nope-tf'\)"):
        TerraformOptions(binary="nope-tf").resolved_binary()
    runner = TerraformRunner(tmp_path / "none", tmp_path / "data", TerraformOptions())
    with pytest.raises(DeployError, match="no Terraform stack"):
        runner.init()
    with pytest.raises(DeployError, match="no saved plan"):
        runner.show_plan()


def _slow_terraform(tmp_path: Path, on_interrupt: str) -> str:
    """A terraform that takes 30 s; on SIGINT it runs `on_interrupt` (shell)."""
    script = tmp_path / "terraform"
    marks = tmp_path / "marks"
    script.write_text(
        "#!/bin/sh\n"
        f"trap '{on_interrupt}' INT\n"
        "i=0\n"
        f"while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo done >> {marks}\n"
    )
    script.chmod(0o755)
    return str(script)


def test_the_timeout_stops_terraform_as_ctrl_c_does(tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    binary = _slow_terraform(tmp_path, f"echo saved >> {marks}; exit 1")
    runner = _runner(tmp_path, binary)
    runner.options = TerraformOptions(binary=binary, timeout_seconds=0.5)
    with pytest.raises(DeployError, match=r"did not finish within 0.5 s and was stopped as on"):
        runner.init()
    assert marks.read_text() == "saved\n"  # it had the SIGINT, and the time to act on it


def test_a_terraform_that_ignores_the_interrupt_is_killed_after_the_grace(
    tmp_path: Path,
) -> None:
    marks = tmp_path / "marks"
    binary = _slow_terraform(tmp_path, f"echo ignored >> {marks}")
    runner = _runner(tmp_path, binary)
    runner.options = TerraformOptions(binary=binary, timeout_seconds=0.5, grace_seconds=0.5)
    with pytest.raises(DeployError, match=r"nor stop within 0.5 s of an interrupt, and was"):
        runner.init()
    assert marks.read_text() == "ignored\n"
