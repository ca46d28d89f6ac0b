"""Telling a state lock this terraform run took itself from anyone else's (state_lock.py).

The parsing is checked on terraform 1.11's own words (captured from a real run against
moto, tests/integration/test_deploy_cli.py); the runner's decision on a scripted
terraform that prints them: release and run again only for an id the run's own core log
attempted, otherwise fail with who holds the lock and never call force-unlock."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from alur_compiler.deploy import state_lock
from alur_compiler.deploy.errors import DeployError
from alur_compiler.deploy.terraform import TerraformOptions, TerraformRunner

OURS = "a74caa74-d027-64f3-95ef-749dbb2c144c"
THEIRS = "3a55cf10-6fbd-9366-dfe4-fd74d298ec32"
LOCKED = """Error: Error acquiring the state lock

Error message: operation error DynamoDB: PutItem, https response error
StatusCode: 400, RequestID:
cQx2P9d0upOww2DZtSlQHxPlBEIo3rcQZc4Wp0DZepPY0XZFFVlN,
ConditionalCheckFailedException: The conditional request failed
Lock Info:
  ID:        {id}
  Path:      retail-dev-tfstate/retail/dev/terraform.tfstate
  Operation: OperationTypePlan
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-12-03 16:36:28.834296833 +0000 UTC
  Info:


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
"""
ATTEMPT = (
    "2026-12-03T16:36:53.755Z [INFO]  backend-s3: Attempting to lock remote state "
    '(DynamoDB only)...: tf_backend.lock.id={id} tf_backend.lock.info="" '
    "tf_backend.lock.operation=OperationTypePlan tf_backend.operation=Lock\n"
)


def test_the_lock_info_is_read_from_terraforms_message() -> None:
    lock = state_lock.held_lock(LOCKED.format(id=THEIRS))
    assert lock == state_lock.HeldLock(
        id=THEIRS,
        path="retail-dev-tfstate/retail/dev/terraform.tfstate",
        operation="OperationTypePlan",
        who="root@vm",
        created="2026-12-03 16:36:28.834296833 +0000 UTC",
    )
    assert state_lock.held_lock("Error: Invalid provider configuration") is None
    assert state_lock.held_lock("Error: Error acquiring the state lock\n(no info)") is None


def test_attempted_ids_come_from_the_core_log(tmp_path: Path) -> None:
    with state_lock.attempt_log({}, tmp_path) as log:
        assert log.env["TF_LOG_CORE"] == "INFO"
        Path(log.env["TF_LOG_PATH"]).write_text(ATTEMPT.format(id=OURS))
        assert log.attempted("") == {OURS}
        path = Path(log.env["TF_LOG_PATH"])
    assert not path.exists()  # its own log file is removed


def test_a_users_log_settings_are_left_alone(tmp_path: Path) -> None:
    user_log = tmp_path / "mine.log"
    user_log.write_text(ATTEMPT.format(id=THEIRS))  # from before this run
    env = {"TF_LOG": "TRACE", "TF_LOG_PATH": str(user_log)}
    with state_lock.attempt_log(env, tmp_path / "data") as log:
        assert log.env == env
        with user_log.open("a") as fh:
            fh.write(ATTEMPT.format(id=OURS))
        assert log.attempted("") == {OURS}
    assert user_log.exists()
    with state_lock.attempt_log({"TF_LOG": "DEBUG"}, tmp_path / "data") as log:
        assert log.env == {"TF_LOG": "DEBUG"}  # the log goes to stderr: read there
        assert log.attempted(ATTEMPT.format(id=OURS)) == {OURS}


def _scripted(tmp_path: Path, held: str) -> tuple[TerraformRunner, Path]:
    """A terraform whose first plan attempts lock OURS and meets lock `held`; a second
    plan succeeds. Every call is appended to calls.txt."""
    calls = tmp_path / "calls.txt"
    message = tmp_path / "locked.txt"
    message.write_text(LOCKED.format(id=held))
    script = tmp_path / "terraform"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {calls}\n'
        'case "$*" in *force-unlock*) exit 0;; esac\n'
        f'if [ "$(grep -c "^-chdir=.* plan " {calls})" = 1 ]; then\n'
        f"  printf '%s' '{ATTEMPT.format(id=OURS)}' >> \"$TF_LOG_PATH\"\n"
        f"  cat {message} >&2; exit 1\n"
        "fi\n"
        "exit 0\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    config = tmp_path / "build" / "terraform" / "dev"
    config.mkdir(parents=True)
    said: list[str] = []
    options = TerraformOptions(binary=str(script), out=said.append)
    runner = TerraformRunner(config, tmp_path / "data", options)
    runner.said = said  # type: ignore[attr-defined]
    return runner, calls


@pytest.fixture
def no_tf_log(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TF_LOG", "TF_LOG_CORE", "TF_LOG_PATH"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_tf_log")
def test_its_own_lock_is_released_and_the_plan_run_again(tmp_path: Path) -> None:
    runner, calls = _scripted(tmp_path, held=OURS)
    assert runner.plan() is False
    lines = calls.read_text().splitlines()
    assert [ln.split()[1] for ln in lines] == ["plan", "force-unlock", "plan"]
    assert lines[1].endswith(f"force-unlock -force {OURS}")
    assert runner.said == [  # type: ignore[attr-defined]
        f"terraform plan: released lock {OURS}, which this plan had taken itself "
        "(a lock request sent twice); running it again"
    ]
    assert list((tmp_path / "data").glob("tf-core-*.log")) == []


@pytest.mark.usefixtures("no_tf_log")
def test_someone_elses_lock_is_never_released(tmp_path: Path) -> None:
    runner, calls = _scripted(tmp_path, held=THEIRS)
    with pytest.raises(DeployError) as info:
        runner.plan()
    assert [ln.split()[1] for ln in calls.read_text().splitlines()] == ["plan"]
    assert info.value.message == (
        "terraform plan failed: the state on retail-dev-tfstate/retail/dev/terraform.tfstate "
        "is locked by root@vm since 2026-12-03 16:36:28.834296833 +0000 UTC "
        f"(OperationTypePlan), lock id {THEIRS}"
    )
    assert info.value.hint is not None
    assert info.value.hint.endswith(f"force-unlock {THEIRS}")
    assert f"TF_DATA_DIR={tmp_path / 'data'} terraform -chdir=" in info.value.hint
