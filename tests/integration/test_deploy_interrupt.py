"""Ctrl-C during `terraform apply`, with the real terraform CLI and real signals.

Terraform stops safely on one SIGINT: it lets the calls in flight end, writes what it
created into its state and releases its lock. alurc used to let Python's subprocess module
SIGKILL it 0.25 s after a Ctrl-C: the resource existed, the state file was empty and the
lock stayed. Here a stack with one `terraform_data` resource whose provisioner sleeps is
applied by TerraformRunner in a child Python process; a SIGINT is sent to that process
alone (as a terminal sends it to alurc, whose terraform runs in a session of its own) once
the provisioner runs. The oracle is terraform's own state file and lock file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform CLI not on PATH"),
]

DRIVER = """
import sys
from pathlib import Path
from alur_compiler.deploy.terraform import TerraformOptions, TerraformRunner

runner = TerraformRunner(
    Path(sys.argv[1]), Path(sys.argv[2]), TerraformOptions(out=print), local_state=True
)
runner.init()
runner.plan()
try:
    runner.apply()
except KeyboardInterrupt:
    print("KeyboardInterrupt")
    sys.exit(130)
print("applied")
"""


def _stack(tmp_path: Path) -> tuple[Path, Path, Path]:
    config, data, marks = tmp_path / "config", tmp_path / "data", tmp_path / "marks"
    config.mkdir()
    marks.mkdir()
    command = f"touch {marks}/started && sleep 20 && touch {marks}/finished"
    stack = {
        "terraform": {"backend": {"local": {}}},
        "resource": {
            "terraform_data": {
                "slow": {"input": "x", "provisioner": {"local-exec": {"command": command}}}
            }
        },
    }
    (config / "main.tf.json").write_text(json.dumps(stack))
    return config, data, marks


def _apply_and_interrupt(tmp_path: Path, interrupts: int) -> tuple[int, str, Path, Path]:
    config, data, marks = _stack(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_LOG")}
    env.pop("ALURC_TF_PLUGIN_DIR", None)  # terraform_data needs no provider
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(config), str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    while not (marks / "started").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[0]
        time.sleep(0.1)
    for _ in range(interrupts):
        os.kill(proc.pid, signal.SIGINT)  # the driver only, never terraform's session
        time.sleep(0.5)
    out, _ = proc.communicate(timeout=120)
    return proc.returncode, out, data, marks


def test_one_ctrl_c_lets_terraform_save_its_state_and_release_its_lock(
    tmp_path: Path,
) -> None:
    code, out, data, marks = _apply_and_interrupt(tmp_path, interrupts=1)
    assert code == 130 and "KeyboardInterrupt" in out, out
    assert not (data / ".local.tfstate.lock.info").exists(), out
    state = (data / "local.tfstate").read_text()
    assert state, "terraform was killed before it could write its state"
    (resource,) = json.loads(state)["resources"]
    assert resource["type"] == "terraform_data"
    assert resource["instances"][0]["status"] == "tainted"  # recorded, to be replaced
    assert not (marks / "finished").exists()  # terraform stopped the provisioner itself
    assert "interrupted: terraform apply is stopping safely" in out, out
    assert "terraform apply stopped (exit 1)" in out, out
