"""A state lock that this very terraform run left behind, told apart from anyone else's.

Terraform's S3 backend takes its lock with a conditional DynamoDB PutItem. When the reply
to that PutItem is lost (a network blip, a slow endpoint), the AWS SDK sends it again and
the second attempt finds the lock the first one wrote: terraform fails with "Error
acquiring the state lock" against its own lock, and the lock stays until someone runs
`terraform force-unlock` (hashicorp/terraform#16630). Terraform's core log names the id of
every lock it attempts (`tf_backend.lock.id=` at INFO). A fresh UUID is made for each
attempt, so a held lock whose id is in this run's log was written by this run and by
nobody else. That is the only lock alurc ever releases on its own. Any other lock is
reported with who holds it, since when, and the command that releases it.
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alur_compiler.deploy.errors import DeployError

_USER_LOG_SETTINGS = ("TF_LOG", "TF_LOG_CORE", "TF_LOG_PATH")
_ATTEMPT = re.compile(r"\block\.id=([0-9a-fA-F-]{36})\b")
_FIELD = re.compile(r"^\s*(ID|Path|Operation|Who|Created):[ \t]*(.*?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class HeldLock:
    """The lock terraform found in its way, as its error message describes it."""

    id: str
    path: str = ""
    operation: str = ""
    who: str = ""
    created: str = ""


def held_lock(output: str) -> HeldLock | None:
    """The lock of an "Error acquiring the state lock" failure; None for any other one."""
    if "Error acquiring the state lock" not in output or "Lock Info:" not in output:
        return None
    info = output.split("Lock Info:", 1)[1]
    fields = {name: value for name, value in _FIELD.findall(info)}
    lock_id = fields.get("ID", "")
    if not lock_id:
        return None
    return HeldLock(
        id=lock_id,
        path=fields.get("Path", ""),
        operation=fields.get("Operation", ""),
        who=fields.get("Who", ""),
        created=fields.get("Created", ""),
    )


class AttemptLog:
    """Where one terraform invocation's core log goes, and the lock ids it attempted.

    Without a log setting of the user's, the core log goes to a temporary file at INFO
    (providers keep their own setting). With one, alurc changes nothing and reads what the
    user's setting produces: stderr, or the part of TF_LOG_PATH written during the run."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = dict(env)
        self._path: Path | None = None
        self._offset = 0
        if any(self.env.get(name) for name in _USER_LOG_SETTINGS):
            user_path = self.env.get("TF_LOG_PATH")
            if user_path:
                self._path = Path(user_path)
                self._offset = _size(self._path)
            self._own = False
        else:
            fd, name = tempfile.mkstemp(prefix="tf-core-", suffix=".log", dir=folder)
            os.close(fd)
            self._path = Path(name)
            self.env.update({"TF_LOG_CORE": "INFO", "TF_LOG_PATH": name})
            self._own = True

    def attempted(self, stderr: str) -> set[str]:
        """Every lock id this invocation tried to take."""
        text = stderr
        if self._path is not None:
            try:
                with self._path.open("rb") as fh:
                    fh.seek(self._offset)
                    text += fh.read().decode("utf-8", "replace")
            except OSError:
                pass
        return set(_ATTEMPT.findall(text))

    def close(self) -> None:
        if self._own and self._path is not None:
            self._path.unlink(missing_ok=True)


@contextmanager
def attempt_log(env: dict[str, str], folder: Path) -> Iterator[AttemptLog]:
    folder.mkdir(parents=True, exist_ok=True)
    log = AttemptLog(env, folder)
    try:
        yield log
    finally:
        log.close()


def unlock_command(lock: HeldLock, config_dir: Path, data_dir: Path) -> str:
    """The shell command that releases `lock` for this environment's terraform."""
    return (
        f"TF_DATA_DIR={shlex.quote(str(data_dir))} terraform "
        f"-chdir={shlex.quote(str(config_dir))} force-unlock {shlex.quote(lock.id)}"
    )


def locked_by_another(step: str, lock: HeldLock, config_dir: Path, data_dir: Path) -> DeployError:
    """The error for a lock this run did not take: never released by alurc."""
    holder = lock.who or "an unknown user"
    since = f" since {lock.created}" if lock.created else ""
    doing = f" ({lock.operation})" if lock.operation else ""
    where = f" on {lock.path}" if lock.path else ""
    return DeployError(
        f"terraform {step} failed: the state{where} is locked by {holder}{since}{doing}, "
        f"lock id {lock.id}",
        "wait for that run to finish; if it is gone (killed, crashed), release its lock with: "
        + unlock_command(lock, config_dir, data_dir),
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
