"""One `run --local` per local warehouse at a time.

Two runs of one project at once would share the warehouse: the Iceberg Hadoop catalog on
a local disk, the SQLite state and the lake folders. The state protocol keeps files and
batches exactly-once even then, but Iceberg's Hadoop catalog is not safe for two writers
of one table, so a second run does not start Spark at all: it stops before its first
write and says which process holds the warehouse. The lock is an OS file lock
(`flock`) on `<warehouse>/.alur-run.lock`: it is released by the kernel when its process
ends, however it ends, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".alur-run.lock"


class WarehouseBusy(Exception):
    """Another live process holds the local warehouse."""


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not isinstance(info, dict) or "pid" not in info:
        return "another process"
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(float(info.get("started", 0))))
    return f"pid {info['pid']} on {info.get('host', '?')}, since {since} UTC"


@contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[None]:
    """Hold the warehouse for this process, or raise WarehouseBusy at once (no waiting)."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): runs are not serialised there
        yield
        return
    warehouse.mkdir(parents=True, exist_ok=True)
    path = warehouse / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(
                f"another alurc run ({_holder(path)}) is using the local warehouse "
                f"{warehouse}; nothing was run. Wait for it to finish (or stop it), then "
                "run again"
            ) from None
        me = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(me).encode("utf-8"))
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
