"""`after:` chains on AWS: what the environment's chain Lambda decides on each Glue job event.

EventBridge delivers every "Glue Job State Change" event of the environment's jobs (one
rule, matched by the job-name prefix) to one small Lambda whose handler is `handler` below.
The semantics (specs/schedule.md, "after: semantics"):

- a job S with `after: [a, b]` starts once each time every listed job has succeeded at
  least once since S's own last start by the chain, whatever schedule or person started
  them; with `after_any: [a, b]`, once each time any one of them has;
- a predecessor of `after:` whose latest finished run failed (FAILED, TIMEOUT, STOPPED,
  ERROR) holds S back until it succeeds again; the hold is reported (a JSON log line per
  decision). Under `after_any:` a failure holds nothing: the next success of any starts S;
- a disabled S (`enabled: false`) is never started;
- `max_wait` (with `after:` only): counted from the first predecessor success since S's last
  start; when it elapses with S still not started, the timer sweep (`on_timer`, invoked
  by a rate rule every TIMER_MINUTES) starts S anyway (`on_max_wait: run`) or publishes one
  alert for that wait (`on_max_wait: alert`).

State lives in the environment's DynamoDB state table (alur_runtime/state.py), items keyed
by job name like the jobs' own state: `pk=<job>, sk=schedule#outcome` holds a predecessor's
success count and latest outcome; `pk=<successor>, sk=schedule#started` the counts S saw
when the chain last started it; `sk=schedule#waiting` when S's current wait began (the
`seen` of its last start names the wait). Counts, not timestamps, order the successes: two
events of one second stay ordered. Every write is a compare-and-set, so concurrent Lambda
invocations start S at most once per set of successes; a start Glue refuses (e.g. S still
running) rolls the claim back, and the next predecessor success (or sweep) retries. This
module imports nothing from alur_compiler.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

SUCCEEDED = "SUCCEEDED"
FAILURES = frozenset({"FAILED", "TIMEOUT", "STOPPED", "ERROR"})
OUTCOME = "schedule#outcome"
STARTED = "schedule#started"
WAITING = "schedule#waiting"
CONFIG_FILE = "alur_chains.json"
TIMER_MINUTES = 5  # the sweep's rate: a max_wait elapses at most this much late
NO_START = {"seen": "{}", "at": "", "by": ""}


class Store(Protocol):
    def get(self, pk: str, sk: str) -> dict[str, str] | None: ...

    def put_if(
        self, pk: str, sk: str, item: dict[str, str], expected: dict[str, str] | None
    ) -> bool: ...


@dataclass(frozen=True)
class Wait:
    """`max_wait` of a successor: minutes, and what happens when they elapse."""

    minutes: int
    on: str = "alert"  # run | alert


@dataclass(frozen=True)
class Chains:
    """Which jobs start after which (Glue job names), and which are switched off."""

    after: Mapping[str, tuple[str, ...]]  # successor -> the predecessors it needs all of
    disabled: frozenset[str] = frozenset()
    after_any: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # ... any one of
    max_wait: Mapping[str, Wait] = field(default_factory=dict)

    def predecessors(self, job: str) -> tuple[str, ...]:
        return self.after.get(job) or self.after_any.get(job, ())

    def successors(self, job: str) -> list[str]:
        found = {s for s, preds in self.after.items() if job in preds}
        found |= {s for s, preds in self.after_any.items() if job in preds}
        return sorted(found)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Chains:
        def lists(key: str) -> dict[str, tuple[str, ...]]:
            return {str(s): tuple(sorted(map(str, p))) for s, p in data.get(key, {}).items()}

        waits = {
            str(s): Wait(int(w["minutes"]), str(w["on"]))
            for s, w in data.get("max_wait", {}).items()
        }
        disabled = frozenset(map(str, data.get("disabled", ())))
        return cls(lists("after"), disabled, lists("after_any"), waits)


@dataclass(frozen=True)
class Decision:
    job: str  # the successor decided about
    action: str  # started | waiting | held | disabled | refused | alerted
    reason: str


def _record(store: Store, job: str, state: str, at: str, run_id: str) -> int:
    """Count a success, or remember a failure as the latest outcome (compare-and-set);
    returns `job`'s success count. An event delivered twice (same run id: EventBridge and
    Lambda retry) counts once."""
    while True:
        old = store.get(job, OUTCOME)
        count = int(old["count"]) if old else 0
        if old and run_id and old.get("run") == run_id:
            return count
        if state == SUCCEEDED:
            count += 1
        item = {"count": str(count), "state": state, "at": at, "run": run_id}
        if store.put_if(job, OUTCOME, item, old):
            return count


def _seen(started: dict[str, str] | None) -> dict[str, int]:
    return dict(json.loads(started["seen"])) if started else {}


def _verdict(
    store: Store, chains: Chains, job: str
) -> tuple[str, str, dict[str, str] | None, dict[str, int]]:
    """(action, reason, S's started item, current counts) for successor `job`."""
    started = store.get(job, STARTED)
    seen = _seen(started)
    counts: dict[str, int] = {}
    waiting, held = [], []
    for pred in chains.predecessors(job):
        outcome = store.get(pred, OUTCOME)
        counts[pred] = int(outcome["count"]) if outcome else 0
        if outcome and outcome["state"] != SUCCEEDED:
            held.append(f"{pred} {outcome['state']}")
        if counts[pred] <= seen.get(pred, 0):
            waiting.append(pred)
    if job in chains.after_any:
        fresh = [p for p in counts if p not in waiting]
        if fresh:
            return "start", "succeeded since the last start: " + ", ".join(fresh), started, counts
        why = "none succeeded since the last start" + "".join(f"; latest run {h}" for h in held)
        return "waiting", why, started, counts
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
    count = _record(store, job, state, at, run_id)
    decisions: list[Decision] = []
    for succ in successors:
        if succ in chains.disabled:
            decisions.append(Decision(succ, "disabled", "enabled: false"))
            continue
        decision = _decide(store, chains, succ, job, state, at, start)
        decisions.append(decision)
        if decision.action != "started" and state == SUCCEEDED and succ in chains.max_wait:
            _arm(store, succ, job, count, at)
    return decisions


def _decide(
    store: Store,
    chains: Chains,
    succ: str,
    job: str,
    state: str,
    at: str,
    start: Callable[[str], bool],
) -> Decision:
    action, reason, old, counts = _verdict(store, chains, succ)
    if action == "start" and state != SUCCEEDED:
        return Decision(succ, "waiting", f"{job} {state}; the next success starts it")
    if action != "start":
        return Decision(succ, "held" if action == "held" else "waiting", reason)
    claim = {"seen": json.dumps(counts, sort_keys=True), "at": at, "by": job}
    if not store.put_if(succ, STARTED, claim, old):
        return Decision(succ, "waiting", "another invocation started it")
    if _start(store, succ, start, claim, old):
        return Decision(succ, "started", f"{reason} (last: {job})")
    return Decision(succ, "refused", "Glue refused the start; retried later")


def _arm(store: Store, succ: str, pred: str, count: int, at: str) -> None:
    """Begin S's wait at `at`, unless it began earlier: the success (`pred`'s `count`)
    must not be used up by a start already, and a wait of the same start stays."""
    started = store.get(succ, STARTED)
    if count <= _seen(started).get(pred, 0):
        return
    epoch = (started or NO_START)["seen"]
    old = store.get(succ, WAITING)
    if old is not None and old["epoch"] == epoch:
        return
    store.put_if(succ, WAITING, {"epoch": epoch, "since": at, "alerted": ""}, old)


def _start(
    store: Store,
    job: str,
    start: Callable[[str], bool],
    claim: dict[str, str],
    old: dict[str, str] | None,
) -> bool:
    """Start `job`; when Glue refuses or the call fails, give the successes back."""
    back = old if old is not None else NO_START
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
    """The Lambda entry point: a "Glue Job State Change" event, or the timer rule's
    "Scheduled Event" (the max_wait sweep)."""
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

    def alert(job: str, message: str) -> None:
        sns = boto3.client("sns", endpoint_url=endpoint)
        subject = f"alurc: {job} waited past max_wait"[:100]
        sns.publish(TopicArn=os.environ["ALUR_ALERT_TOPIC"], Subject=subject, Message=message)

    if event.get("detail-type") == "Scheduled Event":
        from alur_runtime.chain_wait import on_timer

        decisions = on_timer(_config(), store, str(event["time"]), start, alert)
        source = {"event": "timer", "state": ""}
    else:
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
        source = {"event": str(detail["jobName"]), "state": str(detail["state"])}
    out = [{"job": d.job, "action": d.action, "reason": d.reason} for d in decisions]
    for line in out:
        print(json.dumps(source | line))
    return out
