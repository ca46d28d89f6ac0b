"""Who owns a run, and whether that owner still lives (ingestion batches, pipeline runs).

An item that a run writes before its first effect records its owner: on Glue the JobRunId
(`--JOB_RUN_ID`), locally the host, pid and process start time. A later run asks
`owner_liveness`: `alive` (leave it alone and report it), `gone` (provably: recover now)
or `unknown` (another host, no API access: fall back to a lease).
"""

from __future__ import annotations

import os
import socket

#: Runs (ingestion batches, pipeline runs) this process is executing right now: an
#: in-process crash leaves its run here no longer, so the owner of a run is this process
#: only while the run is in this set.
ACTIVE_RUNS: set[str] = set()
_RUNNING = frozenset({"STARTING", "RUNNING", "STOPPING", "WAITING"})


def process_start(pid: int) -> str | None:
    """The start time (clock ticks since boot) of a live process, None if there is none.

    A zombie (killed, not yet reaped) counts as gone. Without /proc, '?' for a live pid.
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    except OSError:  # no /proc (macOS): existence only
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "?"
    return None if fields[0] in ("Z", "X") else fields[19]


def owner_fields(args: dict[str, str]) -> dict[str, str]:
    """Who runs this batch or pipeline run, recorded with it so that a later run can ask
    whether it still lives."""
    out = {
        "owner_host": socket.gethostname(),
        "owner_pid": str(os.getpid()),
        "owner_started": process_start(os.getpid()) or "?",
    }
    if args.get("JOB_RUN_ID"):
        out["owner_run"] = args["JOB_RUN_ID"]
        out["owner_job"] = args.get("JOB_NAME", "")
    return out


def owner_liveness(run_id: str, item: dict[str, str], args: dict[str, str]) -> str:
    """`alive`, `gone` (provably: recover now) or `unknown` (fall back to the lease)."""
    run = item.get("owner_run")
    if run:
        try:
            import boto3

            glue = boto3.client(
                "glue",
                region_name=args.get("alur_region") or None,
                endpoint_url=os.environ.get("ALUR_GLUE_ENDPOINT") or None,
            )
            state = glue.get_job_run(JobName=item.get("owner_job", ""), RunId=run)
        except Exception:  # no API access, throttled, unknown run: cannot decide
            return "unknown"
        return "alive" if state["JobRun"]["JobRunState"] in _RUNNING else "gone"
    if not item.get("owner_pid") or item.get("owner_host") != socket.gethostname():
        return "unknown"
    pid = int(item["owner_pid"])
    if pid == os.getpid():
        return "alive" if run_id in ACTIVE_RUNS else "gone"
    started = process_start(pid)
    if started is None:
        return "gone"
    if "?" not in (started, item.get("owner_started", "?")) and started != item["owner_started"]:
        return "gone"  # the pid was reused by another process
    return "alive"


def describe_owner(batch: dict[str, str]) -> str:
    """The owner of a batch or run, for messages: a Glue job run or a local process."""
    if batch.get("owner_run"):
        return f"Glue job run {batch['owner_run']}"
    return f"pid {batch.get('owner_pid', '?')} on {batch.get('owner_host', '?')}"
