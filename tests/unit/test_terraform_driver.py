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


def test_timeout_is_bounded(tmp_path: Path) -> None:
    script = tmp_path / "terraform"
    script.write_text("#!/bin/sh\nsleep 5\n")
    script.chmod(0o755)
    runner = _runner(tmp_path, str(script))
    runner.options = TerraformOptions(binary=str(script), timeout_seconds=0.3)
    with pytest.raises(DeployError, match=r"did not finish within 0.3 s"):
        runner.init()
