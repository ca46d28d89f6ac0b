"""`after:` chains on AWS: what the environment's chain Lambda decides on each Glue job event.

EventBridge delivers every "Glue Job State Change" event of the environment's jobs (one
rule, matched by the job-name prefix) to one small Lambda whose handler is `handler` below.
The semantics (specs/schedule.md, "after: semantics"):

- a job S with `after: [a, b]` starts once each time every listed job has succeeded at
  least once since S's own last start by the chain, whatever schedule or person started
  them;
- a predecessor whose latest finished run failed (FAILED, TIMEOUT, STOPPED, ERROR) holds
  S back until it succeeds again; the hold is reported (a JSON log line per decision);
- a disabled S (`enabled: false`) is never started.

State lives in the environment's DynamoDB state table (alur_runtime/state.py), items keyed
by job name like the jobs' own state: `pk=<job>, sk=schedule#outcome` holds a predecessor's
success count and latest outcome; `pk=<successor>, sk=schedule#started` the counts S saw
when the chain last started it. Counts, not timestamps: two events of one second stay
ordered. Every write is a compare-and-set, so concurrent Lambda invocations start S at most
once per set of successes; a start Glue refuses (e.g. S still running) rolls the claim back,
and the next predecessor success retries. This module imports nothing from alur_compiler.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

SUCCEEDED = "SUCCEEDED"
FAILURES = frozenset({"FAILED", "TIMEOUT", "STOPPED", "ERROR"})
OUTCOME = "schedule#outcome"
STARTED = "schedule#started"
CONFIG_FILE = "alur_chains.json"


class Store(Protocol):
    def get(self, pk: str, sk: str) -> dict[str, str] | None: ...

    def put_if(
        self, pk: str, sk: str, item: dict[str, str], expected: dict[str, str] | None
    ) -> bool: ...


@dataclass(frozen=True)
class Chains:
    """Which jobs start after which (Glue job names), and which are switched off."""

    after: Mapping[str, tuple[str, ...]]  # successor -> its predecessors
    disabled: frozenset[str] = frozenset()

    def successors(self, job: str) -> list[str]:
        return sorted(s for s, preds in self.after.items() if job in preds)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Chains:
        after = {str(s): tuple(sorted(map(str, p))) for s, p in data["after"].items()}
        return cls(after, frozenset(map(str, data.get("disabled", ()))))


@dataclass(frozen=True)
class Decision:
    job: str  # the successor decided about
    action: str  # started | waiting | held | disabled | refused
    reason: str


def _record(store: Store, job: str, state: str, at: str, run_id: str) -> None:
    """Count a success, or remember a failure as the latest outcome (compare-and-set).
    An event delivered twice (same run id: EventBridge and Lambda retry) counts once."""
    while True:
        old = store.get(job, OUTCOME)
        if old and run_id and old.get("run") == run_id:
            return
        count = int(old["count"]) if old else 0
        if state == SUCCEEDED:
            count += 1
        item = {"count": str(count), "state": state, "at": at, "run": run_id}
        if store.put_if(job, OUTCOME, item, old):
            return


def _verdict(
    store: Store, chains: Chains, job: str
) -> tuple[str, str, dict[str, str] | None, dict[str, int]]:
    """(action, reason, S's started item, current counts) for successor `job`."""
    started = store.get(job, STARTED)
    seen: dict[str, int] = json.loads(started["seen"]) if started else {}
    counts: dict[str, int] = {}
    waiting, held = [], []
    for pred in chains.after[job]:
        outcome = store.get(pred, OUTCOME)
        counts[pred] = int(outcome["count"]) if outcome else 0
        if outcome and outcome["state"] != SUCCEEDED:
            held.append(f"{pred} {outcome['state']}")
        elif counts[pred] <= seen.get(pred, 0):
            waiting.append(pred)
    if held:
        return "held", "latest run " + ", ".join(held), started, counts
    if waiting:
        return "waiting", "no success since the last start: " + ", ".join(waiting), started, counts
    return "start", "every predecessor succeeded since the last start", started, counts


def on_state_change(
    chains: Chains,
    store: Store,
    job: str,
    state: str,
    at: str,
    start: Callable[[str], bool],
    run_id: str = "",
) -> list[Decision]:
    """Record `job`'s final `state` (of run `run_id`) and start the successors that are due.

    `start(name)` starts a Glue job run and returns False when Glue refuses it; when it
    raises, the claim is given back before the error propagates (and the Lambda retries)."""
    if state != SUCCEEDED and state not in FAILURES:
        return []  # STARTING, RUNNING, STOPPING: not a final state
    successors = chains.successors(job)
    if not successors:
        return []
    _record(store, job, state, at, run_id)
    decisions: list[Decision] = []
    for succ in successors:
        if succ in chains.disabled:
            decisions.append(Decision(succ, "disabled", "enabled: false"))
            continue
        action, reason, old, counts = _verdict(store, chains, succ)
        if action != "start" or state != SUCCEEDED:
            decisions.append(Decision(succ, "held" if action == "held" else "waiting", reason))
            continue
        claim = {"seen": json.dumps(counts, sort_keys=True), "at": at, "by": job}
        if not store.put_if(succ, STARTED, claim, old):
            decisions.append(Decision(succ, "waiting", "another invocation started it"))
        elif _start(store, succ, start, claim, old):
            decisions.append(Decision(succ, "started", f"{reason} (last: {job})"))
        else:
            decisions.append(Decision(succ, "refused", "Glue refused the start; retried later"))
    return decisions


def _start(
    store: Store,
    job: str,
    start: Callable[[str], bool],
    claim: dict[str, str],
    old: dict[str, str] | None,
) -> bool:
    """Start `job`; when Glue refuses or the call fails, give the successes back."""
    back = old if old is not None else {"seen": "{}", "at": "", "by": ""}
    try:
        started = start(job)
    except Exception:
        store.put_if(job, STARTED, back, claim)
        raise
    if not started:
        store.put_if(job, STARTED, back, claim)
    return started


def _config() -> Chains:
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(os.path.dirname(here), CONFIG_FILE), encoding="utf-8") as fh:
        return Chains.from_json(json.load(fh))


def handler(event: Mapping[str, Any], context: object = None) -> list[dict[str, str]]:
    """The Lambda entry point (EventBridge "Glue Job State Change" event)."""
    import boto3

    from alur_runtime.state import DynamoStateStore

    endpoint = os.environ.get("ALUR_ENDPOINT") or None
    store = DynamoStateStore(os.environ["ALUR_STATE_TABLE"], endpoint_url=endpoint)
    glue = boto3.client("glue", endpoint_url=endpoint)

    def start(name: str) -> bool:
        try:
            glue.start_job_run(JobName=name)
        except glue.exceptions.ConcurrentRunsExceededException:
            return False
        return True

    detail = event["detail"]
    decisions = on_state_change(
        _config(),
        store,
        str(detail["jobName"]),
        str(detail["state"]),
        str(event["time"]),
        start,
        str(detail.get("jobRunId", "")),
    )
    out = [{"job": d.job, "action": d.action, "reason": d.reason} for d in decisions]
    for line in out:
        print(json.dumps({"event": detail["jobName"], "state": detail["state"]} | line))
    return out
