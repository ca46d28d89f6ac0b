"""Drive the real `terraform` CLI on `build/terraform/<env>/`.

Terraform's working data (`.terraform/`, the saved plan, local state) lives under
`<project>/.alur/terraform/<env>/` (TF_DATA_DIR), so the build folder stays pure compiler
output; only `.terraform.lock.hcl` is written next to `main.tf.json` (terraform has no
option to move it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alur_compiler.deploy import state_lock
from alur_compiler.deploy.errors import DeployError

PLAN_FILE = "alurc.tfplan"
_CREDENTIAL_MARKERS = (
    "no valid credential sources",
    "invalidclienttokenid",
    "expiredtoken",
    "failed to refresh cached credentials",
    "signaturedoesnotmatch",
    "unrecognizedclientexception",
    "get identity: ",
)


@dataclass(frozen=True)
class TerraformOptions:
    """How to run terraform: binary, offline provider mirror, timeout, extra env vars."""

    binary: str | None = None  # default: $ALURC_TERRAFORM, then `terraform` on PATH
    plugin_dir: Path | None = None  # default: $ALURC_TF_PLUGIN_DIR; None = registry
    timeout_seconds: float = 3600.0
    grace_seconds: float = 300.0  # after the timeout's SIGINT: time to stop safely
    env: dict[str, str] = field(default_factory=dict)
    out: Callable[[str], None] | None = None  # progress lines (a lock of its own released)

    def say(self, line: str) -> None:
        if self.out is not None:
            self.out(line)

    def resolved_binary(self) -> str:
        name = self.binary or os.environ.get("ALURC_TERRAFORM") or "terraform"
        found = shutil.which(name)
        if found is None:
            raise DeployError(
                f"terraform CLI not found ({name!r})",
                "install terraform >= 1.5 (or OpenTofu) and put it on PATH, or set ALURC_TERRAFORM",
            )
        return found

    def resolved_plugin_dir(self) -> Path | None:
        raw = self.plugin_dir or os.environ.get("ALURC_TF_PLUGIN_DIR")
        return Path(raw) if raw else None


@dataclass
class TerraformRunner:
    """One environment's stack: `config_dir` holds main.tf.json, `data_dir` the rest."""

    config_dir: Path
    data_dir: Path
    options: TerraformOptions = field(default_factory=TerraformOptions)
    local_state: bool = False

    @property
    def plan_file(self) -> Path:
        return self.data_dir / PLAN_FILE

    @property
    def state_file(self) -> Path:
        """Local state (backend: local). Not `terraform.tfstate`: TF_DATA_DIR uses that name."""
        return self.data_dir / "local.tfstate"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"TF_DATA_DIR": str(self.data_dir), "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"})
        env.setdefault("CHECKPOINT_DISABLE", "1")  # no version check call home
        cli_config = env.get("TF_CLI_CONFIG_FILE")
        if cli_config and not Path(cli_config).exists():
            env.pop("TF_CLI_CONFIG_FILE")  # a dangling setting only produces a warning
        env.update(self.options.env)
        return env

    def run(
        self,
        *args: str,
        step: str,
        ok_codes: tuple[int, ...] = (0,),
        locks: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """One terraform command. `locks`: it takes the state lock, and a lock it took
        itself but failed to see taken (a retried lock request, state_lock.py) is released
        and the command run again; it had changed nothing."""
        cmd = [self.options.resolved_binary(), f"-chdir={self.config_dir}", *args]
        for _ in range(3):
            if not locks:
                proc = self._call(cmd, step, self._env())
                break
            with state_lock.attempt_log(self._env(), self.data_dir) as log:
                proc = self._call(cmd, step, log.env)
                attempted = log.attempted(proc.stderr)
            lock = state_lock.held_lock(proc.stderr or proc.stdout)
            if proc.returncode in ok_codes or lock is None:
                break
            if lock.id not in attempted:
                raise state_lock.locked_by_another(step, lock, self.config_dir, self.data_dir)
            released = self._call([*cmd[:2], "force-unlock", "-force", lock.id], step, self._env())
            if released.returncode != 0:
                raise _failure("force-unlock", released.stderr or released.stdout)
            self.options.say(
                f"terraform {step}: released lock {lock.id}, which this {step} had taken "
                "itself (a lock request sent twice); running it again"
            )
        if proc.returncode not in ok_codes:
            raise _failure(step, proc.stderr or proc.stdout)
        return proc

    def _call(
        self, cmd: list[str], step: str, env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        """Run terraform to its end, and stop it only the way terraform stops safely.

        Terraform runs in a session of its own, so a Ctrl-C reaches alurc alone; alurc
        passes each one on as one SIGINT. On the first, terraform finishes the calls in
        flight, saves its state and releases its lock (a SIGKILL would leave resources that
        exist but are in no state, and a held lock); on a second, it exits at once, as it
        does in a terminal. alurc waits for it either way, then raises KeyboardInterrupt.
        The timeout sends the same SIGINT and waits `grace_seconds` before killing it."""
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
        )
        deadline: float | None = time.monotonic() + self.options.timeout_seconds
        interrupts = 0
        timed_out = False
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                stdout, stderr = proc.communicate(timeout=left)
                break
            except KeyboardInterrupt:
                interrupts += 1
                proc.send_signal(signal.SIGINT)
                deadline = None  # from here on, the user decides: a second Ctrl-C
                if interrupts == 1:
                    self.options.say(
                        f"interrupted: terraform {step} is stopping safely (saving its state, "
                        "releasing its lock); Ctrl-C again stops it at once, and terraform "
                        "may then lose track of what it created"
                    )
            except subprocess.TimeoutExpired:
                if timed_out:
                    proc.kill()
                    proc.communicate()
                    raise DeployError(
                        f"terraform {step} did not finish within "
                        f"{self.options.timeout_seconds:g} s, nor stop within "
                        f"{self.options.grace_seconds:g} s of an interrupt, and was killed",
                        "its state may lack what it created and its lock may be held: "
                        "run `alurc plan` to see",
                    ) from None
                timed_out = True
                proc.send_signal(signal.SIGINT)
                deadline = time.monotonic() + self.options.grace_seconds
        if interrupts:
            self.options.say(
                f"terraform {step} stopped (exit {proc.returncode}); run `alurc plan` to see "
                "what is deployed now"
            )
            raise KeyboardInterrupt
        if timed_out:
            raise DeployError(
                f"terraform {step} did not finish within {self.options.timeout_seconds:g} s "
                "and was stopped as on Ctrl-C (state saved, lock released)",
                "an AWS API may be failing and terraform retrying; run terraform manually to see",
            )
        return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)

    def init(self) -> None:
        if not (self.config_dir / "main.tf.json").is_file():
            raise DeployError(
                f"no Terraform stack at {self.config_dir}", "run `alurc compile` first"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = ["init", "-input=false", "-no-color", "-reconfigure"]
        plugin_dir = self.options.resolved_plugin_dir()
        if plugin_dir is not None:
            args.append(f"-plugin-dir={plugin_dir}")
        if self.local_state:
            args.append(f"-backend-config=path={self.state_file}")
        self.run(*args, step="init")

    def plan(self, destroy: bool = False) -> bool:
        """Write the saved plan; True when it changes something."""
        args = ["plan", "-input=false", "-no-color", "-detailed-exitcode", f"-out={self.plan_file}"]
        if destroy:
            args.append("-destroy")
        return self.run(*args, step="plan", ok_codes=(0, 2), locks=True).returncode == 2

    def show_plan(self) -> dict[str, Any]:
        if not self.plan_file.is_file():
            raise DeployError("no saved plan for this environment", "run `alurc plan` first")
        out = self.run("show", "-json", "-no-color", str(self.plan_file), step="show").stdout
        data: dict[str, Any] = json.loads(out)
        return data

    def apply(self) -> str:
        """Apply exactly the saved plan, then forget it (a plan applies once)."""
        proc = self.run(
            "apply", "-input=false", "-no-color", str(self.plan_file), step="apply", locks=True
        )
        self.plan_file.unlink(missing_ok=True)
        lines = [
            ln
            for ln in proc.stdout.splitlines()
            if ln.startswith(("Apply complete", "Destroy complete"))
        ]
        return lines[-1] if lines else "Apply complete."


def _failure(step: str, output: str) -> DeployError:
    text = output.strip()
    lowered = text.lower()
    tail = "\n".join(text.splitlines()[-25:])
    if any(marker in lowered for marker in _CREDENTIAL_MARKERS):
        return DeployError(
            f"terraform {step} failed: AWS credentials were rejected or not found\n{tail}",
            "configure credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, "
            "or an SSO login)",
        )
    hint = None
    if step == "init":
        hint = (
            "offline? pass --plugin-dir (or set ALURC_TF_PLUGIN_DIR) to a provider mirror; "
            "S3 state? run `alurc bootstrap --env ENV` first"
        )
    return DeployError(f"terraform {step} failed:\n{tail}", hint)
