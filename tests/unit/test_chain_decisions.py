"""The chain Lambda's decision function on the cases a week of simulation does not reach:
an event delivered twice, a start call that fails, two predecessors' counts, after_any's
failures, max_wait's clock, alert retries and overlapping sweeps. The store is the
in-memory one with the real stores' compare-and-set (tests/integration/
test_state_store_parity.py holds it to DynamoDB's outcomes)."""

from __future__ import annotations

import pytest

from alur_runtime.chain import STARTED, WAITING, Chains, Wait, on_state_change
from alur_runtime.chain_wait import on_timer
from alur_runtime.memory_state import MemoryStateStore

CHAINS = Chains({"s": ("a", "b")})


def test_an_event_delivered_twice_counts_once() -> None:
    store, started = MemoryStateStore(), []
    start = lambda job: not started.append(job)  # noqa: E731
    on_state_change(CHAINS, store, "b", "SUCCEEDED", "t1", start, run_id="jr_b1")
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t2", start, run_id="jr_a1")
    assert started == ["s"]
    # EventBridge / Lambda retry the same events: nothing new succeeded, nothing starts
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t2", start, run_id="jr_a1")
    on_state_change(CHAINS, store, "b", "SUCCEEDED", "t1", start, run_id="jr_b1")
    assert started == ["s"]
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t3", start, run_id="jr_a2")
    assert started == ["s"]  # b has not succeeded again
    decisions = on_state_change(CHAINS, store, "b", "SUCCEEDED", "t4", start, run_id="jr_b2")
    assert started == ["s", "s"] and [d.action for d in decisions] == ["started"]


def test_a_failing_start_call_gives_the_successes_back() -> None:
    store = MemoryStateStore()
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t1", lambda j: True, run_id="jr_a1")

    def broken(job: str) -> bool:
        raise ConnectionError("throttled")

    with pytest.raises(ConnectionError):
        on_state_change(CHAINS, store, "b", "SUCCEEDED", "t2", broken, run_id="jr_b1")
    assert store.get("s", STARTED) == {"seen": "{}", "at": "", "by": ""}
    # the Lambda retries the same event: now the start goes through, once
    started: list[str] = []
    retry = on_state_change(
        CHAINS, store, "b", "SUCCEEDED", "t2", lambda j: not started.append(j), run_id="jr_b1"
    )
    assert started == ["s"] and [d.action for d in retry] == ["started"]


def test_refused_start_waits_for_the_next_success_and_failures_hold() -> None:
    store = MemoryStateStore()
    on_state_change(CHAINS, store, "a", "SUCCEEDED", "t1", lambda j: True, run_id="1")
    refused = on_state_change(CHAINS, store, "b", "SUCCEEDED", "t2", lambda j: False, run_id="2")
    assert [d.action for d in refused] == ["refused"]
    held = on_state_change(CHAINS, store, "a", "FAILED", "t3", lambda j: True, run_id="3")
    assert [(d.action, d.reason) for d in held] == [("held", "latest run a FAILED")]
    again = on_state_change(CHAINS, store, "a", "SUCCEEDED", "t4", lambda j: True, run_id="4")
    assert [d.action for d in again] == ["started"]
    assert on_state_change(CHAINS, store, "x", "SUCCEEDED", "t5", lambda j: True) == []
    assert on_state_change(CHAINS, store, "a", "RUNNING", "t5", lambda j: True) == []


ANY = Chains({}, after_any={"s": ("a", "b")})


def test_after_any_starts_on_each_success_and_a_failure_holds_nothing() -> None:
    store, started = MemoryStateStore(), []
    start = lambda job: not started.append(job)  # noqa: E731
    on_state_change(ANY, store, "a", "SUCCEEDED", "t1", start, run_id="a1")
    failed = on_state_change(ANY, store, "b", "FAILED", "t2", start, run_id="b1")
    assert [d.action for d in failed] == ["waiting"]
    assert "latest run b FAILED" in failed[0].reason
    on_state_change(ANY, store, "a", "SUCCEEDED", "t3", start, run_id="a2")  # b still failed
    assert started == ["s", "s"]
    # a refused start keeps the success: b's failure does not start s, a's next success does
    on_state_change(ANY, store, "b", "SUCCEEDED", "t4", lambda j: False, run_id="b2")
    assert [d.action for d in on_state_change(ANY, store, "a", "FAILED", "t5", start)] == [
        "waiting"
    ]
    assert started == ["s", "s"]
    on_state_change(ANY, store, "a", "SUCCEEDED", "t6", start, run_id="a3")
    assert started == ["s", "s", "s"]


def _wait(on: str) -> Chains:
    return Chains({"s": ("a", "b")}, max_wait={"s": Wait(60, on)})


def test_max_wait_counts_from_the_first_success_and_runs_once() -> None:
    chains, store, started = _wait("run"), MemoryStateStore(), []
    start = lambda job: not started.append(job)  # noqa: E731
    never = lambda job, msg: pytest.fail("no alert with on_max_wait: run")  # noqa: E731
    on_state_change(chains, store, "a", "SUCCEEDED", "2026-12-01T00:10:00Z", start, "a1")
    on_state_change(chains, store, "a", "SUCCEEDED", "2026-12-01T00:40:00Z", start, "a2")
    assert store.get("s", WAITING) == {
        "epoch": "{}",
        "since": "2026-12-01T00:10:00Z",
        "alerted": "",
    }
    assert on_timer(chains, store, "2026-12-01T01:09:00Z", start, never) == []  # 59 minutes
    late = on_timer(chains, store, "2026-12-01T01:10:00Z", start, never)
    assert [d.action for d in late] == ["started"] and started == ["s"]
    assert "max_wait 1h elapsed" in late[0].reason and "b" in late[0].reason
    assert on_timer(chains, store, "2026-12-01T03:00:00Z", start, never) == []  # used up
    # b succeeds now: a's successes were used by the late start, so s waits for a again
    waiting = on_state_change(chains, store, "b", "SUCCEEDED", "2026-12-01T03:05:00Z", start, "b1")
    assert [d.action for d in waiting] == ["waiting"] and started == ["s"]
    assert store.get("s", WAITING)["since"] == "2026-12-01T03:05:00Z"  # type: ignore[index]
    on_state_change(chains, store, "a", "SUCCEEDED", "2026-12-01T03:20:00Z", start, "a3")
    assert started == ["s", "s"]  # both since the late start: the ordinary start
    assert on_timer(chains, store, "2026-12-01T09:00:00Z", start, never) == []


def test_max_wait_alerts_once_per_wait_and_retries_a_failed_publish() -> None:
    chains, store, sent = _wait("alert"), MemoryStateStore(), []
    start = lambda job: pytest.fail("on_max_wait: alert never starts")  # noqa: E731

    def broken(job: str, message: str) -> None:
        raise ConnectionError("sns throttled")

    on_state_change(chains, store, "a", "FAILED", "2026-12-01T00:00:00Z", start, "a0")
    assert store.get("s", WAITING) is None  # a failure starts no wait
    on_state_change(chains, store, "b", "SUCCEEDED", "2026-12-01T00:00:00Z", start, "b1")
    with pytest.raises(ConnectionError):
        on_timer(chains, store, "2026-12-01T01:00:00Z", start, broken)
    assert store.get("s", WAITING)["alerted"] == ""  # type: ignore[index]
    publish = lambda job, message: sent.append((job, message))  # noqa: E731
    alerted = on_timer(chains, store, "2026-12-01T01:05:00Z", start, publish)
    assert [d.action for d in alerted] == ["alerted"] and len(sent) == 1
    assert sent[0][0] == "s" and "a FAILED" in sent[0][1]
    assert on_timer(chains, store, "2026-12-01T01:10:00Z", start, publish) == []
    assert len(sent) == 1


def test_two_overlapping_sweeps_start_once() -> None:
    chains, store, started = _wait("run"), MemoryStateStore(), []
    on_state_change(chains, store, "a", "SUCCEEDED", "2026-12-01T00:00:00Z", lambda j: True)

    def racing(job: str) -> bool:
        # a second sweep runs while the first is starting s: the claim is taken already
        inner = on_timer(chains, store, "2026-12-01T01:00:00Z", lambda j: True, print)
        assert inner == []
        started.append(job)
        return True

    on_timer(chains, store, "2026-12-01T01:00:00Z", racing, print)
    assert started == ["s"] and store.get("s", STARTED)["by"] == "max_wait"  # type: ignore[index]
