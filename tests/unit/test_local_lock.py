"""The local warehouse lock: one `run --local` at a time, never a stale lock after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from alur_compiler.local.lock import LOCK_NAME, WarehouseBusy, warehouse_lock

HOLD = """
import sys, time
from pathlib import Path
from alur_compiler.local.lock import warehouse_lock
with warehouse_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(120)
"""


def _holder(warehouse: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_held_warehouse_is_refused_with_the_holder_and_freed_by_a_kill(tmp_path: Path) -> None:
    warehouse = tmp_path / ".alur" / "warehouse"
    proc = _holder(warehouse)
    try:
        with pytest.raises(WarehouseBusy) as info, warehouse_lock(warehouse):
            pass
        assert f"pid {proc.pid} on " in str(info.value)
        assert str(warehouse) in str(info.value)
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # a crash: no clean-up runs in the holder
        proc.wait()
    assert (warehouse / LOCK_NAME).exists()  # the file stays; the kernel dropped the lock
    # also refused to this process's other runs
    with warehouse_lock(warehouse), pytest.raises(WarehouseBusy), warehouse_lock(warehouse):
        pass
    with warehouse_lock(warehouse):  # released on exit
        pass
