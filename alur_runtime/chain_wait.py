"""`max_wait` on AWS: the chain Lambda's timer sweep (specs/schedule.md, "max_wait").

A rate rule invokes the chain Lambda every TIMER_MINUTES with a "Scheduled Event"; the
handler (chain.py) calls `on_timer`. A successor S with `max_wait` has a wait item
(`sk=schedule#waiting`: the `seen` of S's last start, when the wait began, whether it
alerted) armed by chain.py at the first predecessor success since S's last start. When the
wait elapsed and S has not started since, the sweep starts S (`on_max_wait: run`, whatever
predecessors are still missing or failed) or publishes one alert per wait (`alert`). Every
write is a compare-and-set, so two overlapping sweeps start S or alert once. Pure apart from
the store and the two callables, like `on_state_change`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from alur_runtime.chain import (
    NO_START,
    STARTED,
    WAITING,
    Chains,
    Decision,
    Store,
    _seen,
    _start,
    _verdict,
)


def _minutes(since: str, now: str) -> float:
    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return (parse(now) - parse(since)).total_seconds() / 60


def duration(minutes: int) -> str:
    """6h, 90m, 2d: how specs and logs write a max_wait."""
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def on_timer(
    chains: Chains,
    store: Store,
    now: str,
    start: Callable[[str], bool],
    alert: Callable[[str, str], None],
) -> list[Decision]:
    """The sweep: every successor whose max_wait elapsed at `now` with S not started since
    its wait began is started (`run`) or alerted about, once per wait (`alert`). `alert(job,
    message)` publishes; when it raises, the mark is given back and the error propagates."""
    decisions: list[Decision] = []
    for succ in sorted(chains.max_wait):
        wait = store.get(succ, WAITING)
        if succ in chains.disabled or wait is None:
            continue
        _, reason, started, counts = _verdict(store, chains, succ)
        seen = _seen(started)
        if wait["epoch"] != (started or NO_START)["seen"]:
            continue  # S started since this wait began
        if not any(counts[p] > seen.get(p, 0) for p in counts):
            continue
        rule = chains.max_wait[succ]
        if _minutes(wait["since"], now) < rule.minutes:
            continue
        why = f"max_wait {duration(rule.minutes)} elapsed (waiting since {wait['since']}): {reason}"
        if rule.on == "run":
            decisions.append(_run_late(store, succ, start, started, counts, now, why))
        elif not wait["alerted"]:
            decisions += _alert(store, succ, alert, wait, now, why)
    return decisions


def _run_late(
    store: Store,
    succ: str,
    start: Callable[[str], bool],
    started: dict[str, str] | None,
    counts: dict[str, int],
    now: str,
    why: str,
) -> Decision:
    claim = {"seen": json.dumps(counts, sort_keys=True), "at": now, "by": "max_wait"}
    if not store.put_if(succ, STARTED, claim, started):
        return Decision(succ, "waiting", "another invocation started it")
    if _start(store, succ, start, claim, started):
        return Decision(succ, "started", why)
    return Decision(succ, "refused", "Glue refused the start; the next sweep retries")


def _alert(
    store: Store,
    succ: str,
    alert: Callable[[str, str], None],
    wait: dict[str, str],
    now: str,
    why: str,
) -> list[Decision]:
    marked = wait | {"alerted": now}
    if not store.put_if(succ, WAITING, marked, wait):
        return []  # another sweep alerted
    try:
        alert(succ, f"{succ} has not started: {why}")
    except Exception:
        store.put_if(succ, WAITING, wait, marked)
        raise
    return [Decision(succ, "alerted", why)]
